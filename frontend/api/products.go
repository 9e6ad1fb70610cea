package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func (s *API) routesProducts(api fiber.Router) {
	api.Get("/products", s.listProducts)
	api.Get("/products/:id", s.getProduct)
	api.Patch("/products/:id", s.updateProduct)
	api.Delete("/products/:id", s.archiveProduct)
	api.Post("/products/:id/images", addImage(s.Catalog.AddProductImage))
	api.Delete("/products/:id/images/:image", removeImage(s.Catalog.RemoveProductImage))
	api.Post("/products/:id/stock-adjustments", s.adjustStock)
	api.Get("/products/:id/stock-adjustments", s.stockHistory)
	api.Post("/initiatives/:id/products", s.createProduct)
	api.Get("/initiatives/:id/products", s.initiativeProducts)
	api.Get("/initiatives/:id/members", s.listMembers)
	api.Post("/initiatives/:id/members", s.addMember)
	api.Delete("/initiatives/:id/members/:member", s.removeMember)
	api.Get("/initiatives/:id/members/:member/personal-data", s.memberData)
	api.Post("/initiatives/:id/images", addImage(s.Catalog.AddInitiativePhoto))
	api.Delete("/initiatives/:id/images/:image", removeImage(s.Catalog.RemoveInitiativePhoto))
}

// pageCache keeps encoded public product pages, plain and gzipped, for the
// current catalog version: the marketplace's hottest request is answered from
// memory without compressing it again each time.
type pageCache struct {
	mu      sync.Mutex
	version int64
	pages   map[string]cachedPage
}

type cachedPage struct{ plain, gzipped []byte }

const pageCacheMax = 512

func (pc *pageCache) get(version int64, key string) (cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.version != version {
		return cachedPage{}, false
	}
	b, ok := pc.pages[key]
	return b, ok
}

func (pc *pageCache) put(version int64, key string, page cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.version != version || pc.pages == nil || len(pc.pages) >= pageCacheMax {
		pc.version, pc.pages = version, map[string]cachedPage{}
	}
	pc.pages[key] = page
}

func newCachedPage(plain []byte) cachedPage {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // once per catalog version
	_, _ = zw.Write(plain)
	_ = zw.Close()
	return cachedPage{plain: plain, gzipped: buf.Bytes()}
}

// send answers with the gzipped copy when the client takes it.
func (cp cachedPage) send(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Vary(fiber.HeaderAcceptEncoding)
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(cp.gzipped)
	}
	return c.Send(cp.plain)
}

func (s *API) listProducts(c *fiber.Ctx) error {
	ctx := c.UserContext()
	version, err := s.Catalog.SnapshotVersion(ctx)
	if err != nil {
		return err
	}
	key := string(c.Request().URI().QueryString())
	if page, ok := s.productPages.get(version, key); ok {
		return page.send(c)
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := s.Catalog.PublicProducts(ctx, catalog.ProductQuery{
		InitiativeID: c.Query("initiative"), Municipality: c.Query("municipality"), Category: c.Query("category"),
		Text: c.Query("q"), Sort: c.Query("sort"), Cursor: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	b, err := json.Marshal(kit.List[catalog.Product]{Items: items, NextCursor: next})
	if err != nil {
		return err
	}
	page := newCachedPage(b)
	s.productPages.put(version, strings.Clone(key), page)
	return page.send(c)
}

func (s *API) getProduct(c *fiber.Ctx) error {
	if p := kit.Principal(c); p != nil {
		// Signed in, the answer is private (no-store) and read from the
		// document: whoever just sold or counted stock sees it at once.
		prod, err := s.Catalog.ProductFor(c.UserContext(), p, c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(prod)
	}
	prod, err := s.Catalog.PublicProduct(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(prod)
}

func (s *API) createProduct(c *fiber.Ctx) error {
	return answer(c, fiber.StatusCreated, func(p *accounts.Principal, in catalog.ProductInput) (any, error) {
		return s.Catalog.CreateProduct(c.UserContext(), p, c.Params("id"), in)
	})
}

// initiativeProducts lists every product of an initiative, archived ones
// included, for the people who manage it.
func (s *API) initiativeProducts(c *fiber.Ctx) error {
	return listHeld(c, func(p *accounts.Principal) ([]catalog.Product, error) {
		return s.Catalog.InitiativeProducts(c.UserContext(), p, c.Params("id"))
	}, func(pr catalog.Product) string { return pr.ID })
}

func (s *API) updateProduct(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(p *accounts.Principal, up catalog.ProductUpdate) (any, error) {
		return s.Catalog.UpdateProduct(c.UserContext(), p, c.Params("id"), up)
	})
}

func (s *API) archiveProduct(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.ArchiveProduct(c.UserContext(), p, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// stockAdjustment is the body of a stock adjustment.
type stockAdjustment struct {
	Delta  int64  `json:"delta"`
	Reason string `json:"reason"`
}

func (s *API) adjustStock(c *fiber.Ctx) error {
	return recordKeyed(c, func(ctx context.Context, p *accounts.Principal, id string, in stockAdjustment, key string) (any, bool, error) {
		m, err := s.Catalog.AdjustStock(ctx, p, id, in.Delta, in.Reason, key)
		return m, m.Replayed, err
	})
}

func (s *API) stockHistory(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Catalog.StockHistory(c.UserContext(), p, c.Params("id"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(page)
}

func (s *API) listMembers(c *fiber.Ctx) error {
	return listHeld(c, func(p *accounts.Principal) ([]catalog.Member, error) {
		return s.Catalog.Members(c.UserContext(), p, c.Params("id"))
	}, func(m catalog.Member) string { return m.ID })
}

func (s *API) addMember(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	var m catalog.Member
	if err := kit.DecodeJSON(c, &m); err != nil {
		return err
	}
	m, err = s.Catalog.AddMember(c.UserContext(), p, id, m)
	if err != nil {
		return err
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "member_added",
		TargetKind: "initiative", TargetID: id, IP: c.IP(), Details: map[string]string{"member": m.ID}})
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *API) removeMember(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	if err := s.RemoveMember(c, p, c.Params("id"), c.Params("member")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// memberData downloads what Tesoro holds about one member (Ley 1581).
func (s *API) memberData(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	data, err := s.MemberData(c, p, c.Params("id"), c.Params("member"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="datos-integrante-tesoro.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}
