package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func (s *API) routesProducts(api fiber.Router) {
	api.Get("/products", s.listProducts)
	api.Get("/products/:id", s.getProduct)
	api.Patch("/products/:id", s.updateProduct)
	api.Delete("/products/:id", s.archiveProduct)
	api.Post("/products/:id/images", s.uploadProductImage)
	api.Delete("/products/:id/images/:image", s.deleteProductImage)
	api.Post("/products/:id/stock-adjustments", s.adjustStock)
	api.Get("/products/:id/stock-adjustments", s.stockHistory)
	api.Post("/initiatives/:id/products", s.createProduct)
	api.Get("/initiatives/:id/products", s.initiativeProducts)
	api.Get("/initiatives/:id/members", s.listMembers)
	api.Post("/initiatives/:id/members", s.addMember)
	api.Delete("/initiatives/:id/members/:member", s.removeMember)
	api.Post("/initiatives/:id/photos", s.uploadInitiativePhoto)
	api.Delete("/initiatives/:id/photos/:image", s.deleteInitiativePhoto)
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

// editableProduct loads a product the principal may change: 404 when it does
// not exist, 403 when it belongs to someone else's initiative.
func (s *API) editableProduct(c *fiber.Ctx) (*accounts.Principal, catalog.Product, error) {
	p, err := kit.RequireUser(c)
	if err != nil {
		return nil, catalog.Product{}, err
	}
	prod, err := s.Catalog.Product(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, catalog.Product{}, err
	}
	if !accounts.CanEditProducts(p, prod.InitiativeID) {
		return nil, catalog.Product{}, errs.Forbidden
	}
	return p, prod, nil
}

func (s *API) getProduct(c *fiber.Ctx) error {
	if p := kit.Principal(c); p != nil {
		// Signed in, the answer is private (no-store) and read from the
		// document: whoever just sold or counted stock sees it at once.
		prod, err := s.Catalog.Product(c.UserContext(), c.Params("id"))
		if err == nil && !prod.Active && !accounts.CanSeeInitiativePrivate(p, prod.InitiativeID) {
			err = errs.NotFound
		}
		if err != nil {
			return err
		}
		return c.JSON(prod)
	}
	prod, err := s.Catalog.PublicProduct(c.UserContext(), c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		// Archived products stay visible to the people who manage them.
		prod, err = s.Catalog.Product(c.UserContext(), c.Params("id"))
		if err == nil && !accounts.CanSeeInitiativePrivate(kit.Principal(c), prod.InitiativeID) {
			err = errs.NotFound
		}
	}
	if err != nil {
		return err
	}
	return c.JSON(prod)
}

func (s *API) createProduct(c *fiber.Ctx) error {
	_, id, err := s.initiativeFor(c, accounts.CanEditProducts)
	if err != nil {
		return err
	}
	var in catalog.ProductInput
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	prod, err := s.Catalog.CreateProduct(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(prod)
}

func (s *API) initiativeProducts(c *fiber.Ctx) error {
	_, id, err := s.initiativeFor(c, accounts.CanSeeInitiativePrivate)
	if err != nil {
		return err
	}
	items, err := s.Catalog.InitiativeProducts(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[catalog.Product]{Items: items})
}

func (s *API) updateProduct(c *fiber.Ctx) error {
	_, prod, err := s.editableProduct(c)
	if err != nil {
		return err
	}
	var up catalog.ProductUpdate
	if err := kit.DecodeJSON(c, &up); err != nil {
		return err
	}
	updated, err := s.Catalog.UpdateProduct(c.UserContext(), prod.ID, up)
	if err != nil {
		return err
	}
	return c.JSON(updated)
}

func (s *API) archiveProduct(c *fiber.Ctx) error {
	_, prod, err := s.editableProduct(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.ArchiveProduct(c.UserContext(), prod.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *API) uploadProductImage(c *fiber.Ctx) error {
	_, prod, err := s.editableProduct(c)
	if err != nil {
		return err
	}
	file, err := kit.UploadedImage(c)
	if err != nil {
		return err
	}
	defer file.Close()
	img, err := s.Catalog.AddProductImage(c.UserContext(), prod.ID, file)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(img)
}

func (s *API) deleteProductImage(c *fiber.Ctx) error {
	_, prod, err := s.editableProduct(c)
	if err != nil {
		return err
	}
	if err := s.Catalog.RemoveProductImage(c.UserContext(), prod.ID, c.Params("image")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *API) adjustStock(c *fiber.Ctx) error {
	p, prod, err := s.editableProduct(c)
	if err != nil {
		return err
	}
	var in struct {
		Delta  int64  `json:"delta"`
		Reason string `json:"reason"`
	}
	if err := kit.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.Catalog.AdjustStock(c.UserContext(), prod.ID, p.UserID, in.Delta, in.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *API) stockHistory(c *fiber.Ctx) error {
	p, err := kit.RequireUser(c)
	if err != nil {
		return err
	}
	prod, err := s.Catalog.Product(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !accounts.CanSeeInitiativePrivate(p, prod.InitiativeID) {
		return errs.Forbidden
	}
	limit, err := kit.PageLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Catalog.StockHistory(c.UserContext(), prod.ID, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(page)
}

// initiativeFor checks, for the initiative in the path, that the request is
// signed in (401), that the initiative exists (404) and that allowed says yes (403).
func (s *API) initiativeFor(c *fiber.Ctx, allowed func(*accounts.Principal, string) bool) (*accounts.Principal, string, error) {
	p, err := kit.RequireUser(c)
	if err != nil {
		return nil, "", err
	}
	id := c.Params("id")
	if _, err := s.Catalog.Initiative(c.UserContext(), id); err != nil {
		return nil, "", err
	}
	if !allowed(p, id) {
		return nil, "", errs.Forbidden
	}
	return p, id, nil
}

func (s *API) listMembers(c *fiber.Ctx) error {
	_, id, err := s.initiativeFor(c, accounts.CanSeeInitiativePrivate)
	if err != nil {
		return err
	}
	members, err := s.Catalog.Members(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(kit.List[catalog.Member]{Items: members})
}

func (s *API) addMember(c *fiber.Ctx) error {
	p, id, err := s.initiativeFor(c, accounts.CanEditInitiative)
	if err != nil {
		return err
	}
	var m catalog.Member
	if err := kit.DecodeJSON(c, &m); err != nil {
		return err
	}
	m, err = s.Catalog.AddMember(c.UserContext(), id, m)
	if err != nil {
		return err
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "member_added",
		TargetKind: "initiative", TargetID: id, IP: c.IP(), Details: map[string]string{"member": m.ID}})
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *API) removeMember(c *fiber.Ctx) error {
	p, id, err := s.initiativeFor(c, accounts.CanEditInitiative)
	if err != nil {
		return err
	}
	if err := s.Catalog.RemoveMember(c.UserContext(), id, c.Params("member")); err != nil {
		return err
	}
	_ = s.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "member_removed",
		TargetKind: "initiative", TargetID: id, IP: c.IP(), Details: map[string]string{"member": c.Params("member")}})
	return c.SendStatus(fiber.StatusNoContent)
}
