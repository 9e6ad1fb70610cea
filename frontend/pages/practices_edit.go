package pages

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// Corrections on a phone: a practice's texts (/practicas/{id}/editar), its
// withdrawal and its photos; an exchange's details
// (/asesoria/intercambios/{id}/editar) and its photos. Package programme
// decides who may.

type practiceEditData struct {
	Practice programme.Practice
	Form     *form
	Topics   []string
}

func (s *Pages) practiceEditPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	return s.renderPracticeEdit(c, fiber.StatusOK, p, nil)
}

// renderPracticeEdit shows the practice's form (f nil: its texts as they are).
func (s *Pages) renderPracticeEdit(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	pr, err := s.Practices.Practice(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	if !programme.CanShare(p, pr.InitiativeID) {
		return fiber.ErrForbidden
	}
	if f == nil {
		f = newForm()
		f.Values = map[string]string{"title": pr.Title, "topic": pr.Topic, "done": pr.Done, "changed": pr.Changed}
	}
	c.Locals(pageKey, practicePath(pr.ID))
	return s.render(c, status, "practice_edit", "practices.edit.title", practiceEditData{Practice: pr, Form: f, Topics: mentoring.Topics})
}

func (s *Pages) updatePracticeFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"title", "topic", "done", "changed"} {
		f.Values[k] = c.FormValue(k)
	}
	title, topic, done, changed := f.Val("title"), f.Val("topic"), f.Val("done"), f.Val("changed")
	_, err = s.Practices.UpdatePractice(c.UserContext(), p, c.Params("id"), programme.PracticeUpdate{Title: &title, Topic: &topic, Done: &done, Changed: &changed})
	if s.fieldErrors(s.tmpl.localizer(c), f, err) {
		return s.renderPracticeEdit(c, fiber.StatusUnprocessableEntity, p, f)
	}
	if err != nil {
		return err
	}
	return c.Redirect(practicePath(c.Params("id"))+"?aviso=practica-corregida", fiber.StatusSeeOther)
}

// removePracticeFromPage withdraws the practice; one another initiative
// applies stays, and the page says why.
func (s *Pages) removePracticeFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	err = s.Practices.RemovePractice(c.UserContext(), p, c.Params("id"))
	if errors.Is(err, errs.Conflict) {
		return s.renderPractice(c, fiber.StatusConflict, p, s.tmpl.localizer(c).T("practices.error.applied"))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/practicas?aviso=practica-retirada", fiber.StatusSeeOther)
}

func (s *Pages) removePracticePhotoFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	if err := s.Practices.RemovePhoto(c.UserContext(), p, c.Params("id"), c.Params("photo")); err != nil {
		return err
	}
	return c.Redirect(practicePath(c.Params("id"))+"?aviso=practica-foto-quitada", fiber.StatusSeeOther)
}

type exchangeEditData struct {
	exchangesData
	Exchange programme.Exchange
}

func (s *Pages) exchangeEditPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	return s.renderExchangeEdit(c, fiber.StatusOK, p, nil)
}

// renderExchangeEdit shows the exchange's form (f nil: its details as
// they are), with every initiative to choose from, the adviser's first.
func (s *Pages) renderExchangeEdit(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	ex, err := s.Practices.Exchange(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	if !programme.CanEditExchange(p, ex) {
		return fiber.ErrForbidden
	}
	all, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{})
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm()
		f.Values = map[string]string{"date": ex.Date, "municipality": ex.Municipality, "venue": ex.Venue, "notes": ex.Notes,
			"women": strconv.Itoa(ex.Participants.Women), "men": strconv.Itoa(ex.Participants.Men),
			"youth": strconv.Itoa(ex.Participants.Youth), "adults": strconv.Itoa(ex.Participants.Adults)}
		f.Multi["initiative"] = ex.InitiativeIDs
	}
	d := exchangeEditData{Exchange: ex, exchangesData: exchangesData{Places: catalog.Municipalities, Counters: []string{"women", "men", "youth", "adults"},
		Today: time.Now().In(colombia.Zone).Format(time.DateOnly), Form: f, Mine: map[string]bool{}, Initiatives: adviserFirst(p, all)}}
	for _, in := range all {
		d.Mine[in.ID] = p.Advises(in.ID)
	}
	c.Locals(pageKey, exchangePath(ex.ID))
	return s.render(c, status, "exchange_edit", "practices.exchange_edit.title", d)
}

func (s *Pages) updateExchangeFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f, in := exchangeForm(c)
	_, err = s.Practices.UpdateExchange(c.UserContext(), p, c.Params("id"), programme.ExchangeUpdate{Date: &in.Date, Municipality: &in.Municipality,
		Venue: &in.Venue, InitiativeIDs: &in.InitiativeIDs, Participants: &in.Participants, Notes: &in.Notes})
	if s.exchangeErrors(l, f, err) {
		return s.renderExchangeEdit(c, fiber.StatusUnprocessableEntity, p, f)
	}
	if errors.Is(err, errs.Forbidden) && advises(p) {
		if ex, xerr := s.Practices.Exchange(c.UserContext(), p, c.Params("id")); xerr == nil && programme.CanEditExchange(p, ex) {
			f.Errors["initiative"] = l.T("practices.error.not_yours")
			f.Error = l.T("form.error.summary")
			return s.renderExchangeEdit(c, fiber.StatusForbidden, p, f)
		}
	}
	if err != nil {
		return err
	}
	return c.Redirect(exchangePath(c.Params("id"))+"?aviso=intercambio-corregido", fiber.StatusSeeOther)
}

func (s *Pages) removeExchangePhotoFromPage(c *fiber.Ctx) error {
	p, err := s.browsing(c)
	if p == nil {
		return err
	}
	if err := s.Practices.RemoveExchangePhoto(c.UserContext(), p, c.Params("id"), c.Params("photo")); err != nil {
		return err
	}
	return c.Redirect(exchangePath(c.Params("id"))+"?aviso=intercambio-foto-quitada", fiber.StatusSeeOther)
}
