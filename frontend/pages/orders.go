package pages

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// The order pages: the confirmation a buyer lands on after checking out
// (with a WhatsApp message to each producer), the signed-in buyer's orders,
// and the producer's board with one-tap transitions and "register payment".
// Every read and change goes through orders.Service, which decides who may
// do it (orders.CanView, orders.CanManage); these handlers add the forms.

func (s *Pages) routesOrderPages(app fiber.Router) {
	app.Get("/pedido/:checkout", noStore, s.confirmationPage)
	app.Post("/pedido/:checkout/cancelar", noStore, s.buyerCancel)
	app.Get("/mis-pedidos", noStore, s.myOrdersPage)
	app.Get("/pedidos-recibidos", noStore, s.boardsPage)
	app.Get("/mi-iniciativa/:id/pedidos", noStore, s.boardPage)
	app.Post("/mi-iniciativa/:id/pedidos/:order/estado", noStore, s.moveOrder)
	app.Post("/mi-iniciativa/:id/pedidos/:order/cancelar", noStore, s.boardCancel)
	app.Post("/mi-iniciativa/:id/pedidos/:order/pago", noStore, s.boardPayment)
}

// confirmationPath is where a checkout's orders are shown; the token lets a
// guest back in.
func confirmationPath(checkoutID, token string) string {
	p := "/pedido/" + url.PathEscape(checkoutID)
	if token != "" {
		p += "?t=" + url.QueryEscape(token)
	}
	return p
}

func boardPath(initiativeID string) string { return myInitiativePath(initiativeID) + "/pedidos" }

// orderView is an order with what its templates ask of it.
type orderView struct {
	orders.Summary
	Ref       string
	WhatsApp  string // wa.me link to the initiative, or ""
	CanCancel bool
	Next      string // the one-tap next status, or ""
	Pay       *form  // the register-payment form
	PayKey    string
}

// PaidMoney and DueMoney are what was received and what is still owed.
func (o orderView) PaidMoney() money.Money {
	return money.Money{Amount: o.Paid, Currency: o.Total.Currency}
}
func (o orderView) DueMoney() money.Money {
	return money.Money{Amount: o.Outstanding(), Currency: o.Total.Currency}
}

// Tel is the buyer's phone for a tel: link (digits and a leading +).
func (o orderView) Tel() string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, o.Buyer.Phone)
}

// DuePesos is what is owed as the payment field wants it: "12.500".
func (o orderView) DuePesos() string { return pesosText(o.DueMoney()) }

// waOrderText is the message a buyer sends the producer about an order. It
// goes to the initiative, whose people read Spanish, so it is Spanish.
func waOrderText(o orders.Order) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hola, hice el pedido %s en Tesoro:\n", orders.Ref(o.ID))
	for _, l := range o.Lines {
		fmt.Fprintf(&b, "- %d × %s: %s\n", l.Quantity, l.Name, l.Subtotal)
	}
	fmt.Fprintf(&b, "Total: %s\nA nombre de %s.", o.Total, o.Buyer.Name)
	return b.String()
}

// --- the confirmation ---

type confirmationData struct {
	Orders   []orderView
	Token    string
	Checkout string
	Total    money.Money
	// PayURL is Stripe's page for a card checkout not paid yet, open until PayUntil.
	PayURL, PayUntil string
}

func (s *Pages) confirmationPage(c *fiber.Ctx) error {
	p, token := kit.Principal(c), c.Query("t")
	ctx := c.UserContext()
	list, err := s.Orders.CheckoutOrders(ctx, p, c.Params("checkout"), token)
	if p == nil && token == "" && errors.Is(err, errs.NotFound) {
		// Signed out, a checkout that is not theirs looks like one that does
		// not exist; either may be the visitor's once signed in.
		return toSignIn(c, c.OriginalURL())
	}
	if err != nil {
		return err
	}
	// The service lists them in the order the cart had them.
	d := confirmationData{Token: token, Checkout: c.Params("checkout"), Total: money.Money{Currency: money.COP}}
	for _, o := range list {
		v := orderView{Summary: o.Summary(), Ref: orders.Ref(o.ID), CanCancel: o.Status == orders.StatusPending}
		in, err := s.Catalog.Initiative(ctx, o.InitiativeID)
		switch {
		case err == nil:
			v.WhatsApp = whatsappLink(in.WhatsApp, waOrderText(o))
		case !errors.Is(err, errs.NotFound):
			return err
		}
		if o.PaymentMethod == orders.MethodCard && o.PaymentURL != "" && o.Status == orders.StatusPending && o.Paid == 0 {
			d.PayURL = o.PaymentURL
			if o.ExpiresAt != nil {
				d.PayUntil = formatDateTime(*o.ExpiresAt)
			}
		}
		d.Total.Currency = o.Total.Currency
		d.Total = d.Total.Add(o.Total)
		d.Orders = append(d.Orders, v)
	}
	return s.render(c, fiber.StatusOK, "order_confirmation", "orders.confirm.title", d)
}

// buyerCancel cancels one order of the checkout, for its buyer (signed in
// or holding the token) while the producer has not confirmed it.
func (s *Pages) buyerCancel(c *fiber.Ctx) error {
	p, token, checkout := kit.Principal(c), c.FormValue("t"), c.Params("checkout")
	ctx := c.UserContext()
	o, err := s.Orders.Order(ctx, p, c.FormValue("order"), token)
	if p == nil && token == "" && errors.Is(err, errs.NotFound) {
		return toSignIn(c, confirmationPath(checkout, ""))
	}
	if err != nil {
		return err
	}
	if o.CheckoutID != checkout {
		return fmt.Errorf("order %s in checkout %s: %w", o.ID, checkout, errs.NotFound)
	}
	notice := "pedido-cancelado"
	if _, err := s.Orders.Cancel(ctx, p, o.ID, "", token); errors.Is(err, errs.Conflict) {
		notice = "pedido-ya-cambio" // confirmed meanwhile: the page shows its status
	} else if err != nil {
		return err
	}
	return c.Redirect(confirmationPath(checkout, token)+sep(token)+"aviso="+notice, fiber.StatusSeeOther)
}

// sep is the separator before one more query parameter of confirmationPath.
func sep(token string) string {
	if token == "" {
		return "?"
	}
	return "&"
}

// --- the buyer's orders ---

// myOrdersLimit bounds the buyer's list (the newest).
const myOrdersLimit = 100

type myOrdersData struct{ Orders []orderView }

func (s *Pages) myOrdersPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	list, err := s.Orders.BuyerOrders(c.UserContext(), p, orders.ListFilter{Limit: myOrdersLimit})
	if err != nil {
		return err
	}
	var d myOrdersData
	for _, o := range list.Items {
		d.Orders = append(d.Orders, orderView{Summary: o, Ref: orders.Ref(o.ID)})
	}
	return s.render(c, fiber.StatusOK, "my_orders", "orders.mine.title", d)
}

// --- the producer's board ---

// boardStatuses are the board's columns; the last two show only the most
// recent boardDone orders.
var boardStatuses = []string{orders.StatusPending, orders.StatusConfirmed, orders.StatusReady, orders.StatusDelivered, orders.StatusCancelled}

const (
	boardOpen = 200
	boardDone = 10
)

type boardGroup struct {
	Status string
	Orders []orderView
	// Recent is set on the columns that show only the last orders.
	Recent int
}

type boardData struct {
	Initiative catalog.Initiative
	Groups     []boardGroup
	// Manage: the visitor drives the orders; advisers only look.
	Manage  bool
	Methods []string
	Today   string // for the date picker's max
	// Choose lists the visitor's initiatives (the header's "Pedidos" link).
	Choose []catalog.Initiative
}

// boardsPage is the header's "Pedidos": the board of the producer's
// initiative, or a choice when there are several.
func (s *Pages) boardsPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	var d boardData
	for _, id := range p.InitiativeIDs {
		if !accounts.CanSeeInitiativePrivate(p, id) {
			continue
		}
		in, err := s.Catalog.Initiative(c.UserContext(), id)
		if errors.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		d.Choose = append(d.Choose, in)
	}
	if len(d.Choose) == 1 {
		return c.Redirect(boardPath(d.Choose[0].ID), fiber.StatusSeeOther)
	}
	slices.SortFunc(d.Choose, func(a, b catalog.Initiative) int { return strings.Compare(catalog.Fold(a.Name), catalog.Fold(b.Name)) })
	return s.render(c, fiber.StatusOK, "order_board", "orders.board.title", d)
}

func (s *Pages) boardPage(c *fiber.Ctx) error {
	if kit.Principal(c) == nil {
		return toSignIn(c, c.OriginalURL())
	}
	return s.renderBoard(c, fiber.StatusOK, "", nil)
}

// renderBoard shows an initiative's board; failedOrder's payment form shows
// pay (a payment that was refused) instead of an empty one.
func (s *Pages) renderBoard(c *fiber.Ctx, status int, failedOrder string, pay *form) error {
	p, id, ctx := kit.Principal(c), c.Params("id"), c.UserContext()
	d := boardData{Manage: orders.CanManage(p, id), Methods: []string{orders.MethodCash, orders.MethodTransfer, orders.MethodNequi},
		Today: time.Now().In(bogota).Format("2006-01-02")}
	// The orders service decides who may see the initiative's orders.
	lists, err := s.Orders.Board(ctx, p, id)
	if err != nil {
		return err
	}
	for _, st := range boardStatuses {
		g := boardGroup{Status: st}
		from, limit := lists.Live, boardOpen
		if st == orders.StatusDelivered || st == orders.StatusCancelled {
			from, limit, g.Recent = lists.Finished, boardDone, boardDone
		}
		for _, o := range from {
			if o.Status != st || len(g.Orders) == limit {
				continue
			}
			v := orderView{Summary: o, Ref: orders.Ref(o.ID), Next: orders.Next(o.Status), PayKey: newIdempotencyKey(), Pay: newForm(),
				CanCancel: orders.CanMove(o.Status, orders.StatusCancelled)}
			if o.ID == failedOrder && pay != nil {
				v.Pay = pay
			}
			g.Orders = append(g.Orders, v)
		}
		d.Groups = append(d.Groups, g)
	}
	in, err := s.Catalog.Initiative(ctx, id)
	if err != nil {
		return err
	}
	d.Initiative = in
	c.Locals(pageKey, boardPath(id))
	return s.render(c, status, "order_board", "orders.board.title", d)
}

// boardOrder loads the order of a board action; it must belong to the
// initiative in the path. A nil principal means the answer is the sign-in page.
func (s *Pages) boardOrder(c *fiber.Ctx) (*accounts.Principal, orders.Order, error) {
	p := kit.Principal(c)
	if p == nil {
		return nil, orders.Order{}, toSignIn(c, boardPath(c.Params("id")))
	}
	o, err := s.Orders.Order(c.UserContext(), p, c.Params("order"), "")
	if err != nil {
		return nil, o, err
	}
	if o.InitiativeID != c.Params("id") {
		return nil, o, fmt.Errorf("order %s of initiative %s: %w", o.ID, c.Params("id"), errs.NotFound)
	}
	return p, o, nil
}

// afterBoardAction goes back to the board, at the order.
func afterBoardAction(c *fiber.Ctx, o orders.Order, err error, notice string) error {
	if errors.Is(err, errs.Conflict) {
		notice = "pedido-ya-cambio" // a second tap, or another producer was quicker
	} else if err != nil {
		return err
	}
	return c.Redirect(boardPath(o.InitiativeID)+"?aviso="+notice+"#o-"+o.ID, fiber.StatusSeeOther)
}

func (s *Pages) moveOrder(c *fiber.Ctx) error {
	p, o, err := s.boardOrder(c)
	if p == nil {
		return err
	}
	_, err = s.Orders.Transition(c.UserContext(), p, o.ID, c.FormValue("to"), "")
	return afterBoardAction(c, o, err, "pedido-actualizado")
}

func (s *Pages) boardCancel(c *fiber.Ctx) error {
	p, o, err := s.boardOrder(c)
	if p == nil {
		return err
	}
	_, err = s.Orders.Cancel(c.UserContext(), p, o.ID, strings.TrimSpace(c.FormValue("reason")), "")
	return afterBoardAction(c, o, err, "pedido-cancelado")
}

// paymentMessages name the message of each payment field the service may refuse.
var paymentMessages = map[string]string{
	"amount.amount":   "orders.error.amount",
	"amount.currency": "orders.error.amount",
	"method":          "orders.error.method",
	"paid_at":         "orders.error.paid_at",
}

// overpaid reports whether the service refused a payment for being more
// than what is still owed (the one amount error a valid amount can get).
func overpaid(ve *errs.ValidationError) bool {
	for _, fe := range ve.Fields {
		if strings.HasPrefix(fe.Field, "amount") && fe.Code == errs.CodeTooMuch {
			return true
		}
	}
	return false
}

func (s *Pages) boardPayment(c *fiber.Ctx) error {
	p, o, err := s.boardOrder(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"amount", "method", "paid_at"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	in := orders.PaymentInput{Method: f.Val("method")}
	if n, msg := parseWhole(f.Val("amount")); msg != "" || n <= 0 {
		f.Errors["amount.amount"] = l.T("orders.error.amount")
	} else {
		in.Amount = money.Pesos(n)
	}
	if v := f.Val("paid_at"); v != "" && v != time.Now().In(bogota).Format("2006-01-02") {
		day, err := time.ParseInLocation("2006-01-02", v, bogota)
		if err != nil {
			f.Errors["paid_at"] = l.T("orders.error.paid_at")
		} else {
			noon := day.Add(12 * time.Hour) // a back-dated payment, at midday of its day
			in.PaidAt = &noon
		}
	}
	if len(f.Errors) == 0 {
		_, err = s.Orders.RecordPayment(c.UserContext(), p, o.ID, in, c.FormValue("key"))
		var ve *errs.ValidationError
		switch {
		case err == nil:
			return c.Redirect(boardPath(o.InitiativeID)+"?aviso=pago-registrado#o-"+o.ID, fiber.StatusSeeOther)
		case errors.As(err, &ve) && overpaid(ve):
			if cur, gerr := s.Orders.Order(c.UserContext(), p, o.ID, ""); gerr == nil {
				o = cur
			}
			f.Errors["amount.amount"] = l.T("orders.error.amount_over", "Due", money.Money{Amount: o.Outstanding(), Currency: o.Total.Currency}.String())
		case formFieldErrors(l, f, err, paymentMessages):
		default:
			return afterBoardAction(c, o, err, "pago-registrado")
		}
	}
	if f.Error == "" {
		f.Error = l.T("form.error.summary")
	}
	return s.renderBoard(c, fiber.StatusUnprocessableEntity, o.ID, f)
}
