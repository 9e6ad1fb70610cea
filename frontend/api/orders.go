package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/orders"
)

func (s *API) routesOrders(api fiber.Router) {
	api.Post("/orders", kit.Limited(s.checkouts), s.checkout)
	api.Get("/orders", s.myOrders)
	api.Get("/orders/:id", s.getOrder)
	api.Post("/orders/:id/cancel", s.cancelOrder)
	api.Post("/orders/:id/transitions", s.transitionOrder)
	api.Post("/orders/:id/payments", s.recordPayment)
	api.Post("/orders/:id/refunds", s.refundOrder)
	api.Get("/checkouts/:id", s.getCheckout)
	api.Get("/initiatives/:id/orders", s.initiativeOrders)
	api.Get("/initiatives/:id/balance", s.initiativeBalance)
	api.Post("/initiatives/:id/payouts", s.recordPayout)
	api.Post("/stripe/webhook", s.stripeWebhook)
}

// checkout places a cart's orders. The Idempotency-Key header is required:
// the answer is stored under it and a replay gets the same bytes.
func (s *API) checkout(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if key == "" || len(key) > orders.MaxKeyLength {
		return fiber.NewError(fiber.StatusBadRequest, "send an Idempotency-Key header (1 to 200 characters), new for each order")
	}
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), "application/json") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the body as application/json")
	}
	if len(c.Body()) > kit.JSONLimit {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "JSON bodies are limited to 1 MiB")
	}
	in, err := orders.DecodeCheckout(c.Body())
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	in.Client = c.IP() + "|" + c.Get(fiber.HeaderUserAgent)
	r, err := s.Orders.Checkout(c.UserContext(), kit.Principal(c), key, in)
	if err != nil {
		return err
	}
	if r.Replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusCreated).Send(r.Body)
}

// orderToken is a guest's checkout token, from ?token= or X-Order-Token.
func orderToken(c *fiber.Ctx) string {
	if t := c.Get("X-Order-Token"); t != "" {
		return t
	}
	return c.Query("token")
}

func (s *API) getOrder(c *fiber.Ctx) error {
	o, err := s.Orders.Order(c.UserContext(), kit.Principal(c), c.Params("id"), orderToken(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(o)
}

func (s *API) getCheckout(c *fiber.Ctx) error {
	list, err := s.Orders.CheckoutOrders(c.UserContext(), kit.Principal(c), c.Params("id"), orderToken(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(kit.List[orders.Order]{Items: list})
}

func (s *API) myOrders(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Orders.BuyerOrders(c.UserContext(), p, orders.ListFilter{Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(page)
}

func (s *API) initiativeOrders(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err // an unknown initiative is 404 for everyone, admins included
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Orders.InitiativeOrders(c.UserContext(), kit.Principal(c), c.Params("id"),
		orders.ListFilter{Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(page)
}

func (s *API) cancelOrder(c *fiber.Ctx) error {
	var in struct {
		Reason string `json:"reason"`
		Token  string `json:"token"`
	}
	if len(c.Body()) > 0 {
		if err := kit.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	token := in.Token
	if token == "" {
		token = orderToken(c)
	}
	o, err := s.Orders.Cancel(c.UserContext(), kit.Principal(c), c.Params("id"), in.Reason, token)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (s *API) transitionOrder(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		To   string `json:"to"`
		Note string `json:"note"`
	}) (any, error) {
		return s.Orders.Transition(c.UserContext(), p, c.Params("id"), in.To, in.Note)
	})
}

func (s *API) recordPayment(c *fiber.Ctx) error {
	return recordKeyed(c, func(ctx context.Context, p *accounts.Principal, id string, in orders.PaymentInput, key string) (any, bool, error) {
		r, err := s.Orders.Pay(ctx, p, id, in, key)
		return r.Item, r.Replayed, err
	})
}

func (s *API) refundOrder(c *fiber.Ctx) error {
	return recordKeyed(c, func(ctx context.Context, p *accounts.Principal, id string, in orders.RefundInput, key string) (any, bool, error) {
		r, err := s.Orders.RefundOrder(ctx, p, id, in, key)
		return r.Item, r.Replayed, err
	})
}

func (s *API) initiativeBalance(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Query("format") == "csv" {
		st, err := s.Orders.StatementAll(c.UserContext(), kit.Principal(c), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="balance-`+c.Params("id")+`.csv"`)
		return st.WriteCSV(c.Response().BodyWriter())
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	st, err := s.Orders.Statement(c.UserContext(), kit.Principal(c), c.Params("id"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *API) recordPayout(c *fiber.Ctx) error {
	return recordKeyed(c, func(ctx context.Context, p *accounts.Principal, id string, in orders.PayoutInput, key string) (any, bool, error) {
		r, err := s.Orders.RecordPayout(ctx, p, id, in, key)
		return r.Item, r.Replayed, err
	})
}

// stripeWebhook applies a Stripe event; a bad signature is 400 and changes nothing.
func (s *API) stripeWebhook(c *fiber.Ctx) error {
	err := s.Orders.HandleStripeWebhook(c.UserContext(), c.Body(), c.Get("Stripe-Signature"))
	if errors.Is(err, orders.ErrBadSignature) {
		return fiber.NewError(fiber.StatusBadRequest, "invalid Stripe-Signature")
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"received": true})
}
