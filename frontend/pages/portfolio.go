package pages

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/progress"
)

// The adviser's portfolio on one phone screen: each initiative with its
// light, stage, twelve months of sales as a sparkline drawn here, and what
// turned the light; filtered by municipality and light, sorted by light,
// name or sales.

func (s *Pages) routesPortfolio(app fiber.Router) {
	app.Get("/asesoria/portafolio", noStore, s.portfolioPage)
}

type portfolioRow struct {
	progress.PortfolioItem
	Spark string // the sparkline's polyline points
	Year  int64  // the twelve months' sales, minor units
}

type portfolioData struct {
	Rows           []portfolioRow
	Municipalities []catalog.Municipality
	Municipality   string
	Light          string
	Sort           string
	Counts         map[string]int
}

// sparkline is the points of a 100×24 polyline of amounts.
func sparkline(amounts []int64) string {
	var top int64
	for _, a := range amounts {
		top = max(top, a)
	}
	var b strings.Builder
	for i, a := range amounts {
		y := 22
		if top > 0 {
			y = 22 - int(a*20/top)
		}
		x := i * 100 / max(1, len(amounts)-1)
		fmt.Fprintf(&b, "%d,%d ", x, y)
	}
	return strings.TrimSpace(b.String())
}

func (s *Pages) portfolioPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/asesoria/portafolio")
	}
	items, err := s.Progress.Portfolio(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := portfolioData{Municipalities: catalog.Municipalities, Municipality: c.Query("municipio"), Light: c.Query("luz"), Sort: c.Query("orden"),
		Counts: map[string]int{}}
	for _, it := range items {
		d.Counts[it.Light]++
		if it.Commitment == "verified" {
			d.Counts["commitment"]++
		}
		if (d.Municipality != "" && it.Municipality != d.Municipality) || (d.Light != "" && it.Light != d.Light) {
			continue
		}
		row := portfolioRow{PortfolioItem: it, Spark: sparkline(it.SalesLast12Months)}
		for _, a := range it.SalesLast12Months {
			row.Year += a
		}
		d.Rows = append(d.Rows, row)
	}
	switch d.Sort {
	case "nombre":
		slices.SortStableFunc(d.Rows, func(a, b portfolioRow) int { return strings.Compare(a.Name, b.Name) })
	case "ventas":
		slices.SortStableFunc(d.Rows, func(a, b portfolioRow) int { return int(b.Year - a.Year) })
	}
	return s.render(c, fiber.StatusOK, "portfolio", "portfolio.title", d)
}
