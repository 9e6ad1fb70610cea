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
	for _, base := range []string{"/mi-iniciativa/:id/progreso", "/asesoria/iniciativas/:id/progreso"} {
		app.Post(base+"/hitos/:code/soporte", noStore, s.submitEvidenceFromPage)
		app.Post(base+"/hitos/:code/revision", noStore, s.reviewEvidenceFromPage)
		app.Post(base+"/meta", noStore, s.setTargetFromPage)
	}
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
			ch.Milestones = append(ch.Milestones, sessionMark{X: i*slot + slot/2, Title: monthName(l.Lang, m.ReachedOn) + " · " + m.Name(l.Lang)})
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
	Base       string
	Milestones []milestoneView
	Target     *progress.Target // the one in force
	Guide      bool             // sets the target, reviews evidence
	Today      string
	Problem    string
}

func (s *Pages) progressPage(c *fiber.Ctx) error {
	return s.renderProgress(c, fiber.StatusOK, "")
}

// renderProgress shows the page, with problem (already in the reader's
// language) over the milestones when a form there failed.
func (s *Pages) renderProgress(c *fiber.Ctx, status int, problem string) error {
	p, in, err := s.signedInInitiative(c)
	if p == nil {
		return err
	}
	ctx := c.UserContext()
	pr, err := s.Progress.Progress(ctx, p, in.ID, "", "")
	if err != nil {
		return err
	}
	l := s.tmpl.localizer(c)
	d := progressData{Initiative: in, Progress: pr, Producer: strings.HasPrefix(c.Path(), "/mi-iniciativa/"),
		Base: progressPath(c.Path(), in.ID), Guide: progress.CanGuide(p, in.ID), Today: time.Now().In(colombia.Zone).Format(time.DateOnly),
		Problem: problem}
	for _, m := range pr.Milestones {
		d.Milestones = append(d.Milestones, milestoneView{Milestone: m, Name: milestoneName(l, m.Definition)})
	}
	if len(pr.Targets) > 0 {
		d.Target = &pr.Targets[len(pr.Targets)-1]
	}
	for i := len(pr.Sessions) - 1; i >= 0 && len(d.Sessions) < sessionsListed; i-- {
		d.Sessions = append(d.Sessions, pr.Sessions[i])
	}
	if mentoring.CanReadInitiative(p, in.ID) {
		if d.Open, d.Overdue, err = s.openAgreements(c, p, in.ID); err != nil {
			return err
		}
	}
	d.Chart = newSalesChart(l, pr.Months, pr.Sessions, pr.Milestones)
	for i := len(pr.Months) - 1; i >= 0 && len(d.Recent) < 12; i-- {
		d.Recent = append(d.Recent, pr.Months[i])
	}
	return s.render(c, status, "progress", "progress.title", d)
}

// progressPath is the page's own path (the producer's or the adviser's).
func progressPath(path, initiativeID string) string {
	if strings.HasPrefix(path, "/mi-iniciativa/") {
		return "/mi-iniciativa/" + initiativeID + "/progreso"
	}
	return "/asesoria/iniciativas/" + initiativeID + "/progreso"
}

// milestoneView is a milestone as the page lists it.
type milestoneView struct {
	progress.Milestone
	Name string
}

// milestoneName is the definition's name in the reader's language.
func milestoneName(l *loc, d progress.Definition) string { return d.Name(l.Lang) }

// submitEvidenceFromPage keeps the file a producer or adviser sent for a
// manual milestone.
func (s *Pages) submitEvidenceFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	l := s.tmpl.localizer(c)
	id, code := c.Params("id"), c.Params("code")
	if !progress.CanSeeProgress(p, id) {
		return fiber.ErrForbidden
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderProgress(c, fiber.StatusUnprocessableEntity, l.T("progress.evidence.error.file"))
	}
	up, err := kit.PrepareAttachment(fh)
	if err == nil {
		_, err = s.Progress.SubmitEvidence(c.UserContext(), p, id, code, c.FormValue("date"), *up)
	}
	return s.afterMilestoneForm(c, l, err, "hito-enviado")
}

// reviewEvidenceFromPage verifies or rejects a milestone's evidence.
func (s *Pages) reviewEvidenceFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	l := s.tmpl.localizer(c)
	_, err := s.Progress.ReviewEvidence(c.UserContext(), p, c.Params("id"), c.Params("code"), c.FormValue("evidence_id"),
		c.FormValue("decision"), c.FormValue("note"))
	return s.afterMilestoneForm(c, l, err, "hito-revisado")
}

// setTargetFromPage sets the monthly sales target (whole pesos).
func (s *Pages) setTargetFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	l := s.tmpl.localizer(c)
	n, msg := parseWhole(c.FormValue("amount"))
	if msg != "" || n <= 0 {
		return s.renderProgress(c, fiber.StatusUnprocessableEntity, l.T("progress.target.error"))
	}
	_, err := s.Progress.SetTarget(c.UserContext(), p, c.Params("id"), money.Pesos(n))
	return s.afterMilestoneForm(c, l, err, "meta-guardada")
}

// afterMilestoneForm goes back to the page with the notice, or shows it
// again with what went wrong.
func (s *Pages) afterMilestoneForm(c *fiber.Ctx, l *loc, err error, notice string) error {
	base := progressPath(c.Path(), c.Params("id"))
	switch {
	case err == nil:
		return c.Redirect(base+"?aviso="+notice+"#hitos", fiber.StatusSeeOther)
	case errors.Is(err, errs.Forbidden):
		return fiber.ErrForbidden
	case errors.Is(err, errs.NotFound):
		return fiber.ErrNotFound
	case errors.Is(err, errs.TooLarge):
		return s.renderProgress(c, fiber.StatusRequestEntityTooLarge, l.T("progress.evidence.error.large"))
	case errors.Is(err, errs.Unsupported):
		return s.renderProgress(c, fiber.StatusUnsupportedMediaType, l.T("progress.evidence.error.kind"))
	case errors.Is(err, errs.Conflict):
		return s.renderProgress(c, fiber.StatusConflict, l.T("progress.evidence.error.replaced"))
	}
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		key := "progress.milestone.error." + ve.Fields[0].Field
		return s.renderProgress(c, fiber.StatusUnprocessableEntity, l.T(key))
	}
	return err
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

// signedInInitiative answers the signed-in visitor and the initiative of
// the path (404 when there is none), or the answer for an anonymous one.
func (s *Pages) signedInInitiative(c *fiber.Ctx) (*accounts.Principal, catalog.Initiative, error) {
	p := kit.Principal(c)
	if p == nil {
		return nil, catalog.Initiative{}, toSignIn(c, c.Path())
	}
	in, err := s.Catalog.Initiative(c.UserContext(), c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return nil, in, fiber.ErrNotFound
	}
	if err != nil {
		return nil, in, err
	}
	return p, in, nil
}
