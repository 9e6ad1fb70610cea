package orders_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/orders/orderstest"
)

const webhookSecret = "whsec_test"

// newCardFixture is a fixture whose service takes cards through stripe-mock.
func newCardFixture(t *testing.T, opts orders.Options) *fixture {
	t.Helper()
	url := orderstest.StripeMockURL(t)
	opts.Stripe = orders.NewStripe(orders.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: webhookSecret,
		SiteURL: "http://tesoro.test", APIURL: url})
	return newFixture(t, opts)
}

func cardInput(lines ...orders.LineInput) orders.CheckoutInput {
	in := guestInput(lines...)
	in.PaymentMethod = orders.MethodCard
	return in
}

// sessionOf reads the Checkout Session an order was sent to pay with.
func (f *fixture) sessionOf(t *testing.T, orderID string) string {
	t.Helper()
	var doc struct {
		Session string `bson:"stripe_session"`
	}
	if err := f.svc.DB().Collection("orders").FindOne(t.Context(), bson.M{"_id": orderID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Session == "" {
		t.Fatalf("order %s has no Stripe session", orderID)
	}
	return doc.Session
}

// event is a Stripe event about a Checkout Session, signed at signedAt with
// secret; it returns the payload and its Stripe-Signature header.
func event(t *testing.T, id, typ string, session map[string]any, secret string, signedAt time.Time) ([]byte, string) {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion, "created": signedAt.Unix(),
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": session},
	})
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: signedAt})
	return sp.Payload, sp.Header
}

func paidSession(id string) map[string]any {
	return map[string]any{"id": id, "object": "checkout.session", "payment_status": "paid", "status": "complete",
		"payment_intent": "pi_test_123", "mode": "payment"}
}

// pay delivers a valid checkout.session.completed event for session.
func (f *fixture) pay(t *testing.T, eventID, session string) {
	t.Helper()
	payload, sig := event(t, eventID, "checkout.session.completed", paidSession(session), webhookSecret, time.Now())
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Fatalf("webhook %s: %v", eventID, err)
	}
}

func TestCardCheckout(t *testing.T) {
	f := newCardFixture(t, orders.Options{CardOrderTTL: 45 * time.Minute})
	res := place(t, f, nil, cardInput(line(f.bread, 2), line(f.arepa, 1)))
	if res.PaymentURL == "" || len(res.Orders) != 2 {
		t.Fatalf("got %d orders and payment URL %q, want 2 orders and a URL", len(res.Orders), res.PaymentURL)
	}
	wantExp := f.clock.Now().UTC().Truncate(time.Millisecond).Add(45 * time.Minute)
	session := ""
	for _, o := range res.Orders {
		stored := f.load(t, o.ID)
		if o.ExpiresAt == nil || !o.ExpiresAt.Equal(wantExp) || stored.ExpiresAt == nil || !stored.ExpiresAt.Equal(wantExp) {
			t.Errorf("order %s: got expiry %v (stored %v), want %v", o.ID, o.ExpiresAt, stored.ExpiresAt, wantExp)
		}
		if stored.PaymentURL != res.PaymentURL || stored.Status != orders.StatusPending || stored.Paid != 0 {
			t.Errorf("order %s: got %s, paid %d, URL %q; want pending, unpaid, %q", o.ID, stored.Status, stored.Paid, stored.PaymentURL, res.PaymentURL)
		}
		s := f.sessionOf(t, o.ID)
		if session != "" && s != session {
			t.Errorf("got sessions %s and %s, want one for the checkout", session, s)
		}
		session = s
	}
	if b, a := f.stock(t, f.bread.ID), f.stock(t, f.arepa.ID); b != 23 || a != 999 {
		t.Errorf("stock bread %d arepa %d, want 23 and 999 (held until paid or expired)", b, a)
	}
}

func TestStripeWebhook(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	res := place(t, f, nil, cardInput(line(f.bread, 2), line(f.arepa, 1)))
	session := f.sessionOf(t, res.Orders[0].ID)

	// check asserts every order of the checkout holds the card payments given.
	check := func(t *testing.T, step string, wantPayments int) {
		t.Helper()
		for _, o := range res.Orders {
			got := f.load(t, o.ID)
			wantPaid := int64(wantPayments) * o.Total.Amount
			if len(got.Payments) != wantPayments || got.Paid != wantPaid || got.CardPaid != wantPaid || got.IsPaid() != (wantPayments > 0) {
				t.Errorf("%s: order %s got %d payments, paid %d, card %d; want %d of %d", step, o.ID, len(got.Payments), got.Paid, got.CardPaid, wantPayments, o.Total.Amount)
				continue
			}
			for _, p := range got.Payments {
				if p.Method != orders.MethodCard || p.Amount != o.Total || p.PaymentIntent != "pi_test_123" {
					t.Errorf("%s: order %s payment %+v, want card %v with its intent", step, o.ID, p, o.Total)
				}
			}
		}
	}

	// Refused before anything is paid: nothing changes.
	badSig := []struct {
		name   string
		secret string
		at     time.Time
	}{
		{"wrong secret", "whsec_other", time.Now()},
		{"stale timestamp", webhookSecret, time.Now().Add(-webhook.DefaultTolerance - time.Minute)},
	}
	for _, tt := range badSig {
		payload, sig := event(t, "evt_bad", "checkout.session.completed", paidSession(session), tt.secret, tt.at)
		if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); !errors.Is(err, orders.ErrBadSignature) {
			t.Errorf("%s: got %v, want ErrBadSignature", tt.name, err)
		}
		check(t, tt.name, 0)
	}
	payload, sig := event(t, "evt_tampered", "checkout.session.completed", paidSession(session), webhookSecret, time.Now())
	payload[len(payload)-2] = ' '
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); !errors.Is(err, orders.ErrBadSignature) {
		t.Errorf("tampered payload: got %v, want ErrBadSignature", err)
	}
	check(t, "tampered payload", 0)

	// An unpaid completion (delayed payment methods) records nothing.
	unpaid := paidSession(session)
	unpaid["payment_status"] = "unpaid"
	payload, sig = event(t, "evt_unpaid", "checkout.session.completed", unpaid, webhookSecret, time.Now())
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Fatal(err)
	}
	check(t, "unpaid completion", 0)

	payload, sig = event(t, "evt_paid", "checkout.session.completed", paidSession(session), webhookSecret, time.Now())
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Fatal(err)
	}
	check(t, "paid", 1)
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Errorf("replay: %v", err)
	}
	check(t, "replay", 1)
	f.pay(t, "evt_paid_again", session)
	check(t, "another event for the same session", 1)

	// A paid checkout does not expire: neither by event nor by the sweeper.
	payload, sig = event(t, "evt_expired_late", "checkout.session.expired", map[string]any{"id": session, "object": "checkout.session", "status": "expired"}, webhookSecret, time.Now())
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(orders.DefaultCardOrderTTL + time.Minute)
	if _, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Orders {
		if got := f.load(t, o.ID); got.Status != orders.StatusPending {
			t.Errorf("paid order %s after expiry: got %s, want pending", o.ID, got.Status)
		}
	}
	if b, a := f.stock(t, f.bread.ID), f.stock(t, f.arepa.ID); b != 23 || a != 999 {
		t.Errorf("stock bread %d arepa %d, want 23 and 999", b, a)
	}
}

func TestStripeSessionExpired(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	res := place(t, f, nil, cardInput(line(f.bread, 2), line(f.arepa, 1)))
	session := f.sessionOf(t, res.Orders[0].ID)
	expired := map[string]any{"id": session, "object": "checkout.session", "status": "expired", "payment_status": "unpaid"}
	payload, sig := event(t, "evt_expired", "checkout.session.expired", expired, webhookSecret, time.Now())
	if err := f.svc.HandleStripeWebhook(t.Context(), payload, sig); err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Orders {
		got := f.load(t, o.ID)
		if got.Status != orders.StatusCancelled || !got.StockReleased || countTo(got, orders.StatusCancelled) != 1 {
			t.Errorf("order %s: got %s (released %v), want cancelled once with its stock back", o.ID, got.Status, got.StockReleased)
		}
	}
	if b, a := f.stock(t, f.bread.ID), f.stock(t, f.arepa.ID); b != 25 || a != 1000 {
		t.Errorf("stock bread %d arepa %d, want 25 and 1000", b, a)
	}
	// A late payment for it is still recorded (money is never dropped).
	f.pay(t, "evt_late", session)
	if got := f.load(t, res.Orders[0].ID); got.Status != orders.StatusCancelled || got.CardPaid != got.Total.Amount {
		t.Errorf("late payment: got %s with card %d, want cancelled with %d to refund", got.Status, got.CardPaid, got.Total.Amount)
	}
}

func TestSweepExpiresUnpaidCardOrders(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	unpaid := place(t, f, nil, cardInput(line(f.bread, 3))).Orders[0]
	paid := place(t, f, nil, cardInput(line(f.bread, 2))).Orders[0]
	f.pay(t, "evt_paid", f.sessionOf(t, paid.ID))
	if got := f.stock(t, f.bread.ID); got != 20 {
		t.Fatalf("bread stock %d, want 20", got)
	}
	f.clock.Add(orders.DefaultCardOrderTTL - time.Minute)
	if sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil || sw.Expired != 0 {
		t.Fatalf("sweep before expiry: got %+v %v, want nothing expired", sw, err)
	}
	f.clock.Add(2 * time.Minute)
	sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter)
	if err != nil || sw.Expired != 1 {
		t.Fatalf("sweep after expiry: got %+v %v, want one order expired", sw, err)
	}
	if got := f.load(t, unpaid.ID); got.Status != orders.StatusCancelled || !got.StockReleased {
		t.Errorf("unpaid order: got %s (released %v), want cancelled with its stock back", got.Status, got.StockReleased)
	}
	if got := f.load(t, paid.ID); got.Status != orders.StatusPending || !got.IsPaid() {
		t.Errorf("paid order: got %s (paid %v), want pending and paid", got.Status, got.IsPaid())
	}
	if got := f.stock(t, f.bread.ID); got != 23 {
		t.Errorf("bread stock %d, want 23 (the unpaid 3 back)", got)
	}
	if sw, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil || sw.Expired != 0 {
		t.Errorf("second sweep: got %+v %v, want nothing more expired", sw, err)
	}
	if got := f.stock(t, f.bread.ID); got != 23 {
		t.Errorf("bread stock %d after a second sweep, want 23", got)
	}
}

func TestCardRefund(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	o := place(t, f, nil, cardInput(line(f.arepa, 2))).Orders[0] // $ 4.000
	prod := producerOf(f.arepas)
	f.pay(t, "evt_paid", f.sessionOf(t, o.ID))

	got, err := f.svc.Refund(t.Context(), prod, o.ID, orders.RefundInput{Amount: cop(150000), Method: orders.MethodCard, Reason: "llegaron frías"}, "ref-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Refunds) != 1 || got.Refunds[0].StripeID == "" || got.Refunds[0].Method != orders.MethodCard || got.Refunds[0].Amount != cop(150000) {
		t.Fatalf("got refunds %+v, want one card refund of $ 1.500 with a Stripe id", got.Refunds)
	}
	if got.Paid != 250000 || got.CardPaid != 250000 || got.IsPaid() {
		t.Errorf("got paid %d, card %d, IsPaid %v; want 250000, 250000, false", got.Paid, got.CardPaid, got.IsPaid())
	}
	// The same request again refunds once.
	if again, err := f.svc.Refund(t.Context(), prod, o.ID, orders.RefundInput{Amount: cop(150000), Method: orders.MethodCard, Reason: "llegaron frías"}, "ref-1"); err != nil || len(again.Refunds) != 1 || again.Paid != 250000 {
		t.Errorf("retry: got %d refunds, paid %d, %v; want 1 refund and 250000", len(again.Refunds), again.Paid, err)
	}
	_, err = f.svc.Refund(t.Context(), prod, o.ID, orders.RefundInput{Amount: cop(250001), Method: orders.MethodCard}, "")
	if a := answer(err); a != "422 amount.amount" {
		t.Errorf("more than card paid: got %s (%v), want 422 amount.amount", a, err)
	}
	if got := f.load(t, o.ID); got.Paid != 250000 || got.CardPaid != 250000 || len(got.Refunds) != 1 {
		t.Errorf("after the refused refund: got paid %d, card %d, %d refunds; want unchanged", got.Paid, got.CardPaid, len(got.Refunds))
	}
}

// TestCardRefundBeyondPaidSendsNothing: when cash refunds already gave the
// card money back, a card refund is refused before Stripe is asked (a refund
// Stripe made but the order refused would be money gone unrecorded). The
// service that refunds has no reachable Stripe: asking it would fail as
// unavailable instead of invalid.
func TestCardRefundBeyondPaidSendsNothing(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	o := place(t, f, nil, cardInput(line(f.arepa, 2))).Orders[0] // $ 4.000
	prod := producerOf(f.arepas)
	f.pay(t, "evt_paid", f.sessionOf(t, o.ID))
	if _, err := f.svc.Refund(t.Context(), prod, o.ID, orders.RefundInput{Amount: cop(300000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	offline := orders.NewService(f.svc.DB(), f.cat, orders.Options{Clock: f.clock.Now,
		Stripe: orders.NewStripe(orders.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: webhookSecret, APIURL: "http://127.0.0.1:1"})})
	_, err := offline.Refund(t.Context(), prod, o.ID, orders.RefundInput{Amount: cop(200000), Method: orders.MethodCard}, "")
	if a := answer(err); a != "422 amount.amount" {
		t.Errorf("card refund beyond what is still paid: got %s (%v), want 422 amount.amount", a, err)
	}
	if got := f.load(t, o.ID); got.Paid != 100000 || got.CardPaid != 400000 || len(got.Refunds) != 1 {
		t.Errorf("got paid %d, card %d, %d refunds; want 100000, 400000, 1", got.Paid, got.CardPaid, len(got.Refunds))
	}
}

// TestShortCardOrderTTL: Stripe keeps a Checkout Session open at least 30
// minutes, so a card order must hold its stock at least that long or a
// buyer could pay for an order already cancelled and restocked.
func TestShortCardOrderTTL(t *testing.T) {
	f := newCardFixture(t, orders.Options{CardOrderTTL: 10 * time.Minute})
	o := place(t, f, nil, cardInput(line(f.bread, 1))).Orders[0]
	now := f.clock.Now().UTC().Truncate(time.Millisecond)
	if o.ExpiresAt == nil || o.ExpiresAt.Before(now.Add(30*time.Minute)) || !o.ExpiresAt.Equal(now.Add(orders.MinCardOrderTTL)) {
		t.Fatalf("got expiry %v, want %v later than %v (at least Stripe's 30 minutes)", o.ExpiresAt, orders.MinCardOrderTTL, now)
	}
	f.clock.Add(20 * time.Minute)
	if _, err := f.svc.Sweep(t.Context(), orders.DefaultRecoverAfter); err != nil {
		t.Fatal(err)
	}
	if got := f.load(t, o.ID); got.Status != orders.StatusPending {
		t.Errorf("after 20 minutes: got %s, want pending (the buyer may still pay)", got.Status)
	}
}

// Two admins paying out the same owed card money at once: one payout is
// recorded, the other refused, and the programme never owes less than zero.
func TestConcurrentPayoutsNeverExceedWhatIsOwed(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	res := place(t, f, nil, cardInput(line(f.arepa, 2)))
	f.pay(t, "evt_payout", f.sessionOf(t, res.Orders[0].ID))
	owed := res.Orders[0].Total
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, orders.PayoutInput{Amount: owed, Method: "nequi", Reference: fmt.Sprint("Nequi ", i)}, "")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	st, err := f.svc.Statement(t.Context(), admin, f.arepas.ID, "", 0)
	if ok != 1 || err != nil || st.Owed.Amount != 0 || st.Payouts != owed {
		t.Fatalf("got %d payouts recorded (%v), owed %v, paid out %v; want 1, nothing owed, %v paid out", ok, errs, st.Owed, st.Payouts, owed)
	}
}

// A payout's Idempotency-Key makes a retried request count once: the same
// payout again answers it (Replayed) even though nothing is owed any more,
// and another payout under the key is a field error.
func TestPayoutIdempotencyKey(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	res := place(t, f, nil, cardInput(line(f.arepa, 2)))
	f.pay(t, "evt_payout_key", f.sessionOf(t, res.Orders[0].ID))
	owed := res.Orders[0].Total
	in := orders.PayoutInput{Amount: owed, Method: "nequi", Reference: "Nequi 555"}
	first, err := f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, in, "llave-1")
	if err != nil || first.Replayed {
		t.Fatalf("first payout: %+v %v", first, err)
	}
	again, err := f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, in, "llave-1")
	if err != nil || !again.Replayed || again.Item.ID != first.Item.ID {
		t.Fatalf("replay: got %+v %v, want the first payout, replayed", again, err)
	}
	other := in
	other.Reference = "Nequi 556"
	if _, err := f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, other, "llave-1"); !errors.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "Idempotency-Key") {
		t.Fatalf("another payout under the key: got %v, want a field error on Idempotency-Key", err)
	}
	st, err := f.svc.Statement(t.Context(), admin, f.arepas.ID, "", 0)
	if err != nil || st.Payouts != owed {
		t.Fatalf("after the replays: paid out %v (%v), want %v, once", st.Payouts, err, owed)
	}
}
