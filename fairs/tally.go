package fairs

import (
	"context"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// Each initiative's sales at a fair are a counted feed in fair_tallies
// (owner "<fair>:<initiative>"), one entry per order: its totals are kept as
// the sales arrive (each counted once, in the write that adds it), so the
// units left, a closing and the report read a few documents by _id
// whatever the fair sold.

// saleEntry is an order as the fair's tally keeps it.
type saleEntry struct {
	At       time.Time        `bson:"at"`
	Method   string           `bson:"m"`
	Amount   int64            `bson:"a"`
	Units    int64            `bson:"u"`
	Buyer    string           `bson:"b,omitempty"` // phone, to count distinct buyers
	Products map[string]int64 `bson:"p"`           // units per product
	Amounts  map[string]int64 `bson:"pa"`          // amount per product
	Flagged  bool             `bson:"f,omitempty"`
	Table    string           `bson:"t,omitempty"` // the shared table it was sold at
	// Void marks the entry that reverses an undone sale (see undo.go).
	Void bool `bson:"v,omitempty"`
}

// Names of the tally's sums.
const (
	sumSales   = "sales"
	sumUnits   = "units"
	sumAmount  = "amount"
	sumFlagged = "flagged"
)

func methodSum(m string) string   { return "m_" + m }
func methodCount(m string) string { return "n_" + m }
func soldSum(id string) string    { return "sold_" + id }
func amountSum(id string) string  { return "amt_" + id }

// hourSum keys the sales of an hour in Bogotá ("h_2026120314").
// tableSum keys what an initiative's sales at a shared table took by a method.
func tableSum(table, method string) string { return "tm_" + table + "_" + method }

func hourSum(t time.Time) string { return "h_" + t.In(colombia.Zone).Format("2006010215") }

func saleTally(e saleEntry) map[string]int64 {
	t := map[string]int64{sumSales: 1, sumUnits: e.Units, sumAmount: e.Amount,
		methodSum(e.Method): e.Amount, methodCount(e.Method): 1, hourSum(e.At): 1}
	if e.Flagged {
		t[sumFlagged] = 1
	}
	if e.Table != "" {
		t[tableSum(e.Table, e.Method)] = e.Amount
	}
	for id, n := range e.Products {
		t[soldSum(id)] += n
	}
	for id, a := range e.Amounts {
		t[amountSum(id)] += a
	}
	if e.Void {
		for k, v := range t {
			t[k] = -v
		}
	}
	return t
}

// tallyPerBucket keeps a bucket near 8 KB (an entry is about 150 bytes).
const tallyPerBucket = 50

func tallyOwner(fairID, initiativeID string) string { return fairID + ":" + initiativeID }

func entryOf(o orders.Order) saleEntry {
	e := saleEntry{At: o.CreatedAt, Method: o.PaymentMethod, Amount: o.Total.Amount, Buyer: o.Buyer.Phone, Table: o.FairTable,
		Products: map[string]int64{}, Amounts: map[string]int64{}, Flagged: len(o.Flags) > 0}
	for _, l := range o.Lines {
		e.Units += l.Quantity
		e.Products[l.ProductID] += l.Quantity
		e.Amounts[l.ProductID] += l.Subtotal.Amount
	}
	return e
}

// tally counts orders in their initiatives' tallies (a retry counts none twice).
func (s *Service) tally(ctx context.Context, list []orders.Order) error {
	by := map[string][]storage.Entry[saleEntry]{}
	for _, o := range list {
		owner := tallyOwner(o.FairID, o.InitiativeID)
		by[owner] = append(by[owner], storage.Entry[saleEntry]{ID: o.ID, Value: entryOf(o)})
	}
	for owner, entries := range by {
		if _, err := s.tallies.AppendMany(ctx, owner, entries); err != nil {
			return err
		}
	}
	return nil
}

// totals are an initiative's sums at a fair.
func (s *Service) totals(ctx context.Context, fairID, initiativeID string) (map[string]int64, error) {
	return s.tallies.Totals(ctx, tallyOwner(fairID, initiativeID))
}

// soldAtFair is the units sold of each product with stock at the fair.
func (s *Service) soldAtFair(ctx context.Context, f Fair) (map[string]int64, error) {
	sold := map[string]int64{}
	seen := map[string]bool{}
	for _, b := range f.Stock {
		if seen[b.InitiativeID] {
			continue
		}
		seen[b.InitiativeID] = true
		t, err := s.totals(ctx, f.ID, b.InitiativeID)
		if err != nil {
			return nil, err
		}
		for name, n := range t {
			if id, ok := strings.CutPrefix(name, "sold_"); ok {
				sold[id] = n
			}
		}
	}
	return sold, nil
}

// entries reads an initiative's tally entries at a fair, by order, without
// the sales undone (closing, report: bounded by what one initiative sold at
// one fair, never by history).
func (s *Service) entries(ctx context.Context, fairID, initiativeID string) (map[string]saleEntry, error) {
	out := map[string]saleEntry{}
	var voided []string
	err := s.tallies.Buckets(ctx, tallyOwner(fairID, initiativeID), func(_ string, e map[string]saleEntry) bool {
		for id, v := range e {
			if v.Void {
				voided = append(voided, strings.TrimPrefix(id, voidID("")))
				continue
			}
			out[id] = v
		}
		return true
	})
	for _, id := range voided {
		delete(out, id)
	}
	return out, err
}
