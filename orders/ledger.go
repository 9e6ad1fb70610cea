package orders

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Each initiative's money lives in a ledger (storage.Feed "l:<initiative>"
// in order_ledgers): one entry per payment, refund and payout, appended when
// it is recorded. The statement reads that ledger — the initiative's own
// movements — and never queries the orders. A crash between recording the
// money and its ledger entry leaves the order (or the payout) marked in the
// reindex working set, and the sweeper appends what is missing.

type ledgerEntry struct {
	At        time.Time   `bson:"at"`
	Kind      string      `bson:"kind"` // payment, refund, payout
	OrderID   string      `bson:"order_id,omitempty"`
	Method    string      `bson:"method"`
	Amount    money.Money `bson:"amount"`
	Reference string      `bson:"reference,omitempty"`
}

// ledgerPerBucket keeps a bucket near 8 KB (an entry is about 200 bytes).
const ledgerPerBucket = 40

func ledgerOwner(initiativeID string) string { return "l:" + initiativeID }

// payoutMark names a payout in the reindex working set.
const payoutMark = "payout:"

func paymentEntry(o Order, p Payment) ledgerEntry {
	return ledgerEntry{At: p.PaidAt, Kind: "payment", OrderID: o.ID, Method: p.Method, Amount: p.Amount}
}

func refundEntry(o Order, r Refund) ledgerEntry {
	return ledgerEntry{At: r.At, Kind: "refund", OrderID: o.ID, Method: r.Method, Amount: r.Amount, Reference: r.Reason}
}

func payoutEntry(po Payout) ledgerEntry {
	return ledgerEntry{At: po.PaidAt, Kind: "payout", Method: po.Method, Amount: po.Amount, Reference: po.Reference}
}

func (s *Service) appendLedger(ctx context.Context, initiativeID, id string, e ledgerEntry) error {
	_, err := s.ledgers.Append(ctx, ledgerOwner(initiativeID), id, e)
	return err
}

// ensureLedger appends the entries of o's money that its ledger lacks (a
// crash cut them); they were recorded recently, so they are looked for in
// the ledger's newest buckets.
func (s *Service) ensureLedger(ctx context.Context, o Order) error {
	owner := ledgerOwner(o.InitiativeID)
	put := func(id string, e ledgerEntry) error {
		key, err := s.ledgers.Locate(ctx, owner, id)
		if err != nil || key != "" {
			return err
		}
		_, err = s.ledgers.Append(ctx, owner, id, e)
		return err
	}
	for _, p := range o.Payments {
		if err := put(p.ID, paymentEntry(o, p)); err != nil {
			return err
		}
	}
	for _, r := range o.Refunds {
		if err := put(r.ID, refundEntry(o, r)); err != nil {
			return err
		}
	}
	return nil
}

// ensurePayout lists a payout whose ledger entry a crash cut.
func (s *Service) ensurePayout(ctx context.Context, id string) error {
	var po Payout
	if err := storage.Err("payout", s.payouts.FindOne(ctx, bson.M{"_id": id}).Decode(&po)); err != nil {
		if errors.Is(err, errs.NotFound) {
			return nil // never stored: nothing to list
		}
		return err
	}
	key, err := s.ledgers.Locate(ctx, ledgerOwner(po.InitiativeID), po.ID)
	if err != nil || key != "" {
		return err
	}
	return s.appendLedger(ctx, po.InitiativeID, po.ID, payoutEntry(po))
}

// ledger reads an initiative's whole ledger and its number of payouts.
func (s *Service) ledger(ctx context.Context, initiativeID string) ([]Entry, int, error) {
	var out []Entry
	payouts := 0
	err := s.ledgers.Buckets(ctx, ledgerOwner(initiativeID), func(_ string, entries map[string]ledgerEntry) bool {
		for _, e := range entries {
			if e.Kind == "payout" {
				payouts++
			}
			out = append(out, Entry{At: e.At, Kind: e.Kind, OrderID: e.OrderID, Method: e.Method, Amount: e.Amount, Reference: e.Reference})
		}
		return true
	})
	return out, payouts, err
}

func isPayoutMark(id string) (string, bool) { return strings.CutPrefix(id, payoutMark) }
