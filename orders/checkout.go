package orders

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Bounds of one checkout.
const (
	MaxLines    = 30
	MaxQuantity = 1000
)

// CheckoutInput is the body of POST /api/v1/orders.
type CheckoutInput struct {
	Lines         []LineInput `json:"lines"`
	Buyer         BuyerInput  `json:"buyer"`
	PaymentMethod string      `json:"payment_method"`
	Channel       string      `json:"channel,omitempty"`
	FairID        string      `json:"fair_id,omitempty"`
	// Client names the device that sent the checkout (its address and
	// user agent, from the frontend); a replay of its Idempotency-Key by
	// another client gets the receipt without the guest's token and contact.
	Client string `json:"-"`
}

// LineInput asks for a quantity of one product.
type LineInput struct {
	ProductID string `json:"product_id"`
	Quantity  int64  `json:"quantity"`
}

// BuyerInput is who orders; guests must consent to their data being kept.
type BuyerInput struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email,omitempty"`
	Consent bool   `json:"consent"`
}

// ShortLine is a line the stock cannot cover.
type ShortLine struct {
	ProductID string `json:"product_id"`
	Requested int64  `json:"requested"`
	Available int64  `json:"available"`
}

// ShortError is the conflict of a checkout whose stock ran out; nothing was
// reserved.
type ShortError struct{ Lines []ShortLine }

func (e *ShortError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = fmt.Sprintf("%s: %d requested, %d available", l.ProductID, l.Requested, l.Available)
	}
	return "not enough stock: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(e, errs.Conflict) true.
func (e *ShortError) Is(target error) bool { return target == errs.Conflict }

// Receipt is the stored answer to a checkout: a replay returns it byte for byte.
type Receipt struct {
	Body     []byte
	Replayed bool
}

// CheckoutResult is the JSON of a successful checkout.
type CheckoutResult struct {
	CheckoutID string  `json:"checkout_id"`
	Orders     []Order `json:"orders"`
	PaymentURL string  `json:"payment_url,omitempty"`
	// Token lets a guest read these orders later (GET /api/v1/orders/{id}?token=).
	Token string `json:"token"`
}

// normalize cleans the input and reports every invalid field.
func (in *CheckoutInput) normalize(p *accounts.Principal, cardEnabled bool) error {
	var f errs.Fields
	if len(in.Lines) == 0 {
		f.Add("lines", errs.CodeRequired, "add at least one product")
	}
	if len(in.Lines) > MaxLines {
		f.Add("lines", errs.CodeTooMany, fmt.Sprintf("at most %d products per order", MaxLines), "max", MaxLines)
	}
	// The same product twice becomes one line.
	merged := make([]LineInput, 0, len(in.Lines))
	at := map[string]int{}
	for i, l := range in.Lines {
		l.ProductID = strings.TrimSpace(l.ProductID)
		field := "lines[" + strconv.Itoa(i) + "]"
		if l.ProductID == "" || len(l.ProductID) > 64 {
			f.Add(field+".product_id", errs.CodeRequired, "is required")
			continue
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			f.Add(field+".quantity", errs.CodeOutOfRange, fmt.Sprintf("must be a whole number from 1 to %d", MaxQuantity), "min", 1, "max", MaxQuantity)
			continue
		}
		if j, ok := at[l.ProductID]; ok {
			merged[j].Quantity += l.Quantity
			continue
		}
		at[l.ProductID] = len(merged)
		merged = append(merged, l)
	}
	// The bound holds for what is ordered, so it is checked after merging:
	// thirty lines of 1 000 of one product are one line of 30 000.
	for i, l := range merged {
		if l.Quantity > MaxQuantity {
			f.Add("lines["+strconv.Itoa(i)+"].quantity", errs.CodeOutOfRange, fmt.Sprintf("must be a whole number from 1 to %d (the lines of one product add up)", MaxQuantity), "min", 1, "max", MaxQuantity)
		}
	}
	in.Lines = merged
	b := &in.Buyer
	b.Name, b.Phone, b.Email = clean.Line(b.Name), clean.Line(b.Phone), clean.Line(strings.ToLower(b.Email))
	if n := utf8.RuneCountInString(b.Name); n < 2 || n > 100 {
		f.Add("buyer.name", errs.CodeOutOfRange, "must have 2 to 100 characters", "min", 2, "max", 100)
	}
	if !colombia.Phone(b.Phone) {
		f.Add("buyer.phone", errs.CodeInvalid, colombia.PhoneRule)
	}
	if b.Email != "" && (len(b.Email) > 254 || !strings.Contains(b.Email, "@")) {
		f.Add("buyer.email", errs.CodeInvalid, "must be a valid email address")
	}
	if p == nil && !b.Consent {
		f.Add("buyer.consent", errs.CodeRequired, "must be true: we keep your name and phone to deliver the order")
	}
	switch in.PaymentMethod {
	case MethodCash, MethodTransfer, MethodNequi:
	case MethodCard:
		if !cardEnabled {
			f.Add("payment_method", errs.CodeUnavailable, "card payments are not available")
		}
	default:
		f.Add("payment_method", errs.CodeUnknown, "must be cash, transfer, nequi or card")
	}
	switch in.Channel {
	case "":
		in.Channel = ChannelOnline
	case ChannelOnline, ChannelFair, ChannelPhone:
	default:
		f.Add("channel", errs.CodeUnknown, "must be online, fair or phone")
	}
	in.FairID = strings.TrimSpace(in.FairID)
	if len(in.FairID) > 64 {
		f.Add("fair_id", errs.CodeTooLong, "must have at most 64 characters", "max", 64)
	}
	return f.Err()
}

// DecodeCheckout reads a checkout body strictly (unknown fields are errors).
func DecodeCheckout(body []byte) (CheckoutInput, error) {
	var in CheckoutInput
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var f errs.Fields
		f.Add("body", errs.CodeInvalid, "must be a JSON checkout: "+err.Error())
		return in, f.Err()
	}
	if dec.More() {
		var f errs.Fields
		f.Add("body", errs.CodeInvalid, "must hold one JSON object")
		return in, f.Err()
	}
	return in, nil
}

// Checkout places one order per initiative for the lines of in, reserving
// stock line by line. key is the client's Idempotency-Key: the same key with
// the same input returns the first answer again; with other input it is
// errs.Invalid.
func (s *Service) Checkout(ctx context.Context, p *accounts.Principal, key string, in CheckoutInput) (Receipt, error) {
	if err := in.normalize(p, s.CardEnabled()); err != nil {
		return Receipt{}, err
	}
	products, err := s.products(ctx, in.Lines)
	if err != nil {
		return Receipt{}, err
	}
	userID := ""
	if p != nil {
		userID = p.UserID
	}
	canonical, _ := json.Marshal(struct {
		User string
		In   CheckoutInput
	}{userID, in})
	sum := sha256.Sum256(canonical)
	client := sha256.Sum256([]byte(in.Client))
	claim, prior, err := s.claimKey(ctx, key, hex.EncodeToString(sum[:]), hex.EncodeToString(client[:16]))
	if err != nil || prior != nil {
		return derefReceipt(prior), err
	}
	orders := s.split(in, products, userID, claim)
	body, err := s.place(ctx, orders, claim)
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Body: body}, nil
}

func derefReceipt(r *Receipt) Receipt {
	if r == nil {
		return Receipt{}
	}
	return *r
}

// products reads every line's product from its document (by _id), never
// from the public snapshot: whether a line reserves stock is decided on the
// document it reserves against, not on a copy up to a second old.
func (s *Service) products(ctx context.Context, lines []LineInput) ([]catalog.Product, error) {
	out := make([]catalog.Product, len(lines))
	var f errs.Fields
	for i, l := range lines {
		pr, err := s.catalog.Product(ctx, l.ProductID)
		if errors.Is(err, errs.NotFound) || (err == nil && !pr.Active) {
			f.Add("lines["+strconv.Itoa(i)+"].product_id", errs.CodeNotFound, "is not a product on sale")
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = pr
	}
	return out, f.Err()
}

// split groups the lines by initiative, in the order they came, with prices
// copied from the catalog.
func (s *Service) split(in CheckoutInput, products []catalog.Product, userID string, c claimRecord) []Order {
	now := s.now()
	var orders []Order
	at := map[string]int{}
	for i, l := range in.Lines {
		pr := products[i]
		j, ok := at[pr.InitiativeID]
		if !ok {
			j = len(orders)
			at[pr.InitiativeID] = j
			o := Order{
				ID: storage.NewID(), CheckoutID: c.CheckoutID, InitiativeID: pr.InitiativeID, Initiative: pr.InitiativeName,
				Status: StatusReserving, Total: money.Money{Currency: pr.Price.Currency},
				Buyer:         Buyer{UserID: userID, Name: in.Buyer.Name, Phone: in.Buyer.Phone, Email: in.Buyer.Email},
				PaymentMethod: in.PaymentMethod, Channel: in.Channel, FairID: in.FairID,
				Payments: []Payment{}, Refunds: []Refund{}, History: []Change{},
				CreatedAt: now, UpdatedAt: now, StockReleased: true, TokenHash: hashToken(c.Token),
			}
			exp := now.Add(s.pendingTTL)
			if in.PaymentMethod == MethodCard {
				exp = now.Add(s.cardOrderTTL)
			}
			o.ExpiresAt = &exp
			orders = append(orders, o)
		}
		o := &orders[j]
		line := Line{ID: strconv.Itoa(len(o.Lines) + 1), ProductID: pr.ID, Name: pr.Name, Unit: pr.Unit,
			Quantity: l.Quantity, UnitPrice: pr.Price, Subtotal: pr.Price.Times(l.Quantity), Reserved: pr.Stock != nil}
		o.Lines = append(o.Lines, line)
		o.Total = o.Total.Add(line.Subtotal)
	}
	for i := range orders {
		orders[i].CheckoutSize = len(orders)
	}
	return orders
}

// checkoutDoc is a checkout: its orders and its lease. Without transactions,
// the lease decides who finishes a checkout: the checkout takes it (stores
// the document with lease true) before its first write, and whoever turns
// it off — the checkout when done, or the sweeper when the checkout is older
// than RecoverAfter — alone moves the orders out of "reserving".
type checkoutDoc struct {
	ID        string    `bson:"_id"`
	Key       string    `bson:"key"`
	Orders    []string  `bson:"orders"`
	Lease     bool      `bson:"lease"`
	CreatedAt time.Time `bson:"created_at"`
}

// checkoutEntry is a checkout under way, in the open set.
type checkoutEntry struct {
	Key       string    `bson:"key"`
	CreatedAt time.Time `bson:"created_at"`
}

// place stores the orders, reserves their stock, lists them and records the
// answer. Every write filters on _id (the embedded database answers those
// without scanning a collection).
func (s *Service) place(ctx context.Context, orders []Order, c claimRecord) ([]byte, error) {
	now := c.CreatedAt
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	if _, err := s.checkouts.InsertOne(ctx, checkoutDoc{ID: c.CheckoutID, Key: c.Key, Orders: ids, Lease: true, CreatedAt: now}); err != nil {
		return nil, storage.Err("checkout", err) // the sweeper frees the key (its day lists it)
	}
	docs := make([]any, len(orders))
	for i := range orders {
		docs[i] = orders[i]
	}
	if _, err := s.orders.InsertMany(ctx, docs); err != nil {
		return nil, storage.Err("orders", err) // the sweeper removes what got in
	}
	var reserved []reservation
	for oi, o := range orders {
		for li, l := range o.Lines {
			if !l.Reserved {
				continue
			}
			_, err := s.catalog.ApplyStockMove(ctx, catalog.StockMove{Key: l.reserveKey(o.ID), ProductID: l.ProductID,
				InitiativeID: o.InitiativeID, Delta: -l.Quantity, Kind: catalog.MoveReservation, Ref: o.ID, Reason: "order " + o.ID})
			if errors.Is(err, catalog.ErrNotEnoughStock) {
				short := s.shortLines(ctx, orders, oi, li)
				s.rollBack(ctx, c, orders, reserved)
				return nil, &ShortError{Lines: short}
			}
			if err != nil {
				// The move may or may not have happened: the sweeper decides
				// once stock recovery has settled it.
				return nil, err
			}
			reserved = append(reserved, reservation{o.ID, l})
			if err := s.hook("reserved"); err != nil {
				return nil, err
			}
		}
	}
	paymentURL := ""
	if orders[0].PaymentMethod == MethodCard {
		id, url, err := s.stripe.createSession(ctx, c, orders, *orders[0].ExpiresAt)
		if err != nil {
			s.rollBack(ctx, c, orders, reserved)
			return nil, fmt.Errorf("card payment: %w: %w", errs.Unavailable, err)
		}
		paymentURL = url
		for i := range orders {
			orders[i].StripeSession, orders[i].PaymentURL = id, url
		}
		// Webhooks name the session; this finds its checkout by _id even
		// when an event carries no client_reference_id.
		if _, err := s.db.Collection("stripe_sessions").InsertOne(ctx, bson.M{"_id": id, "checkout_id": c.CheckoutID}); err != nil && !storage.IsDuplicateKey(err) {
			s.rollBack(ctx, c, orders, reserved)
			return nil, storage.Err("stripe session", err)
		}
	}
	won, err := s.takeLease(ctx, c.CheckoutID)
	if err != nil {
		return nil, err
	}
	if !won {
		// The sweeper judged this checkout abandoned and decides its fate;
		// a retry with the same key gets that outcome.
		return nil, fmt.Errorf("checkout %s took too long: %w", c.CheckoutID, errs.Unavailable)
	}
	if err := s.hook("decided"); err != nil {
		return nil, err
	}
	now = s.now()
	for i, o := range orders {
		after, err := s.confirmReserved(ctx, o, now, true)
		if err != nil {
			return nil, err
		}
		orders[i] = after
		if err := s.hook("listed"); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(CheckoutResult{CheckoutID: c.CheckoutID, Orders: orders, PaymentURL: paymentURL, Token: c.Token})
	if err != nil {
		return nil, err
	}
	if err := s.hook("answered"); err != nil {
		return nil, err
	}
	if err := s.completeKey(ctx, c, body); err != nil {
		s.log.WarnContext(ctx, "idempotency record not completed; the sweeper will", "checkout", c.CheckoutID, "err", err)
		return body, nil
	}
	s.checkoutDone(ctx, c.CheckoutID)
	return body, nil
}

// checkoutDone takes a finished checkout off the sweeper's list; if this
// write fails the sweeper finds everything done and does it.
func (s *Service) checkoutDone(ctx context.Context, checkoutID string) {
	if err := s.open.Remove(context.WithoutCancel(ctx), checkoutID); err != nil {
		s.log.WarnContext(ctx, "checkout not marked done; the sweeper will", "checkout", checkoutID, "err", err)
	}
}

// takeLease turns a checkout's lease off; true when this caller did and so
// decides the checkout.
func (s *Service) takeLease(ctx context.Context, checkoutID string) (bool, error) {
	res, err := s.checkouts.UpdateOne(ctx, bson.M{"_id": checkoutID, "lease": true}, bson.M{"$set": bson.M{"lease": false}})
	if err != nil {
		return false, storage.Err("checkout lease", err)
	}
	return res.ModifiedCount == 1, nil
}

func pendingChange(o Order, now time.Time) Change {
	return Change{At: now, ActorID: o.Buyer.UserID, To: StatusPending}
}

// confirmReserved moves a reserved order to pending and lists it: its
// histories first (the keys go into the same write as the status), then its
// board, then — for a card order — the unpaid set whose expiry the sweeper
// watches. Only the lease's holder calls it; fresh says the order was never
// listed (the checkout itself), so its history entries need no search.
func (s *Service) confirmReserved(ctx context.Context, o Order, now time.Time, fresh bool) (Order, error) {
	o.Status, o.UpdatedAt = StatusPending, now
	o.History = append(o.History, pendingChange(o, now))
	sum := o.Summary()
	if fresh {
		o.FeedInitiative, o.FeedBuyer = "", ""
	}
	var err error
	if o.FeedInitiative, err = s.appendFeed(ctx, initiativeFeed(o.InitiativeID), o.FeedInitiative, o.ID, sum, fresh); err != nil {
		return o, err
	}
	set := bson.M{"status": StatusPending, "updated_at": now, "feed_initiative": o.FeedInitiative}
	if o.Buyer.UserID != "" {
		if o.FeedBuyer, err = s.appendFeed(ctx, buyerFeed(o.Buyer.UserID), o.FeedBuyer, o.ID, sum, fresh); err != nil {
			return o, err
		}
		set["feed_buyer"] = o.FeedBuyer
	}
	if o.StripeSession != "" {
		set["stripe_session"], set["payment_url"] = o.StripeSession, o.PaymentURL
	}
	if err := s.expecting(ctx, o); err != nil {
		return o, err
	}
	if _, err := s.orders.UpdateOne(ctx, bson.M{"_id": o.ID},
		bson.M{"$set": set, "$push": bson.M{"history": pendingChange(o, now)}}); err != nil {
		return o, storage.Err("order "+o.ID, err)
	}
	return o, s.boards(o.InitiativeID).Add(ctx, o.ID, sum)
}

// appendFeed lists sum in owner's history: straight at the head when fresh,
// else where it already is (a decider after a crash) or at the head.
func (s *Service) appendFeed(ctx context.Context, owner, key, id string, sum Summary, fresh bool) (string, error) {
	if fresh {
		return s.feeds.Append(ctx, owner, id, sum)
	}
	return s.indexFeed(ctx, owner, key, id, sum)
}

type reservation struct {
	orderID string
	line    Line
}

// shortLines lists the line that failed and every later line the current
// stock cannot cover, without reserving them.
func (s *Service) shortLines(ctx context.Context, orders []Order, oi, li int) []ShortLine {
	var out []ShortLine
	for i := oi; i < len(orders); i++ {
		for j, l := range orders[i].Lines {
			if (i == oi && j < li) || !l.Reserved {
				continue
			}
			pr, err := s.catalog.Product(ctx, l.ProductID)
			avail := int64(0)
			if err == nil && pr.Stock != nil {
				avail = *pr.Stock
			}
			if i == oi && j == li || avail < l.Quantity {
				out = append(out, ShortLine{ProductID: l.ProductID, Requested: l.Quantity, Available: avail})
			}
		}
	}
	return out
}

// rollBack gives back what this checkout reserved, marks its orders failed
// and frees the idempotency key for a later try, if it still holds the
// lease; otherwise the sweeper does (releases are keyed, so both may try).
func (s *Service) rollBack(ctx context.Context, c claimRecord, orders []Order, reserved []reservation) {
	for _, r := range reserved {
		if err := s.release(ctx, r.orderID, r.line); err != nil {
			s.log.WarnContext(ctx, "release failed; the sweeper will retry", "order", r.orderID, "err", err)
			return
		}
	}
	won, err := s.takeLease(ctx, c.CheckoutID)
	if err != nil || !won {
		return
	}
	now := s.now()
	for _, o := range orders {
		if _, err := s.orders.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"status": StatusFailed, "updated_at": now}}); err != nil {
			s.log.WarnContext(ctx, "order not marked failed", "order", o.ID, "err", err)
			return // the sweeper finds the checkout not done and settles it
		}
	}
	if _, err := s.keys(c.CreatedAt).DeleteOne(ctx, bson.M{"_id": c.Key}); err != nil { // claimed by this checkout, not completed
		return
	}
	s.checkoutDone(ctx, c.CheckoutID)
}

// release gives a line's units back, at most once.
func (s *Service) release(ctx context.Context, orderID string, l Line) error {
	_, err := s.catalog.ApplyStockMove(ctx, catalog.StockMove{Key: l.releaseKey(orderID), ProductID: l.ProductID,
		Delta: l.Quantity, Kind: catalog.MoveCancellation, Ref: orderID, Reason: "order " + orderID})
	if errors.Is(err, errs.Conflict) {
		return nil // released before, or the product no longer keeps stock
	}
	return err
}

func newToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
