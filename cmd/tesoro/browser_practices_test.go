package main

import (
	"os"
	"testing"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserPracticesLibrary: on the demo, the arepas producer searches
// the library on a phone without accents, opens the potato-bread costing
// (already applied by the cafeteria) and taps "Lo quiero aplicar"; the
// Boyacá adviser opens the exchanges and the Sogamoso exchange.
func TestBrowserPracticesLibrary(t *testing.T) {
	r, _, _, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	passwords := demoPasswords(t, r)
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, "arepas@tesoro.demo", passwords["arepas@tesoro.demo"])
	openOnPhone(t, tab, r.URL+"/practicas")
	checkPage(t, tab, "es", "Biblioteca de buenas prácticas")
	wantVisible(t, tab, "the three demo practices",
		`//h2/a[normalize-space()="Costeo del pan de papa"]`, `//h2/a[normalize-space()="Cuaderno de ventas y fiado"]`, `//h2/a[normalize-space()="Empaques con marca"]`,
		`//li[contains(@class,"pr-card")][.//a[normalize-space()="Costeo del pan de papa"]]//p[contains(., "Iniciativas que la aplican: 1")]`)
	saveShot(t, tab, shots, "practicas-biblioteca-phone.png")
	typeInto(t, tab, map[string]string{"#q": "PANADERIA"})
	tapToSubmit(t, tab, ".search-box button", "/practicas", 200)
	if n := evaluate[int](t, tab, `document.querySelectorAll("li.pr-card").length`); n != 1 {
		t.Errorf("searching PANADERIA shows %d practices, want 1", n)
	}
	tapToSubmit(t, tab, "li.pr-card h2 a", evaluate[string](t, tab, `new URL(document.querySelector("li.pr-card h2 a").href).pathname`), 200)
	checkPage(t, tab, "es", "Costeo del pan de papa")
	saveShot(t, tab, shots, "practica-phone.png")
	path := evaluate[string](t, tab, `location.pathname`)
	tapToSubmit(t, tab, "#aplicar button[type=submit]", path, 200)
	wantVisible(t, tab, "the agreement made", `//*[contains(., "quedó como compromiso de su iniciativa")]`, `//span[contains(., "ya la está aplicando")]`)
	saveShot(t, tab, shots, "practica-aplicada-phone.png")
	// The agreement on the arepas' advice page, among their own.
	tapToSubmit(t, tab, `#aplicar a[href$="#compromisos-propios"]`, evaluate[string](t, tab, `new URL(document.querySelector('#aplicar a[href$="#compromisos-propios"]').href).pathname`), 200)
	checkPage(t, tab, "es", "Historial de asesoría")
	wantVisible(t, tab, "the own agreement", `//section[@id="compromisos-propios"]//strong[contains(., "Costeo del pan de papa")]`,
		`//section[@id="compromisos-propios"]//a[normalize-space()="Ver la buena práctica"]`)
	saveShot(t, tab, shots, "compromisos-propios-phone.png")

	adviser := browsertest.NewTab(t)
	signInOnPhone(t, adviser, r, "asesora.boyaca@tesoro.demo", passwords["asesora.boyaca@tesoro.demo"])
	openOnPhone(t, adviser, r.URL+"/asesoria/intercambios")
	checkPage(t, adviser, "es", "Intercambios de experiencias")
	wantVisible(t, adviser, "the Sogamoso exchange", `//li[contains(@class,"pr-card")]//a[starts-with(normalize-space(), "Sogamoso")]`)
	saveShot(t, adviser, shots, "intercambios-phone.png")
	tapToSubmit(t, adviser, "#intercambios li.pr-card h2 a", evaluate[string](t, adviser, `new URL(document.querySelector("#intercambios li.pr-card h2 a").href).pathname`), 200)
	checkPage(t, adviser, "es", "Intercambio en Sogamoso")
	if n := evaluate[int](t, adviser, `document.querySelectorAll("li.pr-card").length`); n != 3 {
		t.Errorf("the exchange lists %d practices, want the demo's 3", n)
	}
	saveShot(t, adviser, shots, "intercambio-phone.png")
	exchange := evaluate[string](t, adviser, `location.pathname`)
	tapToSubmit(t, adviser, `a[href$="/editar"]`, exchange+"/editar", 200)
	checkPage(t, adviser, "es", "Corregir el intercambio")
	if got := evaluate[int](t, adviser, `document.querySelectorAll("input[name=initiative]:checked").length`); got < 2 {
		t.Errorf("the correction form ticks %d initiatives", got)
	}
	saveShot(t, adviser, shots, "intercambio-corregir-phone.png")
	// The bakery's practice, corrected by its adviser.
	openOnPhone(t, adviser, r.URL+path+"/editar")
	checkPage(t, adviser, "es", "Corregir la práctica")
	evaluate[string](t, adviser, `document.querySelector("#title").value += " y de la arepa"`)
	tapToSubmit(t, adviser, "main form button[type=submit]", path, 200)
	wantVisible(t, adviser, "the correction", `//h1[contains(., "y de la arepa")]`, `//*[contains(., "La práctica quedó corregida.")]`)
	saveShot(t, adviser, shots, "practica-corregida-phone.png")
}
