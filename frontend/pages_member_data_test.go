package frontend

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// A member's birth year is kept only for adults: the form takes an adult's
// and refuses a minor's or a word, in Spanish, keeping nothing.
func TestMyInitiativeMemberBirthYear(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	_, body := v.get(t, page)
	last := catalog.LastAdultBirthYear(time.Now().In(colombia.Zone).Year())
	wantText(t, "form", body, `name="birth_year"`, `max="`+strconv.Itoa(last)+`"`, "De menores de 18 años no se guarda")

	member := func(year string) url.Values {
		return url.Values{"name": {"Gloria Amparo Niño"}, "sex": {"female"}, "age_group": {"adult"}, "birth_year": {year}}
	}
	for _, year := range []string{strconv.Itoa(last + 1), strconv.Itoa(last + 10), "mil novecientos", "1850"} {
		res, body := v.post(t, page+"/integrantes", member(year))
		wantStatus(t, year, res, http.StatusUnprocessableEntity, body)
		wantText(t, year, body, "Escriba un año de cuatro cifras de una persona adulta", `aria-invalid="true"`)
	}
	if n := len(env.initiative(t, env.bakery.ID).Members); n != 0 {
		t.Fatalf("refused forms kept %d members", n)
	}
	res, body := v.post(t, page+"/integrantes", member("1979"))
	wantStatus(t, "adult", res, http.StatusSeeOther, body)
	_, body = v.get(t, page)
	wantText(t, "adult", body, "Gloria Amparo Niño", "nació en 1979")
	if m := env.initiative(t, env.bakery.ID).Members; len(m) != 1 || m[0].BirthYear != 1979 {
		t.Fatalf("members: %+v", m)
	}
}

// A member's data comes down whole (record, her courses only, the
// commitment she signed) to who sees her initiative's members, in the API
// and on the page; removing her forgets her training records too.
func TestMemberPersonalData(t *testing.T) {
	env := newProducerEnv(t)
	ctx := t.Context()
	rosa, err := env.catalog.AddMember(ctx, accounts.System, env.bakery.ID, catalog.Member{Name: "Rosa Elvira Cárdenas", Role: "panadera", Sex: "female", AgeGroup: "adult", BirthYear: 1980})
	if err != nil {
		t.Fatal(err)
	}
	luz, err := env.catalog.AddMember(ctx, accounts.System, env.bakery.ID, catalog.Member{Name: "Luz Dary Moreno", Sex: "female", AgeGroup: "youth"})
	if err != nil {
		t.Fatal(err)
	}
	course, err := env.training.CreateCourse(ctx, accounts.System, programme.CourseInput{Partner: "sena", Name: "Manipulación de alimentos",
		Area: "gastronomy", Hours: 40, StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", InitiativeIDs: []string{env.bakery.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var enrolments []programme.Enrolment
	for _, m := range []catalog.Member{rosa, luz} {
		e, err := env.training.Enrol(ctx, accounts.System, course.ID, programme.EnrolmentInput{Kind: programme.KindMember, InitiativeID: env.bakery.ID, MemberID: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		enrolments = append(enrolments, e)
	}
	cert, err := env.training.AttachCertificate(ctx, accounts.System, course.ID, enrolments[0].ID,
		mentoring.Upload{Name: "certificado.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 certificado")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.commit.Sign(ctx, accounts.System, env.bakery.ID, rosa.ID, ""); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, who, body string, member catalog.Member, signer bool) {
		t.Helper()
		var got kit.MemberData
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: %v\n%s", who, err, body)
		}
		if got.InitiativeID != env.bakery.ID || got.Member.ID != member.ID || got.Member.Name != member.Name || got.Member.BirthYear != member.BirthYear {
			t.Errorf("%s: member %+v", who, got)
		}
		if len(got.Training) != 1 || got.Training[0].Course.ID != course.ID || got.Training[0].Enrolment.MemberID != member.ID {
			t.Errorf("%s: training %+v (want her one course)", who, got.Training)
		}
		if signer != (got.Commitment != nil) {
			t.Errorf("%s: commitment %+v, signer %v", who, got.Commitment, signer)
		}
		if got.Commitment != nil && (got.Commitment.TextVersion != programme.CurrentTextVersion || got.Commitment.Text == "" || got.Commitment.SignedOn == "") {
			t.Errorf("%s: commitment %+v", who, got.Commitment)
		}
	}

	// The API: the producer sees both members' data, each her own.
	_, token := env.user(t, "api@tesoro.test", []string{accounts.RoleProducer}, env.bakery.ID)
	for _, m := range []catalog.Member{rosa, luz} {
		res, body := env.get(t, "/api/v1/initiatives/"+env.bakery.ID+"/members/"+m.ID+"/personal-data", "Authorization", "Bearer "+token)
		wantStatus(t, "api "+m.Name, res, http.StatusOK, body)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		check(t, "api "+m.Name, body, m, m.ID == rosa.ID)
	}
	res, body := env.get(t, "/api/v1/initiatives/"+env.bakery.ID+"/members/000000000000000000000000/personal-data", "Authorization", "Bearer "+token)
	wantStatus(t, "unknown member", res, http.StatusNotFound, body)

	// The page: a download link per member, the same data as a file.
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	_, body = v.get(t, page)
	wantText(t, "page", body, `href="`+page+`/integrantes/`+rosa.ID+`/datos"`, "Descargar sus datos", "nació en 1980")
	res, body = v.get(t, page+"/integrantes/"+rosa.ID+"/datos")
	wantStatus(t, "download", res, http.StatusOK, body)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="datos-integrante-tesoro.json"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	check(t, "page", body, rosa, true)
	other := env.signedIn(t, "dora@tesoro.test")
	res, body = other.get(t, page+"/integrantes/"+rosa.ID+"/datos")
	wantStatus(t, "other producer", res, http.StatusForbidden, body)

	// Removing Rosa forgets her enrolment and deletes her certificate; Luz's stays.
	v.get(t, page)
	res, body = v.post(t, page+"/integrantes/"+rosa.ID+"/eliminar", nil)
	wantRedirect(t, "remove", res, page+"?aviso=integrante-quitado#integrantes")
	c, err := env.training.Course(ctx, accounts.System, course.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Enrolments {
		switch e.ID {
		case enrolments[0].ID:
			if !e.Forgotten || e.MemberID != "" || e.Certificate != nil || e.Name != "" {
				t.Errorf("Rosa's enrolment after removal: %+v", e)
			}
		case enrolments[1].ID:
			if e.Forgotten || e.MemberID != luz.ID {
				t.Errorf("Luz's enrolment changed: %+v", e)
			}
		}
	}
	if _, err := env.objects.Stat(ctx, cert.Certificate.Key); !errors.Is(err, errs.NotFound) {
		t.Errorf("certificate of the removed member: %v, want not found", err)
	}
	if cm, err := env.commit.Get(ctx, accounts.System, env.bakery.ID); err != nil || cm.SignedBy != "" {
		t.Errorf("commitment after the signer left: %+v, %v (no name may stay)", cm, err)
	}
}
