package frontend

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// The progress page and the cashbook: the producer sees her month's sales
// in the chart and the table, her adviser sees the session marked on the
// chart; an expense written on the cashbook (a bad amount is told and
// writes nothing) lowers the month's margin; another producer sees neither.
func TestProgressAndCashbookPages(t *testing.T) {
	env := newProducerEnv(t)
	sellBreadAtAFair(t, env, 4)
	adviser := env.person(t, "lucia@tesoro.test", "Lucía Rojas", accounts.RoleAdviser, env.bakery.ID)
	adv := &accounts.Principal{UserID: adviser.ID, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{env.bakery.ID}}
	if _, _, err := env.mentoring.Create(t.Context(), adv, mentoring.SessionInput{InitiativeIDs: []string{env.bakery.ID}, Date: time.Now().AddDate(0, 0, -1),
		DurationMinutes: 60, Modality: "visit", Topics: []string{"accounting"}, Participants: mentoring.Participants{Women: 2},
		Agreements: []mentoring.AgreementInput{{Text: "Anotar todos los gastos", Owner: "Rosa", Due: time.Now().AddDate(0, 0, -3)}}}); err != nil {
		t.Fatal(err)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID + "/progreso"
	res, body := v.get(t, page)
	wantStatus(t, "progress", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "progress", text, "¿Cómo vamos?", "Vendiendo", "Hitos de sostenibilidad", "Primera feria", `<g class="milestone"`, "$ 6.000", "1 pedidos", "Anotar todos los gastos", "1 vencidos", "Contabilidad", `class="sales-chart"`)
	if strings.Count(body, "<rect") != 24 {
		t.Errorf("the chart has %d bars, want 24 months", strings.Count(body, "<rect"))
	}
	res, body = env.signedIn(t, "lucia@tesoro.test").get(t, "/asesoria/iniciativas/"+env.bakery.ID+"/progreso")
	wantStatus(t, "the adviser's view", res, 200, body)
	if !strings.Contains(body, `<g class="session"`) {
		t.Error("the session is not marked on the chart")
	}
	if res, _ := env.signedIn(t, "dora@tesoro.test").get(t, page); res.StatusCode != 403 {
		t.Fatalf("another producer: %d, want 403", res.StatusCode)
	}

	book := "/mi-iniciativa/" + env.bakery.ID + "/gastos"
	_, body = v.get(t, book)
	wantText(t, "cashbook", html.UnescapeString(body), "Libro de gastos", "Insumos", "Anotar el gasto", "$ 6.000")
	res, body = v.post(t, book, url.Values{"category": {"transport"}, "amount": {"mucho"}, "key": {"k1"}})
	wantStatus(t, "a bad amount", res, 422, body)
	wantText(t, "a bad amount", html.UnescapeString(body), "Escriba cuánto gastó")
	today := time.Now().In(colombia.Zone).Format(time.DateOnly) // the cashbook judges days in Bogotá
	for range 2 {                                               // a double tap: one expense
		res, _ = v.post(t, book, url.Values{"category": {"transport"}, "amount": {"2.500"}, "date": {today}, "note": {"Bus a Sogamoso"}, "key": {"k2"}})
		wantRedirect(t, "an expense", res, book+"?aviso=gasto-anotado")
	}
	_, body = v.get(t, book+"?aviso=gasto-anotado")
	text = html.UnescapeString(body)
	wantText(t, "after the expense", text, "Anotamos el gasto.", "Bus a Sogamoso", "$ 3.500")
	if n := strings.Count(text, "· Bus a Sogamoso"); n != 1 {
		t.Errorf("the expense is listed %d times, want once", n)
	}
	if res, _ := env.signedIn(t, "dora@tesoro.test").get(t, book); res.StatusCode != 403 {
		t.Fatalf("another producer's cashbook: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, v, page, book)
}

// The portfolio: the adviser sees her initiative red (an agreement overdue
// and no session for months) and not the one she does not follow; the API
// answers the same; a producer is refused.
func TestPortfolioPage(t *testing.T) {
	env := newProducerEnv(t)
	adviser := env.person(t, "lucia@tesoro.test", "Lucía Rojas", accounts.RoleAdviser, env.bakery.ID)
	adv := &accounts.Principal{UserID: adviser.ID, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{env.bakery.ID}}
	if _, _, err := env.mentoring.Create(t.Context(), adv, mentoring.SessionInput{InitiativeIDs: []string{env.bakery.ID}, Date: time.Now().AddDate(0, -4, 0),
		DurationMinutes: 60, Modality: "visit", Topics: []string{"marketing"}, Participants: mentoring.Participants{Women: 1},
		Agreements: []mentoring.AgreementInput{{Text: "Abrir la cuenta Nequi", Owner: "Rosa", Due: time.Now().AddDate(0, -3, 0)}}}); err != nil {
		t.Fatal(err)
	}
	v := env.signedIn(t, "lucia@tesoro.test")
	res, body := v.get(t, "/asesoria/portafolio")
	wantStatus(t, "portfolio", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "portfolio", text, "Mi portafolio", "Panadería de Papa", "light-red", "compromisos vencidos (1)", "sin asesoría en 60 días", `<polyline points="0,22`)
	if strings.Contains(text, "Huerta La Esperanza") {
		t.Error("the portfolio lists an initiative the adviser does not follow")
	}
	_, body = v.get(t, "/asesoria/portafolio?luz=green")
	if strings.Contains(body, "Panadería de Papa") {
		t.Error("the green filter shows a red initiative")
	}
	if res, _ := env.signedIn(t, "rosa@tesoro.test").get(t, "/asesoria/portafolio"); res.StatusCode != 403 {
		t.Fatalf("a producer on the portfolio: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, v, "/asesoria/portafolio")
}

// Milestones on the progress page: the adviser sets the sales target (a
// bad amount is told and saves nothing), the producer sends the RUT as a
// PDF (a text file is refused), the adviser verifies it and the page shows
// it reached in the month the document is dated; the producer can neither
// set the target nor verify.
func TestMilestonesOnTheProgressPage(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "lucia@tesoro.test", "Lucía Rojas", accounts.RoleAdviser, env.bakery.ID)
	adviserPage := "/asesoria/iniciativas/" + env.bakery.ID + "/progreso"
	producerPage := "/mi-iniciativa/" + env.bakery.ID + "/progreso"
	lucia := env.signedIn(t, "lucia@tesoro.test")
	rosa := env.signedIn(t, "rosa@tesoro.test")

	lucia.get(t, adviserPage)
	res, body := lucia.post(t, adviserPage+"/meta", url.Values{"amount": {"mucho"}})
	wantStatus(t, "a bad target", res, 422, body)
	wantText(t, "a bad target", html.UnescapeString(body), "Escriba la meta en pesos")
	res, _ = lucia.post(t, adviserPage+"/meta", url.Values{"amount": {"800.000"}})
	wantRedirect(t, "the target", res, adviserPage+"?aviso=meta-guardada#hitos")
	_, body = rosa.get(t, producerPage)
	wantText(t, "the producer's page", html.UnescapeString(body), "Meta de ventas del mes", "$ 800.000", "Subir soporte", "Registro en la Cámara de Comercio")
	if strings.Contains(body, `action="`+producerPage+`/meta"`) {
		t.Error("the producer is offered the target form")
	}
	if res, _ := rosa.post(t, producerPage+"/meta", url.Values{"amount": {"9.000.000"}}); res.StatusCode != 403 {
		t.Errorf("the producer setting the target: %d, want 403", res.StatusCode)
	}

	res, body = rosa.postFile(t, producerPage+"/hitos/rut/soporte", url.Values{"date": {"2026-03-15"}}, "file", "rut.txt", []byte("no soy un pdf"))
	wantStatus(t, "a text file as evidence", res, 415, body)
	wantText(t, "a text file as evidence", html.UnescapeString(body), "Solo se aceptan fotos")
	rosa.get(t, producerPage)
	res, _ = rosa.postFile(t, producerPage+"/hitos/rut/soporte", url.Values{"date": {"2026-03-15"}}, "file", "RUT Panadería.pdf", []byte("%PDF-1.4 rut"))
	wantRedirect(t, "the RUT", res, producerPage+"?aviso=hito-enviado#hitos")
	_, body = rosa.get(t, producerPage+"?aviso=hito-enviado")
	wantText(t, "after sending", html.UnescapeString(body), "Recibimos el soporte", "Soporte en revisión", "fechado 2026-03-15")

	_, body = lucia.get(t, adviserPage)
	wantText(t, "the adviser's review", body, `action="`+adviserPage+`/hitos/rut/revision"`)
	evidence := between(body, `name="evidence_id" value="`, `"`)
	res, body = lucia.post(t, adviserPage+"/hitos/rut/revision", url.Values{"decision": {"rejected"}, "evidence_id": {evidence}})
	wantStatus(t, "a rejection without a note", res, 422, body)
	wantText(t, "a rejection without a note", html.UnescapeString(body), "escriba en la nota por qué")
	res, _ = lucia.post(t, adviserPage+"/hitos/rut/revision", url.Values{"decision": {"verified"}, "evidence_id": {evidence}})
	wantRedirect(t, "verified", res, adviserPage+"?aviso=hito-revisado#hitos")
	_, body = rosa.get(t, producerPage)
	text := html.UnescapeString(body)
	wantText(t, "verified", text, "marzo de 2026", "verificado el "+time.Now().Format("02/01/2006"))
	res, got := rosa.get(t, "/api/v1/initiatives/"+env.bakery.ID+"/milestones/rut/evidence")
	if res.StatusCode != 200 || got != "%PDF-1.4 rut" {
		t.Errorf("the evidence read back: %d %q", res.StatusCode, got)
	}
	wantEveryMessage(t, lucia, adviserPage)
}

// between is the text of s after the first from, up to the next to.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}

// The admin edits the milestone definitions: renames one, changes a
// number, retires one, adds a manual one (a bad code is told); producers'
// pages follow; no one else may.
func TestAdminMilestonesPage(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "coordinacion@tesoro.test", "Coordinación", accounts.RoleAdmin)
	a := env.signedIn(t, "coordinacion@tesoro.test")
	res, body := a.get(t, "/admin/hitos")
	wantStatus(t, "milestones", res, 200, body)
	wantText(t, "milestones", html.UnescapeString(body), "Hitos de sostenibilidad", "Primera venta", "Clientes que vuelven a comprar", "Agregar un hito con soporte")
	res, _ = a.post(t, "/admin/hitos/repeat_buyers", url.Values{"n": {"8"}, "active": {"on"}})
	wantRedirect(t, "a number", res, "/admin/hitos?aviso=hito-guardado")
	a.get(t, "/admin/hitos")
	a.post(t, "/admin/hitos/invima", url.Values{}) // the box unticked: retired
	a.get(t, "/admin/hitos")
	a.post(t, "/admin/hitos/savings", url.Values{"name_es": {"Ahorro en familia"}, "name_en": {"Family savings"}, "active": {"on"}})
	a.get(t, "/admin/hitos")
	res, body = a.post(t, "/admin/hitos", url.Values{"code": {"Marca Registrada"}, "name_es": {"Marca"}, "name_en": {"Trademark"}})
	wantStatus(t, "a bad code", res, 422, body)
	wantText(t, "a bad code", html.UnescapeString(body), "El código lleva de 2 a 40 letras")
	res, _ = a.post(t, "/admin/hitos", url.Values{"code": {"marca"}, "name_es": {"Registro de marca"}, "name_en": {"Trademark"}})
	wantRedirect(t, "a new milestone", res, "/admin/hitos?aviso=hito-guardado")

	_, body = env.signedIn(t, "rosa@tesoro.test").get(t, "/mi-iniciativa/"+env.bakery.ID+"/progreso")
	text := html.UnescapeString(body)
	wantText(t, "the producer's milestones", text, "8 clientes que vuelven a comprar", "Ahorro en familia", "Registro de marca")
	if strings.Contains(text, "INVIMA") {
		t.Error("a retired milestone is still shown")
	}
	if res, _ := env.signedIn(t, "rosa@tesoro.test").get(t, "/admin/hitos"); res.StatusCode != 403 {
		t.Errorf("a producer on the admin's milestones: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, a, "/admin/hitos")
}

// The cashbook on the phone: an expense with the receipt's photo, then
// corrected (the month's total follows, the first one shown annulled), then
// annulled; a bad amount in a correction changes nothing.
func TestCashbookReceiptAndCorrections(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	book := "/mi-iniciativa/" + env.bakery.ID + "/gastos"
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	v.get(t, book)
	res, _ := v.postFile(t, book, url.Values{"category": {"supplies"}, "amount": {"40.000"}, "date": {today}, "key": {"r1"}, "note": {"Harina"}},
		"photo", "recibo.jpg", testJPEG(t, 64, 48))
	wantRedirect(t, "an expense with its receipt", res, book+"?aviso=gasto-anotado")
	_, body := v.get(t, book)
	text := html.UnescapeString(body)
	wantText(t, "with a receipt", text, "ver recibo", "$ 40.000", "Corregir o anular")
	receipt := between(body, `<a href="/api/v1/initiatives/`+env.bakery.ID+`/expenses/`, `/receipt"`)
	if res, photo := v.get(t, "/api/v1/initiatives/"+env.bakery.ID+"/expenses/"+receipt+"/receipt"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") || len(photo) == 0 {
		t.Errorf("the receipt: %d %s (%d bytes)", res.StatusCode, res.Header.Get("Content-Type"), len(photo))
	}
	fix := book + "/" + receipt + "/corregir"
	res, body = v.post(t, fix, url.Values{"category": {"supplies"}, "amount": {"cuarenta"}, "date": {today}})
	wantStatus(t, "a bad correction", res, 422, body)
	v.get(t, book)
	res, _ = v.post(t, fix, url.Values{"category": {"supplies"}, "amount": {"45.000"}, "date": {today}, "note": {"Harina y sal"}})
	wantRedirect(t, "a correction", res, book+"?aviso=gasto-corregido")
	_, body = v.get(t, book+"?aviso=gasto-corregido")
	text = html.UnescapeString(body)
	wantText(t, "corrected", text, "Corregimos el libro", "anulado", "Anulación", "Harina y sal", "$ 45.000")
	if got := between(text, `<dt>Gastos</dt><dd>`, `</dd>`); got != "$ 45.000" {
		t.Errorf("this month's expenses after the correction: %q, want $ 45.000", got)
	}
	// Annul the correction too: nothing spent this month.
	fresh := between(body, `action="`+book+`/`, `/corregir"`)
	res, _ = v.post(t, book+"/"+fresh+"/corregir", url.Values{"annul": {"1"}})
	wantRedirect(t, "an annulment", res, book+"?aviso=gasto-corregido")
	_, body = v.get(t, book)
	if got := between(html.UnescapeString(body), `<dt>Gastos</dt><dd>`, `</dd>`); got != "$ 0" {
		t.Errorf("this month's expenses after annulling all: %q, want $ 0", got)
	}
	if res, _ := env.signedIn(t, "dora@tesoro.test").post(t, fix, url.Values{"annul": {"1"}}); res.StatusCode != 403 {
		t.Errorf("another producer annulling: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, v, book)
}

// sellBreadAtAFair sells n breads of the bakery at a fair open today, cash.
func sellBreadAtAFair(t *testing.T, env *producerEnv, n int64) {
	t.Helper()
	f, _ := openTill(t, env)
	rosa := &accounts.Principal{UserID: env.rosa.ID, Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{env.bakery.ID}}
	if _, err := env.fairs.SyncSales(t.Context(), rosa, f.ID, []fairs.SaleInput{{ClientID: newUUID(), SoldAt: time.Now().Add(-time.Minute).Format(time.RFC3339),
		PaymentMethod: "cash", Lines: []fairs.SaleLine{{ProductID: env.bread.ID, Quantity: n, UnitPrice: env.bread.Price}}}}); err != nil {
		t.Fatal(err)
	}
}
