package orders

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
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
	Owed money.Money `json:"owed"`
	// Entries are the newest movements first (a page: NextCursor goes on).
	Entries    []Entry `json:"entries"`
	NextCursor string  `json:"next_cursor,omitempty"`

	payoutCount int64
}

// Entry is one movement of money in a statement.
type Entry struct {
	At        time.Time   `json:"recorded_at"`
	Kind      string      `json:"kind"` // payment, refund, payout
	OrderID   string      `json:"order_id,omitempty"`
	Method    string      `json:"method"`
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
	// OwedAfter is what the programme owes the initiative after this entry.
	OwedAfter money.Money `json:"owed_after"`
}

// RecordPayout records a payout to an initiative (admins only); it cannot
// exceed what is owed. A key (the client's Idempotency-Key, bound to the
// admin) makes it happen once: the same key with the same payout answers it
// again, marked Replayed; with another payout it is a field error.
func (s *Service) RecordPayout(ctx context.Context, p *accounts.Principal, initiativeID string, in PayoutInput, key string) (Recorded[Payout], error) {
	po, replayed, err := s.recordPayout(ctx, p, initiativeID, in, key, true)
	return Recorded[Payout]{Item: po, Replayed: replayed}, err
}

func (s *Service) recordPayout(ctx context.Context, p *accounts.Principal, initiativeID string, in PayoutInput, key string, retry bool) (Payout, bool, error) {
	if !p.IsAdmin() {
		return Payout{}, false, denied(p, "payouts")
	}
	if key != "" {
		// A replay is answered before the checks: the payout it repeats has
		// already lowered what is owed.
		err := s.payoutKeys.FindOne(ctx, bson.M{"_id": payoutKeyID(p, key)}).Err()
		if err == nil {
			return s.replayPayout(ctx, p, initiativeID, in, key, retry)
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return Payout{}, false, storage.Err("payout key", err)
		}
	}
	st, err := s.totals(ctx, initiativeID)
	if err != nil {
		return Payout{}, false, err
	}
	var f errs.Fields
	checkAmount(&f, in.Amount, money.COP)
	if in.Method != "bank" && in.Method != MethodNequi {
		f.Add("method", errs.CodeUnknown, "must be bank or nequi")
	}
	in.Reference = clean.Line(in.Reference)
	if n := utf8.RuneCountInString(in.Reference); n < 2 || n > 100 {
		f.Add("reference", errs.CodeOutOfRange, "say which transfer it was (2 to 100 characters)", "min", 2, "max", 100)
	}
	if in.Amount.Amount > st.Owed.Amount {
		f.Add("amount.amount", errs.CodeTooMuch, "is more than the "+st.Owed.String()+" owed")
	}
	now := s.now()
	paidAt := now
	if in.PaidAt != nil {
		paidAt = in.PaidAt.UTC().Truncate(time.Millisecond)
		if paidAt.After(now.Add(24 * time.Hour)) {
			f.Add("paid_at", errs.CodeNotAllowed, "cannot be in the future")
		}
	}
	if err := f.Err(); err != nil {
		return Payout{}, false, err
	}
	// The id is the initiative and the payout's number: two admins paying
	// out against the same statement at once collide on it, and the second
	// is refused instead of paying more than is owed.
	po := Payout{ID: fmt.Sprintf("%s:%d", initiativeID, st.payoutCount+1), InitiativeID: initiativeID, Amount: in.Amount,
		Method: in.Method, Reference: in.Reference, PaidAt: paidAt, RecordedBy: p.UserID, RecordedAt: now}
	var claim payoutKey
	if key != "" {
		claim = payoutKey{ID: payoutKeyID(p, key), PayoutID: po.ID, Input: payoutInput(initiativeID, in), At: now}
		if _, err := s.payoutKeys.InsertOne(ctx, claim); storage.IsDuplicateKey(err) {
			return s.replayPayout(ctx, p, initiativeID, in, key, retry)
		} else if err != nil {
			return Payout{}, false, storage.Err("payout key", err)
		}
	}
	// Marked first: a crash after the insert leaves the payout for the
	// sweeper to put in the ledger.
	mark := payoutMark + po.ID
	if err := s.work.Add(ctx, setReindex, mark, now); err != nil {
		return Payout{}, false, err
	}
	_, err = s.payouts.InsertOne(ctx, po)
	if storage.IsDuplicateKey(err) {
		if key != "" {
			_, _ = s.payoutKeys.DeleteOne(ctx, bson.M{"_id": claim.ID, "payout_id": po.ID}) // the key may be used again
		}
		return Payout{}, false, fmt.Errorf("another payout to this initiative was just recorded; check the balance again: %w", errs.Conflict)
	}
	if err != nil {
		return Payout{}, false, storage.Err("payout", err)
	}
	if err := s.appendLedger(ctx, initiativeID, payoutLedgerID(po), payoutEntry(po)); err != nil {
		return po, false, err
	}
	return po, false, s.work.Remove(ctx, setReindex, mark)
}

// payoutKey claims an Idempotency-Key for one payout, before the payout is
// written: a retry finds the claim and answers the payout it names.
type payoutKey struct {
	ID       string    `bson:"_id"` // of who sent the key and the key
	PayoutID string    `bson:"payout_id"`
	Input    string    `bson:"input"` // what was asked, to tell a replay from a reuse
	At       time.Time `bson:"at"`
}

// payoutKeyClaimTTL is how long a claim whose payout was never written (its
// request died between the two writes) holds the key.
const payoutKeyClaimTTL = time.Minute

func payoutKeyID(p *accounts.Principal, key string) string {
	sum := sha256.Sum256([]byte(p.UserID + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

func payoutInput(initiativeID string, in PayoutInput) string {
	paid := ""
	if in.PaidAt != nil {
		paid = in.PaidAt.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	}
	return strings.Join([]string{initiativeID, strconv.FormatInt(in.Amount.Amount, 10), in.Amount.Currency, in.Method, clean.Line(in.Reference), paid}, "\x00")
}

// replayPayout answers a key already claimed: the same payout again, 422 for
// another payout, 409 while the first request is still writing it.
func (s *Service) replayPayout(ctx context.Context, p *accounts.Principal, initiativeID string, in PayoutInput, key string, retry bool) (Payout, bool, error) {
	var claim payoutKey
	if err := s.payoutKeys.FindOne(ctx, bson.M{"_id": payoutKeyID(p, key)}).Decode(&claim); err != nil {
		return Payout{}, false, storage.Err("payout key", err)
	}
	if claim.Input != payoutInput(initiativeID, in) {
		var f errs.Fields
		f.Add("Idempotency-Key", errs.CodeTaken, "was already used for another payout: use a new key for a new payout")
		return Payout{}, false, f.Err()
	}
	var po Payout
	err := s.payouts.FindOne(ctx, bson.M{"_id": claim.PayoutID}).Decode(&po)
	switch {
	case err == nil:
		return po, true, nil
	case !errors.Is(err, mongo.ErrNoDocuments):
		return Payout{}, false, storage.Err("payout", err)
	case retry && s.now().Sub(claim.At) > payoutKeyClaimTTL:
		// The first request died before writing its payout: free the key, try again once.
		if _, err := s.payoutKeys.DeleteOne(ctx, bson.M{"_id": claim.ID, "at": claim.At}); err != nil {
			return Payout{}, false, storage.Err("payout key", err)
		}
		return s.recordPayout(ctx, p, initiativeID, in, key, false)
	default:
		return Payout{}, false, fmt.Errorf("a payout with this Idempotency-Key is still being recorded; check the balance in a minute: %w", errs.Conflict)
	}
}

// StatementPageSize is the movements a statement shows when not told.
const StatementPageSize = 50

// Statement returns an initiative's totals and a page of its movements,
// newest first, to its producers, advisers and admins; cursor is the
// NextCursor of the page before ("" for the newest).
func (s *Service) Statement(ctx context.Context, p *accounts.Principal, initiativeID, cursor string, limit int) (Statement, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return Statement{}, denied(p, "statement of initiative "+initiativeID)
	}
	if limit <= 0 || limit > 100 {
		limit = StatementPageSize
	}
	st, err := s.totals(ctx, initiativeID)
	if err != nil {
		return Statement{}, err
	}
	// The page's running balance starts from what is owed after its newest
	// entry: the total for the first page, carried in the cursor after.
	feedCursor, owed, err := parseStatementCursor(cursor, st.Owed.Amount)
	if err != nil {
		return Statement{}, err
	}
	page, err := s.ledgers.Page(ctx, ledgerOwner(initiativeID), feedCursor, limit, nil)
	if err != nil {
		return Statement{}, err
	}
	for _, it := range page.Items {
		e := it.Value.entry()
		e.OwedAfter = money.Money{Amount: owed, Currency: money.COP}
		owed -= owedEffect(e)
		st.Entries = append(st.Entries, e)
	}
	if page.Next != "" {
		st.NextCursor = page.Next + "~" + strconv.FormatInt(owed, 10)
	}
	return st, nil
}

func parseStatementCursor(c string, owed int64) (string, int64, error) {
	if c == "" {
		return "", owed, nil
	}
	feedCursor, num, ok := strings.Cut(c, "~")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil {
		var f errs.Fields
		f.Add("cursor", errs.CodeInvalid, "is not a cursor this list gave")
		return "", 0, f.Err()
	}
	return feedCursor, n, nil
}

// StatementAll is the whole statement, oldest movement first with the
// running balance: for the CSV download, which is as long as the history.
func (s *Service) StatementAll(ctx context.Context, p *accounts.Principal, initiativeID string) (Statement, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return Statement{}, denied(p, "statement of initiative "+initiativeID)
	}
	st, err := s.totals(ctx, initiativeID)
	if err != nil {
		return Statement{}, err
	}
	entries, err := s.ledgerAll(ctx, initiativeID)
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
	var owed int64
	for _, e := range entries {
		owed += owedEffect(e)
		e.OwedAfter = money.Money{Amount: owed, Currency: money.COP}
		st.Entries = append(st.Entries, e)
	}
	return st, nil
}

// totals is a statement without entries, from the ledger's counters.
func (s *Service) totals(ctx context.Context, initiativeID string) (Statement, error) {
	t, err := s.ledgers.Totals(ctx, ledgerOwner(initiativeID))
	if err != nil {
		return Statement{}, err
	}
	cop := func(a int64) money.Money { return money.Money{Amount: a, Currency: money.COP} }
	return Statement{InitiativeID: initiativeID, Sales: cop(t["sales"]), Refunds: cop(t["refunds"]),
		CardReceived: cop(t["card_received"]), CardRefunded: cop(t["card_refunded"]), Payouts: cop(t["payouts"]),
		Owed: cop(t["card_received"] - t["card_refunded"] - t["payouts"]), Entries: []Entry{}, payoutCount: t["payout_count"]}, nil
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
