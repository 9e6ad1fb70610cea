package pages

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// The public fair pages: the fairs coming (and open now), and a fair with
// where, when and which initiatives sell there.

func (s *Pages) routesFairs(app fiber.Router) {
	app.Get("/ferias", s.fairsPage)
	app.Get("/ferias/:id", s.fairPage)
}

// fairItem is a fair as the pages show it.
type fairItem struct {
	fairs.Summary
	Venue string
}

func fairItemOf(f fairs.Fair) fairItem {
	return fairItem{Summary: fairs.Summary{ID: f.ID, Name: f.Name, Municipality: f.Municipality, Department: f.Department,
		StartsOn: f.StartsOn, EndsOn: f.EndsOn, Status: f.Status}, Venue: f.Venue}
}

// Days is when the fair is: one day, or from the first to the last.
func (f fairItem) Days() string {
	start, end := dayOf(f.StartsOn), dayOf(f.EndsOn)
	if start == end {
		return start
	}
	return start + " – " + end
}

// Open reports whether the fair is selling now.
func (f fairItem) Open() bool { return f.Status == fairs.StatusOpen }

// dayOf writes a YYYY-MM-DD day as Colombians do: 12/12/2026.
func dayOf(d string) string {
	if t, ok := parseDay(d); ok {
		return t.Format(dayLayout)
	}
	return d
}

func (s *Pages) fairsPage(c *fiber.Ctx) error {
	list, err := s.Fairs.Current(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]fairItem, 0, len(list))
	for _, f := range list {
		items = append(items, fairItem{Summary: f})
	}
	return s.render(c, fiber.StatusOK, "fairs", "fairs.title", map[string]any{"Fairs": items})
}

// fairSeller is an initiative that sells at a fair.
type fairSeller struct{ Name, Slug, Kind string }

func (s *Pages) fairPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := s.Fairs.Fair(ctx, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	var sellers []fairSeller
	for _, pt := range f.List() {
		if pt.Status != fairs.Accepted {
			continue
		}
		in, err := s.Catalog.Initiative(ctx, pt.InitiativeID)
		if errors.Is(err, errs.NotFound) || (err == nil && !in.Active) {
			continue // an initiative since removed or archived
		}
		if err != nil {
			return err
		}
		sellers = append(sellers, fairSeller{Name: in.Name, Slug: in.Slug, Kind: in.Kind})
	}
	// Who sells here finds the till and her shared tables on the fair's page.
	p := kit.Principal(c)
	sells := f.Status == fairs.StatusOpen && f.SellsHere(p)
	return s.render(c, fiber.StatusOK, "fair", "fairs.fair.title", map[string]any{"Fair": fairItemOf(f), "Sellers": sellers,
		"Sells": sells, "Tables": f.TablesOf(p), "Organizes": fairs.CanOrganize(p)})
}
