package frontend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

func (s *server) routesAPI(api fiber.Router) {
	api.Get("/initiatives", s.listInitiatives)
	api.Post("/initiatives", s.createInitiative)
	api.Get("/initiatives/:id", s.getInitiative)
	api.Patch("/initiatives/:id", s.updateInitiative)
}

func (s *server) createInitiative(c *fiber.Ctx) error {
	p, err := requireUser(c)
	if err != nil {
		return err
	}
	if !accounts.CanCreateInitiative(p) {
		return errs.Forbidden
	}
	var in catalog.InitiativeInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.Catalog.CreateInitiative(c.UserContext(), in)
	if err != nil {
		return err
	}
	if p.Has(accounts.RoleAdviser) {
		// The adviser who registers an initiative accompanies it.
		if err := s.Accounts.AssignInitiative(c.UserContext(), p.UserID, created.ID); err != nil {
			return err
		}
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "initiative_created",
		TargetKind: "initiative", TargetID: created.ID, IP: c.IP()})
	return c.Status(fiber.StatusCreated).JSON(created)
}

func (s *server) updateInitiative(c *fiber.Ctx) error {
	p, id, err := s.initiativeFor(c, accounts.CanEditInitiative)
	if err != nil {
		return err
	}
	var up catalog.InitiativeUpdate
	if err := decodeJSON(c, &up); err != nil {
		return err
	}
	updated, err := s.Catalog.UpdateInitiative(c.UserContext(), id, up)
	if err != nil {
		return err
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "initiative_updated",
		TargetKind: "initiative", TargetID: id, IP: c.IP()})
	return c.JSON(updated)
}

// listPage is the shape of every list answer.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageLimit reads ?limit= (default 20, at most 100).
func pageLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		var f errs.Fields
		f.Add("limit", errs.CodeOutOfRange, "must be a whole number from 1 to 100", "min", 1, "max", 100)
		return 0, f.Err()
	}
	return n, nil
}

func (s *server) listInitiatives(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	items, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{
		Municipality: c.Query("municipality"), Query: c.Query("q"),
		After: c.Query("cursor"), Limit: limit + 1, ActiveOnly: true,
	})
	if err != nil {
		return err
	}
	return c.JSON(paginate(items, limit, func(in catalog.Initiative) string { return in.ID }))
}

func (s *server) getInitiative(c *fiber.Ctx) error {
	in, err := s.Catalog.Initiative(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(in)
}

// decodeJSON reads a JSON body into v strictly: the content type must be JSON,
// the body one object of known fields, at most jsonLimit bytes. Errors are 400
// (malformed), 413 (too large) or 415 (not JSON), each with a helpful detail.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the body as application/json")
	}
	body := c.Body()
	if len(body) > jsonLimit {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("JSON bodies are limited to %d bytes", jsonLimit))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fiber.NewError(fiber.StatusBadRequest, "the body must hold a single JSON value")
	}
	return nil
}

// jsonProblem explains a decoding error without echoing the body.
func jsonProblem(err error) string {
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
