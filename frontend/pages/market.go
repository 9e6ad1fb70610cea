package pages

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/programme"
)

// The public marketplace pages: the home page with its recent products, an
// initiative's page, a product's page and the product search. Anyone may see
// them. They read the catalog's public snapshot (PublicProducts,
// PublicProduct) and show only public fields: an initiative's members are
// personal data and never reach these templates.
//
// They are built for a cheap phone on an expensive prepaid plan: small HTML,
// the 480-pixel thumbnail wherever a photo is shown on a phone, and
// loading="lazy" for every photo below the first row of a list. The budgets
// (home ≤ 60 KB cold, product page ≤ 25 KB with assets cached) are measured by
// BenchmarkPageWeight in cmd/tesoro.

func (s *Pages) routesMarket(app fiber.Router) {
	// The home page is the marketplace's: it supersedes the plain list of
	// initiatives that routesPages registers after this.
	app.Get("/", s.marketHome)
	app.Get("/iniciativas/:slug", s.initiativePage)
	app.Get("/productos/:id", s.productPage)
	app.Get("/buscar", s.searchPage)
}

const (
	// HomeProducts is the length of the home page's strip of recent products.
	HomeProducts = 8
	// ProductsPerPage is the page size of the initiative page and the search.
	ProductsPerPage = 20
	// EagerPhotos is how many cards of a list load their photo at once: the
	// first row on a phone (two columns). The others wait until scrolled near.
	EagerPhotos = 2
	// shortDescription bounds, in characters, an initiative's description on the home page.
	shortDescription = 140
	// maxQuery bounds the search text; longer text is cut.
	maxQuery = 100
)

// The messages WhatsApp opens with. They go to the initiative, whose people
// read Spanish, so they are Spanish whatever the visitor's language.
const (
	waInitiativeText = "Hola, vi su iniciativa en Tesoro y quiero saber más de sus productos."
	waProductText    = "Hola, quiero pedir %s. Lo vi en Tesoro."
)

// productCard is a product in a list: name, price, initiative and thumbnail.
type productCard struct {
	ID, Name, Unit, Initiative string
	Price                      string
	Thumb                      *photo // nil: no photo yet
	Lazy                       bool
}

func productCards(list []catalog.Product) []productCard {
	cards := make([]productCard, len(list))
	for i, p := range list {
		cards[i] = productCard{ID: p.ID, Name: p.Name, Unit: p.Unit, Initiative: p.InitiativeName,
			Price: formatMoney(p.Price), Lazy: i >= EagerPhotos}
		if len(p.Images) > 0 {
			th := fit(p.Images[0], p.Images[0].ThumbURL, catalog.ThumbMaxSide)
			cards[i].Thumb = &th
		}
	}
	return cards
}

// initiativeCard is an initiative on the home page.
type initiativeCard struct {
	Slug, Name, Kind, Stage, Short string
}

// townGroup is one municipality on the home page with its initiatives.
type townGroup struct {
	catalog.Municipality
	Initiatives []initiativeCard
	// HasProducts links to the municipality's products in the search.
	HasProducts bool
}

type homeData struct {
	Groups   []townGroup
	Products []productCard
}

func (s *Pages) marketHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	list, err := s.Catalog.Initiatives(ctx, catalog.InitiativeFilter{ActiveOnly: true})
	if err != nil {
		return err
	}
	recent, _, err := s.Catalog.PublicProducts(ctx, catalog.ProductQuery{Limit: HomeProducts})
	if err != nil {
		return err
	}
	var d homeData
	for _, m := range catalog.Municipalities {
		g := townGroup{Municipality: m}
		for _, in := range list {
			if in.Municipality == m.Name {
				g.Initiatives = append(g.Initiatives, initiativeCard{Slug: in.Slug, Name: in.Name,
					Kind: in.Kind, Stage: in.Stage, Short: shorten(in.Description, shortDescription)})
			}
		}
		if len(g.Initiatives) == 0 {
			continue
		}
		slices.SortFunc(g.Initiatives, func(a, b initiativeCard) int {
			return strings.Compare(catalog.Fold(a.Name), catalog.Fold(b.Name))
		})
		some, _, err := s.Catalog.PublicProducts(ctx, catalog.ProductQuery{Municipality: m.Name, Limit: 1})
		if err != nil {
			return err
		}
		g.HasProducts = len(some) > 0
		d.Groups = append(d.Groups, g)
	}
	d.Products = productCards(recent)
	return s.render(c, fiber.StatusOK, "home", "home.title", d)
}

// shorten cuts s to at most n characters at a word boundary, with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

type initiativeData struct {
	Name, Kind, Stage, Description string
	Municipality, Department       string
	TownSlug                       string // the municipality's section on the home page
	WhatsApp                       string // wa.me link, or ""
	// Commitment is the day ("02/01/2006") the child-labour-free
	// commitment was last verified, "" when it is not verified now.
	Commitment string
	Products   []productCard
	Next       string // link to the next page of products, or ""
	// Photo is the first photo's thumbnail (phones) and Medium its larger
	// rendition (wider screens). Nil: no photo.
	Photo, Medium *photo
}

func (s *Pages) initiativePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	in, err := s.Catalog.InitiativeBySlug(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	if !in.Active {
		return fiber.ErrNotFound
	}
	cursor := c.Query("cursor")
	list, next, err := s.Catalog.PublicProducts(ctx, catalog.ProductQuery{InitiativeID: in.ID, Cursor: cursor, Limit: ProductsPerPage})
	if errors.Is(err, errs.Invalid) && cursor != "" {
		// A stale "see more" link: start the list again rather than fail.
		list, next, err = s.Catalog.PublicProducts(ctx, catalog.ProductQuery{InitiativeID: in.ID, Limit: ProductsPerPage})
	}
	if err != nil {
		return err
	}
	// Only public fields are copied: Members never reach the template.
	d := initiativeData{Name: in.Name, Kind: in.Kind, Stage: in.Stage, Description: in.Description,
		Municipality: in.Municipality, Department: in.Department, TownSlug: catalog.Slugify(in.Municipality),
		WhatsApp: whatsappLink(in.WhatsApp, waInitiativeText), Products: productCards(list)}
	if len(in.Images) > 0 {
		im := in.Images[0]
		th, md := fit(im, im.ThumbURL, catalog.ThumbMaxSide), fit(im, im.MediumURL, catalog.MediumMaxSide)
		d.Photo, d.Medium = &th, &md
	}
	if next != "" {
		d.Next = "/iniciativas/" + url.PathEscape(in.Slug) + "?" + url.Values{"cursor": {next}}.Encode() + "#productos"
	}
	if d.Commitment, err = s.verifiedOn(c, in.ID); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "initiative", "market.initiative.title", d)
}

// availability is what the product page says about stock.
type availability struct {
	MessageID string // market.stock.*
	N         int64
	Class     string // for the colour: ok, order, out
}

func availabilityOf(p catalog.Product) availability {
	switch {
	case p.Stock == nil:
		return availability{MessageID: "market.stock.made_to_order", Class: "order"}
	case *p.Stock <= 0:
		return availability{MessageID: "market.stock.sold_out", Class: "out"}
	default:
		return availability{MessageID: "market.stock.available", N: *p.Stock, Class: "ok"}
	}
}

type productData struct {
	ID, Name, Description, Category, Unit, Price string
	Initiative, InitiativeSlug, Municipality     string
	Stock                                        availability
	// Max is the most the add-to-cart form asks for (the stock, if kept).
	Max int64
	// Photo is the thumbnail (phones) and Medium the larger rendition
	// (wider screens); Full is the original size, linked. Nil: no photo.
	Photo, Medium *photo
	Full          string
	More          []extraPhoto
	WhatsApp      string
	Commitment    string // as initiativeData's
}

// extraPhoto is one of a product's other photos: a thumbnail linking to its
// full size. N counts from 2 (the main photo is the first).
type extraPhoto struct {
	photo
	Full string
	N    int
}

func (s *Pages) productPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := s.Catalog.PublicProduct(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	d := productData{ID: p.ID, Max: cartMax(p), Name: p.Name, Description: p.Description, Category: p.Category, Unit: p.Unit,
		Price: formatMoney(p.Price), Initiative: p.InitiativeName, InitiativeSlug: p.InitiativeSlug,
		Municipality: p.Municipality, Stock: availabilityOf(p)}
	for i, im := range p.Images {
		if i == 0 {
			th, md := fit(im, im.ThumbURL, catalog.ThumbMaxSide), fit(im, im.MediumURL, catalog.MediumMaxSide)
			d.Photo, d.Medium, d.Full = &th, &md, im.FullURL
			continue
		}
		d.More = append(d.More, extraPhoto{fit(im, im.ThumbURL, catalog.ThumbMaxSide), im.FullURL, i + 1})
	}
	// The business number is the initiative's; an initiative gone from the
	// catalog since the snapshot leaves the page without the button.
	in, err := s.Catalog.Initiative(ctx, p.InitiativeID)
	switch {
	case err == nil && in.Active:
		d.WhatsApp = whatsappLink(in.WhatsApp, fmt.Sprintf(waProductText, p.Name))
	case err != nil && !errors.Is(err, errs.NotFound):
		return err
	}
	if d.Commitment, err = s.verifiedOn(c, p.InitiativeID); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "product", "market.product.title", d)
}

// searchSorts are the orders the search offers, in the order of its select.
var searchSorts = []string{catalog.SortNewest, catalog.SortPriceAsc, catalog.SortPriceDesc}

// department is a department with its municipalities, for the search's select.
type department struct {
	Name  string
	Towns []catalog.Municipality
}

var departments = func() []department {
	var out []department
	for _, m := range catalog.Municipalities {
		if len(out) == 0 || out[len(out)-1].Name != m.Department {
			out = append(out, department{Name: m.Department})
		}
		out[len(out)-1].Towns = append(out[len(out)-1].Towns, m)
	}
	return out
}()

type searchData struct {
	Q, Town, Category, Sort string // as chosen (Town is a municipality slug)
	TownName                string
	Departments             []department
	Categories, Sorts       []string
	// Filtered is true when the visitor asked for something (text or a filter).
	Filtered bool
	Results  []productCard
	Next     string   // link to the next page, or ""
	Problems []string // message ids of invalid parameters
	Restart  string   // the same search from its first page, after a stale cursor
}

// searchProblems maps the fields the catalog rejects to their messages.
var searchProblems = map[string]string{
	"municipality": "market.search.invalid.municipality",
	"category":     "market.search.invalid.category",
	"sort":         "market.search.invalid.sort",
	"cursor":       "market.search.invalid.cursor",
}

func (s *Pages) searchPage(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	if utf8.RuneCountInString(q) > maxQuery {
		q = string([]rune(q)[:maxQuery])
	}
	d := searchData{Q: q, Town: c.Query("municipio"), Category: c.Query("categoria"), Sort: c.Query("orden"),
		Departments: departments, Categories: catalog.Categories, Sorts: searchSorts}
	if d.Sort == "" {
		d.Sort = catalog.SortNewest
	}
	if m, ok := catalog.LookupMunicipality(d.Town); ok && d.Town != "" {
		d.Town, d.TownName = m.Slug, m.Name
	}
	d.Filtered = q != "" || d.Town != "" || d.Category != ""
	cursor := c.Query("cursor")
	list, next, err := s.Catalog.PublicProducts(c.UserContext(), catalog.ProductQuery{
		Text: q, Municipality: d.Town, Category: d.Category, Sort: d.Sort, Cursor: cursor, Limit: ProductsPerPage})
	params := func(cursor string) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": q, "municipio": d.Town, "categoria": d.Category, "cursor": cursor} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if d.Sort != catalog.SortNewest {
			v.Set("orden", d.Sort)
		}
		if len(v) == 0 {
			return "/buscar"
		}
		return "/buscar?" + v.Encode()
	}
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			id := searchProblems[f.Field]
			if id == "" {
				id = "error.invalid"
			}
			d.Problems = append(d.Problems, id)
			switch f.Field { // show the select on its first option again
			case "municipality":
				d.Town = ""
			case "category":
				d.Category = ""
			case "sort":
				d.Sort = catalog.SortNewest
			case "cursor":
				d.Restart = params("")
			}
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "search", "market.search.title", d)
	}
	if err != nil {
		return err
	}
	d.Results = productCards(list)
	if next != "" {
		d.Next = params(next)
	}
	return s.render(c, fiber.StatusOK, "search", "market.search.title", d)
}

// verifiedOn is the day the initiative's commitment was last verified, as
// pages write it, or "" when it is not verified now: all the public sees.
func (s *Pages) verifiedOn(c *fiber.Ctx, initiativeID string) (string, error) {
	if s.Commitments == nil {
		return "", nil
	}
	pub, err := s.Commitments.Public(c.UserContext(), initiativeID)
	if err != nil || pub.State != programme.StateVerified {
		return "", err
	}
	day, err := time.Parse(time.DateOnly, pub.VerifiedOn)
	if err != nil {
		return "", nil
	}
	return day.Format("02/01/2006"), nil
}
