package frontend

import (
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// serveFile streams a public object (product photos). Only keys under
// public/ are served here; private files (session attachments) go through
// routes that check who asks. Keys are content-addressed, so a response never
// changes and may be cached forever.
func (s *server) serveFile(c *fiber.Ctx) error {
	key := strings.TrimPrefix(c.Path(), storage.FilesPathPrefix)
	if !strings.HasPrefix(key, "public/") || storage.ValidKey(key) != nil {
		return fiber.ErrNotFound
	}
	r, obj, err := s.Objects.Get(c.UserContext(), key)
	if err != nil {
		if errors.Is(err, errs.NotFound) {
			return fiber.ErrNotFound
		}
		return err
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, obj.ContentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	if obj.ETag != "" {
		c.Set(fiber.HeaderETag, `"`+obj.ETag+`"`)
	}
	return c.Send(body)
}
