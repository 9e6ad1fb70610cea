package frontend

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/pages"
)

// The public fair pages list the fairs not yet closed and show who sells at
// one (only the initiatives that accepted), in both languages.
func TestFairPages(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	bakery := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	farm := createInitiative(t, env.catalog, "Huerta La Esperanza", "Tópaga")
	day := time.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	f, err := env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", Venue: "Parque principal", StartsOn: day, EndsOn: day})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{bakery.ID, farm.ID} {
		if _, err := env.fairs.Invite(t.Context(), accounts.System, f.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.fairs.Accept(t.Context(), accounts.System, f.ID, bakery.ID); err != nil {
		t.Fatal(err)
	}
	res, body := env.get(t, "/ferias")
	wantStatus(t, "fairs", res, 200, body)
	wantText(t, "fairs", html.UnescapeString(body), "Ferias empresariales", "Feria de Mongua", "Mongua, Boyacá", `href="/ferias/`+f.ID+`"`)
	res, body = env.get(t, "/ferias/"+f.ID)
	wantStatus(t, "fair", res, 200, body)
	body = html.UnescapeString(body)
	wantText(t, "fair", body, "Quiénes venden", "Panadería de Papa", "Parque principal, Mongua, Boyacá", "Próxima")
	if strings.Contains(body, "Huerta La Esperanza") {
		t.Error("the fair page lists an initiative that has not accepted")
	}
	if res, _ := env.get(t, "/ferias/000000000000000000000000"); res.StatusCode != 404 {
		t.Errorf("an unknown fair: got %d, want 404", res.StatusCode)
	}
	for _, lang := range pages.Languages {
		for _, path := range []string{"/ferias", "/ferias/" + f.ID} {
			_, body := env.get(t, path, "Cookie", "lang="+lang)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", path, lang, body[i:min(len(body), i+40)])
			}
		}
	}
}
