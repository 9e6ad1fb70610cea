package kit

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
	"github.com/tesoro-pact/tesoro/storage"
)

// UploadedImage opens the photo of an API upload, the multipart field
// "file": 415 when the request is not multipart, 422 without the field, 413
// over catalog.MaxImageBytes. Whether it is an image the catalog decides.
func UploadedImage(c *fiber.Ctx) (multipart.File, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "send the photo as multipart/form-data with the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var f errs.Fields
		f.Add("file", errs.CodeRequired, "send the photo as multipart/form-data field \"file\"")
		return nil, f.Err()
	}
	if fh.Size > catalog.MaxImageBytes {
		return nil, fiber.NewError(fiber.StatusRequestEntityTooLarge, "photos are limited to 8 MB")
	}
	return fh.Open()
}

func AttachmentURL(sessionID, id string) string {
	return "/api/v1/sessions/" + sessionID + "/attachments/" + id
}

// PrepareAttachment reads and checks an uploaded attachment: over
// mentoring.MaxAttachmentBytes is errs.TooLarge; anything but a PDF or a
// photo is errs.Unsupported (judged by content, not by name).
func PrepareAttachment(fh *multipart.FileHeader) (*mentoring.Upload, error) {
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

// ContentDisposition names a file for the browser as RFC 6266 says: an
// ASCII fallback in filename (anything else becomes "_") and the exact UTF-8
// name in filename* (percent-encoded), so "Acta reunión.pdf" keeps its
// accent and no name can break out of the header.
func ContentDisposition(kind, name string) string {
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

// SendPrivate streams a private object (an attachment, evidence, a receipt)
// to who was allowed to read it: never cached, never sniffed, shown inline
// under name ("" keeps the browser's).
func SendPrivate(c *fiber.Ctx, r io.ReadCloser, obj storage.Object, name string) error {
	c.Set(fiber.HeaderContentType, obj.ContentType)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	if name != "" {
		c.Set(fiber.HeaderContentDisposition, ContentDisposition("inline", name))
	}
	return c.SendStream(r, int(obj.Size))
}
