package orders

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Swept counts what one Sweep did.
type Swept struct {
	RolledBack, Finished, Released, Expired, KeysCompleted, KeysFreed int
}

// doneKeysKept is how long a stored checkout answer can be replayed.
const doneKeysKept = 24 * time.Hour

// Sweep finishes what crashes and abandoned payments left behind, each step
// a guarded single-document write that is safe to repeat and to run on
// several instances at once:
//   - checkouts still unfinished after olderThan are decided (see decide):
//     finished when all their stock was reserved, else rolled back (their
//     buyer was never answered 201);
//   - cancelled or rolled-back orders whose stock is not back yet get it back;
//   - unpaid card orders past their expiry are cancelled;
//   - idempotency keys are completed from their orders or freed, and stored
//     answers older than a day are dropped.
//
// olderThan is DefaultRecoverAfter (or TESORO_ORDER_RECOVER_AFTER), and 0 at the start of the only process using
// the embedded database, where anything unfinished was cut by a crash.
func (s *Service) Sweep(ctx context.Context, olderThan time.Duration) (Swept, error) {
	var sw Swept
	// Settle half-done stock moves first, so that a reservation either
	// exists or does not.
	if _, err := s.catalog.RecoverStockMoves(ctx, olderThan); err != nil {
		return sw, err
	}
	before := s.now().Add(-olderThan)
	// Leases of checkouts that should have finished long ago: taking one
	// decides that checkout.
	cur, err := s.leases.Find(ctx, bson.M{"created_at": bson.M{"$lte": before}})
	if err != nil {
		return sw, storage.Err("checkout leases", err)
	}
	var leases []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &leases); err != nil {
		return sw, storage.Err("checkout leases", err)
	}
	for _, l := range leases {
		won, err := s.takeLease(ctx, l.ID)
		if err != nil {
			return sw, err
		}
		if won {
			if err := s.decide(ctx, l.ID, &sw); err != nil {
				return sw, err
			}
		}
	}
	// Orders still reserving without a lease: their decider stopped between
	// taking the lease and writing the outcome; the same rule decides again.
	stuck, err := s.find(ctx, bson.M{"status": StatusReserving, "created_at": bson.M{"$lte": before}}, 0)
	if err != nil {
		return sw, err
	}
	seen := map[string]bool{}
	for _, o := range stuck {
		if seen[o.CheckoutID] {
			continue
		}
		seen[o.CheckoutID] = true
		n, err := s.leases.CountDocuments(ctx, bson.M{"_id": o.CheckoutID})
		if err != nil {
			return sw, storage.Err("checkout lease", err)
		}
		if n == 0 {
			if err := s.decide(ctx, o.CheckoutID, &sw); err != nil {
				return sw, err
			}
		}
	}
	unreleased, err := s.find(ctx, bson.M{"stock_released": false, "updated_at": bson.M{"$lte": before}}, 0)
	if err != nil {
		return sw, err
	}
	for _, o := range unreleased {
		if err := s.releaseOrder(ctx, o); err != nil {
			return sw, err
		}
		sw.Released++
	}
	expired, err := s.find(ctx, bson.M{"status": StatusPending, "payment_method": MethodCard, "paid": 0,
		"expires_at": bson.M{"$lte": s.now()}}, 0)
	if err != nil {
		return sw, err
	}
	for _, o := range expired {
		if err := s.cancelUnpaid(ctx, bson.M{"_id": o.ID}, "card payment expired"); err != nil {
			return sw, err
		}
		sw.Expired++
	}
	if err := s.sweepKeys(ctx, before, &sw); err != nil {
		return sw, err
	}
	return sw, nil
}

// decide finishes an interrupted checkout whose lease the caller took. The
// rule depends only on what is stored, so a decider that stops half-way and
// the one after it agree: if every order of the checkout is there and every
// line that keeps stock holds its reservation (and none was given back), the
// checkout goes forward and its orders become pending; otherwise it is rolled
// back. Card checkouts always roll back: their payment link was never stored.
func (s *Service) decide(ctx context.Context, checkoutID string, sw *Swept) error {
	all, err := s.find(ctx, bson.M{"checkout_id": checkoutID}, 0)
	if err != nil {
		return err
	}
	var reserving []Order
	forward := len(all) > 0
	for _, o := range all {
		if o.Status == StatusReserving {
			reserving = append(reserving, o)
		}
		forward = forward && o.CheckoutSize == len(all) && o.PaymentMethod != MethodCard && o.Status != StatusFailed
	}
	if len(reserving) == 0 {
		return nil
	}
	for _, o := range all {
		for _, l := range o.Lines {
			if !forward || !l.Reserved {
				continue
			}
			if forward, err = s.moved(ctx, l.reserveKey(o.ID)); err != nil {
				return err
			}
			if forward {
				released, err := s.moved(ctx, l.releaseKey(o.ID))
				if err != nil {
					return err
				}
				forward = !released
			}
		}
	}
	now := s.now()
	for _, o := range reserving {
		if forward {
			if err := s.confirmReserved(ctx, o, now); err != nil {
				return err
			}
			sw.Finished++
			continue
		}
		if _, err := s.orders.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{
			"$set":  bson.M{"status": StatusFailed, "stock_released": false, "updated_at": now},
			"$push": bson.M{"history": Change{At: now, From: StatusReserving, To: StatusFailed, Note: "checkout interrupted"}}}); err != nil {
			return storage.Err("order "+o.ID, err)
		}
		o.Status, o.StockReleased = StatusFailed, false
		if err := s.releaseOrder(ctx, o); err != nil {
			return err
		}
		sw.RolledBack++
	}
	return nil
}

// moved reports whether the stock move with key happened.
func (s *Service) moved(ctx context.Context, key string) (bool, error) {
	_, err := s.catalog.StockMoveByKey(ctx, key)
	if errors.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// sweepKeys completes a key whose checkout placed its orders but crashed
// before storing the answer, and frees one whose checkout was rolled back.
func (s *Service) sweepKeys(ctx context.Context, before time.Time, sw *Swept) error {
	cur, err := s.idem.Find(ctx, bson.M{"state": "pending", "created_at": bson.M{"$lte": before}})
	if err != nil {
		return storage.Err("idempotency keys", err)
	}
	var pending []claimRecord
	if err := cur.All(ctx, &pending); err != nil {
		return storage.Err("idempotency keys", err)
	}
	for _, c := range pending {
		if n, err := s.leases.CountDocuments(ctx, bson.M{"_id": c.CheckoutID}); err != nil || n > 0 {
			if err != nil {
				return storage.Err("checkout lease", err)
			}
			continue // still running, or decided by a later sweep
		}
		all, err := s.find(ctx, bson.M{"checkout_id": c.CheckoutID}, 0)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(all, func(o Order) bool { return o.Status == StatusReserving }) {
			continue
		}
		placed := len(all) > 0
		for _, o := range all {
			placed = placed && o.Status != StatusReserving && o.Status != StatusFailed
		}
		if !placed {
			if _, err := s.idem.DeleteOne(ctx, bson.M{"_id": c.Key, "state": "pending"}); err != nil {
				return storage.Err("idempotency key", err)
			}
			sw.KeysFreed++
			continue
		}
		// Oldest first, as the checkout listed them.
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
		body, err := json.Marshal(CheckoutResult{CheckoutID: c.CheckoutID, Orders: all, PaymentURL: all[0].PaymentURL, Token: c.Token})
		if err != nil {
			return err
		}
		if err := s.completeKey(ctx, c, body); err != nil {
			return err
		}
		sw.KeysCompleted++
	}
	_, err = s.idem.DeleteMany(ctx, bson.M{"state": "done", "created_at": bson.M{"$lte": s.now().Add(-doneKeysKept)}})
	return storage.Err("idempotency keys", err)
}
