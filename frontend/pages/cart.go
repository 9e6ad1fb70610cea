package pages

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// The cart and the checkout, without JavaScript: the cart is a cookie that
// holds product ids and quantities only (never prices or names), checked
// against the public catalog on every read, so a product taken off sale
// leaves the cart by itself. Checking out calls orders.Service.Checkout with
// an idempotency key made when the cart page was rendered: a double tap on
// "Hacer el pedido" places one order.

func (s *Pages) routesCart(app fiber.Router) {
	app.Get("/carrito", noStore, s.cartPage)
	app.Post("/carrito/agregar", noStore, shows("/carrito"), s.addToCart)
	app.Post("/carrito/cambiar", noStore, shows("/carrito"), s.updateCart)
	app.Post("/carrito/pagar", noStore, kit.Limited(s.checkouts), shows("/carrito"), s.placeOrder)
}

const (
	CartCookie = "tesoro_cart"
	// cartDays is how long a cart waits in the browser.
	cartDays = 30
)

// cartLine is one product of the cart cookie.
type cartLine struct {
	ProductID string
	Quantity  int64
}

// parseCart reads the cookie: "id:qty|id:qty", at most orders.MaxLines
// lines, each id at most once. Anything malformed is dropped.
func parseCart(v string) []cartLine {
	var out []cartLine
	for part := range strings.SplitSeq(v, "|") {
		id, qty, ok := strings.Cut(part, ":")
		n, err := strconv.ParseInt(qty, 10, 64)
		if !ok || err != nil || n < 1 || n > orders.MaxQuantity || !validProductID(id) || cartIndex(out, id) >= 0 {
			continue
		}
		out = append(out, cartLine{id, n})
		if len(out) == orders.MaxLines {
			break
		}
	}
	return out
}

func validProductID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func cartIndex(lines []cartLine, id string) int {
	for i, l := range lines {
		if l.ProductID == id {
			return i
		}
	}
	return -1
}

// readCart returns the lines of the cart still on sale in the public catalog.
func (s *Pages) readCart(c *fiber.Ctx) ([]cartLine, []catalog.Product, error) {
	var lines []cartLine
	var products []catalog.Product
	for _, l := range parseCart(c.Cookies(CartCookie)) {
		p, err := s.Catalog.PublicProduct(c.UserContext(), l.ProductID)
		if errors.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		lines, products = append(lines, l), append(products, p)
	}
	return lines, products, nil
}

// writeCart stores the cart (an empty cart removes the cookie).
func writeCart(c *fiber.Ctx, lines []cartLine) {
	ck := &fiber.Cookie{Name: CartCookie, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"}
	if len(lines) == 0 {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	} else {
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = l.ProductID + ":" + strconv.FormatInt(l.Quantity, 10)
		}
		ck.Value = strings.Join(parts, "|")
		ck.MaxAge, ck.Expires = cartDays*24*3600, time.Now().AddDate(0, 0, cartDays)
	}
	c.Cookie(ck)
}

// cartCount is the number of products in the cart, for the header.
func (s *Pages) cartCount(c *fiber.Ctx) int {
	if c.Cookies(CartCookie) == "" {
		return 0
	}
	lines, _, err := s.readCart(c)
	if err != nil {
		return len(parseCart(c.Cookies(CartCookie)))
	}
	return len(lines)
}

// --- the cart page ---

// cartItem is a line of the cart page.
type cartItem struct {
	ID, Name, Unit string
	Quantity       int64
	Price          money.Money
	Subtotal       money.Money
	// Max is the most that may be asked for; Left is set when the catalog
	// says fewer units remain than asked for.
	Max  int64
	Left *int64
}

type cartGroup struct {
	Initiative, Slug string
	Items            []cartItem
	Subtotal         money.Money
}

// shortItem is a product the stock could not cover at checkout.
type shortItem struct {
	Name      string
	Want, Has int64
}

type cartData struct {
	Groups []cartGroup
	Total  money.Money
	Lines  int
	// Checkout is the checkout form; Key its idempotency key.
	Checkout *form
	Key      string
	Methods  []string
	Guest    bool
	Short    []shortItem
	Alert    string
}

func buildCart(lines []cartLine, products []catalog.Product) cartData {
	d := cartData{Lines: len(lines), Total: money.Money{Currency: money.COP}}
	at := map[string]int{}
	for i, l := range lines {
		p := products[i]
		j, ok := at[p.InitiativeID]
		if !ok {
			j = len(d.Groups)
			at[p.InitiativeID] = j
			d.Groups = append(d.Groups, cartGroup{Initiative: p.InitiativeName, Slug: p.InitiativeSlug, Subtotal: money.Money{Currency: p.Price.Currency}})
		}
		it := cartItem{ID: p.ID, Name: p.Name, Unit: p.Unit, Quantity: l.Quantity, Price: p.Price,
			Subtotal: p.Price.Times(l.Quantity), Max: max(cartMax(p), l.Quantity)}
		if p.Stock != nil && *p.Stock < l.Quantity {
			left := max(0, *p.Stock)
			it.Left = &left
		}
		g := &d.Groups[j]
		g.Items = append(g.Items, it)
		g.Subtotal = g.Subtotal.Add(it.Subtotal)
		d.Total.Currency = p.Price.Currency
		d.Total = d.Total.Add(it.Subtotal)
	}
	return d
}

// checkoutMethods are the payment choices, card only when Stripe is set up.
func (s *Pages) checkoutMethods() []string {
	m := []string{orders.MethodCash, orders.MethodTransfer, orders.MethodNequi}
	if s.Orders.CardEnabled() {
		m = append(m, orders.MethodCard)
	}
	return m
}

// renderCart shows the cart with its checkout form f (prefilled for a
// signed-in buyer when f is nil).
func (s *Pages) renderCart(c *fiber.Ctx, status int, d cartData, f *form) error {
	p := kit.Principal(c)
	if f == nil {
		f = newForm()
		f.Values["payment_method"] = orders.MethodCash
		if p != nil {
			f.Values["name"] = p.Name
			if u, err := s.Accounts.User(c.UserContext(), p, p.UserID); err == nil {
				f.Values["name"], f.Values["phone"], f.Values["email"] = u.Name, u.Phone, u.Email
			}
		}
	}
	d.Checkout, d.Key, d.Methods, d.Guest = f, newIdempotencyKey(), s.checkoutMethods(), p == nil
	c.Locals(pageKey, "/carrito")
	return s.render(c, status, "cart", "orders.cart.title", d)
}

func (s *Pages) cartPage(c *fiber.Ctx) error {
	lines, products, err := s.readCart(c)
	if err != nil {
		return err
	}
	d := buildCart(lines, products)
	if len(lines) < len(parseCart(c.Cookies(CartCookie))) {
		writeCart(c, lines) // forget what left the catalog
		d.Alert = s.tmpl.localizer(c).T("orders.cart.gone")
	}
	return s.renderCart(c, fiber.StatusOK, d, nil)
}

// cartQuantity reads the quantity field of the cart forms.
func cartQuantity(c *fiber.Ctx) (int64, bool) {
	n, msg := parseWhole(c.FormValue("quantity"))
	return n, msg == "" && n >= 1 && n <= orders.MaxQuantity
}

// addToCart puts a product in the cart (adding to what it has of it) and
// shows the cart.
func (s *Pages) addToCart(c *fiber.Ctx) error {
	id := strings.TrimSpace(c.FormValue("product_id"))
	p, err := s.Catalog.PublicProduct(c.UserContext(), id)
	if err != nil {
		return err
	}
	n, ok := cartQuantity(c)
	if !ok {
		var f errs.Fields
		f.Add("quantity", errs.CodeOutOfRange, fmt.Sprintf("must be a whole number from 1 to %d", orders.MaxQuantity), "min", 1, "max", orders.MaxQuantity)
		return f.Err()
	}
	lines, products, err := s.readCart(c)
	if err != nil {
		return err
	}
	if i := cartIndex(lines, p.ID); i >= 0 {
		lines[i].Quantity = min(orders.MaxQuantity, lines[i].Quantity+n)
	} else if len(lines) >= orders.MaxLines {
		d := buildCart(lines, products)
		d.Alert = s.tmpl.localizer(c).T("orders.cart.full", "N", orders.MaxLines)
		return s.renderCart(c, fiber.StatusUnprocessableEntity, d, nil)
	} else {
		lines = append(lines, cartLine{p.ID, n})
	}
	writeCart(c, lines)
	return c.Redirect("/carrito?aviso=agregado", fiber.StatusSeeOther)
}

// updateCart changes a line's quantity, or removes it (remove=1 or quantity 0).
func (s *Pages) updateCart(c *fiber.Ctx) error {
	lines, _, err := s.readCart(c)
	if err != nil {
		return err
	}
	i := cartIndex(lines, c.FormValue("product_id"))
	if i < 0 {
		return c.Redirect("/carrito", fiber.StatusSeeOther) // gone already: nothing to change
	}
	if c.FormValue("remove") != "" || strings.TrimSpace(c.FormValue("quantity")) == "0" {
		lines = append(lines[:i], lines[i+1:]...)
	} else if n, ok := cartQuantity(c); ok {
		lines[i].Quantity = n
	} else {
		var f errs.Fields
		f.Add("quantity", errs.CodeOutOfRange, fmt.Sprintf("must be a whole number from 0 to %d", orders.MaxQuantity), "min", 0, "max", orders.MaxQuantity)
		return f.Err()
	}
	writeCart(c, lines)
	return c.Redirect("/carrito?aviso=carrito-actualizado", fiber.StatusSeeOther)
}

// checkoutMessages name the message of each checkout field the orders
// service may reject; the form's inputs are named after the last part.
var checkoutMessages = map[string]string{
	"buyer.name":     "orders.error.name",
	"buyer.phone":    "orders.error.phone",
	"buyer.email":    "orders.error.email",
	"buyer.consent":  "orders.error.consent",
	"payment_method": "orders.error.payment_method",
}

// placeOrder checks out the cart and sends the buyer to the confirmation
// (with the link to Stripe's page for a card payment).
func (s *Pages) placeOrder(c *fiber.Ctx) error {
	lines, products, err := s.readCart(c)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return c.Redirect("/carrito", fiber.StatusSeeOther) // placed already, or emptied meanwhile
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"name", "phone", "email", "payment_method"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	if c.FormValue("consent") != "" {
		f.Values["consent"] = "on"
	}
	in := orders.CheckoutInput{
		Buyer:         orders.BuyerInput{Name: f.Val("name"), Phone: f.Val("phone"), Email: f.Val("email"), Consent: f.Val("consent") != ""},
		PaymentMethod: f.Val("payment_method"), Channel: orders.ChannelOnline,
	}
	for _, ln := range lines {
		in.Lines = append(in.Lines, orders.LineInput{ProductID: ln.ProductID, Quantity: ln.Quantity})
	}
	in.Client = c.IP() + "|" + c.Get(fiber.HeaderUserAgent)
	r, err := s.Orders.Checkout(c.UserContext(), kit.Principal(c), c.FormValue("key"), in)
	var short *orders.ShortError
	switch {
	case err == nil:
	case errors.As(err, &short):
		d := buildCart(lines, products)
		for _, sl := range short.Lines {
			name := sl.ProductID
			if i := cartIndex(lines, sl.ProductID); i >= 0 {
				name = products[i].Name
			}
			d.Short = append(d.Short, shortItem{Name: name, Want: sl.Requested, Has: sl.Available})
		}
		return s.renderCart(c, fiber.StatusConflict, d, f)
	case formFieldErrors(l, f, err, checkoutMessages):
		return s.renderCart(c, fiber.StatusUnprocessableEntity, buildCart(lines, products), f)
	default:
		return err
	}
	var res orders.CheckoutResult
	if err := json.Unmarshal(r.Body, &res); err != nil {
		return fmt.Errorf("checkout answer: %w", err)
	}
	writeCart(c, nil)
	// A card checkout also lands on the confirmation, which links to
	// Stripe's page: the pages' CSP (form-action 'self') would block a
	// form's redirect to another site.
	return c.Redirect(confirmationPath(res.CheckoutID, res.Token), fiber.StatusSeeOther)
}

// cartMax is the most of a product one may put in the cart: its stock when
// it keeps one, else the checkout's bound.
func cartMax(p catalog.Product) int64 {
	if p.Stock != nil {
		return max(1, min(orders.MaxQuantity, *p.Stock))
	}
	return orders.MaxQuantity
}
