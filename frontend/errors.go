package frontend

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// errorHandler answers every error: problem+json under /api, a Spanish-first
// page elsewhere. Unknown errors are logged once here, with the request id.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	if errors.Is(err, fiber.ErrRequestEntityTooLarge) {
		err = fmt.Errorf("%s: %w", kit.BodyLimitDetail(c.Path()), errs.TooLarge)
	}
	p, known := kit.ToProblem(err)
	p.RequestID = kit.RequestID(c)
	if !known {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", p.RequestID), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Any("err", err))
	}
	if p.Status == fiber.StatusTooManyRequests {
		c.Set(fiber.HeaderRetryAfter, kit.RetryAfter(err))
	}
	if p.Status == fiber.StatusUnauthorized && kit.IsAPI(c) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tesoro"`)
	}
	if kit.IsAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/problem+json") {
		p.Instance = c.Path()
		c.Status(p.Status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
	return s.pages.RenderError(c, p)
}
