// Package storagetest gives tests a real database: one embedded FerretDB per
// test binary (or the MongoDB at TESORO_TEST_MONGODB_URI) and a fresh database
// per test, dropped when the test ends.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/storage"
)

var (
	once    sync.Once
	shared  *storage.DB
	openErr error
	// Scans records every query by anything but _id on the shared server.
	Scans = &storage.ScanLog{}
)

// DB returns a new, empty database for this test on the shared server.
func DB(t testing.TB) *mongo.Database {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "tesoro-testdb-")
		if err != nil {
			openErr = err
			return
		}
		shared, openErr = storage.OpenDB(context.Background(), storage.DBConfig{
			URI:     os.Getenv("TESORO_TEST_MONGODB_URI"),
			DataDir: dir,
			Logger:  testLogger(),
			Monitor: Scans.Monitor(),
		})
	})
	if openErr != nil {
		t.Fatalf("test database: %v", openErr)
	}
	db := shared.Client.Database("t_" + RandomHex(6))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db
}

// RandomHex returns 2n random hex characters, for unique names in tests.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testLogger discards the embedded server's log unless TESORO_TEST_DBLOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("TESORO_TEST_DBLOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// ScansDuring returns the queries by anything but _id that fn sent to db:
// the test of a list or a periodic pass asserts there are none.
func ScansDuring(db *mongo.Database, fn func()) []storage.Scan {
	mark := Scans.Mark()
	fn()
	return Scans.Since(db.Name(), mark)
}
