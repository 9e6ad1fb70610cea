package frontend

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
)

func TestMentoringListsArePagedByCursor(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	own := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, adviser := env.user(t, "asesora@tesoro.demo", []string{accounts.RoleAdviser}, own.ID)
	for i := range 5 {
		day := time.Now().UTC().AddDate(0, 0, -i%2).Format(time.DateOnly)
		if res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(day, own.ID), adviser)); res.StatusCode != 201 {
			t.Fatalf("create: got %d %s", res.StatusCode, body)
		}
	}
	type page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	for _, list := range []string{"/api/v1/initiatives/" + own.ID + "/sessions?", "/api/v1/agreements?initiative=" + own.ID + "&"} {
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			res, body := env.do(t, request("GET", list+"limit=2&cursor="+url.QueryEscape(cursor), "", adviser))
			if res.StatusCode != 200 {
				t.Fatalf("%s page %d: got %d %s", list, pages, res.StatusCode, body)
			}
			var p page
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("%s: %s on two pages", list, it.ID)
				}
				seen[it.ID] = true
			}
			pages++
			if p.NextCursor == "" {
				break
			}
			if len(p.Items) != 2 || pages > 5 {
				t.Fatalf("%s page %d: %d items and a next cursor", list, pages, len(p.Items))
			}
			cursor = p.NextCursor
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("%s: got %d items on %d pages, want 5 on 3", list, len(seen), pages)
		}
		for _, bad := range []string{"limit=101", "limit=0", "cursor=nada"} {
			res, body := env.do(t, request("GET", list+bad, "", adviser))
			if res.StatusCode != 422 {
				t.Errorf("%s%s: got %d %s, want 422", list, bad, res.StatusCode, body)
			}
		}
	}
}
