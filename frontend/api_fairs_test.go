package frontend

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/money"
)

// A fair through the API: an adviser plans it, invites an initiative whose
// producer accepts, opens and closes it; lists follow each step.
func TestFairLifecycleThroughTheAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, adviser := env.user(t, "asesora@example.co", []string{accounts.RoleAdviser}, ini.ID)
	_, producer := env.user(t, "productora@example.co", []string{accounts.RoleProducer}, ini.ID)
	day := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	res, body := env.do(t, request(http.MethodPost, "/api/v1/fairs", `{"name": "Feria de emprendimiento", "municipality": "mongua",
		"venue": "Parque principal", "starts_on": "`+day+`", "ends_on": "`+day+`"}`, adviser))
	var fair struct {
		ID, Status, Department string
		Participants           []struct{ InitiativeID, Status string } `json:"participants"`
	}
	if err := json.Unmarshal([]byte(body), &fair); res.StatusCode != 201 || err != nil || fair.Status != "planned" || fair.Department != "Boyacá" {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodPost, "/api/v1/fairs", `{"name": "Feria", "municipality": "Duitama", "starts_on": "`+day+`", "ends_on": "`+day+`"}`, adviser)); res.StatusCode != 422 || !strings.Contains(body, `"department"`) {
		t.Fatalf("a town outside the programme without its department: %d %s, want 422", res.StatusCode, body)
	}
	if res, body := env.get(t, "/api/v1/fairs"); res.StatusCode != 200 || !strings.Contains(body, fair.ID) {
		t.Fatalf("current fairs: %d %s", res.StatusCode, body)
	}
	base := "/api/v1/fairs/" + fair.ID
	if res, body := env.do(t, request(http.MethodPost, base+"/participants", `{"initiative_id": "`+ini.ID+`"}`, adviser)); res.StatusCode != 201 || !strings.Contains(body, `"invited"`) {
		t.Fatalf("invite: %d %s", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodPost, base+"/participants/"+ini.ID+"/accept", "", producer)); res.StatusCode != 200 || !strings.Contains(body, `"accepted"`) {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}
	stock := int64(20)
	bread, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: &stock})
	if err != nil {
		t.Fatal(err)
	}
	if res, body := env.do(t, request(http.MethodPut, base+"/stock/"+bread.ID, `{"quantity": 15}`, producer)); res.StatusCode != 200 || !strings.Contains(body, `"left":15`) {
		t.Fatalf("bring 15: %d %s", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodPut, base+"/stock/"+bread.ID, `{"quantity": 26}`, producer)); res.StatusCode != 409 {
		t.Fatalf("more than online: %d %s, want 409", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodGet, base+"/stock", "", producer)); res.StatusCode != 200 || !strings.Contains(body, `"brought":15`) {
		t.Fatalf("the fair's stock: %d %s", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodGet, "/api/v1/initiatives/"+ini.ID+"/fairs", "", producer)); res.StatusCode != 200 || !strings.Contains(body, fair.ID) {
		t.Fatalf("the initiative's fairs: %d %s", res.StatusCode, body)
	}
	if res, body := env.do(t, request(http.MethodPost, base+"/transitions", `{"to": "closed"}`, adviser)); res.StatusCode != 409 {
		t.Fatalf("planned → closed: %d %s, want 409", res.StatusCode, body)
	}
	for _, to := range []string{"open", "closed"} {
		if res, body := env.do(t, request(http.MethodPost, base+"/transitions", `{"to": "`+to+`"}`, adviser)); res.StatusCode != 200 || !strings.Contains(body, `"status":"`+to+`"`) {
			t.Fatalf("→ %s: %d %s", to, res.StatusCode, body)
		}
	}
	if p, err := env.catalog.Product(t.Context(), bread.ID); err != nil || *p.Stock != 20 {
		t.Fatalf("after closing the online stock is %v (%v), want all 20 back", p.Stock, err)
	}
	res, body = env.get(t, base)
	if err := json.Unmarshal([]byte(body), &fair); res.StatusCode != 200 || err != nil || len(fair.Participants) != 1 || fair.Participants[0].Status != "accepted" {
		t.Fatalf("the fair: %d %s", res.StatusCode, body)
	}
	if _, body := env.get(t, "/api/v1/fairs"); strings.Contains(body, fair.ID) {
		t.Fatalf("a closed fair is still current: %s", body)
	}
	if res, body := env.get(t, "/api/v1/fairs?status=closed"); res.StatusCode != 200 || !strings.Contains(body, fair.ID) {
		t.Fatalf("closed fairs: %d %s", res.StatusCode, body)
	}
	if res, _ := env.get(t, "/api/v1/fairs/000000000000000000000000"); res.StatusCode != 404 {
		t.Fatalf("an unknown fair: %d, want 404", res.StatusCode)
	}
}

// sellingFair is an open fair today where ini sells and brought 10 of product.
func sellingFair(t *testing.T, env *testEnv, ini catalog.Initiative, product catalog.Product, producer string) string {
	t.Helper()
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	f, err := env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", StartsOn: today, EndsOn: today})
	if err == nil {
		_, err = env.fairs.Invite(t.Context(), accounts.System, f.ID, ini.ID)
	}
	if err == nil {
		_, err = env.fairs.Accept(t.Context(), accounts.System, f.ID, ini.ID)
	}
	if err == nil {
		_, err = env.fairs.Transition(t.Context(), accounts.System, f.ID, fairs.StatusOpen)
	}
	if err != nil {
		t.Fatal(err)
	}
	res, body := env.do(t, request(http.MethodPut, "/api/v1/fairs/"+f.ID+"/stock/"+product.ID, `{"quantity": 10}`, producer))
	wantStatus(t, "bring 10", res, 200, body)
	return f.ID
}

func saleJSON(id, productID string, quantity int, method, extra string) string {
	return fmt.Sprintf(`{"client_id": %q, "sold_at": %q, "payment_method": %q, "lines": [{"product_id": %q, "quantity": %d,
		"unit_price": {"amount": 150000, "currency": "COP"}}]%s}`, id, time.Now().Format(time.RFC3339), method, productID, quantity, extra)
}

// Sales through the API: a batch answers one result per sale; sent again,
// duplicates; a bad sale is rejected alone; a cashier of another fair is
// refused; the closing sums the cash and later sales are rejected; the
// report downloads as CSV and XLSX; the fiado list follows payments.
func TestFairSalesThroughTheAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, producer := env.user(t, "productora@example.co", []string{accounts.RoleProducer}, ini.ID)
	stock := int64(30)
	bread, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Pan de papa", Price: money.Pesos(1500), Stock: &stock})
	if err != nil {
		t.Fatal(err)
	}
	fairID := sellingFair(t, env, ini, bread, producer)
	base := "/api/v1/fairs/" + fairID
	due := time.Now().In(colombia.Zone).AddDate(0, 0, 7).Format(time.DateOnly)
	a, b, c, bad := newUUID(), newUUID(), newUUID(), newUUID()
	batch := `{"sales": [` + saleJSON(a, bread.ID, 2, "cash", `, "cash_received": {"amount": 500000, "currency": "COP"}`) + `,` +
		saleJSON(b, bread.ID, 1, "credit", `, "buyer": {"name": "Doña Marta", "phone": "3101234567"}, "due_on": "`+due+`"`) + `,` +
		saleJSON(bad, bread.ID, -1, "cash", "") + `,` + saleJSON(c, bread.ID, 1, "nequi", "") + `]}`
	type results struct {
		Results []fairs.SaleResult `json:"results"`
	}
	send := func(body string) results {
		t.Helper()
		res, out := env.do(t, request(http.MethodPost, base+"/sales/batch", body, producer))
		wantStatus(t, "sales batch", res, 200, out)
		var r results
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := send(batch)
	statuses := func(r results) string {
		var s []string
		for _, x := range r.Results {
			s = append(s, x.Status)
		}
		return strings.Join(s, ",")
	}
	if got := statuses(first); got != "created,created,rejected,created" || first.Results[2].Code != fairs.RejectQuantity {
		t.Fatalf("first send: %s %+v", got, first.Results)
	}
	if got := statuses(send(batch)); got != "duplicate,duplicate,rejected,duplicate" {
		t.Fatalf("sent again: %s", got)
	}
	res, body := env.do(t, request(http.MethodPost, base+"/sales/batch", `{"sales": []}`, producer))
	wantStatus(t, "an empty batch", res, 422, body)

	// A cashier of another fair's table sells nothing here.
	cashier, cashierToken := env.user(t, "cajera@example.co", []string{accounts.RoleAdviser})
	elsewhere, err := env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Otra feria", Municipality: "Sogamoso",
		StartsOn: time.Now().In(colombia.Zone).Format(time.DateOnly), EndsOn: time.Now().In(colombia.Zone).Format(time.DateOnly)})
	if err == nil {
		_, err = env.fairs.Invite(t.Context(), accounts.System, elsewhere.ID, ini.ID)
	}
	if err == nil {
		_, err = env.fairs.AddTable(t.Context(), accounts.System, elsewhere.ID, fairs.TableInput{Name: "Mesa", CashierID: cashier.ID, Initiatives: []string{ini.ID}})
	}
	if err != nil {
		t.Fatal(err)
	}
	res, body = env.do(t, request(http.MethodPost, base+"/sales/batch", `{"sales": [`+saleJSON(newUUID(), bread.ID, 1, "cash", "")+`]}`, cashierToken))
	wantStatus(t, "a cashier of another fair", res, 403, body)
	_, admin := env.user(t, "admin@example.co", []string{accounts.RoleAdmin})
	res, body = env.do(t, request(http.MethodPost, base+"/tables", `{"name": "Mesa común", "cashier_id": "nobody", "initiative_ids": ["`+ini.ID+`"]}`, admin))
	if res.StatusCode != 422 || !strings.Contains(body, "cashier_id") {
		t.Fatalf("a table whose cashier is no user: %d %s", res.StatusCode, body)
	}

	// Fiado: partly paid, then in full.
	credit := first.Results[1].OrderIDs[0]
	list := func() string {
		res, body := env.do(t, request(http.MethodGet, "/api/v1/initiatives/"+ini.ID+"/credits", "", producer))
		wantStatus(t, "fiado list", res, 200, body)
		return body
	}
	if got := list(); !strings.Contains(got, credit) || !strings.Contains(got, `"due_on":"`+due+`"`) {
		t.Fatalf("fiado list: %s", got)
	}
	res, body = env.do(t, request(http.MethodPost, "/api/v1/orders/"+credit+"/payments", `{"amount": {"amount": 50000, "currency": "COP"}, "method": "cash"}`, producer))
	wantStatus(t, "a partial payment", res, 201, body)
	if got := list(); !strings.Contains(got, `"paid":50000`) {
		t.Fatalf("after paying 500: %s", got)
	}
	res, body = env.do(t, request(http.MethodPost, "/api/v1/orders/"+credit+"/payments", `{"amount": {"amount": 100000, "currency": "COP"}, "method": "nequi"}`, producer))
	wantStatus(t, "the rest", res, 201, body)
	if got := list(); strings.Contains(got, credit) {
		t.Fatalf("paid in full, still listed: %s", got)
	}

	// Closing: 20 000 float + 3 000 cash sale + 500 fiado paid in cash.
	res, body = env.do(t, request(http.MethodPost, base+"/closings", `{"initiative_id": "`+ini.ID+`", "opening_float": {"amount": 2000000, "currency": "COP"},
		"denominations": {"20000": 1, "2000": 1, "1000": 1, "500": 1}}`, producer))
	wantStatus(t, "closing", res, 201, body)
	var closing fairs.Closing
	if err := json.Unmarshal([]byte(body), &closing); err != nil {
		t.Fatal(err)
	}
	if closing.ExpectedCash != money.Pesos(23_500) || closing.Difference != money.Pesos(0) || closing.ByMethod["nequi"] != money.Pesos(1500) {
		t.Fatalf("closing: %s", body)
	}
	late := send(`{"sales": [` + saleJSON(newUUID(), bread.ID, 1, "cash", "") + `]}`)
	if late.Results[0].Status != fairs.SaleRejected || late.Results[0].Code != fairs.RejectClosed {
		t.Fatalf("a sale after closing: %+v", late.Results)
	}
	res, body = env.do(t, request(http.MethodGet, base+"/closings", "", producer))
	if res.StatusCode != 200 || !strings.Contains(body, `"expected_cash":{"amount":2350000`) {
		t.Fatalf("closings: %d %s", res.StatusCode, body)
	}

	res, body = env.do(t, request(http.MethodGet, base+"/report", "", producer))
	if res.StatusCode != 200 || !strings.Contains(body, `"sales":3`) || !strings.Contains(body, `"units":4`) {
		t.Fatalf("report: %d %s", res.StatusCode, body)
	}
	res, body = env.do(t, request(http.MethodGet, base+"/report?format=csv", "", producer))
	if res.StatusCode != 200 || !strings.Contains(body, "Panadería de Papa,3,4,6000,3000,1500,0,1500,0,1,") {
		t.Fatalf("report CSV: %d %s", res.StatusCode, body)
	}
	res, body = env.do(t, request(http.MethodGet, base+"/report?format=xlsx", "", producer))
	if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("report XLSX: %d %q", res.StatusCode, body[:min(len(body), 40)])
	}
	res, body = env.do(t, request(http.MethodGet, base+"/report?format=pdf", "", producer))
	wantStatus(t, "an unknown format", res, 422, body)
	p, err := env.catalog.Product(t.Context(), bread.ID)
	if err != nil || *p.Stock != 26 {
		t.Fatalf("online stock after closing: %v %v, want 26 (4 of 10 sold at the fair)", p.Stock, err)
	}
}
