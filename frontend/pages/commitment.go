package pages

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/programme"
)

// The child-labour-free commitment ("Todo tiene su tiempo"): what it means
// for anyone; the initiative's page to sign it (producers) and to verify or
// suspend it (advisers), with its history. Notes and reasons are shown to
// advisers and admins only; the programme service decides.

func (s *Pages) routesCommitment(app fiber.Router) {
	app.Get("/todo-tiene-su-tiempo", s.commitmentAboutPage)
	for _, base := range []string{"/mi-iniciativa/:id/compromiso", "/asesoria/iniciativas/:id/compromiso"} {
		app.Get(base, noStore, s.commitmentPage)
		app.Post(base, noStore, s.signCommitmentFromPage)
		app.Post(base+"/verificar", noStore, s.verifyCommitmentFromPage)
		app.Post(base+"/suspender", noStore, s.suspendCommitmentFromPage)
	}
}

func (s *Pages) commitmentAboutPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "commitment_about", "commitment.about.title",
		struct{ Text string }{programme.CommitmentText[programme.CurrentTextVersion]})
}

type commitmentData struct {
	Initiative catalog.Initiative
	Commitment *programme.Commitment
	Members    []catalog.Member
	Text       string
	Base       string
	Guide      bool // verifies and suspends
	Today      string
	Problem    string
	Lapse      int
}

func commitmentPath(path, id string) string {
	if strings.HasPrefix(path, "/mi-iniciativa/") {
		return "/mi-iniciativa/" + id + "/compromiso"
	}
	return "/asesoria/iniciativas/" + id + "/compromiso"
}

func (s *Pages) commitmentPage(c *fiber.Ctx) error { return s.renderCommitment(c, fiber.StatusOK, "") }

func (s *Pages) renderCommitment(c *fiber.Ctx, status int, problem string) error {
	p, in, err := s.signedInInitiative(c)
	if p == nil {
		return err
	}
	ctx := c.UserContext()
	cm, err := s.Commitments.Get(ctx, p, in.ID)
	if err != nil {
		return err
	}
	d := commitmentData{Initiative: in, Commitment: cm, Text: programme.CommitmentText[programme.CurrentTextVersion],
		Base: commitmentPath(c.Path(), in.ID), Guide: programme.CanVerify(p, in.ID), Problem: problem,
		Today: time.Now().In(colombia.Zone).Format(time.DateOnly), Lapse: s.Commitments.Lapse()}
	if d.Members, err = s.Catalog.Members(ctx, p, in.ID); err != nil && !errors.Is(err, errs.Forbidden) {
		return err
	}
	return s.render(c, status, "commitment", "commitment.title", d)
}

func (s *Pages) signCommitmentFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	_, err := s.Commitments.Sign(c.UserContext(), p, c.Params("id"), c.FormValue("member_id"), c.FormValue("signed_on"))
	return s.afterCommitmentForm(c, err, "compromiso-firmado")
}

func (s *Pages) verifyCommitmentFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	_, err := s.Commitments.Verify(c.UserContext(), p, c.Params("id"), c.FormValue("date"), "", c.FormValue("note"))
	return s.afterCommitmentForm(c, err, "compromiso-verificado")
}

func (s *Pages) suspendCommitmentFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.Path())
	}
	_, err := s.Commitments.Suspend(c.UserContext(), p, c.Params("id"), c.FormValue("reason"))
	return s.afterCommitmentForm(c, err, "compromiso-suspendido")
}

func (s *Pages) afterCommitmentForm(c *fiber.Ctx, err error, notice string) error {
	l := s.tmpl.localizer(c)
	var ve *errs.ValidationError
	switch {
	case err == nil:
		return c.Redirect(commitmentPath(c.Path(), c.Params("id"))+"?aviso="+notice, fiber.StatusSeeOther)
	case errors.Is(err, errs.Forbidden):
		return fiber.ErrForbidden
	case errors.Is(err, errs.Conflict):
		return s.renderCommitment(c, fiber.StatusConflict, l.T("commitment.error.unsigned"))
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		return s.renderCommitment(c, fiber.StatusUnprocessableEntity, l.T("commitment.error."+ve.Fields[0].Field))
	}
	return err
}
