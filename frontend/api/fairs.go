package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/orders"
)

func (s *API) routesFairs(api fiber.Router) {
	api.Get("/fairs", s.listFairs)
	api.Post("/fairs", s.createFair)
	api.Get("/fairs/:id", s.getFair)
	api.Post("/fairs/:id/transitions", s.transitionFair)
	api.Post("/fairs/:id/participants", s.inviteToFair)
	api.Post("/fairs/:id/participants/:initiative/accept", s.acceptFair)
	api.Get("/initiatives/:id/fairs", s.initiativeFairs)
	api.Put("/fairs/:id/stock/:product", s.setFairStock)
	api.Get("/fairs/:id/stock", s.fairStock)
	api.Post("/fairs/:id/sales/batch", s.syncFairSales)
	api.Post("/fairs/:id/sales/:client_id/undo", s.undoFairSale)
	api.Get("/fairs/:id/till", s.fairTill)
	api.Post("/fairs/:id/tables", s.addFairTable)
	api.Get("/fairs/:id/tables/:table/cash", s.tableCash)
	api.Put("/fairs/:id/tables/:table/handovers/:initiative", s.handOver)
	api.Post("/fairs/:id/tables/:table/handovers/:initiative/confirm", s.confirmHandover)
	api.Post("/fairs/:id/closings", s.closeFairCash)
	api.Get("/fairs/:id/closings", s.fairClosings)
	api.Get("/fairs/:id/report", s.fairReport)
	api.Get("/initiatives/:id/credits", s.initiativeCredits)
}

// syncFairSales records a batch of sales made on a phone at the fair: one
// result per sale, in order (created, duplicate or rejected with a reason).
func (s *API) syncFairSales(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Sales []fairs.SaleInput `json:"sales"`
	}) (any, error) {
		res, err := s.Fairs.SyncSales(c.UserContext(), p, c.Params("id"), in.Sales)
		return fiber.Map{"results": res}, err
	})
}

// undoFairSale voids a sale the point of sale undid within minutes.
func (s *API) undoFairSale(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in fairs.UndoInput) (any, error) {
		return s.Fairs.UndoSale(c.UserContext(), p, c.Params("id"), c.Params("client_id"), in)
	})
}

// fairTill answers what the caller sells at the fair, for a point of sale.
func (s *API) fairTill(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	t, err := s.Fairs.Till(c.UserContext(), p, c.Params("id"), c.Query("table"))
	if err != nil {
		return err
	}
	return c.JSON(t.WithPhotos(kit.MiniPathPrefix))
}

// tableCash answers a shared table's cash per initiative.
func (s *API) tableCash(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	tc, err := s.Fairs.TableCashOf(c.UserContext(), p, c.Params("id"), c.Params("table"))
	if err != nil {
		return err
	}
	return c.JSON(tc)
}

// handOver records the cash a table's cashier hands an initiative.
func (s *API) handOver(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in fairs.HandoverInput) (any, error) {
		return s.Fairs.HandOver(c.UserContext(), p, c.Params("id"), c.Params("table"), c.Params("initiative"), in)
	})
}

// confirmHandover is the initiative's producer signing for the cash.
func (s *API) confirmHandover(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	h, err := s.Fairs.ConfirmHandover(c.UserContext(), p, c.Params("id"), c.Params("table"), c.Params("initiative"))
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *API) addFairTable(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in fairs.TableInput) (any, error) {
		return s.Fairs.AddTable(c.UserContext(), p, c.Params("id"), in)
	})
}

// closeFairCash records an initiative's cash closing at the fair.
func (s *API) closeFairCash(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in fairs.ClosingInput) (any, error) {
		return s.Fairs.Close(c.UserContext(), p, c.Params("id"), in)
	})
}

func (s *API) fairClosings(c *fiber.Ctx) error {
	return listHeld(c, func(p *accounts.Principal) ([]fairs.Closing, error) {
		return s.Fairs.Closings(c.UserContext(), p, c.Params("id"))
	}, func(cl fairs.Closing) string { return cl.InitiativeID })
}

// fairReport answers the fair's sales per initiative (JSON, or CSV and XLSX
// with ?format=).
func (s *API) fairReport(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	r, err := s.Fairs.Report(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	write, mime := r.WriteCSV, mimeCSV
	switch c.Query("format") {
	case "", "json":
		return c.JSON(r)
	case "csv":
	case "xlsx":
		write, mime = r.WriteXLSX, mimeXLSX
	default:
		var fe errs.Fields
		fe.Add("format", errs.CodeUnknown, "must be json, csv or xlsx")
		return fe.Err()
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, kit.ContentDisposition("attachment", "feria_"+r.Name+"."+c.Query("format")))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// initiativeCredits lists an initiative's unpaid sales on credit (fiado).
func (s *API) initiativeCredits(c *fiber.Ctx) error {
	if _, err := s.Catalog.Initiative(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return listHeld(c, func(p *accounts.Principal) ([]orders.Summary, error) {
		return s.Orders.Credits(c.UserContext(), p, c.Params("id"))
	}, func(o orders.Summary) string { return o.ID })
}

// setFairStock sets the units of a product the fair holds; the online stock
// changes by the difference.
func (s *API) setFairStock(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		Quantity int64 `json:"quantity"`
	}) (any, error) {
		return s.Fairs.SetStock(c.UserContext(), p, c.Params("id"), c.Params("product"), in.Quantity)
	})
}

// fairStock lists what the fair holds of the products the caller may see.
func (s *API) fairStock(c *fiber.Ctx) error {
	return listHeld(c, func(p *accounts.Principal) ([]fairs.Brought, error) {
		return s.Fairs.StockOf(c.UserContext(), p, c.Params("id"))
	}, func(b fairs.Brought) string { return b.ProductID })
}

// listFairs answers the fairs not yet closed (soonest first), or with
// ?status=closed the closed ones, the last first, paged.
func (s *API) listFairs(c *fiber.Ctx) error {
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	if c.Query("status") == fairs.StatusClosed {
		page, err := s.Fairs.Closed(c.UserContext(), c.Query("cursor"), limit)
		if err != nil {
			return err
		}
		out := kit.List[fairs.Summary]{Items: make([]fairs.Summary, 0, len(page.Items)), NextCursor: page.Next}
		for _, e := range page.Items {
			out.Items = append(out.Items, e.Value)
		}
		return c.JSON(out)
	}
	items, err := s.Fairs.Current(c.UserContext())
	if err != nil {
		return err
	}
	page, err := kit.PageOf(items, c.Query("cursor"), limit, func(f fairs.Summary) string { return f.ID })
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *API) createFair(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in fairs.Input) (any, error) {
		return s.Fairs.Create(c.UserContext(), p, in)
	})
}

func (s *API) getFair(c *fiber.Ctx) error {
	f, err := s.Fairs.Fair(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *API) transitionFair(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, in struct {
		To string `json:"to"`
	}) (any, error) {
		return s.Fairs.Transition(c.UserContext(), p, c.Params("id"), in.To)
	})
}

func (s *API) inviteToFair(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in struct {
		InitiativeID string `json:"initiative_id"`
	}) (any, error) {
		return s.Fairs.Invite(c.UserContext(), p, c.Params("id"), in.InitiativeID)
	})
}

func (s *API) acceptFair(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	pt, err := s.Fairs.Accept(c.UserContext(), p, c.Params("id"), c.Params("initiative"))
	if err != nil {
		return err
	}
	return c.JSON(pt)
}

func (s *API) initiativeFairs(c *fiber.Ctx) error {
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
	items, err := s.Fairs.OfInitiative(c.UserContext(), p, c.Params("id"))
	if err != nil {
		return err
	}
	page, err := kit.PageOf(items, c.Query("cursor"), limit, func(f fairs.Summary) string { return f.ID })
	if err != nil {
		return err
	}
	return c.JSON(page)
}
