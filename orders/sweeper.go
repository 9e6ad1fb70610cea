package orders

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Swept counts what one Sweep did.
type Swept struct {
	RolledBack, Released, Expired, KeysCompleted, KeysFreed int
}

// doneKeysKept is how long a stored checkout answer can be replayed.
const doneKeysKept = 24 * time.Hour

// Sweep finishes what crashes and abandoned payments left behind, each step
// a guarded single-document write that is safe to repeat and to run on
// several instances at once:
//   - checkouts still reserving after olderThan are rolled back (their
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
	stuck, err := s.find(ctx, bson.M{"status": StatusReserving, "created_at": bson.M{"$lte": before}}, 0)
	if err != nil {
		return sw, err
	}
	for _, o := range stuck {
		after, err := s.move(ctx, o, bson.M{"status": StatusReserving}, StatusFailed, "", "checkout interrupted", bson.M{"stock_released": false})
		if errors.Is(err, errs.Conflict) {
			continue // finished or rolled back meanwhile
		}
		if err != nil {
			return sw, err
		}
		if err := s.releaseOrder(ctx, after); err != nil {
			return sw, err
		}
		sw.RolledBack++
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
		all, err := s.find(ctx, bson.M{"checkout_id": c.CheckoutID}, 0)
		if err != nil {
			return err
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
