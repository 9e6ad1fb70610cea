package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserAdviserLogsWorkshop follows an adviser in the field: she logs a
// workshop for two demo initiatives of Mongua on her phone (topic chips,
// participant counters, an agreement, a photo from the camera), and a
// producer of one of them signs in on her own phone and finds the session
// and the agreement under her initiative.
func TestBrowserAdviserLogsWorkshop(t *testing.T) {
	const adminEmail, adminPassword = "coordinacion@tesoro.test", "clave-de-la-coordinacion"
	const adviserEmail, adviserPassword = "luz.asesora@tesoro.test", "visitas-en-mongua-2026"
	const producerEmail, producerPassword = "carmen.cafeteria@correo.test", "tinto-y-almojabana"
	const bakery, cafe = "Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua"
	const agreement = "Anotar cada venta en el cuaderno de caja"
	r := startRun(t, "", map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword}, "--demo")
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")

	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, 200, &login)
	var initiatives struct {
		Items []struct{ ID, Name string }
	}
	producerAPI(t, r, "GET", "/api/v1/initiatives?municipality=Mongua", "", nil, 200, &initiatives)
	ids := map[string]string{}
	for _, in := range initiatives.Items {
		ids[in.Name] = in.ID
	}
	if ids[bakery] == "" || ids[cafe] == "" {
		t.Fatalf("demo initiatives of Mongua: %+v", initiatives.Items)
	}
	producerAPI(t, r, "POST", "/api/v1/users", login.Token, map[string]any{"email": adviserEmail, "name": "Luz Marina Pérez",
		"password": adviserPassword, "roles": []string{"adviser"}, "initiative_ids": []string{ids[bakery], ids[cafe]}}, 201, nil)
	producerAPI(t, r, "POST", "/api/v1/users", login.Token, map[string]any{"email": producerEmail, "name": "Carmen Rocío Barrera",
		"password": producerPassword, "roles": []string{"producer"}, "initiative_ids": []string{ids[cafe]}}, 201, nil)

	photo := filepath.Join(t.TempDir(), "IMG_20261125_1010.jpg")
	if err := os.WriteFile(photo, producerTestJPEG(t, 800, 600), 0o644); err != nil {
		t.Fatal(err)
	}

	adviser := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, adviser)
		}
	})
	openOnPhone(t, adviser, r.URL+"/entrar")
	typeInto(t, adviser, map[string]string{"#email": adviserEmail, "#password": adviserPassword})
	tapToSubmit(t, adviser, "main form button[type=submit]", "/", 200)
	tapToSubmit(t, adviser, `header a[href="/asesoria"]`, "/asesoria", 200)
	checkPage(t, adviser, "es", "Asesoría")
	wantVisible(t, adviser, "adviser home",
		`//h2[normalize-space()="Mis iniciativas"]`, `//a[contains(., "`+bakery+`")]`, `//a[contains(., "`+cafe+`")]`)
	tapToSubmit(t, adviser, `main a[href="/asesoria/sesiones/nueva"]`, "/asesoria/sesiones/nueva", 200)
	checkPage(t, adviser, "es", "Registrar una sesión")

	// Two initiatives (a workshop), its modality and two topics, by tapping.
	for _, sel := range []string{
		`input[name="initiative"][value="` + ids[bakery] + `"]`,
		`input[name="initiative"][value="` + ids[cafe] + `"]`,
	} {
		if err := chromedp.Do(adviser, chromedp.Tap(chromedp.CSS(sel))); err != nil {
			t.Fatalf("tapping %s: %v", sel, err)
		}
	}
	for _, chip := range []string{"Taller", "Economía familiar y ahorro", "Contabilidad"} {
		if err := chromedp.Do(adviser, chromedp.Tap(chromedp.Search(`//label[contains(@class, "ad-chip")]/span[normalize-space()="`+chip+`"]`))); err != nil {
			t.Fatalf("tapping the chip %s: %v", chip, err)
		}
	}
	// Counters: 7 women with + (the page counts in place), 2 men typed.
	for range 7 {
		if err := chromedp.Do(adviser, chromedp.Tap(chromedp.CSS(`button[name="step"][value="women+"]`))); err != nil {
			t.Fatalf("tapping + women: %v", err)
		}
	}
	if err := chromedp.Do(adviser, chromedp.Tap(chromedp.CSS(`button[name="step"][value="women-"]`))); err != nil {
		t.Fatalf("tapping − women: %v", err)
	}
	if got := evaluate[string](t, adviser, `location.pathname + " " + document.querySelector("#women").value`); got != "/asesoria/sesiones/nueva 6" {
		t.Fatalf("after 7 × + and 1 × −: got %q, want 6 women on the same page", got)
	}
	if err := chromedp.Do(adviser, chromedp.Clear(chromedp.CSS("#men")), chromedp.Clear(chromedp.CSS("#duration"))); err != nil {
		t.Fatal(err)
	}
	typeInto(t, adviser, map[string]string{
		"#men": "2", "#duration": "120", "#notes": "Taller de ahorro con las dos iniciativas de Mongua.",
		"#agreement_text_1": agreement, "#agreement_owner_1": "Carmen Rocío",
	})
	if err := chromedp.Do(adviser,
		chromedp.SetValue(chromedp.CSS("#agreement_due_1"), evaluate[string](t, adviser, `document.querySelector("#date").value`)),
		chromedp.SetValue(chromedp.CSS("#agreement_initiative_1"), ids[cafe]),
		chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{photo}),
	); err != nil {
		t.Fatalf("filling the agreement and the photo: %v", err)
	}
	saveShot(t, adviser, shots, "asesoria-sesion-phone.png")
	// The page shows the first initiative ticked (they are listed by name).
	tapToSubmit(t, adviser, `main form button[type=submit]:not(.sr-only):not([name="step"])`, "/asesoria/iniciativas/"+ids[cafe], 200)
	checkPage(t, adviser, "es", "Historial de asesoría")
	wantVisible(t, adviser, "the cafeteria's timeline after saving",
		`//p[@class="notice"][contains(., "La sesión quedó registrada")]`,
		`//article[1]//p[contains(., "Taller junto con: `+bakery+`")]`,
		`//article[1]//p[contains(., "6 mujeres, 2 hombres")]`,
		`//article[1]//span[normalize-space()="Economía familiar y ahorro"]`,
		`//article[1]//strong[normalize-space()="`+agreement+`"]`,
		`//article[1]//ul[contains(@class, "ad-files")]//img`)
	waitForSessionPhoto(t, adviser, "the adviser's timeline")
	saveShot(t, adviser, shots, "asesoria-historial-phone.png")

	// The producer of the cafeteria, on her phone.
	producer := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, producer)
		}
	})
	openOnPhone(t, producer, r.URL+"/entrar")
	typeInto(t, producer, map[string]string{"#email": producerEmail, "#password": producerPassword})
	tapToSubmit(t, producer, "main form button[type=submit]", "/", 200)
	if visible(t, producer, `//header//a[@href="/asesoria"]`) {
		t.Error("a producer's header links to the advisers' pages")
	}
	openOnPhone(t, producer, r.URL+"/mi-iniciativa/"+ids[cafe])
	page := "/mi-iniciativa/" + ids[cafe] + "/asesoria"
	tapToSubmit(t, producer, `main a[href="`+page+`"]`, page, 200)
	checkPage(t, producer, "es", "Historial de asesoría")
	wantVisible(t, producer, "the cafeteria's advice",
		`//article[1]//p[contains(., "Taller junto con: `+bakery+`")]`,
		`//article[1]//p[contains(., "Taller de ahorro con las dos iniciativas de Mongua.")]`,
		`//article[1]//strong[normalize-space()="`+agreement+`"]`,
		`//article[1]//li[.//strong[normalize-space()="`+agreement+`"]]//button[normalize-space()="Marcar cumplido"]`)
	waitForSessionPhoto(t, producer, "the producer's timeline")
	tapToSubmit(t, producer, `article li:has(strong) form button`, page, 200)
	wantVisible(t, producer, "after marking done",
		`//p[@class="notice"][contains(., "cumplido")]`,
		`//article[1]//li[.//strong[normalize-space()="`+agreement+`"]]//span[normalize-space()="Cumplido"]`)
	if strings.Contains(text(t, producer, "article"), "Marcar cumplido") {
		t.Error("the done agreement still offers «Marcar cumplido»")
	}
	saveShot(t, producer, shots, "mi-iniciativa-asesoria-phone.png")
}

// waitForSessionPhoto waits until the first session's thumbnail has loaded:
// it may still be on its way when the page is shown (this waits for a
// condition; it asserts no timing).
func waitForSessionPhoto(t *testing.T, tab context.Context, where string) {
	t.Helper()
	loaded := `(() => { const i = document.querySelector("article .ad-files img"); return !!i && i.complete && i.naturalWidth > 0; })()`
	for deadline := time.Now().Add(20 * time.Second); !evaluate[bool](t, tab, loaded); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("%s: the session's photo does not load", where)
			return
		}
	}
}
