package frontend

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/storage"
)

func TestHealthAndReadiness(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	if res, body := env.get(t, "/healthz"); res.StatusCode != 200 || body != "ok" {
		t.Fatalf("/healthz: got %d %q, want 200 ok", res.StatusCode, body)
	}
	res, body := env.get(t, "/readyz")
	if res.StatusCode != 200 {
		t.Fatalf("/readyz: got %d %s, want 200", res.StatusCode, body)
	}

	// A real S3 client pointed at a port where nothing listens.
	dead, err := storage.NewS3Store(storage.S3Config{Endpoint: "127.0.0.1:1", AccessKey: "a", SecretKey: "b", Bucket: "tesoro"})
	if err != nil {
		t.Fatal(err)
	}
	down := newTestEnv(t, func(d *Deps) { d.Objects = dead; d.Logger = slog.New(slog.DiscardHandler) }, nil)
	res, body = down.get(t, "/readyz")
	var checks map[string]string
	_ = json.Unmarshal([]byte(body), &checks)
	if res.StatusCode != 503 || checks["objects"] != "unavailable" || checks["database"] != "ok" {
		t.Fatalf("/readyz with object store down: got %d %v, want 503 objects unavailable", res.StatusCode, checks)
	}
}

func TestListInitiativesPagesAndFilters(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	for _, n := range []struct{ name, town string }{
		{"Arepas de Maíz Segoviana", "Segovia"}, {"Panadería de Papa", "Mongua"},
		{"Huerta La Esperanza", "Remedios"}, {"Piscícola Río Nechí", "El Bagre"}, {"Cafetería El Fogón", "Mongua"},
	} {
		createInitiative(t, env.catalog, n.name, n.town)
	}
	list := func(query string) (int, kit.List[catalog.Initiative]) {
		res, body := env.get(t, "/api/v1/initiatives"+query)
		var page kit.List[catalog.Initiative]
		if res.StatusCode == 200 {
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
		}
		return res.StatusCode, page
	}
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		status, page := list("?limit=2&cursor=" + cursor)
		if status != 200 || len(page.Items) > 2 {
			t.Fatalf("page: got %d with %d items", status, len(page.Items))
		}
		for _, in := range page.Items {
			if seen[in.ID] {
				t.Fatalf("initiative %s repeated across pages", in.Name)
			}
			seen[in.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("pages: got %d initiatives in all, want 5", len(seen))
	}
	tests := []struct {
		query string
		want  int
	}{
		{"?municipality=Mongua", 2},
		{"?municipality=mongua", 2},
		{"?q=arepa", 1},
		{"?q=MAIZ", 1},
		{"?q=rio%20nechi", 1},
		{"?municipality=Mongua&q=fogon", 1},
		{"?q=%28%5B", 0}, // regex metacharacters are literal
	}
	for _, tt := range tests {
		status, page := list(tt.query)
		if status != http.StatusOK || len(page.Items) != tt.want {
			t.Errorf("%s: got %d with %d items, want 200 with %d", tt.query, status, len(page.Items), tt.want)
		}
	}
	for _, bad := range []string{"?limit=0", "?limit=101", "?limit=x", "?municipality=Bogotá"} {
		if status, _ := list(bad); status != 422 {
			t.Errorf("%s: got %d, want 422", bad, status)
		}
	}
}

func TestGetInitiative(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	in := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	res, body := env.get(t, "/api/v1/initiatives/"+in.ID)
	var got catalog.Initiative
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 200 {
		t.Fatalf("got %d %v", res.StatusCode, err)
	}
	if got.Slug != "panaderia-de-papa" || got.Department != "Boyacá" || got.Municipality != "Mongua" {
		t.Fatalf("got %+v, want slug panaderia-de-papa in Mongua, Boyacá", got)
	}
	res, body = env.get(t, "/api/v1/initiatives/nope")
	if res.StatusCode != 404 {
		t.Fatalf("missing: got %d, want 404", res.StatusCode)
	}
	decodeProblem(t, res, body)
}
