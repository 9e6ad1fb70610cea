package orders_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// The rule of docs/architecture.md: what a person waits for and every
// periodic pass reads by _id (or a working set), never the orders' history.
// The scan log fails this test when a list, an action or the sweeper sends a
// query by anything else to the embedded engine.
func TestOrdersReadOnlyByID(t *testing.T) {
	f := newFixture(t, orders.Options{})
	buyer := &accounts.Principal{UserID: "buyer1", Roles: []string{accounts.RoleBuyer}}
	ctx := t.Context()
	scans := storagetest.ScansDuring(f.svc.DB(), func() {
		var ids []string
		for i := range 5 {
			r, err := f.svc.Checkout(ctx, buyer, fmt.Sprint("k", i), guestInput(line(f.bread, 1), line(f.arepa, 2)))
			if err != nil {
				t.Fatal(err)
			}
			res := decode(t, r)
			for _, o := range res.Orders {
				ids = append(ids, o.ID)
			}
			if _, err := f.svc.CheckoutOrders(ctx, buyer, res.CheckoutID, ""); err != nil {
				t.Fatal(err)
			}
		}
		// A replay, a short checkout, every kind of change.
		if _, err := f.svc.Checkout(ctx, buyer, "k0", guestInput(line(f.bread, 1), line(f.arepa, 2))); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Checkout(ctx, nil, "short", guestInput(line(f.bread, 100))); !errors.Is(err, &orders.ShortError{}) && err == nil {
			t.Fatal("a checkout beyond the stock was accepted")
		}
		p := producerOf(f.bakery)
		bakeryOrder := ids[0]
		if _, err := f.svc.Transition(ctx, p, bakeryOrder, orders.StatusConfirmed, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordPayment(ctx, p, bakeryOrder, orders.PaymentInput{Amount: money.Pesos(1500), Method: orders.MethodCash}, "pay1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(ctx, p, ids[2], "sin harina", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Order(ctx, p, bakeryOrder, ""); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"", orders.StatusPending, orders.StatusConfirmed, orders.StatusCancelled} {
			if _, err := f.svc.InitiativeOrders(ctx, p, f.bakery.ID, orders.ListFilter{Status: st, Limit: 2}); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := f.svc.Board(ctx, p, f.bakery.ID); err != nil || len(b.Live) == 0 || len(b.Finished) == 0 {
			t.Fatalf("board: %d live, %d finished, %v; want both", len(b.Live), len(b.Finished), err)
		}
		if _, err := f.svc.BuyerOrders(ctx, buyer, orders.ListFilter{Limit: 3}); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.Statement(ctx, p, f.bakery.ID, "", 10); err != nil || st.Sales != money.Pesos(1500) || len(st.Entries) != 1 {
			t.Fatalf("statement: sales %v, %d entries, %v; want the one payment", st.Sales, len(st.Entries), err)
		}
		f.clock.Add(3 * 24 * time.Hour) // past the keys' life: the sweep drops a day too
		if _, err := f.svc.Sweep(ctx, orders.DefaultRecoverAfter); err != nil {
			t.Fatal(err)
		}
	})
	for _, s := range scans {
		t.Errorf("%s on %s by %s: not by _id", s.Command, s.Collection, s.Filter)
	}
}
