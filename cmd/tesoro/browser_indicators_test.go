package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// adviserPageBudget is what each page of the adviser's may transfer.
const adviserPageBudget = 40 * 1024

// TestBrowserIndicatorsAndMilestones looks, on a phone and in Spanish, at
// what the coordinator keeps for the donor: the indicators of this quarter
// with their disaggregations and the report to download, and the milestone
// definitions she edits; each of her pages within its weight budget.
func TestBrowserIndicatorsAndMilestones(t *testing.T) {
	r, _, _, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, demoAdminEmail, demoAdminPassword)
	bakery := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	// Each page of the adviser's ≤ 40 KB on the wire (issue #14), the
	// service worker out of the way so the page's own bytes count.
	for _, path := range []string{"/asesoria/portafolio", "/asesoria/iniciativas/" + bakery + "/progreso", "/asesoria/indicadores", "/admin/hitos"} {
		// Each page registers the worker again.
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister()))).then(() => true)`,
			chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
		tr, err := browsertest.MeasureTransfer(tab, chromedp.Navigate(r.URL+path))
		if err != nil {
			t.Fatal(err)
		}
		if tr.Total() > adviserPageBudget {
			t.Errorf("%s transfers %d bytes, over %d:\n%s", path, tr.Total(), adviserPageBudget, tr)
		}
		t.Logf("%s: %.1f KB", path, float64(tr.Total())/1024)
	}
	openOnPhone(t, tab, r.URL+"/asesoria/indicadores")
	checkPage(t, tab, "es", "Indicadores del programa")
	wantVisible(t, tab, "the indicators", `//li[contains(@class, "indicator")]//h3[contains(., "Ventas totales")]`,
		`//a[contains(@href, "/api/v1/reports/donor")][contains(., "Excel")]`)
	saveShot(t, tab, shots, "indicadores-phone.png")

	openOnPhone(t, tab, r.URL+"/admin/hitos")
	checkPage(t, tab, "es", "Hitos de sostenibilidad")
	wantVisible(t, tab, "the definitions", `//summary[contains(., "Primera venta")]`, `//summary[contains(., "Agregar un hito con soporte")]`)
	saveShot(t, tab, shots, "hitos-admin-phone.png")

	openOnPhone(t, tab, r.URL+"/asesoria/iniciativas/"+bakery+"/progreso#hitos")
	checkPage(t, tab, "es", "¿Cómo vamos?")
	wantVisible(t, tab, "the milestones", `//form[contains(@action, "/meta")]`, `//summary[contains(., "Subir soporte")]`)
	saveShot(t, tab, shots, "hitos-progreso-phone.png")
}
