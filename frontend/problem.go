package frontend

import (
	"errors"
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

// kindInfo is the one table from error kinds to HTTP: status, problem type,
// title and the Spanish-first message key for pages.
type kindInfo struct {
	status int
	slug   string
	title  string
}

var kindTable = map[*errs.Kind]kindInfo{
	errs.NotFound:        {fiber.StatusNotFound, "not-found", "Not found"},
	errs.Invalid:         {fiber.StatusUnprocessableEntity, "invalid", "Invalid input"},
	errs.Conflict:        {fiber.StatusConflict, "conflict", "Conflict"},
	errs.Forbidden:       {fiber.StatusForbidden, "forbidden", "Forbidden"},
	errs.Unauthenticated: {fiber.StatusUnauthorized, "unauthenticated", "Authentication required"},
	errs.Locked:          {fiber.StatusLocked, "locked", "Locked"},
	errs.Unavailable:     {fiber.StatusServiceUnavailable, "unavailable", "Service unavailable"},
	errs.TooLarge:        {fiber.StatusRequestEntityTooLarge, "too-large", "Payload too large"},
	errs.Unsupported:     {fiber.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"},
	errs.TooMany:         {fiber.StatusTooManyRequests, "too-many-requests", "Too many requests"},
}

// statusSlugs names the problem types of plain HTTP errors raised by Fiber itself.
var statusSlugs = map[int]string{
	fiber.StatusBadRequest:            "bad-request",
	fiber.StatusUnauthorized:          "unauthenticated",
	fiber.StatusNotFound:              "not-found",
	fiber.StatusMethodNotAllowed:      "method-not-allowed",
	fiber.StatusRequestEntityTooLarge: "too-large",
	fiber.StatusUnsupportedMediaType:  "unsupported-media-type",
	fiber.StatusTooManyRequests:       "too-many-requests",
	fiber.StatusForbidden:             "forbidden",
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
		slug := statusSlugs[fe.Code]
		if slug == "" {
			slug = "http-" + strings.ToLower(strings.ReplaceAll(utils.StatusMessage(fe.Code), " ", "-"))
		}
		p = problem{Type: "/problems/" + slug, Title: utils.StatusMessage(fe.Code), Status: fe.Code}
		if fe.Message != p.Title {
			p.Detail = fe.Message
		}
		return p, fe.Code < 500
	}
	if k := errs.KindOf(err); k != nil {
		info := kindTable[k]
		p = problem{Type: "/problems/" + info.slug, Title: info.title, Status: info.status, Detail: err.Error()}
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
	return problem{Type: "/problems/internal", Title: "Internal error", Status: fiber.StatusInternalServerError}, false
}

// errorHandler answers every error: problem+json under /api, a Spanish-first
// page elsewhere. Unknown errors are logged once here, with the request id.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
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
