package fairs_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// fairToday is an open fair in Mongua today where the bakery and the farm
// sell: the bakery brought 20 loaves of bread, the farm 10 tomatoes; coffee
// is made to order.
type fairToday struct {
	svc                   *fairs.Service
	cat                   *catalog.Service
	ord                   *orders.Service
	fair                  fairs.Fair
	bakery, farm          catalog.Initiative
	bread, coffee, tomato catalog.Product
	rosa, ana             *accounts.Principal
}

func newFairToday(t testing.TB) *fairToday {
	t.Helper()
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	x := &fairToday{cat: catalog.NewService(db, objects)}
	// With the sales counters, as the program runs.
	x.ord = orders.NewService(db, x.cat, orders.Options{Logger: slog.New(slog.DiscardHandler), Count: progress.NewService(db, progress.Options{}).Count})
	x.svc = fairs.NewService(db, fairs.Options{Initiatives: x.cat.MissingInitiatives, Catalog: x.cat, Orders: x.ord})
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.cat.EnsureIndexes(ctx))
	must(x.ord.EnsureIndexes(ctx))
	x.bakery, err = x.cat.CreateInitiative(ctx, accounts.System, catalog.InitiativeInput{Name: "Panadería de Papa", Municipality: "Mongua", Kind: "bakery", Description: "Pan de papa"})
	must(err)
	x.farm, err = x.cat.CreateInitiative(ctx, accounts.System, catalog.InitiativeInput{Name: "Huerta La Esperanza", Municipality: "Tópaga", Kind: "garden", Description: "Hortalizas"})
	must(err)
	fifty, thirty := int64(50), int64(30)
	x.bread, err = x.cat.CreateProduct(ctx, accounts.System, x.bakery.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: &fifty})
	must(err)
	x.coffee, err = x.cat.CreateProduct(ctx, accounts.System, x.bakery.ID, catalog.ProductInput{Name: "Tinto", Price: money.Pesos(1000)})
	must(err)
	x.tomato, err = x.cat.CreateProduct(ctx, accounts.System, x.farm.ID, catalog.ProductInput{Name: "Tomate", Price: money.Pesos(2800), Stock: &thirty})
	must(err)
	x.rosa = &accounts.Principal{UserID: "rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{x.bakery.ID}}
	x.ana = &accounts.Principal{UserID: "ana", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{x.farm.ID}}
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	x.fair, err = x.svc.Create(ctx, accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", StartsOn: today, EndsOn: today})
	must(err)
	for _, ini := range []catalog.Initiative{x.bakery, x.farm} {
		_, err = x.svc.Invite(ctx, accounts.System, x.fair.ID, ini.ID)
		must(err)
		_, err = x.svc.Accept(ctx, accounts.System, x.fair.ID, ini.ID)
		must(err)
	}
	_, err = x.svc.SetStock(ctx, x.rosa, x.fair.ID, x.bread.ID, 20)
	must(err)
	_, err = x.svc.SetStock(ctx, x.ana, x.fair.ID, x.tomato.ID, 10)
	must(err)
	_, err = x.svc.Transition(ctx, accounts.System, x.fair.ID, fairs.StatusOpen)
	must(err)
	return x
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (x *fairToday) sale(method string, lines ...fairs.SaleLine) fairs.SaleInput {
	s := fairs.SaleInput{ClientID: uuid(), SoldAt: time.Now().Add(-time.Minute).Format(time.RFC3339Nano), Lines: lines, PaymentMethod: method}
	if method == orders.MethodCredit {
		s.Buyer = &fairs.SaleBuyer{Name: "Doña Marta", Phone: "3101234567"}
		s.DueOn = time.Now().In(colombia.Zone).AddDate(0, 0, 8).Format(time.DateOnly)
	}
	return s
}

func line(p catalog.Product, n int64) fairs.SaleLine {
	return fairs.SaleLine{ProductID: p.ID, Quantity: n, UnitPrice: p.Price}
}

func (x *fairToday) totalSales(t testing.TB, initiativeID string) int {
	t.Helper()
	n := 0
	for cursor := "start"; cursor != ""; {
		if cursor == "start" {
			cursor = ""
		}
		page, err := x.ord.InitiativeOrders(t.Context(), accounts.System, initiativeID, orders.ListFilter{Cursor: cursor, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n, cursor = n+len(page.Items), page.Next
	}
	return n
}

// 500 sales sent once, then again in shuffled batches from two phones at
// once: 500 orders in the histories, each counted once in the fair's
// tallies, every result of the second round a duplicate.
func TestSalesSyncedTwiceShuffledAndConcurrentlyAreStoredOnce(t *testing.T) {
	x := newFairToday(t)
	methods := []string{orders.MethodCash, orders.MethodNequi, orders.MethodTransfer, orders.MethodCredit}
	var sales []fairs.SaleInput
	for i := range 500 {
		sales = append(sales, x.sale(methods[i%4], line(x.coffee, int64(1+i%3))))
	}
	send := func(who *accounts.Principal, list []fairs.SaleInput) []fairs.SaleResult {
		var out []fairs.SaleResult
		for from := 0; from < len(list); from += fairs.MaxBatch {
			res, err := x.svc.SyncSales(t.Context(), who, x.fair.ID, list[from:min(from+fairs.MaxBatch, len(list))])
			if err != nil {
				t.Error(err)
				return nil
			}
			out = append(out, res...)
		}
		return out
	}
	for i, r := range send(x.rosa, sales) {
		if r.Status != fairs.SaleCreated || len(r.OrderIDs) != 1 || r.ClientID != sales[i].ClientID {
			t.Fatalf("sale %d: %+v, want created with one order", i, r)
		}
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			again := append([]fairs.SaleInput(nil), sales...)
			mrand.Shuffle(len(again), func(i, j int) { again[i], again[j] = again[j], again[i] })
			for _, r := range send(x.rosa, again) {
				if r.Status != fairs.SaleDuplicate || len(r.OrderIDs) != 1 {
					t.Errorf("sent again: %+v, want a duplicate naming its order", r)
				}
			}
		})
	}
	wg.Wait()
	if n := x.totalSales(t, x.bakery.ID); n != 500 {
		t.Fatalf("the bakery's history lists %d orders, want 500", n)
	}
	report, err := x.svc.Report(t.Context(), accounts.System, x.fair.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := report.Initiative(x.bakery.ID); got.Sales != 500 || got.Units != 999 {
		t.Fatalf("the fair's tally: %d sales of %d units, want 500 of 999", got.Sales, got.Units)
	}
}

// A batch with bad sales: those are rejected with their reasons, the rest
// created; a sale of more than the fair holds and one at an old price are
// accepted and flagged.
func TestBadSalesAreRejectedTheRestCreated(t *testing.T) {
	x := newFairToday(t)
	good := x.sale(orders.MethodCash, line(x.bread, 2))
	unknown := x.sale(orders.MethodCash, fairs.SaleLine{ProductID: "nope", Quantity: 1, UnitPrice: money.Pesos(100)})
	negative := x.sale(orders.MethodCash, line(x.bread, -3))
	other := x.sale(orders.MethodCash, line(x.tomato, 1)) // rosa does not sell for the farm
	yearsOff := x.sale(orders.MethodCash, line(x.bread, 1))
	yearsOff.SoldAt = "2019-05-01T10:00:00-05:00"
	noID := x.sale(orders.MethodCash, line(x.bread, 1))
	noID.ClientID = "sale-1"
	creditNoPhone := x.sale(orders.MethodCash, line(x.bread, 1))
	creditNoPhone.PaymentMethod = orders.MethodCredit
	over := x.sale(orders.MethodNequi, line(x.bread, 25)) // 20 brought, 2 sold above
	oldPrice := x.sale(orders.MethodCash, fairs.SaleLine{ProductID: x.coffee.ID, Quantity: 1, UnitPrice: money.Pesos(800)})
	batch := []fairs.SaleInput{good, unknown, negative, other, yearsOff, noID, creditNoPhone, over, oldPrice}
	res, err := x.svc.SyncSales(t.Context(), x.rosa, x.fair.ID, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ status, code, flag string }{
		{fairs.SaleCreated, "", ""},
		{fairs.SaleRejected, fairs.RejectProduct, ""},
		{fairs.SaleRejected, fairs.RejectQuantity, ""},
		{fairs.SaleRejected, fairs.RejectNotYours, ""},
		{fairs.SaleRejected, fairs.RejectSoldAt, ""},
		{fairs.SaleRejected, fairs.RejectClientID, ""},
		{fairs.SaleRejected, fairs.RejectCreditBuyer, ""},
		{fairs.SaleCreated, "", fairs.FlagOverBrought},
		{fairs.SaleCreated, "", fairs.FlagPriceChanged},
	}
	for i, w := range want {
		r := res[i]
		if r.Status != w.status || r.Code != w.code || (w.flag != "" && (len(r.Flags) != 1 || r.Flags[0] != w.flag)) {
			t.Errorf("sale %d: %+v, want %s %s %s", i, r, w.status, w.code, w.flag)
		}
		if r.Status == fairs.SaleRejected && r.Reason == "" {
			t.Errorf("sale %d rejected without a reason", i)
		}
	}
	o, err := x.ord.Order(t.Context(), accounts.System, res[8].OrderIDs[0], "")
	if err != nil || o.Total != money.Pesos(800) || o.Channel != orders.ChannelFair || o.FairID != x.fair.ID || o.Status != orders.StatusDelivered || !o.IsPaid() {
		t.Fatalf("the old-price sale: %+v %v; want delivered at the fair, paid 800 pesos (the phone's price)", o, err)
	}
	if n := x.totalSales(t, x.bakery.ID); n != 3 {
		t.Fatalf("%d orders stored, want the 3 good sales", n)
	}
	if _, err := x.svc.SyncSales(t.Context(), x.ana, x.fair.ID, make([]fairs.SaleInput, fairs.MaxBatch+1)); !errors.Is(err, errs.Invalid) {
		t.Fatalf("a batch over %d: %v, want invalid", fairs.MaxBatch, err)
	}
	buyer := &accounts.Principal{UserID: "b", Roles: []string{accounts.RoleBuyer}}
	if _, err := x.svc.SyncSales(t.Context(), buyer, x.fair.ID, batch[:1]); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("a buyer: %v, want forbidden", err)
	}
}

// A sale of two initiatives' products at a shared table becomes one order
// per initiative, recorded by the table's cashier.
func TestSharedTableSplitsASale(t *testing.T) {
	x := newFairToday(t)
	cashier := &accounts.Principal{UserID: "lucia", Roles: []string{accounts.RoleAdviser}}
	tbl, err := x.svc.AddTable(t.Context(), accounts.System, x.fair.ID, fairs.TableInput{Name: "Mesa común", CashierID: cashier.UserID,
		Initiatives: []string{x.bakery.ID, x.farm.ID}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.svc.SyncSales(t.Context(), cashier, x.fair.ID, []fairs.SaleInput{x.sale(orders.MethodCash, line(x.bread, 2), line(x.tomato, 3))})
	if err != nil || res[0].Status != fairs.SaleCreated || len(res[0].OrderIDs) != 2 {
		t.Fatalf("a shared sale: %+v %v, want two orders", res, err)
	}
	report, err := x.svc.Report(t.Context(), cashier, x.fair.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, f := report.Initiative(x.bakery.ID), report.Initiative(x.farm.ID); b.Amount != money.Pesos(3000) || f.Amount != money.Pesos(8400) {
		t.Fatalf("split: bakery %v, farm %v; want 3000 and 8400 pesos", b.Amount, f.Amount)
	}
	other := &accounts.Principal{UserID: "otro", Roles: []string{accounts.RoleAdviser}}
	if _, err := x.svc.SyncSales(t.Context(), other, x.fair.ID, []fairs.SaleInput{x.sale(orders.MethodCash, line(x.bread, 1))}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("a cashier of no table: %v, want forbidden", err)
	}
	_ = tbl
}

// The closing sums a fixture: float, cash sales, a cash refund, Nequi and
// credit apart; later sales are rejected, the unsold stock goes back, and
// the same closing sent again answers the one recorded.
func TestClosingSumsTheCash(t *testing.T) {
	x := newFairToday(t)
	ctx := t.Context()
	sales := []fairs.SaleInput{
		x.sale(orders.MethodCash, line(x.bread, 4)),                    // 6 000
		x.sale(orders.MethodCash, line(x.coffee, 3)),                   // 3 000
		x.sale(orders.MethodNequi, line(x.bread, 2)),                   // 3 000
		x.sale(orders.MethodCredit, line(x.bread, 1)),                  // 1 500 owed
		x.sale(orders.MethodTransfer, line(x.coffee, 1)),               // 1 000
		x.sale(orders.MethodCash, line(x.bread, 1)),                    // 1 500, given back
		x.sale(orders.MethodCredit, line(x.bread, 2)),                  // 3 000 owed, 1 000 paid in cash
		x.sale(orders.MethodCash, line(x.bread, 1), line(x.coffee, 1)), // 2 500
	}
	res, err := x.svc.SyncSales(ctx, x.rosa, x.fair.ID, sales)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != fairs.SaleCreated {
			t.Fatalf("sale %d: %+v", i, r)
		}
	}
	if _, err := x.ord.RefundOrder(ctx, x.rosa, res[5].OrderIDs[0], orders.RefundInput{Amount: money.Pesos(1500), Method: orders.MethodCash, Reason: "Pan quemado"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := x.ord.Pay(ctx, x.rosa, res[6].OrderIDs[0], orders.PaymentInput{Amount: money.Pesos(1000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	credits, err := x.ord.Credits(ctx, x.rosa, x.bakery.ID)
	if err != nil || len(credits) != 2 || credits[0].Outstanding()+credits[1].Outstanding() != money.Pesos(3500).Amount {
		t.Fatalf("fiado: %+v %v, want two owing 3500 pesos in all", credits, err)
	}
	counted := money.Pesos(20_000 + 6000 + 3000 + 2500 + 1000 - 500) // 500 short
	c, err := x.svc.Close(ctx, x.rosa, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, OpeningFloat: money.Pesos(20_000), CountedCash: &counted})
	if err != nil {
		t.Fatal(err)
	}
	wantCash := money.Pesos(6000 + 3000 + 1500 + 2500 + 1000) // the refunded sale's cash counts as in, then out
	if c.CashSales != wantCash || c.CashRefunds != money.Pesos(1500) || c.ExpectedCash != money.Pesos(20_000+14_000-1500) ||
		c.Difference != money.Pesos(-500) || c.Sales != 8 || c.ByMethod[orders.MethodNequi] != money.Pesos(3000) ||
		c.ByMethod[orders.MethodCredit] != money.Pesos(4500) || c.ClosedBy != "rosa" {
		t.Fatalf("closing: %+v", c)
	}
	again, err := x.svc.Close(ctx, x.rosa, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, OpeningFloat: money.Pesos(20_000), CountedCash: &counted})
	if err != nil || again.ClosedAt != c.ClosedAt {
		t.Fatalf("the same closing again: %+v %v, want the one recorded", again, err)
	}
	other := money.Pesos(1)
	if _, err := x.svc.Close(ctx, x.rosa, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, OpeningFloat: money.Pesos(20_000), CountedCash: &other}); !errors.Is(err, errs.Conflict) {
		t.Fatalf("another closing: %v, want conflict", err)
	}
	late, err := x.svc.SyncSales(ctx, x.rosa, x.fair.ID, append([]fairs.SaleInput{x.sale(orders.MethodCash, line(x.bread, 1))}, sales[0]))
	if err != nil || late[0].Status != fairs.SaleRejected || late[0].Code != fairs.RejectClosed || late[1].Status != fairs.SaleDuplicate {
		t.Fatalf("after closing: %+v %v, want the new sale rejected and the old one a duplicate", late, err)
	}
	bread, err := x.cat.Product(ctx, x.bread.ID)
	if err != nil || *bread.Stock != 50-20+(20-11) {
		t.Fatalf("online stock after closing: %v %v, want 39 (11 of 20 sold at the fair)", bread.Stock, err)
	}
	if _, err := x.svc.Close(ctx, x.ana, x.fair.ID, fairs.ClosingInput{InitiativeID: x.bakery.ID, OpeningFloat: money.Pesos(0), CountedCash: &other}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another initiative's producer: %v, want forbidden", err)
	}
}

// BenchmarkSync500 sends 500 queued sales (three batches, as the phone
// does) to an open fair on the embedded database: the target is 500 in
// at most 10 s. Reported: sales/s and seconds per 500.
func BenchmarkSync500(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		x := newFairToday(b)
		var sales []fairs.SaleInput
		methods := []string{orders.MethodCash, orders.MethodNequi, orders.MethodTransfer, orders.MethodCredit}
		for i := range 500 {
			sales = append(sales, x.sale(methods[i%4], line(x.bread, 1), line(x.coffee, int64(1+i%3))))
		}
		b.StartTimer()
		start := time.Now()
		for from := 0; from < len(sales); from += fairs.MaxBatch {
			if _, err := x.svc.SyncSales(b.Context(), x.rosa, x.fair.ID, sales[from:min(from+fairs.MaxBatch, len(sales))]); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		b.ReportMetric(500/el.Seconds(), "sales/s")
		b.ReportMetric(el.Seconds(), "s/500")
		if out := os.Getenv("TESORO_BENCH_OUT"); out != "" {
			section := fmt.Sprintf(`## Fair sales sync

Target: 500 sales queued on a phone reach an open fair on the embedded database in at most 10 s
(`+"`fairs.BenchmarkSync500`"+`: three batches of at most 200, each sale two lines — a product with stock at
the fair, flagged when it sells past what was brought, and a made-to-order one — cash, Nequi,
transfer and credit in turn).

| sales | batches | total | sales/s |
| --- | --- | --- | --- |
| 500 | 3 | %.2f s | %.0f |

- Per batch: the batch listed in `+"`fair_syncs`"+`, one insertMany of the orders, the histories,
  ledgers and tallies appended a bucket at a time (`+"`Feed.AppendMany`"+`), each order's history
  bucket set in bulk writes of 50, the sales counters (one guarded update per initiative and
  month, and its series copied), the batch unlisted.
- Reproduce: `+"`./scripts/bench fair-sync`"+`.
`, el.Seconds(), 500/el.Seconds())
			if err := os.WriteFile(out, []byte(section), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
}
