package main

import (
	"os"
	"slices"
	"testing"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserAdviserPortfolio: on the demo's first start, the Boyacá
// adviser opens her portfolio on a phone, in Spanish, finds the red light of
// her initiative whose sales fell and whose agreements are overdue, and opens
// its progress: the chart with her sessions marked on it.
func TestBrowserAdviserPortfolio(t *testing.T) {
	r, _, _, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	_, items := demoPortfolio(t, r)
	i := slices.IndexFunc(items, func(it portfolioItem) bool {
		return it.Department == "Boyacá" && it.Light == "red" && slices.Contains(it.Signals, "sales_falling") && slices.Contains(it.Signals, "overdue_agreements")
	})
	if i < 0 {
		t.Fatal("the demo has no red Boyacá initiative with falling sales and overdue agreements")
	}
	red := items[i]
	passwords := demoPasswords(t, r)
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, "asesora.boyaca@tesoro.demo", passwords["asesora.boyaca@tesoro.demo"])
	openOnPhone(t, tab, r.URL+"/asesoria/portafolio")
	checkPage(t, tab, "es", "Mi portafolio")
	wantVisible(t, tab, "the red light",
		`//li[contains(@class, "light-red")][.//strong[normalize-space()="`+red.Name+`"]]//span[contains(@class, "dot") and contains(@class, "red")]`,
		`//li[contains(@class, "light-red")][.//strong[normalize-space()="`+red.Name+`"]]//p[contains(., "ventas a la baja")][contains(., "compromisos vencidos")]`)
	if n := evaluate[int](t, tab, `document.querySelectorAll(".portfolio-list li.panel").length`); n != 21 {
		t.Errorf("the Boyacá adviser's portfolio lists %d initiatives, want her 21", n)
	}
	saveShot(t, tab, shots, "portafolio-asesora-phone.png")

	openOnPhone(t, tab, r.URL+"/asesoria/iniciativas/"+red.InitiativeID+"/progreso")
	checkPage(t, tab, "es", "¿Cómo vamos?")
	wantVisible(t, tab, "the chart", `//*[local-name()="svg"][contains(@class, "sales-chart")]`)
	if n := evaluate[int](t, tab, `document.querySelectorAll("svg.sales-chart g.session").length`); n < 5 {
		t.Errorf("the chart marks %d sessions, want the two years' (at least 5)", n)
	}
	saveShot(t, tab, shots, "progreso-asesora-phone.png")
}
