package frontend

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/pages"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// adviceEnv is the producer environment with two advisers: Luz advises both
// initiatives, Pedro only the farm.
type adviceEnv struct {
	*producerEnv
	luz, pedro accounts.User
}

func newAdviceEnv(t *testing.T) *adviceEnv {
	t.Helper()
	env := &adviceEnv{producerEnv: newProducerEnv(t)}
	env.luz = env.person(t, "luz@tesoro.test", "Luz Marina Pérez", accounts.RoleAdviser, env.bakery.ID, env.farm.ID)
	env.pedro = env.person(t, "pedro@tesoro.test", "Pedro Pablo Ríos", accounts.RoleAdviser, env.farm.ID)
	return env
}

var adviceAdmin = &accounts.Principal{UserID: "test-admin", Roles: []string{accounts.RoleAdmin}}

func (e *adviceEnv) sessions(t *testing.T, initiativeID string) []mentoring.Session {
	t.Helper()
	list, err := e.mentoring.Sessions(t.Context(), adviceAdmin, mentoring.SessionFilter{InitiativeID: initiativeID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (e *adviceEnv) agreements(t *testing.T, initiativeID string) []mentoring.Agreement {
	t.Helper()
	list, err := e.mentoring.ListAgreements(t.Context(), adviceAdmin, mentoring.AgreementFilter{InitiativeID: initiativeID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// bogotaDay is the day it is in Bogotá, offset by days, as a date input sends it.
func bogotaDay(days int) string {
	return mentoring.Today(time.Now()).AddDate(0, 0, days).Format(time.DateOnly)
}

// workshopForm is a valid session form: a workshop with both initiatives,
// an agreement of the bakery due in a week and one of the farm due yesterday.
func (e *adviceEnv) workshopForm() url.Values {
	return url.Values{
		"initiative": {e.bakery.ID, e.farm.ID}, "date": {bogotaDay(0)}, "duration": {"120"}, "modality": {"workshop"},
		"topic": {"family_economy_savings", "accounting"}, "women": {"9"}, "men": {"3"}, "youth": {"4"}, "adults": {"8"},
		"notes": {"Taller de economía familiar: alcancía y cuaderno de gastos."}, "follow_up": {bogotaDay(3)},
		"agreement_text_1": {"Abrir la cuenta de ahorro en Nequi"}, "agreement_owner_1": {"Rosa Elvira"},
		"agreement_due_1": {bogotaDay(7)}, "agreement_initiative_1": {e.bakery.ID},
		"agreement_text_2": {"Llevar las cuentas de la huerta"}, "agreement_owner_2": {"asesora"},
		"agreement_due_2": {bogotaDay(-1)}, "agreement_initiative_2": {e.farm.ID},
	}
}

func TestAdviceAdviserLogsWorkshopWithPhoto(t *testing.T) {
	env := newAdviceEnv(t)
	v := env.signedIn(t, "luz@tesoro.test")
	res, body := v.get(t, "/asesoria/sesiones/nueva")
	wantStatus(t, "form", res, 200, body)
	wantText(t, "form", body, "Registrar una sesión", "Panadería de Papa", "Huerta La Esperanza", "Contabilidad",
		"Economía familiar y ahorro", `name="step" value="women+"`, `capture="environment"`, `enctype="multipart/form-data"`,
		`href="/asesoria"`, ">Asesoría</a>")

	res, body = v.postMultipart(t, "/asesoria/sesiones/nueva", env.workshopForm(), "taller.jpg", testJPEG(t, 640, 480))
	wantRedirect(t, "create", res, "/asesoria/iniciativas/"+env.bakery.ID+"?aviso=sesion-registrada")

	list := env.sessions(t, env.farm.ID)
	if len(list) != 1 {
		t.Fatalf("the farm has %d sessions, want 1", len(list))
	}
	s := list[0]
	if s.AdviserID != env.luz.ID || len(s.InitiativeIDs) != 2 || s.Modality != "workshop" || s.DurationMinutes != 120 ||
		s.Participants != (mentoring.Participants{Women: 9, Men: 3, Youth: 4, Adults: 8}) || len(s.Topics) != 2 ||
		s.NextFollowUp == nil || s.NextFollowUp.Format(time.DateOnly) != bogotaDay(3) || s.Date.Format(time.DateOnly) != bogotaDay(0) {
		t.Fatalf("stored session: %+v", s)
	}
	if len(s.Attachments) != 1 || s.Attachments[0].ContentType != "image/jpeg" || s.Attachments[0].ThumbKey == "" {
		t.Fatalf("attachments: %+v", s.Attachments)
	}
	for _, key := range []string{s.Attachments[0].Key, s.Attachments[0].ThumbKey} {
		r, _, err := env.objects.Get(t.Context(), key)
		if err != nil {
			t.Fatalf("object %s: %v", key, err)
		}
		r.Close()
	}
	bakeryAgreements, farmAgreements := env.agreements(t, env.bakery.ID), env.agreements(t, env.farm.ID)
	if len(bakeryAgreements) != 1 || bakeryAgreements[0].Owner != "Rosa Elvira" || bakeryAgreements[0].SessionID != s.ID ||
		len(farmAgreements) != 1 || farmAgreements[0].Owner != mentoring.OwnerAdviser {
		t.Fatalf("agreements: bakery %+v, farm %+v", bakeryAgreements, farmAgreements)
	}

	res, body = v.get(t, "/asesoria/iniciativas/"+env.bakery.ID+"?aviso=sesion-registrada")
	wantStatus(t, "timeline", res, 200, body)
	wantText(t, "timeline", body, "La sesión quedó registrada", "Taller junto con: Huerta La Esperanza",
		"Economía familiar y ahorro", "9 mujeres, 3 hombres", "Abrir la cuenta de ahorro en Nequi", "Rosa Elvira",
		`/api/v1/sessions/`+s.ID+`/attachments/`+s.Attachments[0].ID+`?size=thumb`, "Marcar cumplido", "Descartar")
	if strings.Contains(body, "Llevar las cuentas de la huerta") {
		t.Error("the bakery's timeline shows the farm's agreement")
	}
	// The thumbnail loads for the adviser.
	res, _ = v.get(t, "/api/v1/sessions/"+s.ID+"/attachments/"+s.Attachments[0].ID+"?size=thumb")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Errorf("thumbnail: got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	res, body = v.get(t, "/asesoria")
	wantStatus(t, "home", res, 200, body)
	wantText(t, "home", body, "Mis iniciativas", "Seguimientos de los próximos 14 días", s.NextFollowUp.UTC().Format("02/01/2006"),
		"Compromisos vencidos", "Llevar las cuentas de la huerta", "Asesor(a)", `href="/asesoria/sesiones/nueva"`)
	if strings.Contains(body, "Abrir la cuenta de ahorro en Nequi") {
		t.Error("home lists an agreement that is not overdue")
	}

	// English.
	v.lang = "en"
	_, body = v.get(t, "/asesoria/iniciativas/"+env.bakery.ID)
	wantText(t, "timeline in English", body, "Advice history", "Family economy and savings", "Mark done")
}

func TestAdviceValidationKeepsInputAndStoresNothing(t *testing.T) {
	env := newAdviceEnv(t)
	v := env.signedIn(t, "luz@tesoro.test")
	v.get(t, "/asesoria/sesiones/nueva")
	form := env.workshopForm()
	form.Del("topic")
	form.Set("date", bogotaDay(5))
	form.Set("women", "muchas")
	form.Set("agreement_owner_1", "")
	form.Set("agreement_initiative_2", "")
	res, body := v.postMultipart(t, "/asesoria/sesiones/nueva", form, "taller.jpg", testJPEG(t, 64, 48))
	wantStatus(t, "invalid session", res, http.StatusUnprocessableEntity, body)
	wantText(t, "invalid session", body, "Revise los datos marcados.",
		"Elija al menos un tema de la lista.",
		"La fecha no puede ser posterior a mañana.",
		"Escriba un número entero, 0 o más.",
		"Escriba quién es responsable.",
		"Elija a cuál de las iniciativas marcadas corresponde el compromiso.",
		"Vuelva a elegir la foto",
		// what was typed comes back
		`value="muchas"`, "Taller de economía familiar: alcancía y cuaderno de gastos.", `value="Abrir la cuenta de ahorro en Nequi"`,
		`value="`+env.farm.ID+`" checked`, `value="workshop" checked`)
	if n := len(env.sessions(t, "")); n != 0 {
		t.Fatalf("after an invalid form there are %d sessions, want 0: %+v", n, env.sessions(t, ""))
	}
	if n := len(env.agreements(t, "")); n != 0 {
		t.Fatalf("after an invalid form there are %d agreements, want 0", n)
	}
	if objs, err := env.objects.List(t.Context(), "private/"); err != nil || len(objs) != 0 {
		t.Fatalf("after an invalid form: objects %v, %v; want none", objs, err)
	}

	// A file that is not a photo: nothing stored, the message by the photo.
	res, body = v.postMultipart(t, "/asesoria/sesiones/nueva", env.workshopForm(), "lista.txt", []byte("no es una foto"))
	wantStatus(t, "not a photo", res, http.StatusUnprocessableEntity, body)
	wantText(t, "not a photo", body, "Ese archivo no es una foto")
	if n := len(env.sessions(t, "")); n != 0 {
		t.Fatalf("after a bad photo there are %d sessions, want 0", n)
	}
}

func TestAdviceCountersWorkWithoutJavaScript(t *testing.T) {
	env := newAdviceEnv(t)
	v := env.signedIn(t, "luz@tesoro.test")
	v.get(t, "/asesoria/sesiones/nueva")
	form := env.workshopForm()
	form.Set("step", "women+")
	res, body := v.post(t, "/asesoria/sesiones/nueva", form)
	wantStatus(t, "women +", res, 200, body)
	wantText(t, "women +", body, `id="women" name="women" type="number" inputmode="numeric" min="0" max="100000" step="1" value="10"`)
	form.Set("step", "men-")
	form.Set("men", "0")
	_, body = v.post(t, "/asesoria/sesiones/nueva", form)
	wantText(t, "men − at zero", body, `id="men" name="men" type="number" inputmode="numeric" min="0" max="100000" step="1" value="0"`)
	if n := len(env.sessions(t, "")); n != 0 {
		t.Fatalf("a counter step stored %d sessions, want 0", n)
	}
}

func TestAdvicePagesRefuseOthers(t *testing.T) {
	env := newAdviceEnv(t)
	env.person(t, "marta@correo.test", "Marta Gómez", accounts.RoleBuyer)
	luz := &accounts.Principal{UserID: env.luz.ID, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{env.bakery.ID, env.farm.ID}}
	_, ags, err := env.mentoring.Create(t.Context(), luz, mentoring.SessionInput{InitiativeIDs: []string{env.bakery.ID},
		Date: mentoring.Today(time.Now()), DurationMinutes: 60, Modality: "visit", Topics: []string{"accounting"},
		Agreements: []mentoring.AgreementInput{{Text: "Costear el pan", Owner: "Rosa", Due: mentoring.Today(time.Now())}}})
	if err != nil {
		t.Fatal(err)
	}
	agreement := ags[0]

	anonymous := newVisitor(env.testEnv)
	for _, path := range []string{"/asesoria", "/asesoria/sesiones/nueva", "/asesoria/iniciativas/" + env.bakery.ID, "/mi-iniciativa/" + env.bakery.ID + "/asesoria"} {
		res, _ := anonymous.get(t, path)
		wantRedirect(t, "anonymous "+path, res, "/entrar?next="+url.QueryEscape(path))
	}

	tests := []struct {
		who, method, path string
		form              url.Values
	}{
		// Pedro advises the farm only.
		{"pedro@tesoro.test", "GET", "/asesoria/iniciativas/" + env.bakery.ID, nil},
		{"pedro@tesoro.test", "POST", "/asesoria/sesiones/nueva", url.Values{"initiative": {env.bakery.ID}, "date": {bogotaDay(0)},
			"duration": {"60"}, "modality": {"visit"}, "topic": {"marketing"}}},
		{"pedro@tesoro.test", "POST", "/asesoria/sesiones/nueva", url.Values{"initiative": {env.bakery.ID, env.farm.ID}, "date": {bogotaDay(0)},
			"duration": {"60"}, "modality": {"workshop"}, "topic": {"marketing"}}},
		{"pedro@tesoro.test", "POST", "/asesoria/iniciativas/" + env.bakery.ID + "/compromisos/" + agreement.ID, url.Values{"status": {"done"}}},
		// Dora is a producer of the farm.
		{"dora@tesoro.test", "GET", "/mi-iniciativa/" + env.bakery.ID + "/asesoria", nil},
		{"dora@tesoro.test", "GET", "/asesoria/iniciativas/" + env.bakery.ID, nil},
		{"dora@tesoro.test", "POST", "/mi-iniciativa/" + env.bakery.ID + "/asesoria/compromisos/" + agreement.ID, url.Values{"status": {"done"}}},
		{"dora@tesoro.test", "GET", "/asesoria", nil},
		{"dora@tesoro.test", "GET", "/asesoria/sesiones/nueva", nil},
		// Rosa, of the bakery, may mark done but not drop.
		{"rosa@tesoro.test", "POST", "/mi-iniciativa/" + env.bakery.ID + "/asesoria/compromisos/" + agreement.ID, url.Values{"status": {"dropped"}}},
		{"marta@correo.test", "GET", "/asesoria", nil},
		{"marta@correo.test", "GET", "/mi-iniciativa/" + env.bakery.ID + "/asesoria", nil},
	}
	visitors := map[string]*visitor{}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
			v := visitors[tt.who]
			if v == nil {
				v = env.signedIn(t, tt.who)
				v.get(t, "/perfil") // a page with a form: its CSRF token
				visitors[tt.who] = v
			}
			var res *http.Response
			var body string
			if tt.method == "GET" {
				res, body = v.get(t, tt.path)
			} else {
				res, body = v.post(t, tt.path, tt.form)
			}
			wantStatus(t, tt.path, res, http.StatusForbidden, body)
			wantText(t, tt.path, body, "Usted no tiene permiso")
		})
	}
	if n := len(env.sessions(t, "")); n != 1 {
		t.Fatalf("after refused requests there are %d sessions, want 1", n)
	}
	if a := env.agreements(t, env.bakery.ID)[0]; a.Status != mentoring.StatusOpen || len(a.History) != 0 {
		t.Fatalf("after refused requests the agreement is %s with history %+v", a.Status, a.History)
	}
	// An agreement under another initiative's path is not found.
	v := visitors["pedro@tesoro.test"]
	res, body := v.post(t, "/asesoria/iniciativas/"+env.farm.ID+"/compromisos/"+agreement.ID, url.Values{"status": {"done"}})
	wantStatus(t, "agreement under the wrong initiative", res, http.StatusForbidden, body)
	res, body = visitors["rosa@tesoro.test"].get(t, "/asesoria/iniciativas/000000000000000000000000")
	wantStatus(t, "unknown initiative", res, http.StatusNotFound, body)
}

func TestAdviceProducerMarksAgreementDone(t *testing.T) {
	env := newAdviceEnv(t)
	luz := &accounts.Principal{UserID: env.luz.ID, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{env.bakery.ID, env.farm.ID}}
	_, ags, err := env.mentoring.Create(t.Context(), luz, mentoring.SessionInput{InitiativeIDs: []string{env.bakery.ID},
		Date: mentoring.Today(time.Now()), DurationMinutes: 45, Modality: "visit", Topics: []string{"marketing"},
		Notes:      "Fotos de los productos para el catálogo",
		Agreements: []mentoring.AgreementInput{{Text: "Tomar fotos del pan con buena luz", Owner: "Rosa", Due: mentoring.Today(time.Now()).AddDate(0, 0, 5)}}})
	if err != nil {
		t.Fatal(err)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	_, body := v.get(t, "/mi-iniciativa/"+env.bakery.ID)
	wantText(t, "profile", body, `href="/mi-iniciativa/`+env.bakery.ID+`/asesoria"`)
	page := "/mi-iniciativa/" + env.bakery.ID + "/asesoria"
	res, body := v.get(t, page)
	wantStatus(t, "producer's page", res, 200, body)
	wantText(t, "producer's page", body, "Historial de asesoría", "Fotos de los productos para el catálogo", "Mercadeo",
		"Tomar fotos del pan con buena luz", "Marcar cumplido", `action="`+page+`/compromisos/`+ags[0].ID+`"`)
	if strings.Contains(body, "Descartar") || strings.Contains(body, ">Asesoría</a>") {
		t.Error("a producer is offered to drop an agreement or the advisers' pages")
	}
	res, _ = v.post(t, page+"/compromisos/"+ags[0].ID, url.Values{"status": {"done"}})
	wantRedirect(t, "mark done", res, page+"?aviso=compromiso-done#compromiso-"+ags[0].ID)
	a := env.agreements(t, env.bakery.ID)[0]
	if a.Status != mentoring.StatusDone || len(a.History) != 1 || a.History[0].By != env.rosa.ID {
		t.Fatalf("after marking done: %+v", a)
	}
	_, body = v.get(t, page+"?aviso=compromiso-done")
	wantText(t, "after marking done", body, "El compromiso quedó marcado como cumplido.", "Cumplido")
	if strings.Contains(body, "Marcar cumplido") || strings.Contains(body, "Reabrir") {
		t.Error("a done agreement still offers actions to its producer")
	}
}

func TestAdvicePagesHaveNoMissingMessages(t *testing.T) {
	env := newAdviceEnv(t)
	v := env.signedIn(t, "luz@tesoro.test")
	v.get(t, "/asesoria/sesiones/nueva")
	res, _ := v.postMultipart(t, "/asesoria/sesiones/nueva", env.workshopForm(), "", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create without photo: got %d", res.StatusCode)
	}
	invalid := url.Values{"agreement_text_1": {"x"}, "notes": {strings.Repeat("n", 4001)}, "duration": {"0"}, "modality": {"dance"}}
	for _, lang := range pages.Languages {
		v.lang = lang
		for _, path := range []string{"/asesoria", "/asesoria/sesiones/nueva", "/asesoria/iniciativas/" + env.bakery.ID,
			"/mi-iniciativa/" + env.bakery.ID + "/asesoria", "/asesoria/iniciativas/" + env.farm.ID} {
			_, body := v.get(t, path)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", path, lang, body[i:min(len(body), i+40)])
			}
		}
		_, body := v.post(t, "/asesoria/sesiones/nueva", invalid)
		if i := strings.Index(body, "⟦"); i >= 0 {
			t.Errorf("invalid form in %s: missing message near %q", lang, body[i:min(len(body), i+40)])
		}
	}

}

func TestAdviceAdviserRemovesAPhoto(t *testing.T) {
	env := newAdviceEnv(t)
	luz := env.signedIn(t, "luz@tesoro.test")
	luz.get(t, "/asesoria/sesiones/nueva") // the form, and its CSRF token
	res, _ := luz.postMultipart(t, "/asesoria/sesiones/nueva", env.workshopForm(), "taller.jpg", testJPEG(t, 640, 480))
	wantRedirect(t, "create", res, "/asesoria/iniciativas/"+env.bakery.ID+"?aviso=sesion-registrada")
	s := env.sessions(t, env.bakery.ID)[0]
	a := s.Attachments[0]
	remove := "/asesoria/iniciativas/" + env.bakery.ID + "/sesiones/" + s.ID + "/adjuntos/" + a.ID + "/quitar"

	// The producer sees the photo but no way to remove it, and cannot.
	rosa := env.signedIn(t, "rosa@tesoro.test")
	_, body := rosa.get(t, "/mi-iniciativa/"+env.bakery.ID+"/asesoria")
	wantText(t, "producer's page", body, a.ID+"?size=thumb")
	if strings.Contains(body, "/quitar") {
		t.Error("a producer is offered to remove a session's photo")
	}
	res, body = rosa.post(t, remove, nil)
	wantStatus(t, "producer removes", res, http.StatusForbidden, body)
	wantText(t, "producer removes", body, "Usted no tiene permiso") // refused by the policy, not by the CSRF check

	_, body = luz.get(t, "/asesoria/iniciativas/"+env.bakery.ID)
	wantText(t, "adviser's timeline", body, `action="`+remove+`"`, ">Quitar<")
	res, _ = luz.post(t, remove, nil)
	wantRedirect(t, "remove", res, "/asesoria/iniciativas/"+env.bakery.ID+"?aviso=adjunto-quitado#sesion-"+s.ID)
	if got := env.sessions(t, env.bakery.ID)[0].Attachments; len(got) != 0 {
		t.Fatalf("attachments after removing: %+v", got)
	}
	if _, _, err := env.objects.Get(t.Context(), a.Key); err == nil {
		t.Error("the photo is still stored")
	}
	_, body = luz.get(t, "/asesoria/iniciativas/"+env.bakery.ID+"?aviso=adjunto-quitado")
	wantText(t, "after removing", body, "Se quitó el archivo de la sesión.")
	if strings.Contains(body, a.ID) {
		t.Error("the timeline still shows the removed photo")
	}
}
