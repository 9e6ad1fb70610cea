package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
)

func newInitiative(t *testing.T, svc *catalog.Service, name, town string) catalog.Initiative {
	t.Helper()
	in, err := svc.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: name, Municipality: town})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func stock(n int64) *int64 { return &n }

func TestProductValidation(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Panadería", "Mongua")
	ok := catalog.ProductInput{Name: "Pan de papa", Category: "bread_pastry", Unit: "unit", Price: money.Pesos(1500), Stock: stock(10)}
	tests := []struct {
		name      string
		mutate    func(*catalog.ProductInput)
		wantField string
	}{
		{"valid", func(*catalog.ProductInput) {}, ""},
		{"made to order", func(in *catalog.ProductInput) { in.Stock = nil }, ""},
		{"defaults", func(in *catalog.ProductInput) { in.Category, in.Unit, in.Price.Currency = "", "", "" }, ""},
		{"short name", func(in *catalog.ProductInput) { in.Name = "P" }, "name"},
		{"unknown category", func(in *catalog.ProductInput) { in.Category = "gold" }, "category"},
		{"unknown unit", func(in *catalog.ProductInput) { in.Unit = "ton" }, "unit"},
		{"zero price", func(in *catalog.ProductInput) { in.Price = money.Pesos(0) }, "price.amount"},
		{"negative price", func(in *catalog.ProductInput) { in.Price = money.Pesos(-5) }, "price.amount"},
		{"centavos", func(in *catalog.ProductInput) { in.Price = money.Money{Amount: 150050, Currency: "COP"} }, "price.amount"},
		{"dollars", func(in *catalog.ProductInput) { in.Price = money.Money{Amount: 500, Currency: "USD"} }, "price.currency"},
		{"absurd price", func(in *catalog.ProductInput) { in.Price = money.Pesos(200_000_000) }, "price.amount"},
		{"negative stock", func(in *catalog.ProductInput) { in.Stock = stock(-1) }, "stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.mutate(&in)
			p, err := svc.CreateProduct(t.Context(), accounts.System, ini.ID, in)
			if tt.wantField == "" {
				if err != nil || p.Municipality != "Mongua" || p.InitiativeName != "Panadería" || p.Price.Currency != "COP" {
					t.Fatalf("got %+v %v, want a product of Mongua's Panadería in COP", p, err)
				}
				return
			}
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tt.wantField {
				t.Fatalf("got %v, want one field error on %s", err, tt.wantField)
			}
		})
	}
	if _, err := svc.CreateProduct(t.Context(), accounts.System, "missing", ok); !errors.Is(err, errs.NotFound) {
		t.Fatalf("unknown initiative: got %v, want not found", err)
	}
}

// 50 concurrent −1 adjustments on a stock of 20: exactly 20 succeed, the rest
// are conflicts, the stock ends at 0 and the history has 20 entries.
func TestStockAdjustmentRace(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Arepas", "Segovia")
	p, err := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Arepa de chócolo", Price: money.Pesos(2500), Stock: stock(20)})
	if err != nil {
		t.Fatal(err)
	}
	var ok, conflict atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := svc.AdjustStock(t.Context(), accounts.System, p.ID, -1, fmt.Sprintf("venta %d", i), "")
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, errs.Conflict):
				conflict.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := svc.Product(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 20 || conflict.Load() != 30 || *got.Stock != 0 {
		t.Fatalf("got %d ok, %d conflicts, stock %d; want 20, 30, 0", ok.Load(), conflict.Load(), *got.Stock)
	}
	page, err := svc.StockHistory(t.Context(), accounts.System, p.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	history := page.Items
	var results []int64
	for _, m := range history {
		if m.Kind == catalog.MoveInitial {
			if m.Delta != 20 || *m.ResultingStock != 20 {
				t.Fatalf("initial move: got %+v, want +20 leaving 20", m)
			}
			continue
		}
		results = append(results, *m.ResultingStock)
	}
	slices.Sort(results)
	want := make([]int64, 20)
	for i := range want {
		want[i] = int64(i)
	}
	if !slices.Equal(results, want) {
		t.Fatalf("history resulting stocks: got %v, want each of 0..19 once", results)
	}
}

func TestStockMoveRules(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Huerta", "Remedios")
	p, _ := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Cilantro", Price: money.Pesos(1000), Stock: stock(3)})
	if _, err := svc.AdjustStock(t.Context(), accounts.System, p.ID, -4, "venta grande", ""); !errors.Is(err, errs.Conflict) {
		t.Fatalf("below zero: got %v, want conflict", err)
	}
	if _, err := svc.AdjustStock(t.Context(), accounts.System, p.ID, 2, "", ""); !errors.Is(err, errs.Invalid) {
		t.Fatalf("no reason: got %v, want invalid", err)
	}
	if _, err := svc.AdjustStock(t.Context(), accounts.System, p.ID, 0, "nada", ""); !errors.Is(err, errs.Invalid) {
		t.Fatalf("zero delta: got %v, want invalid", err)
	}
	m, err := svc.AdjustStock(t.Context(), &accounts.Principal{UserID: "rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{p.InitiativeID}}, p.ID, 5, "cosecha del lunes", "")
	if err != nil || *m.ResultingStock != 8 || m.ActorID != "rosa" || m.Kind != catalog.MoveAdjustment {
		t.Fatalf("got %+v %v, want resulting stock 8 by rosa", m, err)
	}
	// A keyed move happens once.
	res := catalog.StockMove{Key: "reserve:o1:0", ProductID: p.ID, Delta: -2, Kind: catalog.MoveReservation, Ref: "o1"}
	if _, err := svc.ApplyStockMove(t.Context(), res); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyStockMove(t.Context(), res); !errors.Is(err, errs.Conflict) {
		t.Fatalf("same key twice: got %v, want conflict", err)
	}
	got, _ := svc.Product(t.Context(), p.ID)
	if *got.Stock != 6 {
		t.Fatalf("stock: got %d, want 6", *got.Stock)
	}
	made, _ := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Tamales", Price: money.Pesos(6000)})
	if _, err := svc.AdjustStock(t.Context(), accounts.System, made.ID, 1, "hechos", ""); !errors.Is(err, errs.Conflict) {
		t.Fatalf("made to order: got %v, want conflict", err)
	}
	if n, err := svc.RecoverStockMoves(t.Context(), 0); err != nil || n != 0 {
		t.Fatalf("recovery with nothing pending: got %d %v", n, err)
	}
}

func TestPublicSearchAndFilters(t *testing.T) {
	svc := newCatalog(t)
	seg := newInitiative(t, svc, "Arepas Segoviana", "Segovia")
	mon := newInitiative(t, svc, "Panadería La Monguana", "Mongua")
	for _, in := range []struct {
		ini   string
		name  string
		cat   string
		price int64
	}{
		{seg.ID, "Arepas de maíz pelado", "prepared_food", 6000},
		{seg.ID, "Arepa de chócolo", "prepared_food", 2500},
		{mon.ID, "Pan de papa", "bread_pastry", 1500},
		{mon.ID, "Almojábanas", "bread_pastry", 1200},
		{mon.ID, "Kumis casero", "dairy", 4000},
	} {
		if _, err := svc.CreateProduct(t.Context(), accounts.System, in.ini, catalog.ProductInput{Name: in.name, Category: in.cat, Price: money.Pesos(in.price)}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(q catalog.ProductQuery) []string {
		items, _, err := svc.PublicProducts(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range items {
			out = append(out, p.Name)
		}
		return out
	}
	tests := []struct {
		name string
		q    catalog.ProductQuery
		want []string
	}{
		{"accentless finds accented", catalog.ProductQuery{Text: "arepa", Sort: catalog.SortPriceAsc}, []string{"Arepa de chócolo", "Arepas de maíz pelado"}},
		{"accented finds accentless", catalog.ProductQuery{Text: "MAÍZ"}, []string{"Arepas de maíz pelado"}},
		{"chocolo without accent", catalog.ProductQuery{Text: "chocolo"}, []string{"Arepa de chócolo"}},
		{"by municipality", catalog.ProductQuery{Municipality: "mongua", Sort: catalog.SortPriceAsc}, []string{"Almojábanas", "Pan de papa", "Kumis casero"}},
		{"text and category", catalog.ProductQuery{Text: "CASERO", Category: "dairy"}, []string{"Kumis casero"}},
		{"initiative names are not product text", catalog.ProductQuery{Text: "monguana"}, nil},
		{"by initiative", catalog.ProductQuery{InitiativeID: seg.ID, Sort: catalog.SortPriceDesc}, []string{"Arepas de maíz pelado", "Arepa de chócolo"}},
		{"newest first", catalog.ProductQuery{Category: "bread_pastry"}, []string{"Almojábanas", "Pan de papa"}},
		{"nothing", catalog.ProductQuery{Text: "oro"}, nil},
		{"words in any order", catalog.ProductQuery{Text: "pelado  arepas"}, []string{"Arepas de maíz pelado"}},
		{"every word must match", catalog.ProductQuery{Text: "arepas queso"}, nil},
	}
	for _, tt := range tests {
		if got := names(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, bad := range []catalog.ProductQuery{{Sort: "popular"}, {Municipality: "Bogotá"}, {Category: "gold"}, {Cursor: "%%%"}} {
		if _, _, err := svc.PublicProducts(t.Context(), bad); !errors.Is(err, errs.Invalid) {
			t.Errorf("%+v: got %v, want invalid", bad, err)
		}
	}
	// Archived products leave the public list.
	items, _, _ := svc.PublicProducts(t.Context(), catalog.ProductQuery{Text: "kumis"})
	if err := svc.ArchiveProduct(t.Context(), accounts.System, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := names(catalog.ProductQuery{Text: "kumis"}); len(got) != 0 {
		t.Fatalf("archived product still public: %v", got)
	}
}

// Walking pages while products are added must neither repeat nor skip any
// product that existed when the walk began.
func TestPaginationStableWhileAdding(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Huerta", "Gámeza")
	var want []string
	for i := range 25 {
		p, err := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: fmt.Sprintf("Producto %02d", i), Price: money.Pesos(int64(1000 + (i%7)*100))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, p.ID)
	}
	for _, sort := range []string{catalog.SortNewest, catalog.SortPriceAsc, catalog.SortPriceDesc} {
		seen := map[string]int{}
		cursor := ""
		for page := 0; ; page++ {
			items, next, err := svc.PublicProducts(t.Context(), catalog.ProductQuery{Sort: sort, Cursor: cursor, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range items {
				seen[p.ID]++
			}
			// Someone lists a new product between every page.
			if _, err := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: fmt.Sprintf("Nuevo %s %d", sort, page), Price: money.Pesos(1300)}); err != nil {
				t.Fatal(err)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		for _, id := range want {
			if seen[id] != 1 {
				t.Errorf("%s: product %s seen %d times, want exactly once", sort, id, seen[id])
			}
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s: product %s repeated %d times", sort, id, n)
			}
		}
	}
}

func TestMembers(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Barequeras", "Zaragoza")
	m, err := svc.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Yurani Palacios", Role: "lideresa", Sex: "female", AgeGroup: "youth"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "X", Sex: "other", AgeGroup: "child"}); !errors.Is(err, errs.Invalid) {
		t.Fatalf("bad member: got %v, want invalid", err)
	}
	list, _ := svc.Members(t.Context(), accounts.System, ini.ID)
	if len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("members: got %+v", list)
	}
	if got, err := svc.Member(t.Context(), accounts.System, ini.ID, m.ID); err != nil || got.Name != "Yurani Palacios" {
		t.Fatalf("member: got %+v, %v", got, err)
	}
	// A failure to forget her elsewhere keeps her, so the removal can be retried whole.
	broken := errors.New("training records unavailable")
	if err := svc.RemoveMember(t.Context(), accounts.System, ini.ID, m.ID, func(context.Context) error { return broken }); !errors.Is(err, broken) {
		t.Fatalf("remove with a failing forget: got %v", err)
	}
	if _, err := svc.Member(t.Context(), accounts.System, ini.ID, m.ID); err != nil {
		t.Fatalf("member removed although forgetting her failed: %v", err)
	}
	forgets := 0
	if err := svc.RemoveMember(t.Context(), accounts.System, ini.ID, m.ID, func(context.Context) error { forgets++; return nil }); err != nil || forgets != 1 {
		t.Fatalf("remove: %v, forgotten %d times", err, forgets)
	}
	if _, err := svc.Member(t.Context(), accounts.System, ini.ID, m.ID); !errors.Is(err, errs.NotFound) {
		t.Fatalf("removed member: got %v, want not found", err)
	}
	if err := svc.RemoveMember(t.Context(), accounts.System, ini.ID, m.ID, nil); !errors.Is(err, errs.NotFound) {
		t.Fatalf("remove twice: got %v, want not found", err)
	}
}

func TestMadeToOrderSwitchIsInTheHistory(t *testing.T) {
	svc := newCatalog(t)
	ini := newInitiative(t, svc, "Amasijos", "Sogamoso")
	p, _ := svc.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Envueltos", Price: money.Pesos(2000), Stock: stock(7)})
	yes := true
	got, err := svc.UpdateProduct(t.Context(), accounts.System, p.ID, catalog.ProductUpdate{MadeToOrder: &yes})
	if err != nil || got.Stock != nil {
		t.Fatalf("switch: got %+v %v, want made to order", got.Stock, err)
	}
	page, _ := svc.StockHistory(t.Context(), accounts.System, p.ID, "", 10)
	history := page.Items
	if len(history) != 2 || history[0].Kind != catalog.MoveMadeToOrder || history[0].Delta != -7 || history[0].ResultingStock != nil {
		t.Fatalf("history: got %+v, want the switch (−7, no stock left) after the initial +7", history)
	}
}
