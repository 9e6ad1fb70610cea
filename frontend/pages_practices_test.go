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

// Corrections on a phone: the bakery's producer corrects her practice
// (its texts filled in; an empty one refused in Spanish), removes its photo
// and withdraws it; another initiative's producer gets no controls and a
// refusal; once applied, the practice stays with the reason shown.
func TestPracticeCorrectionPages(t *testing.T) {
	env, pr := practicesEnv(t)
	page := "/practicas/" + pr.ID
	rosa := env.signedIn(t, "rosa@tesoro.test")
	rosa.get(t, page) // a page with a form: its CSRF token
	res, _ := rosa.postFile(t, page+"/fotos", nil, "photo", "horno.jpg", testJPEG(t, 200, 150))
	wantRedirect(t, "a photo", res, page+"?aviso=practica-foto")
	photo := env.practice(t, pr.ID).Photos[0]

	_, body := rosa.get(t, page)
	wantText(t, "the practice to its producer", body, `href="`+page+`/editar"`, `action="`+page+`/fotos/`+photo.ID+`/quitar"`, `action="`+page+`/retirar"`)
	res, body = rosa.get(t, page+"/editar")
	wantStatus(t, "the correction form", res, 200, body)
	wantText(t, "the correction form", body, "Corregir la práctica", `value="Costeo del pan de papa"`, "harina, papa y gas", `value="accounting" selected`)
	form := url.Values{"title": {"Costeo de cada horneada"}, "topic": {"accounting"}, "done": {""}, "changed": {"Cada pan deja ganancia."}}
	res, body = rosa.post(t, page+"/editar", form)
	wantStatus(t, "an empty text", res, 422, body)
	wantText(t, "an empty text", body, "Cuente qué hicieron", `value="Costeo de cada horneada"`)
	if got := env.practice(t, pr.ID); got.Title != pr.Title {
		t.Fatalf("a refused correction changed the practice: %q", got.Title)
	}
	form.Set("done", "Anotamos harina, papa, gas y empaque de cada horneada.")
	res, _ = rosa.post(t, page+"/editar", form)
	wantRedirect(t, "corrected", res, page+"?aviso=practica-corregida")
	_, body = rosa.get(t, page+"?aviso=practica-corregida")
	wantText(t, "corrected", body, "La práctica quedó corregida.", "Costeo de cada horneada", "harina, papa, gas y empaque")

	dora := env.signedIn(t, "dora@tesoro.test")
	_, body = dora.get(t, page)
	wantIn(t, "the practice to another producer", body, []string{"Lo quiero aplicar"}, []string{"/editar", "/retirar", "/quitar"})
	for _, path := range []string{page + "/editar", page + "/retirar", page + "/fotos/" + photo.ID + "/quitar"} {
		res, body = dora.post(t, path, form)
		wantStatus(t, "another producer posts "+path, res, http.StatusForbidden, body)
	}
	res, body = dora.get(t, page+"/editar")
	wantStatus(t, "another producer's correction form", res, http.StatusForbidden, body)

	res, _ = rosa.post(t, page+"/fotos/"+photo.ID+"/quitar", nil)
	wantRedirect(t, "photo removed", res, page+"?aviso=practica-foto-quitada")
	if n := len(env.practice(t, pr.ID).Photos); n != 0 {
		t.Fatalf("photos after the removal: %d", n)
	}

	// Applied by the farm: it stays, and the page says why.
	dora.post(t, page+"/aplicar", url.Values{"initiative_id": {env.farm.ID}})
	_, body = rosa.get(t, page)
	wantIn(t, "an applied practice", body, []string{"Una iniciativa la está aplicando"}, []string{`action="` + page + `/retirar"`})
	res, body = rosa.post(t, page+"/retirar", nil)
	wantStatus(t, "withdraw an applied practice", res, http.StatusConflict, body)
	wantText(t, "withdraw an applied practice", body, "Otra iniciativa empezó a aplicarla")

	// A practice nobody applies is withdrawn.
	other, err := env.practices.Share(t.Context(), accounts.System, programme.PracticeInput{Title: "Horno de leña", Topic: "production_processes",
		InitiativeID: env.bakery.ID, Done: "Cambiamos el horno.", Changed: "Gastamos menos gas."})
	if err != nil {
		t.Fatal(err)
	}
	res, _ = rosa.post(t, "/practicas/"+other.ID+"/retirar", nil)
	wantRedirect(t, "withdrawn", res, "/practicas?aviso=practica-retirada")
	_, body = rosa.get(t, "/practicas?aviso=practica-retirada")
	wantIn(t, "the library after", body, []string{"La práctica salió de la biblioteca", "Costeo de cada horneada"}, []string{"Horno de leña"})
	wantEveryMessage(t, rosa, page, page+"/editar")
}

// The adviser corrects an exchange: its details filled in, a wrong count
// refused in Spanish, an initiative that shared a practice there kept, a
// new day and venue saved, a photo removed; a producer cannot.
func TestExchangeCorrectionPages(t *testing.T) {
	env, _ := practicesEnv(t)
	ctx := t.Context()
	day := time.Now().In(colombia.Zone).AddDate(0, -2, 0).Format(time.DateOnly)
	ex, err := env.practices.RecordExchange(ctx, accounts.System, programme.ExchangeInput{Date: day, Municipality: "Sogamoso", Venue: "Casa de la Cultura",
		InitiativeIDs: []string{env.bakery.ID, env.farm.ID}, Participants: mentoring.Participants{Women: 14, Men: 5, Youth: 6, Adults: 13}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.practices.Share(ctx, accounts.System, programme.PracticeInput{Title: "Canastas semanales", Topic: "marketing", InitiativeID: env.farm.ID,
		ExchangeID: ex.ID, Done: "Canastas por encargo.", Changed: "Vendemos cada semana."}); err != nil {
		t.Fatal(err)
	}
	photo, err := env.practices.AddExchangePhoto(ctx, accounts.System, ex.ID, strings.NewReader(string(testJPEG(t, 320, 240))))
	if err != nil {
		t.Fatal(err)
	}
	page := "/asesoria/intercambios/" + ex.ID
	adviser := env.signedIn(t, "asesora@tesoro.test")
	_, body := adviser.get(t, page)
	wantText(t, "the exchange to its adviser", body, `href="`+page+`/editar"`, `action="`+page+`/fotos/`+photo.ID+`/quitar"`)
	res, body := adviser.get(t, page+"/editar")
	wantStatus(t, "the correction form", res, 200, body)
	wantText(t, "the correction form", body, "Corregir el intercambio", `value="Casa de la Cultura"`, `value="14"`, `value="`+env.farm.ID+`" checked`)

	fields := url.Values{"date": {day}, "municipality": {"Mongua"}, "venue": {"Salón comunal"}, "initiative": {env.bakery.ID, env.farm.ID},
		"women": {"15"}, "men": {"5"}, "youth": {"6"}, "adults": {"14"}, "notes": {"Corregido."}}
	bad := url.Values{}
	for k, v := range fields {
		bad[k] = v
	}
	bad.Set("women", "muchas")
	res, body = adviser.post(t, page+"/editar", bad)
	wantStatus(t, "a wrong count", res, 422, body)
	wantText(t, "a wrong count", body, "Escriba cantidades enteras", `value="Salón comunal"`)
	bad = url.Values{}
	for k, v := range fields {
		bad[k] = v
	}
	bad["initiative"] = []string{env.bakery.ID}
	res, body = adviser.post(t, page+"/editar", bad)
	wantStatus(t, "without the farm", res, 422, body)
	wantText(t, "without the farm", body, "compartió una práctica en este intercambio")
	if got, _ := env.practices.Exchange(ctx, accounts.System, ex.ID); got.Venue != "Casa de la Cultura" {
		t.Fatalf("refused corrections changed the exchange: %+v", got)
	}
	res, _ = adviser.post(t, page+"/editar", fields)
	wantRedirect(t, "corrected", res, page+"?aviso=intercambio-corregido")
	_, body = adviser.get(t, page+"?aviso=intercambio-corregido")
	wantText(t, "corrected", body, "El intercambio quedó corregido.", "Intercambio en Mongua", "Salón comunal", ">15<", "Canastas semanales")

	dora := env.signedIn(t, "dora@tesoro.test")
	_, body = dora.get(t, page)
	wantIn(t, "the exchange to a producer", body, []string{"Salón comunal"}, []string{"/editar", "/quitar"})
	res, body = dora.post(t, page+"/editar", fields)
	wantStatus(t, "a producer corrects it", res, http.StatusForbidden, body)
	res, body = dora.post(t, page+"/fotos/"+photo.ID+"/quitar", nil)
	wantStatus(t, "a producer removes its photo", res, http.StatusForbidden, body)

	res, _ = adviser.post(t, page+"/fotos/"+photo.ID+"/quitar", nil)
	wantRedirect(t, "photo removed", res, page+"?aviso=intercambio-foto-quitada")
	if got, _ := env.practices.Exchange(ctx, accounts.System, ex.ID); len(got.Photos) != 0 {
		t.Fatalf("photos after the removal: %d", len(got.Photos))
	}
	wantEveryMessage(t, adviser, page, page+"/editar")
}

// practice reads a practice as stored.
func (e *producerEnv) practice(t *testing.T, id string) programme.Practice {
	t.Helper()
	pr, err := e.practices.Practice(t.Context(), accounts.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}
