package orders_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tesoro-pact/tesoro/storage"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
)

func TestCheckoutSplitsPerInitiative(t *testing.T) {
	f := newFixture(t, orders.Options{})
	in := guestInput(line(f.bread, 3), line(f.arepa, 2), line(f.coffee, 1), line(f.bread, 1))
	r, err := f.svc.Checkout(t.Context(), nil, "key-1", in)
	if err != nil {
		t.Fatal(err)
	}
	res := decode(t, r)
	if len(res.Orders) != 2 || res.CheckoutID == "" || res.Token == "" || res.PaymentURL != "" {
		t.Fatalf("got %+v, want two orders of one checkout with a token and no payment URL", res)
	}
	bakery, arepas := res.Orders[0], res.Orders[1]
	if bakery.InitiativeID != f.bakery.ID || arepas.InitiativeID != f.arepas.ID {
		t.Fatalf("got initiatives %s, %s; want bakery then arepas", bakery.InitiativeID, arepas.InitiativeID)
	}
	// 4 breads (the repeated line merged) at $ 1.500 + 1 coffee at $ 3.000.
	if got, want := bakery.Total.Amount, int64(4*150000+300000); got != want || len(bakery.Lines) != 2 {
		t.Errorf("bakery total %d with %d lines, want %d with 2 lines", got, len(bakery.Lines), want)
	}
	if got, want := arepas.Total.Amount, int64(2*200000); got != want {
		t.Errorf("arepas total %d, want %d", got, want)
	}
	if bakery.Status != orders.StatusPending || len(bakery.History) != 1 || bakery.Lines[1].Reserved {
		t.Errorf("got %+v, want pending with one history entry and an unreserved made-to-order line", bakery)
	}
	if got := f.stock(t, f.bread.ID); got != 21 {
		t.Errorf("bread stock %d, want 21", got)
	}
	if got := f.stock(t, f.arepa.ID); got != 998 {
		t.Errorf("arepa stock %d, want 998", got)
	}
	// The guest reads the orders with the token; others cannot.
	if _, err := f.svc.Order(t.Context(), nil, bakery.ID, res.Token); err != nil {
		t.Errorf("guest with token: %v", err)
	}
	// Without the token a stranger gets what a missing order gives (security
	// review, item 14: a 401 for existing ids let anyone count orders).
	if _, err := f.svc.Order(t.Context(), nil, bakery.ID, "wrong"); !errors.Is(err, errs.NotFound) {
		t.Errorf("guest without the token: got %v, want not found", err)
	}
	if _, err := f.svc.Order(t.Context(), nil, storage.NewID(), ""); !errors.Is(err, errs.NotFound) {
		t.Errorf("a missing order: got %v, want not found", err)
	}
	if _, err := f.svc.Order(t.Context(), producerOf(f.arepas), bakery.ID, ""); !errors.Is(err, errs.Forbidden) {
		t.Errorf("producer of another initiative: got %v, want forbidden", err)
	}
	if _, err := f.svc.Order(t.Context(), adviserOf(f.bakery), bakery.ID, ""); err != nil {
		t.Errorf("adviser of the initiative: %v", err)
	}
	list, err := f.svc.InitiativeOrders(t.Context(), producerOf(f.arepas), f.arepas.ID, orders.ListFilter{Status: orders.StatusPending})
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != arepas.ID {
		t.Errorf("arepas' pending orders: got %v %v, want the one order", list, err)
	}
}

func TestCheckoutValidation(t *testing.T) {
	f := newFixture(t, orders.Options{})
	buyer := &accounts.Principal{UserID: "u1", Roles: []string{accounts.RoleBuyer}}
	tests := []struct {
		name  string
		p     *accounts.Principal
		edit  func(*orders.CheckoutInput)
		field string
	}{
		{"no lines", nil, func(in *orders.CheckoutInput) { in.Lines = nil }, "lines"},
		{"zero quantity", nil, func(in *orders.CheckoutInput) { in.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{"huge quantity", nil, func(in *orders.CheckoutInput) { in.Lines[0].Quantity = 1001 }, "lines[0].quantity"},
		// Security review, item 8: the bound holds after the lines of one product add up.
		{"huge quantity in many lines", nil, func(in *orders.CheckoutInput) {
			in.Lines = nil
			for range 30 {
				in.Lines = append(in.Lines, orders.LineInput{ProductID: f.arepa.ID, Quantity: 1000})
			}
		}, "lines[0].quantity"},
		{"unknown product", nil, func(in *orders.CheckoutInput) { in.Lines[0].ProductID = "nope" }, "lines[0].product_id"},
		{"no name", nil, func(in *orders.CheckoutInput) { in.Buyer.Name = " " }, "buyer.name"},
		{"bad phone", nil, func(in *orders.CheckoutInput) { in.Buyer.Phone = "call me" }, "buyer.phone"},
		{"guest without consent", nil, func(in *orders.CheckoutInput) { in.Buyer.Consent = false }, "buyer.consent"},
		{"card without Stripe", nil, func(in *orders.CheckoutInput) { in.PaymentMethod = orders.MethodCard }, "payment_method"},
		{"unknown method", nil, func(in *orders.CheckoutInput) { in.PaymentMethod = "gold" }, "payment_method"},
		{"unknown channel", nil, func(in *orders.CheckoutInput) { in.Channel = "fax" }, "channel"},
		{"signed-in buyer needs no consent here", buyer, func(in *orders.CheckoutInput) { in.Buyer.Consent = false }, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := guestInput(line(f.arepa, 1))
			tt.edit(&in)
			_, err := f.svc.Checkout(t.Context(), tt.p, fmt.Sprint("v-", i), in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want an order", err)
				}
				return
			}
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != tt.field {
				t.Fatalf("got %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	if got := f.stock(t, f.arepa.ID); got != 999 {
		t.Errorf("arepa stock %d, want 999 (only the valid checkout reserved)", got)
	}
}

func TestCheckoutShortStockReservesNothing(t *testing.T) {
	f := newFixture(t, orders.Options{})
	_, err := f.svc.Checkout(t.Context(), nil, "short", guestInput(line(f.arepa, 5), line(f.bread, 26)))
	var se *orders.ShortError
	if !errors.As(err, &se) || !errors.Is(err, errs.Conflict) {
		t.Fatalf("got %v, want a short-stock conflict", err)
	}
	if len(se.Lines) != 1 || se.Lines[0].ProductID != f.bread.ID || se.Lines[0].Requested != 26 || se.Lines[0].Available != 25 {
		t.Errorf("short lines %+v, want bread 26 requested, 25 available", se.Lines)
	}
	if a, b := f.stock(t, f.arepa.ID), f.stock(t, f.bread.ID); a != 1000 || b != 25 {
		t.Errorf("stock arepa %d bread %d, want 1000 and 25 (nothing reserved)", a, b)
	}
	// The key is free again: the same request succeeds once stock allows it.
	if _, err := f.cat.AdjustStock(t.Context(), accounts.System, f.bread.ID, 1, "found one more", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Checkout(t.Context(), nil, "short", guestInput(line(f.arepa, 5), line(f.bread, 26))); err != nil {
		t.Fatalf("retry with the same key after restocking: %v", err)
	}
}

// TestOversell: 200 buyers at once want the last 25 breads, each with an
// arepa from another initiative; exactly 25 get them and the others take
// nothing, not even their arepa.
func TestOversell(t *testing.T) {
	f := newFixture(t, orders.Options{})
	const buyers = 200
	var ok, short atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, buyers)
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Checkout(t.Context(), nil, fmt.Sprint("buyer-", i), guestInput(line(f.arepa, 1), line(f.bread, 1), line(f.coffee, 1)))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, errs.Conflict):
				short.Add(1)
			default:
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if ok.Load() != 25 || short.Load() != buyers-25 {
		t.Fatalf("got %d orders and %d refusals, want 25 and %d", ok.Load(), short.Load(), buyers-25)
	}
	if b, a := f.stock(t, f.bread.ID), f.stock(t, f.arepa.ID); b != 0 || a != 1000-25 {
		t.Errorf("stock bread %d arepa %d, want 0 and %d", b, a, 1000-25)
	}
	list, err := f.svc.InitiativeOrders(t.Context(), admin, f.bakery.ID, orders.ListFilter{Limit: 100})
	if err != nil || len(list.Items) != 25 {
		t.Errorf("bakery has %d visible orders (%v), want 25", len(list.Items), err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t, orders.Options{})
	in := guestInput(line(f.bread, 2))
	first, err := f.svc.Checkout(t.Context(), nil, "same", in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Checkout(t.Context(), nil, "same", guestInput(line(f.bread, 2)))
	if err != nil || !again.Replayed || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("replay: got %v replayed=%v equal=%v, want the first body again", err, again.Replayed, bytes.Equal(again.Body, first.Body))
	}
	_, err = f.svc.Checkout(t.Context(), nil, "same", guestInput(line(f.bread, 3)))
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "Idempotency-Key" {
		t.Fatalf("same key, other body: got %v, want invalid Idempotency-Key", err)
	}
	if _, err := f.svc.Checkout(t.Context(), nil, "", in); !errors.Is(err, errs.Invalid) {
		t.Errorf("empty key: got %v, want invalid", err)
	}
	if got := f.stock(t, f.bread.ID); got != 23 {
		t.Errorf("bread stock %d, want 23 (one order of 2)", got)
	}

	// Concurrent duplicates place one order and all get its answer.
	const dups = 20
	bodies := make([][]byte, dups)
	var wg sync.WaitGroup
	for i := range dups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.svc.Checkout(t.Context(), nil, "storm", guestInput(line(f.arepa, 1)))
			if err != nil {
				t.Error(err)
			}
			bodies[i] = r.Body
		}()
	}
	wg.Wait()
	for i := range bodies {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("duplicate %d got %q, want %q", i, bodies[i], bodies[0])
		}
	}
	if got := f.stock(t, f.arepa.ID); got != 999 {
		t.Errorf("arepa stock %d, want 999: one order for %d duplicates", got, dups)
	}
}

// TestSweepDecidesInterruptedCheckouts stops checkouts where a crash could,
// and checks what the sweeper makes of each: rolled back while stock was
// still being reserved, finished once all of it was.
func TestSweepDecidesInterruptedCheckouts(t *testing.T) {
	tests := []struct {
		step          string
		n             int // stop at the n-th time the step is reached
		wantFinished  bool
		breadReserved int64
	}{
		{"reserved", 1, false, 0}, // after the first of two lines
		{"reserved", 2, true, 2},  // both lines reserved, lease still held
		{"decided", 1, true, 2},   // lease taken, orders not yet pending
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.step, tt.n), func(t *testing.T) {
			f := newFixture(t, orders.Options{})
			f.svc.CrashAt(tt.step, tt.n)
			in := guestInput(line(f.bread, 2), line(f.arepa, 3))
			if _, err := f.svc.Checkout(t.Context(), nil, "crash", in); !errors.Is(err, orders.ErrCrash) {
				t.Fatalf("got %v, want the simulated crash", err)
			}
			f.svc.CrashAt("", 0)
			if sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil || sw != (orders.Swept{}) {
				t.Fatalf("sweep before RecoverAfter: got %+v %v, want nothing done", sw, err)
			}
			f.clock.Add(2 * orders.DefaultRecoverAfter)
			sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFinished && (sw.Finished != 2 || sw.KeysCompleted != 1) || !tt.wantFinished && (sw.RolledBack != 2 || sw.KeysFreed != 1) {
				t.Fatalf("sweep: got %+v, want finished=%v for both orders and the key settled", sw, tt.wantFinished)
			}
			if b := f.stock(t, f.bread.ID); b != 25-tt.breadReserved {
				t.Errorf("bread stock %d, want %d", b, 25-tt.breadReserved)
			}
			if a := f.stock(t, f.arepa.ID); a != 1000-(tt.breadReserved/2)*3 {
				t.Errorf("arepa stock %d, want %d", a, 1000-(tt.breadReserved/2)*3)
			}
			if sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil || sw != (orders.Swept{}) {
				t.Errorf("second sweep: got %+v %v, want nothing to do", sw, err)
			}
			// The buyer retries with the same key: the finished checkout is
			// answered again; a rolled-back one is placed anew.
			r, err := f.svc.Checkout(t.Context(), nil, "crash", in)
			if err != nil || r.Replayed != tt.wantFinished || len(decode(t, r).Orders) != 2 {
				t.Fatalf("retry: got %s replayed=%v %v, want two orders, replayed=%v", r.Body, r.Replayed, err, tt.wantFinished)
			}
			if b := f.stock(t, f.bread.ID); b != 23 {
				t.Errorf("bread stock %d after the retry, want 23", b)
			}
		})
	}
}

func TestSweepCompletesAnsweredKey(t *testing.T) {
	f := newFixture(t, orders.Options{})
	// A crash after the orders were placed but before the answer was kept.
	f.svc.CrashAt("answered", 1)
	if _, err := f.svc.Checkout(t.Context(), nil, "lost-answer", guestInput(line(f.bread, 1))); !errors.Is(err, orders.ErrCrash) {
		t.Fatalf("checkout: %v, want the simulated crash", err)
	}
	f.svc.CrashAt("", 0)
	listed, err := f.svc.InitiativeOrders(t.Context(), admin, f.bakery.ID, orders.ListFilter{})
	if err != nil || len(listed.Items) != 1 {
		t.Fatalf("orders listed after the crash: %v %v, want the one order", listed, err)
	}
	f.clock.Add(2 * orders.DefaultRecoverAfter)
	if sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil || sw.KeysCompleted != 1 {
		t.Fatalf("sweep: got %+v %v, want the key completed", sw, err)
	}
	again, err := f.svc.Checkout(t.Context(), nil, "lost-answer", guestInput(line(f.bread, 1)))
	if err != nil || !again.Replayed || decode(t, again).Orders[0].ID != listed.Items[0].ID {
		t.Fatalf("replay after the sweep: got %s %v, want the same order", again.Body, err)
	}
	if got := f.stock(t, f.bread.ID); got != 24 {
		t.Errorf("bread stock %d, want 24", got)
	}
}

func FuzzDecodeCheckout(f *testing.F) {
	f.Add([]byte(`{"lines":[{"product_id":"p1","quantity":2}],"buyer":{"name":"Ana","phone":"3105550101","consent":true},"payment_method":"cash"}`))
	f.Add([]byte(`{"lines":[],"buyer":{}}`))
	f.Add([]byte(`{"lines":[{"product_id":"p1","quantity":-9223372036854775808}]}`))
	f.Add([]byte(`{"x":1}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := orders.DecodeCheckout(body)
		if err != nil {
			if !errors.Is(err, errs.Invalid) {
				t.Fatalf("decode error %v is not errs.Invalid", err)
			}
			return
		}
		if err := orders.Normalize(&in, nil, false); err == nil {
			if len(in.Lines) == 0 || len(in.Lines) > orders.MaxLines {
				t.Fatalf("accepted %d lines", len(in.Lines))
			}
			for _, l := range in.Lines {
				if l.Quantity < 1 || l.ProductID == "" {
					t.Fatalf("accepted line %+v", l)
				}
			}
		} else if !errors.Is(err, errs.Invalid) {
			t.Fatalf("normalize error %v is not errs.Invalid", err)
		}
	})
}
