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
	Key            string    `bson:"key" json:"-"`
	ProductID      string    `bson:"product_id" json:"product_id"`
	InitiativeID   string    `bson:"initiative_id" json:"initiative_id"`
	At             time.Time `bson:"at" json:"at"`
	ActorID        string    `bson:"actor_id,omitempty" json:"actor_id,omitempty"`
	Delta          int64     `bson:"delta" json:"delta"`
	Reason         string    `bson:"reason" json:"reason"`
	Kind           string    `bson:"kind" json:"kind"`
	Ref            string    `bson:"ref,omitempty" json:"ref,omitempty"`
	Status         string    `bson:"status" json:"-"` // pending, applied
	// Seq orders the move in its product's history (a time-ordered id).
	Seq string `bson:"seq" json:"-"`
	ResultingStock *int64    `bson:"resulting_stock" json:"resulting_stock"`
}

type moveRepo struct {
	coll    *mongo.Collection
	pending storage.Set[StockMove] // moves under way, in ten-minute buckets
	history storage.Feed[StockMove]  // each product's applied moves, newest first
	meta    *mongo.Collection
}

func newMoveRepo(db *mongo.Database) moveRepo {
	return moveRepo{coll: db.Collection("stock_moves"),
		pending: storage.NewSet[StockMove](db.Collection("stock_moves_pending")),
		history: storage.NewFeed[StockMove](db.Collection("stock_history"), 0),
		meta:    db.Collection("catalog_meta")}
}

// A move's _id is its key, so that "did this move happen" is a read by _id
// and a repeated key is a duplicate _id. Nothing else is queried.
func (r moveRepo) ensureIndexes(context.Context) error { return nil }

// A move under way is listed whole in the bucket of the ten minutes it began
// in: the bucket is what recovery reads, and dropping it is one delete.
const pendingSpan = 10 * time.Minute

func pendingBucket(t time.Time) string {
	return "moves:" + t.UTC().Truncate(pendingSpan).Format("2006-01-02T15:04")
}

func productFeed(productID string) string { return "p:" + productID }

// ApplyStockMove changes stock by m.Delta, never below zero, and records the
// move. Without transactions it goes in steps, each a single-document write
// by _id:
//  1. the move is listed as under way in its ten-minute bucket, guarded on
//     its key being new there; then the previous bucket and the move's own
//     _id (its key) are read, so that a repeated key is refused with
//     errs.Conflict (which makes order reservations idempotent);
//  2. the product's stock changes under the guard stock ≥ −delta, and the
//     key is pushed onto the product in the same update;
//  3. the move is stored, applied, with the stock it left;
//  4. it is appended to the product's history;
//  5. the key is pulled from the product.
//
// A crash after step 2 leaves the key on the product, which recovery (reading
// only the buckets of the moves under way) finishes: steps 3–5 again, each
// idempotent. Before step 2 nothing changed.
func (s *Service) ApplyStockMove(ctx context.Context, m StockMove) (StockMove, error) {
	var f errs.Fields
	m.Reason = strings.TrimSpace(m.Reason)
	if m.Delta == 0 || m.Delta > maxStockDelta || m.Delta < -maxStockDelta {
		f.Add("delta", "must be a whole number from -1000000 to 1000000, not 0")
	}
	if m.Kind == MoveAdjustment && utf8.RuneCountInString(m.Reason) < 3 {
		f.Add("reason", "say why the stock changes (at least 3 characters)")
	}
	if utf8.RuneCountInString(m.Reason) > 200 {
		f.Add("reason", "must have at most 200 characters")
	}
	if len(m.Key) > 200 || strings.ContainsAny(m.Key, ".$\x00") {
		f.Add("key", "must be at most 200 characters without dots or $")
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
	m.Seq = NewID()
	if m.Key == "" {
		m.Key = m.Seq
	}
	m.ID = m.Key
	m.At, m.Status, m.ResultingStock = s.now(), "pending", nil
	repeated := fmt.Errorf("stock move %s was made before: %w", m.Key, errs.Conflict)
	if added, err := s.moves.pending.AddNew(ctx, pendingBucket(m.At), m.ID, m); err != nil {
		return StockMove{}, err
	} else if !added {
		return StockMove{}, repeated
	}
	if prev, err := s.moves.pending.Members(ctx, pendingBucket(m.At.Add(-pendingSpan))); err != nil {
		return StockMove{}, err
	} else if _, ok := prev[m.ID]; ok {
		return StockMove{}, repeated
	}
	if _, err := s.StockMoveByKey(ctx, m.Key); err == nil {
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
		// Never applied (its key is not on the product): recovery will find
		// nothing to finish. Say why: gone, made to order, or short of stock.
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
	if err := s.finishMove(ctx, m); err != nil {
		return m, err
	}
	s.stockChanged(ctx, after.Product)
	return m, nil
}

// finishMove does steps 3–5 of ApplyStockMove; each can be repeated.
func (s *Service) finishMove(ctx context.Context, m StockMove) error {
	if _, err := s.moves.coll.InsertOne(ctx, m); err != nil && !storage.IsDuplicateKey(err) {
		return storage.Err("stock move "+m.ID, err)
	}
	owner := productFeed(m.ProductID)
	key, err := s.moves.history.Locate(ctx, owner, m.Seq)
	if err == nil && key == "" {
		_, err = s.moves.history.Append(ctx, owner, m.Seq, m)
	}
	if err != nil {
		return err
	}
	_, err = s.products.coll.UpdateOne(ctx, bson.M{"_id": m.ProductID}, bson.M{"$pull": bson.M{"pending_moves": m.ID}})
	return storage.Err("product "+m.ProductID, err)
}

// recordMove stores a move the caller has already applied to the product in
// the same write (the initial stock, the switch to made-to-order) and lists it.
func (s *Service) recordMove(ctx context.Context, m StockMove) error {
	m.Seq = NewID()
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

// movesSwept records the first pending bucket not yet settled.
const movesSwept = "moves_swept"

// RecoverStockMoves settles the moves a crash left under way for longer than
// olderThan: finished if the product holds the move's key (its stock
// changed), otherwise forgotten. It reads only the buckets of recent moves,
// each once: a bucket is dropped when its time plus olderThan is over.
func (s *Service) RecoverStockMoves(ctx context.Context, olderThan time.Duration) (settled int, err error) {
	now := s.now()
	var mark struct {
		From time.Time `bson:"from"`
	}
	err = s.moves.meta.FindOne(ctx, bson.M{"_id": movesSwept}).Decode(&mark)
	if errors.Is(err, mongo.ErrNoDocuments) {
		mark.From, err = now.Add(-24*time.Hour), nil // a new database: nothing older can be under way
	}
	if err != nil {
		return 0, storage.Err("catalog meta", err)
	}
	from := mark.From.UTC().Truncate(pendingSpan)
	for b := from; !b.After(now); b = b.Add(pendingSpan) {
		// A bucket can be settled once no move in it can still be running;
		// with olderThan 0 (the start of the only process) that is all of them.
		if olderThan > 0 && b.Add(pendingSpan+olderThan).After(now) {
			break
		}
		n, err := s.settleBucket(ctx, pendingBucket(b))
		settled += n
		if err != nil {
			return settled, err
		}
		if _, err := s.moves.meta.UpdateOne(ctx, bson.M{"_id": movesSwept},
			bson.M{"$max": bson.M{"from": b.Add(pendingSpan)}}, options.Update().SetUpsert(true)); err != nil {
			return settled, storage.Err("catalog meta", err)
		}
	}
	return settled, nil
}

func (s *Service) settleBucket(ctx context.Context, bucket string) (int, error) {
	members, err := s.moves.pending.Members(ctx, bucket)
	if err != nil {
		return 0, err
	}
	settled := 0
	for id, pm := range members {
		finished, err := s.settle(ctx, id, pm)
		if err != nil {
			return settled, err
		}
		if finished {
			settled++
		}
	}
	return settled, s.moves.pending.Drop(ctx, bucket)
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
		m.Seq = NewID()
	}
	if err := s.finishMove(ctx, m); err != nil {
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
func (s *Service) StockHistory(ctx context.Context, productID, cursor string, limit int) (StockPage, error) {
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
