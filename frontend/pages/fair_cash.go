package pages

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// An initiative's money after a fair: its cash closing (the arqueo: what
// the box should hold against what was counted, by bill and coin or as a
// total) and its sales on credit (fiado), each with a WhatsApp reminder
// and a form to record what the buyer paid.

func (s *Pages) routesFairCash(app fiber.Router) {
	app.Get("/mi-iniciativa/:id/ferias/:fair/cierre", noStore, s.closingPage)
	app.Post("/mi-iniciativa/:id/ferias/:fair/cierre", noStore, s.closeFromPage)
	app.Get("/mi-iniciativa/:id/fiados", noStore, s.creditsPage)
	app.Post("/mi-iniciativa/:id/fiados/:order/pago", noStore, s.payCreditFromPage)
}

func closingPath(initiativeID, fairID string) string {
	return myFairsPath(initiativeID) + "/" + fairID + "/cierre"
}

func creditsPath(initiativeID string) string { return myInitiativePath(initiativeID) + "/fiados" }

// denomination is a bill or coin on the count form.
type denomination struct {
	Pesos int64
	Field string // d_50000
	Count string // as typed
}

type closingData struct {
	Initiative catalog.Initiative
	Fair       fairItem
	Closing    fairs.Closing
	Closed     bool
	Methods    []string
	Bills      []denomination
	Form       *form
}

func (s *Pages) closingPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	return s.renderClosing(c, fiber.StatusOK, p, in, newForm())
}

func (s *Pages) renderClosing(c *fiber.Ctx, status int, p *accounts.Principal, in catalog.Initiative, f *form) error {
	ctx := c.UserContext()
	fair, err := s.Fairs.Fair(ctx, c.Params("fair"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if _, ok := fair.Participants[in.ID]; !ok {
		return fiber.ErrNotFound
	}
	cl, err := s.Fairs.Expected(ctx, p, fair.ID, in.ID)
	if err != nil {
		return err
	}
	d := closingData{Initiative: in, Closing: cl, Closed: !cl.ClosedAt.IsZero(), Methods: fairs.Methods, Form: f, Fair: fairItemOf(fair)}
	for _, v := range fairs.Denominations {
		field := "d_" + strconv.FormatInt(v, 10)
		d.Bills = append(d.Bills, denomination{Pesos: v, Field: field, Count: f.Val(field)})
	}
	c.Locals(pageKey, closingPath(in.ID, fair.ID))
	return s.render(c, status, "my_fair_closing", "closing.title", d)
}

func (s *Pages) closeFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	input := fairs.ClosingInput{InitiativeID: in.ID, Notes: c.FormValue("notes"), Denominations: map[string]int64{}}
	for _, name := range []string{"opening_float", "counted_cash", "notes"} {
		f.Values[name] = c.FormValue(name)
	}
	float, msg := parseWhole(f.Val("opening_float"))
	if msg == "empty" {
		float, msg = 0, ""
	}
	if msg != "" {
		f.Errors["opening_float"] = l.T("closing.error.pesos")
	}
	input.OpeningFloat = money.Pesos(float)
	for _, v := range fairs.Denominations {
		field := "d_" + strconv.FormatInt(v, 10)
		f.Values[field] = c.FormValue(field)
		n, msg := parseWhole(f.Val(field))
		switch {
		case msg == "empty":
		case msg != "":
			f.Errors[field] = l.T("closing.error.count")
			f.Errors["bills"] = f.Errors[field]
		case n > 0:
			input.Denominations[strconv.FormatInt(v, 10)] = n
		}
	}
	if total := f.Val("counted_cash"); total != "" {
		n, msg := parseWhole(total)
		if msg != "" {
			f.Errors["counted_cash"] = l.T("closing.error.pesos")
		} else {
			counted := money.Pesos(n)
			input.CountedCash = &counted
		}
	}
	if len(input.Denominations) == 0 && input.CountedCash == nil && len(f.Errors) == 0 {
		f.Errors["counted_cash"] = l.T("closing.error.counted")
	}
	if len(f.Errors) > 0 {
		f.Error = l.T("form.error.summary")
		return s.renderClosing(c, fiber.StatusUnprocessableEntity, p, in, f)
	}
	_, err = s.Fairs.Close(c.UserContext(), p, c.Params("fair"), input)
	switch {
	case err == nil:
		return c.Redirect(closingPath(in.ID, c.Params("fair"))+"?aviso=caja-cerrada", fiber.StatusSeeOther)
	case errors.Is(err, errs.Conflict):
		f.Error = l.T("closing.error.conflict")
		return s.renderClosing(c, fiber.StatusConflict, p, in, f)
	case errors.Is(err, errs.Unavailable):
		f.Error = l.T("closing.error.busy")
		return s.renderClosing(c, fiber.StatusServiceUnavailable, p, in, f)
	}
	if status, ok := s.formError(c, l, f, err, "counted_cash", "opening_float", "notes"); ok {
		return s.renderClosing(c, status, p, in, f)
	}
	return err
}

// credit is a sale on credit on the page, with its reminder.
type credit struct {
	orders.Summary
	Owed      money.Money
	DaysLate  int
	Due       string // dd/mm/aaaa
	WhatsApp  string // wa.me link, "" without a phone
	What      string // the products, briefly
	FairName  string
	PayForm   *form
	Recording bool // this credit's form failed
}

type creditsData struct {
	Initiative catalog.Initiative
	Credits    []credit
	Owed       money.Money
}

func (s *Pages) creditsPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	return s.renderCredits(c, fiber.StatusOK, p, in, "", newForm())
}

func (s *Pages) renderCredits(c *fiber.Ctx, status int, p *accounts.Principal, in catalog.Initiative, failed string, f *form) error {
	ctx := c.UserContext()
	list, err := s.Orders.Credits(ctx, p, in.ID)
	if err != nil {
		return err
	}
	l := s.tmpl.localizer(c)
	today, _ := time.ParseInLocation(time.DateOnly, time.Now().In(colombia.Zone).Format(time.DateOnly), colombia.Zone)
	d := creditsData{Initiative: in, Owed: money.Pesos(0)}
	fairNames := map[string]string{}
	for _, o := range list {
		cr := credit{Summary: o, Owed: money.Money{Amount: o.Outstanding(), Currency: o.Total.Currency}, PayForm: newForm()}
		if o.ID == failed {
			cr.PayForm, cr.Recording = f, true
		}
		d.Owed.Amount += cr.Owed.Amount
		if due, err := time.ParseInLocation(time.DateOnly, o.DueOn, colombia.Zone); err == nil {
			cr.Due = due.Format(dayLayout)
			cr.DaysLate = max(0, int(today.Sub(due).Hours()/24))
		}
		for i, ln := range o.Lines {
			if i > 0 {
				cr.What += ", "
			}
			cr.What += fmt.Sprintf("%d %s", ln.Quantity, ln.Name)
		}
		if o.FairID != "" {
			if _, ok := fairNames[o.FairID]; !ok {
				if fa, err := s.Fairs.Fair(ctx, o.FairID); err == nil {
					fairNames[o.FairID] = fa.Name
				}
			}
			cr.FairName = fairNames[o.FairID]
		}
		if number := colombia.WhatsApp(o.Buyer.Phone); number != "" {
			cr.WhatsApp = whatsappLink(number, l.T("credits.reminder", "Name", firstName(o.Buyer.Name), "Initiative", in.Name,
				"What", cr.What, "Amount", cr.Owed.String(), "Due", cr.Due))
		}
		d.Credits = append(d.Credits, cr)
	}
	c.Locals(pageKey, creditsPath(in.ID))
	return s.render(c, status, "my_credits", "credits.title", d)
}

func (s *Pages) payCreditFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	id := c.Params("order")
	f := newForm()
	f.Values["amount"], f.Values["method"] = c.FormValue("amount"), c.FormValue("method")
	n, msg := parseWhole(f.Val("amount"))
	if msg != "" || n <= 0 {
		f.Errors["amount"] = l.T("closing.error.pesos")
		f.Error = l.T("form.error.summary")
		return s.renderCredits(c, fiber.StatusUnprocessableEntity, p, in, id, f)
	}
	o, err := s.Orders.Order(c.UserContext(), p, id, "")
	if errors.Is(err, errs.NotFound) || (err == nil && o.InitiativeID != in.ID) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	_, err = s.Orders.Pay(c.UserContext(), p, id, orders.PaymentInput{Amount: money.Pesos(n), Method: f.Val("method")}, c.FormValue("key"))
	if err == nil {
		return c.Redirect(creditsPath(in.ID)+"?aviso=pago-registrado", fiber.StatusSeeOther)
	}
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		f.Error = l.T("credits.error.pay")
		return s.renderCredits(c, fiber.StatusUnprocessableEntity, p, in, id, f)
	}
	return err
}
