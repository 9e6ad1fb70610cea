package kit

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/errs"
)

func TestToProblemMapsEveryKind(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantType   string
	}{
		{fmt.Errorf("product 1: %w", errs.NotFound), 404, "/problems/not-found"},
		{errs.Fields{{Field: "name", Message: "required"}}.Err(), 422, "/problems/invalid"},
		{fmt.Errorf("x: %w", errs.Conflict), 409, "/problems/conflict"},
		{fmt.Errorf("x: %w", errs.Forbidden), 403, "/problems/forbidden"},
		{fmt.Errorf("x: %w", errs.Unauthenticated), 401, "/problems/unauthenticated"},
		{fmt.Errorf("x: %w", errs.Locked), 423, "/problems/locked"},
		{fmt.Errorf("x: %w", errs.Unavailable), 503, "/problems/unavailable"},
		{fmt.Errorf("x: %w", errs.TooLarge), 413, "/problems/too-large"},
		{fmt.Errorf("x: %w", errs.Unsupported), 415, "/problems/unsupported-media-type"},
		{fmt.Errorf("x: %w", errs.TooMany), 429, "/problems/too-many-requests"},
		{fiber.ErrNotFound, 404, "/problems/not-found"},
		{fiber.NewError(400, "malformed JSON at byte 3"), 400, "/problems/bad-request"},
		{errors.New("secret database password in message"), 500, "/problems/internal"},
	}
	for _, tt := range tests {
		t.Run(tt.wantType, func(t *testing.T) {
			p, _ := ToProblem(tt.err)
			if p.Status != tt.wantStatus || p.Type != tt.wantType {
				t.Fatalf("got %d %s, want %d %s", p.Status, p.Type, tt.wantStatus, tt.wantType)
			}
			if p.Status == 500 && strings.Contains(p.Detail+p.Title, "secret") {
				t.Fatalf("internal error leaked its cause: %+v", p)
			}
		})
	}
	if len(kindStatus) != 10 {
		t.Fatalf("kindStatus has %d kinds, want all 10 kinds of errs mapped", len(kindStatus))
	}
	// One title per status, whoever raised the error (item of the structure issue).
	for _, tt := range []struct {
		a, b error
	}{
		{fiber.ErrNotFound, errs.NotFound}, {fiber.ErrRequestEntityTooLarge, errs.TooLarge}, {fiber.ErrUnauthorized, errs.Unauthenticated},
		{fiber.ErrTooManyRequests, errs.TooMany}, {fiber.ErrUnsupportedMediaType, errs.Unsupported}, {fiber.ErrForbidden, errs.Forbidden},
	} {
		pa, _ := ToProblem(tt.a)
		pb, _ := ToProblem(tt.b)
		if pa.Title != pb.Title || pa.Type != pb.Type || pa.Status != pb.Status {
			t.Errorf("%v gives %s %q, %v gives %s %q: want the same", tt.a, pa.Type, pa.Title, tt.b, pb.Type, pb.Title)
		}
	}
}
