package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserFairMoney looks at the money after a fair on a phone, in
// Spanish, with the demo's past fair in Sogamoso: the bakery's producer
// sees her fiado with its WhatsApp reminder, the closing that came
// out 500 pesos short, the fair's report with its chart, and the open
// fair's closing form; the programme's coordinator sees the fairs she
// organises, one of them, and the fair's other fiado, the cafeteria's.
func TestBrowserFairMoney(t *testing.T) {
	r, email, password, openFair := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	var closed struct{ Items []struct{ ID, Name string } }
	producerAPI(t, r, "GET", "/api/v1/fairs?status=closed", "", nil, 200, &closed)
	var pastFair string
	for _, f := range closed.Items {
		if f.Name == "Feria Navideña de Sogamoso" {
			pastFair = f.ID
		}
	}
	bakery := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	if pastFair == "" {
		t.Fatalf("the demo's past fair is missing: %+v", closed)
	}
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, email, password)

	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakery+"/fiados")
	checkPage(t, tab, "es", "Fiados por cobrar")
	wantVisible(t, tab, "the fiados",
		`//li[contains(., "Doña Marta Pérez")][contains(., "Feria Navideña de Sogamoso")][.//a[starts-with(@href, "https://wa.me/573101234567?text=")][contains(., "Cobrar por WhatsApp")]]`)
	saveShot(t, tab, shots, "fiados-phone.png")

	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakery+"/ferias/"+pastFair+"/cierre")
	checkPage(t, tab, "es", "Cierre de caja")
	wantVisible(t, tab, "the closing", `//h2[contains(., "Caja cerrada")]`, `//dd[contains(@class, "short")][contains(., "500")]`)
	saveShot(t, tab, shots, "cierre-cerrado-phone.png")

	openOnPhone(t, tab, r.URL+"/ferias/"+pastFair+"/informe")
	checkPage(t, tab, "es", "Informe de la feria")
	wantVisible(t, tab, "the report", `//*[local-name()="svg"][contains(@class, "hour-chart")]`, `//li[contains(., "Panadería de Papa La Monguana")][contains(., "Debía haber")]`)
	saveShot(t, tab, shots, "informe-feria-phone.png")

	openOnPhone(t, tab, r.URL+"/mi-iniciativa/"+bakery+"/ferias/"+openFair+"/cierre")
	checkPage(t, tab, "es", "Cierre de caja")
	wantVisible(t, tab, "the closing form", `//legend[contains(., "billetes y monedas")]`, `//button[contains(., "Cerrar la caja")]`)
	saveShot(t, tab, shots, "cierre-formulario-phone.png")

	admin := browsertest.NewTab(t)
	signInOnPhone(t, admin, r, demoAdminEmail, demoAdminPassword)
	openOnPhone(t, admin, r.URL+"/asesoria/ferias")
	checkPage(t, admin, "es", "Ferias del programa")
	wantVisible(t, admin, "the fairs", `//a[contains(., "Feria de Emprendimiento de Mongua")]`, `//button[contains(., "Crear la feria")]`)
	saveShot(t, admin, shots, "organizar-ferias-phone.png")
	openOnPhone(t, admin, r.URL+"/asesoria/ferias/"+openFair)
	checkPage(t, admin, "es", "Feria de Emprendimiento de Mongua")
	wantVisible(t, admin, "the fair", `//li[contains(., "Panadería de Papa La Monguana")][contains(., "Confirmada")]`, `//button[contains(., "Cerrar la feria")]`)
	saveShot(t, admin, shots, "organizar-feria-phone.png")
	// The demo's shared table, as the admin sees its hand-over (nothing sold there yet).
	if _, err := chromedp.RunResponse(admin, chromedp.Tap(chromedp.CSS(`#mesas a[href$="/entrega"]`))); err != nil {
		t.Fatalf("opening the table's hand-over: %v", err)
	}
	checkPage(t, admin, "es", "Entregar el efectivo de la caja común")
	wantVisible(t, admin, "the hand-over", `//li[contains(., "Huerta Familiar Los Frailejones")][contains(., "Le corresponde")]`, `//li[contains(., "Lácteos y Postres La Vereda")]//button[contains(., "Entregar")]`)
	saveShot(t, admin, shots, "entrega-mesa-phone.png")
	// The fair's other fiado is the cafeteria's.
	openOnPhone(t, admin, r.URL+"/mi-iniciativa/"+demoInitiative(t, r, "Mongua", "Cafetería El Fogón de Mongua")+"/fiados")
	wantVisible(t, admin, "the cafeteria's fiado", `//li[contains(., "Jorge Niño")][contains(., "Feria Navideña de Sogamoso")]`)
}

// demoInitiative is the id of a demo initiative, by municipality and name.
func demoInitiative(t testing.TB, r *running, municipality, name string) string {
	t.Helper()
	var list struct{ Items []struct{ ID, Name string } }
	producerAPI(t, r, "GET", "/api/v1/initiatives?municipality="+municipality, "", nil, 200, &list)
	for _, in := range list.Items {
		if in.Name == name {
			return in.ID
		}
	}
	t.Fatalf("demo: no %s in %s", name, municipality)
	return ""
}
