package storage_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

func TestEmbeddedLockRejectsSecondProcess(t *testing.T) {
	dir := t.TempDir()
	cfg := storage.DBConfig{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	first, err := storage.OpenDB(t.Context(), cfg)
	if err != nil {
		t.Fatalf("first open: %v", err)
	}
	_, err = storage.OpenDB(t.Context(), cfg)
	if !errors.Is(err, errs.Locked) {
		t.Fatalf("second open: got %v, want errs.Locked", err)
	}
	if err := first.Close(t.Context()); err != nil {
		t.Fatalf("close: %v", err)
	}
	again, err := storage.OpenDB(t.Context(), cfg)
	if err != nil {
		t.Fatalf("open after close: got %v, want success", err)
	}
	if err := again.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	_ = again.Close(t.Context())
}

// The single connection is what keeps guarded updates exact on FerretDB.
func TestGuardedDecrementDoesNotOversell(t *testing.T) {
	coll := storagetest.DB(t).Collection("stock")
	if _, err := coll.InsertOne(t.Context(), bson.M{"_id": "p1", "stock": 20}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sold := 0
	for range 50 {
		wg.Go(func() {
			res, err := coll.UpdateOne(t.Context(),
				bson.M{"_id": "p1", "stock": bson.M{"$gte": 1}},
				bson.M{"$inc": bson.M{"stock": -1}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			sold += int(res.ModifiedCount)
			mu.Unlock()
		})
	}
	wg.Wait()
	var doc struct{ Stock int }
	if err := coll.FindOne(t.Context(), bson.M{"_id": "p1"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if sold != 20 || doc.Stock != 0 {
		t.Fatalf("got sold=%d stock=%d, want sold=20 stock=0", sold, doc.Stock)
	}
}

func TestErrMapsDriverErrors(t *testing.T) {
	coll := storagetest.DB(t).Collection("things")
	err := storage.EnsureIndexes(t.Context(), coll, mongo.IndexModel{
		Keys: bson.D{{Key: "slug", Value: 1}}, Options: options.Index().SetUnique(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertOne(t.Context(), bson.M{"_id": "a", "slug": "x"}); err != nil {
		t.Fatal(err)
	}
	_, dupErr := coll.InsertOne(t.Context(), bson.M{"_id": "b", "slug": "x"})
	missErr := coll.FindOne(t.Context(), bson.M{"_id": "zzz"}).Err()
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate key", dupErr, errs.Conflict},
		{"no documents", missErr, errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := storage.Err("thing", tt.err)
			if !errors.Is(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if storage.Err("thing", nil) != nil {
		t.Fatal("got non-nil for nil error")
	}
	if other := storage.Err("thing", fmt.Errorf("boom")); errs.KindOf(other) != nil {
		t.Fatalf("unknown error got kind %v, want none", errs.KindOf(other))
	}
}
