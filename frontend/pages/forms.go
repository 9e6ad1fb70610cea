package pages

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/errs"
)

// form is the state of one form on a page: what the visitor typed (never a
// password) and the messages to show, already in the visitor's language.
// Pages always get non-nil forms (templates read Error directly).
type form struct {
	Values map[string]string
	Multi  map[string][]string
	Errors map[string]string
	Error  string // about the whole form
}

func newForm() *form {
	return &form{Values: map[string]string{}, Multi: map[string][]string{}, Errors: map[string]string{}}
}

// Val is the value of a field.
func (f *form) Val(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Err is the message for a field, or "".
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Has reports whether a checkbox group or multiple select has value v chosen.
func (f *form) Has(name, v string) bool { return f != nil && slices.Contains(f.Multi[name], v) }

// Failed reports whether the form has any message to show.
func (f *form) Failed() bool { return f != nil && (f.Error != "" || len(f.Errors) > 0) }

// formValues returns every value sent for key (checkbox groups, multiple selects).
func formValues(c *fiber.Ctx, key string) []string {
	if mf, err := c.MultipartForm(); err == nil {
		return mf.Value[key]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// formError puts an error of the accounts service on the form, in the
// visitor's language, and returns the status of the page to show again:
// 422 for invalid fields, 429 for too many attempts (with Retry-After).
// Field errors go next to the fields listed in shown; the others go on top.
// ok is false for errors that are not about the form (the error page shows them).
func (s *Pages) formError(c *fiber.Ctx, l *loc, f *form, err error, shown ...string) (status int, ok bool) {
	var ve *errs.ValidationError
	var re *errs.RetryError
	switch {
	case errors.As(err, &ve):
		var other []string
		for _, fe := range ve.Fields {
			id, args := fieldMessage(fe)
			msg := l.T(id, args...)
			switch {
			case !slices.Contains(shown, fe.Field):
				if !slices.Contains(other, msg) {
					other = append(other, msg)
				}
			case f.Errors[fe.Field] == "":
				f.Errors[fe.Field] = msg
			}
		}
		if len(f.Errors) > 0 {
			other = append([]string{l.T("form.error.summary")}, other...)
		}
		f.Error = strings.Join(other, " ")
		return fiber.StatusUnprocessableEntity, true
	case errors.As(err, &re):
		secs := max(1, int(math.Ceil(re.After.Seconds())))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		f.Error = l.T("form.error.too_many", "Wait", waitText(secs))
		return fiber.StatusTooManyRequests, true
	case errors.Is(err, errs.TooMany):
		c.Set(fiber.HeaderRetryAfter, "60")
		f.Error = l.T("form.error.too_many", "Wait", waitText(60))
		return fiber.StatusTooManyRequests, true
	}
	return 0, false
}

// waitText writes a wait briefly, the same in Spanish and English: "30 s", "15 min".
func waitText(secs int) string {
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}

// fieldMessage names the locale message of an account form's field error,
// chosen by its field and code (never by its English text), and the
// template data its params give.
func fieldMessage(fe errs.FieldError) (string, []any) {
	switch fe.Field {
	case "email":
		if fe.Code == errs.CodeTaken {
			return "form.error.email_taken", nil
		}
		return "form.error.email", nil
	case "name":
		return "form.error.name", nil
	case "phone":
		return "form.error.phone", nil
	case "password", "new_password":
		switch fe.Code {
		case errs.CodeTooShort:
			return "form.error.password_short", []any{"N", fe.Params["min"]}
		case errs.CodeTooLong:
			return "form.error.password_long", nil
		case errs.CodeWeak:
			return "form.error.password_email", nil
		}
		return "form.error.password", nil
	case "current_password":
		return "form.error.current_password", nil
	case "consent":
		return "form.error.consent", nil
	case "roles":
		if fe.Code == errs.CodeNotAllowed {
			return "form.error.roles_self", nil
		}
		return "form.error.roles", nil
	case "active":
		if fe.Code == errs.CodeNotAllowed && fe.Params["reason"] == "self" {
			return "form.error.active_self", nil
		}
	case "initiative_ids", "producer_initiative_ids", "adviser_initiative_ids":
		if fe.Code == errs.CodeNotAllowed {
			return "form.error.initiatives_split", nil
		}
		return "form.error.initiatives", nil
	}
	return "form.error.generic", nil
}

// parseWhole reads a whole number as people type it on a phone: "12500" or
// "12.500" (dots group thousands), with spaces or a leading "$" ignored. It
// returns what is wrong ("empty", "cents", "negative", "number" or
// "too_large"), or "".
func parseWhole(s string) (int64, string) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "$"))
	s = strings.NewReplacer(" ", "", "\u00a0", "").Replace(s)
	switch {
	case s == "":
		return 0, "empty"
	case strings.Contains(s, ","):
		return 0, "cents"
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−"):
		return 0, "negative"
	}
	groups := strings.Split(s, ".")
	for i, g := range groups {
		if g == "" || strings.Trim(g, "0123456789") != "" || (len(groups) > 1 && (len(g) > 3 || (i > 0 && len(g) != 3))) {
			return 0, "number"
		}
	}
	digits := strings.Join(groups, "")
	if len(digits) > 12 {
		return 0, "too_large"
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, "number"
	}
	return n, ""
}

// parsePesos reads a price in whole pesos ("12500", "12.500"); "12.500,50"
// and other amounts with cents are refused with a message saying so.
func parsePesos(s string) (int64, string) {
	n, msg := parseWhole(s)
	switch msg {
	case "":
	case "empty":
		return 0, "producer.error.price_empty"
	case "cents":
		return 0, "producer.error.price_cents"
	case "negative":
		return 0, "producer.error.price_positive"
	case "too_large":
		return 0, "producer.error.price_large"
	default:
		return 0, "producer.error.price_format"
	}
	if n <= 0 {
		return 0, "producer.error.price_positive"
	}
	return n, ""
}

// parseStock reads the units on hand of a new product.
func parseStock(s string) (int64, string) {
	n, msg := parseWhole(s)
	if msg == "empty" {
		return 0, "producer.error.stock_empty"
	}
	if msg != "" || n > maxStock {
		return 0, "producer.error.stock"
	}
	return n, ""
}

// formFieldErrors puts the catalog's field errors on f, in the visitor's
// language, next to the fields that messages names (any other goes on top).
// It reports false for errors that are not about the form.
func formFieldErrors(l *loc, f *form, err error, messages map[string]string) bool {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	other := []string{l.T("form.error.summary")}
	for _, fe := range ve.Fields {
		id, shown := messages[fe.Field]
		switch {
		case !shown:
			if msg := l.T("form.error.generic"); !slices.Contains(other, msg) {
				other = append(other, msg)
			}
		case f.Errors[fe.Field] == "":
			f.Errors[fe.Field] = l.T(id)
		}
	}
	f.Error = strings.Join(other, " ")
	return true
}

// newIdempotencyKey is the hidden key of a form that must take effect once.
func newIdempotencyKey() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
