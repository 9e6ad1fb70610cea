package frontend

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/money"
)

// Every list of the API takes limit and cursor and answers {items,
// next_cursor} (the structure issue's style): with two or more items,
// limit=1 gives one and a cursor, the cursor gives the next one, and a limit
// out of range is 422.
func TestEveryListPagesWithLimitAndCursor(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini, arepa := arepasOnSale(t, env)
	createInitiative(t, env.catalog, "Huerta La Esperanza", "Tópaga")
	bread, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Pan de maíz", Price: money.Pesos(2000), Stock: stock(10)})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Yurani Palacios", "Marta Gómez"} {
		if _, err := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: name, Role: "socia", Sex: "female", AgeGroup: "adult"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []int64{3, -1} {
		if _, err := env.catalog.AdjustStock(t.Context(), accounts.System, bread.ID, d, "conteo del día", ""); err != nil {
			t.Fatal(err)
		}
	}
	_, admin := env.user(t, "admin@example.co", []string{accounts.RoleAdmin})
	_, adviser := env.user(t, "asesora@example.co", []string{accounts.RoleAdviser}, ini.ID)
	_, buyer := env.user(t, "compradora@example.co", []string{accounts.RoleBuyer})
	for _, key := range []string{"pedido-1", "pedido-2"} {
		placeOrder(t, env, key, `{"lines": [{"product_id": "`+arepa.ID+`", "quantity": 1}],
			"buyer": {"name": "Bea Ruiz", "phone": "3105551234", "consent": true}, "payment_method": "cash"}`, buyer)
	}
	var sessionID string
	for i, day := range []int{3, 2} {
		date := time.Now().AddDate(0, 0, -day).Format(time.DateOnly)
		res, body := env.do(t, request(http.MethodPost, "/api/v1/sessions", sessionJSON(date, ini.ID), adviser))
		if res.StatusCode != 201 {
			t.Fatalf("session %d: %d %s", i, res.StatusCode, body)
		}
		var s struct{ ID string }
		_ = json.Unmarshal([]byte(body), &s)
		sessionID = s.ID
	}
	for _, notes := range []string{"Primera revisión", "Segunda revisión"} {
		if res, body := env.do(t, request(http.MethodPatch, "/api/v1/sessions/"+sessionID, `{"notes": "`+notes+`"}`, adviser)); res.StatusCode != 200 {
			t.Fatalf("edit the session: %d %s", res.StatusCode, body)
		}
	}
	lists := []struct{ path, token string }{
		{"/api/v1/initiatives", ""},
		{"/api/v1/products", ""},
		{"/api/v1/initiatives/" + ini.ID + "/products", admin},
		{"/api/v1/initiatives/" + ini.ID + "/members", admin},
		{"/api/v1/products/" + bread.ID + "/stock-adjustments", admin},
		{"/api/v1/orders", buyer},
		{"/api/v1/initiatives/" + ini.ID + "/orders", admin},
		{"/api/v1/initiatives/" + ini.ID + "/sessions", adviser},
		{"/api/v1/sessions/" + sessionID + "/versions", adviser},
		{"/api/v1/agreements", adviser},
		{"/api/v1/users", admin},
		{"/api/v1/audit", admin},
	}
	for _, l := range lists {
		t.Run(l.path, func(t *testing.T) {
			page := func(query string) ([]string, string) {
				t.Helper()
				res, body := env.do(t, request(http.MethodGet, l.path+"?"+query, "", l.token))
				if res.StatusCode != 200 {
					t.Fatalf("GET %s?%s: %d %s", l.path, query, res.StatusCode, body)
				}
				var p struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
					NextCursor *string `json:"next_cursor"`
				}
				if err := json.Unmarshal([]byte(body), &p); err != nil || p.Items == nil {
					t.Fatalf("GET %s?%s: %s is not {items, next_cursor}", l.path, query, body)
				}
				var ids []string
				for _, it := range p.Items {
					ids = append(ids, it.ID)
				}
				next := ""
				if p.NextCursor != nil {
					next = *p.NextCursor
				}
				return ids, next
			}
			first, next := page("limit=1")
			if len(first) != 1 || next == "" {
				t.Fatalf("limit=1: %d items, cursor %q; want 1 and a cursor", len(first), next)
			}
			second, _ := page("limit=1&cursor=" + url.QueryEscape(next))
			if len(second) != 1 || second[0] == first[0] {
				t.Fatalf("the next page: %v after %v, want another item", second, first)
			}
			res, body := env.do(t, request(http.MethodGet, l.path+"?limit=0", "", l.token))
			if res.StatusCode != 422 || !strings.Contains(body, `"limit"`) {
				t.Fatalf("limit=0: %d %s, want 422 naming limit", res.StatusCode, body)
			}
		})
	}
}
