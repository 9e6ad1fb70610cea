package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The child-labour-free commitment of an initiative: signed by a member,
// verified at visits, suspended with a reason. The public sees its state
// on GET /initiatives/{id}; the programme service decides who sees more.

func (s *API) routesCommitment(api fiber.Router) {
	api.Get("/initiatives/:id/commitment", s.getCommitment)
	api.Post("/initiatives/:id/commitment", s.signCommitment)
	api.Post("/initiatives/:id/commitment/verifications", s.verifyCommitment)
	api.Post("/initiatives/:id/commitment/suspension", s.suspendCommitment)
}

func (s *API) getCommitment(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	cm, err := s.Commitments.Get(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	if cm == nil {
		return errs.NotFound
	}
	return c.JSON(cm)
}

func (s *API) signCommitment(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in struct {
		MemberID string `json:"member_id"`
		SignedOn string `json:"signed_on"`
	}) (any, error) {
		return s.Commitments.Sign(c.UserContext(), p, c.Params("id"), in.MemberID, in.SignedOn)
	})
}

func (s *API) verifyCommitment(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in struct {
		Date      string `json:"date"`
		SessionID string `json:"session_id"`
		Note      string `json:"note"`
	}) (any, error) {
		return s.Commitments.Verify(c.UserContext(), p, c.Params("id"), in.Date, in.SessionID, in.Note)
	})
}

func (s *API) suspendCommitment(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in struct {
		Reason string `json:"reason"`
	}) (any, error) {
		return s.Commitments.Suspend(c.UserContext(), p, c.Params("id"), in.Reason)
	})
}
