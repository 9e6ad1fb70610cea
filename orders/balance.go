package orders

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Payout is money the programme paid an initiative by hand for card sales it
// collected (Stripe cannot pay out to Colombian accounts).
type Payout struct {
	ID           string      `bson:"_id" json:"id"`
	InitiativeID string      `bson:"initiative_id" json:"initiative_id"`
	Amount       money.Money `bson:"amount" json:"amount"`
	Method       string      `bson:"method" json:"method"` // bank, nequi
	Reference    string      `bson:"reference" json:"reference"`
	PaidAt       time.Time   `bson:"paid_at" json:"paid_at"`
	RecordedBy   string      `bson:"recorded_by" json:"recorded_by"`
	RecordedAt   time.Time   `bson:"recorded_at" json:"recorded_at"`
}

// PayoutInput is a payout an admin records.
type PayoutInput struct {
	Amount    money.Money `json:"amount"`
	Method    string      `json:"method"`
	Reference string      `json:"reference"`
	PaidAt    *time.Time  `json:"paid_at,omitempty"`
}

// Statement is an initiative's money: what buyers paid (any way), what was
// refunded, and the card money the programme holds and owes it.
type Statement struct {
	InitiativeID string      `json:"initiative_id"`
	Sales        money.Money `json:"sales"`
	Refunds      money.Money `json:"refunds"`
	CardReceived money.Money `json:"card_received"`
	CardRefunded money.Money `json:"card_refunded"`
	Payouts      money.Money `json:"payouts"`
	// Owed is card money received, less card refunds and payouts.
	Owed    money.Money `json:"owed"`
	Entries []Entry     `json:"entries"`

	payoutCount int
}

// Entry is one movement of money in a statement.
type Entry struct {
	At        time.Time   `json:"at"`
	Kind      string      `json:"kind"` // payment, refund, payout
	OrderID   string      `json:"order_id,omitempty"`
	Method    string      `json:"method"`
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
	// OwedAfter is what the programme owes the initiative after this entry.
	OwedAfter money.Money `json:"owed_after"`
}

// RecordPayout records a payout to an initiative (admins only); it cannot
// exceed what is owed.
func (s *Service) RecordPayout(ctx context.Context, p *accounts.Principal, initiativeID string, in PayoutInput) (Payout, error) {
	if !p.IsAdmin() {
		return Payout{}, denied(p, "payouts")
	}
	st, err := s.statement(ctx, initiativeID)
	if err != nil {
		return Payout{}, err
	}
	var f errs.Fields
	checkAmount(&f, in.Amount, money.COP)
	if in.Method != "bank" && in.Method != MethodNequi {
		f.Add("method", "must be bank or nequi")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if n := utf8.RuneCountInString(in.Reference); n < 2 || n > 100 {
		f.Add("reference", "say which transfer it was (2 to 100 characters)")
	}
	if in.Amount.Amount > st.Owed.Amount {
		f.Add("amount.amount", "is more than the "+st.Owed.String()+" owed")
	}
	now := s.now()
	paidAt := now
	if in.PaidAt != nil {
		paidAt = in.PaidAt.UTC().Truncate(time.Millisecond)
		if paidAt.After(now.Add(24 * time.Hour)) {
			f.Add("paid_at", "cannot be in the future")
		}
	}
	if err := f.Err(); err != nil {
		return Payout{}, err
	}
	// The id is the initiative and the payout's number: two admins paying
	// out against the same statement at once collide on it, and the second
	// is refused instead of paying more than is owed.
	po := Payout{ID: fmt.Sprintf("%s:%d", initiativeID, st.payoutCount+1), InitiativeID: initiativeID, Amount: in.Amount,
		Method: in.Method, Reference: in.Reference, PaidAt: paidAt, RecordedBy: p.UserID, RecordedAt: now}
	// Marked first: a crash after the insert leaves the payout for the
	// sweeper to put in the ledger.
	mark := payoutMark + po.ID
	if err := s.work.Add(ctx, setReindex, mark, now); err != nil {
		return Payout{}, err
	}
	_, err = s.payouts.InsertOne(ctx, po)
	if storage.IsDuplicateKey(err) {
		return Payout{}, fmt.Errorf("another payout to this initiative was just recorded; check the balance again: %w", errs.Conflict)
	}
	if err != nil {
		return Payout{}, storage.Err("payout", err)
	}
	if err := s.appendLedger(ctx, initiativeID, po.ID, payoutEntry(po)); err != nil {
		return po, err
	}
	return po, s.work.Remove(ctx, setReindex, mark)
}

// Statement returns an initiative's statement to its producers, advisers and admins.
func (s *Service) Statement(ctx context.Context, p *accounts.Principal, initiativeID string) (Statement, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return Statement{}, denied(p, "statement of initiative "+initiativeID)
	}
	return s.statement(ctx, initiativeID)
}

func (s *Service) statement(ctx context.Context, initiativeID string) (Statement, error) {
	entries, payoutCount, err := s.ledger(ctx, initiativeID)
	if err != nil {
		return Statement{}, err
	}
	// Oldest first; the same instant keeps a fixed order (kind, then order).
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.OrderID < b.OrderID
	})
	zero := money.Money{Currency: money.COP}
	st := Statement{InitiativeID: initiativeID, Sales: zero, Refunds: zero, CardReceived: zero, CardRefunded: zero, Payouts: zero, Owed: zero,
		Entries: []Entry{}, payoutCount: payoutCount}
	for _, e := range entries {
		switch {
		case e.Kind == "payment":
			st.Sales = st.Sales.Add(e.Amount)
			if e.Method == MethodCard {
				st.CardReceived = st.CardReceived.Add(e.Amount)
				st.Owed = st.Owed.Add(e.Amount)
			}
		case e.Kind == "refund":
			st.Refunds = st.Refunds.Add(e.Amount)
			if e.Method == MethodCard {
				st.CardRefunded = st.CardRefunded.Add(e.Amount)
				st.Owed = st.Owed.Add(e.Amount.Times(-1))
			}
		case e.Kind == "payout":
			st.Payouts = st.Payouts.Add(e.Amount)
			st.Owed = st.Owed.Add(e.Amount.Times(-1))
		}
		e.OwedAfter = st.Owed
		st.Entries = append(st.Entries, e)
	}
	return st, nil
}

// WriteCSV writes a statement for a spreadsheet: one row per movement,
// amounts in pesos with two decimals, then the totals.
func (st Statement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "kind", "order", "method", "amount", "currency", "reference", "owed_after"})
	for _, e := range st.Entries {
		_ = cw.Write([]string{e.At.Format(time.RFC3339), e.Kind, e.OrderID, e.Method, pesos(e.Amount), e.Amount.Currency,
			csvSafe(e.Reference), pesos(e.OwedAfter)})
	}
	for _, t := range []struct {
		name string
		m    money.Money
	}{{"sales", st.Sales}, {"refunds", st.Refunds}, {"card_received", st.CardReceived},
		{"card_refunded", st.CardRefunded}, {"payouts", st.Payouts}, {"owed", st.Owed}} {
		_ = cw.Write([]string{"", "total_" + t.name, "", "", pesos(t.m), t.m.Currency, "", ""})
	}
	cw.Flush()
	return cw.Error()
}

// pesos writes minor units as a decimal number ("12500.00").
func pesos(m money.Money) string {
	sign, a := "", m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%s.%02d", sign, strconv.FormatInt(a/100, 10), a%100)
}

// csvSafe keeps a spreadsheet from reading free text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
