package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Transition moves an order one step along pending → confirmed → ready →
// delivered. Only the initiative's producers and admins drive it; any other
// move is errs.Conflict.
func (s *Service) Transition(ctx context.Context, p *accounts.Principal, id, to, note string) (Order, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !CanManage(p, o.InitiativeID) {
		return Order{}, denied(p, "order "+id)
	}
	if to == StatusCancelled {
		return s.Cancel(ctx, p, id, note, "")
	}
	if !validStatus(to) || to == StatusPending {
		var f errs.Fields
		f.Add("to", errs.CodeUnknown, "must be confirmed, ready or delivered")
		return Order{}, f.Err()
	}
	if err := checkNote(note); err != nil {
		return Order{}, err
	}
	if !CanMove(o.Status, to) {
		return Order{}, fmt.Errorf("order %s is %s, it cannot become %s: %w", id, o.Status, to, errs.Conflict)
	}
	return s.move(ctx, o, bson.M{"status": o.Status}, to, p.UserID, note, nil)
}

// move changes status under guard (a filter on the current state), in one
// single-document update that also appends the history entry.
func (s *Service) move(ctx context.Context, o Order, guard bson.M, to, actorID, note string, extra bson.M) (Order, error) {
	now := s.now()
	guard["_id"] = o.ID
	set := bson.M{"status": to, "updated_at": now}
	for k, v := range extra {
		set[k] = v
	}
	update := bson.M{"$set": set, "$push": bson.M{"history": Change{At: now, ActorID: actorID, From: o.Status, To: to, Note: note}}}
	if o.Status == StatusPending && to != StatusCancelled && to != StatusFailed {
		update["$unset"] = bson.M{"expires_at": ""} // confirmed: it no longer expires
	}
	// Marked first, so that a crash after the order changed leaves it where
	// the sweeper lists it again (and gives its stock back).
	if err := s.changing(ctx, o.ID); err != nil {
		return Order{}, err
	}
	if released, ok := extra["stock_released"].(bool); ok && !released {
		if err := s.work.Add(ctx, setUnreleased, o.ID, now); err != nil {
			return Order{}, err
		}
	}
	var after Order
	err := s.orders.FindOneAndUpdate(ctx, guard, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Order{}, fmt.Errorf("order %s changed meanwhile, it cannot become %s: %w", o.ID, to, errs.Conflict)
	}
	if err != nil {
		return Order{}, storage.Err("order "+o.ID, err)
	}
	if o.Status == StatusPending && to != StatusPending {
		// Out of pending: nothing expires it any more.
		if err := s.expected(ctx, o); err != nil {
			return after, err
		}
	}
	return after, s.reindexed(ctx, after)
}

func checkNote(note string) error {
	if utf8.RuneCountInString(note) > 500 {
		var f errs.Fields
		f.Add("reason", errs.CodeTooLong, "must have at most 500 characters", "max", 500)
		return f.Err()
	}
	return nil
}

// Cancel cancels an order and gives its stock back exactly once; cancelling
// a cancelled order changes nothing. Buyers may cancel until the producer
// confirms; producers and admins until delivery. token is a guest's
// checkout token.
func (s *Service) Cancel(ctx context.Context, p *accounts.Principal, id, reason, token string) (Order, error) {
	reason = clean.Text(reason)
	if err := checkNote(reason); err != nil {
		return Order{}, err
	}
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	manager := CanManage(p, o.InitiativeID)
	if !manager && !isBuyer(p, o, token) {
		return Order{}, denied(p, "order "+id) // advisers see orders, they do not cancel them
	}
	allowed := []string{StatusPending}
	if manager {
		allowed = []string{StatusPending, StatusConfirmed, StatusReady}
	}
	actor := ""
	if p != nil {
		actor = p.UserID
	}
	// Guarded on the status just read, so the history says truly what was
	// cancelled; a move in between (a producer confirming) means read again.
	for attempt := 0; o.Status != StatusCancelled; attempt++ {
		if !slices.Contains(allowed, o.Status) {
			return Order{}, fmt.Errorf("order %s is %s, it cannot be cancelled now: %w", id, o.Status, errs.Conflict)
		}
		after, err := s.move(ctx, o, bson.M{"status": o.Status}, StatusCancelled, actor, reason, bson.M{"stock_released": false})
		if err == nil {
			o = after
			break
		}
		if errs.KindOf(err) != errs.Conflict || attempt == 3 {
			return Order{}, err
		}
		if o, err = s.get(ctx, id); err != nil {
			return Order{}, err
		}
	}
	return o, s.releaseOrder(ctx, o)
}

// releaseOrder gives a cancelled or rolled-back order's reserved units back
// (each line at most once, by key, and only if its reservation happened) and
// records that it did.
func (s *Service) releaseOrder(ctx context.Context, o Order) error {
	if o.StockReleased {
		return s.work.Remove(ctx, setUnreleased, o.ID)
	}
	for _, l := range o.Lines {
		if !l.Reserved {
			continue
		}
		if o.Status == StatusFailed {
			// A rolled-back checkout may not have reserved every line.
			reserved, err := s.moved(ctx, o, l, true)
			if err != nil {
				return err
			}
			if !reserved {
				continue
			}
		}
		if err := s.release(ctx, o.ID, l); err != nil {
			return err // the sweeper finishes it
		}
	}
	if _, err := s.orders.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"stock_released": true}}); err != nil {
		return storage.Err("order "+o.ID, err)
	}
	return s.work.Remove(ctx, setUnreleased, o.ID)
}
