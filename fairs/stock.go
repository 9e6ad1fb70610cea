package fairs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Stock brought (surtido): the units of a product an initiative takes to a
// fair. They leave the online stock (a stock-history entry "A la feria …"),
// so the online checkout cannot sell them, and what is left comes back when
// the fair closes.

// Brought is a product's stock at a fair.
type Brought struct {
	ProductID    string `bson:"product_id" json:"product_id"`
	InitiativeID string `bson:"initiative_id" json:"initiative_id"`
	Brought      int64  `bson:"brought" json:"brought"`
	Sold         int64  `bson:"-" json:"sold"` // from the fair's tallies
	Left         int64  `bson:"-" json:"left"`
	// V counts the changes of Brought: the next change's stock move is keyed
	// by it, so a retried change moves the online stock once.
	V int64 `bson:"v" json:"-"`
	// Pending is a change under way: its stock move may or may not have
	// happened; the next change (or the closing) settles it first.
	Pending *pendingChange `bson:"pending,omitempty" json:"-"`
}

type pendingChange struct {
	To  int64  `bson:"to"`
	Key string `bson:"key"`
}

func (b Brought) withLeft() Brought { b.Left = b.Brought - b.Sold; return b }

// maxBrought bounds the units of one product at a fair.
const maxBrought = 100_000

// SetStock sets how many units of a product the fair holds (its producer,
// admins): the online stock changes by the difference. More than the online
// stock is a conflict and changes nothing; fewer than sold is invalid.
func (s *Service) SetStock(ctx context.Context, p *accounts.Principal, fairID, productID string, quantity int64) (Brought, error) {
	if s.catalog == nil {
		return Brought{}, fmt.Errorf("fairs: no catalog: %w", errs.Unavailable)
	}
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Brought{}, err
	}
	prod, err := s.catalog.EditableProduct(ctx, p, productID)
	if err != nil {
		return Brought{}, err
	}
	switch {
	case f.Status == StatusClosed:
		return Brought{}, fmt.Errorf("fair %s is closed: %w", fairID, errs.Conflict)
	case !f.Accepts(prod.InitiativeID):
		return Brought{}, fmt.Errorf("initiative %s does not sell at fair %s: %w", prod.InitiativeID, fairID, errs.Conflict)
	case prod.Stock == nil:
		return Brought{}, fmt.Errorf("product %s is made to order: it needs no stock at the fair: %w", productID, errs.Conflict)
	case quantity < 0 || quantity > maxBrought:
		var fe errs.Fields
		fe.Add("quantity", errs.CodeOutOfRange, "must be a whole number from 0 to 100000", "min", 0, "max", maxBrought)
		return Brought{}, fe.Err()
	}
	cur, ok := f.Stock[productID]
	if !ok {
		cur = Brought{ProductID: productID, InitiativeID: prod.InitiativeID}
	}
	if f.Closings[prod.InitiativeID] != nil {
		return Brought{}, fmt.Errorf("the cash of initiative %s at fair %s is closed: %w", prod.InitiativeID, fairID, errs.Conflict)
	}
	sold, err := s.soldAtFair(ctx, f)
	if err != nil {
		return Brought{}, err
	}
	cur.Sold = sold[productID]
	if cur.Pending != nil {
		if cur, err = s.settle(ctx, f, cur, p.UserID); err != nil {
			return Brought{}, err
		}
	}
	if quantity < cur.Sold {
		var fe errs.Fields
		fe.Add("quantity", errs.CodeOutOfRange, fmt.Sprintf("%d were sold already: bring at least that many", cur.Sold), "min", cur.Sold)
		return Brought{}, fe.Err()
	}
	if quantity == cur.Brought {
		return cur.withLeft(), nil
	}
	return s.change(ctx, f, cur, quantity, p.UserID)
}

// change marks the change pending, moves the online stock under a key made
// from the entry's version, and writes the new quantity.
func (s *Service) change(ctx context.Context, f Fair, cur Brought, to int64, actor string) (Brought, error) {
	field := "stock." + cur.ProductID
	pending := &pendingChange{To: to, Key: fmt.Sprintf("fair:%s:%s:%d", f.ID, cur.ProductID, cur.V+1)}
	guard := bson.M{"_id": f.ID, field + ".pending": bson.M{"$exists": false}}
	if cur.V == 0 {
		guard[field+".v"] = bson.M{"$exists": false}
	} else {
		guard[field+".v"] = cur.V
	}
	next := cur
	next.Pending = pending
	res, err := s.fairs.UpdateOne(ctx, guard, bson.M{"$set": bson.M{field: next, "updated_at": s.now()}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Brought{}, storage.Err("fair "+f.ID, err)
	}
	if res.MatchedCount == 0 {
		return Brought{}, fmt.Errorf("the stock of product %s at fair %s changed meanwhile; look again: %w", cur.ProductID, f.ID, errs.Conflict)
	}
	return s.settle(ctx, f, next, actor)
}

// settle finishes the pending change of cur: its stock move is made (once:
// it is keyed) and the quantity written; a move the online stock cannot
// cover takes the change back.
func (s *Service) settle(ctx context.Context, f Fair, cur Brought, actor string) (Brought, error) {
	pc := cur.Pending
	delta := -(pc.To - cur.Brought) // units to the fair leave the online stock
	reason := "A la feria " + f.Name
	if delta > 0 {
		reason = "De vuelta de la feria " + f.Name
	}
	field := "stock." + cur.ProductID
	_, err := s.catalog.ApplyStockMove(ctx, catalog.StockMove{Key: pc.Key, ProductID: cur.ProductID, InitiativeID: cur.InitiativeID,
		ActorID: actor, Delta: delta, Reason: reason, Kind: catalog.MoveAdjustment})
	if errors.Is(err, errs.Conflict) {
		if _, found := s.catalog.StockMoveByKey(ctx, pc.Key); found == nil {
			err = nil // made before: a retry of this change
		} else if errors.Is(found, errs.NotFound) && delta < 0 {
			// Short of online stock (or the move is still under way; the
			// catalog's recovery settles it): the change does not happen.
			if _, uerr := s.fairs.UpdateOne(ctx, bson.M{"_id": f.ID, field + ".pending.key": pc.Key},
				bson.M{"$unset": bson.M{field + ".pending": ""}}); uerr != nil {
				return Brought{}, storage.Err("fair "+f.ID, uerr)
			}
			return Brought{}, fmt.Errorf("there are not %d more units of product %s online: %w", -delta, cur.ProductID, errs.Conflict)
		}
	}
	if err != nil {
		return Brought{}, err
	}
	done := cur
	done.Brought, done.V, done.Pending = pc.To, cur.V+1, nil
	if _, err := s.fairs.UpdateOne(ctx, bson.M{"_id": f.ID, field + ".pending.key": pc.Key},
		bson.M{"$set": bson.M{field: done, "updated_at": s.now()}, "$inc": bson.M{"rev": 1}}); err != nil {
		return Brought{}, storage.Err("fair "+f.ID, err)
	}
	return done.withLeft(), nil
}

// StockOf lists what the fair holds of each product, for whoever may see
// the initiative's private pages (admins: all).
func (s *Service) StockOf(ctx context.Context, p *accounts.Principal, fairID string) ([]Brought, error) {
	if p == nil {
		return nil, errs.Unauthenticated
	}
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return nil, err
	}
	sold, err := s.soldAtFair(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []Brought{}
	for _, id := range sortedKeys(f.Stock) {
		b := f.Stock[id]
		b.Sold = sold[id]
		if accounts.CanSeeInitiativePrivate(p, b.InitiativeID) || canManage(p, f) {
			out = append(out, b.withLeft())
		}
	}
	return out, nil
}

// returnUnsold brings back to the online stock what is left of every
// product of the initiatives when the fair (all of them) or an
// initiative's cash closes. Each return is keyed, so a closing repeated
// after a failure returns each product once.
func (s *Service) returnUnsold(ctx context.Context, f Fair, actor string, initiatives ...string) error {
	if s.catalog == nil {
		return nil
	}
	sold, err := s.soldAtFair(ctx, f)
	if err != nil {
		return err
	}
	for _, id := range sortedKeys(f.Stock) {
		cur := f.Stock[id]
		if len(initiatives) > 0 && !slices.Contains(initiatives, cur.InitiativeID) {
			continue
		}
		cur.Sold = sold[id]
		if cur.Pending != nil {
			if cur, err = s.settle(ctx, f, cur, actor); err != nil && !errors.Is(err, errs.Conflict) {
				return err
			}
		}
		if cur.Brought <= cur.Sold {
			continue // sold out (or oversold: the flagged sales are reviewed)
		}
		if _, err := s.change(ctx, f, cur, cur.Sold, actor); err != nil {
			return err
		}
	}
	return nil
}
