package frontend

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/programme"
)

// The training pages on a phone: the adviser records a course for her
// initiative, enrols members (a named enrolment without confirming they
// are adults is refused with the reason), adds a minors' count line,
// changes a status and uploads a certificate; the producer sees her
// members' courses on her initiative; every message exists in both languages.
func TestTrainingPages(t *testing.T) {
	env := newProducerEnv(t)
	rosa, err := env.catalog.AddMember(t.Context(), accounts.System, env.bakery.ID, catalog.Member{Name: "Rosa Elvira Cárdenas", Sex: "female", AgeGroup: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	luz, _ := env.catalog.AddMember(t.Context(), accounts.System, env.bakery.ID, catalog.Member{Name: "Luz Dary Pérez", Sex: "female", AgeGroup: "youth"})
	env.person(t, "asesora@tesoro.test", "Asesora", accounts.RoleAdviser, env.bakery.ID)
	adviser := env.signedIn(t, "asesora@tesoro.test")

	res, body := adviser.get(t, "/asesoria/formacion")
	wantStatus(t, "the list", res, 200, body)
	wantText(t, "the list", html.UnescapeString(body), "Formación con aliados", "Registrar un curso", "Panadería de Papa")
	res, body = adviser.post(t, "/asesoria/formacion", url.Values{"partner": {"sena"}, "name": {"Manipulación de alimentos"}, "area": {"gastronomy"},
		"hours": {"0"}, "starts_on": {"2026-07-06"}, "ends_on": {"2026-06-01"}, "municipality": {"Mongua"}})
	wantStatus(t, "a wrong course", res, 422, body)
	wantText(t, "a wrong course", html.UnescapeString(body), "Escriba las horas", "La fecha de fin")
	res, body = adviser.post(t, "/asesoria/formacion", url.Values{"partner": {"sena"}, "name": {"Manipulación de alimentos"}, "area": {"gastronomy"},
		"hours": {"40"}, "starts_on": {"2026-07-06"}, "ends_on": {"2026-08-14"}, "municipality": {"Mongua"}, "venue": {"Casa de la cultura"},
		"initiative_ids": {env.bakery.ID}})
	wantStatus(t, "the course", res, 303, body)
	page := res.Header.Get("Location")
	if !strings.HasPrefix(page, "/asesoria/formacion/") {
		t.Fatalf("redirected to %q", page)
	}
	path, _, _ := strings.Cut(page, "?")
	res, body = adviser.get(t, page)
	wantStatus(t, "the course page", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "the course page", text, "Manipulación de alimentos", "SENA", "Gastronomía", "06/07/2026", "Curso guardado.",
		"Rosa Elvira Cárdenas", "Luz Dary Pérez", "Ley 1581 de 2012", "Menores de 18 años")
	// Not confirmed as adults: refused, with the reason.
	res, body = adviser.post(t, path+"/inscripciones", url.Values{"member": {env.bakery.ID + "/" + luz.ID}})
	wantStatus(t, "unconfirmed", res, 422, body)
	wantText(t, "unconfirmed", html.UnescapeString(body), "No se puede inscribir con nombre a una persona menor de 18 años")
	res, body = adviser.post(t, path+"/inscripciones", url.Values{"member": {env.bakery.ID + "/" + rosa.ID, env.bakery.ID + "/" + luz.ID}, "adults": {"yes"}, "status": {"enrolled"}})
	wantStatus(t, "enrol", res, 303, body)
	res, body = adviser.post(t, path+"/conteos", url.Values{"group": {"minors"}, "sex": {"female"}, "count": {"6"}, "status": {"completed"}})
	wantStatus(t, "count line", res, 303, body)
	res, body = adviser.post(t, path+"/conteos", url.Values{"group": {"minors"}, "sex": {"female"}, "count": {"0"}})
	wantStatus(t, "an empty count line", res, 422, body)
	courseID := strings.TrimPrefix(path, "/asesoria/formacion/")
	c, err := env.training.Course(t.Context(), accounts.System, courseID)
	if err != nil || len(c.Enrolments) != 3 {
		t.Fatalf("the course holds %+v (%v)", c.Enrolments, err)
	}
	var rosaEnrolment string
	for _, e := range c.Enrolments {
		if e.MemberID == rosa.ID {
			rosaEnrolment = e.ID
		}
	}
	res, body = adviser.post(t, path+"/inscripciones/"+rosaEnrolment, url.Values{"status": {"completed"}})
	wantStatus(t, "status", res, 303, body)
	res, body = adviser.postFile(t, path+"/inscripciones/"+rosaEnrolment+"/certificado", nil, "file", "certificado.pdf", []byte("%PDF-1.4 certificado"))
	wantStatus(t, "certificate", res, 303, body)
	res, body = adviser.get(t, path)
	text = html.UnescapeString(body)
	wantText(t, "the course after", text, "6 menores de 18 años", "sin nombres", "Ver certificado: certificado.pdf", "Inscritos (8 personas)")
	if strings.Contains(text, "name=\"name\"") {
		t.Error("the course page asks for a name")
	}
	// Correcting the course: its details come filled in; wrong hours and
	// taking out the initiative with members enrolled are refused, in
	// Spanish, and change nothing; a right correction is kept.
	res, body = adviser.get(t, path+"/editar")
	wantStatus(t, "the correction form", res, 200, body)
	wantText(t, "the correction form", html.UnescapeString(body), "Corregir el curso", `value="Manipulación de alimentos"`, `value="40"`,
		`value="2026-08-14"`, `value="`+env.bakery.ID+`" checked`)
	course := func() url.Values {
		return url.Values{"partner": {"sena"}, "name": {"Manipulación higiénica de alimentos"}, "area": {"gastronomy"}, "hours": {"48"},
			"starts_on": {"2026-07-06"}, "ends_on": {"2026-08-21"}, "municipality": {"Mongua"}, "venue": {"Casa de la cultura"}, "initiative_ids": {env.bakery.ID}}
	}
	wrong := course()
	wrong.Set("hours", "cuarenta")
	res, body = adviser.post(t, path+"/editar", wrong)
	wantStatus(t, "wrong hours", res, 422, body)
	wantText(t, "wrong hours", html.UnescapeString(body), "Escriba las horas", `value="Manipulación higiénica de alimentos"`)
	wrong = course()
	wrong.Del("initiative_ids")
	res, body = adviser.post(t, path+"/editar", wrong)
	wantStatus(t, "without the enrolled initiative", res, 422, body)
	wantText(t, "without the enrolled initiative", html.UnescapeString(body), "tiene integrantes inscritos en el curso")
	if c, _ := env.training.Course(t.Context(), accounts.System, courseID); c.Name != "Manipulación de alimentos" || c.Hours != 40 {
		t.Fatalf("refused corrections changed the course: %+v", c)
	}
	res, body = adviser.post(t, path+"/editar", course())
	wantRedirect(t, "corrected", res, path+"?aviso=curso-guardado")
	if c, _ := env.training.Course(t.Context(), accounts.System, courseID); c.Name != "Manipulación higiénica de alimentos" || c.Hours != 48 || c.EndsOn != "2026-08-21" || len(c.Enrolments) != 3 {
		t.Fatalf("the corrected course: %+v", c)
	}
	_, body = adviser.get(t, path)
	wantText(t, "the corrected course", html.UnescapeString(body), "Manipulación higiénica de alimentos", "21/08/2026", `href="`+path+`/editar"`)

	// Luz was enrolled by mistake: another initiative's adviser may not take
	// her out; hers does, and Luz may be picked again.
	var luzEnrolment string
	for _, e := range c.Enrolments {
		if e.MemberID == luz.ID {
			luzEnrolment = e.ID
		}
	}
	wantText(t, "the remove button", body, `action="`+path+`/inscripciones/`+luzEnrolment+`/quitar"`, "Quitar (registro por error)", "márquela «Se retiró»")
	env.person(t, "asesora.granja@tesoro.test", "Asesora de la granja", accounts.RoleAdviser, env.farm.ID)
	farmAdviser := env.signedIn(t, "asesora.granja@tesoro.test")
	farmAdviser.get(t, path)
	res, body = farmAdviser.post(t, path+"/inscripciones/"+luzEnrolment+"/quitar", nil)
	wantStatus(t, "another initiative's adviser removing", res, 403, body)
	res, body = adviser.post(t, path+"/inscripciones/"+luzEnrolment+"/quitar", nil)
	wantRedirect(t, "removed", res, path+"?aviso=inscripcion-quitada")
	res, body = adviser.post(t, path+"/inscripciones/"+luzEnrolment+"/quitar", nil)
	wantStatus(t, "removed twice", res, 404, body)
	_, body = adviser.get(t, path+"?aviso=inscripcion-quitada")
	text = html.UnescapeString(body)
	wantIn(t, "after the removal", text, []string{"La inscripción quedó quitada del curso.", "Inscritos (7 personas)", `value="` + env.bakery.ID + `/` + luz.ID + `"`},
		[]string{`id="i-` + luzEnrolment + `"`})

	// The producer's view of her members' training.
	producer := env.signedIn(t, "rosa@tesoro.test")
	res, body = producer.get(t, "/mi-iniciativa/"+env.bakery.ID+"/formacion")
	wantStatus(t, "the producer's page", res, 200, body)
	wantIn(t, "the producer's page", html.UnescapeString(body), []string{"Formación de las integrantes", "Rosa Elvira Cárdenas", "Terminó", "Manipulación higiénica de alimentos", "Ver certificado"},
		[]string{"menores de 18 años", "Luz Dary Pérez"})
	res, body = producer.get(t, "/asesoria/formacion")
	wantStatus(t, "the adviser's list to a producer", res, 403, body)
	res, body = producer.get(t, path+"/editar")
	wantStatus(t, "the correction form to a producer", res, 403, body)
	res, body = producer.post(t, path+"/editar", url.Values{"name": {"Otro"}})
	wantStatus(t, "a correction by a producer", res, 403, body)
	other := env.signedIn(t, "dora@tesoro.test")
	res, body = other.get(t, "/mi-iniciativa/"+env.bakery.ID+"/formacion")
	wantStatus(t, "another initiative's producer", res, 403, body)
	res, body = producer.get(t, "/mi-iniciativa/"+env.bakery.ID)
	wantText(t, "the initiative page links it", body, "/mi-iniciativa/"+env.bakery.ID+"/formacion")
	wantEveryMessage(t, adviser, "/asesoria/formacion", path, path+"/editar", "/asesoria")
	wantEveryMessage(t, producer, "/mi-iniciativa/"+env.bakery.ID+"/formacion")
	_ = programme.KindCount
}
