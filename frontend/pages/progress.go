package pages

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// An initiative's "¿cómo vamos?": 24 months of sales as a chart drawn here,
// with the advisory sessions marked on the same time axis, the margin of
// each month, and its open and overdue agreements. Producers reach it from
// their initiative, advisers from their portfolio; the progress service
// decides who may see it.

func (s *Pages) routesProgress(app fiber.Router) {
	app.Get("/mi-iniciativa/:id/progreso", noStore, s.progressPage)
	app.Get("/asesoria/iniciativas/:id/progreso", noStore, s.progressPage)
}

// salesChart is the bar chart of months with session markers under it.
type salesChart struct {
	Bars       []salesBar
	Sessions   []sessionMark
	Milestones []sessionMark // a star above the month each was reached
	Label      string
	Max        money.Money
}

type salesBar struct {
	X, Y, W, H int
	Month      string // "ene" under the first month of each quarter, else ""
	Title      string // "ene 2026 · $ 120.000"
}

type sessionMark struct {
	X     int
	Title string // "12/01/2026 · Contabilidad, Mercadeo"
}

// Geometry: 24 slots of 13 px in a 320-wide box, bars standing on y=120,
// session markers at y=134, month names at y=150.
const (
	progressW, progressBase, progressTop = 320, 120, 8
	progressSlot                         = progressW / 24
)

var shortMonths = map[string][]string{
	"es": {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},
	"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

func newSalesChart(l *loc, months []progress.MonthFigures, sessions []progress.SessionMark, reached []progress.Milestone) salesChart {
	var ch salesChart
	var top int64
	for _, m := range months {
		top = max(top, m.Amount.Amount)
	}
	ch.Max = money.Money{Amount: top, Currency: money.COP}
	names := shortMonths[l.Lang]
	if names == nil {
		names = shortMonths["es"]
	}
	slot := progressW / max(1, len(months))
	index := map[string]int{}
	for i, m := range months {
		index[m.Month] = i
		h := 0
		if top > 0 && m.Amount.Amount > 0 {
			h = max(1, int(m.Amount.Amount*(progressBase-progressTop)/top))
		}
		t, _ := time.Parse("2006-01", m.Month)
		b := salesBar{X: i*slot + 1, Y: progressBase - h, W: slot - 2, H: h,
			Title: fmt.Sprintf("%s %d · %s", names[t.Month()-1], t.Year(), m.Amount)}
		if (t.Month()-1)%3 == 0 {
			b.Month = names[t.Month()-1]
		}
		ch.Bars = append(ch.Bars, b)
	}
	for _, sess := range sessions {
		d := sess.Date.In(colombia.Zone)
		i, ok := index[d.Format("2006-01")]
		if !ok {
			continue
		}
		x := i*slot + (d.Day()-1)*slot/31
		var topics []string
		for _, t := range sess.Topics {
			topics = append(topics, l.T("advice.topic."+t))
		}
		ch.Sessions = append(ch.Sessions, sessionMark{X: x + 1, Title: sess.Date.Format(dayLayout) + " · " + strings.Join(topics, ", ")})
	}
	for _, m := range reached {
		if i, ok := index[m.ReachedOn]; ok && m.ReachedOn != "" {
			ch.Milestones = append(ch.Milestones, sessionMark{X: i*slot + slot/2, Title: monthName(l.Lang, m.ReachedOn) + " · " + l.T("milestone."+m.Code, "N", m.N)})
		}
	}
	ch.Label = l.T("progress.chart.label", "Months", len(months), "Sessions", len(ch.Sessions))
	return ch
}

// sessionsListed bounds the sessions listed under the chart (the chart
// marks all of them).
const sessionsListed = 12

type progressData struct {
	Initiative catalog.Initiative
	Progress   progress.Progress
	Chart      salesChart
	Recent     []progress.MonthFigures // the last 12 months, newest first
	Sessions   []progress.SessionMark  // the newest within the chart's months, newest first
	Open       []mentoring.Agreement
	Overdue    int
	Producer   bool // the page of the producer (links to the cashbook)
}

func (s *Pages) progressPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	ctx := c.UserContext()
	in, err := s.Catalog.Initiative(ctx, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	pr, err := s.Progress.Progress(ctx, p, in.ID, "", "")
	if err != nil {
		return err
	}
	d := progressData{Initiative: in, Progress: pr, Producer: strings.HasPrefix(c.Path(), "/mi-iniciativa/")}
	for i := len(pr.Sessions) - 1; i >= 0 && len(d.Sessions) < sessionsListed; i-- {
		d.Sessions = append(d.Sessions, pr.Sessions[i])
	}
	if mentoring.CanReadInitiative(p, in.ID) {
		if d.Open, d.Overdue, err = s.openAgreements(c, p, in.ID); err != nil {
			return err
		}
	}
	l := s.tmpl.localizer(c)
	d.Chart = newSalesChart(l, pr.Months, pr.Sessions, pr.Milestones)
	for i := len(pr.Months) - 1; i >= 0 && len(d.Recent) < 12; i-- {
		d.Recent = append(d.Recent, pr.Months[i])
	}
	return s.render(c, fiber.StatusOK, "progress", "progress.title", d)
}

// openAgreements answers an initiative's open agreements, the first due
// first, and how many of them are overdue.
func (s *Pages) openAgreements(c *fiber.Ctx, p *accounts.Principal, initiativeID string) ([]mentoring.Agreement, int, error) {
	list, err := s.Mentoring.ListAgreements(c.UserContext(), p, mentoring.AgreementFilter{InitiativeID: initiativeID, Status: mentoring.StatusOpen})
	if err != nil {
		return nil, 0, err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	overdue := 0
	for _, a := range list {
		if a.Due.Before(today) {
			overdue++
		}
	}
	return list, overdue, nil
}

// monthName writes "2026-03" as "marzo de 2026" (es) or "March 2026" (en).
func monthName(lang, month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	if lang == "en" {
		return t.Format("January 2006")
	}
	es := []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	return es[t.Month()-1] + " de " + t.Format("2006")
}
