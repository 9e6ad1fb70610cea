package frontend

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/pages"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/orders/orderstest"
)

// orderEnv is the producer env with a product of the farm too, and a
// WhatsApp number on the bakery only.
type orderEnv struct {
	*producerEnv
	tomato catalog.Product // of the farm, 10 in stock
}

func newOrderEnv(t *testing.T) *orderEnv {
	t.Helper()
	env := &orderEnv{producerEnv: newProducerEnv(t)}
	ten := int64(10)
	var err error
	env.tomato, err = env.catalog.CreateProduct(t.Context(), accounts.System, env.farm.ID, catalog.ProductInput{Name: "Tomate chonto",
		Category: "produce", Unit: "pound", Price: money.Pesos(2800), Stock: &ten})

	if err != nil {
		t.Fatal(err)
	}
	wa := "310 555 0001"
	if _, err := env.catalog.UpdateInitiative(t.Context(), accounts.System, env.bakery.ID, catalog.InitiativeUpdate{WhatsApp: &wa}); err != nil {
		t.Fatal(err)
	}
	return env
}

var adminPrincipal = &accounts.Principal{UserID: "test-admin", Roles: []string{accounts.RoleAdmin}}

func (e *orderEnv) ordersOf(t *testing.T, initiativeID string) []orders.Summary {
	t.Helper()
	list, err := e.orders.InitiativeOrders(t.Context(), adminPrincipal, initiativeID, orders.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func (e *orderEnv) stockOf(t *testing.T, id string) int64 {
	t.Helper()
	return *e.product(t, id).Stock
}

// addToCart taps "Añadir al carrito" on the product's page.
func addToCart(t *testing.T, v *visitor, productID string, qty string) {
	t.Helper()
	res, body := v.get(t, "/productos/"+productID)
	wantStatus(t, "product page", res, http.StatusOK, body)
	wantText(t, "product page", body, `action="/carrito/agregar"`, `name="product_id" value="`+productID+`"`)
	res, _ = v.post(t, "/carrito/agregar", url.Values{"product_id": {productID}, "quantity": {qty}})
	wantRedirect(t, "add to cart", res, "/carrito?aviso=agregado")
}

var keyInput = regexp.MustCompile(`name="key" value="([^"]+)"`)

// cartKey opens the cart and returns it with its checkout's idempotency key.
func cartKey(t *testing.T, v *visitor) (string, string) {
	t.Helper()
	res, body := v.get(t, "/carrito")
	wantStatus(t, "cart", res, http.StatusOK, body)
	m := keyInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("cart has no idempotency key field:\n%s", body)
	}
	return body, m[1]
}

func guestCheckout(key string) url.Values {
	return url.Values{"key": {key}, "name": {"Marta Lucía Gómez"}, "phone": {"310 555 1234"},
		"consent": {"on"}, "payment_method": {"cash"}}
}

var waHref = regexp.MustCompile(`href="https://wa.me/\d+\?text=([^"]+)"`)

var confirmationURL = regexp.MustCompile(`^/pedido/([0-9a-f]+)\?t=(.+)$`)

func TestCartAndCheckoutSplitPerInitiative(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	_, page := v.get(t, "/productos/"+env.bread.ID)
	wantText(t, "product page", page, `<button type="submit">Añadir al carrito</button>`, `max="30"`)
	addToCart(t, v, env.bread.ID, "2")
	addToCart(t, v, env.tomato.ID, "3")
	addToCart(t, v, env.bread.ID, "1") // the same product again adds up

	body, key := cartKey(t, v)
	wantText(t, "cart", body, "Su carrito", "Panadería de Papa", "Huerta La Esperanza", "Pan de papa", "Tomate chonto",
		`value="3"`, "$ 4.500", "$ 8.400", "$ 12.900", "Efectivo", "Transferencia", "Nequi", "2 pedidos",
		`<span class="count">2</span>`)
	if offered := strings.Contains(body, `value="card"`); offered != (stripeTestKey() != "") {
		t.Errorf("the cart offers card payments: %t, want it only with Stripe configured (%t)", offered, stripeTestKey() != "")
	}

	res, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: got %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if !confirmationURL.MatchString(loc) {
		t.Fatalf("checkout went to %q, want /pedido/{id}?t={token}", loc)
	}
	if v.cookies[pages.CartCookie] != "" {
		t.Errorf("the cart cookie is %q after the checkout, want it cleared", v.cookies[pages.CartCookie])
	}
	bakery, farm := env.ordersOf(t, env.bakery.ID), env.ordersOf(t, env.farm.ID)
	if len(bakery) != 1 || len(farm) != 1 || bakery[0].CheckoutID != farm[0].CheckoutID {
		t.Fatalf("orders: bakery %d, farm %d, want one each in one checkout", len(bakery), len(farm))
	}
	if o := bakery[0]; o.Total.Amount != 450000 || o.Buyer.Name != "Marta Lucía Gómez" || o.PaymentMethod != "cash" || o.Status != orders.StatusPending {
		t.Errorf("bakery order: got %+v", o)
	}
	if got := env.stockOf(t, env.bread.ID); got != 27 {
		t.Errorf("bread stock after the checkout = %d, want 27", got)
	}
	if got := env.stockOf(t, env.tomato.ID); got != 7 {
		t.Errorf("tomato stock after the checkout = %d, want 7", got)
	}

	res, body = v.get(t, loc)
	wantStatus(t, "confirmation", res, http.StatusOK, body)
	body = html.UnescapeString(body)
	wantText(t, "confirmation", body, "¡Gracias! Recibimos su pedido", "2 pedidos", "Panadería de Papa", "Huerta La Esperanza",
		"3 × Pan de papa", "3 × Tomate chonto", "Pendiente", "Pago: Efectivo", "$ 12.900", "Cancelar este pedido",
		"https://wa.me/573105550001?text=", url.QueryEscape("Hola, hice el pedido "+orders.Ref(bakery[0].ID)))
	if n := strings.Count(body, "https://wa.me/"); n != 1 {
		t.Errorf("confirmation has %d WhatsApp links, want 1 (the farm has no number)", n)
	}
	if m := waHref.FindStringSubmatch(body); m == nil {
		t.Error("no WhatsApp link on the confirmation")
	} else if msg, err := url.QueryUnescape(m[1]); err != nil || !strings.Contains(msg, "- 3 × Pan de papa: $ 4.500\nTotal: $ 4.500") ||
		strings.Contains(msg, "Tomate") {
		t.Errorf("the bakery's WhatsApp message is %q (%v), want its bread and total only", msg, err)
	}

	// Without the token a stranger cannot see it; the cart is empty again.
	res, _ = newVisitor(env.testEnv).get(t, strings.Split(loc, "?")[0])
	wantRedirect(t, "confirmation without token", res, "/entrar?next="+url.QueryEscape(strings.Split(loc, "?")[0]))
	res, body = newVisitor(env.testEnv).get(t, strings.Split(loc, "?")[0]+"?t=wrong")
	wantStatus(t, "confirmation with a wrong token", res, http.StatusNotFound, body)
	_, body = v.get(t, "/carrito")
	wantText(t, "cart after checkout", body, "Su carrito está vacío")
}

func TestCheckoutDoubleSubmitPlacesOneOrder(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.bread.ID, "4")
	_, key := cartKey(t, v)
	cart := v.cookies[pages.CartCookie]

	res1, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	// The second tap left before the first answer came back: it carries the same cart.
	v.cookies[pages.CartCookie] = cart
	res2, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	if res1.StatusCode != http.StatusSeeOther || res2.StatusCode != http.StatusSeeOther ||
		res1.Header.Get("Location") != res2.Header.Get("Location") {
		t.Fatalf("two submits: got %d %q and %d %q, want the same 303 twice",
			res1.StatusCode, res1.Header.Get("Location"), res2.StatusCode, res2.Header.Get("Location"))
	}
	if n := len(env.ordersOf(t, env.bakery.ID)); n != 1 {
		t.Errorf("orders after a double submit = %d, want 1", n)
	}
	if got := env.stockOf(t, env.bread.ID); got != 26 {
		t.Errorf("stock after a double submit = %d, want 26", got)
	}
	// Submitted again after it was placed (back button): the cart is empty, nothing new.
	res3, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	wantRedirect(t, "submit after the cart was cleared", res3, "/carrito")
	if n := len(env.ordersOf(t, env.bakery.ID)); n != 1 {
		t.Errorf("orders after a late resubmit = %d, want 1", n)
	}
}

func TestCheckoutValidationErrorsInSpanish(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.bread.ID, "2")
	_, key := cartKey(t, v)
	form := url.Values{"key": {key}, "name": {"Marta"}, "phone": {"llámeme"}, "email": {"marta-sin-arroba"}, "payment_method": {"cash"}}
	res, body := v.post(t, "/carrito/pagar", form)
	wantStatus(t, "invalid checkout", res, http.StatusUnprocessableEntity, body)
	wantText(t, "invalid checkout", body, "Revise los datos marcados",
		`id="phone-error">Escriba un celular (3xx xxx xxxx) o un teléfono fijo`,
		`id="email-error">Escriba un correo válido`,
		`id="consent-error">Para hacer el pedido debe autorizar`,
		`value="Marta"`, `value="llámeme"`, `value="marta-sin-arroba"`, "Pan de papa")
	if n := len(env.ordersOf(t, env.bakery.ID)); n != 0 {
		t.Errorf("orders after an invalid checkout = %d, want 0", n)
	}
	if got := env.stockOf(t, env.bread.ID); got != 30 {
		t.Errorf("stock after an invalid checkout = %d, want 30", got)
	}
	if v.cookies[pages.CartCookie] == "" {
		t.Error("an invalid checkout emptied the cart")
	}
	v.lang = "en"
	_, body = v.post(t, "/carrito/pagar", form)
	wantText(t, "invalid checkout in English", body, "Enter a Colombian mobile (3xx xxx xxxx) or landline")
}

func TestCheckoutShortStockSaysWhatIsLeft(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.tomato.ID, "2")
	addToCart(t, v, env.bread.ID, "25")
	// Someone else bought bread meanwhile: 20 left.
	if _, err := env.catalog.AdjustStock(t.Context(), accounts.System, env.bread.ID, -10, "venta en la tienda", ""); err != nil {
		t.Fatal(err)
	}
	_, key := cartKey(t, v)
	res, body := v.post(t, "/carrito/pagar", guestCheckout(key))
	wantStatus(t, "short checkout", res, http.StatusConflict, body)
	wantText(t, "short checkout", body, "No hay suficientes existencias", "Pan de papa: usted pidió 25 y quedan 20.", "No se reservó nada")
	if got := env.stockOf(t, env.tomato.ID); got != 10 {
		t.Errorf("tomato stock after a short checkout = %d, want 10 (nothing reserved)", got)
	}
	if n := len(env.ordersOf(t, env.farm.ID)); n != 0 {
		t.Errorf("farm orders after a short checkout = %d, want 0", n)
	}
}

func TestCartChangeAndRemove(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.bread.ID, "2")
	addToCart(t, v, env.tomato.ID, "1")
	v.get(t, "/carrito")
	res, _ := v.post(t, "/carrito/cambiar", url.Values{"product_id": {env.bread.ID}, "quantity": {"5"}})
	wantRedirect(t, "change quantity", res, "/carrito?aviso=carrito-actualizado")
	_, body := v.get(t, res.Header.Get("Location"))
	wantText(t, "cart after change", body, "$ 7.500", "Su carrito quedó actualizado")
	res, _ = v.post(t, "/carrito/cambiar", url.Values{"product_id": {env.tomato.ID}, "quantity": {"1"}, "remove": {"1"}})
	wantRedirect(t, "remove", res, "/carrito?aviso=carrito-actualizado")
	_, body = v.get(t, "/carrito")
	if strings.Contains(body, "Tomate chonto") || !strings.Contains(body, "Pan de papa") {
		t.Errorf("cart after removing the tomatoes: want bread only\n%s", body)
	}
	// A product taken off sale leaves the cart by itself.
	off := false
	if _, err := env.catalog.UpdateProduct(t.Context(), accounts.System, env.bread.ID, catalog.ProductUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	_, body = v.get(t, "/carrito")
	wantText(t, "cart after the product left the catalog", body, "ya no están a la venta", "Su carrito está vacío")
	// A forged cookie with nonsense is ignored.
	v.cookies[pages.CartCookie] = "../x:1|" + env.tomato.ID + ":99999|" + env.tomato.ID + ":2"
	_, body = v.get(t, "/carrito")
	wantText(t, "cart from a forged cookie", body, "Tomate chonto", `value="2"`)
}

func TestSignedInBuyerCheckoutAndMyOrders(t *testing.T) {
	env := newOrderEnv(t)
	env.person(t, "marta@correo.test", "Marta Gómez", accounts.RoleBuyer)
	v := env.signedIn(t, "marta@correo.test")
	addToCart(t, v, env.tomato.ID, "2")
	body, key := cartKey(t, v)
	wantText(t, "signed-in cart", body, `value="Marta Gómez"`, `value="marta@correo.test"`, `href="/mis-pedidos"`)
	if strings.Contains(body, `name="consent"`) {
		t.Error("a signed-in buyer is asked for consent again")
	}
	res, _ := v.post(t, "/carrito/pagar", url.Values{"key": {key}, "name": {"Marta Gómez"}, "phone": {"311 222 3344"}, "payment_method": {"nequi"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed-in checkout: got %d, want 303", res.StatusCode)
	}
	res, body = v.get(t, "/mis-pedidos")
	wantStatus(t, "my orders", res, http.StatusOK, body)
	wantText(t, "my orders", body, "Mis pedidos", "Huerta La Esperanza", "2 × Tomate chonto", "$ 5.600", "Pendiente")
	// The confirmation opens without the token for its buyer.
	o := env.ordersOf(t, env.farm.ID)[0]
	res, body = v.get(t, "/pedido/"+o.CheckoutID)
	wantStatus(t, "confirmation for the signed-in buyer", res, http.StatusOK, body)
	// Someone else's account sees nothing.
	env.person(t, "otra@correo.test", "Otra Persona", accounts.RoleBuyer)
	res, _ = env.signedIn(t, "otra@correo.test").get(t, "/pedido/"+o.CheckoutID)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("another buyer's confirmation: got %d, want 404", res.StatusCode)
	}
	res, _ = newVisitor(env.testEnv).get(t, "/mis-pedidos")
	wantRedirect(t, "anonymous my orders", res, "/entrar?next=%2Fmis-pedidos")
}

func TestGuestCancelsPendingOrder(t *testing.T) {
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.bread.ID, "3")
	_, key := cartKey(t, v)
	res, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	loc := res.Header.Get("Location")
	v.get(t, loc)
	o := env.ordersOf(t, env.bakery.ID)[0]
	m := confirmationURL.FindStringSubmatch(loc)
	token, _ := url.QueryUnescape(m[2])
	res, _ = v.post(t, "/pedido/"+o.CheckoutID+"/cancelar", url.Values{"order": {o.ID}, "t": {token}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "aviso=pedido-cancelado") {
		t.Fatalf("cancel: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := env.ordersOf(t, env.bakery.ID)[0].Status; got != orders.StatusCancelled {
		t.Errorf("status after cancel = %s, want cancelled", got)
	}
	if got := env.stockOf(t, env.bread.ID); got != 30 {
		t.Errorf("stock after cancel = %d, want 30", got)
	}
	_, body := v.get(t, res.Header.Get("Location"))
	wantText(t, "confirmation after cancel", body, "El pedido quedó cancelado", "Cancelado")
	// Without the token nobody else may cancel.
	stranger := newVisitor(env.testEnv)
	stranger.get(t, "/productos/"+env.bread.ID)
	res, _ = stranger.post(t, "/pedido/"+o.CheckoutID+"/cancelar", url.Values{"order": {o.ID}})
	wantRedirect(t, "anonymous cancel without token", res, "/entrar?next="+url.QueryEscape("/pedido/"+o.CheckoutID))
	if got := env.ordersOf(t, env.bakery.ID)[0].Status; got != orders.StatusCancelled {
		t.Errorf("status = %s", got)
	}
}

// placeGuestOrder checks out qty of a product as a guest and returns the order.
func placeGuestOrder(t *testing.T, env *orderEnv, productID, qty string) orders.Summary {
	t.Helper()
	v := newVisitor(env.testEnv)
	addToCart(t, v, productID, qty)
	_, key := cartKey(t, v)
	res, _ := v.post(t, "/carrito/pagar", guestCheckout(key))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: got %d", res.StatusCode)
	}
	p, err := env.catalog.Product(t.Context(), productID)
	if err != nil {
		t.Fatal(err)
	}
	return env.ordersOf(t, p.InitiativeID)[0]
}

func TestOrderBoardDrivesAnOrder(t *testing.T) {
	env := newOrderEnv(t)
	o := placeGuestOrder(t, env, env.bread.ID, "2")
	board := boardPath(env.bakery.ID)
	rosa := env.signedIn(t, "rosa@tesoro.test")

	_, body := rosa.get(t, "/")
	wantText(t, "header of a producer", body, `href="/pedidos-recibidos"`, ">Pedidos<")
	res, _ := rosa.get(t, "/pedidos-recibidos")
	wantRedirect(t, "the header's Pedidos", res, board)
	_, body = rosa.get(t, myInitiativePath(env.bakery.ID))
	wantText(t, "my initiative", body, `href="`+board+`"`)

	res, body = rosa.get(t, board)
	wantStatus(t, "board", res, http.StatusOK, body)
	wantText(t, "board", body, "Pendientes", "Confirmados", "Listos", "Entregados", "Cancelados",
		"Marta Lucía Gómez", `href="tel:3105551234"`, "2 × Pan de papa", "$ 3.000", "Por pagar $ 3.000", ">Confirmar<", "Registrar pago")

	act := func(to, wantButton string) {
		t.Helper()
		res, _ := rosa.post(t, board+"/"+o.ID+"/estado", url.Values{"to": {to}})
		wantRedirect(t, "to "+to, res, board+"?aviso=pedido-actualizado#o-"+o.ID)
		_, body := rosa.get(t, board)
		if wantButton != "" {
			wantText(t, "board after "+to, body, ">"+wantButton+"<")
		}
		if got := env.ordersOf(t, env.bakery.ID)[0].Status; got != to {
			t.Fatalf("status after tapping = %s, want %s", got, to)
		}
	}
	act(orders.StatusConfirmed, "Marcar listo")
	// A second tap on Confirmar changes nothing and says so.
	res, _ = rosa.post(t, board+"/"+o.ID+"/estado", url.Values{"to": {orders.StatusConfirmed}})
	wantRedirect(t, "confirm twice", res, board+"?aviso=pedido-ya-cambio#o-"+o.ID)
	act(orders.StatusReady, "Marcar entregado")
	act(orders.StatusDelivered, "")

	// Payment: a part, too much, then the rest.
	_, body = rosa.get(t, board)
	key := keyInput.FindStringSubmatch(body)[1]
	res, _ = rosa.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"1.000"}, "method": {"cash"}, "key": {key}})
	wantRedirect(t, "payment", res, board+"?aviso=pago-registrado#o-"+o.ID)
	// The same form sent twice counts once.
	res, _ = rosa.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"1.000"}, "method": {"cash"}, "key": {key}})
	wantRedirect(t, "payment resent", res, board+"?aviso=pago-registrado#o-"+o.ID)
	if got := env.ordersOf(t, env.bakery.ID)[0].Paid; got != 100000 {
		t.Fatalf("paid after one payment sent twice = %d, want 100000", got)
	}
	rosa.get(t, board)
	res, body = rosa.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"5.000"}, "method": {"cash"}, "key": {"k2"}})
	wantStatus(t, "payment above what is owed", res, http.StatusUnprocessableEntity, body)
	wantText(t, "payment above what is owed", body, "El valor es mayor que lo que falta por pagar ($ 2.000)", `value="5.000"`)
	res, body = rosa.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"2.000,50"}, "method": {"nequi"}, "key": {"k3"}})
	wantStatus(t, "payment with cents", res, http.StatusUnprocessableEntity, body)
	wantText(t, "payment with cents", body, "sin centavos")
	res, _ = rosa.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"2000"}, "method": {"nequi"}, "key": {"k4"}})
	wantRedirect(t, "the rest", res, board+"?aviso=pago-registrado#o-"+o.ID)
	got, err := env.orders.Order(t.Context(), adminPrincipal, o.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsPaid() || got.Paid != 300000 || len(got.Payments) != 2 || env.ordersOf(t, env.bakery.ID)[0].Paid != 300000 {
		t.Errorf("after paying: paid %d with %d payments, want 300000 in 2", got.Paid, len(got.Payments))
	}
	_, body = rosa.get(t, board)
	balance := "/api/v1/initiatives/" + env.bakery.ID + "/balance?format=csv"
	wantText(t, "board after paying", body, "Entregado", `<span class="badge on">Pagado</span>`, `href="`+balance+`"`)
	// The statement the board links to, downloaded with the same session.
	res, body = rosa.get(t, balance)
	wantStatus(t, "statement", res, http.StatusOK, body)
	wantText(t, "statement", body, "date,kind,order,method,amount", "payment,"+o.ID+",cash,1000.00", "payment,"+o.ID+",nequi,2000.00", ",total_sales,,,3000.00,COP")
}

func TestOrderBoardCancelWithReason(t *testing.T) {
	env := newOrderEnv(t)
	o := placeGuestOrder(t, env, env.tomato.ID, "4")
	dora := env.signedIn(t, "dora@tesoro.test")
	board := boardPath(env.farm.ID)
	dora.get(t, board)
	res, _ := dora.post(t, board+"/"+o.ID+"/cancelar", url.Values{"reason": {"La cosecha se dañó con la lluvia"}})
	wantRedirect(t, "cancel", res, board+"?aviso=pedido-cancelado#o-"+o.ID)
	got, err := env.orders.Order(t.Context(), adminPrincipal, o.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if listed := env.ordersOf(t, env.farm.ID)[0]; listed.Status != orders.StatusCancelled {
		t.Errorf("the history lists the order as %s, want cancelled", listed.Status)
	}
	if got.Status != orders.StatusCancelled || got.History[len(got.History)-1].Note != "La cosecha se dañó con la lluvia" {
		t.Errorf("after cancelling: %s with history %+v", got.Status, got.History)
	}
	if s := env.stockOf(t, env.tomato.ID); s != 10 {
		t.Errorf("stock after cancel = %d, want 10", s)
	}
}

func TestOrderBoardRights(t *testing.T) {
	env := newOrderEnv(t)
	o := placeGuestOrder(t, env, env.bread.ID, "1")
	board := boardPath(env.bakery.ID)
	env.person(t, "luz@tesoro.test", "Luz Marina Pérez", accounts.RoleAdviser, env.bakery.ID)

	res, _ := newVisitor(env.testEnv).get(t, board)
	wantRedirect(t, "anonymous board", res, "/entrar?next="+url.QueryEscape(board))

	dora := env.signedIn(t, "dora@tesoro.test") // producer of the farm
	res, body := dora.get(t, board)
	wantStatus(t, "another initiative's producer", res, http.StatusForbidden, body)
	wantText(t, "forbidden page", body, "Usted no tiene permiso")
	dora.get(t, "/")
	res, body = dora.post(t, board+"/"+o.ID+"/estado", url.Values{"to": {orders.StatusConfirmed}})
	wantStatus(t, "another initiative's producer confirming", res, http.StatusForbidden, body)
	res, body = dora.post(t, boardPath(env.farm.ID)+"/"+o.ID+"/estado", url.Values{"to": {orders.StatusConfirmed}})
	wantStatus(t, "an order through another board", res, http.StatusForbidden, body)

	luz := env.signedIn(t, "luz@tesoro.test") // adviser: reads, does not act
	res, body = luz.get(t, board)
	wantStatus(t, "adviser board", res, http.StatusOK, body)
	wantText(t, "adviser board", body, "Pan de papa", "solo sus productores(as) los atienden")
	if strings.Contains(body, ">Confirmar<") || strings.Contains(body, "/pago\"") {
		t.Error("the adviser's board shows the producer's buttons")
	}
	res, body = luz.post(t, board+"/"+o.ID+"/estado", url.Values{"to": {orders.StatusConfirmed}})
	wantStatus(t, "adviser confirming", res, http.StatusForbidden, body)
	res, body = luz.post(t, board+"/"+o.ID+"/pago", url.Values{"amount": {"1500"}, "method": {"cash"}})
	wantStatus(t, "adviser recording a payment", res, http.StatusForbidden, body)
	if got := env.ordersOf(t, env.bakery.ID)[0]; got.Status != orders.StatusPending || got.Paid != 0 {
		t.Errorf("after refused actions: %s paid %d, want pending and 0", got.Status, got.Paid)
	}

	// Without the CSRF field the form is refused.
	rosa := env.signedIn(t, "rosa@tesoro.test")
	res, _ = rosa.postRaw(t, board+"/"+o.ID+"/estado", url.Values{"to": {orders.StatusConfirmed}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("transition without CSRF: got %d, want 403", res.StatusCode)
	}
}

func TestOrderPagesHaveNoMissingMessages(t *testing.T) {
	env := newOrderEnv(t)
	placeGuestOrder(t, env, env.bread.ID, "1")
	env.person(t, "marta@correo.test", "Marta Gómez", accounts.RoleBuyer)
	for _, lang := range []string{"es", "en"} {
		guest := newVisitor(env.testEnv)
		guest.lang = lang
		addToCart(t, guest, env.tomato.ID, "1")
		rosa := env.signedIn(t, "rosa@tesoro.test")
		rosa.lang = lang
		marta := env.signedIn(t, "marta@correo.test")
		marta.lang = lang
		pages := map[string]*visitor{"/carrito": guest, "/productos/" + env.bread.ID: guest,
			boardPath(env.bakery.ID): rosa, "/mis-pedidos": marta, myInitiativePath(env.bakery.ID): rosa}
		for path, v := range pages {
			res, body := v.get(t, path)
			wantStatus(t, lang+" "+path, res, http.StatusOK, body)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", path, lang, body[i:min(len(body), i+40)])
			}
		}
	}
}

func TestCardCheckoutLinksToStripe(t *testing.T) {
	orderstest.StripeMockURL(t) // skipped without stripe-mock, failed under CI=true
	env := newOrderEnv(t)
	v := newVisitor(env.testEnv)
	addToCart(t, v, env.bread.ID, "2")
	body, key := cartKey(t, v)
	wantText(t, "cart with Stripe", body, `value="card"`, "Tarjeta")
	form := guestCheckout(key)
	form.Set("payment_method", "card")
	res, _ := v.post(t, "/carrito/pagar", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !confirmationURL.MatchString(loc) {
		t.Fatalf("card checkout: got %d to %q, want the confirmation", res.StatusCode, loc)
	}
	o, err := env.orders.Order(t.Context(), adminPrincipal, env.ordersOf(t, env.bakery.ID)[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if o.PaymentURL == "" || o.ExpiresAt == nil {
		t.Fatalf("card order has payment URL %q and expiry %v, want both", o.PaymentURL, o.ExpiresAt)
	}
	_, body = v.get(t, loc)
	wantText(t, "confirmation of a card order", html.UnescapeString(body), `href="`+o.PaymentURL+`"`, "Pagar $ 3.000 con tarjeta", "Pago: Tarjeta")
}
