package catalog

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// A crash can stop a stock move after step 1 (recorded, not applied) or after
// step 2 (applied, not confirmed). Recovery must delete the first and confirm
// the second, leaving stock and history in agreement.
func TestRecoverStockMovesAfterACrash(t *testing.T) {
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(storagetest.DB(t), objects)
	if err := s.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	ini, err := s.CreateInitiative(t.Context(), InitiativeInput{Name: "Arepas", Municipality: "Segovia"})
	if err != nil {
		t.Fatal(err)
	}
	ten := int64(10)
	p, err := s.CreateProduct(t.Context(), ini.ID, ProductInput{Name: "Arepa", Price: money.Pesos(2000), Stock: &ten})
	if err != nil {
		t.Fatal(err)
	}
	pending := func(id string, delta int64) StockMove {
		m := StockMove{ID: id, Key: id, ProductID: p.ID, InitiativeID: ini.ID, At: s.now(), Delta: delta, Kind: MoveReservation, Status: "pending"}
		if _, err := s.moves.coll.InsertOne(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// Crashed after step 1: recorded only.
	pending("never-applied", -3)
	// Crashed after step 2: stock changed and the id pushed, not confirmed.
	pending("applied-unconfirmed", -4)
	if _, err := s.products.coll.UpdateOne(t.Context(), bson.M{"_id": p.ID},
		bson.M{"$inc": bson.M{"stock": -4}, "$push": bson.M{"pending_moves": "applied-unconfirmed"}}); err != nil {
		t.Fatal(err)
	}

	n, err := s.RecoverStockMoves(t.Context(), 0)
	if err != nil || n != 2 {
		t.Fatalf("recover: got %d %v, want 2 settled", n, err)
	}
	if _, err := s.StockMove(t.Context(), "never-applied"); err == nil {
		t.Error("a move that never reached the product is still recorded")
	}
	m, err := s.StockMove(t.Context(), "applied-unconfirmed")
	if err != nil || m.Status != "applied" {
		t.Fatalf("applied move: got %+v %v, want applied", m, err)
	}
	var doc productDoc
	if err := s.products.coll.FindOne(t.Context(), bson.M{"_id": p.ID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if *doc.Stock != 6 || len(doc.PendingMoves) != 0 {
		t.Fatalf("product: got stock %d pending %v, want 6 and none", *doc.Stock, doc.PendingMoves)
	}
	history, _ := s.StockHistory(t.Context(), p.ID, "", 10)
	var sum int64
	for _, h := range history {
		sum += h.Delta
	}
	if sum != *doc.Stock {
		t.Fatalf("history sums to %d, stock is %d: they must agree", sum, *doc.Stock)
	}
	if n, _ := s.RecoverStockMoves(t.Context(), 0); n != 0 {
		t.Fatalf("second recovery settled %d, want 0", n)
	}
}
