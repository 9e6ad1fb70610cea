package progress

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// The cashbook (libro de gastos) is each initiative's expenses, a counted
// feed in progress_expenses (owner: the initiative) whose sums are the
// expenses of each month and of each month's categories, so the margin of
// any month is one read of the feed's totals.

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
	RecordedBy string      `bson:"recorded_by" json:"recorded_by"`
	RecordedAt time.Time   `bson:"recorded_at" json:"recorded_at"`
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

// AddExpense records an expense. key (an Idempotency-Key, or "") makes a
// form sent twice record it once.
func (s *Service) AddExpense(ctx context.Context, p *accounts.Principal, initiativeID string, in ExpenseInput, key string) (Expense, error) {
	if !CanKeepBook(p, initiativeID) {
		return Expense{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	var fe errs.Fields
	day, err := time.ParseInLocation(time.DateOnly, in.Date, colombia.Zone)
	today := s.now().In(colombia.Zone)
	if err != nil || day.After(today) || day.Before(today.AddDate(-3, 0, 0)) {
		fe.Add("date", errs.CodeOutOfRange, "must be a day YYYY-MM-DD from three years ago to today")
	}
	if !slices.Contains(Categories, in.Category) {
		fe.Add("category", errs.CodeUnknown, "must be one of "+strings.Join(Categories, ", "), "allowed", Categories)
	}
	if in.Amount.Currency == "" {
		in.Amount.Currency = money.COP
	}
	if in.Amount.Currency != money.COP || in.Amount.Amount <= 0 || in.Amount.Amount > maxExpense {
		fe.Add("amount", errs.CodeOutOfRange, "must be an amount in COP above 0", "min", 1, "max", maxExpense)
	}
	in.Note = clean.Text(in.Note)
	if utf8.RuneCountInString(in.Note) > 300 {
		fe.Add("note", errs.CodeTooLong, "must have at most 300 characters", "max", 300)
	}
	if err := fe.Err(); err != nil {
		return Expense{}, err
	}
	e := Expense{ID: storage.NewID(), Date: in.Date, Category: in.Category, Amount: in.Amount, Note: in.Note,
		RecordedBy: p.UserID, RecordedAt: s.now()}
	if key != "" {
		e.ID = storage.KeyedID(initiativeID+"|expense|"+key, day) // the same form sent again: the same id
	}
	if _, err := s.expenses.AppendMany(ctx, initiativeID, []storage.Entry[Expense]{{ID: e.ID, Value: e}}); err != nil {
		return Expense{}, err
	}
	return e, nil
}

// Expenses pages an initiative's expenses, the last recorded first.
func (s *Service) Expenses(ctx context.Context, p *accounts.Principal, initiativeID, cursor string, limit int) (storage.Page[Expense], error) {
	if !CanReadBook(p, initiativeID) {
		return storage.Page[Expense]{}, denied(p, "the cashbook of initiative "+initiativeID)
	}
	return s.expenses.Page(ctx, initiativeID, cursor, limit, nil)
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
	today := s.now().In(colombia.Zone)
	var fe errs.Fields
	entries := make([]storage.Entry[Expense], 0, len(past))
	for i, in := range past {
		day, err := time.ParseInLocation(time.DateOnly, in.Date, colombia.Zone)
		field := func(name string) string { return fmt.Sprintf("expenses[%d].%s", i, name) }
		if err != nil || day.After(today) || day.Before(today.AddDate(-3, 0, 0)) {
			fe.Add(field("date"), errs.CodeOutOfRange, "must be a day YYYY-MM-DD from three years ago to today")
			continue
		}
		if !slices.Contains(Categories, in.Category) {
			fe.Add(field("category"), errs.CodeUnknown, "must be one of "+strings.Join(Categories, ", "))
		}
		if in.Amount.Currency == "" {
			in.Amount.Currency = money.COP
		}
		if in.Amount.Currency != money.COP || in.Amount.Amount <= 0 || in.Amount.Amount > maxExpense {
			fe.Add(field("amount"), errs.CodeOutOfRange, "must be an amount in COP above 0")
		}
		in.Note = clean.Text(in.Note)
		if utf8.RuneCountInString(in.Note) > 300 || in.Key == "" {
			fe.Add(field("note"), errs.CodeTooLong, "a key, and a note of at most 300 characters")
		}
		at := day.Add(19 * time.Hour).UTC()
		e := Expense{ID: storage.KeyedID(initiativeID+"|past-expense|"+in.Key, at), Date: in.Date, Category: in.Category,
			Amount: in.Amount, Note: in.Note, RecordedBy: recordedBy, RecordedAt: at}
		entries = append(entries, storage.Entry[Expense]{ID: e.ID, Value: e})
	}
	if err := fe.Err(); err != nil {
		return err
	}
	// Oldest first, as they would have been recorded: pages run newest first.
	slices.SortFunc(entries, func(a, b storage.Entry[Expense]) int { return strings.Compare(a.ID, b.ID) })
	_, err := s.expenses.AppendMany(ctx, initiativeID, entries)
	return err
}
