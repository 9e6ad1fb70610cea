package catalog

import (
	"context"
	"errors"
	"fmt"
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
	ResultingStock *int64    `bson:"resulting_stock" json:"resulting_stock"`
}

type moveRepo struct{ coll *mongo.Collection }

func (r moveRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true)},
		mongo.IndexModel{Keys: bson.D{{Key: "product_id", Value: 1}, {Key: "at", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}}})
}

// ApplyStockMove changes stock by m.Delta, never below zero, and records the
// move. Without transactions it goes in steps, each a single-document write:
//  1. the move is stored as pending (its key is unique: a repeated move with
//     the same key is refused with errs.Conflict, which makes order
//     reservations idempotent);
//  2. the product's stock changes under the guard stock ≥ −delta, and the
//     move id is pushed onto the product in the same update;
//  3. the move is marked applied with the stock it left;
//  4. the id is pulled from the product.
//
// A crash between steps leaves a pending move that RecoverStockMoves settles:
// applied when the product holds its id, deleted when it does not.
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
	m.ID = NewID()
	if m.Key == "" {
		m.Key = m.ID
	}
	m.At, m.Status, m.ResultingStock = s.now(), "pending", nil
	if _, err := s.moves.coll.InsertOne(ctx, m); err != nil {
		return StockMove{}, storage.Err("stock move "+m.ID, err)
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
		// Never applied (its id is not on the product), so no guard is needed;
		// a filter on _id alone is also the one the embedded database does not scan for.
		_, _ = s.moves.coll.DeleteOne(ctx, bson.M{"_id": m.ID})
		// Say why: gone, made to order, or short of stock.
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
		return StockMove{}, storage.Err("product "+m.ProductID, err) // left pending: recovery settles it
	}
	m.Status, m.ResultingStock = "applied", after.Stock
	if _, err := s.moves.coll.UpdateOne(ctx, bson.M{"_id": m.ID},
		bson.M{"$set": bson.M{"status": m.Status, "resulting_stock": m.ResultingStock}}); err != nil {
		return m, storage.Err("stock move "+m.ID, err)
	}
	if _, err := s.products.coll.UpdateOne(ctx, bson.M{"_id": m.ProductID}, bson.M{"$pull": bson.M{"pending_moves": m.ID}}); err != nil {
		return m, storage.Err("product "+m.ProductID, err)
	}
	s.stockChanged(ctx)
	return m, nil
}

// RecoverStockMoves settles moves left pending for longer than olderThan by
// a crash: applied if the product holds the move's id, otherwise removed.
func (s *Service) RecoverStockMoves(ctx context.Context, olderThan time.Duration) (settled int, err error) {
	cur, err := s.moves.coll.Find(ctx, bson.M{"status": "pending", "at": bson.M{"$lte": s.now().Add(-olderThan)}})
	if err != nil {
		return 0, storage.Err("stock moves", err)
	}
	var pending []StockMove
	if err := cur.All(ctx, &pending); err != nil {
		return 0, storage.Err("stock moves", err)
	}
	for _, m := range pending {
		n, err := s.products.coll.CountDocuments(ctx, bson.M{"_id": m.ProductID, "pending_moves": m.ID})
		if err != nil {
			return settled, storage.Err("product", err)
		}
		if n == 0 {
			_, err = s.moves.coll.DeleteOne(ctx, bson.M{"_id": m.ID, "status": "pending"})
		} else {
			// The stock it left is unknown now; the move itself is certain.
			_, err = s.moves.coll.UpdateOne(ctx, bson.M{"_id": m.ID}, bson.M{"$set": bson.M{"status": "applied"}})
			if err == nil {
				_, err = s.products.coll.UpdateOne(ctx, bson.M{"_id": m.ProductID}, bson.M{"$pull": bson.M{"pending_moves": m.ID}})
			}
		}
		if err != nil {
			return settled, storage.Err("stock move "+m.ID, err)
		}
		settled++
	}
	return settled, nil
}

// StockMove returns one move by id (orders check their reservations with it).
func (s *Service) StockMove(ctx context.Context, id string) (StockMove, error) {
	var m StockMove
	err := s.moves.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	return m, storage.Err("stock move "+id, err)
}

// StockMoveByKey returns the move made under key (applied or still pending).
func (s *Service) StockMoveByKey(ctx context.Context, key string) (StockMove, error) {
	var m StockMove
	err := s.moves.coll.FindOne(ctx, bson.M{"key": key}).Decode(&m)
	return m, storage.Err("stock move "+key, err)
}

// StockHistory lists a product's applied moves, newest first.
func (s *Service) StockHistory(ctx context.Context, productID, before string, limit int) ([]StockMove, error) {
	q := bson.M{"product_id": productID, "status": "applied"}
	if before != "" {
		q["_id"] = bson.M{"$lt": before}
	}
	cur, err := s.moves.coll.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, storage.Err("stock history", err)
	}
	out := []StockMove{}
	return out, storage.Err("stock history", cur.All(ctx, &out))
}
