package frontend

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
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
