package frontend

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
)

// An adviser plans a fair from the pages (a missing name is told and
// creates nothing), invites the bakery, sets up a shared till with a
// cashier found by email (an unknown email is told) and opens the fair;
// producers are refused.
func TestOrganizeFairPages(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "lucia@tesoro.test", "Lucía Fernanda Rojas", accounts.RoleAdviser)
	adviser := env.signedIn(t, "lucia@tesoro.test")
	if res, _ := env.signedIn(t, "rosa@tesoro.test").get(t, "/asesoria/ferias"); res.StatusCode != 403 {
		t.Fatalf("a producer on the organiser's page: %d, want 403", res.StatusCode)
	}
	day := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	adviser.get(t, "/asesoria/ferias")
	res, body := adviser.post(t, "/asesoria/ferias", url.Values{"name": {""}, "municipality": {"Mongua"}, "starts_on": {day}, "ends_on": {day}})
	wantStatus(t, "no name", res, 422, body)
	if list, _ := env.fairs.Current(t.Context()); len(list) != 0 {
		t.Fatalf("a refused fair was created: %+v", list)
	}
	res, _ = adviser.post(t, "/asesoria/ferias", url.Values{"name": {"Feria de la Papa"}, "municipality": {"mongua"}, "venue": {"Plaza"}, "starts_on": {day}, "ends_on": {day}})
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(loc, "/asesoria/ferias/") {
		t.Fatalf("creating: %d %s", res.StatusCode, loc)
	}
	page := strings.TrimSuffix(loc, "?aviso=feria-creada")
	fairID := strings.TrimPrefix(page, "/asesoria/ferias/")
	_, body = adviser.get(t, loc)
	wantText(t, "the new fair", html.UnescapeString(body), "Feria de la Papa", "Plaza, Mongua, Boyacá", "Creamos la feria", "Invitar una iniciativa", "Panadería de Papa")
	res, _ = adviser.post(t, page+"/invitar", url.Values{"initiative_id": {env.bakery.ID}})
	wantRedirect(t, "invite", res, page+"?aviso=iniciativa-invitada#participantes")
	if _, err := env.fairs.Accept(t.Context(), accounts.System, fairID, env.bakery.ID); err != nil {
		t.Fatal(err)
	}
	res, body = adviser.post(t, page+"/mesas", url.Values{"name": {"Mesa común"}, "cashier_email": {"nadie@tesoro.test"}, "initiative_ids": {env.bakery.ID}})
	wantStatus(t, "unknown cashier", res, 422, body)
	wantText(t, "unknown cashier", html.UnescapeString(body), "No hay ninguna cuenta con ese correo.")
	res, _ = adviser.post(t, page+"/mesas", url.Values{"name": {"Mesa común"}, "cashier_email": {"dora@tesoro.test"}, "initiative_ids": {env.bakery.ID}})
	wantRedirect(t, "table", res, page+"?aviso=mesa-creada#mesas")
	res, _ = adviser.post(t, page+"/estado", url.Values{"to": {"open"}})
	wantRedirect(t, "open", res, page+"?aviso=feria-open")
	_, body = adviser.get(t, page+"?aviso=feria-open")
	wantText(t, "open", html.UnescapeString(body), "Abierta ahora", "Mesa común", "Dora Inés Muñoz", "Confirmada", "Cerrar la feria")
	f, err := env.fairs.Fair(t.Context(), fairID)
	if err != nil || f.Status != "open" || len(f.Tables) != 1 {
		t.Fatalf("the fair after the pages: %+v %v", f, err)
	}
	dora := env.signedIn(t, "dora@tesoro.test")
	dora.get(t, "/mi-iniciativa/"+env.farm.ID)
	if res, _ := dora.post(t, page+"/estado", url.Values{"to": {"closed"}}); res.StatusCode != 403 {
		t.Fatalf("a producer closing the fair: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, adviser, "/asesoria/ferias", page)
}
