package frontend

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// Progress through the API: fair sales show in this month's figures as
// they sync (an undone one does not count), an expense lowers the margin
// (sent twice with one Idempotency-Key, once), a bad expense changes
// nothing; advisers read but do not write, other producers see nothing.
func TestProgressThroughTheAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, producer := env.user(t, "productora@example.co", []string{accounts.RoleProducer}, ini.ID)
	_, adviser := env.user(t, "asesora@example.co", []string{accounts.RoleAdviser}, ini.ID)
	_, stranger := env.user(t, "otra@example.co", []string{accounts.RoleProducer}, createInitiative(t, env.catalog, "Arepas", "Segovia").ID)
	stock := int64(30)
	bread, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: &stock})
	if err != nil {
		t.Fatal(err)
	}
	fairID := sellingFair(t, env, ini, bread, producer)
	kept, undone := newUUID(), newUUID()
	batch := `{"sales": [` + saleJSON(kept, bread.ID, 2, "cash", `, "buyer": {"name": "Marta", "phone": "3101234567"}`) + `,` + saleJSON(undone, bread.ID, 3, "nequi", "") + `]}`
	res, body := env.do(t, request(http.MethodPost, "/api/v1/fairs/"+fairID+"/sales/batch", batch, producer))
	wantStatus(t, "sales", res, 200, body)
	var sent struct {
		Results []struct{ ClientID, Status string }
	}
	_ = json.Unmarshal([]byte(body), &sent)
	soldAt := strings.SplitN(strings.SplitN(batch, `"sold_at": "`, 3)[2], `"`, 2)[0]
	res, body = env.do(t, request(http.MethodPost, "/api/v1/fairs/"+fairID+"/sales/"+undone+"/undo",
		`{"sold_at": "`+soldAt+`", "undone_at": "`+time.Now().Format(time.RFC3339)+`"}`, producer))
	wantStatus(t, "undo", res, 200, body)

	month := time.Now().In(colombia.Zone).Format("2006-01")
	read := func(token string, want int) progress.Progress {
		t.Helper()
		res, body := env.do(t, request(http.MethodGet, "/api/v1/initiatives/"+ini.ID+"/progress?from="+month+"&to="+month, "", token))
		wantStatus(t, "progress", res, want, body)
		var pr progress.Progress
		if want == 200 {
			if err := json.Unmarshal([]byte(body), &pr); err != nil {
				t.Fatal(err)
			}
		}
		return pr
	}
	pr := read(producer, 200)
	if len(pr.Months) != 1 || pr.Stage != progress.StageSelling {
		t.Fatalf("progress: %+v", pr)
	}
	m := pr.Months[0]
	if m.Orders != 1 || m.Units != 2 || m.Amount != money.Pesos(3000) || m.ByChannel["fair"] != money.Pesos(3000) || m.DistinctBuyers != 1 || m.Margin != money.Pesos(3000) {
		t.Fatalf("this month: %+v, want the one sale kept (2 loaves, 3 000 pesos)", m)
	}
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	expense := `{"date": "` + today + `", "category": "supplies", "amount": {"amount": 120000, "currency": "COP"}, "note": "Harina"}`
	for range 2 {
		req := request(http.MethodPost, "/api/v1/initiatives/"+ini.ID+"/expenses", expense, producer)
		req.Header.Set("Idempotency-Key", "harina-1")
		res, body := env.do(t, req)
		wantStatus(t, "expense", res, 201, body)
	}
	res, body = env.do(t, request(http.MethodPost, "/api/v1/initiatives/"+ini.ID+"/expenses", strings.Replace(expense, "supplies", "gold", 1), producer))
	wantStatus(t, "an unknown category", res, 422, body)
	res, body = env.do(t, request(http.MethodPost, "/api/v1/initiatives/"+ini.ID+"/expenses", expense, adviser))
	wantStatus(t, "an adviser writing the cashbook", res, 403, body)
	if m := read(adviser, 200).Months[0]; m.Expenses != money.Pesos(1200) || m.Margin != money.Pesos(1800) {
		t.Fatalf("after the expense: %+v, want 1 200 spent and 1 800 of margin", m)
	}
	res, body = env.do(t, request(http.MethodGet, "/api/v1/initiatives/"+ini.ID+"/expenses", "", producer))
	wantStatus(t, "cashbook", res, 200, body)
	if n := strings.Count(body, `"category":"supplies"`); n != 1 {
		t.Fatalf("cashbook: %d expenses, want 1: %s", n, body)
	}
	read(stranger, 403)
	res, body = env.do(t, request(http.MethodGet, "/api/v1/initiatives/"+ini.ID+"/progress?from=2026-13", "", producer))
	wantStatus(t, "a bad month", res, 422, body)
}
