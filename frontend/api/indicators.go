package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/progress"
)

// The donor's indicators for a period and the donor report; admins edit
// the logframe (baselines, targets, manual values). The progress service
// decides who may.

func (s *API) routesIndicators(api fiber.Router) {
	api.Get("/indicators", s.indicators)
	api.Get("/indicators/definitions", s.indicatorDefinitions)
	api.Post("/indicators", s.addIndicator)
	api.Patch("/indicators/:code", s.updateIndicator)
	api.Put("/indicators/:code/values/:period", s.setIndicatorValue)
	api.Get("/reports/donor", s.donorReport)
}

func (s *API) indicatorReport(c *fiber.Ctx) (progress.IndicatorReport, error) {
	p, err := kit.RequireUser(c)
	if err != nil {
		return progress.IndicatorReport{}, err
	}
	period := c.Query("period")
	if period == "" {
		period = progress.CurrentQuarter(time.Now())
	}
	return s.Progress.Indicators(c.UserContext(), p, period)
}

func (s *API) indicators(c *fiber.Ctx) error {
	r, err := s.indicatorReport(c)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *API) indicatorDefinitions(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	defs, err := s.Progress.IndicatorDefinitions(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": defs})
}

func (s *API) addIndicator(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in progress.IndicatorInput) (any, error) {
		return s.Progress.AddIndicator(c.UserContext(), p, in)
	})
}

func (s *API) updateIndicator(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in progress.IndicatorInput) (any, error) {
		return s.Progress.UpdateIndicator(c.UserContext(), p, c.Params("code"), in)
	})
}

func (s *API) setIndicatorValue(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Value int64  `json:"value"`
		Note  string `json:"note"`
	}) (any, error) {
		return s.Progress.SetIndicatorValue(c.UserContext(), p, c.Params("code"), c.Params("period"), in.Value, in.Note)
	})
}

// donorReport sends the report of a period as XLSX (default) or CSV, in
// the reader's language.
func (s *API) donorReport(c *fiber.Ctx) error {
	format := c.Query("format", "xlsx")
	if format != "xlsx" && format != "csv" {
		var fe errs.Fields
		fe.Add("format", errs.CodeUnknown, "must be xlsx or csv", "allowed", []string{"xlsx", "csv"})
		return fe.Err()
	}
	r, err := s.indicatorReport(c)
	if err != nil {
		return err
	}
	words := progress.ReportWords{Lang: "es", T: func(k string) string { return k }, Stage: func(v string) string { return v }, Topic: func(v string) string { return v }}
	if s.ReportWords != nil {
		words = s.ReportWords(c)
	}
	name := "informe-donante-" + r.Period + "." + format
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentDisposition, kit.ContentDisposition("attachment", name))
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		return progress.WriteDonorCSV(c, r, words)
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return progress.WriteDonorXLSX(c, r, words)
}
