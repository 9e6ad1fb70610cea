package orders_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/storage"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// place checks out in under a fresh Idempotency-Key, failing the test on error.
func place(t *testing.T, f *fixture, p *accounts.Principal, in orders.CheckoutInput) orders.CheckoutResult {
	t.Helper()
	r, err := f.svc.Checkout(t.Context(), p, storage.NewID(), in)
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	return decode(t, r)
}

// load reads an order as an admin.
func (f *fixture) load(t *testing.T, id string) orders.Order {
	t.Helper()
	o, err := f.svc.Order(t.Context(), admin, id, "")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// drive takes a pending order to status as an admin.
func (f *fixture) drive(t *testing.T, id, status string) {
	t.Helper()
	if status == orders.StatusCancelled {
		if _, err := f.svc.Cancel(t.Context(), admin, id, "setup", ""); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		return
	}
	steps := map[string][]string{
		orders.StatusPending:   nil,
		orders.StatusConfirmed: {orders.StatusConfirmed},
		orders.StatusReady:     {orders.StatusConfirmed, orders.StatusReady},
		orders.StatusDelivered: {orders.StatusConfirmed, orders.StatusReady, orders.StatusDelivered},
	}[status]
	for _, to := range steps {
		if _, err := f.svc.Transition(t.Context(), admin, id, to, ""); err != nil {
			t.Fatalf("setup %s: %v", to, err)
		}
	}
}

// outcome names the answer an API client would see.
func outcome(err error) string {
	switch {
	case err == nil:
		return "200"
	case errors.Is(err, errs.Conflict):
		return "409"
	case errors.Is(err, errs.Invalid):
		return "422"
	case errors.Is(err, errs.Forbidden):
		return "403"
	case errors.Is(err, errs.Unauthenticated):
		return "401"
	}
	return err.Error()
}

func countTo(o orders.Order, status string) int {
	n := 0
	for _, c := range o.History {
		if c.To == status {
			n++
		}
	}
	return n
}

func TestStateMachine(t *testing.T) {
	f := newFixture(t, orders.Options{})
	const (
		pending   = orders.StatusPending
		confirmed = orders.StatusConfirmed
		ready     = orders.StatusReady
		delivered = orders.StatusDelivered
		cancelled = orders.StatusCancelled
	)
	// "noop": allowed and answered 200, but nothing moves (cancelling twice).
	table := []struct {
		from string
		want map[string]string
	}{
		{pending, map[string]string{confirmed: "200", ready: "409", delivered: "409", cancelled: "200", pending: "422", "bogus": "422"}},
		{confirmed, map[string]string{confirmed: "409", ready: "200", delivered: "409", cancelled: "200", pending: "422", "bogus": "422"}},
		{ready, map[string]string{confirmed: "409", ready: "409", delivered: "200", cancelled: "200", pending: "422", "bogus": "422"}},
		{delivered, map[string]string{confirmed: "409", ready: "409", delivered: "409", cancelled: "409", pending: "422", "bogus": "422"}},
		{cancelled, map[string]string{confirmed: "409", ready: "409", delivered: "409", cancelled: "noop", pending: "422", "bogus": "422"}},
	}
	tos := []string{confirmed, ready, delivered, cancelled, pending, "bogus"}
	var placed []string
	for _, row := range table {
		// Refused moves change nothing, so they share one order per status;
		// each allowed move takes a fresh one.
		shared := ""
		for _, to := range tos {
			vias := []string{"Transition"}
			if to == cancelled {
				vias = append(vias, "Cancel")
			}
			for _, via := range vias {
				t.Run(fmt.Sprintf("%s to %s via %s", row.from, to, via), func(t *testing.T) {
					want := row.want[to]
					id := shared
					if id == "" || want == "200" {
						id = place(t, f, nil, guestInput(line(f.arepa, 1))).Orders[0].ID
						placed = append(placed, id)
						f.drive(t, id, row.from)
						if want != "200" {
							shared = id
						}
					}
					before := f.load(t, id)
					f.clock.Add(time.Minute)
					note := "note " + row.from + " " + to
					var got orders.Order
					var err error
					if via == "Cancel" {
						got, err = f.svc.Cancel(t.Context(), admin, id, note, "")
					} else {
						got, err = f.svc.Transition(t.Context(), admin, id, to, note)
					}
					gotOutcome := outcome(err)
					if want == "noop" {
						gotOutcome = map[bool]string{true: "noop", false: gotOutcome}[err == nil && len(got.History) == len(before.History)]
					}
					if gotOutcome != want {
						t.Fatalf("got %s (%v), want %s", gotOutcome, err, want)
					}
					stored := f.load(t, id)
					switch want {
					case "200":
						if got.Status != to || stored.Status != to {
							t.Errorf("got status %s, stored %s, want %s", got.Status, stored.Status, to)
						}
						if len(stored.History) != len(before.History)+1 {
							t.Fatalf("history has %d entries, want %d", len(stored.History), len(before.History)+1)
						}
						last := stored.History[len(stored.History)-1]
						wantChange := orders.Change{At: f.clock.Now().UTC().Truncate(time.Millisecond), ActorID: admin.UserID, From: row.from, To: to, Note: note}
						if !last.At.Equal(wantChange.At) || last.ActorID != wantChange.ActorID || last.From != wantChange.From ||
							last.To != wantChange.To || last.Note != wantChange.Note {
							t.Errorf("got history entry %+v, want %+v", last, wantChange)
						}
					default:
						if stored.Status != row.from || len(stored.History) != len(before.History) {
							t.Errorf("got status %s with %d history entries, want %s with %d (unchanged)",
								stored.Status, len(stored.History), row.from, len(before.History))
						}
					}
				})
			}
		}
	}
	// Every order took one arepa; the cancelled ones gave it back.
	live := int64(0)
	for _, id := range placed {
		if f.load(t, id).Status != cancelled {
			live++
		}
	}
	if got, want := f.stock(t, f.arepa.ID), 1000-live; got != want {
		t.Errorf("arepa stock %d, want %d (%d orders placed, %d not cancelled)", got, want, len(placed), live)
	}
}

func TestWhoDrivesOrders(t *testing.T) {
	f := newFixture(t, orders.Options{})
	buyer := &accounts.Principal{UserID: "buyer-1", Roles: []string{accounts.RoleBuyer}}
	tests := []struct {
		name string
		p    *accounts.Principal
		want string
	}{
		{"producer of the initiative", producerOf(f.bakery), "200"},
		{"admin", admin, "200"},
		{"producer of another initiative", producerOf(f.arepas), "403"},
		{"adviser of the initiative", adviserOf(f.bakery), "403"},
		{"buyer who placed it", buyer, "403"},
		{"anonymous", nil, "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := place(t, f, buyer, guestInput(line(f.coffee, 1)))
			id := res.Orders[0].ID
			_, err := f.svc.Transition(t.Context(), tt.p, id, orders.StatusConfirmed, "")
			if got := outcome(err); got != tt.want {
				t.Fatalf("confirm: got %s (%v), want %s", got, err, tt.want)
			}
			wantStatus := orders.StatusPending
			if tt.want == "200" {
				wantStatus = orders.StatusConfirmed
			}
			if got := f.load(t, id).Status; got != wantStatus {
				t.Errorf("after confirm: got status %s, want %s", got, wantStatus)
			}
			// Cancelling a confirmed order: only those who drive it.
			if tt.want != "200" {
				f.drive(t, id, orders.StatusConfirmed)
			}
			wantCancel := tt.want
			if tt.p == buyer {
				wantCancel = "409" // the buyer may cancel, but only before confirmation
			}
			_, err = f.svc.Cancel(t.Context(), tt.p, id, "", "")
			if got := outcome(err); got != wantCancel {
				t.Fatalf("cancel: got %s (%v), want %s", got, err, wantCancel)
			}
			wantStatus = orders.StatusConfirmed
			if wantCancel == "200" {
				wantStatus = orders.StatusCancelled
			}
			if got := f.load(t, id).Status; got != wantStatus {
				t.Errorf("after cancel: got status %s, want %s", got, wantStatus)
			}
		})
	}
}

func TestBuyerCancels(t *testing.T) {
	f := newFixture(t, orders.Options{})
	buyer := &accounts.Principal{UserID: "buyer-1", Roles: []string{accounts.RoleBuyer}}
	other := &accounts.Principal{UserID: "buyer-2", Roles: []string{accounts.RoleBuyer}}
	tests := []struct {
		name      string
		placedBy  *accounts.Principal
		confirm   bool
		p         *accounts.Principal
		withToken bool
		token     string
		want      string
	}{
		{"signed-in buyer, pending", buyer, false, buyer, false, "", "200"},
		{"guest with the token, pending", nil, false, nil, true, "", "200"},
		{"guest with a wrong token", nil, false, nil, false, "wrong", "401"},
		{"another signed-in buyer", buyer, false, other, false, "", "403"},
		{"another signed-in buyer without the guest's token", nil, false, other, false, "", "403"},
		{"signed-in buyer, confirmed", buyer, true, buyer, false, "", "409"},
		{"guest with the token, confirmed", nil, true, nil, true, "", "409"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := place(t, f, tt.placedBy, guestInput(line(f.bread, 1)))
			id := res.Orders[0].ID
			if tt.confirm {
				f.drive(t, id, orders.StatusConfirmed)
			}
			before := f.load(t, id)
			token := tt.token
			if tt.withToken {
				token = res.Token
			}
			got, err := f.svc.Cancel(t.Context(), tt.p, id, "changed my mind", token)
			if o := outcome(err); o != tt.want {
				t.Fatalf("got %s (%v), want %s", o, err, tt.want)
			}
			stored := f.load(t, id)
			if tt.want != "200" {
				if stored.Status != before.Status || len(stored.History) != len(before.History) {
					t.Errorf("got %s with %d history entries, want %s with %d (unchanged)", stored.Status, len(stored.History), before.Status, len(before.History))
				}
				return
			}
			last := stored.History[len(stored.History)-1]
			wantActor := ""
			if tt.p != nil {
				wantActor = tt.p.UserID
			}
			if got.Status != orders.StatusCancelled || last.To != orders.StatusCancelled || last.ActorID != wantActor || last.Note != "changed my mind" {
				t.Errorf("got status %s, last change %+v; want cancelled by %q with the reason", got.Status, last, wantActor)
			}
		})
	}
	// Two of the seven orders were cancelled.
	if got := f.stock(t, f.bread.ID); got != 25-5 {
		t.Errorf("bread stock %d, want %d", got, 25-5)
	}
}

func TestCancelRestocksOnce(t *testing.T) {
	f := newFixture(t, orders.Options{})
	res := place(t, f, nil, guestInput(line(f.bread, 3), line(f.coffee, 1)))
	id := res.Orders[0].ID
	if got := f.stock(t, f.bread.ID); got != 22 {
		t.Fatalf("bread stock after the order %d, want 22", got)
	}
	for i := range 2 {
		if _, err := f.svc.Cancel(t.Context(), producerOf(f.bakery), id, "no flour", ""); err != nil {
			t.Fatalf("cancel %d: got %v, want 200", i+1, err)
		}
		if got := f.stock(t, f.bread.ID); got != 25 {
			t.Errorf("after cancel %d: bread stock %d, want 25", i+1, got)
		}
	}
	if o := f.load(t, id); countTo(o, orders.StatusCancelled) != 1 || !o.StockReleased {
		t.Errorf("got %d cancelled entries, stock released %v; want 1 and true", countTo(o, orders.StatusCancelled), o.StockReleased)
	}

	t.Run("concurrent", func(t *testing.T) {
		res := place(t, f, nil, guestInput(line(f.bread, 4)))
		id := res.Orders[0].ID
		if got := f.stock(t, f.bread.ID); got != 21 {
			t.Fatalf("bread stock after the order %d, want 21", got)
		}
		who := []struct {
			p     *accounts.Principal
			token string
		}{{admin, ""}, {producerOf(f.bakery), ""}, {nil, res.Token}}
		const n = 10
		errc := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := who[i%len(who)]
				o, err := f.svc.Cancel(t.Context(), w.p, id, "duplicate tap", w.token)
				if err == nil && o.Status != orders.StatusCancelled {
					err = fmt.Errorf("answered status %s", o.Status)
				}
				errc[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errc {
			if err != nil {
				t.Errorf("cancel %d: got %v, want 200 and cancelled", i, err)
			}
		}
		if got := f.stock(t, f.bread.ID); got != 25 {
			t.Errorf("bread stock %d, want 25 (given back once)", got)
		}
		if o := f.load(t, id); countTo(o, orders.StatusCancelled) != 1 || !o.StockReleased {
			t.Errorf("got %d cancelled entries, stock released %v; want 1 and true", countTo(o, orders.StatusCancelled), o.StockReleased)
		}
	})
}

func TestCancelMadeToOrderReleasesNothing(t *testing.T) {
	f := newFixture(t, orders.Options{})
	res := place(t, f, nil, guestInput(line(f.coffee, 2), line(f.bread, 1)))
	o := res.Orders[0]
	if len(o.Lines) != 2 || o.Lines[0].Reserved || !o.Lines[1].Reserved {
		t.Fatalf("got lines %+v, want an unreserved coffee then a reserved bread", o.Lines)
	}
	// The coffee starts keeping stock after the order: cancelling must not
	// add the 2 cups the order never took.
	keep := false
	if _, err := f.cat.UpdateProduct(t.Context(), accounts.System, f.coffee.ID, catalog.ProductUpdate{MadeToOrder: &keep}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.AdjustStock(t.Context(), accounts.System, f.coffee.ID, 10, "counted the cups", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(t.Context(), producerOf(f.bakery), o.ID, "", ""); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if got := f.stock(t, f.coffee.ID); got != 10 {
		t.Errorf("coffee stock %d, want 10 (the made-to-order line took nothing)", got)
	}
	if got := f.stock(t, f.bread.ID); got != 25 {
		t.Errorf("bread stock %d, want 25", got)
	}
	if _, err := f.cat.StockMoveByKey(t.Context(), "release:"+o.ID+":1"); !errors.Is(err, errs.NotFound) {
		t.Errorf("release move of the coffee line: got %v, want not found", err)
	}
	if m, err := f.cat.StockMoveByKey(t.Context(), "release:"+o.ID+":2"); err != nil || m.Delta != 1 {
		t.Errorf("release move of the bread line: got %+v %v, want +1", m, err)
	}
}

// An order nobody confirms or pays stops holding its stock after the
// pending TTL: a stranger cannot keep a product sold out (item 3 of the
// security review: an anonymous order for the whole stock held it forever).
func TestUnconfirmedOrdersExpire(t *testing.T) {
	f := newFixture(t, orders.Options{PendingOrderTTL: 48 * time.Hour})
	now := f.clock.Now().UTC().Truncate(time.Millisecond)
	hoard := place(t, f, nil, guestInput(line(f.bread, 25))).Orders[0]
	if hoard.ExpiresAt == nil || !hoard.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("the order's expiry: %v, want %v", hoard.ExpiresAt, now.Add(48*time.Hour))
	}
	if _, err := f.svc.Checkout(t.Context(), nil, "real-buyer", guestInput(line(f.bread, 1))); !errors.As(err, new(*orders.ShortError)) {
		t.Fatalf("a real buyer while the stock is held: %v, want short", err)
	}
	kept := place(t, f, nil, guestInput(line(f.arepa, 2))).Orders[0]
	if _, err := f.svc.Transition(t.Context(), producerOf(f.arepas), kept.ID, orders.StatusConfirmed, ""); err != nil {
		t.Fatal(err)
	}
	paid := place(t, f, nil, guestInput(line(f.arepa, 1))).Orders[0]
	if _, err := f.svc.RecordPayment(t.Context(), producerOf(f.arepas), paid.ID, orders.PaymentInput{Amount: money.Pesos(2000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(47 * time.Hour)
	if _, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil {
		t.Fatal(err)
	}
	if o := f.load(t, hoard.ID); o.Status != orders.StatusPending {
		t.Fatalf("before its expiry: %s, want pending", o.Status)
	}
	f.clock.Add(2 * time.Hour)
	sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter)
	if err != nil {
		t.Fatal(err)
	}
	if o := f.load(t, hoard.ID); o.Status != orders.StatusCancelled || sw.Expired != 1 {
		t.Fatalf("after its expiry: %s (%d expired), want cancelled, one", o.Status, sw.Expired)
	}
	if got := f.stock(t, f.bread.ID); got != 25 {
		t.Fatalf("stock after the expiry: %d, want the 25 back", got)
	}
	for _, o := range []orders.Order{f.load(t, kept.ID), f.load(t, paid.ID)} {
		if o.Status == orders.StatusCancelled || o.ExpiresAt != nil {
			t.Errorf("order %s (confirmed or paid): %s, expires %v; want kept, no expiry", o.ID, o.Status, o.ExpiresAt)
		}
	}
	if _, err := f.svc.Checkout(t.Context(), nil, "real-buyer-2", guestInput(line(f.bread, 1))); err != nil {
		t.Fatalf("a real buyer after the expiry: %v", err)
	}
}

// A buyer's name keeps no control or bidi characters (item 11 of the
// security review).
func TestBuyerNameIsCleaned(t *testing.T) {
	f := newFixture(t, orders.Options{})
	in := guestInput(line(f.bread, 1))
	in.Buyer.Name = "Luz\x00 \u202EMarina\a"
	o := place(t, f, nil, in).Orders[0]
	if got := f.load(t, o.ID).Buyer.Name; got != "Luz Marina" {
		t.Fatalf("stored buyer %q, want %q", got, "Luz Marina")
	}
}
