package pages

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
)

// An initiative's fairs, for its people: accept an invitation, and say how
// many units of each product go to the fair (they leave the online stock
// and come back when the fair closes). The fairs service decides who may.

func (s *Pages) routesMyFairs(app fiber.Router) {
	app.Get("/mi-iniciativa/:id/ferias", noStore, s.myFairsPage)
	app.Post("/mi-iniciativa/:id/ferias/:fair/aceptar", noStore, s.acceptFairFromPage)
	app.Post("/mi-iniciativa/:id/ferias/:fair/surtido", noStore, s.setFairStockFromPage)
}

func myFairsPath(initiativeID string) string { return myInitiativePath(initiativeID) + "/ferias" }

// myFair is a fair on the initiative's page, with its stock lines.
type myFair struct {
	fairItem
	Invited, Accepted bool
	Lines             []fairLine
}

// fairLine is a stocked product and what the fair holds of it.
type fairLine struct {
	ProductID, Name string
	Online          int64
	Brought, Left   int64
}

type myFairsData struct {
	Initiative catalog.Initiative
	Fairs      []myFair
	// Failed is the fair whose stock form failed, with its message.
	Failed, Error string
}

func (s *Pages) myFairsPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	return s.renderMyFairs(c, fiber.StatusOK, p, in, "", "")
}

func (s *Pages) renderMyFairs(c *fiber.Ctx, status int, p *accounts.Principal, in catalog.Initiative, failed, msg string) error {
	ctx := c.UserContext()
	list, err := s.Fairs.OfInitiative(ctx, p, in.ID)
	if err != nil {
		return err
	}
	var products []catalog.Product
	if accounts.CanEditProducts(p, in.ID) {
		if products, err = s.Catalog.InitiativeProducts(ctx, p, in.ID); err != nil {
			return err
		}
	}
	d := myFairsData{Initiative: in, Failed: failed, Error: msg}
	for _, sum := range list {
		f, err := s.Fairs.Fair(ctx, sum.ID)
		if errors.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		pt := f.Participants[in.ID]
		mf := myFair{fairItem: fairItem{Summary: sum, Venue: f.Venue}, Invited: pt.Status == fairs.Invited, Accepted: pt.Status == fairs.Accepted}
		if mf.Accepted && f.Status != fairs.StatusClosed {
			left := map[string]int64{} // units left: brought less sold, from the fair's tallies
			if stock, err := s.Fairs.StockOf(ctx, p, f.ID); err == nil {
				for _, b := range stock {
					left[b.ProductID] = b.Left
				}
			} else {
				return err
			}
			for _, prod := range products {
				if prod.Stock == nil || !prod.Active {
					continue
				}
				b := f.Stock[prod.ID]
				mf.Lines = append(mf.Lines, fairLine{ProductID: prod.ID, Name: prod.Name, Online: *prod.Stock, Brought: b.Brought, Left: left[prod.ID]})
			}
		}
		d.Fairs = append(d.Fairs, mf)
	}
	c.Locals(pageKey, myFairsPath(in.ID))
	return s.render(c, status, "my_fairs", "myfairs.title", d)
}

func (s *Pages) acceptFairFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	if _, err := s.Fairs.Accept(c.UserContext(), p, c.Params("fair"), in.ID); err != nil {
		return err
	}
	return c.Redirect(myFairsPath(in.ID)+"?aviso=feria-aceptada", fiber.StatusSeeOther)
}

func (s *Pages) setFairStockFromPage(c *fiber.Ctx) error {
	p, in, err := s.myInitiative(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	fairID := c.Params("fair")
	n, msg := parseWhole(c.FormValue("quantity"))
	if msg != "" {
		return s.renderMyFairs(c, fiber.StatusUnprocessableEntity, p, in, fairID, l.T("myfairs.error.quantity"))
	}
	_, err = s.Fairs.SetStock(c.UserContext(), p, fairID, c.FormValue("product_id"), n)
	switch {
	case err == nil:
		return c.Redirect(myFairsPath(in.ID)+"?aviso=surtido-guardado#feria-"+url.PathEscape(fairID), fiber.StatusSeeOther)
	case errors.Is(err, errs.Conflict):
		return s.renderMyFairs(c, fiber.StatusConflict, p, in, fairID, l.T("myfairs.error.stock"))
	case errors.Is(err, errs.Invalid):
		return s.renderMyFairs(c, fiber.StatusUnprocessableEntity, p, in, fairID, l.T("myfairs.error.quantity"))
	}
	return err
}
