package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// adviserPageBudget is what each page of the adviser's may transfer.
const adviserPageBudget = 40 * 1024

// adviserPage is the transfer of one of the adviser's pages.
type adviserPage struct {
	Path, Route string // Route: the path with {id} for the initiative
	Transfer    *browsertest.Transfer
}

// measureAdviserPages loads, one after the other in the signed-in tab, the
// portfolio, the bakery's progress page, the indicators and the milestone
// definitions, and answers what each transferred. The service worker is
// unregistered before each (every page registers it again), so that the
// page's own bytes count: a worker's fetches are not counted.
func measureAdviserPages(tb testing.TB, tab context.Context, r *running, bakery string) []adviserPage {
	tb.Helper()
	var pages []adviserPage
	for _, route := range []string{"/asesoria/portafolio", "/asesoria/iniciativas/{id}/progreso", "/asesoria/indicadores", "/admin/hitos"} {
		path := strings.Replace(route, "{id}", bakery, 1)
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister()))).then(() => true)`,
			chromedp.EvalAwaitPromise)); err != nil {
			tb.Fatal(err)
		}
		tr, err := browsertest.MeasureTransfer(tab, chromedp.Navigate(r.URL+path))
		if err != nil {
			tb.Fatalf("loading %s: %v", path, err)
		}
		if tr.ByURL()[r.URL+path] == 0 {
			tb.Fatalf("%s: the page's HTML was not counted:\n%s", path, tr)
		}
		pages = append(pages, adviserPage{path, route, tr})
	}
	return pages
}

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
	// Each page of the adviser's ≤ 40 KB on the wire (issue #14).
	for _, pw := range measureAdviserPages(t, tab, r, bakery) {
		if pw.Transfer.Total() > adviserPageBudget {
			t.Errorf("%s transfers %d bytes, over %d:\n%s", pw.Path, pw.Transfer.Total(), adviserPageBudget, pw.Transfer)
		}
		t.Logf("%s: %.1f KB", pw.Path, float64(pw.Transfer.Total())/1024)
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
