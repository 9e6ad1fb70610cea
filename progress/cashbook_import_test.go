package progress

import (
	"reflect"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// Imported expenses read as those AddExpense records: the cashbook's page
// and each month's totals (what margins are made of), counted once however
// often the import runs.
func TestImportedExpensesReadLikeAddExpense(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, colombia.Zone)
	clock := func() time.Time { return now }
	live, past := NewService(storagetest.DB(t), Options{Clock: clock}), NewService(storagetest.DB(t), Options{Clock: clock})
	admin := &accounts.Principal{UserID: "admin", Roles: []string{accounts.RoleAdmin}}
	ins := []ExpenseInput{
		{Date: "2025-02-03", Category: "supplies", Amount: money.Pesos(84_000), Note: "Harina y cuajada"},
		{Date: "2025-02-17", Category: "transport", Amount: money.Pesos(12_000)},
		{Date: "2026-10-05", Category: "rent", Amount: money.Pesos(150_000), Note: "Local del parque"},
	}
	var pastIns []PastExpense
	for i, in := range ins {
		if _, err := live.AddExpense(ctx, admin, "ini", in, ""); err != nil {
			t.Fatal(err)
		}
		pastIns = append(pastIns, PastExpense{Key: string(rune('a' + i)), ExpenseInput: in})
	}
	for range 2 {
		if err := past.ImportExpenses(ctx, "ini", admin.UserID, pastIns); err != nil {
			t.Fatalf("ImportExpenses: %v", err)
		}
	}
	gotMonths, gotCats, err := past.monthExpenses(ctx, "ini")
	if err != nil {
		t.Fatal(err)
	}
	wantMonths, wantCats, err := live.monthExpenses(ctx, "ini")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotMonths, wantMonths) || !reflect.DeepEqual(gotCats, wantCats) {
		t.Errorf("totals: got %v %v, want %v %v", gotMonths, gotCats, wantMonths, wantCats)
	}
	got, err := past.Expenses(ctx, admin, "ini", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	want, err := live.Expenses(ctx, admin, "ini", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 3 || len(want.Items) != 3 {
		t.Fatalf("pages: got %d, want %d expenses (3)", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		g, w := got.Items[i].Value, want.Items[i].Value
		if g.Date != w.Date || g.Category != w.Category || g.Amount != w.Amount || g.Note != w.Note || g.RecordedBy != w.RecordedBy {
			t.Errorf("expense %d: got %+v, want %+v", i, g, w)
		}
	}
	if err := past.ImportExpenses(ctx, "ini", "admin", []PastExpense{{Key: "z", ExpenseInput: ExpenseInput{Date: "2026-12-01", Category: "rent", Amount: money.Pesos(1)}}}); err == nil {
		t.Error("an expense dated in the future was imported")
	}
}
