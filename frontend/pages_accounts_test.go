package frontend

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/frontend/pages"
)

func TestSignIn(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	tests := []struct {
		name     string
		next     string
		wantNext string
	}{
		{"back to the page asked for", "/perfil", "/perfil"},
		{"home by default", "", "/"},
		{"never to another site", "https://evil.example/", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVisitor(env)
			res, body := v.get(t, "/entrar?next="+url.QueryEscape(tt.next))
			wantStatus(t, "sign-in page", res, 200, body)
			wantText(t, "sign-in page", body, "Entre a su cuenta", `name="password"`)
			if v.cookies[kit.CSRFCookie] == "" || v.csrf != v.cookies[kit.CSRFCookie] {
				t.Fatalf("anonymous form: got cookie %q and field %q, want the same token in both", v.cookies[kit.CSRFCookie], v.csrf)
			}
			res, _ = v.post(t, "/entrar", url.Values{"email": {"  ROSA@tesoro.test "}, "password": {testPassword}, "next": {tt.next}})
			wantRedirect(t, "sign in", res, tt.wantNext)
			var session *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == kit.SessionCookie {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
				t.Fatalf("session cookie: got %+v, want HttpOnly, SameSite=Lax, Path=/", session)
			}
			_, body = v.get(t, "/")
			wantText(t, "home after sign in", body, `<span class="who">Usuaria</span>`, "Mi perfil", "Salir")
			if strings.Contains(body, `href="/admin/usuarios"`) {
				t.Error("a producer's header links to the admin page")
			}
		})
	}
}

func TestSignInFailuresLookTheSame(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	alert := regexp.MustCompile(`<p class="alert" role="alert">([^<]*)</p>`)
	var texts []string
	for _, email := range []string{"rosa@tesoro.test", "nadie@tesoro.test"} {
		v := newVisitor(env)
		v.get(t, "/entrar")
		res, body := v.post(t, "/entrar", url.Values{"email": {email}, "password": {"no-es-la-clave"}})
		wantStatus(t, "wrong credentials for "+email, res, http.StatusUnauthorized, body)
		m := alert.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no alert on the page", email)
		}
		texts = append(texts, m[1])
		wantText(t, "failed sign-in page", body, `value="`+email+`"`)
		if strings.Contains(body, "no-es-la-clave") {
			t.Error("the page shows the password typed")
		}
		if v.cookies[kit.SessionCookie] != "" {
			t.Error("a failed sign in set a session cookie")
		}
	}
	if texts[0] != "Correo o contraseña incorrectos." || texts[1] != texts[0] {
		t.Fatalf("messages: got %q for a known email and %q for an unknown one, want both %q", texts[0], texts[1], "Correo o contraseña incorrectos.")
	}
}

func TestSignInRateLimited(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.get(t, "/entrar")
	var res *http.Response
	var body string
	for range accounts.DefaultRateLimits.LoginPerPair.Max {
		res, body = v.post(t, "/entrar", url.Values{"email": {"rosa@tesoro.test"}, "password": {"adivinando-la-clave"}})
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	wantStatus(t, "after too many wrong passwords", res, http.StatusTooManyRequests, body)
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After: got %q, want whole seconds", res.Header.Get("Retry-After"))
	}
	wantText(t, "429 page", body, "Demasiados intentos", `value="rosa@tesoro.test"`)
	res, body = v.post(t, "/entrar", url.Values{"email": {"rosa@tesoro.test"}, "password": {testPassword}})
	wantStatus(t, "right password while blocked", res, http.StatusTooManyRequests, body)
}

func TestAccountFormsNeedCSRF(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	tests := []struct {
		name string
		form url.Values
		load bool // get the page (and the csrf cookie) first
	}{
		{"no token, no cookie", url.Values{"email": {"rosa@tesoro.test"}, "password": {testPassword}}, false},
		{"cookie but no field", url.Values{"email": {"rosa@tesoro.test"}, "password": {testPassword}}, true},
		{"wrong field", url.Values{"email": {"rosa@tesoro.test"}, "password": {testPassword}, kit.CSRFField: {strings.Repeat("x", 43)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVisitor(env)
			if tt.load {
				v.get(t, "/entrar")
			}
			res, body := v.postRaw(t, "/entrar", tt.form)
			wantStatus(t, "POST /entrar", res, http.StatusForbidden, body)
			if v.cookies[kit.SessionCookie] != "" {
				t.Error("signed in without a CSRF token")
			}
		})
	}
	// Signed in, the token of the anonymous form no longer works: it changed with the session.
	v := newVisitor(env)
	v.get(t, "/entrar")
	anonymous := v.csrf
	v.signIn(t, "rosa@tesoro.test", testPassword)
	res, body := v.postRaw(t, "/salir", url.Values{kit.CSRFField: {anonymous}})
	wantStatus(t, "sign out with the anonymous token", res, http.StatusForbidden, body)
}

func TestRegister(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "ya.existe@tesoro.test", []string{accounts.RoleBuyer})
	good := url.Values{"name": {"Camila Rojas"}, "email": {"camila@tesoro.test"}, "phone": {"+57 310 555 1234"},
		"password": {"arepas-con-queso"}, "consent": {"si"}}
	with := func(k, val string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		if val == "" {
			f.Del(k)
		} else {
			f.Set(k, val)
		}
		return f
	}
	tests := []struct {
		name      string
		form      url.Values
		wantTexts []string
	}{
		{"without consent", with("consent", ""), []string{"debe aceptar el tratamiento de sus datos personales"}},
		{"bad email", with("email", "camila@"), []string{"Escriba un correo válido"}},
		{"short password", with("password", "corta"), []string{"al menos 10 caracteres"}},
		{"bad phone", with("phone", "llámeme"), []string{"Escriba un celular (3xx xxx xxxx) o un teléfono fijo"}},
		{"email taken", with("email", "ya.existe@tesoro.test"), []string{"Ya existe una cuenta con este correo", `<a href="/entrar">Entrar</a>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVisitor(env)
			_, body := v.get(t, "/registro")
			wantText(t, "registration page", body, "Cree su cuenta de comprador(a)", "Ley 1581 de 2012", accounts.ConsentVersion)
			res, body := v.post(t, "/registro", tt.form)
			wantStatus(t, "registration "+tt.name, res, http.StatusUnprocessableEntity, body)
			wantText(t, "422 page", body, append(tt.wantTexts, "Revise los datos marcados", `value="Camila Rojas"`)...)
			if strings.Contains(body, tt.form.Get("password")) {
				t.Error("the page shows the password typed")
			}
			if v.cookies[kit.SessionCookie] != "" {
				t.Error("a failed registration signed the visitor in")
			}
			if tt.form.Get("email") == good.Get("email") {
				if _, err := env.accounts.UserByEmail(t.Context(), good.Get("email")); !errors.Is(err, errs.NotFound) {
					t.Fatalf("user after a failed registration: got %v, want not found", err)
				}
			}
		})
	}

	t.Run("success", func(t *testing.T) {
		v := newVisitor(env)
		v.get(t, "/registro")
		res, body := v.post(t, "/registro", good)
		wantRedirect(t, "registration", res, "/perfil?aviso=cuenta-creada")
		if v.cookies[kit.SessionCookie] == "" {
			t.Fatal("registration did not sign the buyer in")
		}
		res, body = v.get(t, res.Header.Get("Location"))
		wantStatus(t, "profile after registration", res, 200, body)
		wantText(t, "profile after registration", body, "Su cuenta quedó creada", "Camila Rojas", "camila@tesoro.test",
			"57 310 555 1234", "Comprador(a)", "versión "+accounts.ConsentVersion)
		u, err := env.accounts.UserByEmail(t.Context(), "camila@tesoro.test")
		if err != nil {
			t.Fatal(err)
		}
		if u.Consent == nil || u.Consent.Version != accounts.ConsentVersion || len(u.Roles) != 1 || u.Roles[0] != accounts.RoleBuyer {
			t.Fatalf("registered user: got roles %v consent %+v, want buyer with consent %s", u.Roles, u.Consent, accounts.ConsentVersion)
		}
		// Signed in, the registration page has nothing to offer.
		res, _ = v.get(t, "/registro")
		wantRedirect(t, "registration page signed in", res, "/perfil")
	})
}

func TestAccountPagesNeedSignIn(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	tests := []struct{ path, want string }{
		{"/perfil", "/entrar?next=%2Fperfil"},
		{"/perfil/datos", "/entrar?next=%2Fperfil"},
		{"/admin/usuarios", "/entrar?next=%2Fadmin%2Fusuarios"},
	}
	for _, tt := range tests {
		res, _ := env.get(t, tt.path)
		wantRedirect(t, "anonymous GET "+tt.path, res, tt.want)
	}
	// The sign-in page then brings the visitor back.
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.get(t, "/entrar?next=%2Fperfil")
	res, _ := v.post(t, "/entrar", url.Values{"email": {"rosa@tesoro.test"}, "password": {testPassword}, "next": {"/perfil"}})
	wantRedirect(t, "sign in from /perfil", res, "/perfil")
	res, body := v.get(t, "/perfil")
	wantStatus(t, "profile", res, 200, body)
	wantText(t, "profile", body, "Mi perfil", "rosa@tesoro.test", "Productor(a)")
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("profile Cache-Control: got %q, want no-store", cc)
	}
}

func TestProfileUpdate(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	v.get(t, "/perfil")

	res, body := v.post(t, "/perfil", url.Values{"name": {"R"}, "phone": {"abc"}})
	wantStatus(t, "invalid profile", res, http.StatusUnprocessableEntity, body)
	wantText(t, "invalid profile", body, "Escriba un nombre de 2 a 100 caracteres", "Escriba un celular (3xx xxx xxxx) o un teléfono fijo", `value="abc"`)

	res, _ = v.post(t, "/perfil", url.Values{"name": {"Rosa Elvira Cárdenas"}, "phone": {"3105551234"}})
	wantRedirect(t, "profile update", res, "/perfil?aviso=datos-guardados")
	_, body = v.get(t, "/perfil?aviso=datos-guardados")
	wantText(t, "profile after update", body, "Sus datos quedaron guardados", "Rosa Elvira Cárdenas", "3105551234", `<span class="who">Rosa</span>`)
}

func TestPasswordChange(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	_, otherDevice := env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	v.get(t, "/perfil")
	const newPassword = "pan-de-papa-2026"
	tests := []struct {
		name, current, next, want string
	}{
		{"wrong current password", "no-es-esta-clave", newPassword, "Esa no es su contraseña actual"},
		{"new one too short", testPassword, "corta", "al menos 10 caracteres"},
		{"new one is the email", testPassword, "rosa@tesoro.test", "no puede ser su correo"},
	}
	for _, tt := range tests {
		res, body := v.post(t, "/perfil/clave", url.Values{"current_password": {tt.current}, "new_password": {tt.next}})
		wantStatus(t, tt.name, res, http.StatusUnprocessableEntity, body)
		// The language switch leads back to the profile, not to the form's action.
		wantText(t, tt.name, body, tt.want, `href="/idioma/en?next=%2fperfil"`, `<a href="/perfil" aria-current="page">`)
		if strings.Contains(body, `value="`+tt.current+`"`) {
			t.Errorf("%s: the page shows the password typed", tt.name)
		}
	}
	res, _ := v.post(t, "/perfil/clave", url.Values{"current_password": {testPassword}, "new_password": {newPassword}})
	wantRedirect(t, "password change", res, "/perfil?aviso=clave-cambiada")
	res, body := v.get(t, "/perfil?aviso=clave-cambiada")
	wantStatus(t, "profile after the change", res, 200, body)
	wantText(t, "profile after the change", body, "cerramos sus sesiones en otros dispositivos")
	if res, _ := env.do(t, request(http.MethodGet, "/api/v1/me", "", otherDevice)); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the other device's session after a password change: got %d, want 401", res.StatusCode)
	}
	if _, _, err := env.accounts.Login(t.Context(), "rosa@tesoro.test", testPassword, accounts.KindCookie, accounts.Meta{}); !errors.Is(err, errs.Unauthenticated) {
		t.Errorf("login with the old password: got %v, want unauthenticated", err)
	}
	newVisitor(env).signIn(t, "rosa@tesoro.test", newPassword)
}

func TestSignOut(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	v.get(t, "/perfil")
	old := v.cookies[kit.SessionCookie]
	res, _ := v.post(t, "/salir", nil)
	wantRedirect(t, "sign out", res, "/")
	if v.cookies[kit.SessionCookie] != "" {
		t.Fatal("sign out did not clear the session cookie")
	}
	_, body := v.get(t, "/")
	wantText(t, "home after sign out", body, `href="/entrar"`)
	// Someone who kept the cookie cannot use it.
	thief := newVisitor(env)
	thief.cookies[kit.SessionCookie] = old
	res, _ = thief.get(t, "/perfil")
	wantRedirect(t, "the old cookie after sign out", res, "/entrar?next=%2Fperfil")
}

func TestDataExport(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	res, body := v.get(t, "/perfil/datos")
	wantStatus(t, "data export", res, 200, body)
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".json") {
		t.Errorf("Content-Disposition: got %q, want an attachment .json", cd)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var data accounts.PersonalData
	if err := json.Unmarshal([]byte(body), &data); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if data.User.Email != "rosa@tesoro.test" || len(data.Sessions) == 0 {
		t.Fatalf("export: got email %q and %d sessions, want rosa@tesoro.test and her sessions", data.User.Email, len(data.Sessions))
	}
}

func TestDeleteAccount(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	u, _ := env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	_, body := v.get(t, "/perfil")
	wantText(t, "profile", body, "Sus pedidos se conservan para la contabilidad", "ELIMINAR")

	res, body := v.post(t, "/perfil/eliminar", url.Values{"confirm": {"borrar"}})
	wantStatus(t, "delete without the word", res, http.StatusUnprocessableEntity, body)
	wantText(t, "delete without the word", body, "escriba ELIMINAR en este campo", `value="borrar"`)

	res, _ = v.post(t, "/perfil/eliminar", url.Values{"confirm": {" eliminar "}})
	wantRedirect(t, "delete", res, "/?aviso=cuenta-eliminada")
	if v.cookies[kit.SessionCookie] != "" {
		t.Error("the session cookie stayed after deleting the account")
	}
	_, body = v.get(t, "/?aviso=cuenta-eliminada")
	wantText(t, "home after deleting", body, "Su cuenta fue eliminada")
	if _, _, err := env.accounts.Login(t.Context(), "rosa@tesoro.test", testPassword, accounts.KindCookie, accounts.Meta{}); !errors.Is(err, errs.Unauthenticated) {
		t.Fatalf("login after deleting: got %v, want unauthenticated", err)
	}
	admin := &accounts.Principal{UserID: "test", Roles: []string{accounts.RoleAdmin}}
	got, err := env.accounts.User(t.Context(), admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AnonymizedAt == nil || strings.Contains(got.Email, "rosa") || got.Name == u.Name {
		t.Fatalf("deleted user: got %+v, want anonymised", got)
	}
}

func TestAdminUsersAccess(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "rosa@tesoro.test", []string{accounts.RoleProducer})
	env.user(t, "admin@tesoro.test", []string{accounts.RoleAdmin})
	tests := []struct {
		email      string
		wantStatus int
		wantText   string
	}{
		{"rosa@tesoro.test", http.StatusForbidden, "Usted no tiene permiso para ver esta página"},
		{"admin@tesoro.test", http.StatusOK, "rosa@tesoro.test"},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			v := newVisitor(env)
			v.signIn(t, tt.email, testPassword)
			res, body := v.get(t, "/admin/usuarios")
			wantStatus(t, "admin page", res, tt.wantStatus, body)
			wantText(t, "admin page", body, tt.wantText)
		})
	}
	v := newVisitor(env)
	v.signIn(t, "rosa@tesoro.test", testPassword)
	v.get(t, "/perfil")
	for path, form := range map[string]url.Values{
		"/admin/usuarios": {"email": {"x@tesoro.test"}, "name": {"Equis"}, "password": {testPassword}, "roles": {"admin"}},
		"/admin/usuarios/" + strings.Repeat("0", 24): {"roles": {"admin"}, "active": {"si"}},
	} {
		res, body := v.post(t, path, form)
		wantStatus(t, "a producer posting to "+path, res, http.StatusForbidden, body)
	}
	if _, err := env.accounts.UserByEmail(t.Context(), "x@tesoro.test"); !errors.Is(err, errs.NotFound) {
		t.Fatalf("user a producer tried to create: got %v, want not found", err)
	}
}

func TestAdminCreatesAndDeactivatesUsers(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	bakery := createInitiative(t, env.catalog, "Panadería de Papa La Monguana", "Mongua")
	arepas := createInitiative(t, env.catalog, "Arepas de Maíz Segoviana", "Segovia")
	adminUser, _ := env.user(t, "admin@tesoro.test", []string{accounts.RoleAdmin})
	v := newVisitor(env)
	v.signIn(t, "admin@tesoro.test", testPassword)
	_, body := v.get(t, "/admin/usuarios")
	wantText(t, "admin page", body, "Crear una cuenta", bakery.Name, arepas.Name, "Administrador(a)", "(usted)")

	// Errors show in place, with what was typed.
	res, body := v.post(t, "/admin/usuarios", url.Values{"email": {"dora@tesoro.test"}, "name": {"Dora Inés Zapata"},
		"password": {"corta"}, "producer_initiative_ids": {arepas.ID}})
	wantStatus(t, "create without roles and with a short password", res, http.StatusUnprocessableEntity, body)
	wantText(t, "422 admin page", body, "Elija al menos un rol", "al menos 10 caracteres", `value="Dora Inés Zapata"`,
		`<option value="`+arepas.ID+`" selected>`, `<details class="panel" open id="crear">`)
	res, body = v.post(t, "/admin/usuarios", url.Values{"email": {"dora@tesoro.test"}, "name": {"Dora Inés Zapata"},
		"password": {testPassword}, "roles": {"producer"}, "producer_initiative_ids": {"000000000000000000000000"}})
	wantStatus(t, "create with an unknown initiative", res, http.StatusUnprocessableEntity, body)
	wantText(t, "422 admin page", body, "Una de las iniciativas elegidas no existe")

	res, _ = v.post(t, "/admin/usuarios", url.Values{"email": {"dora@tesoro.test"}, "name": {"Dora Inés Zapata"},
		"password": {testPassword}, "roles": {"producer"}, "producer_initiative_ids": {arepas.ID}})
	wantRedirect(t, "create", res, "/admin/usuarios?aviso=usuario-creado")
	_, body = v.get(t, "/admin/usuarios?aviso=usuario-creado")
	wantText(t, "list after create", body, "La cuenta quedó creada", "Dora Inés Zapata", "dora@tesoro.test", "Iniciativas: "+arepas.Name)
	dora, err := env.accounts.UserByEmail(t.Context(), "dora@tesoro.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(dora.InitiativeIDs) != 1 || dora.InitiativeIDs[0] != arepas.ID || !dora.Active {
		t.Fatalf("created user: got %+v, want an active producer of %s", dora, arepas.ID)
	}

	// Dora signs in; the admin moves her to the bakery, then deactivates her.
	doraTab := newVisitor(env)
	doraTab.signIn(t, "dora@tesoro.test", testPassword)
	res, _ = v.post(t, "/admin/usuarios/"+dora.ID, url.Values{"roles": {"producer", "adviser"}, "producer_initiative_ids": {arepas.ID},
		"adviser_initiative_ids": {bakery.ID}, "active": {"si"}})
	wantRedirect(t, "update", res, "/admin/usuarios?aviso=usuario-actualizado#u-"+dora.ID)
	_, body = doraTab.get(t, "/perfil")
	wantText(t, "Dora's profile after the change", body, bakery.Name, "Asesor(a)")
	// Each role keeps its own initiatives: she advises the bakery, sells for the arepas.
	dora, _ = env.accounts.UserByEmail(t.Context(), "dora@tesoro.test")
	if fmt.Sprint(dora.ProducerOf) != fmt.Sprint([]string{arepas.ID}) || fmt.Sprint(dora.AdviserOf) != fmt.Sprint([]string{bakery.ID}) {
		t.Fatalf("after the update: producer of %v, adviser of %v; want %s and %s", dora.ProducerOf, dora.AdviserOf, arepas.ID, bakery.ID)
	}
	_, body = v.get(t, "/admin/usuarios")
	wantText(t, "the edit form keeps both lists", body, `name="producer_initiative_ids"`, `name="adviser_initiative_ids"`)

	res, _ = v.post(t, "/admin/usuarios/"+dora.ID, url.Values{"roles": {"producer"}, "producer_initiative_ids": {bakery.ID}})
	wantRedirect(t, "deactivate", res, "/admin/usuarios?aviso=usuario-actualizado#u-"+dora.ID)
	res, _ = doraTab.get(t, "/perfil")
	wantRedirect(t, "Dora's session after deactivation", res, "/entrar?next=%2Fperfil")
	_, body = v.get(t, "/admin/usuarios")
	wantText(t, "list after deactivation", body, "Inactiva")
	doraTab.get(t, "/entrar")
	res, body = doraTab.post(t, "/entrar", url.Values{"email": {"dora@tesoro.test"}, "password": {testPassword}})
	wantStatus(t, "deactivated user signs in", res, http.StatusUnauthorized, body)

	// The admin cannot lock themselves out.
	res, body = v.post(t, "/admin/usuarios/"+adminUser.ID, url.Values{"roles": {"admin"}})
	wantStatus(t, "admin deactivates themselves", res, http.StatusUnprocessableEntity, body)
	wantText(t, "422 admin page", body, "Usted no puede desactivar su propia cuenta", `<details open>`)
	res, body = v.post(t, "/admin/usuarios/"+adminUser.ID, url.Values{"roles": {"adviser"}, "active": {"si"}})
	wantStatus(t, "admin drops their own admin role", res, http.StatusUnprocessableEntity, body)
	wantText(t, "422 admin page", body, "Usted no puede quitarse el rol de administrador(a)")
}

func TestHeaderShowsAccount(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	env.user(t, "admin@tesoro.test", []string{accounts.RoleAdmin})
	tests := []struct {
		name, email, lang string
		want, notWant     []string
	}{
		{"anonymous", "", "es", []string{`href="/entrar"`, ">Entrar</a>"}, []string{"Salir", "Mi perfil"}},
		{"anonymous in English", "", "en", []string{">Sign in</a>"}, []string{"Sign out"}},
		{"admin", "admin@tesoro.test", "es", []string{`<span class="who">Usuaria</span>`, `href="/perfil"`, `href="/admin/usuarios"`, ">Salir</button>"}, []string{">Entrar</a>"}},
		{"admin in English", "admin@tesoro.test", "en", []string{">My profile</a>", ">Users</a>", ">Sign out</button>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVisitor(env)
			v.lang = tt.lang
			if tt.email != "" {
				v.signIn(t, tt.email, testPassword)
			}
			res, body := v.get(t, "/nada") // the error page has the header too
			wantStatus(t, "unknown page", res, 404, body)
			wantText(t, "header", body, tt.want...)
			for _, s := range tt.notWant {
				if strings.Contains(body, s) {
					t.Errorf("header has %q, want not", s)
				}
			}
		})
	}
	// A page without a form sets no CSRF cookie for an anonymous visitor.
	res, _ := env.get(t, "/")
	for _, c := range res.Cookies() {
		if c.Name == kit.CSRFCookie {
			t.Error("the home page set a CSRF cookie for an anonymous visitor")
		}
	}
}

func TestSignInLinkComesBack(t *testing.T) {
	env := newTestEnv(t, nil, func(r fiber.Router) {
		r.Get("/mercado", func(c *fiber.Ctx) error {
			return c.App().Config().ErrorHandler(c, errs.Forbidden) // a page that needs a signed-in visitor
		})
	})
	tests := []struct{ path, want string }{
		{"/mercado", `href="/entrar?next=%2fmercado"`},
		{"/nada", `href="/entrar"`}, // signing in does not fix a 404
		{"/entrar", `href="/entrar"`},
	}
	for _, tt := range tests {
		_, body := env.get(t, tt.path)
		wantText(t, tt.path, body, tt.want)
	}
}

// Every account page, in both pages.Languages and in its error states, renders
// without a missing message (⟦id⟧); so do the notices and the role names.
func TestAccountPagesHaveNoMissingMessages(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	in := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	env.user(t, "admin@tesoro.test", []string{accounts.RoleAdmin, accounts.RoleAdviser}, in.ID)
	for _, role := range accounts.Roles {
		env.user(t, "rol-"+role+"@tesoro.test", []string{role})
	}
	for _, lang := range pages.Languages {
		anon, admin := newVisitor(env), newVisitor(env)
		anon.cookies[pages.LangCookie], admin.cookies[pages.LangCookie] = lang, lang
		admin.signIn(t, "admin@tesoro.test", testPassword)
		check := func(what string, res *http.Response, body string) {
			t.Helper()
			if res.Header.Get("Content-Language") != lang {
				t.Errorf("%s in %s: Content-Language %q", what, lang, res.Header.Get("Content-Language"))
			}
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", what, lang, body[i:min(len(body), i+40)])
			}
			if strings.Contains(body, "<no value>") {
				t.Errorf("%s in %s: a message lacks its argument", what, lang)
			}
		}
		for _, path := range []string{"/entrar", "/registro"} {
			res, body := anon.get(t, path)
			check(path, res, body)
			res, body = anon.post(t, path, url.Values{"email": {"x"}})
			check("POST "+path, res, body)
		}
		for _, code := range pages.NoticeCodes() {
			res, body := admin.get(t, "/perfil?aviso="+code)
			check("notice "+code, res, body)
			if !strings.Contains(body, `class="notice"`) {
				t.Errorf("notice %s in %s is not shown", code, lang)
			}
		}
		res, body := admin.get(t, "/admin/usuarios")
		check("/admin/usuarios", res, body)
		for path, form := range map[string]url.Values{
			"/perfil":          {"name": {""}, "phone": {"x"}},
			"/perfil/clave":    {"current_password": {"x"}},
			"/perfil/eliminar": {"confirm": {"no"}},
			"/admin/usuarios":  {"email": {"x"}},
		} {
			res, body := admin.post(t, path, form)
			check("POST "+path, res, body)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("POST %s: got %d, want 422", path, res.StatusCode)
			}
		}
	}
}
