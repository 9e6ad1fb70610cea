package errs

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestKindOf(t *testing.T) {
	var f Fields
	f.Add("email", CodeTaken, "is already registered")
	tests := []struct {
		name string
		err  error
		want *Kind
	}{
		{"nil", nil, nil},
		{"unknown", errors.New("boom"), nil},
		{"wrapped", fmt.Errorf("product 7: %w", NotFound), NotFound},
		{"validation is invalid", f.Err(), Invalid},
		{"conflict with fields stays a conflict", fmt.Errorf("%w: %w", f.Err(), Conflict), Conflict},
		{"retry is too many", &RetryError{What: "login", After: time.Minute}, TooMany},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if (Fields{}).Err() != nil {
		t.Error("no fields: got an error, want nil")
	}
	var ve *ValidationError
	if !errors.As(fmt.Errorf("x: %w", f.Err()), &ve) || ve.Fields[0].Field != "email" {
		t.Error("validation error lost its fields when wrapped")
	}
}

func TestFieldErrorsCarryCodeAndParams(t *testing.T) {
	var f Fields
	f.Add("name", CodeOutOfRange, "must have between 2 and 100 characters", "min", 2, "max", 100)
	f.Add("email", CodeRequired, "required")
	if got := f[0]; got.Code != CodeOutOfRange || got.Params["min"] != 2 || got.Params["max"] != 100 || got.Message == "" {
		t.Fatalf("field error: %+v", got)
	}
	if f[1].Params != nil {
		t.Fatalf("no params: got %v, want nil", f[1].Params)
	}
}
