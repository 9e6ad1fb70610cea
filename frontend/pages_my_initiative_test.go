package frontend

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// profileForm is the profile form as the page sends it, with changes.
func profileForm(in catalog.Initiative, changes ...string) url.Values {
	f := url.Values{"description": {in.Description}, "whatsapp": {in.WhatsApp}, "stage": {in.Stage}, "kind": {in.Kind}}
	for i := 0; i+1 < len(changes); i += 2 {
		f.Set(changes[i], changes[i+1])
	}
	return f
}

func TestMyInitiativeAccess(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "marta@correo.test", "Marta Gómez", accounts.RoleBuyer)
	env.person(t, "luz@tesoro.test", "Luz Marina Pérez", accounts.RoleAdviser, env.bakery.ID)
	env.person(t, "admin@tesoro.test", "Coordinación", accounts.RoleAdmin)
	id := env.bakery.ID
	photo, err := env.catalog.AddInitiativePhoto(t.Context(), accounts.System, id, bytes.NewReader(testJPEG(t, 40, 30)))
	if err != nil {
		t.Fatal(err)
	}
	member, err := env.catalog.AddMember(t.Context(), accounts.System, id, catalog.Member{Name: "Yurani Palacios", Role: "lideresa", Sex: "female", AgeGroup: "youth"})
	if err != nil {
		t.Fatal(err)
	}
	page := "/mi-iniciativa/" + id

	t.Run("anonymous goes to sign in", func(t *testing.T) {
		res, _ := newVisitor(env.testEnv).get(t, page)
		wantRedirect(t, "anonymous", res, "/entrar?next="+url.QueryEscape(page))
	})

	routes := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", page, nil},
		{"POST", page, profileForm(env.bakery, "description", "Cambiada por otra persona")},
		{"POST", page + "/foto", nil},
		{"POST", page + "/foto/" + photo.ID + "/eliminar", nil},
		{"POST", page + "/integrantes", url.Values{"name": {"Intrusa"}, "sex": {"female"}, "age_group": {"adult"}}},
		{"POST", page + "/integrantes/" + member.ID + "/eliminar", nil},
		{"GET", page + "/integrantes/" + member.ID + "/datos", nil},
	}
	for _, who := range []string{"dora@tesoro.test", "marta@correo.test"} {
		v := env.signedIn(t, who)
		v.get(t, "/perfil") // a page with a form: its CSRF token
		for _, r := range routes {
			t.Run(who+" "+r.method+" "+r.path, func(t *testing.T) {
				var res *http.Response
				var body string
				if r.method == "GET" {
					res, body = v.get(t, r.path)
				} else {
					res, body = v.post(t, r.path, r.form)
				}
				wantStatus(t, r.path, res, http.StatusForbidden, body)
				wantText(t, r.path, body, "Usted no tiene permiso")
				if strings.Contains(body, "Yurani") {
					t.Errorf("the 403 page shows a member's name")
				}
			})
		}
	}
	if in := env.initiative(t, id); in.Description != env.bakery.Description || len(in.Images) != 1 || len(in.Members) != 1 {
		t.Fatalf("after refused requests the initiative changed: %+v", in)
	}

	// Its producer, its adviser and admins may edit it.
	for _, who := range []string{"rosa@tesoro.test", "luz@tesoro.test", "admin@tesoro.test"} {
		t.Run(who+" allowed", func(t *testing.T) {
			v := env.signedIn(t, who)
			res, body := v.get(t, page)
			wantStatus(t, who, res, http.StatusOK, body)
			wantText(t, who, body, "<h1>Panadería de Papa</h1>", "Yurani Palacios", "lideresa", "Mujer", "Joven (14 a 28 años)", "Ley 1581")
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", cc)
			}
			res, _ = v.post(t, page, profileForm(env.initiative(t, id), "description", "Editada por "+who))
			wantRedirect(t, who+" saves", res, page+"?aviso=iniciativa-guardada#main")
			if got := env.initiative(t, id).Description; got != "Editada por "+who {
				t.Fatalf("description: got %q", got)
			}
		})
	}

	// Unknown initiatives are 404, after the sign-in check.
	v := env.signedIn(t, "rosa@tesoro.test")
	for _, path := range []string{"/mi-iniciativa/000000000000000000000000", "/mi-iniciativa/nada"} {
		res, body := v.get(t, path)
		wantStatus(t, path, res, http.StatusNotFound, body)
	}
}

func TestMyInitiativeProfile(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	tests := []struct {
		name       string
		changes    []string
		wantStatus int
		wantText   []string // on the page answered (422) or after the redirect
		check      func(t *testing.T, in catalog.Initiative)
	}{
		{"description and WhatsApp", []string{"description", "Pan de papa horneado en leña.", "whatsapp", "310 555 1234"}, http.StatusSeeOther,
			[]string{"Los datos de la iniciativa quedaron guardados", "Pan de papa horneado en leña.", `value="573105551234"`},
			func(t *testing.T, in catalog.Initiative) {
				if in.Description != "Pan de papa horneado en leña." || in.WhatsApp != "573105551234" {
					t.Fatalf("got %q, %q", in.Description, in.WhatsApp)
				}
			}},
		{"stage and kind", []string{"stage", "sustainable", "kind", "cafeteria"}, http.StatusSeeOther,
			[]string{`<option value="sustainable" selected>Sostenible</option>`, `<option value="cafeteria" selected>Cafetería</option>`},
			func(t *testing.T, in catalog.Initiative) {
				if in.Stage != "sustainable" || in.Kind != "cafeteria" {
					t.Fatalf("got %s, %s", in.Stage, in.Kind)
				}
			}},
		{"invalid WhatsApp", []string{"whatsapp", "12 34"}, http.StatusUnprocessableEntity,
			[]string{"Revise los datos marcados", "Escriba un número de celular", `value="12 34"`, `aria-invalid="true"`},
			func(t *testing.T, in catalog.Initiative) {
				if in.WhatsApp != "573105551234" {
					t.Fatalf("an invalid number was stored: %q", in.WhatsApp)
				}
			}},
		{"unknown stage", []string{"stage", "done"}, http.StatusUnprocessableEntity, []string{"Elija una etapa de la lista"}, nil},
		{"long description", []string{"description", strings.Repeat("x", 4001)}, http.StatusUnprocessableEntity, []string{"hasta 4000 caracteres"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v.get(t, page)
			res, body := v.post(t, page, profileForm(env.initiative(t, env.bakery.ID), tt.changes...))
			wantStatus(t, tt.name, res, tt.wantStatus, body)
			if res.StatusCode == http.StatusSeeOther {
				_, body = v.get(t, res.Header.Get("Location"))
			}
			wantText(t, tt.name, body, tt.wantText...)
			if tt.check != nil {
				tt.check(t, env.initiative(t, env.bakery.ID))
			}
		})
	}
}

func TestMyInitiativePhotos(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	_, body := v.get(t, page)
	wantText(t, "photo form", body, `enctype="multipart/form-data"`, `name="photo" type="file" accept="image/*"`, "todavía no tiene fotos")
	tests := []struct {
		name       string
		filename   string
		data       []byte
		wantStatus int
		wantText   string
		wantPhotos int
	}{
		{"no file chosen", "", nil, http.StatusUnprocessableEntity, "Elija una foto", 0},
		{"text renamed as a photo", "foto.jpg", []byte("esto no es una foto, es texto\n"), http.StatusUnsupportedMediaType, "Ese archivo no es una foto que podamos usar", 0},
		{"over 8 MB", "grande.jpg", append(testJPEG(t, 10, 10), make([]byte, 8<<20)...), http.StatusRequestEntityTooLarge, "demasiado grande", 0},
		{"a photo", "panaderia.jpg", testJPEG(t, 800, 600), http.StatusSeeOther, "", 1},
		{"second photo", "horno.jpg", testJPEG(t, 300, 400), http.StatusSeeOther, "", 2},
		{"third photo", "equipo.jpg", testJPEG(t, 200, 200), http.StatusSeeOther, "", 3},
		{"over the limit", "cuarta.jpg", testJPEG(t, 200, 200), http.StatusUnprocessableEntity, "hasta 3 fotos", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := v.postMultipart(t, page+"/foto", nil, tt.filename, tt.data)
			wantStatus(t, tt.name, res, tt.wantStatus, body)
			wantText(t, tt.name, body, tt.wantText)
			if res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") != page+"?aviso=foto-agregada#fotos" {
				t.Errorf("redirect to %q", res.Header.Get("Location"))
			}
			if n := len(env.initiative(t, env.bakery.ID).Images); n != tt.wantPhotos {
				t.Fatalf("photos: got %d, want %d", n, tt.wantPhotos)
			}
		})
	}
	in := env.initiative(t, env.bakery.ID)
	_, body = v.get(t, page+"?aviso=foto-agregada")
	wantText(t, "page with photos", body, "La foto quedó agregada", `src="`+in.Images[0].ThumbURL+`"`, "hasta 3 fotos",
		`action="`+page+`/foto/`+in.Images[0].ID+`/eliminar"`)
	res, _ := v.post(t, page+"/foto/"+in.Images[0].ID+"/eliminar", nil)
	wantRedirect(t, "remove photo", res, page+"?aviso=foto-quitada#fotos")
	if got := env.initiative(t, env.bakery.ID).Images; len(got) != 2 || got[0].ID != in.Images[1].ID {
		t.Fatalf("after removing: %+v", got)
	}
	if res, body := v.post(t, page+"/foto/nada/eliminar", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("removing an unknown photo: got %d, want 404\n%s", res.StatusCode, body)
	}
}

func TestMyInitiativeMembers(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	v.get(t, page)
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantText   []string
	}{
		{"valid", url.Values{"name": {"Rosa Elvira Cárdenas"}, "role": {"panadera"}, "sex": {"female"}, "age_group": {"adult"}}, http.StatusSeeOther,
			[]string{"El integrante quedó agregado", "Rosa Elvira Cárdenas", "panadera", "Mujer", "Adulto(a)"}},
		{"sex x", url.Values{"name": {"Jhon Fredy"}, "sex": {"x"}, "age_group": {"youth"}}, http.StatusUnprocessableEntity,
			[]string{"Revise los datos marcados", "Elija mujer u hombre", `value="Jhon Fredy"`}},
		{"no name nor age group", url.Values{"sex": {"male"}}, http.StatusUnprocessableEntity,
			[]string{"Escriba un nombre de 2 a 100 caracteres", "Elija joven (14 a 28 años) o adulto(a)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := v.post(t, page+"/integrantes", tt.form)
			wantStatus(t, tt.name, res, tt.wantStatus, body)
			if res.StatusCode == http.StatusSeeOther {
				if loc := res.Header.Get("Location"); loc != page+"?aviso=integrante-agregado#integrantes" {
					t.Fatalf("redirect to %q", loc)
				}
				_, body = v.get(t, res.Header.Get("Location"))
			}
			wantText(t, tt.name, body, tt.wantText...)
		})
	}
	members := env.initiative(t, env.bakery.ID).Members
	if len(members) != 1 || members[0].Name != "Rosa Elvira Cárdenas" || members[0].Sex != "female" || members[0].AgeGroup != "adult" {
		t.Fatalf("members: %+v", members)
	}
	res, _ := v.post(t, page+"/integrantes/"+members[0].ID+"/eliminar", nil)
	wantRedirect(t, "remove member", res, page+"?aviso=integrante-quitado#integrantes")
	if n := len(env.initiative(t, env.bakery.ID).Members); n != 0 {
		t.Fatalf("after removing: %d members", n)
	}
	if res, body := v.post(t, page+"/integrantes/"+members[0].ID+"/eliminar", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("removing twice: got %d, want 404\n%s", res.StatusCode, body)
	}
}

func TestMyInitiativeFormsNeedCSRF(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	for _, path := range []string{page, page + "/foto", page + "/foto/x/eliminar", page + "/integrantes", page + "/integrantes/x/eliminar"} {
		form := profileForm(env.bakery, "description", "Sin token", "name", "Sin Token", "sex", "female", "age_group", "adult")
		res, body := v.postRaw(t, path, form)
		wantStatus(t, "POST "+path+" without _csrf", res, http.StatusForbidden, body)
		form.Set(kit.CSRFField, "otro-token-cualquiera")
		res, body = v.postRaw(t, path, form)
		wantStatus(t, "POST "+path+" with a wrong _csrf", res, http.StatusForbidden, body)
	}
	if in := env.initiative(t, env.bakery.ID); in.Description != env.bakery.Description || len(in.Members) != 0 {
		t.Fatalf("requests without CSRF token changed the initiative: %+v", in)
	}
}

// The profile renders in both pages.Languages without a missing message, with its
// forms failed too, and the producer's list links to it.
func TestMyInitiativeHasNoMissingMessages(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "admin@tesoro.test", "Coordinación", accounts.RoleAdmin)
	id := env.bakery.ID
	if _, err := env.catalog.AddInitiativePhoto(t.Context(), accounts.System, id, bytes.NewReader(testJPEG(t, 40, 30))); err != nil {
		t.Fatal(err)
	}
	for _, m := range []catalog.Member{{Name: "Yurani Palacios", Sex: "female", AgeGroup: "youth"}, {Name: "Jhon Fredy", Role: "horneador", Sex: "male", AgeGroup: "adult"}} {
		if _, err := env.catalog.AddMember(t.Context(), accounts.System, id, m); err != nil {
			t.Fatal(err)
		}
	}
	page := "/mi-iniciativa/" + id
	for _, who := range []string{"rosa@tesoro.test", "admin@tesoro.test"} {
		v := env.signedIn(t, who)
		for _, lang := range []string{"es", "en"} {
			v.lang = lang
			check := func(what string, res *http.Response, body string, status int) {
				t.Helper()
				wantStatus(t, what, res, status, body)
				if i := strings.Index(body, "⟦"); i >= 0 {
					t.Errorf("%s %s in %s: missing message near %q", who, what, lang, body[i:min(len(body), i+60)])
				}
			}
			for _, notice := range []string{"", "?aviso=iniciativa-guardada", "?aviso=integrante-agregado", "?aviso=integrante-quitado"} {
				res, body := v.get(t, page+notice)
				check(page+notice, res, body, http.StatusOK)
				if !strings.Contains(body, `/static/producer.`) {
					t.Errorf("%s does not link producer.css", page)
				}
			}
			res, body := v.post(t, page, profileForm(env.bakery, "whatsapp", "1", "stage", "x", "kind", "y", "description", strings.Repeat("x", 4001)))
			check("failed profile", res, body, http.StatusUnprocessableEntity)
			res, body = v.post(t, page+"/integrantes", url.Values{"name": {"x"}, "role": {strings.Repeat("r", 61)}, "sex": {"x"}, "age_group": {"x"}})
			check("failed member", res, body, http.StatusUnprocessableEntity)
			res, body = v.postMultipart(t, page+"/foto", nil, "foto.jpg", []byte("texto"))
			check("failed photo", res, body, http.StatusUnsupportedMediaType)
			res, body = v.get(t, "/mis-productos?iniciativa="+id)
			check("list", res, body, http.StatusOK)
			wantText(t, "list", body, `href="/mi-iniciativa/`+id+`"`)
		}
	}
}

// The public page shows the first photo, light (a thumbnail on phones), and
// never the members.
func TestMyInitiativePublicPage(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID
	v.get(t, page)
	res, body := v.post(t, page+"/integrantes", url.Values{"name": {"Yurani Palacios"}, "role": {"lideresa"}, "sex": {"female"}, "age_group": {"youth"}})
	wantStatus(t, "add member", res, http.StatusSeeOther, body)
	res, body = v.postMultipart(t, page+"/foto", nil, "panaderia.jpg", testJPEG(t, 1200, 900))
	wantStatus(t, "add photo", res, http.StatusSeeOther, body)
	photo := env.initiative(t, env.bakery.ID).Images[0]

	_, body = env.get(t, "/iniciativas/"+env.bakery.Slug)
	wantIn(t, "public initiative page", body,
		[]string{"<picture>", `<img src="` + photo.ThumbURL + `" width="480" height="360" alt="Foto de Panadería de Papa">`,
			`srcset="` + photo.MediumURL + `" width="960" height="720"`},
		[]string{"Yurani", "Palacios", "lideresa", photo.FullURL})
	if _, body := env.get(t, "/api/v1/initiatives/"+env.bakery.ID); strings.Contains(body, "Yurani") || !strings.Contains(body, `"thumb_url":"`+photo.ThumbURL+`"`) {
		t.Errorf("public JSON: want the photo's URLs and no member\n%s", body)
	}
}
