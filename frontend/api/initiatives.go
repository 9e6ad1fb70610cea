package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/programme"
)

func (s *API) routesInitiatives(api fiber.Router) {
	api.Get("/initiatives", s.listInitiatives)
	api.Post("/initiatives", s.createInitiative)
	api.Get("/initiatives/:id", s.getInitiative)
	api.Patch("/initiatives/:id", s.updateInitiative)
}

func (s *API) createInitiative(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var in catalog.InitiativeInput
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	created, err := s.Catalog.CreateInitiative(c.UserContext(), p, in)
	if err != nil {
		return err
	}
	if p.Has(accounts.RoleAdviser) {
		// The adviser who registers an initiative accompanies it.
		if err := s.Accounts.AssignInitiative(c.UserContext(), p.UserID, created.ID); err != nil {
			return err
		}
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "initiative_created",
		TargetKind: "initiative", TargetID: created.ID, IP: c.IP()})
	return c.Status(fiber.StatusCreated).JSON(created)
}

func (s *API) updateInitiative(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	var up catalog.InitiativeUpdate
	if err := kit.DecodeJSON(c, &up); err != nil {
		return err
	}
	updated, err := s.Catalog.UpdateInitiative(c.UserContext(), p, id, up)
	if err != nil {
		return err
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "initiative_updated",
		TargetKind: "initiative", TargetID: id, IP: c.IP()})
	return c.JSON(updated)
}

func (s *API) listInitiatives(c *fiber.Ctx) error {
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	items, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{
		Municipality: c.Query("municipality"), Query: c.Query("q"),
		After: c.Query("cursor"), Limit: limit + 1, ActiveOnly: true,
	})
	if err != nil {
		return err
	}
	return c.JSON(kit.Paginate(items, limit, func(in catalog.Initiative) string { return in.ID }))
}

func (s *API) getInitiative(c *fiber.Ctx) error {
	in, err := s.Catalog.Initiative(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	out := struct {
		catalog.Initiative
		Commitment programme.Public `json:"commitment"`
	}{Initiative: in, Commitment: programme.Public{State: programme.StateNone}}
	if s.Commitments != nil {
		if out.Commitment, err = s.Commitments.Public(c.UserContext(), in.ID); err != nil {
			return err
		}
	}
	return c.JSON(out)
}
