package progress

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// The cashbook (libro de gastos) is each initiative's expenses, a counted
// feed in progress_expenses (owner: the initiative) whose sums are the
// expenses of each month and of each month's categories, so the margin of
// any month is one read of the feed's totals. Entries are never changed in
// amount nor removed: a wrong one is annulled by a reversing entry (its
// amount negative, in its month and category), and a correction is that
// reversal and the right expense. A receipt photo is a private object
// (private/expenses/<initiative>/<expense>.<ext>).

// Categories of expenses, in the order the phone offers them.
var Categories = []string{"supplies", "transport", "packaging", "rent", "utilities", "labour", "other"}

// Expense is one expense of an initiative.
type Expense struct {
	ID         string      `bson:"id" json:"id"`
	Date       string      `bson:"date" json:"date"` // YYYY-MM-DD, Bogotá
	Category   string      `bson:"category" json:"category"`
	Amount     money.Money `bson:"amount" json:"amount"`
	Note       string      `bson:"note,omitempty" json:"note,omitempty"`
	Receipt    string      `bson:"receipt,omitempty" json:"-"` // object key of its photo
	HasReceipt bool        `bson:"-" json:"has_receipt"`
	RecordedBy string      `bson:"recorded_by" json:"recorded_by"`
	RecordedAt time.Time   `bson:"recorded_at" json:"recorded_at"`
	// Reverses names the expense a reversing entry annuls (its amount is
	// that one's, negative); ReversedBy, on the annulled one, the entry.
	Reverses   string `bson:"reverses,omitempty" json:"reverses,omitempty"`
	ReversedBy string `bson:"reversed_by,omitempty" json:"reversed_by,omitempty"`
}

// ExpenseInput is an expense as the producer writes it.
type ExpenseInput struct {
	Date     string      `json:"date"`
	Category string      `json:"category"`
	Amount   money.Money `json:"amount"`
	Note     string      `json:"note,omitempty"`
}

// expensesPerBucket keeps a bucket near 8 KB (an expense is about 200 bytes).
const expensesPerBucket = 40

// maxExpense bounds one expense: 100 million pesos.
const maxExpense = 100_000_000 * 100

func expenseTally(e Expense) map[string]int64 {
	m := e.Date[:7]
	return map[string]int64{"m_" + m: e.Amount.Amount, "c_" + m + "_" + e.Category: e.Amount.Amount}
}

// CanKeepBook says who writes an initiative's cashbook: its producers and admins.
func CanKeepBook(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || slices.Contains(p.ProducerInitiatives(), initiativeID)
}

// CanReadBook says who reads it: those, and the initiative's advisers.
func CanReadBook(p *accounts.Principal, initiativeID string) bool {
	return CanKeepBook(p, initiativeID) || p.Advises(initiativeID)
}

func denied(p *accounts.Principal, what string) error {
	if p == nil {
		return errs.Unauthenticated
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

// checkExpense says what is wrong with an expense as written.
func (s *Service) checkExpense(in ExpenseInput) error {
	var fe errs.Fields
	day, err := time.ParseInLocation(time.DateOnly, in.Date, colombia.Zone)
	today := s.now().In(colombia.Zone)
	if err != nil || day.After(today) || day.Before(today.AddDate(-3, 0, 0)) {
		fe.Add("date", errs.CodeOutOfRange, "must be a day YYYY-MM-DD from three years ago to today")
	}
	if !slices.Contains(Categories, in.Category) {
		fe.Add("category", errs.CodeUnknown, "must be one of "+strings.Join(Categories, ", "), "allowed", Categories)
	}
	if (in.Amount.Currency != "" && in.Amount.Currency != money.COP) || in.Amount.Amount <= 0 || in.Amount.Amount > maxExpense {
		fe.Add("amount", errs.CodeOutOfRange, "must be an amount in COP above 0", "min", 1, "max", maxExpense)
	}
	if utf8.RuneCountInString(clean.Text(in.Note)) > 300 {
		fe.Add("note", errs.CodeTooLong, "must have at most 300 characters", "max", 300)
	}
	return fe.Err()
}

// AddExpense records an expense. key (an Idempotency-Key, or "") makes a
// form sent twice record it once.
func (s *Service) AddExpense(ctx context.Context, p *accounts.Principal, initiativeID string, in ExpenseInput, key string) (Expense, error) {
	if !CanKeepBook(p, initiativeID) {
		return Expense{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	in.Note = clean.Text(in.Note)
	if in.Amount.Currency == "" {
		in.Amount.Currency = money.COP
	}
	if err := s.checkExpense(in); err != nil {
		return Expense{}, err
	}
	day, _ := time.ParseInLocation(time.DateOnly, in.Date, colombia.Zone)
	e := Expense{ID: storage.NewID(), Date: in.Date, Category: in.Category, Amount: in.Amount, Note: in.Note,
		RecordedBy: p.UserID, RecordedAt: s.now()}
	if key != "" {
		e.ID = storage.KeyedID(initiativeID+"|expense|"+key, day) // the same form sent again: the same id
	}
	if _, err := s.expenses.AppendMany(ctx, initiativeID, []storage.Entry[Expense]{{ID: e.ID, Value: e}}); err != nil {
		return Expense{}, err
	}
	return e, s.milestonesChanged(ctx, initiativeID)
}

// Expenses pages an initiative's expenses, the last recorded first.
func (s *Service) Expenses(ctx context.Context, p *accounts.Principal, initiativeID, cursor string, limit int) (storage.Page[Expense], error) {
	if !CanReadBook(p, initiativeID) {
		return storage.Page[Expense]{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	page, err := s.expenses.Page(ctx, initiativeID, cursor, limit, nil)
	for i := range page.Items {
		page.Items[i].Value.HasReceipt = page.Items[i].Value.Receipt != ""
	}
	return page, err
}

// recentExpense finds an expense the producer may still annul or give a
// receipt: one of the feed's two newest buckets (at least the last 40).
func (s *Service) recentExpense(ctx context.Context, initiativeID, id string) (string, Expense, error) {
	key, e, found, err := s.expenses.Recent(ctx, initiativeID, id)
	if err == nil && !found {
		err = fmt.Errorf("expense %s among the recent ones of initiative %s: %w", id, initiativeID, errs.NotFound)
	}
	return key, e, err
}

// ReverseExpense annuls an expense with a reversing entry (reason says
// why). Sent again it annuls nothing more: the entry's id comes from the
// expense's.
func (s *Service) ReverseExpense(ctx context.Context, p *accounts.Principal, initiativeID, id, reason string) (Expense, error) {
	if !CanKeepBook(p, initiativeID) {
		return Expense{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	reason = clean.Text(reason)
	if utf8.RuneCountInString(reason) > 300 {
		var fe errs.Fields
		fe.Add("reason", errs.CodeTooLong, "must have at most 300 characters", "max", 300)
		return Expense{}, fe.Err()
	}
	key, orig, err := s.recentExpense(ctx, initiativeID, id)
	if err != nil {
		return Expense{}, err
	}
	if orig.Reverses != "" {
		return Expense{}, fmt.Errorf("expense %s annuls another: %w", id, errs.Conflict)
	}
	day, _ := time.ParseInLocation(time.DateOnly, orig.Date, colombia.Zone)
	rev := Expense{ID: storage.KeyedID(initiativeID+"|reverse|"+id, day), Date: orig.Date, Category: orig.Category,
		Amount: money.Money{Amount: -orig.Amount.Amount, Currency: orig.Amount.Currency}, Note: reason, Reverses: id,
		RecordedBy: p.UserID, RecordedAt: s.now()}
	if orig.ReversedBy != "" && orig.ReversedBy != rev.ID {
		return Expense{}, fmt.Errorf("expense %s is annulled: %w", id, errs.Conflict)
	}
	if _, err := s.expenses.AppendMany(ctx, initiativeID, []storage.Entry[Expense]{{ID: rev.ID, Value: rev}}); err != nil {
		return Expense{}, err
	}
	orig.ReversedBy = rev.ID
	if err := s.expenses.Put(ctx, key, id, orig); err != nil {
		return Expense{}, err
	}
	return rev, s.milestonesChanged(ctx, initiativeID)
}

// CorrectExpense annuls an expense and records the right one in its place.
func (s *Service) CorrectExpense(ctx context.Context, p *accounts.Principal, initiativeID, id string, in ExpenseInput) (Expense, error) {
	if !CanKeepBook(p, initiativeID) {
		return Expense{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	if err := s.checkExpense(in); err != nil { // a wrong correction annuls nothing
		return Expense{}, err
	}
	if _, err := s.ReverseExpense(ctx, p, initiativeID, id, "corrección"); err != nil {
		return Expense{}, err
	}
	return s.AddExpense(ctx, p, initiativeID, in, "correct:"+id)
}

// AttachReceipt keeps the photo of an expense's receipt (a re-encoded
// image), replacing an earlier one.
func (s *Service) AttachReceipt(ctx context.Context, p *accounts.Principal, initiativeID, id string, photo mentoring.Upload) (Expense, error) {
	if !CanKeepBook(p, initiativeID) {
		return Expense{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	if s.objects == nil {
		return Expense{}, fmt.Errorf("receipts: no object store: %w", errs.Unavailable)
	}
	if !strings.HasPrefix(photo.ContentType, "image/") {
		return Expense{}, fmt.Errorf("a receipt is a photo: %w", errs.Unsupported)
	}
	key, e, err := s.recentExpense(ctx, initiativeID, id)
	if err != nil {
		return Expense{}, err
	}
	objectKey := "private/expenses/" + initiativeID + "/" + id + "." + photo.Ext
	if _, err := s.objects.Put(ctx, objectKey, bytes.NewReader(photo.Data), int64(len(photo.Data)), photo.ContentType); err != nil {
		return Expense{}, err
	}
	old := e.Receipt
	e.Receipt = objectKey
	if err := s.expenses.Put(ctx, key, id, e); err != nil {
		return Expense{}, err
	}
	if old != "" && old != objectKey {
		_ = s.objects.Delete(ctx, old)
	}
	e.HasReceipt = true
	return e, nil
}

// OpenReceipt reads an expense's receipt photo for who reads the cashbook.
func (s *Service) OpenReceipt(ctx context.Context, p *accounts.Principal, initiativeID, id string) (io.ReadCloser, storage.Object, error) {
	if !CanReadBook(p, initiativeID) {
		return nil, storage.Object{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	_, e, err := s.recentExpense(ctx, initiativeID, id)
	if err != nil {
		return nil, storage.Object{}, err
	}
	if e.Receipt == "" || s.objects == nil {
		return nil, storage.Object{}, fmt.Errorf("receipt of expense %s: %w", id, errs.NotFound)
	}
	return s.objects.Get(ctx, e.Receipt)
}

// MonthExpenses answers an initiative's expenses per month, and per month
// and category ("YYYY-MM" → category → amount), from the feed's totals.
func (s *Service) monthExpenses(ctx context.Context, initiativeID string) (map[string]int64, map[string]map[string]int64, error) {
	t, err := s.expenses.Totals(ctx, initiativeID)
	if err != nil {
		return nil, nil, err
	}
	months, cats := map[string]int64{}, map[string]map[string]int64{}
	for k, v := range t {
		switch {
		case strings.HasPrefix(k, "m_"):
			months[k[2:]] = v
		case strings.HasPrefix(k, "c_") && len(k) > 10:
			m, c := k[2:9], k[10:]
			if cats[m] == nil {
				cats[m] = map[string]int64{}
			}
			cats[m][c] = v
		}
	}
	return months, cats, nil
}

// PastExpense is an expense of an imported cashbook.
type PastExpense struct {
	Key string // makes its id: the same key, the same expense
	ExpenseInput
}

// ImportExpenses writes an initiative's past expenses, checked as AddExpense
// checks them, in a write per bucket of the cashbook (its counted feed, so
// each month's totals are kept as AddExpense keeps them) instead of one per
// expense: for the demo and imports only. Run again with the same expenses,
// it counts none twice.
func (s *Service) ImportExpenses(ctx context.Context, initiativeID, recordedBy string, past []PastExpense) error {
	entries := make([]storage.Entry[Expense], 0, len(past))
	for i, in := range past {
		in.Note = clean.Text(in.Note)
		if err := s.checkExpense(in.ExpenseInput); err != nil {
			return fmt.Errorf("expenses[%d]: %w", i, err)
		}
		if in.Key == "" {
			var fe errs.Fields
			fe.Add(fmt.Sprintf("expenses[%d].key", i), errs.CodeRequired, "each past expense needs a key")
			return fe.Err()
		}
		if in.Amount.Currency == "" {
			in.Amount.Currency = money.COP
		}
		day, _ := time.ParseInLocation(time.DateOnly, in.Date, colombia.Zone)
		at := day.Add(19 * time.Hour).UTC()
		e := Expense{ID: storage.KeyedID(initiativeID+"|past-expense|"+in.Key, at), Date: in.Date, Category: in.Category,
			Amount: in.Amount, Note: in.Note, RecordedBy: recordedBy, RecordedAt: at}
		entries = append(entries, storage.Entry[Expense]{ID: e.ID, Value: e})
	}
	// Oldest first, as they would have been recorded: pages run newest first.
	slices.SortFunc(entries, func(a, b storage.Entry[Expense]) int { return strings.Compare(a.ID, b.ID) })
	if _, err := s.expenses.AppendMany(ctx, initiativeID, entries); err != nil {
		return err
	}
	return s.milestonesChanged(ctx, initiativeID)
}
