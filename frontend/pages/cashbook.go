package pages

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// The cashbook on a phone: an expense in three taps (what it was for, how
// much, save; the day is today unless changed), this month's expenses and
// margin, and the last ones written.

func (s *Pages) routesCashbook(app fiber.Router) {
	app.Get("/mi-iniciativa/:id/gastos", noStore, s.cashbookPage)
	app.Post("/mi-iniciativa/:id/gastos", noStore, s.addExpenseFromPage)
	app.Post("/mi-iniciativa/:id/gastos/:expense/corregir", noStore, s.fixExpenseFromPage)
}

func cashbookPath(initiativeID string) string { return myInitiativePath(initiativeID) + "/gastos" }

type cashbookData struct {
	Initiative catalog.Initiative
	Categories []string
	Month      progress.MonthFigures
	Expenses   []progress.Expense
	Today      string
	Key        string
	Form       *form
}

func (s *Pages) cashbookPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	f := newForm()
	f.Values["category"] = "supplies"
	return s.renderCashbook(c, fiber.StatusOK, p, in, f)
}

func (s *Pages) renderCashbook(c *fiber.Ctx, status int, p *accounts.Principal, in catalog.Initiative, f *form) error {
	ctx := c.UserContext()
	now := time.Now().In(colombia.Zone)
	month := now.Format("2006-01")
	pr, err := s.Progress.Progress(ctx, p, in.ID, month, month)
	if err != nil {
		return err
	}
	page, err := s.Progress.Expenses(ctx, p, in.ID, "", 20)
	if err != nil {
		return err
	}
	d := cashbookData{Initiative: in, Categories: progress.Categories, Today: now.Format(time.DateOnly), Key: newIdempotencyKey(), Form: f}
	if len(pr.Months) == 1 {
		d.Month = pr.Months[0]
	}
	for _, e := range page.Items {
		d.Expenses = append(d.Expenses, e.Value)
	}
	c.Locals(pageKey, cashbookPath(in.ID))
	return s.render(c, status, "cashbook", "cashbook.title", d)
}

func (s *Pages) addExpenseFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"category", "amount", "date", "note"} {
		f.Values[k] = c.FormValue(k)
	}
	n, msg := parseWhole(f.Val("amount"))
	if msg != "" || n <= 0 {
		f.Errors["amount"] = l.T("cashbook.error.amount")
		f.Error = l.T("form.error.summary")
		return s.renderCashbook(c, fiber.StatusUnprocessableEntity, p, in, f)
	}
	e, err := s.Progress.AddExpense(c.UserContext(), p, in.ID, progress.ExpenseInput{Date: f.Val("date"), Category: f.Val("category"),
		Amount: money.Pesos(n), Note: f.Val("note")}, c.FormValue("key"))
	if err == nil {
		notice := "gasto-anotado"
		if fh, ferr := c.FormFile("photo"); ferr == nil && fh.Size > 0 {
			// The expense is kept whatever becomes of its photo.
			up, err := kit.PrepareAttachment(fh)
			if err == nil {
				_, err = s.Progress.AttachReceipt(c.UserContext(), p, in.ID, e.ID, *up)
			}
			if err != nil {
				notice = "gasto-sin-recibo"
			}
		}
		return c.Redirect(cashbookPath(in.ID)+"?aviso="+notice, fiber.StatusSeeOther)
	}
	if status, ok := s.formError(c, l, f, err, "category", "amount", "date", "note"); ok {
		return s.renderCashbook(c, status, p, in, f)
	}
	return err
}

// fixExpenseFromPage corrects an expense (annul, annul=1: only annuls it).
func (s *Pages) fixExpenseFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	id := c.Params("expense")
	if c.FormValue("annul") != "" {
		_, err = s.Progress.ReverseExpense(c.UserContext(), p, in.ID, id, c.FormValue("note"))
	} else {
		n, msg := parseWhole(c.FormValue("amount"))
		if msg != "" || n <= 0 {
			f := newForm()
			f.Error = l.T("cashbook.error.amount")
			return s.renderCashbook(c, fiber.StatusUnprocessableEntity, p, in, f)
		}
		_, err = s.Progress.CorrectExpense(c.UserContext(), p, in.ID, id, progress.ExpenseInput{Date: c.FormValue("date"),
			Category: c.FormValue("category"), Amount: money.Pesos(n), Note: c.FormValue("note")})
	}
	switch {
	case err == nil:
		return c.Redirect(cashbookPath(in.ID)+"?aviso=gasto-corregido", fiber.StatusSeeOther)
	case errors.Is(err, errs.NotFound):
		return fiber.ErrNotFound
	case errors.Is(err, errs.Conflict):
		f := newForm()
		f.Error = l.T("cashbook.error.annulled")
		return s.renderCashbook(c, fiber.StatusConflict, p, in, f)
	}
	f := newForm()
	if status, ok := s.formError(c, l, f, err); ok {
		return s.renderCashbook(c, status, p, in, f)
	}
	return err
}
