// Package errs declares the kinds of failure the whole program speaks about.
// Services wrap a kind with context (fmt.Errorf("product %s: %w", id, errs.NotFound));
// the frontend maps each kind once to an HTTP status and a user-facing message.
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is a class of failure. Compare with errors.Is(err, errs.NotFound).
type Kind struct{ name string }

func (k *Kind) Error() string { return k.name }

// The kinds. Each maps to exactly one HTTP status in the frontend.
var (
	NotFound        = &Kind{"not found"}
	Invalid         = &Kind{"invalid"}
	Conflict        = &Kind{"conflict"}
	Forbidden       = &Kind{"forbidden"}
	Unauthenticated = &Kind{"unauthenticated"}
	Locked          = &Kind{"locked"}
	Unavailable     = &Kind{"unavailable"}
	TooLarge        = &Kind{"too large"}
	Unsupported     = &Kind{"unsupported media type"}
	TooMany         = &Kind{"too many requests"}
)

// all is in precedence order: a conflict that carries field errors is still a conflict.
var all = []*Kind{NotFound, Conflict, Invalid, Forbidden, Unauthenticated, Locked, Unavailable, TooLarge, Unsupported, TooMany}

// KindOf returns the Kind err is (by errors.Is), or nil for an unknown error.
func KindOf(err error) *Kind {
	if err == nil {
		return nil
	}
	for _, k := range all {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// FieldError is one invalid input field. Code is stable ("required",
// "too_short"…; see the codes below) and Params its values ("min": 2):
// pages and clients translate the pair through their locales. Message is
// the English sentence for API clients that show it as it is.
type FieldError struct {
	Field   string         `json:"field"`
	Code    string         `json:"code"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
}

// Field error codes. A code names the rule a value broke; its params give
// the numbers and names a message needs.
const (
	CodeRequired    = "required"     // missing or empty
	CodeTooShort    = "too_short"    // min
	CodeTooLong     = "too_long"     // max
	CodeOutOfRange  = "out_of_range" // min, max
	CodeUnknown     = "unknown"      // not one of the allowed values (allowed)
	CodeInvalid     = "invalid"      // malformed (email, phone, cursor, number…)
	CodeTaken       = "taken"        // already used (an email, a key)
	CodeNotFound    = "not_found"    // names a record that does not exist (id)
	CodeTooMany     = "too_many"     // max
	CodeDuplicate   = "duplicate"    // the same value twice
	CodeNotAllowed  = "not_allowed"  // a rule forbids it here (reason)
	CodeTooMuch     = "too_much"     // an amount above what the record allows (max)
	CodeWeak        = "weak"         // a password that is too easy (reason)
	CodeWrong       = "wrong"        // does not match (current password)
	CodeUnavailable = "unavailable"  // a feature not offered here
)

// ValidationError carries field errors and is errs.Invalid.
type ValidationError struct {
	Fields []FieldError
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(v, errs.Invalid) true.
func (v *ValidationError) Is(target error) bool { return target == Invalid }

// Fields collects field errors; Err returns nil when none were added.
type Fields []FieldError

// Add records a problem with field: its code, the English message, and
// the params as name, value pairs ("min", 2, "max", 100).
func (f *Fields) Add(field, code, message string, params ...any) {
	fe := FieldError{Field: field, Code: code, Message: message}
	for i := 0; i+1 < len(params); i += 2 {
		if fe.Params == nil {
			fe.Params = map[string]any{}
		}
		fe.Params[fmt.Sprint(params[i])] = params[i+1]
	}
	*f = append(*f, fe)
}

// Err returns a *ValidationError, or nil when no field failed.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}

// RetryError is errs.TooMany with the time after which trying again may work;
// the frontend sends it as Retry-After.
type RetryError struct {
	What  string
	After time.Duration
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%s: too many attempts, retry after %s", e.What, e.After.Round(time.Second))
}

// Is makes errors.Is(e, errs.TooMany) true.
func (e *RetryError) Is(target error) bool { return target == TooMany }
