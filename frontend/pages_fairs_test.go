package frontend

import (
	"html"
	"net/url"
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

// An initiative's fairs page: its producer accepts the invitation, says how
// many units go to the fair (the online stock follows), and is told in
// Spanish when there are not that many; another initiative's producer
// cannot see the page.
func TestMyFairsPage(t *testing.T) {
	env := newProducerEnv(t)
	day := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	f, err := env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", StartsOn: day, EndsOn: day})
	if err == nil {
		_, err = env.fairs.Invite(t.Context(), accounts.System, f.ID, env.bakery.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	page := "/mi-iniciativa/" + env.bakery.ID + "/ferias"
	v := env.signedIn(t, "rosa@tesoro.test")
	res, body := v.get(t, page)
	wantStatus(t, "my fairs", res, 200, body)
	wantText(t, "my fairs", html.UnescapeString(body), "Feria de Mongua", "Invitada", "Aceptar la invitación")
	res, body = v.post(t, page+"/"+f.ID+"/aceptar", nil)
	wantRedirect(t, "accept", res, page+"?aviso=feria-aceptada")
	_, body = v.get(t, page+"?aviso=feria-aceptada")
	wantText(t, "after accepting", html.UnescapeString(body), "su iniciativa vende en esta feria", "Lo que lleva a la feria", "Pan de papa", "30 en la tienda en línea")
	res, body = v.post(t, page+"/"+f.ID+"/surtido", url.Values{"product_id": {env.bread.ID}, "quantity": {"12"}})
	wantRedirect(t, "stock", res, page+"?aviso=surtido-guardado#feria-"+f.ID)
	if p := env.product(t, env.bread.ID); *p.Stock != 18 {
		t.Fatalf("online stock after bringing 12: %d, want 18", *p.Stock)
	}
	res, body = v.post(t, page+"/"+f.ID+"/surtido", url.Values{"product_id": {env.bread.ID}, "quantity": {"45"}})
	wantStatus(t, "too many", res, 409, body)
	wantText(t, "too many", html.UnescapeString(body), "no hay tantas unidades en la tienda en línea")
	res, body = v.post(t, page+"/"+f.ID+"/surtido", url.Values{"product_id": {env.bread.ID}, "quantity": {"doce"}})
	wantStatus(t, "not a number", res, 422, body)
	if p := env.product(t, env.bread.ID); *p.Stock != 18 {
		t.Fatalf("online stock after refused forms: %d, want 18 still", *p.Stock)
	}
	other := env.signedIn(t, "dora@tesoro.test")
	if res, body := other.get(t, page); res.StatusCode != 403 {
		t.Fatalf("another initiative's producer: got %d, want 403 (%s)", res.StatusCode, body)
	}
	for _, lang := range pages.Languages {
		v.lang = lang
		_, body := v.get(t, page)
		if i := strings.Index(body, "⟦"); i >= 0 {
			t.Errorf("%s: missing message near %q", lang, body[i:min(len(body), i+40)])
		}
	}
}
