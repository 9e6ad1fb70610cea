package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// ErrNotEnoughStock is the conflict of a move that would take stock below
// zero (other conflicts: a repeated key, a made-to-order product).
var ErrNotEnoughStock = fmt.Errorf("not enough stock: %w", errs.Conflict)

// Kinds of stock move.
const (
	MoveAdjustment   = "adjustment"    // counted by the producer, with a reason
	MoveReservation  = "reservation"   // an order took units
	MoveCancellation = "cancellation"  // a cancelled order gave them back
	MoveFairSale     = "fair_sale"     // sold at a fair
	MoveInitial      = "initial"       // the stock a product was listed with
	MoveMadeToOrder  = "made_to_order" // the product stopped keeping stock
)

// StockMove is one change of a product's stock: who, when, how much, why, and
// the stock it left.
type StockMove struct {
	ID string `bson:"_id" json:"id"`
	// Key makes a move happen at most once (unique): an order reserves with
	// "reserve:<order>:<line>". Empty means the move's own id.
	Key string `bson:"key" json:"-"`
	// Replayed marks a move answered again for a repeated Idempotency-Key.
	Replayed     bool      `bson:"-" json:"-"`
	ProductID    string    `bson:"product_id" json:"product_id"`
	InitiativeID string    `bson:"initiative_id" json:"initiative_id"`
	At           time.Time `bson:"at" json:"recorded_at"`
	ActorID      string    `bson:"actor_id,omitempty" json:"recorded_by,omitempty"`
	Delta        int64     `bson:"delta" json:"delta"`
	Reason       string    `bson:"reason" json:"reason"`
	Kind         string    `bson:"kind" json:"kind"`
	Ref          string    `bson:"ref,omitempty" json:"ref,omitempty"`
	Status       string    `bson:"status" json:"-"` // pending, applied
	// Seq orders the move in its product's history (a time-ordered id).
	Seq            string `bson:"seq" json:"-"`
	ResultingStock *int64 `bson:"resulting_stock" json:"resulting_stock"`
}

type moveRepo struct {
	coll    *mongo.Collection
	pending storage.WorkSet[StockMove] // moves under way (the working set recovery reads)
	history storage.Feed[StockMove]    // each product's applied moves, newest first
	meta    *mongo.Collection
}

func newMoveRepo(db *mongo.Database) moveRepo {
	return moveRepo{coll: db.Collection("stock_moves"),
		pending: storage.NewWorkSet[StockMove](db.Collection("stock_moves_pending")),
		history: storage.NewFeed[StockMove](db.Collection("stock_history"), movesPerBucket),
		meta:    db.Collection("catalog_meta")}
}

// A move's _id is its key, so that "did this move happen" is a read by _id
// and a repeated key is a duplicate _id. Nothing else is queried.
func (r moveRepo) ensureIndexes(context.Context) error { return nil }

// stock_moves_pending lists the moves under way, whole, until they finish:
// a move leaves it in the same request that made it.

func productFeed(productID string) string { return "p:" + productID }

// movesPerBucket keeps a stock history bucket near 8 KB (a move is about
// 250 bytes).
const movesPerBucket = 32

// ApplyStockMove changes stock by m.Delta, never below zero, and records the
// move. Without transactions it goes in steps, each a single-document write
// by _id:
//  1. the move is listed as under way, guarded on its key not being under
//     way already; then its _id (the key) is read among the finished moves,
//     so that a repeated key is refused with errs.Conflict (which makes order
//     reservations idempotent);
//  2. the product's stock changes under the guard stock ≥ −delta, and the
//     key is pushed onto the product in the same update;
//  3. the move is stored, applied, with the stock it left;
//  4. it is appended to the product's history;
//  5. the key is pulled from the product, and the move leaves the working set.
//
// A crash after step 2 leaves the key on the product, which recovery (reading
// only the working set) finishes: steps 3–5 again, each idempotent. Before
// step 2 nothing changed, and recovery only takes the move off the list.
func (s *Service) ApplyStockMove(ctx context.Context, m StockMove) (StockMove, error) {
	var f errs.Fields
	m.Reason = clean.Line(m.Reason)
	if m.Delta == 0 || m.Delta > maxStockDelta || m.Delta < -maxStockDelta {
		f.Add("delta", errs.CodeOutOfRange, "must be a whole number from -1000000 to 1000000, not 0", "min", -1000000, "max", 1000000)
	}
	if m.Kind == MoveAdjustment && utf8.RuneCountInString(m.Reason) < 3 {
		f.Add("reason", errs.CodeTooShort, "say why the stock changes (at least 3 characters)", "min", 3)
	}
	if utf8.RuneCountInString(m.Reason) > 200 {
		f.Add("reason", errs.CodeTooLong, "must have at most 200 characters", "max", 200)
	}
	if len(m.Key) > 200 || strings.ContainsAny(m.Key, ".$\x00") {
		f.Add("key", errs.CodeInvalid, "must be at most 200 characters without dots or $")
	}
	if err := f.Err(); err != nil {
		return StockMove{}, err
	}
	// Callers that know the product's initiative (orders) save a read: the
	// guarded update below refuses made-to-order products anyway.
	if m.InitiativeID == "" {
		p, err := s.products.get(ctx, m.ProductID)
		if err != nil {
			return StockMove{}, err
		}
		if p.Stock == nil {
			return StockMove{}, fmt.Errorf("product %s is made to order and keeps no stock: %w", p.ID, errs.Conflict)
		}
		m.InitiativeID = p.InitiativeID
	}
	m.Seq = storage.NewID()
	if m.Key == "" {
		m.Key = m.Seq
	}
	m.ID = m.Key
	m.At, m.Status, m.ResultingStock = s.now(), "pending", nil
	repeated := fmt.Errorf("stock move %s was made before: %w", m.Key, errs.Conflict)
	if added, err := s.moves.pending.AddNew(ctx, m.ID, m); err != nil {
		return StockMove{}, err
	} else if !added {
		return StockMove{}, repeated
	}
	if _, err := s.StockMoveByKey(ctx, m.Key); err == nil {
		s.unlist(ctx, m.ID)
		return StockMove{}, repeated
	} else if !errors.Is(err, errs.NotFound) {
		return StockMove{}, err
	}
	guard := bson.M{"$ne": nil}
	if m.Delta < 0 {
		guard = bson.M{"$ne": nil, "$gte": -m.Delta}
	}
	var after productDoc
	err := s.products.coll.FindOneAndUpdate(ctx,
		bson.M{"_id": m.ProductID, "stock": guard, "pending_moves": bson.M{"$ne": m.ID}},
		bson.M{"$inc": bson.M{"stock": m.Delta}, "$push": bson.M{"pending_moves": m.ID}, "$set": bson.M{"updated_at": m.At}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Never applied (its key is not on the product). Say why: gone, made
		// to order, or short of stock.
		s.unlist(ctx, m.ID)
		p, err := s.products.get(ctx, m.ProductID)
		switch {
		case err != nil:
			return StockMove{}, err
		case p.Stock == nil:
			return StockMove{}, fmt.Errorf("product %s is made to order and keeps no stock: %w", p.ID, errs.Conflict)
		}
		return StockMove{}, fmt.Errorf("product %s: %d units: %w", m.ProductID, -m.Delta, ErrNotEnoughStock)
	}
	if err != nil {
		return StockMove{}, storage.Err("product "+m.ProductID, err) // recovery settles it
	}
	m.Status, m.ResultingStock = "applied", after.Stock
	if err := s.finishMove(ctx, m, true); err != nil {
		return m, err
	}
	s.stockChanged(ctx, after.Product)
	return m, nil
}

// finishMove does steps 3–5 of ApplyStockMove; each can be repeated. fresh
// says the move was never listed (the request that made it), so its history
// entry needs no search.
func (s *Service) finishMove(ctx context.Context, m StockMove, fresh bool) error {
	if _, err := s.moves.coll.InsertOne(ctx, m); err != nil && !storage.IsDuplicateKey(err) {
		return storage.Err("stock move "+m.ID, err)
	}
	owner := productFeed(m.ProductID)
	key, err := "", error(nil)
	if !fresh {
		key, err = s.moves.history.Locate(ctx, owner, m.Seq)
	}
	if err == nil && key == "" {
		_, err = s.moves.history.Append(ctx, owner, m.Seq, m)
	}
	if err != nil {
		return err
	}
	if _, err = s.products.coll.UpdateOne(ctx, bson.M{"_id": m.ProductID}, bson.M{"$pull": bson.M{"pending_moves": m.ID}}); err != nil {
		return storage.Err("product "+m.ProductID, err)
	}
	return s.moves.pending.Remove(ctx, m.ID)
}

// unlist takes a move that changed nothing off the working set; if that
// fails, recovery finds the product without its key and does it.
func (s *Service) unlist(ctx context.Context, key string) {
	_ = s.moves.pending.Remove(context.WithoutCancel(ctx), key)
}

// recordMove stores a move the caller has already applied to the product in
// the same write (the initial stock, the switch to made-to-order) and lists it.
func (s *Service) recordMove(ctx context.Context, m StockMove) error {
	m.Seq = storage.NewID()
	if m.Key == "" {
		m.Key = m.Seq
	}
	m.ID, m.Status = m.Key, "applied"
	if _, err := s.moves.coll.InsertOne(ctx, m); err != nil {
		return storage.Err("stock move", err)
	}
	_, err := s.moves.history.Append(ctx, productFeed(m.ProductID), m.Seq, m)
	return err
}

// RecoverStockMoves settles the moves a crash left under way for longer than
// olderThan: finished if the product holds the move's key (its stock
// changed), otherwise taken off the list. It reads only the working set.
func (s *Service) RecoverStockMoves(ctx context.Context, olderThan time.Duration) (settled int, err error) {
	members, err := s.moves.pending.Members(ctx)
	if err != nil {
		return 0, err
	}
	before := s.now().Add(-olderThan)
	for key, m := range members {
		if m.At.After(before) {
			continue // may still be running
		}
		finished, err := s.settle(ctx, key, m)
		if err != nil {
			return settled, err
		}
		if finished {
			settled++
			continue
		}
		if err := s.moves.pending.Remove(ctx, key); err != nil {
			return settled, err
		}
	}
	return settled, nil
}

// settle finishes move key if the product holds it (its stock changed, the
// rest of the move was cut short); true when it did.
func (s *Service) settle(ctx context.Context, key string, pm StockMove) (bool, error) {
	p, err := s.products.getDoc(ctx, pm.ProductID)
	if errors.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil || !slices.Contains(p.PendingMoves, key) {
		return false, err // finished, or never applied
	}
	m, err := s.StockMoveByKey(ctx, key)
	if errors.Is(err, errs.NotFound) {
		// The stock it left is unknown now; the move itself is certain.
		m, err = pm, nil
		m.ID, m.Key, m.Status, m.ResultingStock = key, key, "applied", nil
		if m.InitiativeID == "" {
			m.InitiativeID = p.InitiativeID
		}
	}
	if err != nil {
		return false, err
	}
	if m.Seq == "" {
		m.Seq = pm.Seq
	}
	if m.Seq == "" {
		m.Seq = storage.NewID()
	}
	if err := s.finishMove(ctx, m, false); err != nil {
		return false, err
	}
	s.stockChanged(ctx, Product{})
	return true, nil
}

// SettleStockMove reports whether move m (as its caller would have applied
// it: key, product, delta, kind) happened, first finishing it if a crash cut
// it short after the stock changed. Orders decide interrupted checkouts with it.
func (s *Service) SettleStockMove(ctx context.Context, m StockMove) (bool, error) {
	if m.At.IsZero() {
		m.At = s.now()
	}
	if _, err := s.settle(ctx, m.Key, m); err != nil {
		return false, err
	}
	_, err := s.StockMoveByKey(ctx, m.Key)
	if errors.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// StockMove returns one move by id (orders check their reservations with it).
func (s *Service) StockMove(ctx context.Context, id string) (StockMove, error) {
	var m StockMove
	err := s.moves.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	return m, storage.Err("stock move "+id, err)
}

// StockMoveByKey returns the move made under key: its _id.
func (s *Service) StockMoveByKey(ctx context.Context, key string) (StockMove, error) {
	return s.StockMove(ctx, key)
}

// StockPage is a page of a product's stock history, newest first.
type StockPage struct {
	Items []StockMove `json:"items"`
	Next  string      `json:"next_cursor,omitempty"`
}

// StockHistory lists a product's applied moves, newest first, from its
// history buckets.
func (s *Service) StockHistory(ctx context.Context, who *accounts.Principal, productID, cursor string, limit int) (StockPage, error) {
	if _, err := s.allowProduct(ctx, who, productID, accounts.CanSeeInitiativePrivate); err != nil {
		return StockPage{}, err
	}
	p, err := s.moves.history.Page(ctx, productFeed(productID), cursor, limit, nil)
	if err != nil {
		return StockPage{}, err
	}
	out := StockPage{Items: make([]StockMove, len(p.Items)), Next: p.Next}
	for i, e := range p.Items {
		out.Items[i] = e.Value
	}
	return out, nil
}
