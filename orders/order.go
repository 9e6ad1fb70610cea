package orders

import (
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/money"
)

// Order statuses. "reserving" is internal: the checkout has not finished
// taking stock yet, and no buyer has been told about the order.
const (
	StatusReserving = "reserving"
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
	StatusReady     = "ready"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
	// StatusFailed is a checkout rolled back (not enough stock after a crash,
	// or interrupted); its stock is back and it is never shown.
	StatusFailed = "failed"
)

// Payment methods. Buyers choose cash, transfer, nequi or card at checkout;
// producers record cash, transfer and nequi; card comes only from Stripe.
const (
	MethodCash     = "cash"
	MethodTransfer = "transfer"
	MethodNequi    = "nequi"
	MethodCard     = "card"
	// MethodCredit is a sale on credit (fiado): delivered now, paid later
	// through the payment route, by DueOn.
	MethodCredit = "credit"
)

// Sales channels.
const (
	ChannelOnline = "online"
	ChannelFair   = "fair"
	ChannelPhone  = "phone"
)

// Order is what one initiative sells to one buyer in one checkout.
type Order struct {
	ID         string `bson:"_id" json:"id"`
	CheckoutID string `bson:"checkout_id" json:"checkout_id"`
	// CheckoutSize is how many orders the checkout placed (one per initiative).
	CheckoutSize  int         `bson:"checkout_size" json:"-"`
	InitiativeID  string      `bson:"initiative_id" json:"initiative_id"`
	Initiative    string      `bson:"initiative_name" json:"initiative_name"`
	Status        string      `bson:"status" json:"status"`
	Lines         []Line      `bson:"lines" json:"lines"`
	Total         money.Money `bson:"total" json:"total"`
	Buyer         Buyer       `bson:"buyer" json:"buyer"`
	PaymentMethod string      `bson:"payment_method" json:"payment_method"`
	Channel       string      `bson:"channel" json:"channel"`
	FairID        string      `bson:"fair_id,omitempty" json:"fair_id,omitempty"`
	// FairTable is the fair's shared table (caja común) the sale was made at.
	FairTable string `bson:"fair_table,omitempty" json:"fair_table,omitempty"`
	// DueOn is when a sale on credit is to be paid (YYYY-MM-DD, Bogotá).
	DueOn string `bson:"due_on,omitempty" json:"due_on,omitempty"`
	// Flags mark a sale recorded after the fact for review: it sold more
	// than the fair held (over_brought) or at a price other than the
	// catalog's (price_changed).
	Flags []string `bson:"flags,omitempty" json:"flags,omitempty"`
	// Paid is the money received less refunds, in Total's currency.
	Paid int64 `bson:"paid" json:"paid"`
	// CardPaid is the part of Paid that came by card (refundable through Stripe).
	CardPaid  int64      `bson:"card_paid" json:"card_paid"`
	Payments  []Payment  `bson:"payments" json:"payments"`
	Refunds   []Refund   `bson:"refunds" json:"refunds"`
	History   []Change   `bson:"history" json:"history"`
	CreatedAt time.Time  `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time  `bson:"updated_at" json:"updated_at"`
	ExpiresAt *time.Time `bson:"expires_at,omitempty" json:"expires_at,omitempty"`
	// StockReleased is false from the moment an order is cancelled until its
	// units are back in stock; the sweeper finishes the job after a crash.
	StockReleased bool `bson:"stock_released" json:"-"`
	// StripeSession is the Checkout Session paying for the whole checkout.
	StripeSession string `bson:"stripe_session,omitempty" json:"-"`
	PaymentURL    string `bson:"payment_url,omitempty" json:"-"`
	// TokenHash lets a guest read the orders of their checkout.
	TokenHash string `bson:"token_hash,omitempty" json:"-"`
	// FeedInitiative and FeedBuyer are the history buckets holding the
	// order's summary (see feeds.go).
	FeedInitiative string `bson:"feed_initiative,omitempty" json:"-"`
	FeedBuyer      string `bson:"feed_buyer,omitempty" json:"-"`
}

// IsPaid reports whether the money received covers the total.
// Ref is the short reference people say on the phone: "#" and the last six
// characters of the id, upper-cased.
func Ref(id string) string {
	return "#" + strings.ToUpper(id[max(0, len(id)-6):])
}

func (o Order) IsPaid() bool { return o.Paid >= o.Total.Amount && o.Total.Amount > 0 }

// Outstanding is what is still to be paid.
func (o Order) Outstanding() int64 { return max(0, o.Total.Amount-o.Paid) }

// Line is one product in an order, its price fixed when the order was placed.
type Line struct {
	ID        string      `bson:"id" json:"id"`
	ProductID string      `bson:"product_id" json:"product_id"`
	Name      string      `bson:"name" json:"name"`
	Unit      string      `bson:"unit" json:"unit"`
	Quantity  int64       `bson:"quantity" json:"quantity"`
	UnitPrice money.Money `bson:"unit_price" json:"unit_price"`
	Subtotal  money.Money `bson:"subtotal" json:"subtotal"`
	// Reserved is true when the product keeps stock and this line took some
	// (made-to-order products reserve nothing).
	Reserved bool `bson:"reserved" json:"reserved"`
}

// reserveKey and releaseKey make a line's stock moves happen at most once.
func (l Line) reserveKey(orderID string) string { return "reserve:" + orderID + ":" + l.ID }
func (l Line) releaseKey(orderID string) string { return "release:" + orderID + ":" + l.ID }

// Buyer is who placed the order; UserID is empty for a guest.
type Buyer struct {
	UserID string `bson:"user_id,omitempty" json:"user_id,omitempty"`
	Name   string `bson:"name" json:"name"`
	Phone  string `bson:"phone" json:"phone"`
	Email  string `bson:"email,omitempty" json:"email,omitempty"`
}

// Change is one step of an order's history.
type Change struct {
	At      time.Time `bson:"at" json:"recorded_at"`
	ActorID string    `bson:"actor_id,omitempty" json:"recorded_by,omitempty"`
	From    string    `bson:"from" json:"from"`
	To      string    `bson:"to" json:"to"`
	Note    string    `bson:"note,omitempty" json:"note,omitempty"`
}

// Payment is money received for an order.
type Payment struct {
	ID         string      `bson:"id" json:"id"`
	Amount     money.Money `bson:"amount" json:"amount"`
	Method     string      `bson:"method" json:"method"`
	PaidAt     time.Time   `bson:"paid_at" json:"paid_at"`
	RecordedAt time.Time   `bson:"recorded_at" json:"recorded_at"`
	RecordedBy string      `bson:"recorded_by,omitempty" json:"recorded_by,omitempty"`
	// Key makes a payment count once (a Stripe session, a retried form).
	Key           string `bson:"key,omitempty" json:"-"`
	PaymentIntent string `bson:"payment_intent,omitempty" json:"-"`
}

// Refund is money given back.
type Refund struct {
	ID         string      `bson:"id" json:"id"`
	Amount     money.Money `bson:"amount" json:"amount"`
	Method     string      `bson:"method" json:"method"`
	Reason     string      `bson:"reason,omitempty" json:"reason,omitempty"`
	At         time.Time   `bson:"at" json:"recorded_at"`
	RecordedBy string      `bson:"recorded_by,omitempty" json:"recorded_by,omitempty"`
	Key        string      `bson:"key,omitempty" json:"-"`
	StripeID   string      `bson:"stripe_id,omitempty" json:"stripe_id,omitempty"`
}

// next lists the transitions producers drive; cancelling is separate.
var next = map[string]string{
	StatusPending:   StatusConfirmed,
	StatusConfirmed: StatusReady,
	StatusReady:     StatusDelivered,
}

// CanMove reports whether an order may go from one status to another.
func CanMove(from, to string) bool {
	if to == StatusCancelled {
		return from == StatusPending || from == StatusConfirmed || from == StatusReady
	}
	return next[from] == to
}

// Next is the status a producer moves an order to with one tap ("" at the end).
func Next(status string) string { return next[status] }
