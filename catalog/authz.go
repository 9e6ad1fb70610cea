package catalog

import (
	"context"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

// The catalog decides who may change it, from the principal its caller
// passes and the policy of accounts: errs.Unauthenticated without one,
// errs.NotFound for an initiative or product that does not exist, then
// errs.Forbidden when the policy says no. Programme code (the demo,
// benchmarks, upgrades) passes accounts.System.

// allowInitiative checks that initiative id exists and that allowed says yes.
func (s *Service) allowInitiative(ctx context.Context, p *accounts.Principal, id string, allowed func(*accounts.Principal, string) bool) (Initiative, error) {
	if p == nil {
		return Initiative{}, errs.Unauthenticated
	}
	in, err := s.Initiative(ctx, id)
	if err != nil {
		return Initiative{}, err
	}
	if !allowed(p, id) {
		return Initiative{}, errs.Forbidden
	}
	return in, nil
}

// allowProduct loads product id and checks that allowed says yes for its
// initiative.
func (s *Service) allowProduct(ctx context.Context, p *accounts.Principal, id string, allowed func(*accounts.Principal, string) bool) (Product, error) {
	if p == nil {
		return Product{}, errs.Unauthenticated
	}
	prod, err := s.Product(ctx, id)
	if err != nil {
		return Product{}, err
	}
	if !allowed(p, prod.InitiativeID) {
		return Product{}, errs.Forbidden
	}
	return prod, nil
}

// ProductFor is a product as who may see it: an archived product exists only
// for those who manage its initiative (errs.NotFound for everyone else).
func (s *Service) ProductFor(ctx context.Context, who *accounts.Principal, id string) (Product, error) {
	prod, err := s.Product(ctx, id)
	if err == nil && !prod.Active && !accounts.CanSeeInitiativePrivate(who, prod.InitiativeID) {
		return Product{}, errs.NotFound
	}
	return prod, err
}

// EditableInitiative is initiative id for someone who may change its
// profile, photos and members: the page of edits asks here first.
func (s *Service) EditableInitiative(ctx context.Context, who *accounts.Principal, id string) (Initiative, error) {
	return s.allowInitiative(ctx, who, id, accounts.CanEditInitiative)
}

// EditableProduct is product id for someone who may change it.
func (s *Service) EditableProduct(ctx context.Context, who *accounts.Principal, id string) (Product, error) {
	return s.allowProduct(ctx, who, id, accounts.CanEditProducts)
}
