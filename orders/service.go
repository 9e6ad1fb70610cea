package orders

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
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
	// Stripe enables card payments; nil offers none.
	Stripe *Stripe
	Logger *slog.Logger
}

// Service is the orders API for the rest of the program.
type Service struct {
	orders       *mongo.Collection
	idem         *mongo.Collection
	leases       *mongo.Collection
	events       *mongo.Collection
	payouts      *mongo.Collection
	catalog      *catalog.Service
	stripe       *Stripe
	clock        func() time.Time
	cardOrderTTL time.Duration
	log          *slog.Logger
	// hook lets tests stop a checkout between steps, as a crash would.
	hook func(step string) error
}

// NewService wires orders to its collections in db (orders, idempotency_keys,
// checkout_leases, stripe_events, payouts) and to the catalog whose stock it reserves.
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
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{
		orders:       db.Collection("orders"),
		idem:         db.Collection("idempotency_keys"),
		leases:       db.Collection("checkout_leases"),
		events:       db.Collection("stripe_events"),
		payouts:      db.Collection("payouts"),
		catalog:      cat,
		stripe:       opts.Stripe,
		clock:        opts.Clock,
		cardOrderTTL: opts.CardOrderTTL,
		log:          opts.Logger,
		hook:         func(string) error { return nil },
	}
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// CardEnabled reports whether buyers may pay by card.
func (s *Service) CardEnabled() bool { return s.stripe != nil }

// EnsureIndexes creates the package's indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	idx := func(keys bson.D) mongo.IndexModel { return mongo.IndexModel{Keys: keys} }
	if err := storage.EnsureIndexes(ctx, s.orders,
		idx(bson.D{{Key: "checkout_id", Value: 1}}),
		idx(bson.D{{Key: "initiative_id", Value: 1}, {Key: "_id", Value: -1}}),
		idx(bson.D{{Key: "buyer.user_id", Value: 1}}),
		idx(bson.D{{Key: "status", Value: 1}})); err != nil {
		return err
	}
	// Idempotency records and processed Stripe events are keyed by _id,
	// unique by nature; payouts by initiative.
	return storage.EnsureIndexes(ctx, s.payouts, idx(bson.D{{Key: "initiative_id", Value: 1}}))
}

// NewID returns a new, time-ordered record id.
func NewID() string { return primitive.NewObjectID().Hex() }

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

// get reads an order, hiding the internal states.
func (s *Service) get(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.orders.FindOne(ctx, bson.M{"_id": id}).Decode(&o)
	if err == nil && (o.Status == StatusReserving || o.Status == StatusFailed) {
		err = mongo.ErrNoDocuments
	}
	return o, storage.Err("order "+id, err)
}

// Order returns one order to who may see it; token is a guest's checkout token.
func (s *Service) Order(ctx context.Context, p *accounts.Principal, id, token string) (Order, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !CanView(p, o, token) {
		if p == nil {
			return Order{}, denied(p, "order "+id)
		}
		return Order{}, fmt.Errorf("order %s: %w", id, errs.Forbidden)
	}
	return o, nil
}

// CheckoutOrders returns the orders of one checkout the caller may see.
func (s *Service) CheckoutOrders(ctx context.Context, p *accounts.Principal, checkoutID, token string) ([]Order, error) {
	all, err := s.find(ctx, bson.M{"checkout_id": checkoutID, "status": bson.M{"$nin": []string{StatusReserving, StatusFailed}}}, 0)
	if err != nil {
		return nil, err
	}
	var out []Order
	for _, o := range all {
		if CanView(p, o, token) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		if len(all) > 0 && p == nil && token == "" {
			return nil, denied(p, "checkout "+checkoutID)
		}
		return nil, fmt.Errorf("checkout %s: %w", checkoutID, errs.NotFound)
	}
	return out, nil
}

// ListFilter selects a page of orders, newest first.
type ListFilter struct {
	Status string // "" for every visible status
	Before string // cursor: the last id of the previous page
	Limit  int
}

var visible = []string{StatusPending, StatusConfirmed, StatusReady, StatusDelivered, StatusCancelled}

func (f ListFilter) query(q bson.M) (bson.M, error) {
	switch {
	case f.Status == "":
		q["status"] = bson.M{"$in": visible}
	case f.Status == StatusReserving || f.Status == StatusFailed || !validStatus(f.Status):
		var fe errs.Fields
		fe.Add("status", "must be one of pending, confirmed, ready, delivered, cancelled")
		return nil, fe.Err()
	default:
		q["status"] = f.Status
	}
	if f.Before != "" {
		q["_id"] = bson.M{"$lt": f.Before}
	}
	return q, nil
}

func validStatus(st string) bool {
	for _, v := range visible {
		if v == st {
			return true
		}
	}
	return false
}

// InitiativeOrders lists an initiative's orders to its producers, advisers and admins.
func (s *Service) InitiativeOrders(ctx context.Context, p *accounts.Principal, initiativeID string, f ListFilter) ([]Order, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return nil, denied(p, "orders of initiative "+initiativeID)
	}
	q, err := f.query(bson.M{"initiative_id": initiativeID})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, q, f.Limit)
}

// BuyerOrders lists the orders a signed-in buyer placed.
func (s *Service) BuyerOrders(ctx context.Context, p *accounts.Principal, f ListFilter) ([]Order, error) {
	if p == nil {
		return nil, denied(p, "orders")
	}
	q, err := f.query(bson.M{"buyer.user_id": p.UserID})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, q, f.Limit)
}

func (s *Service) find(ctx context.Context, q bson.M, limit int) ([]Order, error) {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.orders.Find(ctx, q, opts)
	if err != nil {
		return nil, storage.Err("orders", err)
	}
	out := []Order{}
	return out, storage.Err("orders", cur.All(ctx, &out))
}

// AnonymizeBuyer blanks the contact data of a deleted account's orders; the
// orders stay, for the producers' books.
func (s *Service) AnonymizeBuyer(ctx context.Context, userID string) error {
	if userID == "" {
		return nil
	}
	_, err := s.orders.UpdateMany(ctx, bson.M{"buyer.user_id": userID},
		bson.M{"$set": bson.M{"buyer.name": "—", "buyer.phone": "", "buyer.email": ""}})
	return storage.Err("orders of buyer", err)
}
