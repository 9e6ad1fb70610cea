package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// DecodeJSON reads a JSON body into v strictly: the content type must be JSON,
// the body one object of known fields, at most JSONLimit bytes. Errors are 400
// (malformed), 413 (too large) or 415 (not JSON), each with a helpful detail.
func DecodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the body as application/json")
	}
	body := c.Body()
	if len(body) > JSONLimit {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("JSON bodies are limited to %d bytes", JSONLimit))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, JSONProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fiber.NewError(fiber.StatusBadRequest, "the body must hold a single JSON value")
	}
	return nil
}

// JSONProblem explains a decoding error without echoing the body.
func JSONProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	default:
		return "malformed JSON"
	}
}

const JSONLimit = 1 << 20
