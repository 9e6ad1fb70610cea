package kit

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
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

// StatusProblem is the one table of problem types and titles, by HTTP
// status: errors of the errs kinds and errors Fiber raises itself (404 of an
// unknown route, 413 of the body limit, 405…) get the same type and title.
var StatusProblem = map[int]struct{ Slug, Title string }{
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

// ProblemFor is a problem of status with the table's type and title.
func ProblemFor(status int) Problem {
	info, ok := StatusProblem[status]
	if !ok {
		info.Title = utils.StatusMessage(status)
		info.Slug = "http-" + strings.ToLower(strings.ReplaceAll(info.Title, " ", "-"))
	}
	return Problem{Type: "/problems/" + info.Slug, Title: info.Title, Status: status}
}

// bodyLimits say, by route, what the body limit that Fiber enforces before
// any handler is: its 413 then tells the same as the handler's own.
var bodyLimits = []struct{ suffix, detail string }{
	{"/attachments", "attachments are limited to 10 MB"},
	{"/evidence", "evidence files are limited to 10 MB"},
	{"/receipt", "receipt photos are limited to 10 MB"},
	{"/images", "photos are limited to 8 MB"},
}

func BodyLimitDetail(path string) string {
	for _, l := range bodyLimits {
		if strings.HasSuffix(path, l.suffix) {
			return l.detail
		}
	}
	return "the request body is too large"
}

// ToProblem classifies err. Unknown errors become a bare 500 whose detail
// never reveals the cause; the cause is logged by the caller.
func ToProblem(err error) (p Problem, known bool) {
	if errors.Is(err, ErrCSRF) {
		return Problem{Type: "/problems/csrf", Title: "Forbidden", Status: fiber.StatusForbidden,
			Detail: "missing or invalid CSRF token: reload the page, or send X-CSRF-Token"}, true
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		p = ProblemFor(fe.Code)
		if fe.Message != utils.StatusMessage(fe.Code) {
			p.Detail = fe.Message
		}
		return p, fe.Code < 500
	}
	if k := errs.KindOf(err); k != nil {
		p = ProblemFor(kindStatus[k])
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
	return ProblemFor(fiber.StatusInternalServerError), false
}

func IsAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// RetryAfter is the Retry-After value in whole seconds (at least 1).
func RetryAfter(err error) string {
	var re *errs.RetryError
	if errors.As(err, &re) {
		return strconv.Itoa(max(1, int(math.Ceil(re.After.Seconds()))))
	}
	return "60"
}
