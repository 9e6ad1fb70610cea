package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/progress"
)

// An initiative's progress (its months of sales, expenses and margin, its
// stage) and its cashbook. The progress service decides who may.

func (s *API) routesProgress(api fiber.Router) {
	api.Get("/initiatives/:id/progress", s.initiativeProgress)
	api.Post("/initiatives/:id/expenses", s.addExpense)
	api.Get("/initiatives/:id/expenses", s.listExpenses)
	api.Get("/portfolio", s.portfolio)
}

// portfolio answers the initiatives the adviser follows (admins: all).
func (s *API) portfolio(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	items, err := s.Progress.Portfolio(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *API) initiativeProgress(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	pr, err := s.Progress.Progress(c.UserContext(), p, c.Params("id"), c.Query("from"), c.Query("to"))
	if err != nil {
		return err
	}
	return c.JSON(pr)
}

// addExpense records an expense; the Idempotency-Key header, when sent,
// makes a retried request record it once.
func (s *API) addExpense(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in progress.ExpenseInput) (any, error) {
		return s.Progress.AddExpense(c.UserContext(), p, c.Params("id"), in, c.Get("Idempotency-Key"))
	})
}

func (s *API) listExpenses(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Progress.Expenses(c.UserContext(), p, c.Params("id"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	out := kit.List[progress.Expense]{Items: make([]progress.Expense, 0, len(page.Items)), NextCursor: page.Next}
	for _, e := range page.Items {
		out.Items = append(out.Items, e.Value)
	}
	return c.JSON(out)
}
