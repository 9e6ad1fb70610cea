package pages

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
)

// A shared table's hand-over on the pages: the cashier hands each
// initiative its cash (her page lists what each should get), and the
// initiative's producer confirms it on her closing page.

func (s *Pages) routesHandover(app fiber.Router) {
	app.Get("/feria/:id/mesa/:table/entrega", noStore, s.handoverPage)
	app.Post("/feria/:id/mesa/:table/entrega", noStore, s.handOverFromPage)
	app.Post("/mi-iniciativa/:id/ferias/:fair/mesas/:table/recibi", noStore, s.confirmHandoverFromPage)
}

func handoverPath(fairID, tableID string) string {
	return "/feria/" + fairID + "/mesa/" + tableID + "/entrega"
}

// handoverLine is an initiative's part of the table's cash.
type handoverLine struct {
	fairs.Handover
	Name   string
	Handed bool
	Form   *form
}

type handoverData struct {
	Fair     fairItem
	Cash     fairs.TableCash
	Lines    []handoverLine
	Received bool // every hand-over confirmed
	Hands    bool // the viewer hands the cash (the organiser only looks)
}

func (s *Pages) handoverPage(c *fiber.Ctx) error {
	if kit.Principal(c) == nil {
		return toSignIn(c, handoverPath(c.Params("id"), c.Params("table")))
	}
	return s.renderHandover(c, fiber.StatusOK, "", newForm())
}

func (s *Pages) renderHandover(c *fiber.Ctx, status int, failed string, f *form) error {
	ctx := c.UserContext()
	p := kit.Principal(c)
	fa, err := s.Fairs.Fair(ctx, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	cash, err := s.Fairs.TableCashOf(ctx, p, fa.ID, c.Params("table"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	hands := cash.Table.CashierID == p.UserID || p.IsAdmin()
	if !hands && fa.OrganizedBy != p.UserID {
		return fiber.ErrForbidden // producers confirm on their closing page
	}
	d := handoverData{Fair: fairItemOf(fa), Cash: cash, Received: len(cash.Handovers) > 0, Hands: hands}
	for _, h := range cash.Handovers {
		ln := handoverLine{Handover: h, Handed: !h.HandedAt.IsZero(), Form: newForm()}
		if in, err := s.Catalog.Initiative(ctx, h.InitiativeID); err == nil {
			ln.Name = in.Name
		}
		if h.InitiativeID == failed {
			ln.Form = f
		}
		d.Received = d.Received && h.ReceivedAt != nil
		d.Lines = append(d.Lines, ln)
	}
	c.Locals(pageKey, handoverPath(fa.ID, cash.Table.ID))
	return s.render(c, status, "handover", "handover.title", d)
}

func (s *Pages) handOverFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, handoverPath(c.Params("id"), c.Params("table")))
	}
	l := s.tmpl.localizer(c)
	ini := c.FormValue("initiative_id")
	f := newForm()
	f.Values["amount"], f.Values["notes"] = c.FormValue("amount"), c.FormValue("notes")
	n, msg := parseWhole(f.Val("amount"))
	if msg != "" {
		f.Errors["amount"] = l.T("closing.error.pesos")
		f.Error = l.T("form.error.summary")
		return s.renderHandover(c, fiber.StatusUnprocessableEntity, ini, f)
	}
	_, err := s.Fairs.HandOver(c.UserContext(), p, c.Params("id"), c.Params("table"), ini, fairs.HandoverInput{Amount: money.Pesos(n), Notes: f.Val("notes")})
	switch {
	case err == nil:
		return c.Redirect(handoverPath(c.Params("id"), c.Params("table"))+"?aviso=efectivo-entregado#entrega-"+url.PathEscape(ini), fiber.StatusSeeOther)
	case errors.Is(err, errs.Conflict):
		f.Error = l.T("handover.error.final")
		return s.renderHandover(c, fiber.StatusConflict, ini, f)
	}
	if status, ok := s.formError(c, l, f, err, "amount", "notes"); ok {
		return s.renderHandover(c, status, ini, f)
	}
	return err
}

func (s *Pages) confirmHandoverFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	_, err = s.Fairs.ConfirmHandover(c.UserContext(), p, c.Params("fair"), c.Params("table"), in.ID)
	if err != nil && !errors.Is(err, errs.Conflict) {
		return err
	}
	notice := "entrega-recibida"
	if err != nil {
		notice = "entrega-cambio"
	}
	return c.Redirect(closingPath(in.ID, c.Params("fair"))+"?aviso="+notice, fiber.StatusSeeOther)
}
