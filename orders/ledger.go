package orders

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Each initiative's money lives in a ledger (a counted storage.Feed
// "l:<initiative>" in order_ledgers): one entry per payment, refund and
// payout, appended when it is recorded, each bucket keeping the sums of its
// entries. A statement reads the totals (the head and the newest buckets)
// and a page of entries; it never queries the orders. A crash between recording the
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

// payoutLedgerID names a payout in the ledger: its recording time first,
// so that it sorts among the payments and refunds (ObjectIDs) of its time.
func payoutLedgerID(po Payout) string {
	return primitive.NewObjectIDFromTimestamp(po.RecordedAt).Hex() + "-" + strings.ReplaceAll(po.ID, ":", "-")
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
	key, err := s.ledgers.Locate(ctx, ledgerOwner(po.InitiativeID), payoutLedgerID(po))
	if err != nil || key != "" {
		return err
	}
	return s.appendLedger(ctx, po.InitiativeID, payoutLedgerID(po), payoutEntry(po))
}

// ledgerTally is what an entry adds to its initiative's totals: the
// ledger is a counted feed, so the totals are kept as it grows (each entry
// counted once, in the write that adds it) and a statement never adds up
// the whole history.
func ledgerTally(e ledgerEntry) map[string]int64 {
	a := e.Amount.Amount
	t := map[string]int64{}
	switch e.Kind {
	case "payment":
		t["sales"] = a
		if e.Method == MethodCard {
			t["card_received"] = a
		}
	case "refund":
		t["refunds"] = a
		if e.Method == MethodCard {
			t["card_refunded"] = a
		}
	case "payout":
		t["payouts"], t["payout_count"] = a, 1
	}
	return t
}

// owedEffect is how an entry changes what the programme owes the initiative.
func owedEffect(e Entry) int64 {
	switch {
	case e.Kind == "payment" && e.Method == MethodCard:
		return e.Amount.Amount
	case e.Kind == "refund" && e.Method == MethodCard, e.Kind == "payout":
		return -e.Amount.Amount
	}
	return 0
}

func (e ledgerEntry) entry() Entry {
	return Entry{At: e.At, Kind: e.Kind, OrderID: e.OrderID, Method: e.Method, Amount: e.Amount, Reference: e.Reference}
}

// ledgerAll reads an initiative's whole ledger: for the CSV download and
// the rebuild, never for a page.
func (s *Service) ledgerAll(ctx context.Context, initiativeID string) ([]Entry, error) {
	var out []Entry
	err := s.ledgers.Buckets(ctx, ledgerOwner(initiativeID), func(_ string, entries map[string]ledgerEntry) bool {
		for _, e := range entries {
			out = append(out, e.entry())
		}
		return true
	})
	return out, err
}

func isPayoutMark(id string) (string, bool) { return strings.CutPrefix(id, payoutMark) }
