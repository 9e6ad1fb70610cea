package orders

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// Collections of the first layout, read once by MigrateToBuckets.
const (
	legacyKeys   = "idempotency_keys"
	legacyLeases = "checkout_leases"
)

// LegacyCollections are those whose documents mark a data directory made
// before the bucket layout.
var LegacyCollections = []string{"orders", legacyKeys, legacyLeases}

// MigrateToBuckets builds, from the orders of a data directory made before
// version 2, what lists and the sweeper read now: a checkout record per
// checkout (with its lease when one was still open), the checkouts under way,
// the day collections of recent idempotency keys, every initiative's board,
// history and ledger, every buyer's history, and the working sets of unreleased
// stock and unpaid card orders. It reads the old collections whole, once; run
// again from the start after a crash, it writes the same documents.
func (s *Service) MigrateToBuckets(ctx context.Context) error {
	var all []Order
	if err := storage.ReadAll(ctx, s.orders, &all); err != nil {
		return err
	}
	var keys []claimRecord
	if err := storage.ReadAll(ctx, s.db.Collection(legacyKeys), &keys); err != nil {
		return err
	}
	var leases []struct {
		ID        string    `bson:"_id"`
		Key       string    `bson:"key"`
		CreatedAt time.Time `bson:"created_at"`
	}
	if err := storage.ReadAll(ctx, s.db.Collection(legacyLeases), &leases); err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b Order) int { return strings.Compare(a.ID, b.ID) })

	// Checkouts, their keys and leases.
	keyOf := map[string]claimRecord{}
	for _, c := range keys {
		keyOf[c.CheckoutID] = c
	}
	leased := map[string]bool{}
	for _, l := range leases {
		leased[l.ID] = true
		if err := s.open.Add(ctx, l.ID, checkoutEntry{Key: l.Key, CreatedAt: l.CreatedAt}); err != nil {
			return err
		}
	}
	checkouts := map[string]*checkoutDoc{}
	var order []string
	for _, o := range all {
		c := checkouts[o.CheckoutID]
		if c == nil {
			c = &checkoutDoc{ID: o.CheckoutID, Key: keyOf[o.CheckoutID].Key, Lease: leased[o.CheckoutID], CreatedAt: o.CreatedAt}
			checkouts[o.CheckoutID] = c
			order = append(order, o.CheckoutID)
		}
		c.Orders = append(c.Orders, o.ID)
	}
	// In batches; a record already there (a run cut by a crash) is kept.
	for start := 0; start < len(order); start += 500 {
		docs := make([]any, 0, 500)
		for _, id := range order[start:min(start+500, len(order))] {
			docs = append(docs, checkouts[id])
		}
		if _, err := s.checkouts.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil && !onlyDuplicates(err) {
			return storage.Err("checkouts", err)
		}
	}
	// Keys: the recent ones move to their day; pending ones are checkouts under way.
	now := s.now()
	for _, c := range keys {
		if c.State == "pending" {
			if err := s.open.Add(ctx, c.CheckoutID, checkoutEntry{Key: c.Key, CreatedAt: c.CreatedAt}); err != nil {
				return err
			}
		}
		if c.CreatedAt.Before(now.Add(-48*time.Hour)) && c.State == "done" {
			continue
		}
		if _, err := s.keys(c.CreatedAt).ReplaceOne(ctx, bson.M{"_id": c.Key}, c, options.Replace().SetUpsert(true)); err != nil {
			return storage.Err("idempotency key", err)
		}
	}

	// Lists, rebuilt from scratch.
	if err := s.feeds.Drop(ctx); err != nil {
		return err
	}
	names, err := s.db.ListCollectionNames(ctx, bson.M{"name": bson.M{"$regex": "^order_board_"}})
	if err != nil {
		return storage.Err("boards", err)
	}
	for _, n := range names {
		if err := s.db.Collection(n).Drop(ctx); err != nil {
			return storage.Err("boards", err)
		}
	}
	byInitiative, byBuyer := map[string][]storage.Entry[Summary]{}, map[string][]storage.Entry[Summary]{}
	for _, o := range all {
		if o.Status == StatusPending && o.PaymentMethod == MethodCard && o.Paid == 0 && o.ExpiresAt != nil {
			if err := s.work.Add(ctx, setCardUnpaid, o.ID, *o.ExpiresAt); err != nil {
				return err
			}
		}
		if !o.StockReleased && (o.Status == StatusCancelled || o.Status == StatusFailed) {
			if err := s.work.Add(ctx, setUnreleased, o.ID, o.UpdatedAt); err != nil {
				return err
			}
		}
		if !listed(o.Status) {
			continue
		}
		sum := o.Summary()
		if onBoard(o.Status) {
			if err := s.boards(o.InitiativeID).Add(ctx, o.ID, sum); err != nil {
				return err
			}
		}
		byInitiative[o.InitiativeID] = append(byInitiative[o.InitiativeID], storage.Entry[Summary]{ID: o.ID, Value: sum})
		if o.Buyer.UserID != "" {
			byBuyer[o.Buyer.UserID] = append(byBuyer[o.Buyer.UserID], storage.Entry[Summary]{ID: o.ID, Value: sum})
		}
	}
	located := map[string]bson.M{}
	for owner, entries := range byInitiative {
		keys, err := s.feeds.Rebuild(ctx, initiativeFeed(owner), entries)
		if err != nil {
			return err
		}
		for id, k := range keys {
			located[id] = bson.M{"feed_initiative": k}
		}
	}
	for owner, entries := range byBuyer {
		keys, err := s.feeds.Rebuild(ctx, buyerFeed(owner), entries)
		if err != nil {
			return err
		}
		for id, k := range keys {
			located[id]["feed_buyer"] = k
		}
	}
	for _, o := range all {
		set, ok := located[o.ID]
		if !ok {
			continue
		}
		if _, err := s.orders.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": set}); err != nil {
			return storage.Err("order "+o.ID, err)
		}
	}
	// Which checkout each Stripe session pays for.
	for _, o := range all {
		if o.StripeSession == "" {
			continue
		}
		if _, err := s.db.Collection("stripe_sessions").ReplaceOne(ctx, bson.M{"_id": o.StripeSession},
			bson.M{"checkout_id": o.CheckoutID}, options.Replace().SetUpsert(true)); err != nil {
			return storage.Err("stripe session", err)
		}
	}
	if err := s.rebuildLedgers(ctx, all); err != nil {
		return err
	}
	for _, name := range []string{legacyKeys, legacyLeases} {
		if err := s.db.Collection(name).Drop(ctx); err != nil {
			return storage.Err(name, err)
		}
	}
	return nil
}

// RebuildLedgers makes every initiative's ledger, and so its counters,
// again from the orders' money and the payouts: a recount, for
// `tesoro rebuild-counters` and the upgrade of ledgers kept before they were
// counted. It reads the orders whole; the program serves meanwhile, but a
// payment recorded during the rebuild may be missed, so run it when the
// programme is quiet (the command says so).
func (s *Service) RebuildLedgers(ctx context.Context) error {
	var all []Order
	if err := storage.ReadAll(ctx, s.orders, &all); err != nil {
		return err
	}
	return s.rebuildLedgers(ctx, all)
}

func (s *Service) rebuildLedgers(ctx context.Context, all []Order) error {
	var payouts []Payout
	if err := storage.ReadAll(ctx, s.payouts, &payouts); err != nil {
		return err
	}
	if err := s.ledgers.Drop(ctx); err != nil {
		return err
	}
	money := map[string][]storage.Entry[ledgerEntry]{}
	for _, o := range all {
		for _, p := range o.Payments {
			money[o.InitiativeID] = append(money[o.InitiativeID], storage.Entry[ledgerEntry]{ID: p.ID, Value: paymentEntry(o, p)})
		}
		for _, r := range o.Refunds {
			money[o.InitiativeID] = append(money[o.InitiativeID], storage.Entry[ledgerEntry]{ID: r.ID, Value: refundEntry(o, r)})
		}
	}
	for _, po := range payouts {
		money[po.InitiativeID] = append(money[po.InitiativeID], storage.Entry[ledgerEntry]{ID: payoutLedgerID(po), Value: payoutEntry(po)})
	}
	for ini, entries := range money {
		// Oldest first, as they were recorded, so pages run newest first.
		slices.SortFunc(entries, func(a, b storage.Entry[ledgerEntry]) int { return strings.Compare(a.ID, b.ID) })
		if _, err := s.ledgers.Rebuild(ctx, ledgerOwner(ini), entries); err != nil {
			return err
		}
	}
	return nil
}

// ExpireUnconfirmed gives the pending orders of a directory made before
// orders expired (unpaid, not by card, with no expiry) the pending TTL from
// now, and puts them in the working set the sweeper cancels from. It reads
// the boards (the live orders), not the history; run again, it changes
// nothing more.
func (s *Service) ExpireUnconfirmed(ctx context.Context) error {
	names, err := s.db.ListCollectionNames(ctx, bson.M{"name": bson.M{"$regex": "^order_board_"}})
	if err != nil {
		return storage.Err("boards", err)
	}
	exp := s.now().Add(s.pendingTTL)
	for _, n := range names {
		live, err := s.boards(strings.TrimPrefix(n, "order_board_")).Members(ctx)
		if err != nil {
			return err
		}
		for id, sum := range live {
			if sum.Status != StatusPending || sum.PaymentMethod == MethodCard || sum.Paid != 0 || sum.ExpiresAt != nil {
				continue
			}
			res, err := s.orders.UpdateOne(ctx, bson.M{"_id": id, "status": StatusPending, "paid": 0, "expires_at": bson.M{"$exists": false}},
				bson.M{"$set": bson.M{"expires_at": exp}})
			if err != nil {
				return storage.Err("order "+id, err)
			}
			if res.ModifiedCount == 1 {
				if err := s.unconfirmed.Add(ctx, id, exp); err != nil {
					return err
				}
				o, err := s.load(ctx, id)
				if err != nil {
					return err
				}
				if err := s.reindexed(ctx, o); err != nil { // the board and histories show the expiry
					return err
				}
			}
		}
	}
	return nil
}

// onlyDuplicates reports a bulk insert whose every failure is a document
// that was there already.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return storage.IsDuplicateKey(err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// ScanAll hands every order to each, a batch at a time: a full scan of the
// orders, for recounts run with the programme quiet (rebuild-counters),
// never for a page or a sweep.
func (s *Service) ScanAll(ctx context.Context, each func([]Order) error) error {
	cur, err := s.orders.Find(ctx, bson.M{}, options.Find().SetBatchSize(500))
	if err != nil {
		return storage.Err("orders", err)
	}
	defer cur.Close(ctx)
	batch := make([]Order, 0, 500)
	for cur.Next(ctx) {
		var o Order
		if err := cur.Decode(&o); err != nil {
			return storage.Err("orders", err)
		}
		if batch = append(batch, o); len(batch) == cap(batch) {
			if err := each(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := cur.Err(); err != nil {
		return storage.Err("orders", err)
	}
	if len(batch) > 0 {
		return each(batch)
	}
	return nil
}
