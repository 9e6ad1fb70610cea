package fairs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// Units brought to a fair leave the online stock with a history entry, a
// change moves only the difference, more than is online changes nothing,
// and closing the fair brings back what is left.
func TestStockBroughtLeavesAndComesBack(t *testing.T) {
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(db, objects)
	if err := cat.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	svc := fairs.NewService(db, fairs.Options{Initiatives: cat.MissingInitiatives, Catalog: cat})
	bakery, err := cat.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Panadería de Papa", Municipality: "Mongua", Kind: "bakery", Description: "Pan de papa"})
	if err != nil {
		t.Fatal(err)
	}
	farm, err := cat.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Huerta La Esperanza", Municipality: "Tópaga", Kind: "garden", Description: "Hortalizas"})
	if err != nil {
		t.Fatal(err)
	}
	forty, twelve := int64(40), int64(12)
	bread, err := cat.CreateProduct(t.Context(), accounts.System, bakery.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: &forty})
	if err != nil {
		t.Fatal(err)
	}
	coffee, err := cat.CreateProduct(t.Context(), accounts.System, bakery.ID, catalog.ProductInput{Name: "Tinto", Price: money.Pesos(1000)})
	if err != nil {
		t.Fatal(err)
	}
	tomato, err := cat.CreateProduct(t.Context(), accounts.System, farm.ID, catalog.ProductInput{Name: "Tomate", Price: money.Pesos(2800), Stock: &twelve})
	if err != nil {
		t.Fatal(err)
	}
	producer := &accounts.Principal{UserID: "rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{bakery.ID}}
	f, err := svc.Create(t.Context(), accounts.System, mongua)
	if err == nil {
		_, err = svc.Invite(t.Context(), accounts.System, f.ID, bakery.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	online := func(id string) int64 {
		t.Helper()
		p, err := cat.Product(t.Context(), id)
		if err != nil || p.Stock == nil {
			t.Fatalf("product %s: %+v %v", id, p, err)
		}
		return *p.Stock
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, bread.ID, 10); !errors.Is(err, errs.Conflict) {
		t.Fatalf("before accepting: got %v, want conflict", err)
	}
	if _, err := svc.Accept(t.Context(), producer, f.ID, bakery.ID); err != nil {
		t.Fatal(err)
	}
	b, err := svc.SetStock(t.Context(), producer, f.ID, bread.ID, 10)
	if err != nil || b.Brought != 10 || b.Left != 10 || online(bread.ID) != 30 {
		t.Fatalf("bring 10: %+v %v, online %d; want 10 brought, 30 online", b, err, online(bread.ID))
	}
	if b, err = svc.SetStock(t.Context(), producer, f.ID, bread.ID, 6); err != nil || b.Brought != 6 || online(bread.ID) != 34 {
		t.Fatalf("down to 6: %+v %v, online %d; want 34 online", b, err, online(bread.ID))
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, bread.ID, 41); !errors.Is(err, errs.Conflict) || online(bread.ID) != 34 {
		t.Fatalf("more than online: %v, online %d; want conflict and 34 still online", err, online(bread.ID))
	}
	if b, err = svc.SetStock(t.Context(), producer, f.ID, bread.ID, 8); err != nil || b.Brought != 8 || online(bread.ID) != 32 {
		t.Fatalf("after a refused change, up to 8: %+v %v, online %d", b, err, online(bread.ID))
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, coffee.ID, 5); !errors.Is(err, errs.Conflict) {
		t.Fatalf("a made-to-order product: %v, want conflict", err)
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, tomato.ID, 5); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another initiative's product: %v, want forbidden", err)
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, bread.ID, -1); !errors.Is(err, errs.Invalid) {
		t.Fatalf("a negative quantity: %v, want invalid", err)
	}
	list, err := svc.StockOf(t.Context(), producer, f.ID)
	if err != nil || len(list) != 1 || list[0].Brought != 8 {
		t.Fatalf("the fair's stock: %+v %v", list, err)
	}
	if _, err := svc.Transition(t.Context(), accounts.System, f.ID, fairs.StatusOpen); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(t.Context(), accounts.System, f.ID, fairs.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if got := online(bread.ID); got != 40 {
		t.Fatalf("after closing: %d online, want all 40 back", got)
	}
	if _, err := svc.Transition(t.Context(), accounts.System, f.ID, fairs.StatusClosed); err != nil || online(bread.ID) != 40 {
		t.Fatalf("closing again: %v, online %d; want nothing returned twice", err, online(bread.ID))
	}
	history, err := cat.StockHistory(t.Context(), accounts.System, bread.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var out, back int64
	for _, m := range history.Items {
		switch {
		case strings.HasPrefix(m.Reason, "A la feria "):
			out -= m.Delta
		case strings.HasPrefix(m.Reason, "De vuelta de la feria "):
			back += m.Delta
		}
	}
	if out != 12 || back != 12 {
		t.Fatalf("history: %d units to the fair and %d back, want 12 and 12 (10 − 4 + 2 − 8)", out, back)
	}
	if _, err := svc.SetStock(t.Context(), producer, f.ID, bread.ID, 3); !errors.Is(err, errs.Conflict) {
		t.Fatalf("a closed fair: %v, want conflict", err)
	}
}
