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

// FieldError is one invalid input field; Message is a message key or English text.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

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

// Add records a problem with field.
func (f *Fields) Add(field, message string) { *f = append(*f, FieldError{field, message}) }

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
