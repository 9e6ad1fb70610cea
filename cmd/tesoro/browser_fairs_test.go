package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserFairs looks at the public fair pages on a phone, in Spanish:
// the demo's open fair leads the list, and its page says when, where and
// who sells there, each initiative a link to its page. Then a producer of a
// demo bakery opens her initiative's fairs and changes what she takes.
func TestBrowserFairs(t *testing.T) {
	r, email, password, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	openOnPhone(t, tab, r.URL+"/ferias")
	checkPage(t, tab, "es", "Ferias empresariales")
	wantVisible(t, tab, "the fairs",
		`//li[contains(., "Feria de Emprendimiento de Mongua")][contains(., "Abierta ahora")]`,
		`//li[contains(., "Mercado Campesino de Segovia")][contains(., "Segovia, Antioquia")]`)
	saveShot(t, tab, shots, "ferias-phone.png")
	// The soonest fair comes first: the one open today.
	if _, err := chromedp.RunResponse(tab, chromedp.Tap(chromedp.CSS(`main a[href^="/ferias/"]`))); err != nil {
		t.Fatalf("opening the fair: %v", err)
	}
	checkPage(t, tab, "es", "Feria de Emprendimiento de Mongua")
	wantVisible(t, tab, "the fair",
		`//dd[contains(., "Parque principal, Mongua, Boyacá")]`,
		`//a[@href="/iniciativas/panaderia-de-papa-la-monguana"][contains(., "Panadería de Papa La Monguana")]`)
	saveShot(t, tab, shots, "feria-phone.png")

	bakeryID := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	signInOnPhone(t, tab, r, email, password)
	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakeryID+"/ferias")
	checkPage(t, tab, "es", "Ferias")
	wantVisible(t, tab, "the bakery's fairs",
		`//h2[contains(., "Feria de Emprendimiento de Mongua")]`,
		`//li[contains(., "Pan de papa")][contains(., "en la tienda en línea")]`)
	saveShot(t, tab, shots, "mis-ferias-phone.png")
}
