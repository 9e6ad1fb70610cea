package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/stripe/stripe-go/v76"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// PaymentInput is money a producer received by hand.
type PaymentInput struct {
	Amount money.Money `json:"amount"`
	Method string      `json:"method"`
	// PaidAt back-dates the payment (default now).
	PaidAt *time.Time `json:"paid_at,omitempty"`
}

// RefundInput is money given back to the buyer.
type RefundInput struct {
	Amount money.Money `json:"amount"`
	Method string      `json:"method"` // card goes through Stripe; cash, transfer, nequi are recorded
	Reason string      `json:"reason"`
}

var live = []string{StatusPending, StatusConfirmed, StatusReady, StatusDelivered}

// RecordPayment adds cash, transfer or Nequi money to an order; partial
// payments add up and the order is paid when they cover the total. A key
// (the request's Idempotency-Key, optional) makes a retried form count once.
func (s *Service) RecordPayment(ctx context.Context, p *accounts.Principal, id string, in PaymentInput, key string) (Order, error) {
	r, err := s.Pay(ctx, p, id, in, key)
	return r.Order, err
}

// Recorded is a payment or refund recorded on an order: the order after it,
// the item itself, and whether it was recorded before under the same
// Idempotency-Key (a replay, which changed nothing).
type Recorded[T any] struct {
	Order    Order
	Item     T
	Replayed bool
}

// Pay is RecordPayment answering the payment: a replay of its key with the
// same payment answers it again (Replayed); with another payment it is 422.
func (s *Service) Pay(ctx context.Context, p *accounts.Principal, id string, in PaymentInput, key string) (Recorded[Payment], error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Recorded[Payment]{}, err
	}
	if !CanManage(p, o.InitiativeID) {
		return Recorded[Payment]{}, denied(p, "order "+id)
	}
	now := s.now()
	var f errs.Fields
	checkAmount(&f, in.Amount, o.Total.Currency)
	if in.Method != MethodCash && in.Method != MethodTransfer && in.Method != MethodNequi {
		f.Add("method", errs.CodeUnknown, "must be cash, transfer or nequi")
	}
	paidAt := now
	if in.PaidAt != nil {
		paidAt = in.PaidAt.UTC().Truncate(time.Millisecond)
		if paidAt.After(now.Add(24*time.Hour)) || paidAt.Before(o.CreatedAt.AddDate(0, 0, -30)) {
			f.Add("paid_at", errs.CodeOutOfRange, "must be from 30 days before the order to tomorrow at the latest")
		}
	}
	if err := f.Err(); err != nil {
		return Recorded[Payment]{}, err
	}
	pay := Payment{ID: storage.NewID(), Amount: in.Amount, Method: in.Method, PaidAt: paidAt, RecordedAt: now, RecordedBy: p.UserID}
	if key != "" {
		pay.Key = "manual:" + key
	}
	after, err := s.addPayment(ctx, o, pay, false)
	if errors.Is(err, errs.Conflict) {
		cur, gerr := s.get(ctx, id)
		switch {
		case gerr != nil:
			return Recorded[Payment]{}, gerr
		case pay.Key != "" && hasPayment(cur, pay.Key):
			prior := keyed(cur.Payments, func(x Payment) string { return x.Key }, pay.Key)
			if prior.Amount != pay.Amount || prior.Method != pay.Method || (in.PaidAt != nil && !prior.PaidAt.Equal(pay.PaidAt)) {
				var f errs.Fields
				f.Add("Idempotency-Key", errs.CodeTaken, "was already used for another payment: use a new key for a new payment")
				return Recorded[Payment]{}, f.Err()
			}
			return Recorded[Payment]{Order: cur, Item: prior, Replayed: true}, nil
		case !slices.Contains(live, cur.Status):
			return Recorded[Payment]{}, fmt.Errorf("order %s is %s: %w", id, cur.Status, errs.Conflict)
		default:
			f.Add("amount.amount", errs.CodeTooMuch, fmt.Sprintf("is more than the %s still owed", money.Money{Amount: cur.Outstanding(), Currency: cur.Total.Currency}))
			return Recorded[Payment]{}, f.Err()
		}
	}
	return Recorded[Payment]{Order: after, Item: pay}, err
}

// MaxAmount bounds any one amount of money recorded (minor units: ten
// billion pesos), so that sums of them cannot overflow.
const MaxAmount = 1_000_000_000_000

func checkAmount(f *errs.Fields, m money.Money, currency string) {
	if m.Amount <= 0 || m.Amount > MaxAmount {
		f.Add("amount.amount", errs.CodeOutOfRange, "must be more than 0 and at most 10.000.000.000 pesos", "min", 1, "max", MaxAmount)
	}
	if m.Currency != currency {
		f.Add("amount.currency", errs.CodeInvalid, "must be "+currency)
	}
}

// keyed finds the item of list whose key is key (it is there: the caller checked).
func keyed[T any](list []T, keyOf func(T) string, key string) T {
	for _, x := range list {
		if keyOf(x) == key {
			return x
		}
	}
	var zero T
	return zero
}

func hasPayment(o Order, key string) bool {
	for _, p := range o.Payments {
		if p.Key == key {
			return true
		}
	}
	return false
}

func hasRefund(o Order, key string) bool {
	for _, r := range o.Refunds {
		if r.Key == key {
			return true
		}
	}
	return false
}

// addPayment pushes pay onto the order in one guarded update: the order is
// live (or any status for card money, which must be recorded whatever
// happened meanwhile), the payment fits what is owed, and its key is new.
func (s *Service) addPayment(ctx context.Context, o Order, pay Payment, card bool) (Order, error) {
	guard := bson.M{"_id": o.ID}
	inc := bson.M{"paid": pay.Amount.Amount}
	if card {
		inc["card_paid"] = pay.Amount.Amount
	} else {
		guard["status"] = bson.M{"$in": live}
		guard["paid"] = bson.M{"$lte": o.Total.Amount - pay.Amount.Amount}
	}
	if pay.Key != "" {
		guard["payments.key"] = bson.M{"$ne": pay.Key}
	}
	if err := s.changing(ctx, o.ID); err != nil {
		return Order{}, err
	}
	var after Order
	// Money received: the order no longer expires.
	err := s.orders.FindOneAndUpdate(ctx, guard,
		bson.M{"$push": bson.M{"payments": pay}, "$inc": inc, "$set": bson.M{"updated_at": s.now()}, "$unset": bson.M{"expires_at": ""}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Order{}, fmt.Errorf("payment on order %s: %w", o.ID, errs.Conflict)
	}
	if err != nil {
		return Order{}, storage.Err("order "+o.ID, err)
	}
	if err := s.appendLedger(ctx, o.InitiativeID, pay.ID, paymentEntry(after, pay)); err != nil {
		return after, err
	}
	if err := s.expected(ctx, o); err != nil {
		return after, err
	}
	return after, s.reindexed(ctx, after)
}

// Refund gives money back: card refunds go through Stripe (with a key that
// makes a retry refund once), others are recorded as paid out by hand.
func (s *Service) Refund(ctx context.Context, p *accounts.Principal, id string, in RefundInput, key string) (Order, error) {
	r, err := s.RefundOrder(ctx, p, id, in, key)
	return r.Order, err
}

// RefundOrder is Refund answering the refund: a replay of its key with the
// same refund answers it again (Replayed); with another refund it is 422.
func (s *Service) RefundOrder(ctx context.Context, p *accounts.Principal, id string, in RefundInput, key string) (Recorded[Refund], error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Recorded[Refund]{}, err
	}
	if !CanManage(p, o.InitiativeID) {
		return Recorded[Refund]{}, denied(p, "order "+id)
	}
	var f errs.Fields
	checkAmount(&f, in.Amount, o.Total.Currency)
	in.Reason = clean.Text(in.Reason)
	if utf8.RuneCountInString(in.Reason) > 300 {
		f.Add("reason", errs.CodeTooLong, "must have at most 300 characters", "max", 300)
	}
	switch in.Method {
	case MethodCash, MethodTransfer, MethodNequi:
	case MethodCard:
		if s.stripe == nil {
			f.Add("method", errs.CodeUnavailable, "card payments are not enabled")
		}
	default:
		f.Add("method", errs.CodeUnknown, "must be card, cash, transfer or nequi")
	}
	if err := f.Err(); err != nil {
		return Recorded[Refund]{}, err
	}
	if key == "" {
		key = storage.NewID()
	}
	ref := Refund{ID: storage.NewID(), Amount: in.Amount, Method: in.Method, Reason: in.Reason, At: s.now(), RecordedBy: p.UserID, Key: "refund:" + key}
	replay := func(cur Order) (Recorded[Refund], error) {
		prior := keyed(cur.Refunds, func(x Refund) string { return x.Key }, ref.Key)
		if prior.Amount != ref.Amount || prior.Method != ref.Method {
			var f errs.Fields
			f.Add("Idempotency-Key", errs.CodeTaken, "was already used for another refund: use a new key for a new refund")
			return Recorded[Refund]{}, f.Err()
		}
		return Recorded[Refund]{Order: cur, Item: prior, Replayed: true}, nil
	}
	if hasRefund(o, ref.Key) {
		return replay(o)
	}
	guard := bson.M{"_id": o.ID, "paid": bson.M{"$gte": in.Amount.Amount}, "refunds.key": bson.M{"$ne": ref.Key}}
	inc := bson.M{"paid": -in.Amount.Amount}
	if in.Method == MethodCard {
		intent := cardIntent(o)
		// Checked before Stripe is asked: a refund Stripe made that the
		// guarded update then refused would be money gone unrecorded.
		if intent == "" || o.CardPaid < in.Amount.Amount || o.Paid < in.Amount.Amount {
			f.Add("amount.amount", errs.CodeTooMuch, "is more than the card payments of this order")
			return Recorded[Refund]{}, f.Err()
		}
		if ref.StripeID, err = s.stripe.refund(ctx, intent, in.Amount.Amount, o.ID+":"+ref.Key); err != nil {
			return Recorded[Refund]{}, fmt.Errorf("card refund: %w: %w", errs.Unavailable, err)
		}
		guard["card_paid"] = bson.M{"$gte": in.Amount.Amount}
		inc["card_paid"] = -in.Amount.Amount
	}
	if err := s.changing(ctx, o.ID); err != nil {
		return Recorded[Refund]{}, err
	}
	var after Order
	err = s.orders.FindOneAndUpdate(ctx, guard,
		bson.M{"$push": bson.M{"refunds": ref}, "$inc": inc, "$set": bson.M{"updated_at": s.now()}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if errors.Is(err, mongo.ErrNoDocuments) {
		cur, gerr := s.get(ctx, id)
		if gerr == nil && hasRefund(cur, ref.Key) {
			return replay(cur)
		}
		f.Add("amount.amount", errs.CodeTooMuch, "is more than what was paid for this order")
		return Recorded[Refund]{}, f.Err()
	}
	if err != nil {
		return Recorded[Refund]{}, storage.Err("order "+id, err)
	}
	if err := s.appendLedger(ctx, o.InitiativeID, ref.ID, refundEntry(after, ref)); err != nil {
		return Recorded[Refund]{Order: after, Item: ref}, err
	}
	return Recorded[Refund]{Order: after, Item: ref}, s.reindexed(ctx, after)
}

func cardIntent(o Order) string {
	for _, p := range o.Payments {
		if p.Method == MethodCard && p.PaymentIntent != "" {
			return p.PaymentIntent
		}
	}
	return ""
}

// HandleStripeWebhook verifies and applies one Stripe event. An event seen
// before does nothing; each payment is also keyed by its Checkout Session,
// so even an event applied but not yet recorded cannot count twice.
func (s *Service) HandleStripeWebhook(ctx context.Context, payload []byte, signature string) error {
	if s.stripe == nil {
		return fmt.Errorf("card payments are not enabled: %w", errs.NotFound)
	}
	ev, err := s.stripe.verify(payload, signature)
	if err != nil {
		return err
	}
	n, err := s.events.CountDocuments(ctx, bson.M{"_id": ev.ID})
	if err != nil {
		return storage.Err("stripe event", err)
	}
	if n > 0 {
		return nil // a replay
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return fmt.Errorf("stripe event %s: %w", ev.ID, errs.Invalid)
		}
		if cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid {
			if err := s.cardPaid(ctx, cs); err != nil {
				return err
			}
		}
	case "checkout.session.expired":
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return fmt.Errorf("stripe event %s: %w", ev.ID, errs.Invalid)
		}
		orders, err := s.sessionOrders(ctx, cs)
		if err != nil {
			return err
		}
		if err := s.cancelUnpaid(ctx, orders, "card payment expired"); err != nil {
			return err
		}
	}
	_, err = s.events.InsertOne(ctx, bson.M{"_id": ev.ID, "type": string(ev.Type), "at": s.now()})
	if storage.IsDuplicateKey(err) {
		return nil
	}
	return storage.Err("stripe event", err)
}

// cardPaid records a completed Checkout Session as card payments of its
// orders, whatever their status: money received is never dropped (a
// cancelled order's payment is then refunded).
func (s *Service) cardPaid(ctx context.Context, cs stripe.CheckoutSession) error {
	orders, err := s.sessionOrders(ctx, cs)
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		return fmt.Errorf("stripe session %s: no orders: %w", cs.ID, errs.NotFound)
	}
	intent := ""
	if cs.PaymentIntent != nil {
		intent = cs.PaymentIntent.ID
	}
	now := s.now()
	for _, o := range orders {
		pay := Payment{ID: storage.NewID(), Amount: o.Total, Method: MethodCard, PaidAt: now, RecordedAt: now,
			Key: "stripe:" + cs.ID, PaymentIntent: intent}
		if _, err := s.addPayment(ctx, o, pay, true); err != nil && !errors.Is(err, errs.Conflict) {
			return err
		}
		if o.Status == StatusCancelled || o.Status == StatusFailed {
			s.log.WarnContext(ctx, "card payment for a cancelled order: refund it", "order", o.ID)
		}
	}
	return nil
}

// sessionOrders are the orders a Checkout Session pays for: those of the
// checkout it names (ClientReferenceID) that carry its id.
func (s *Service) sessionOrders(ctx context.Context, cs stripe.CheckoutSession) ([]Order, error) {
	checkoutID := cs.ClientReferenceID
	if checkoutID == "" {
		checkoutID = cs.Metadata["checkout_id"]
	}
	if checkoutID == "" {
		var link struct {
			CheckoutID string `bson:"checkout_id"`
		}
		err := s.db.Collection("stripe_sessions").FindOne(ctx, bson.M{"_id": cs.ID}).Decode(&link)
		if err := storage.Err("stripe session "+cs.ID, err); err != nil && !errors.Is(err, errs.NotFound) {
			return nil, err
		}
		checkoutID = link.CheckoutID
	}
	if checkoutID == "" {
		return nil, nil
	}
	_, all, err := s.checkoutOrders(ctx, checkoutID)
	if errors.Is(err, errs.NotFound) {
		return nil, nil
	}
	return slices.DeleteFunc(all, func(o Order) bool { return o.StripeSession != cs.ID }), err
}

// cancelUnpaid cancels those of orders that are pending card orders nobody
// paid, giving their stock back.
func (s *Service) cancelUnpaid(ctx context.Context, orders []Order, reason string) error {
	for _, o := range orders {
		if o.Status != StatusPending || o.Paid != 0 {
			continue
		}
		after, err := s.move(ctx, o, bson.M{"status": StatusPending, "paid": 0}, StatusCancelled, "", reason, bson.M{"stock_released": false})
		if errors.Is(err, errs.Conflict) {
			continue // paid or moved meanwhile
		}
		if err != nil {
			return err
		}
		if err := s.releaseOrder(ctx, after); err != nil {
			return err
		}
	}
	return nil
}
