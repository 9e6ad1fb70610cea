package api

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// Content types of the exports.
const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func (s *API) routesExports(api fiber.Router) {
	api.Get("/exports/sessions", s.exportSessions)
}

// exportSessions is GET /api/v1/exports/sessions?from=&to=&format=csv|xlsx:
// the sessions of a period, for admins and advisers, as a download.
func (s *API) exportSessions(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if !p.IsAdmin() && !p.Has(accounts.RoleAdviser) {
		return fmt.Errorf("export sessions: %w", errs.Forbidden)
	}
	var fe errs.Fields
	day := func(field string) time.Time {
		raw := c.Query(field)
		if raw == "" {
			fe.Add(field, errs.CodeRequired, "required, as YYYY-MM-DD")
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			fe.Add(field, errs.CodeInvalid, fmt.Sprintf("%q is not YYYY-MM-DD", raw))
		}
		return t
	}
	from, to := day("from"), day("to")
	format := c.Query("format", "csv")
	if format != "csv" && format != "xlsx" {
		fe.Add("format", errs.CodeUnknown, "must be csv or xlsx")
	}
	if len(fe) == 0 && to.Before(from) {
		fe.Add("to", errs.CodeNotAllowed, "must not be before from")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := s.Mentoring.Export(ctx, p, from, to, func(id string) (string, string, error) {
		in, err := s.Catalog.Initiative(ctx, id)
		return in.Municipality, in.Department, err
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	write, mime := mentoring.WriteCSV, mimeCSV
	if format == "xlsx" {
		write, mime = mentoring.WriteXLSX, mimeXLSX
	}
	if err := write(&buf, r); err != nil {
		return err
	}
	name := fmt.Sprintf("sesiones_%s_%s.%s", from.Format(time.DateOnly), to.Format(time.DateOnly), format)
	if len(r.Problems) > 0 { // the rest is exported; the workbook lists them in its own sheet
		c.Set("X-Export-Problems", strconv.Itoa(len(r.Problems)))
	}
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
