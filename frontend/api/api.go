// Package api is the JSON API under /api/v1, a file per resource. Handlers
// read the request, ask the domain service (which decides who may do what)
// and answer the resource; errors go up to the app's error handler, which
// writes them as problem details (kit.ToProblem).
package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/progress"
)

// API holds the handlers of /api/v1.
type API struct {
	kit.Deps
	// checkouts is the per-address flood guard shared with the cart page.
	checkouts    *kit.AddressLimit
	productPages pageCache
	// ReportWords names the donor report's words in the request's language
	// (the pages' wording; set by the frontend).
	ReportWords func(c *fiber.Ctx) progress.ReportWords
}

// New builds the API over d; checkouts bounds the orders one address starts.
func New(d kit.Deps, checkouts *kit.AddressLimit) *API {
	return &API{Deps: d, checkouts: checkouts}
}

// Mount registers every /api/v1 route on r.
func (s *API) Mount(r fiber.Router) {
	s.routesInitiatives(r)
	s.routesAccounts(r)
	s.routesProducts(r)
	s.routesSessions(r)
	s.routesExports(r)
	s.routesOrders(r)
	s.routesFairs(r)
	s.routesProgress(r)
	s.routesIndicators(r)
	s.routesCommitment(r)
	s.routesPractices(r)
	s.routesTraining(r)
}

// answer is the common shape of a handler that changes something: a
// signed-in principal, the body decoded strictly into In, the service's
// answer written with status (its errors go to the error handler).
func answer[In any](c *fiber.Ctx, status int, fn func(p *accounts.Principal, in In) (any, error)) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	var in In
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := fn(p, in)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// recordKeyed answers a POST that records a sub-resource moving money or
// stock (a payment, a refund, a payout, a stock adjustment) on the resource
// in the path: the body decoded into In, the client's Idempotency-Key passed
// on, 201 with what was recorded; a replay of the key answers the same,
// marked Idempotent-Replayed.
func recordKeyed[In any](c *fiber.Ctx, record func(ctx context.Context, p *accounts.Principal, id string, in In, key string) (item any, replayed bool, err error)) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in In) (any, error) {
		item, replayed, err := record(c.UserContext(), p, c.Params("id"), in, c.Get("Idempotency-Key"))
		if replayed {
			c.Set("Idempotent-Replayed", "true")
		}
		return item, err
	})
}

// listHeld answers a list small by nature (an initiative's products or
// members, a session's versions) that fetch reads whole for the signed-in
// principal, paged by ?limit= and ?cursor= (kit.PageOf).
func listHeld[T any](c *fiber.Ctx, fetch func(*accounts.Principal) ([]T, error), id func(T) string) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	items, err := fetch(p)
	if err != nil {
		return err
	}
	page, err := kit.PageOf(items, c.Query("cursor"), limit, id)
	if err != nil {
		return err
	}
	return c.JSON(page)
}
