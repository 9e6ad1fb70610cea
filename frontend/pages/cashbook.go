package pages

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// The cashbook on a phone: an expense in three taps (what it was for, how
// much, save; the day is today unless changed), this month's expenses and
// margin, and the last ones written.

func (s *Pages) routesCashbook(app fiber.Router) {
	app.Get("/mi-iniciativa/:id/gastos", noStore, s.cashbookPage)
	app.Post("/mi-iniciativa/:id/gastos", noStore, s.addExpenseFromPage)
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
	_, err = s.Progress.AddExpense(c.UserContext(), p, in.ID, progress.ExpenseInput{Date: f.Val("date"), Category: f.Val("category"),
		Amount: money.Pesos(n), Note: f.Val("note")}, c.FormValue("key"))
	if err == nil {
		return c.Redirect(cashbookPath(in.ID)+"?aviso=gasto-anotado", fiber.StatusSeeOther)
	}
	if status, ok := s.formError(c, l, f, err, "category", "amount", "date", "note"); ok {
		return s.renderCashbook(c, status, p, in, f)
	}
	return err
}
