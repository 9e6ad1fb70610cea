package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// An initiative's progress (its months of sales, expenses and margin, its
// stage) and its cashbook. The progress service decides who may.

func (s *API) routesProgress(api fiber.Router) {
	api.Get("/initiatives/:id/progress", s.initiativeProgress)
	api.Post("/initiatives/:id/expenses", s.addExpense)
	api.Get("/initiatives/:id/expenses", s.listExpenses)
	api.Put("/initiatives/:id/expenses/:expense", s.correctExpense)
	api.Post("/initiatives/:id/expenses/:expense/reversal", s.reverseExpense)
	api.Post("/initiatives/:id/expenses/:expense/receipt", s.attachReceipt)
	api.Get("/initiatives/:id/expenses/:expense/receipt", s.getReceipt)
	api.Get("/portfolio", s.portfolio)
	api.Get("/milestones", s.milestoneDefinitions)
	api.Post("/milestones", s.addMilestoneDefinition)
	api.Patch("/milestones/:code", s.updateMilestoneDefinition)
	api.Put("/initiatives/:id/sales-target", s.setSalesTarget)
	api.Post("/initiatives/:id/milestones/:code/evidence", s.submitEvidence)
	api.Get("/initiatives/:id/milestones/:code/evidence", s.getEvidence)
	api.Post("/initiatives/:id/milestones/:code/review", s.reviewEvidence)
}

// milestoneDefinitions answers the programme's milestones (any signed-in user).
func (s *API) milestoneDefinitions(c *fiber.Ctx) error {
	if _, err := kit.RequireUser(c); err != nil {
		return err
	}
	defs, err := s.Progress.Definitions(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": defs})
}

func (s *API) addMilestoneDefinition(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in progress.DefinitionInput) (any, error) {
		return s.Progress.AddDefinition(c.UserContext(), p, in)
	})
}

func (s *API) updateMilestoneDefinition(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in progress.DefinitionInput) (any, error) {
		return s.Progress.UpdateDefinition(c.UserContext(), p, c.Params("code"), in)
	})
}

// setSalesTarget sets the initiative's monthly sales target from this month on.
func (s *API) setSalesTarget(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Amount money.Money `json:"amount"`
	}) (any, error) {
		targets, err := s.Progress.SetTarget(c.UserContext(), p, c.Params("id"), in.Amount)
		return fiber.Map{"targets": targets}, err
	})
}

// submitEvidence keeps the file (multipart "file": a PDF or a photo) that
// supports a manual milestone, dated by the form field "date".
func (s *API) submitEvidence(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	if !progress.CanSeeProgress(p, c.Params("id")) {
		return errs.Forbidden
	}
	up, err := evidenceUpload(c)
	if err != nil {
		return err
	}
	m, err := s.Progress.SubmitEvidence(c.UserContext(), p, c.Params("id"), c.Params("code"), c.FormValue("date"), *up)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// evidenceUpload reads the multipart field "file" as an attachment is read
// (a PDF or a photo, re-encoded without metadata, at most 10 MB).
func evidenceUpload(c *fiber.Ctx) (*mentoring.Upload, error) {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "send the file as multipart/form-data with the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var f errs.Fields
		f.Add("file", errs.CodeRequired, "send the file as multipart/form-data field \"file\"")
		return nil, f.Err()
	}
	return kit.PrepareAttachment(fh)
}

// getEvidence streams a manual milestone's evidence to who sees the progress.
func (s *API) getEvidence(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	ev, r, obj, err := s.Progress.OpenEvidence(c.UserContext(), p, c.Params("id"), c.Params("code"))
	if err != nil {
		return err
	}
	return kit.SendPrivate(c, r, obj, ev.Name)
}

// reviewEvidence verifies or rejects a manual milestone's evidence.
func (s *API) reviewEvidence(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Decision   string `json:"decision"`
		Note       string `json:"note"`
		EvidenceID string `json:"evidence_id"`
	}) (any, error) {
		return s.Progress.ReviewEvidence(c.UserContext(), p, c.Params("id"), c.Params("code"), in.EvidenceID, in.Decision, in.Note)
	})
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

// correctExpense annuls an expense and records the right one (answered).
func (s *API) correctExpense(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in progress.ExpenseInput) (any, error) {
		return s.Progress.CorrectExpense(c.UserContext(), p, c.Params("id"), c.Params("expense"), in)
	})
}

// reverseExpense annuls an expense with a reversing entry (answered).
func (s *API) reverseExpense(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in struct {
		Reason string `json:"reason"`
	}) (any, error) {
		return s.Progress.ReverseExpense(c.UserContext(), p, c.Params("id"), c.Params("expense"), in.Reason)
	})
}

// attachReceipt keeps the photo (multipart "file") of an expense's receipt.
func (s *API) attachReceipt(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if !progress.CanKeepBook(p, c.Params("id")) {
		return errs.Forbidden
	}
	up, err := evidenceUpload(c)
	if err != nil {
		return err
	}
	e, err := s.Progress.AttachReceipt(c.UserContext(), p, c.Params("id"), c.Params("expense"), *up)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// getReceipt streams an expense's receipt photo to who reads the cashbook.
func (s *API) getReceipt(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	r, obj, err := s.Progress.OpenReceipt(c.UserContext(), p, c.Params("id"), c.Params("expense"))
	if err != nil {
		return err
	}
	return kit.SendPrivate(c, r, obj, "")
}
