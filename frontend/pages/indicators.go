package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// The donor's indicators of a period on a phone: each with its baseline,
// target, actual and percent of the target, its disaggregations folded
// under it, the donor report to download; admins set the period's target,
// the baseline, and the actuals of manual indicators here.

func (s *Pages) routesIndicators(app fiber.Router) {
	app.Get("/asesoria/indicadores", noStore, s.indicatorsPage)
	app.Post("/asesoria/indicadores/:code", noStore, s.updateIndicatorFromPage)
}

type indicatorRow struct {
	progress.Indicator
	Name   string
	Groups []indicatorGroup
}

type indicatorGroup struct {
	Dimension string
	Cells     []indicatorCell
}

type indicatorCell struct {
	Name  string
	Value int64
}

type indicatorsData struct {
	Period  string
	Periods []string
	Rows    []indicatorRow
	Report  progress.IndicatorReport
	Admin   bool
	Problem string
}

// periodChoices are the quarters of this year and the last, and both years.
func periodChoices(now time.Time) []string {
	y := now.In(colombia.Zone).Year()
	var out []string
	for _, year := range []int{y, y - 1} {
		for q := 4; q >= 1; q-- {
			out = append(out, fmt.Sprintf("%d-Q%d", year, q))
		}
		out = append(out, strconv.Itoa(year))
	}
	return out
}

func (s *Pages) indicatorsPage(c *fiber.Ctx) error {
	return s.renderIndicators(c, fiber.StatusOK, c.Query("periodo"), "")
}

func (s *Pages) renderIndicators(c *fiber.Ctx, status int, period, problem string) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/asesoria/indicadores")
	}
	if period == "" {
		period = progress.CurrentQuarter(time.Now())
	}
	r, err := s.Progress.Indicators(c.UserContext(), p, period)
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		return fiber.ErrNotFound // a period the page never links to
	}
	if err != nil {
		return err
	}
	l := s.tmpl.localizer(c)
	words := s.ReportWords(c)
	d := indicatorsData{Period: r.Period, Periods: periodChoices(time.Now()), Report: r, Admin: p.IsAdmin(), Problem: problem}
	for _, ind := range r.Indicators {
		row := indicatorRow{Indicator: ind, Name: ind.NameES}
		if l.Lang == "en" {
			row.Name = ind.NameEN
		}
		for _, dim := range progress.Dimensions {
			values, ok := ind.Disaggregations[dim]
			if !ok {
				continue
			}
			g := indicatorGroup{Dimension: dim}
			for _, cat := range progress.DimensionCategories(r, dim) {
				g.Cells = append(g.Cells, indicatorCell{Name: progress.CategoryName(words, dim, cat), Value: values[cat]})
			}
			row.Groups = append(row.Groups, g)
		}
		d.Rows = append(d.Rows, row)
	}
	c.Locals(pageKey, "/asesoria/indicadores")
	return s.render(c, status, "indicators", "indicators.title", d)
}

// updateIndicatorFromPage saves what an admin wrote for an indicator: the
// period's target, the baseline, a manual actual with its note.
func (s *Pages) updateIndicatorFromPage(c *fiber.Ctx) error {
	p, err := admin(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	code, period := c.Params("code"), c.FormValue("period")
	number := func(field string) (*int64, bool) {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return nil, true
		}
		n, msg := parseWhole(v)
		if msg != "" || n < 0 {
			return nil, false
		}
		if c.FormValue("unit") == progress.UnitCOP {
			n *= 100 // pesos written, minor units kept
		}
		return &n, true
	}
	target, ok1 := number("target")
	baseline, ok2 := number("baseline")
	actual, ok3 := number("actual")
	if !ok1 || !ok2 || !ok3 {
		return s.renderIndicators(c, fiber.StatusUnprocessableEntity, period, l.T("indicators.error.number"))
	}
	in := progress.IndicatorInput{}
	if target != nil {
		in.Targets = map[string]*int64{period: target}
	}
	if baseline != nil {
		in.Baseline = &progress.Baseline{Value: *baseline, Date: c.FormValue("baseline_date")}
	}
	if in.Targets != nil || in.Baseline != nil {
		if _, err = s.Progress.UpdateIndicator(c.UserContext(), p, code, in); err != nil {
			return s.afterIndicatorForm(c, l, period, err)
		}
	}
	if actual != nil {
		if _, err = s.Progress.SetIndicatorValue(c.UserContext(), p, code, period, *actual, c.FormValue("note")); err != nil {
			return s.afterIndicatorForm(c, l, period, err)
		}
	}
	return c.Redirect("/asesoria/indicadores?periodo="+period+"&aviso=indicador-guardado", fiber.StatusSeeOther)
}

func (s *Pages) afterIndicatorForm(c *fiber.Ctx, l *loc, period string, err error) error {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return s.renderIndicators(c, fiber.StatusUnprocessableEntity, period, l.T("indicators.error."+strings.ReplaceAll(ve.Fields[0].Field, ".", "_")))
	}
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	return err
}

// ReportWords name the donor report's words as the pages do, in the
// request's language.
func (s *Pages) ReportWords(c *fiber.Ctx) progress.ReportWords {
	l := s.tmpl.localizer(c)
	return progress.ReportWords{Lang: l.Lang,
		T:     func(k string) string { return l.T(k) },
		Stage: func(v string) string { return l.T("progress.stage." + v) },
		Topic: func(v string) string { return l.T("advice.topic." + v) }}
}

// indicatorValue writes an indicator's value (int64 or *int64) in its
// unit: pesos for amounts, plain numbers for the rest.
func indicatorValue(unit string, v any) string {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case *int64:
		if x == nil {
			return "—"
		}
		n = *x
	}
	if unit == progress.UnitCOP {
		return money.Money{Amount: n, Currency: money.COP}.String()
	}
	return groupThousands(n)
}

// groupThousands writes 12345 as "12.345", as Colombians do.
func groupThousands(n int64) string {
	s := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// periodName writes "2026-Q3" as "3.er trimestre de 2026" ("Q3 2026") and
// a year as itself.
func periodName(lang, period string) string {
	year, q, ok := strings.Cut(period, "-Q")
	if !ok {
		return period
	}
	if lang == "en" {
		return "Q" + q + " " + year
	}
	ordinal := map[string]string{"1": "1.er", "2": "2.º", "3": "3.er", "4": "4.º"}[q]
	return ordinal + " trimestre de " + year
}
