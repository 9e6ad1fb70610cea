package main

import (
	"os"
	"testing"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserIndicatorsAndMilestones looks, on a phone and in Spanish, at
// what the coordinator keeps for the donor: the indicators of this quarter
// with their disaggregations and the report to download, and the milestone
// definitions she edits.
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
	openOnPhone(t, tab, r.URL+"/asesoria/indicadores")
	checkPage(t, tab, "es", "Indicadores del programa")
	wantVisible(t, tab, "the indicators", `//li[contains(@class, "indicator")]//h3[contains(., "Ventas totales")]`,
		`//a[contains(@href, "/api/v1/reports/donor")][contains(., "Excel")]`)
	saveShot(t, tab, shots, "indicadores-phone.png")

	openOnPhone(t, tab, r.URL+"/admin/hitos")
	checkPage(t, tab, "es", "Hitos de sostenibilidad")
	wantVisible(t, tab, "the definitions", `//summary[contains(., "Primera venta")]`, `//summary[contains(., "Agregar un hito con soporte")]`)
	saveShot(t, tab, shots, "hitos-admin-phone.png")

	bakery := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	openOnPhone(t, tab, r.URL+"/asesoria/iniciativas/"+bakery+"/progreso#hitos")
	checkPage(t, tab, "es", "¿Cómo vamos?")
	wantVisible(t, tab, "the milestones", `//form[contains(@action, "/meta")]`, `//summary[contains(., "Subir soporte")]`)
	saveShot(t, tab, shots, "hitos-progreso-phone.png")
}
