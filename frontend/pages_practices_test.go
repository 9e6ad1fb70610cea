package frontend

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// practicesEnv is the producer's environment with an adviser of both
// initiatives and a practice of the bakery.
func practicesEnv(t *testing.T) (*producerEnv, programme.Practice) {
	t.Helper()
	env := newProducerEnv(t)
	env.person(t, "asesora@tesoro.test", "Marta Lucía Gómez", accounts.RoleAdviser, env.bakery.ID, env.farm.ID)
	env.person(t, "compra@tesoro.test", "Comprador", accounts.RoleBuyer)
	pr, err := env.practices.Share(t.Context(), accounts.System, programme.PracticeInput{Title: "Costeo del pan de papa", Topic: "accounting",
		InitiativeID: env.bakery.ID, Done: "Anotamos los costos de cada horneada: harina, papa y gas.", Changed: "Subimos el precio y ahora cada pan deja ganancia."})
	if err != nil {
		t.Fatal(err)
	}
	return env, pr
}

// The library on a phone: a search without accents or case finds the
// practice, the filters narrow it, buyers and strangers stay out.
func TestPracticesLibraryPage(t *testing.T) {
	env, pr := practicesEnv(t)
	dora := env.signedIn(t, "dora@tesoro.test")
	res, body := dora.get(t, "/practicas")
	wantStatus(t, "the library", res, 200, body)
	wantText(t, "the library", body, "Biblioteca de buenas prácticas", "Costeo del pan de papa", "Panadería de Papa", `href="/practicas/`+pr.ID+`"`, `name="q"`, `name="tema"`, `name="municipio"`)
	for _, q := range []string{"panaderia", "COSTOS", "horneada"} {
		_, body = dora.get(t, "/practicas?q="+q)
		wantText(t, "search "+q, body, "Costeo del pan de papa")
	}
	_, body = dora.get(t, "/practicas?q=fiado")
	wantIn(t, "search fiado", body, []string{"No hay prácticas"}, []string{"Costeo del pan de papa"})
	_, body = dora.get(t, "/practicas?tema=marketing")
	wantIn(t, "topic marketing", body, nil, []string{"Costeo del pan de papa"})
	_, body = dora.get(t, "/practicas?municipio=Mongua&tema=accounting")
	wantText(t, "Mongua, accounting", body, "Costeo del pan de papa")
	res, _ = dora.get(t, "/practicas?municipio=Medell%C3%ADn")
	wantStatus(t, "an unknown municipality", res, 422, "")

	res, _ = newVisitor(env.testEnv).get(t, "/practicas")
	wantRedirect(t, "anonymous", res, "/entrar?next="+url.QueryEscape("/practicas"))
	res, _ = env.signedIn(t, "compra@tesoro.test").get(t, "/practicas")
	wantStatus(t, "a buyer", res, http.StatusForbidden, "")
}

// "Lo quiero aplicar" from the practice page: one agreement for the
// farm however often tapped, shown as applied; the bakery's own producer
// sees no button.
func TestPracticeApplyFromPage(t *testing.T) {
	env, pr := practicesEnv(t)
	dora := env.signedIn(t, "dora@tesoro.test")
	res, body := dora.get(t, "/practicas/"+pr.ID)
	wantStatus(t, "the practice", res, 200, body)
	wantText(t, "the practice", body, "Qué hicimos", "Qué cambió", "Lo quiero aplicar", `action="/practicas/`+pr.ID+`/aplicar"`, `name="_csrf"`)
	res, _ = dora.post(t, "/practicas/"+pr.ID+"/aplicar", url.Values{"initiative_id": {env.farm.ID}})
	wantRedirect(t, "apply", res, "/practicas/"+pr.ID+"?aviso=practica-aplicada#aplicar")
	_, body = dora.get(t, "/practicas/"+pr.ID+"?aviso=practica-aplicada")
	wantText(t, "after applying", body, "quedó como compromiso", "ya la está aplicando", "Iniciativas que la aplican: 1")
	res, _ = dora.post(t, "/practicas/"+pr.ID+"/aplicar", url.Values{"initiative_id": {env.farm.ID}})
	wantRedirect(t, "apply again", res, "/practicas/"+pr.ID+"?aviso=practica-ya-aplicada#aplicar")
	list, err := env.mentoring.ListAgreements(t.Context(), accounts.System, mentoring.AgreementFilter{InitiativeID: env.farm.ID})
	if err != nil || len(list) != 1 || list[0].PracticeID != pr.ID || list[0].Status != mentoring.StatusOpen {
		t.Fatalf("the farm's agreements: %v %+v, want one open for the practice", err, list)
	}
	// The farm's advice page lists it among its own agreements, linked to the practice.
	timeline := "/mi-iniciativa/" + env.farm.ID + "/asesoria"
	wantText(t, "the link to it", body, `href="`+timeline+`#compromisos-propios"`)
	res, body = dora.get(t, timeline)
	wantStatus(t, "the farm's advice page", res, 200, body)
	wantText(t, "the farm's advice page", body, `id="compromisos-propios"`, "Compromisos propios", `id="compromiso-`+list[0].ID+`"`,
		list[0].Text, `href="/practicas/`+pr.ID+`"`, "Compromisos abiertos: 1", `value="done"`)
	res, _ = dora.postRaw(t, "/practicas/"+pr.ID+"/aplicar", url.Values{"initiative_id": {env.farm.ID}})
	wantStatus(t, "without the CSRF token", res, http.StatusForbidden, "")

	rosa := env.signedIn(t, "rosa@tesoro.test")
	_, body = rosa.get(t, "/practicas/"+pr.ID)
	wantIn(t, "the bakery's own practice", body, []string{"Esta es una práctica de su iniciativa", "Agregar la foto"}, []string{"Lo quiero aplicar"})
	res, _ = rosa.postFile(t, "/practicas/"+pr.ID+"/fotos", nil, "photo", "horno.jpg", testJPEG(t, 200, 150))
	wantRedirect(t, "a photo", res, "/practicas/"+pr.ID+"?aviso=practica-foto")
	_, body = rosa.get(t, "/practicas")
	wantText(t, "the card's photo", body, "/api/v1/practices/"+pr.ID+"/photos/")
}

// An adviser records an exchange with its participants and a photo, then
// a producer of an initiative taking part shares a practice there.
func TestExchangePages(t *testing.T) {
	env, _ := practicesEnv(t)
	adviser := env.signedIn(t, "asesora@tesoro.test")
	res, body := adviser.get(t, "/asesoria")
	wantText(t, "the adviser's home", body, `href="/asesoria/intercambios"`, `href="/practicas"`)
	res, body = adviser.get(t, "/asesoria/intercambios")
	wantStatus(t, "the exchanges", res, 200, body)
	wantText(t, "the exchanges", body, "Registrar un intercambio", `name="women"`, `name="youth"`, `name="photo"`)
	day := time.Now().In(colombia.Zone).AddDate(0, -2, 0).Format(time.DateOnly)
	fields := url.Values{"date": {day}, "municipality": {"Sogamoso"}, "venue": {"Casa de la Cultura"}, "initiative": {env.bakery.ID, env.farm.ID},
		"women": {"14"}, "men": {"5"}, "youth": {"6"}, "adults": {"13"}, "notes": {"Cada iniciativa contó su experiencia."}}
	bad := url.Values{"date": {day}, "municipality": {""}, "venue": {""}, "women": {"-2"}}
	res, body = adviser.postFile(t, "/asesoria/intercambios", bad, "photo", "", nil)
	wantStatus(t, "a bad exchange", res, 422, body)
	wantText(t, "a bad exchange", body, "Elija el municipio.", "Escriba el lugar", "Marque al menos una iniciativa.", "Escriba cantidades enteras")
	res, _ = adviser.postFile(t, "/asesoria/intercambios", fields, "photo", "encuentro.jpg", testJPEG(t, 320, 240))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/asesoria/intercambios/") || !strings.HasSuffix(loc, "?aviso=intercambio-creado") {
		t.Fatalf("record: %d to %q", res.StatusCode, loc)
	}
	exPath, _, _ := strings.Cut(loc, "?")
	_, body = adviser.get(t, loc)
	wantText(t, "the exchange", body, "Intercambio en Sogamoso", "Casa de la Cultura", "Panadería de Papa", "Huerta La Esperanza", ">14<", ">13<", "/photos/", "Intercambio registrado.")

	dora := env.signedIn(t, "dora@tesoro.test")
	_, body = dora.get(t, exPath)
	wantIn(t, "a producer reads it", body, []string{"Anotar una práctica de este intercambio"}, []string{"Agregar la foto"})
	exID := strings.TrimPrefix(exPath, "/asesoria/intercambios/")
	_, body = dora.get(t, "/practicas/nueva?intercambio="+exID)
	wantText(t, "share at the exchange", body, "Compartir una buena práctica", `value="`+exID+`"`)
	res, body = dora.post(t, "/practicas/nueva", url.Values{"exchange_id": {exID}, "initiative_id": {env.farm.ID}, "title": {""}, "topic": {"marketing"}})
	wantStatus(t, "a practice without its texts", res, 422, body)
	wantText(t, "a practice without its texts", body, "Escriba un nombre", "Cuente qué hicieron")
	res, _ = dora.post(t, "/practicas/nueva", url.Values{"exchange_id": {exID}, "initiative_id": {env.farm.ID}, "title": {"Canastas semanales"},
		"topic": {"marketing"}, "done": {"Canastas de hortalizas por encargo."}, "changed": {"Vendemos cada semana."}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?aviso=practica-compartida") {
		t.Fatalf("share: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = dora.get(t, exPath)
	wantText(t, "the exchange's practices", body, "Canastas semanales")
	_, body = dora.get(t, "/asesoria/intercambios")
	wantIn(t, "the list for a producer", body, []string{"Sogamoso", "Prácticas: 1"}, []string{"Registrar un intercambio"})
}

// Every message of these pages exists in Spanish and in English.
func TestPracticesPagesMessages(t *testing.T) {
	env, pr := practicesEnv(t)
	ex, err := env.practices.RecordExchange(t.Context(), accounts.System, programme.ExchangeInput{Date: time.Now().In(colombia.Zone).Format(time.DateOnly),
		Municipality: "Mongua", Venue: "Salón comunal", InitiativeIDs: []string{env.bakery.ID}, Participants: mentoring.Participants{Women: 3}})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/practicas", "/practicas?q=nada", "/practicas/" + pr.ID, "/practicas/nueva", "/practicas/nueva?intercambio=" + ex.ID,
		"/asesoria/intercambios", "/asesoria/intercambios/" + ex.ID, "/practicas/" + pr.ID + "?aviso=practica-aplicada"}
	wantEveryMessage(t, env.signedIn(t, "asesora@tesoro.test"), paths...)
	wantEveryMessage(t, env.signedIn(t, "dora@tesoro.test"), "/practicas", "/practicas/"+pr.ID, "/mi-iniciativa/"+env.farm.ID)
}
