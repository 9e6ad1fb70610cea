package orders_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	cat    *catalog.Service
	svc    *orders.Service
	clock  *clock
	bakery catalog.Initiative // Mongua
	arepas catalog.Initiative // Segovia
	bread  catalog.Product    // bakery, stock 25, $ 1.500
	coffee catalog.Product    // bakery, made to order, $ 3.000
	arepa  catalog.Product    // arepas, stock 1000, $ 2.000
}

func newFixture(t *testing.T, opts orders.Options) *fixture {
	t.Helper()
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{cat: catalog.NewService(db, objects), clock: &clock{now: time.Now()}}
	if opts.Clock == nil {
		opts.Clock = f.clock.Now
	}
	f.svc = orders.NewService(db, f.cat, opts)
	ctx := t.Context()
	if err := f.cat.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	f.bakery = mustInitiative(t, f.cat, "Panadería de papa", "Mongua")
	f.arepas = mustInitiative(t, f.cat, "Arepas de maíz", "Segovia")
	f.bread = mustProduct(t, f.cat, f.bakery.ID, "Pan de papa", 1500, ptr(25))
	f.coffee = mustProduct(t, f.cat, f.bakery.ID, "Tinto", 3000, nil)
	f.arepa = mustProduct(t, f.cat, f.arepas.ID, "Arepa de chócolo", 2000, ptr(1000))
	return f
}

func ptr(n int64) *int64 { return &n }

func mustInitiative(t *testing.T, cat *catalog.Service, name, town string) catalog.Initiative {
	t.Helper()
	in, err := cat.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: name, Municipality: town})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func mustProduct(t *testing.T, cat *catalog.Service, initiativeID, name string, pesos int64, stock *int64) catalog.Product {
	t.Helper()
	p, err := cat.CreateProduct(t.Context(), accounts.System, initiativeID, catalog.ProductInput{Name: name, Category: "bread_pastry", Unit: "unit",
		Price: money.Pesos(pesos), Stock: stock})

	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) stock(t *testing.T, id string) int64 {
	t.Helper()
	p, err := f.cat.Product(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Stock == nil {
		t.Fatalf("product %s keeps no stock", id)
	}
	return *p.Stock
}

func guestInput(lines ...orders.LineInput) orders.CheckoutInput {
	return orders.CheckoutInput{Lines: lines, PaymentMethod: orders.MethodCash,
		Buyer: orders.BuyerInput{Name: "Luz Marina", Phone: "+57 310 555 0101", Consent: true}}
}

func line(p catalog.Product, n int64) orders.LineInput {
	return orders.LineInput{ProductID: p.ID, Quantity: n}
}

func decode(t *testing.T, r orders.Receipt) orders.CheckoutResult {
	t.Helper()
	var res orders.CheckoutResult
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("receipt %q: %v", r.Body, err)
	}
	return res
}

func producerOf(ini catalog.Initiative) *accounts.Principal {
	return &accounts.Principal{UserID: "producer-" + ini.ID, Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{ini.ID}}
}

func adviserOf(ini catalog.Initiative) *accounts.Principal {
	return &accounts.Principal{UserID: "adviser-" + ini.ID, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{ini.ID}}
}

var admin = &accounts.Principal{UserID: "admin", Roles: []string{accounts.RoleAdmin}}
