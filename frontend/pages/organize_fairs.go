package pages

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The organiser's fair pages (advisers and admins): plan a fair, invite
// initiatives, open and close it, and set up shared tables with their
// cashier. The fairs service decides who may change which fair.

func (s *Pages) routesOrganizeFairs(app fiber.Router) {
	app.Get("/asesoria/ferias", noStore, s.organizeFairsPage)
	app.Post("/asesoria/ferias", noStore, s.createFairFromPage)
	app.Get("/asesoria/ferias/:id", noStore, s.organizeFairPage)
	app.Post("/asesoria/ferias/:id/estado", noStore, s.transitionFairFromPage)
	app.Post("/asesoria/ferias/:id/invitar", noStore, s.inviteFromPage)
	app.Post("/asesoria/ferias/:id/mesas", noStore, s.addTableFromPage)
}

func organizePath(fairID string) string { return "/asesoria/ferias/" + fairID }

// organizer is the signed-in adviser or admin, or the answer to give.
func (s *Pages) organizer(c *fiber.Ctx) (*accounts.Principal, error) {
	p := kit.Principal(c)
	if p == nil {
		back := c.Path()
		if c.Method() != fiber.MethodGet {
			back = "/asesoria/ferias"
		}
		return nil, toSignIn(c, back)
	}
	if !fairs.CanOrganize(p) {
		return nil, fiber.ErrForbidden
	}
	return p, nil
}

type organizeFairsData struct {
	Fairs          []fairItem
	Municipalities []catalog.Municipality
	Form           *form
}

func (s *Pages) organizeFairsPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	return s.renderOrganizeFairs(c, fiber.StatusOK, newForm())
}

func (s *Pages) renderOrganizeFairs(c *fiber.Ctx, status int, f *form) error {
	list, err := s.Fairs.Current(c.UserContext())
	if err != nil {
		return err
	}
	d := organizeFairsData{Municipalities: catalog.Municipalities, Form: f}
	for _, sum := range list {
		d.Fairs = append(d.Fairs, fairItem{Summary: sum})
	}
	c.Locals(pageKey, "/asesoria/ferias")
	return s.render(c, status, "organize_fairs", "organize.title", d)
}

func (s *Pages) createFairFromPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	f := newForm()
	for _, k := range []string{"name", "municipality", "department", "venue", "starts_on", "ends_on"} {
		f.Values[k] = c.FormValue(k)
	}
	fa, err := s.Fairs.Create(c.UserContext(), p, fairs.Input{Name: f.Val("name"), Municipality: f.Val("municipality"),
		Department: f.Val("department"), Venue: f.Val("venue"), StartsOn: f.Val("starts_on"), EndsOn: f.Val("ends_on")})
	if err == nil {
		return c.Redirect(organizePath(fa.ID)+"?aviso=feria-creada", fiber.StatusSeeOther)
	}
	l := s.tmpl.localizer(c)
	if status, ok := s.formError(c, l, f, err, "name", "municipality", "department", "venue", "starts_on", "ends_on"); ok {
		return s.renderOrganizeFairs(c, status, f)
	}
	return err
}

// organizeParticipant is an initiative at the fair, by name.
type organizeParticipant struct {
	ID, Name string
	Accepted bool
	Closed   bool
}

type organizeTable struct {
	ID, Name, Cashier string
	Initiatives       []string
}

type organizeFairData struct {
	Fair         fairItem
	Manage       bool
	Participants []organizeParticipant
	Invitable    []catalog.Initiative
	Tables       []organizeTable
	Next         string // the status it may move to, or ""
	Form         *form
	Failed       string // which form failed: "invite", "table"
}

func (s *Pages) organizeFairPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	return s.renderOrganizeFair(c, fiber.StatusOK, p, "", newForm())
}

func (s *Pages) renderOrganizeFair(c *fiber.Ctx, status int, p *accounts.Principal, failed string, f *form) error {
	ctx := c.UserContext()
	fa, err := s.Fairs.Fair(ctx, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	all, err := s.Catalog.Initiatives(ctx, catalog.InitiativeFilter{})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, in := range all {
		names[in.ID] = in.Name
	}
	d := organizeFairData{Fair: fairItemOf(fa), Manage: p.IsAdmin() || fa.OrganizedBy == p.UserID, Form: f, Failed: failed}
	switch fa.Status {
	case fairs.StatusPlanned:
		d.Next = fairs.StatusOpen
	case fairs.StatusOpen:
		d.Next = fairs.StatusClosed
	}
	for _, pt := range fa.List() {
		d.Participants = append(d.Participants, organizeParticipant{ID: pt.InitiativeID, Name: names[pt.InitiativeID],
			Accepted: pt.Status == fairs.Accepted, Closed: fa.Closings[pt.InitiativeID] != nil})
	}
	for _, in := range all {
		if _, there := fa.Participants[in.ID]; !there && in.Active {
			d.Invitable = append(d.Invitable, in)
		}
	}
	for _, t := range fa.TableList() {
		ot := organizeTable{ID: t.ID, Name: t.Name, Cashier: t.CashierID}
		if u, err := s.Accounts.User(ctx, accounts.System, t.CashierID); err == nil {
			ot.Cashier = u.Name
		}
		for _, id := range t.Initiatives {
			ot.Initiatives = append(ot.Initiatives, names[id])
		}
		d.Tables = append(d.Tables, ot)
	}
	c.Locals(pageKey, organizePath(fa.ID))
	return s.render(c, status, "organize_fair", "organize.fair.title", d)
}

func (s *Pages) transitionFairFromPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	to := c.FormValue("to")
	if _, err := s.Fairs.Transition(c.UserContext(), p, c.Params("id"), to); err != nil {
		if errors.Is(err, errs.Conflict) || errors.Is(err, errs.Invalid) {
			f := newForm()
			f.Error = s.tmpl.localizer(c).T("organize.error.transition")
			return s.renderOrganizeFair(c, fiber.StatusConflict, p, "status", f)
		}
		return err
	}
	return c.Redirect(organizePath(c.Params("id"))+"?aviso=feria-"+url.QueryEscape(to), fiber.StatusSeeOther)
}

func (s *Pages) inviteFromPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	if _, err := s.Fairs.Invite(c.UserContext(), p, c.Params("id"), c.FormValue("initiative_id")); err != nil {
		var ve *errs.ValidationError
		if errors.As(err, &ve) || errors.Is(err, errs.Conflict) {
			f := newForm()
			f.Error = s.tmpl.localizer(c).T("organize.error.invite")
			return s.renderOrganizeFair(c, fiber.StatusUnprocessableEntity, p, "invite", f)
		}
		return err
	}
	return c.Redirect(organizePath(c.Params("id"))+"?aviso=iniciativa-invitada#participantes", fiber.StatusSeeOther)
}

func (s *Pages) addTableFromPage(c *fiber.Ctx) error {
	p, err := s.organizer(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	f.Values["name"], f.Values["cashier_email"] = c.FormValue("name"), c.FormValue("cashier_email")
	f.Multi["initiative_ids"] = formValues(c, "initiative_ids")
	in := fairs.TableInput{Name: f.Val("name"), Initiatives: f.Multi["initiative_ids"]}
	if u, err := s.Accounts.UserByEmail(c.UserContext(), f.Val("cashier_email")); err == nil {
		in.CashierID = u.ID
	} else if errors.Is(err, errs.NotFound) || f.Val("cashier_email") == "" {
		f.Errors["cashier_email"] = l.T("organize.error.cashier")
		f.Error = l.T("form.error.summary")
		return s.renderOrganizeFair(c, fiber.StatusUnprocessableEntity, p, "table", f)
	} else {
		return err
	}
	_, err = s.Fairs.AddTable(c.UserContext(), p, c.Params("id"), in)
	if err == nil {
		return c.Redirect(organizePath(c.Params("id"))+"?aviso=mesa-creada#mesas", fiber.StatusSeeOther)
	}
	if status, ok := s.formError(c, l, f, err, "name"); ok {
		return s.renderOrganizeFair(c, status, p, "table", f)
	}
	return err
}
