package orders

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Swept counts what one Sweep did.
type Swept struct {
	RolledBack, Finished, Released, Expired, KeysCompleted, KeysFreed int
}

// Sweep finishes what crashes and abandoned payments left behind, reading
// only working sets (never the orders collection), each step a guarded
// single-document write that is safe to repeat and to run on several
// instances at once:
//   - checkouts still under way after olderThan are decided (see decide): finished when all their stock was reserved, else
//     rolled back (their buyer was never answered 201); their key is
//     completed or freed and their orders listed;
//   - cancelled or rolled-back orders whose stock is not back yet get it back;
//   - unpaid card orders past their expiry, and unpaid orders no producer
//     confirmed within the pending TTL, are cancelled (their stock returns);
//   - orders whose lists a crash left half-updated are listed again;
//   - the idempotency keys of the days before yesterday are dropped, a day
//     at a time (a stored answer can be replayed for at least 24 hours).
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
	now := s.now()
	before := now.Add(-olderThan)
	if err := s.sweepOpen(ctx, before, &sw); err != nil {
		return sw, err
	}
	if err := s.dropOldKeys(ctx, now); err != nil {
		return sw, err
	}
	if err := s.sweepOrders(ctx, setUnreleased, before, &sw); err != nil {
		return sw, err
	}
	if err := s.sweepOrders(ctx, setCardUnpaid, now, &sw); err != nil {
		return sw, err
	}
	if err := s.sweepUnconfirmed(ctx, now, &sw); err != nil {
		return sw, err
	}
	return sw, s.sweepOrders(ctx, setReindex, before, &sw)
}

// sweepOpen decides the checkouts under way for longer than before allows.
func (s *Service) sweepOpen(ctx context.Context, before time.Time, sw *Swept) error {
	m, err := s.open.Members(ctx)
	if err != nil {
		return err
	}
	for id, e := range m {
		if e.CreatedAt.After(before) {
			continue
		}
		won, err := s.takeLease(ctx, id)
		if err != nil {
			return err
		}
		_, all, err := s.checkoutOrders(ctx, id)
		if err != nil && !errors.Is(err, errs.NotFound) {
			return err
		}
		// Decide when this sweep took the lease, or when a decider took it
		// and stopped before every order left "reserving".
		if won || slices.ContainsFunc(all, func(o Order) bool { return o.Status == StatusReserving }) {
			if err := s.decide(ctx, id, all, sw); err != nil {
				return err
			}
			if _, all, err = s.checkoutOrders(ctx, id); err != nil && !errors.Is(err, errs.NotFound) {
				return err
			}
		}
		for _, o := range all {
			if err := s.index(ctx, o); err != nil {
				return err
			}
		}
		if err := s.settleKey(ctx, id, e, all, sw); err != nil {
			return err
		}
		if err := s.open.Remove(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// dropOldKeys drops the idempotency collections of the days before
// yesterday: every answer in them is more than a day old.
func (s *Service) dropOldKeys(ctx context.Context, now time.Time) error {
	names, err := s.db.ListCollectionNames(ctx, bson.M{"name": bson.M{"$regex": "^" + keysPrefix}})
	if err != nil {
		return storage.Err("idempotency keys", err)
	}
	keep := keysCollection(now.Add(-24 * time.Hour))
	for _, name := range names {
		if len(name) == len(keep) && name < keep {
			if err := s.db.Collection(name).Drop(ctx); err != nil {
				return storage.Err("idempotency keys", err)
			}
		}
	}
	return nil
}

// sweepOrders handles the members of one working set due by due: stock given
// back, unpaid card orders cancelled, lists updated.
func (s *Service) sweepOrders(ctx context.Context, set string, due time.Time, sw *Swept) error {
	m, err := s.work.Members(ctx, set)
	if err != nil {
		return err
	}
	for id, at := range m {
		if at.After(due) {
			continue
		}
		if payout, ok := isPayoutMark(id); ok && set == setReindex {
			if err := s.ensurePayout(ctx, payout); err != nil {
				return err
			}
			if err := s.work.Remove(ctx, set, id); err != nil {
				return err
			}
			continue
		}
		o, err := s.load(ctx, id)
		if errors.Is(err, errs.NotFound) {
			if err := s.work.Remove(ctx, set, id); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		switch set {
		case setUnreleased:
			if !o.StockReleased {
				sw.Released++
			}
			err = s.releaseOrder(ctx, o)
		case setCardUnpaid:
			if o.Status == StatusPending && o.Paid == 0 {
				if err = s.cancelUnpaid(ctx, []Order{o}, "card payment expired"); err == nil {
					sw.Expired++
				}
			}
			if err == nil {
				err = s.work.Remove(ctx, setCardUnpaid, id)
			}
		case setReindex:
			if err = s.ensureLedger(ctx, o); err == nil {
				err = s.reindexed(ctx, o)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sweepUnconfirmed cancels the pending orders no producer confirmed (and
// nobody paid) before their expiry; their stock returns.
func (s *Service) sweepUnconfirmed(ctx context.Context, now time.Time, sw *Swept) error {
	m, err := s.unconfirmed.Members(ctx)
	if err != nil {
		return err
	}
	for id, at := range m {
		if at.After(now) {
			continue
		}
		o, err := s.load(ctx, id)
		if errors.Is(err, errs.NotFound) {
			err = nil
		} else if err == nil && o.Status == StatusPending && o.Paid == 0 {
			if err = s.cancelUnpaid(ctx, []Order{o}, "not confirmed in time"); err == nil {
				sw.Expired++
			}
		}
		if err != nil {
			return err
		}
		if err := s.unconfirmed.Remove(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// decide finishes an interrupted checkout whose lease the caller took. The
// rule depends only on what is stored, so a decider that stops half-way and
// the one after it agree: if every order of the checkout is there and every
// line that keeps stock holds its reservation (and none was given back), the
// checkout goes forward and its orders become pending; otherwise it is rolled
// back. Card checkouts always roll back: their payment link was never stored.
func (s *Service) decide(ctx context.Context, checkoutID string, all []Order, sw *Swept) error {
	var err error
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
			if forward, err = s.moved(ctx, o, l, true); err != nil {
				return err
			}
			if forward {
				released, err := s.moved(ctx, o, l, false)
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
			if _, err := s.confirmReserved(ctx, o, now, false); err != nil {
				return err
			}
			sw.Finished++
			continue
		}
		if err := s.work.Add(ctx, setUnreleased, o.ID, now); err != nil {
			return err
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

// moved reports whether line l's reservation (or its release) happened,
// finishing it first if a crash cut it short.
func (s *Service) moved(ctx context.Context, o Order, l Line, reservation bool) (bool, error) {
	m := catalog.StockMove{Key: l.releaseKey(o.ID), ProductID: l.ProductID, InitiativeID: o.InitiativeID,
		Delta: l.Quantity, Kind: catalog.MoveCancellation, Ref: o.ID, Reason: "order " + o.ID}
	if reservation {
		m.Key, m.Delta, m.Kind = l.reserveKey(o.ID), -l.Quantity, catalog.MoveReservation
	}
	return s.catalog.SettleStockMove(ctx, m)
}

// settleKey completes the key of a checkout that placed its orders but
// stopped before storing the answer, and frees the key of one rolled back.
func (s *Service) settleKey(ctx context.Context, checkoutID string, e checkoutEntry, all []Order, sw *Swept) error {
	c, err := s.findKey(ctx, e.Key, e.CreatedAt)
	if errors.Is(err, errs.NotFound) || (err == nil && (c.State != "pending" || c.CheckoutID != checkoutID)) {
		return nil // freed, completed, or never claimed by this checkout
	}
	if err != nil {
		return err
	}
	placed := len(all) > 0
	for _, o := range all {
		placed = placed && o.Status != StatusReserving && o.Status != StatusFailed
	}
	if !placed {
		if _, err := s.keys(c.CreatedAt).DeleteOne(ctx, bson.M{"_id": e.Key, "state": "pending"}); err != nil {
			return storage.Err("idempotency key", err)
		}
		sw.KeysFreed++
		return nil
	}
	body, err := json.Marshal(CheckoutResult{CheckoutID: checkoutID, Orders: all, PaymentURL: all[0].PaymentURL, Token: c.Token})
	if err != nil {
		return err
	}
	if err := s.completeKey(ctx, c, body); err != nil {
		return err
	}
	sw.KeysCompleted++
	return nil
}
