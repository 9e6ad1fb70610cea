package orders

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Defaults of Options.
const (
	DefaultCardOrderTTL = time.Hour
	// DefaultPendingOrderTTL is how long an order no producer confirmed
	// (and nobody paid) holds its stock before it is cancelled.
	DefaultPendingOrderTTL = 48 * time.Hour
	// MinPendingOrderTTL and MaxPendingOrderTTL bound PendingOrderTTL.
	MinPendingOrderTTL = time.Hour
	MaxPendingOrderTTL = 30 * 24 * time.Hour
	// DefaultRecoverAfter is how old an unfinished step must be before the
	// sweeper takes it over (longer than any live request runs).
	DefaultRecoverAfter = time.Minute
	// MinCardOrderTTL and MaxCardOrderTTL bound CardOrderTTL to the life
	// of a Stripe Checkout Session.
	MinCardOrderTTL = 32 * time.Minute
	MaxCardOrderTTL = 23 * time.Hour
)

// Options tune the service; zero values take the defaults.
type Options struct {
	Clock func() time.Time // default time.Now
	// CardOrderTTL is how long an unpaid card order holds its stock, from
	// MinCardOrderTTL to MaxCardOrderTTL (outside, the nearest bound).
	CardOrderTTL time.Duration
	// PendingOrderTTL is how long an unpaid order that no producer has
	// confirmed holds its stock (default DefaultPendingOrderTTL): a stranger
	// cannot keep a product sold out.
	PendingOrderTTL time.Duration
	// Stripe enables card payments; nil offers none.
	Stripe *Stripe
	Logger *slog.Logger
	// Count is told of every order after each change of it (and again
	// after a crash cut its listing): the sales counters. It must be
	// idempotent; nil counts nothing.
	Count func(ctx context.Context, changed []Order) error
}

// Service is the orders API for the rest of the program.
type Service struct {
	orders       *mongo.Collection
	db           *mongo.Database
	checkouts    *mongo.Collection
	events       *mongo.Collection
	boards       func(initiativeID string) storage.WorkSet[Summary]
	open         storage.WorkSet[checkoutEntry]
	unconfirmed  storage.WorkSet[time.Time]
	work         storage.Set[time.Time]
	feeds        storage.Feed[Summary]
	ledgers      storage.Feed[ledgerEntry]
	credits      storage.Set[Summary]
	payouts      *mongo.Collection
	count        func(context.Context, []Order) error
	payoutKeys   *mongo.Collection
	catalog      *catalog.Service
	stripe       *Stripe
	clock        func() time.Time
	cardOrderTTL time.Duration
	pendingTTL   time.Duration
	log          *slog.Logger
	// hook lets tests stop a checkout between steps, as a crash would.
	hook func(step string) error
}

// NewService wires orders to its collections in db (orders, checkouts,
// idempotency_keys_<day>, stripe_events, payouts, payout_keys, order_board_<initiative>, order_feeds,
// order_work, open_checkouts, order_credits) and to the catalog whose stock it reserves.
func NewService(db *mongo.Database, cat *catalog.Service, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.CardOrderTTL <= 0 {
		opts.CardOrderTTL = DefaultCardOrderTTL
	}
	// Stripe keeps a Checkout Session open 30 minutes to 24 hours, and
	// createSession asks for 31 minutes to 23 hours: within these bounds the
	// session expires with its orders, so no order expires while its session
	// still takes the money, nor holds stock long after nobody can pay.
	opts.CardOrderTTL = min(max(opts.CardOrderTTL, MinCardOrderTTL), MaxCardOrderTTL)
	if opts.PendingOrderTTL <= 0 {
		opts.PendingOrderTTL = DefaultPendingOrderTTL
	}
	opts.PendingOrderTTL = min(max(opts.PendingOrderTTL, MinPendingOrderTTL), MaxPendingOrderTTL)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{
		orders:       db.Collection("orders"),
		db:           db,
		checkouts:    db.Collection("checkouts"),
		events:       db.Collection("stripe_events"),
		boards:       storage.WorkSetFamily[Summary](db, "order_board_"),
		open:         storage.NewWorkSet[checkoutEntry](db.Collection("open_checkouts")),
		unconfirmed:  storage.NewWorkSet[time.Time](db.Collection("order_unconfirmed")),
		work:         storage.NewSet[time.Time](db.Collection("order_work")),
		feeds:        storage.NewFeed[Summary](db.Collection("order_feeds"), summariesPerBucket),
		ledgers:      storage.NewCountedFeed(db.Collection("order_ledgers"), ledgerPerBucket, ledgerTally),
		credits:      storage.NewSet[Summary](db.Collection("order_credits")),
		payouts:      db.Collection("payouts"),
		payoutKeys:   db.Collection("payout_keys"),
		catalog:      cat,
		stripe:       opts.Stripe,
		clock:        opts.Clock,
		cardOrderTTL: opts.CardOrderTTL,
		pendingTTL:   opts.PendingOrderTTL,
		log:          opts.Logger,
		hook:         func(string) error { return nil },
		count:        opts.Count,
	}
}

// counted tells the counters of changed orders.
func (s *Service) counted(ctx context.Context, changed ...Order) error {
	if s.count == nil || len(changed) == 0 {
		return nil
	}
	return s.count(ctx, changed)
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// CardEnabled reports whether buyers may pay by card.
func (s *Service) CardEnabled() bool { return s.stripe != nil }

// EnsureIndexes creates the package's indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	idx := func(keys bson.D) mongo.IndexModel { return mongo.IndexModel{Keys: keys} }
	// Orders, checkouts, idempotency records, processed Stripe events,
	// payouts, boards, feeds, ledgers and working sets are all read by _id.
	_ = idx
	return nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CanManage: the initiative's producers and admins drive its orders and
// record money.
func CanManage(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.MemberOf(initiativeID)
}

// CanView: the buyer (signed in, or holding the checkout's token), the
// initiative's producers and advisers, admins.
func CanView(p *accounts.Principal, o Order, token string) bool {
	return accounts.CanSeeInitiativePrivate(p, o.InitiativeID) || isBuyer(p, o, token)
}

// isBuyer: the signed-in buyer who placed o, or whoever holds its checkout token.
func isBuyer(p *accounts.Principal, o Order, token string) bool {
	if p != nil && o.Buyer.UserID != "" && o.Buyer.UserID == p.UserID {
		return true
	}
	return token != "" && o.TokenHash != "" &&
		subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(o.TokenHash)) == 1
}

func denied(p *accounts.Principal, what string) error {
	if p == nil {
		return fmt.Errorf("%s: %w", what, errs.Unauthenticated)
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

// load reads an order whatever its state (the sweeper's view).
func (s *Service) load(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.orders.FindOne(ctx, bson.M{"_id": id}).Decode(&o)
	return o, storage.Err("order "+id, err)
}

// get reads an order, hiding the internal states.
func (s *Service) get(ctx context.Context, id string) (Order, error) {
	o, err := s.load(ctx, id)
	if err == nil && (o.Status == StatusReserving || o.Status == StatusFailed) {
		err = fmt.Errorf("order %s: %w", id, errs.NotFound)
	}
	return o, err
}

// Order returns one order to who may see it; token is a guest's checkout token.
func (s *Service) Order(ctx context.Context, p *accounts.Principal, id, token string) (Order, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !CanView(p, o, token) {
		if p == nil {
			// The same answer as for an order that does not exist: ids are
			// time-ordered, and a 401 would let a stranger count a
			// producer's orders.
			return Order{}, fmt.Errorf("order %s: %w", id, errs.NotFound)
		}
		return Order{}, fmt.Errorf("order %s: %w", id, errs.Forbidden)
	}
	return o, nil
}

// checkoutOrders reads every order a checkout stored, whatever their state.
func (s *Service) checkoutOrders(ctx context.Context, checkoutID string) (checkoutDoc, []Order, error) {
	var c checkoutDoc
	if err := s.checkouts.FindOne(ctx, bson.M{"_id": checkoutID}).Decode(&c); err != nil {
		return c, nil, storage.Err("checkout "+checkoutID, err)
	}
	var out []Order
	for _, id := range c.Orders {
		o, err := s.load(ctx, id)
		if errors.Is(err, errs.NotFound) {
			continue // the checkout stopped before inserting it
		}
		if err != nil {
			return c, nil, err
		}
		out = append(out, o)
	}
	return c, out, nil
}

// CheckoutOrders returns the orders of one checkout the caller may see.
func (s *Service) CheckoutOrders(ctx context.Context, p *accounts.Principal, checkoutID, token string) ([]Order, error) {
	_, all, err := s.checkoutOrders(ctx, checkoutID)
	if err != nil && !errors.Is(err, errs.NotFound) {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(o Order) bool { return o.Status == StatusReserving || o.Status == StatusFailed })
	var out []Order
	for _, o := range all {
		if CanView(p, o, token) {
			out = append(out, o)
		}
	}
	if len(out) == 0 { // to a stranger, the same answer whether the checkout exists or not
		return nil, fmt.Errorf("checkout %s: %w", checkoutID, errs.NotFound)
	}
	return out, nil
}

// ListFilter selects a page of orders, newest first.
type ListFilter struct {
	Status string // "" for every visible status
	Cursor string // the Next of the previous page
	Limit  int    // ≤ 0: DefaultListLimit
}

// ListPage is a page of order summaries, newest first; Next is "" at the end.
type ListPage struct {
	Items []Summary `json:"items"`
	Next  string    `json:"next_cursor,omitempty"`
}

// DefaultListLimit is the page size when none is asked for.
const DefaultListLimit = 50

var visible = []string{StatusPending, StatusConfirmed, StatusReady, StatusDelivered, StatusCancelled}

func (f *ListFilter) check() error {
	if f.Status != "" && !validStatus(f.Status) {
		var fe errs.Fields
		fe.Add("status", errs.CodeUnknown, "must be one of pending, confirmed, ready, delivered, cancelled")
		return fe.Err()
	}
	if f.Limit <= 0 {
		f.Limit = DefaultListLimit
	}
	return nil
}

func validStatus(st string) bool { return slices.Contains(visible, st) }

// InitiativeOrders lists an initiative's orders to its producers, advisers
// and admins: the live statuses from its board, the rest from its history.
func (s *Service) InitiativeOrders(ctx context.Context, p *accounts.Principal, initiativeID string, f ListFilter) (ListPage, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return ListPage{}, denied(p, "orders of initiative "+initiativeID)
	}
	if err := f.check(); err != nil {
		return ListPage{}, err
	}
	if onBoard(f.Status) {
		return s.boardPage(ctx, initiativeID, f)
	}
	return s.feedPage(ctx, initiativeFeed(initiativeID), f)
}

// BuyerOrders lists the orders a signed-in buyer placed.
func (s *Service) BuyerOrders(ctx context.Context, p *accounts.Principal, f ListFilter) (ListPage, error) {
	if p == nil {
		return ListPage{}, denied(p, "orders")
	}
	if err := f.check(); err != nil {
		return ListPage{}, err
	}
	return s.feedPage(ctx, buyerFeed(p.UserID), f)
}

// boardPage pages through one status of the board; the cursor is the last id.
func (s *Service) boardPage(ctx context.Context, initiativeID string, f ListFilter) (ListPage, error) {
	m, err := s.boards(initiativeID).Members(ctx)
	if err != nil {
		return ListPage{}, err
	}
	var all []Summary
	for _, o := range m {
		if o.Status == f.Status && (f.Cursor == "" || o.ID < f.Cursor) {
			all = append(all, o)
		}
	}
	slices.SortFunc(all, func(a, b Summary) int { return strings.Compare(b.ID, a.ID) })
	page := ListPage{Items: all}
	if len(all) > f.Limit {
		page.Items = all[:f.Limit]
		page.Next = all[f.Limit-1].ID
	}
	if page.Items == nil {
		page.Items = []Summary{}
	}
	return page, nil
}

func (s *Service) feedPage(ctx context.Context, owner string, f ListFilter) (ListPage, error) {
	var keep func(Summary) bool
	if f.Status != "" {
		keep = func(o Summary) bool { return o.Status == f.Status }
	}
	p, err := s.feeds.Page(ctx, owner, f.Cursor, f.Limit, keep)
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Items: make([]Summary, len(p.Items)), Next: p.Next}
	for i, e := range p.Items {
		page.Items[i] = e.Value
	}
	return page, nil
}

// AnonymizeBuyer blanks the contact data of a deleted account's orders (found
// through the buyer's history); the orders stay, for the producers' books.
func (s *Service) AnonymizeBuyer(ctx context.Context, userID string) error {
	if userID == "" {
		return nil
	}
	var ids []string
	err := s.feeds.Buckets(ctx, buyerFeed(userID), func(_ string, entries map[string]Summary) bool {
		for id := range entries {
			ids = append(ids, id)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.changing(ctx, id); err != nil {
			return err
		}
		var after Order
		err := s.orders.FindOneAndUpdate(ctx, bson.M{"_id": id},
			bson.M{"$set": bson.M{"buyer.name": "—", "buyer.phone": "", "buyer.email": ""}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
		if err != nil {
			return storage.Err("order "+id, err)
		}
		if err := s.reindexed(ctx, after); err != nil {
			return err
		}
	}
	return nil
}
