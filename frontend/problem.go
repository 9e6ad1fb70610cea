package frontend

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
	// ShortLines are the lines of a checkout the stock cannot cover.
	ShortLines []orders.ShortLine `json:"short_lines,omitempty"`
}

// statusProblem is the one table of problem types and titles, by HTTP
// status: errors of the errs kinds and errors Fiber raises itself (404 of an
// unknown route, 413 of the body limit, 405…) get the same type and title.
var statusProblem = map[int]struct{ slug, title string }{
	fiber.StatusBadRequest:            {"bad-request", "Bad request"},
	fiber.StatusUnauthorized:          {"unauthenticated", "Authentication required"},
	fiber.StatusForbidden:             {"forbidden", "Forbidden"},
	fiber.StatusNotFound:              {"not-found", "Not found"},
	fiber.StatusMethodNotAllowed:      {"method-not-allowed", "Method not allowed"},
	fiber.StatusConflict:              {"conflict", "Conflict"},
	fiber.StatusRequestEntityTooLarge: {"too-large", "Payload too large"},
	fiber.StatusUnsupportedMediaType:  {"unsupported-media-type", "Unsupported media type"},
	fiber.StatusUnprocessableEntity:   {"invalid", "Invalid input"},
	fiber.StatusLocked:                {"locked", "Locked"},
	fiber.StatusTooManyRequests:       {"too-many-requests", "Too many requests"},
	fiber.StatusInternalServerError:   {"internal", "Internal error"},
	fiber.StatusServiceUnavailable:    {"unavailable", "Service unavailable"},
}

// kindStatus is the HTTP status of each error kind.
var kindStatus = map[*errs.Kind]int{
	errs.NotFound:        fiber.StatusNotFound,
	errs.Invalid:         fiber.StatusUnprocessableEntity,
	errs.Conflict:        fiber.StatusConflict,
	errs.Forbidden:       fiber.StatusForbidden,
	errs.Unauthenticated: fiber.StatusUnauthorized,
	errs.Locked:          fiber.StatusLocked,
	errs.Unavailable:     fiber.StatusServiceUnavailable,
	errs.TooLarge:        fiber.StatusRequestEntityTooLarge,
	errs.Unsupported:     fiber.StatusUnsupportedMediaType,
	errs.TooMany:         fiber.StatusTooManyRequests,
}

// problemFor is a problem of status with the table's type and title.
func problemFor(status int) problem {
	info, ok := statusProblem[status]
	if !ok {
		info.title = utils.StatusMessage(status)
		info.slug = "http-" + strings.ToLower(strings.ReplaceAll(info.title, " ", "-"))
	}
	return problem{Type: "/problems/" + info.slug, Title: info.title, Status: status}
}

// bodyLimits say, by route, what the body limit that Fiber enforces before
// any handler is: its 413 then tells the same as the handler's own.
var bodyLimits = []struct{ suffix, detail string }{
	{"/attachments", "attachments are limited to 10 MB"},
	{"/images", "photos are limited to 8 MB"},
	{"/photos", "photos are limited to 8 MB"},
}

func bodyLimitDetail(path string) string {
	for _, l := range bodyLimits {
		if strings.HasSuffix(path, l.suffix) {
			return l.detail
		}
	}
	return "the request body is too large"
}

// toProblem classifies err. Unknown errors become a bare 500 whose detail
// never reveals the cause; the cause is logged by the caller.
func toProblem(err error) (p problem, known bool) {
	if errors.Is(err, errCSRF) {
		return problem{Type: "/problems/csrf", Title: "Forbidden", Status: fiber.StatusForbidden,
			Detail: "missing or invalid CSRF token: reload the page, or send X-CSRF-Token"}, true
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		p = problemFor(fe.Code)
		if fe.Message != utils.StatusMessage(fe.Code) {
			p.Detail = fe.Message
		}
		return p, fe.Code < 500
	}
	if k := errs.KindOf(err); k != nil {
		p = problemFor(kindStatus[k])
		p.Detail = err.Error()
		var short *orders.ShortError
		if errors.As(err, &short) {
			p.ShortLines, p.Detail = short.Lines, "There is not enough stock for some lines; nothing was reserved."
		}
		var ve *errs.ValidationError
		if errors.As(err, &ve) {
			p.Errors = ve.Fields
			p.Detail = "The request has invalid fields."
		}
		return p, true
	}
	return problemFor(fiber.StatusInternalServerError), false
}

// errorHandler answers every error: problem+json under /api, a Spanish-first
// page elsewhere. Unknown errors are logged once here, with the request id.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	if errors.Is(err, fiber.ErrRequestEntityTooLarge) {
		err = fmt.Errorf("%s: %w", bodyLimitDetail(c.Path()), errs.TooLarge)
	}
	p, known := toProblem(err)
	p.RequestID = requestID(c)
	if !known {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", p.RequestID), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Any("err", err))
	}
	if p.Status == fiber.StatusTooManyRequests {
		c.Set(fiber.HeaderRetryAfter, retryAfter(err))
	}
	if p.Status == fiber.StatusUnauthorized && isAPI(c) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tesoro"`)
	}
	if isAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/problem+json") {
		p.Instance = c.Path()
		c.Status(p.Status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
	return s.renderError(c, p)
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// retryAfter is the Retry-After value in whole seconds (at least 1).
func retryAfter(err error) string {
	var re *errs.RetryError
	if errors.As(err, &re) {
		return strconv.Itoa(max(1, int(math.Ceil(re.After.Seconds()))))
	}
	return "60"
}
