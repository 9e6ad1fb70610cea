package main

import (
	"context"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserGuestOrdersFromTwoInitiatives follows a purchase on phones: a
// guest puts bread of the Mongua bakery and arepas of Segovia in the cart,
// checks out paying cash and sees one order per initiative; then each
// producer signs in with the demo password printed at start and finds her
// order on her board, and the arepa maker confirms it, marks it ready and
// delivered, and records the cash she received.
func TestBrowserGuestOrdersFromTwoInitiatives(t *testing.T) {
	const bakery, arepas = "Panadería de Papa La Monguana", "Arepas de Maíz Segoviana"
	const buyer = "Marta Lucía Gómez"
	r := startRun(t, "", nil, "--demo")
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	passwords := demoPasswords(t, r)

	bread, arepa := demoProductID(t, r, "Pan de papa"), demoProductID(t, r, "Arepas de maíz pelado")

	guest := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, guest)
		}
	})
	openOnPhone(t, guest, r.URL+"/productos/"+bread)
	if err := chromedp.Do(guest, chromedp.SetValue(chromedp.CSS("#quantity"), "3")); err != nil {
		t.Fatalf("setting the quantity: %v", err)
	}
	tapToSubmit(t, guest, "form.add-cart button[type=submit]", "/carrito", 200)
	wantVisible(t, guest, "cart with the bread",
		`//p[@class="notice"][contains(., "El producto quedó en su carrito")]`,
		`//header//a[@href="/carrito"]/span[@class="count"][normalize-space()="1"]`)
	openOnPhone(t, guest, r.URL+"/productos/"+arepa)
	tapToSubmit(t, guest, "form.add-cart button[type=submit]", "/carrito", 200)
	checkPage(t, guest, "es", "Su carrito")
	wantVisible(t, guest, "cart with two initiatives",
		`//section[contains(@class, "od-group")][h2[normalize-space()="`+bakery+`"]]//a[normalize-space()="Pan de papa"]`,
		`//section[contains(@class, "od-group")][h2[normalize-space()="`+arepas+`"]]//a[normalize-space()="Arepas de maíz pelado"]`,
		`//p[contains(@class, "od-total")]/strong[normalize-space()="$ 10.500"]`,
		`//header//a[@href="/carrito"]/span[@class="count"][normalize-space()="2"]`)
	typeInto(t, guest, map[string]string{"#name": buyer, "#phone": "310 555 1234"})
	if err := chromedp.Do(guest, chromedp.Tap(chromedp.CSS(`input[name="consent"]`))); err != nil {
		t.Fatalf("tapping the consent box: %v", err)
	}
	if !evaluate[bool](t, guest, `document.querySelector('input[name="payment_method"][value="cash"]').checked`) {
		t.Error("cash is not the chosen payment method")
	}
	saveShot(t, guest, shots, "carrito-phone.png")
	res, err := chromedp.RunResponse(guest, chromedp.Tap(chromedp.CSS("#pagar button[type=submit]")))
	if err != nil {
		t.Fatalf("placing the order: %v", err)
	}
	if path := evaluate[string](t, guest, `location.pathname`); res.Status != 200 || !strings.HasPrefix(path, "/pedido/") {
		t.Fatalf("after placing the order: got %s with status %d, want the confirmation", path, res.Status)
	}
	fitsPhone(t, guest)
	checkPage(t, guest, "es", "¡Gracias! Recibimos su pedido")
	wantVisible(t, guest, "confirmation",
		`//article[contains(@class, "od-card")][header/h2[normalize-space()="`+bakery+`"]]//li[contains(., "3 × Pan de papa")]`,
		`//article[contains(@class, "od-card")][header/h2[normalize-space()="`+arepas+`"]]//li[contains(., "1 × Arepas de maíz pelado")]`,
		`//article[header/h2[normalize-space()="`+bakery+`"]]//a[starts-with(@href, "https://wa.me/573000000001?text=")]`,
		`//article[header/h2[normalize-space()="`+arepas+`"]]//a[starts-with(@href, "https://wa.me/573000000003?text=")]`)
	if n := evaluate[int](t, guest, `document.querySelectorAll("article.od-card").length`); n != 2 {
		t.Errorf("the confirmation shows %d orders, want 2", n)
	}
	if n := evaluate[int](t, guest, `[...document.querySelectorAll("article.od-card .od-status")].filter(s => s.textContent.trim() === "Pendiente").length`); n != 2 {
		t.Errorf("%d orders are Pendiente, want 2", n)
	}
	saveShot(t, guest, shots, "pedido-confirmado-phone.png")

	// The bakery's producer (she also runs the cafeteria) picks the bakery.
	rosa := producerTab(t, r, "panaderia@tesoro.demo", passwords)
	tapToSubmit(t, rosa, `header a[href="/pedidos-recibidos"]`, "/pedidos-recibidos", 200)
	if _, err := chromedp.RunResponse(rosa, chromedp.Tap(chromedp.Search(`//main//a[normalize-space()="`+bakery+`"]`))); err != nil {
		t.Fatalf("choosing the bakery: %v", err)
	}
	fitsPhone(t, rosa)
	wantVisible(t, rosa, "the bakery's board",
		`//section[@id="pending"]//article[.//strong[normalize-space()="`+buyer+`"]]//li[contains(., "3 × Pan de papa")]`,
		`//section[@id="pending"]//article//a[@href="tel:3105551234"]`)

	// The arepa maker has one initiative: the header takes her to its board.
	dora := producerTab(t, r, "arepas@tesoro.demo", passwords)
	if _, err := chromedp.RunResponse(dora, chromedp.Tap(chromedp.CSS(`header a[href="/pedidos-recibidos"]`))); err != nil {
		t.Fatalf("tapping Pedidos: %v", err)
	}
	if path := evaluate[string](t, dora, `location.pathname`); !strings.HasSuffix(path, "/pedidos") || !strings.HasPrefix(path, "/mi-iniciativa/") {
		t.Fatalf("the header's Pedidos took her to %s, want her initiative's board", path)
	}
	fitsPhone(t, dora)
	board := evaluate[string](t, dora, `location.pathname`)
	wantVisible(t, dora, "the arepas board",
		`//section[@id="pending"]//article[.//strong[normalize-space()="`+buyer+`"]]//li[contains(., "1 × Arepas de maíz pelado")]`)
	saveShot(t, dora, shots, "tablero-pedidos-phone.png")

	for _, step := range []struct{ from, button, to string }{
		{"pending", "Confirmar", "confirmed"},
		{"confirmed", "Marcar listo", "ready"},
		{"ready", "Marcar entregado", "delivered"},
	} {
		res, err := chromedp.RunResponse(dora, chromedp.Tap(chromedp.Search(`//section[@id="`+step.from+`"]//button[normalize-space()="`+step.button+`"]`)))
		if err != nil {
			t.Fatalf("tapping %s: %v", step.button, err)
		}
		if path := evaluate[string](t, dora, `location.pathname`); res.Status != 200 || path != board {
			t.Fatalf("after %s: got %s with status %d, want the board", step.button, path, res.Status)
		}
		wantVisible(t, dora, "after "+step.button,
			`//p[@class="notice"][contains(., "El pedido quedó actualizado")]`,
			`//section[@id="`+step.to+`"]//article[.//strong[normalize-space()="`+buyer+`"]]`)
	}

	// The buyer paid cash on delivery: the amount owed is already in the field.
	if err := chromedp.Do(dora, chromedp.Tap(chromedp.CSS(`#delivered details.od-pay > summary`))); err != nil {
		t.Fatalf("opening Registrar pago: %v", err)
	}
	if got, err := chromedp.Run(dora, chromedp.Value(chromedp.CSS(`#delivered details.od-pay input[name="amount"]`))); err != nil || got != "6.000" {
		t.Errorf("the payment amount field holds %q (%v), want 6.000", got, err)
	}
	saveShot(t, dora, shots, "registrar-pago-phone.png")
	res, err = chromedp.RunResponse(dora, chromedp.Tap(chromedp.CSS(`#delivered details.od-pay button[type=submit]`)))
	if err != nil {
		t.Fatalf("recording the payment: %v", err)
	}
	if res.Status != 200 {
		t.Fatalf("recording the payment: status %d", res.Status)
	}
	wantVisible(t, dora, "after the payment",
		`//p[@class="notice"][contains(., "El pago quedó registrado")]`,
		`//section[@id="delivered"]//article[.//strong[normalize-space()="`+buyer+`"]]//span[@class="badge on"][normalize-space()="Pagado"]`)
	fitsPhone(t, dora)

	// The guest's confirmation follows: delivered.
	if err := chromedp.Do(guest, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	wantVisible(t, guest, "confirmation after delivery",
		`//article[header/h2[normalize-space()="`+arepas+`"]]//span[contains(@class, "od-status")][normalize-space()="Entregado"]`)
}

var demoUserLine = regexp.MustCompile(`tesoro: demo user (\S+)\s+\S+\s+password (\S+)`)

// demoPasswords reads the demo users' passwords from what the program printed at start.
func demoPasswords(t *testing.T, r *running) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range demoUserLine.FindAllStringSubmatch(r.Stdout.String(), -1) {
		out[m[1]] = m[2]
	}
	if len(out) == 0 {
		t.Fatalf("no demo passwords printed at start:\n%s", r.Stdout.String())
	}
	return out
}

// demoProductID finds a demo product through the public API.
func demoProductID(t *testing.T, r *running, name string) string {
	t.Helper()
	var found struct {
		Items []struct{ ID, Name string }
	}
	producerAPI(t, r, "GET", "/api/v1/products?q="+url.QueryEscape(name), "", nil, 200, &found)
	for _, p := range found.Items {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no demo product %q in %+v", name, found.Items)
	return ""
}

// producerTab is a new phone tab signed in as a demo user.
func producerTab(t *testing.T, r *running, email string, passwords map[string]string) context.Context {
	t.Helper()
	if passwords[email] == "" {
		t.Fatalf("no demo password printed for %s", email)
	}
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	openOnPhone(t, tab, r.URL+"/entrar")
	typeInto(t, tab, map[string]string{"#email": email, "#password": passwords[email]})
	tapToSubmit(t, tab, "main form button[type=submit]", "/", 200)
	return tab
}
