package catalog

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage"
)

// MigrateToBuckets brings the stock moves of a data directory made before
// version 2 to the bucket layout: moves left pending are settled the old way,
// every move gets its key as _id (and its old id as the order of its
// history), and each product's history is built. It can be run again from the
// start after a crash.
func (s *Service) MigrateToBuckets(ctx context.Context) error {
	var moves []StockMove
	if err := storage.ReadAll(ctx, s.moves.coll, &moves); err != nil {
		return err
	}
	// The unique index on key would refuse the copies below; _id is the key now.
	_, _ = s.moves.coll.Indexes().DropOne(ctx, "key_1")
	byProduct := map[string][]StockMove{}
	for _, m := range moves {
		if m.Key == "" {
			m.Key = m.ID
		}
		if m.Status == "pending" {
			p, err := s.products.getDoc(ctx, m.ProductID)
			if err != nil || !slices.Contains(p.PendingMoves, m.ID) {
				// Never applied: forget it.
				if _, err := s.moves.coll.DeleteOne(ctx, bson.M{"_id": m.ID}); err != nil {
					return storage.Err("stock move", err)
				}
				continue
			}
			m.Status = "applied"
			if _, err := s.products.coll.UpdateOne(ctx, bson.M{"_id": m.ProductID}, bson.M{"$pull": bson.M{"pending_moves": m.ID}}); err != nil {
				return storage.Err("product", err)
			}
		}
		if m.Seq == "" {
			m.Seq = m.ID // the old ids are time-ordered ObjectIDs
		}
		if m.ID != m.Key {
			old := m.ID
			m.ID = m.Key
			if _, err := s.moves.coll.InsertOne(ctx, m); err != nil && !storage.IsDuplicateKey(err) {
				return storage.Err("stock move", err)
			}
			if _, err := s.moves.coll.DeleteOne(ctx, bson.M{"_id": old}); err != nil {
				return storage.Err("stock move", err)
			}
		} else if _, err := s.moves.coll.UpdateOne(ctx, bson.M{"_id": m.ID},
			bson.M{"$set": bson.M{"seq": m.Seq, "status": m.Status}}); err != nil {
			return storage.Err("stock move", err)
		}
		byProduct[m.ProductID] = append(byProduct[m.ProductID], m)
	}
	if err := s.moves.history.Drop(ctx); err != nil {
		return err
	}
	for productID, list := range byProduct {
		slices.SortFunc(list, func(a, b StockMove) int { return strings.Compare(a.Seq, b.Seq) })
		entries := make([]storage.Entry[StockMove], len(list))
		for i, m := range list {
			entries[i] = storage.Entry[StockMove]{ID: m.Seq, Value: m}
		}
		if _, err := s.moves.history.Rebuild(ctx, productFeed(productID), entries); err != nil {
			return err
		}
	}
	return nil
}
