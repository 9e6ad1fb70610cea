package frontend

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// Session attachments: photos (JPEG, PNG, WebP) and PDFs of a session, stored
// under private object keys (never served by /files/) and streamed only to
// those who may read the session.

// attachmentView is an attachment as the API shows it.
type attachmentView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

func attachmentURL(sessionID, id string) string {
	return "/api/v1/sessions/" + sessionID + "/attachments/" + id
}

func (s *server) uploadSessionAttachment(c *fiber.Ctx) error {
	p, err := requireUser(c)
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
	up, err := prepareAttachment(fh)
	if err != nil {
		return err
	}
	a, err := s.Mentoring.Attach(ctx, p, sess.ID, *up)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(attachmentView{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: attachmentURL(sess.ID, a.ID)})
}

// prepareAttachment reads and checks an uploaded attachment: over
// mentoring.MaxAttachmentBytes is errs.TooLarge; anything but a PDF or a
// photo is errs.Unsupported (judged by content, not by name).
func prepareAttachment(fh *multipart.FileHeader) (*mentoring.Upload, error) {
	tooLarge := fmt.Errorf("attachments are limited to 10 MB: %w", errs.TooLarge)
	if fh.Size > mentoring.MaxAttachmentBytes {
		return nil, tooLarge
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, mentoring.MaxAttachmentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > mentoring.MaxAttachmentBytes {
		return nil, tooLarge
	}
	unsupported := fmt.Errorf("attachments are JPEG, PNG or WebP photos or PDF documents: %w", errs.Unsupported)
	up := &mentoring.Upload{Name: clean.FileName(fh.Filename), Data: data}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		up.ContentType, up.Ext = "application/pdf", "pdf"
		return up, nil
	}
	img, err := catalog.ProcessImage(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, errs.TooLarge) {
			return nil, err
		}
		return nil, unsupported
	}
	// A photo is kept as its re-encoded full rendition, never as uploaded:
	// the camera's Exif (GPS included), XMP and comments stay out.
	if ct := http.DetectContentType(data); ct != "image/jpeg" && ct != "image/png" && ct != "image/webp" {
		return nil, unsupported
	}
	up.Data, up.ContentType, up.Ext = img.Full.Data, img.Full.ContentType, img.Full.Ext()
	if old := path.Ext(up.Name); !strings.EqualFold(old, "."+up.Ext) {
		up.Name = strings.TrimSuffix(up.Name, old) + "." + up.Ext
	}
	up.Thumb = &mentoring.Thumb{Data: img.Thumb.Data, ContentType: img.Thumb.ContentType, Ext: img.Thumb.Ext()}
	return up, nil
}

// deleteSessionAttachment takes an attachment off its session (who may add
// one may remove it, until the session locks), then deletes its objects.
func (s *server) deleteSessionAttachment(c *fiber.Ctx) error {
	p, err := requireUser(c)
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
func (s *server) getSessionAttachment(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	a, r, obj, err := s.Mentoring.OpenAttachment(c.UserContext(), p, c.Params("id"), c.Params("attachment"), c.Query("size") == "thumb")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, obj.ContentType)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", a.Name))
	return c.SendStream(r, int(obj.Size))
}

// contentDisposition names a file for the browser as RFC 6266 says: an
// ASCII fallback in filename (anything else becomes "_") and the exact UTF-8
// name in filename* (percent-encoded), so "Acta reunión.pdf" keeps its
// accent and no name can break out of the header.
func contentDisposition(kind, name string) string {
	name = clean.FileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + ascii + `"; filename*=UTF-8''` + attrValue(name)
}

// attrValue percent-encodes every byte outside RFC 5987's attr-char.
func attrValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
