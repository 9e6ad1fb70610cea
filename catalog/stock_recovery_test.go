package catalog

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
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
	ini, err := s.CreateInitiative(t.Context(), accounts.System, InitiativeInput{Name: "Arepas", Municipality: "Segovia"})
	if err != nil {
		t.Fatal(err)
	}
	ten := int64(10)
	p, err := s.CreateProduct(t.Context(), accounts.System, ini.ID, ProductInput{Name: "Arepa", Price: money.Pesos(2000), Stock: &ten})
	if err != nil {
		t.Fatal(err)
	}
	// A move under way is listed in its bucket first (step 1).
	pending := func(id string, delta int64) {
		if err := s.moves.pending.Add(t.Context(), id, StockMove{ID: id, Key: id, ProductID: p.ID,
			InitiativeID: ini.ID, Seq: storage.NewID(), At: s.now(), Delta: delta, Kind: MoveReservation, Status: "pending"}); err != nil {
			t.Fatal(err)
		}
	}
	// Crashed after step 1: listed only, the stock never changed.
	pending("never-applied", -3)
	// Crashed after step 2: stock changed and the key pushed, nothing stored.
	pending("applied-unconfirmed", -4)
	if _, err := s.products.coll.UpdateOne(t.Context(), bson.M{"_id": p.ID},
		bson.M{"$inc": bson.M{"stock": -4}, "$push": bson.M{"pending_moves": "applied-unconfirmed"}}); err != nil {
		t.Fatal(err)
	}
	var n int
	scans := storagetest.ScansDuring(s.moves.coll.Database(), func() { n, err = s.RecoverStockMoves(t.Context(), 0) })
	if err != nil || n != 1 {
		t.Fatalf("recover: got %d %v, want 1 finished", n, err)
	}
	if len(scans) > 0 {
		t.Errorf("recovery scanned: %+v", scans)
	}
	if _, err := s.StockMove(t.Context(), "never-applied"); err == nil {
		t.Error("a move that never reached the product is recorded")
	}
	if m, err := s.StockMove(t.Context(), "applied-unconfirmed"); err != nil || m.Status != "applied" {
		t.Fatalf("applied move: got %+v %v, want applied", m, err)
	}
	// A repeated key is refused, before and after recovery.
	if _, err := s.ApplyStockMove(t.Context(), StockMove{Key: "applied-unconfirmed", ProductID: p.ID, Delta: -1, Kind: MoveReservation}); err == nil {
		t.Error("a move with a key used before was applied again")
	}
	var doc productDoc
	if err := s.products.coll.FindOne(t.Context(), bson.M{"_id": p.ID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if *doc.Stock != 6 || len(doc.PendingMoves) != 0 {
		t.Fatalf("product: got stock %d pending %v, want 6 and none", *doc.Stock, doc.PendingMoves)
	}
	var history StockPage
	scans = storagetest.ScansDuring(s.moves.coll.Database(), func() {
		history, _ = s.StockHistory(t.Context(), accounts.System, p.ID, "", 10)
	})
	if len(scans) > 0 {
		t.Errorf("stock history scanned: %+v", scans)
	}
	if len(history.Items) != 2 {
		t.Errorf("history lists %d moves, want the initial stock and the recovered move", len(history.Items))
	}
	var sum int64
	for _, h := range history.Items {
		sum += h.Delta
	}
	if sum != *doc.Stock {
		t.Fatalf("history sums to %d, stock is %d: they must agree", sum, *doc.Stock)
	}
	if n, _ := s.RecoverStockMoves(t.Context(), 0); n != 0 {
		t.Fatalf("second recovery settled %d, want 0", n)
	}
}
