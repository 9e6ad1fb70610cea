package frontend

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
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
		f.Add("file", "send the file as multipart/form-data field \"file\"")
		return f.Err()
	}
	if fh.Size > mentoring.MaxAttachmentBytes {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "attachments are limited to 10 MB")
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, mentoring.MaxAttachmentBytes+1))
	if err != nil {
		return err
	}
	if len(data) > mentoring.MaxAttachmentBytes {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "attachments are limited to 10 MB")
	}
	a := mentoring.Attachment{ID: mentoring.NewID(), Name: path.Base(strings.ReplaceAll(fh.Filename, `\`, "/")), Size: int64(len(data))}
	prefix := "private/sessions/" + sess.ID + "/" + a.ID
	var thumb *catalog.Rendition
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		a.ContentType, a.Key = "application/pdf", prefix+".pdf"
	default:
		img, err := catalog.ProcessImage(bytes.NewReader(data))
		if err != nil {
			if errors.Is(err, errs.TooLarge) {
				return err
			}
			return fmt.Errorf("attachments are JPEG, PNG or WebP photos or PDF documents: %w", errs.Unsupported)
		}
		a.ContentType = http.DetectContentType(data)
		ext := map[string]string{"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[a.ContentType]
		if ext == "" {
			return fmt.Errorf("attachments are JPEG, PNG or WebP photos or PDF documents: %w", errs.Unsupported)
		}
		a.Key, a.ThumbKey, thumb = prefix+"."+ext, prefix+"-thumb."+img.Thumb.Ext(), &img.Thumb
	}
	if a.Name == "" || a.Name == "." || a.Name == "/" {
		a.Name = "adjunto"
	}
	if _, err := s.Objects.Put(ctx, a.Key, bytes.NewReader(data), a.Size, a.ContentType); err != nil {
		return err
	}
	if thumb != nil {
		if _, err := s.Objects.Put(ctx, a.ThumbKey, bytes.NewReader(thumb.Data), int64(len(thumb.Data)), thumb.ContentType); err != nil {
			_ = s.Objects.Delete(ctx, a.Key)
			return err
		}
	}
	if _, err := s.Mentoring.AddAttachment(ctx, p, sess.ID, a); err != nil {
		_ = s.Objects.Delete(ctx, a.Key)
		if a.ThumbKey != "" {
			_ = s.Objects.Delete(ctx, a.ThumbKey)
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(attachmentView{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: attachmentURL(sess.ID, a.ID)})
}

// getSessionAttachment streams an attachment (?size=thumb: a photo's
// thumbnail) to whoever may read the session.
func (s *server) getSessionAttachment(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	sess, err := s.Mentoring.Session(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	for _, a := range sess.Attachments {
		if a.ID != c.Params("attachment") {
			continue
		}
		key := a.Key
		if c.Query("size") == "thumb" && a.ThumbKey != "" {
			key = a.ThumbKey
		}
		r, obj, err := s.Objects.Get(c.UserContext(), key)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, obj.ContentType)
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("inline; filename=%q", a.Name))
		return c.SendStream(r, int(obj.Size))
	}
	return fmt.Errorf("attachment %s of session %s: %w", c.Params("attachment"), sess.ID, errs.NotFound)
}
