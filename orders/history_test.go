package orders_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// An order of the imported history lists and reads as one made through the
// service: the initiative's history and board, the order itself, the
// statement's totals and entries; and it takes nothing from today's stock.
func TestImportedHistoryReadsLikeTheService(t *testing.T) {
	ctx := t.Context()
	// Through the service: a guest's order of 2 breads, driven to delivered and paid.
	live := newFixture(t, orders.Options{})
	res := place(t, live, nil, guestInput(line(live.bread, 2)))
	made := res.Orders[0]
	live.drive(t, made.ID, orders.StatusDelivered)
	if _, err := live.svc.RecordPayment(ctx, admin, made.ID, orders.PaymentInput{Amount: money.Pesos(3000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	made = live.load(t, made.ID)

	// Imported: the same sale a year ago, and a credit sale at a fair still owed.
	past := newFixture(t, orders.Options{})
	at := past.clock.Now().AddDate(-1, 0, 0)
	imported := orders.PastOrder(orders.Past{Key: "1", InitiativeID: past.bakery.ID, Initiative: past.bakery.Name, Channel: orders.ChannelOnline,
		Method: orders.MethodCash, Buyer: made.Buyer, PlacedAt: at,
		Lines: []orders.Line{{ProductID: past.bread.ID, Name: past.bread.Name, Unit: past.bread.Unit, Quantity: 2, UnitPrice: past.bread.Price}}})
	owed := orders.PastOrder(orders.Past{Key: "2", InitiativeID: past.bakery.ID, Initiative: past.bakery.Name, Channel: orders.ChannelFair,
		Method: orders.MethodCredit, Buyer: orders.Buyer{Name: "Jorge Niño", Phone: "3129876543"}, PlacedAt: at.Add(time.Hour),
		Lines: []orders.Line{{ProductID: past.coffee.ID, Name: past.coffee.Name, Unit: past.coffee.Unit, Quantity: 1, UnitPrice: past.coffee.Price}}})
	for range 2 { // a second run (after a crash) writes the same documents
		if err := past.svc.ImportHistory(ctx, []orders.Order{owed, imported}); err != nil {
			t.Fatalf("ImportHistory: %v", err)
		}
	}
	if got := past.stock(t, past.bread.ID); got != 25 {
		t.Errorf("bread stock after importing history = %d, want 25 (untouched)", got)
	}

	// The order read by id, and its list entries, as the service's.
	same := func(what string, got, want orders.Summary) {
		t.Helper()
		for _, s := range []*orders.Summary{&got, &want} {
			s.ID, s.CheckoutID, s.InitiativeID, s.CreatedAt, s.UpdatedAt, s.ExpiresAt = "", "", "", time.Time{}, time.Time{}, nil
			for i := range s.Lines {
				s.Lines[i].ProductID, s.Lines[i].Reserved = "", false
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	read := past.load(t, imported.ID)
	same("the order read", read.Summary(), made.Summary())
	if read.FeedInitiative == "" {
		t.Error("the imported order does not know its history bucket")
	}
	var steps, wantSteps []string
	for _, c := range read.History {
		steps = append(steps, c.To)
	}
	for _, c := range made.History {
		wantSteps = append(wantSteps, c.To)
	}
	if !reflect.DeepEqual(steps, wantSteps) {
		t.Errorf("history steps %v, want %v", steps, wantSteps)
	}
	page, err := past.svc.InitiativeOrders(ctx, admin, past.bakery.ID, orders.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	livePage, err := live.svc.InitiativeOrders(ctx, admin, live.bakery.ID, orders.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != owed.ID || page.Items[1].ID != imported.ID {
		t.Fatalf("history page %+v, want the credit sale then the order (newest first)", page.Items)
	}
	same("the history entry", page.Items[1], livePage.Items[0])
	board, err := past.svc.Board(ctx, admin, past.bakery.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Live) != 0 || len(board.Finished) != 2 {
		t.Errorf("board: %d live, %d finished; want 0 and 2", len(board.Live), len(board.Finished))
	}
	credits, err := past.svc.Credits(ctx, admin, past.bakery.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(credits) != 1 || credits[0].ID != owed.ID || credits[0].Outstanding() != 300000 {
		t.Errorf("credits %+v, want the fair's sale owing $ 3.000", credits)
	}

	// The statement: one payment, as the service's.
	st, err := past.svc.Statement(ctx, admin, past.bakery.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	liveSt, err := live.svc.Statement(ctx, admin, live.bakery.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sales != liveSt.Sales || st.Refunds != liveSt.Refunds || st.Owed != liveSt.Owed || len(st.Entries) != len(liveSt.Entries) {
		t.Fatalf("statement %+v, want %+v", st, liveSt)
	}
	if e, w := st.Entries[0], liveSt.Entries[0]; e.Kind != w.Kind || e.Method != w.Method || e.Amount != w.Amount || e.OrderID != imported.ID {
		t.Errorf("statement entry %+v, want %+v for order %s", e, w, imported.ID)
	}

	// History goes first: with a live order listed, an import is refused.
	place(t, past, nil, guestInput(line(past.bread, 1)))
	later := orders.PastOrder(orders.Past{Key: "3", InitiativeID: past.bakery.ID, Initiative: past.bakery.Name, Channel: orders.ChannelPhone,
		Method: orders.MethodNequi, Buyer: made.Buyer, PlacedAt: at.Add(48 * time.Hour),
		Lines: []orders.Line{{ProductID: past.bread.ID, Name: past.bread.Name, Unit: past.bread.Unit, Quantity: 1, UnitPrice: past.bread.Price}}})
	later.Status = orders.StatusDelivered
	if err := past.svc.ImportHistory(ctx, []orders.Order{later}); !errors.Is(err, errs.Conflict) {
		t.Errorf("importing after a live order: got %v, want a conflict", err)
	}
}

// PastOrder makes the orders the service would: cancelled ones unpaid,
// refunds taken off what was paid.
func TestPastOrder(t *testing.T) {
	at := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	l := []orders.Line{{Name: "Pan", Unit: "unit", Quantity: 3, UnitPrice: money.Pesos(1500)}}
	c := orders.PastOrder(orders.Past{Key: "c", InitiativeID: "i", Channel: orders.ChannelOnline, Method: orders.MethodCash, Lines: l, PlacedAt: at, Cancelled: true})
	if c.Status != orders.StatusCancelled || c.Paid != 0 || len(c.Payments) != 0 || !c.StockReleased {
		t.Errorf("cancelled: %+v", c)
	}
	r := orders.PastOrder(orders.Past{Key: "r", InitiativeID: "i", Channel: orders.ChannelPhone, Method: orders.MethodNequi, Lines: l, PlacedAt: at,
		Refund: 150000, RefundReason: "Un pan quemado"})
	if r.Status != orders.StatusDelivered || r.Total.Amount != 450000 || r.Paid != 300000 || len(r.Refunds) != 1 || r.Refunds[0].Method != orders.MethodNequi {
		t.Errorf("refunded: %+v", r)
	}
	if again := orders.PastOrder(orders.Past{Key: "r", InitiativeID: "i", Channel: orders.ChannelPhone, Method: orders.MethodNequi, Lines: l, PlacedAt: at,
		Refund: 150000, RefundReason: "Un pan quemado"}); again.ID != r.ID || again.Payments[0].ID != r.Payments[0].ID {
		t.Error("the same past order twice has other ids")
	}
}
