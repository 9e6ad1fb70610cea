package frontend

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
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

// minis keeps the miniatures made, so a fair's phones reloading the till
// cost one resize per photo; bounded, and forgotten wholesale when full.
type minis struct {
	mu   sync.Mutex
	byID map[string][]byte
}

const maxMinis = 2000 // about 6 MB

func (m *minis) get(key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.byID[key]
	return b, ok
}

func (m *minis) put(key string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil || len(m.byID) >= maxMinis {
		m.byID = map[string][]byte{}
	}
	m.byID[key] = b
}

func (s *server) serveMiniature(c *fiber.Ctx) error {
	key := strings.TrimPrefix(c.Path(), kit.MiniPathPrefix)
	if !strings.HasPrefix(key, "public/") || storage.ValidKey(key) != nil {
		return fiber.ErrNotFound
	}
	body, ok := s.minis.get(key)
	if !ok {
		r, _, err := s.Objects.Get(c.UserContext(), key)
		if errors.Is(err, errs.NotFound) {
			return fiber.ErrNotFound
		}
		if err != nil {
			return err
		}
		defer r.Close()
		src, err := io.ReadAll(io.LimitReader(r, catalog.MaxImageBytes))
		if err != nil {
			return err
		}
		if body, err = catalog.Miniature(src); err != nil {
			return fiber.ErrNotFound // not an image we can read: no tile photo
		}
		s.minis.put(key, body)
	}
	c.Set(fiber.HeaderContentType, "image/jpeg")
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(body)
}
