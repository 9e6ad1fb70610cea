package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// Session attachments: photos (JPEG, PNG, WebP) and PDFs of a session, stored
// under private object keys (never served by /files/) and streamed only to
// those who may read the session.

// Attachment is an attachment as the API shows it.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

func (s *API) uploadSessionAttachment(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sess, err := s.Mentoring.CanAttach(ctx, p, c.Params("id"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the file as multipart/form-data with the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var f errs.Fields
		f.Add("file", errs.CodeRequired, "send the file as multipart/form-data field \"file\"")
		return f.Err()
	}
	up, err := kit.PrepareAttachment(fh)
	if err != nil {
		return err
	}
	a, err := s.Mentoring.Attach(ctx, p, sess.ID, *up)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: kit.AttachmentURL(sess.ID, a.ID)})
}

// deleteSessionAttachment takes an attachment off its session (who may add
// one may remove it, until the session locks), then deletes its objects.
func (s *API) deleteSessionAttachment(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if _, err := s.Mentoring.Detach(c.UserContext(), p, c.Params("id"), c.Params("attachment")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// getSessionAttachment streams an attachment (?size=thumb: a photo's
// thumbnail) to whoever may read the session.
func (s *API) getSessionAttachment(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	a, r, obj, err := s.Mentoring.OpenAttachment(c.UserContext(), p, c.Params("id"), c.Params("attachment"), c.Query("size") == "thumb")
	if err != nil {
		return err
	}
	return kit.SendPrivate(c, r, obj, a.Name)
}
