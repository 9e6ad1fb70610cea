package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserAccounts goes through the account pages on a phone, without
// JavaScript of our own: a buyer registers (with the consent box), lands on
// the profile, signs out and in again; then the admin creates a producer of a
// demo initiative and finds it in the list.
func TestBrowserAccounts(t *testing.T) {
	const adminEmail, adminPassword = "coordinacion@tesoro.test", "clave-de-la-coordinacion"
	r := startRun(t, "", map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword}, "--demo")
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS") // for a human to look at the layout

	buyer := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, buyer)
		}
	})
	openOnPhone(t, buyer, r.URL+"/registro")
	checkPage(t, buyer, "es", "Cree su cuenta de comprador(a)")
	wantVisible(t, buyer, "registration page",
		`//blockquote[contains(., "Ley 1581 de 2012")]`,
		`//label[contains(., "Acepto el tratamiento de mis datos personales")]`)
	// First with the email of a demo buyer: the page comes back with the
	// error next to the field and what was typed, except the password.
	typeInto(t, buyer, map[string]string{
		"#name": "Marta Lucía Gómez", "#email": "compradora@tesoro.demo", "#phone": "310 555 1234", "#password": "almojabanas-calientes",
	})
	if err := chromedp.Do(buyer, chromedp.Tap(chromedp.CSS(`input[name="consent"]`))); err != nil {
		t.Fatalf("tapping the consent box: %v", err)
	}
	saveShot(t, buyer, shots, "registro-phone.png")
	tapToSubmit(t, buyer, "main form button[type=submit]", "/registro", 422)
	wantVisible(t, buyer, "registration with a taken email",
		`//p[@class="alert"][contains(., "Revise los datos marcados")]`,
		`//p[@id="email-error"][contains(., "Ya existe una cuenta con este correo")]`)
	for sel, want := range map[string]string{"#name": "Marta Lucía Gómez", "#phone": "310 555 1234", "#password": ""} {
		if got, err := chromedp.Run(buyer, chromedp.Value(chromedp.CSS(sel))); err != nil || got != want {
			t.Errorf("%s after the error: got %q (%v), want %q", sel, got, err, want)
		}
	}
	if !evaluate[bool](t, buyer, `document.querySelector('input[name="consent"]').checked`) {
		t.Error("the consent box was unticked by the error, want it kept")
	}
	saveShot(t, buyer, shots, "registro-error-phone.png")
	if err := chromedp.Do(buyer, chromedp.Clear(chromedp.CSS("#email"))); err != nil {
		t.Fatal(err)
	}
	typeInto(t, buyer, map[string]string{"#email": "marta@correo.test", "#password": "almojabanas-calientes"})
	tapToSubmit(t, buyer, "main form button[type=submit]", "/perfil", 200)
	checkPage(t, buyer, "es", "Mi perfil")
	wantVisible(t, buyer, "profile after registration",
		`//p[@class="notice"][contains(., "Su cuenta quedó creada")]`,
		`//dd[normalize-space()="Marta Lucía Gómez"]`,
		`//dd[normalize-space()="Comprador(a)"]`,
		`//header//span[normalize-space()="Marta"]`,
		`//h2[normalize-space()="Eliminar mi cuenta"]`)
	saveShot(t, buyer, shots, "perfil-phone.png")

	tapToSubmit(t, buyer, `header form[action="/salir"] button`, "/", 200)
	wantVisible(t, buyer, "home after signing out", `//header//a[normalize-space()="Entrar"]`)

	if _, err := chromedp.RunResponse(buyer, chromedp.Tap(chromedp.CSS(`header a[href^="/entrar"]`))); err != nil {
		t.Fatalf("tapping Entrar: %v", err)
	}
	checkPage(t, buyer, "es", "Entre a su cuenta")
	typeInto(t, buyer, map[string]string{"#email": "marta@correo.test", "#password": "almojabanas-calientes"})
	saveShot(t, buyer, shots, "entrar-phone.png")
	tapToSubmit(t, buyer, "main form button[type=submit]", "/", 200)
	wantVisible(t, buyer, "home after signing in", `//header//span[normalize-space()="Marta"]`, `//header//button[normalize-space()="Salir"]`)

	admin := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, admin)
		}
	})
	openOnPhone(t, admin, r.URL+"/admin/usuarios")
	if got := evaluate[string](t, admin, `location.pathname + location.search`); got != "/entrar?next=%2Fadmin%2Fusuarios" {
		t.Errorf("anonymous visit to /admin/usuarios lands on %q, want the sign-in page", got)
	}
	typeInto(t, admin, map[string]string{"#email": adminEmail, "#password": adminPassword})
	tapToSubmit(t, admin, "main form button[type=submit]", "/admin/usuarios", 200)
	checkPage(t, admin, "es", "Usuarios")
	wantVisible(t, admin, "admin page", `//header//a[normalize-space()="Usuarios"]`, `//li//p[contains(., "marta@correo.test")]`)

	if err := chromedp.Do(admin, chromedp.Tap(chromedp.CSS("#crear > summary"))); err != nil {
		t.Fatalf("opening the create form: %v", err)
	}
	typeInto(t, admin, map[string]string{
		"#new-name": "Ana Beatriz Sánchez", "#new-email": "ana.panaderia@correo.test", "#new-password": "pan-de-papa-y-cuajada",
	})
	if err := chromedp.Do(admin, chromedp.Tap(chromedp.CSS(`#crear input[name="roles"][value="producer"]`))); err != nil {
		t.Fatalf("tapping the producer role: %v", err)
	}
	// A multiple select opens a native picker on a phone, which the protocol
	// cannot tap; choose the option as the picker would.
	const bakery = "Panadería de Papa La Monguana"
	q, _ := json.Marshal(bakery)
	if !evaluate[bool](t, admin, fmt.Sprintf(`(() => {
		const o = [...document.querySelectorAll("#new-producer option")].find(o => o.textContent.startsWith(%s));
		if (!o) return false;
		o.selected = true;
		return true;
	})()`, q)) {
		t.Fatalf("the initiatives list has no %q", bakery)
	}
	saveShot(t, admin, shots, "admin-usuarios-phone.png")
	tapToSubmit(t, admin, "#crear form button[type=submit]", "/admin/usuarios", 200)
	wantVisible(t, admin, "list after creating",
		`//p[@class="notice"][contains(., "La cuenta quedó creada")]`,
		`//li[h3[normalize-space()="Ana Beatriz Sánchez"]]//p[contains(., "Productor(a)")]`,
		`//li[h3[normalize-space()="Ana Beatriz Sánchez"]]//p[normalize-space()="Iniciativas: `+bakery+`"]`)
	saveShot(t, admin, shots, "admin-usuarios-creado-phone.png")
}

// openOnPhone navigates and checks the page fits a phone's width.
func openOnPhone(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	fitsPhone(t, ctx)
}

func fitsPhone(t testing.TB, ctx context.Context) {
	t.Helper()
	if got, want := evaluate[int](t, ctx, `document.documentElement.scrollWidth`), browsertest.PhoneWidth; got > want {
		widest := evaluate[string](t, ctx, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > `+strconv.Itoa(want)+`)`+
			`.slice(0, 3).map(e => e.tagName + "." + e.className).join(", ")`)
		t.Errorf("%s is %dpx wide on a phone, want at most %dpx (past the edge: %s)", evaluate[string](t, ctx, `location.pathname`), got, want, widest)
	}
}

// typeInto types into the fields, by CSS selector.
func typeInto(t testing.TB, ctx context.Context, fields map[string]string) {
	t.Helper()
	for sel, value := range fields {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
			t.Fatalf("typing into %s: %v", sel, err)
		}
	}
}

// tapToSubmit taps a form's button, waits for the page it leads to and checks its path and status.
func tapToSubmit(t testing.TB, ctx context.Context, button, wantPath string, wantStatus int64) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Tap(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("tapping %s: %v", button, err)
	}
	if got := evaluate[string](t, ctx, `location.pathname`); got != wantPath || res.Status != wantStatus {
		t.Fatalf("after tapping %s: got %s with status %d, want %s with %d", button, got, res.Status, wantPath, wantStatus)
	}
	fitsPhone(t, ctx)
}

func wantVisible(t testing.TB, ctx context.Context, what string, xpaths ...string) {
	t.Helper()
	for _, x := range xpaths {
		if !visible(t, ctx, x) {
			t.Errorf("%s: %s is not visible, want visible", what, x)
		}
	}
}

func saveShot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	if err := browsertest.Screenshot(ctx, filepath.Join(dir, name)); err != nil {
		t.Error(err)
	}
}
