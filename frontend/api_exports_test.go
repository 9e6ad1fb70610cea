package frontend

import (
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
)

func TestExportSessionsAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	own := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, adviser := env.user(t, "asesora@tesoro.demo", []string{accounts.RoleAdviser}, own.ID)
	_, producer := env.user(t, "rosa@tesoro.demo", []string{accounts.RoleProducer}, own.ID)
	_, admin := env.user(t, "admin@tesoro.demo", []string{accounts.RoleAdmin})

	today := time.Now().UTC().Format(time.DateOnly)
	if res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(today, own.ID), adviser)); res.StatusCode != 201 {
		t.Fatalf("create: got %d %s", res.StatusCode, body)
	}
	path := "/api/v1/exports/sessions?from=" + today + "&to=" + today

	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"anonymous", path, "", 401},
		{"producer", path, producer, 403},
		{"bad from", "/api/v1/exports/sessions?from=01/03/2026&to=" + today, adviser, 422},
		{"missing to", "/api/v1/exports/sessions?from=" + today, adviser, 422},
		{"to before from", "/api/v1/exports/sessions?from=2026-03-10&to=2026-03-01", admin, 422},
		{"bad format", path + "&format=pdf", admin, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := env.do(t, request("GET", tc.path, "", tc.token))
			if res.StatusCode != tc.want {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tc.want)
			}
		})
	}

	t.Run("csv", func(t *testing.T) {
		res, body := env.do(t, request("GET", path+"&format=csv", "", adviser))
		if res.StatusCode != 200 {
			t.Fatalf("got %d %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type: got %q, want text/csv", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
			t.Errorf("Content-Disposition: got %q", cd)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "\uFEFFFecha,Municipio,") {
			t.Fatalf("body: got %q", body)
		}
		date := time.Now().UTC().Format("02/01/2006")
		if want := date + ",Mongua,Boyacá," + own.ID + ",visit,accounting;marketing,3,1,2,0,90"; lines[1] != want {
			t.Errorf("row: got %q, want %q", lines[1], want)
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		res, body := env.do(t, request("GET", path+"&format=xlsx", "", admin))
		if res.StatusCode != 200 {
			t.Fatalf("got %d %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("Content-Type: got %q", ct)
		}
		if !strings.HasPrefix(body, "PK") {
			t.Errorf("body is not a zip (xlsx)")
		}
	})
}

// A session naming an initiative that is gone no longer breaks the export:
// the rest is exported and the problem reported (item 9 of the security
// review: one bad record made the whole export 404). A session for an
// initiative that does not exist cannot be recorded at all.
func TestExportSurvivesABadRecord(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	kept := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	gone := createInitiative(t, env.catalog, "Arepas que ya no está", "Segovia")
	_, admin := env.user(t, "admin@tesoro.demo", []string{accounts.RoleAdmin})
	today := time.Now().UTC().Format(time.DateOnly)
	if res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(today, "doesnotexist"), admin)); res.StatusCode != 422 || !strings.Contains(body, "initiative_ids") {
		t.Fatalf("a session for an initiative that does not exist: got %d %s, want 422 on initiative_ids", res.StatusCode, body)
	}
	for _, id := range []string{kept.ID, gone.ID} {
		if res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(today, id), admin)); res.StatusCode != 201 {
			t.Fatalf("create: got %d %s", res.StatusCode, body)
		}
	}
	// A record of before the check: its initiative is gone.
	if _, err := env.db.Collection("initiatives").DeleteOne(t.Context(), map[string]any{"_id": gone.ID}); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "xlsx"} {
		res, body := env.do(t, request("GET", "/api/v1/exports/sessions?from="+today+"&to="+today+"&format="+format, "", admin))
		if res.StatusCode != 200 || res.Header.Get("X-Export-Problems") != "1" {
			t.Fatalf("%s export with a bad record: got %d, problems %q: %.200s", format, res.StatusCode, res.Header.Get("X-Export-Problems"), body)
		}
		if format == "csv" && (!strings.Contains(body, "Mongua") || strings.Contains(body, "Segovia")) {
			t.Errorf("csv: %q, want the kept initiative's row only", body)
		}
	}
}
