package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserProgress looks at progress on a phone, in Spanish: the demo
// bakery's producer opens "¿cómo vamos?" (the chart drawn), writes down an
// expense in three taps and sees this month's margin change; the
// coordinator opens the portfolio and an initiative's progress from it.
func TestBrowserProgress(t *testing.T) {
	r, email, password, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	bakery := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, email, password)
	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakery+"/progreso")
	checkPage(t, tab, "es", "¿Cómo vamos?")
	wantVisible(t, tab, "the progress", `//*[local-name()="svg"][contains(@class, "sales-chart")]`, `//table[contains(@class, "months")]`)
	saveShot(t, tab, shots, "progreso-phone.png")

	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakery+"/gastos")
	checkPage(t, tab, "es", "Libro de gastos")
	margin := func() string { return text(t, tab, ".cashbook .figures dd:last-of-type") }
	before := margin()
	if err := chromedp.Do(tab, chromedp.Tap(chromedp.CSS(`.cats input[value="transport"]`))); err != nil { // tap 1: what for
		t.Fatal(err)
	}
	typeInto(t, tab, map[string]string{"#amount": "4500"})                                             // tap 2: how much
	tapToSubmit(t, tab, `.cashbook form button[type=submit]`, "/mi-iniciativa/"+bakery+"/gastos", 200) // tap 3
	wantVisible(t, tab, "the expense", `//p[contains(@class, "notice")][contains(., "Anotamos el gasto.")]`, `//li[contains(., "Transporte")][contains(., "4.500")]`)
	if after := margin(); after == before {
		t.Errorf("the month's margin stayed %q after the expense", after)
	}
	saveShot(t, tab, shots, "gastos-phone.png")

	admin := browsertest.NewTab(t)
	signInOnPhone(t, admin, r, demoAdminEmail, demoAdminPassword)
	openOnPhone(t, admin, r.URL+"/asesoria/portafolio")
	checkPage(t, admin, "es", "Mi portafolio")
	wantVisible(t, admin, "the portfolio", `//li[contains(@class, "panel")][.//strong[contains(., "Panadería de Papa La Monguana")]]//*[local-name()="svg"][contains(@class, "spark")]`)
	saveShot(t, admin, shots, "portafolio-phone.png")
	if _, err := chromedp.RunResponse(admin, chromedp.Tap(chromedp.CSS(`.pf-link[href*="`+bakery+`"]`))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, admin, "es", "¿Cómo vamos?")
}
