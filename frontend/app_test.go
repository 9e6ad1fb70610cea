package frontend

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// testEnv is an app on a fresh real database and a local object store.
type testEnv struct {
	app     *fiber.App
	catalog *catalog.Service
}

func newTestEnv(t *testing.T, mutate func(*Deps), extra func(fiber.Router)) *testEnv {
	t.Helper()
	db := storagetest.DB(t)
	cat := catalog.NewService(db)
	if err := cat.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Catalog: cat, DB: dbPinger{db.Client()}, Objects: objects, Logger: slog.New(slog.DiscardHandler)}
	if mutate != nil {
		mutate(&d)
	}
	app, err := newApp(d, extra)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{app: app, catalog: cat}
}

// do sends req through the whole middleware stack.
func (e *testEnv) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func (e *testEnv) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(t, req)
}

func decodeProblem(t *testing.T, res *http.Response, body string) problem {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type: got %q, want application/problem+json (body %s)", ct, body)
	}
	var p problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Status != res.StatusCode {
		t.Fatalf("problem status: got %d, want the response status %d", p.Status, res.StatusCode)
	}
	return p
}

func createInitiative(t *testing.T, cat *catalog.Service, name, municipality string) catalog.Initiative {
	t.Helper()
	in, err := cat.CreateInitiative(t.Context(), catalog.InitiativeInput{Name: name, Municipality: municipality, Kind: "bakery", Description: "Pan de papa"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}
