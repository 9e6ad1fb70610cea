package progress

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// A wrong expense is annulled by a reversing entry (once, however often
// asked) or corrected (annulled and written again): the month's expenses
// follow, nothing is removed, and the receipt's photo is kept privately.
func TestCashbookCorrectionsAndReceipts(t *testing.T) {
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 20, 15, 0, 0, 0, colombia.Zone)
	s := NewService(db, Options{Objects: objects, Clock: func() time.Time { return now }})
	ctx := t.Context()
	rosa := &accounts.Principal{UserID: "u-rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-a"}}
	adviser := &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a"}}
	spentInMay := func() int64 {
		t.Helper()
		m, _, err := s.monthExpenses(ctx, "ini-a")
		if err != nil {
			t.Fatal(err)
		}
		return m["2026-05"]
	}
	add := func(pesos int64) Expense {
		t.Helper()
		e, err := s.AddExpense(ctx, rosa, "ini-a", ExpenseInput{Date: "2026-05-04", Category: "rent", Amount: money.Pesos(pesos)}, "")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	var rent, flour Expense
	scans := storagetest.ScansDuring(db, func() {
		rent, flour = add(50_000), add(30_000)
		if got := spentInMay(); got != money.Pesos(80_000).Amount {
			t.Fatalf("May's expenses %d", got)
		}
		if _, err := s.ReverseExpense(ctx, adviser, "ini-a", rent.ID, "no era de la panadería"); !errors.Is(err, errs.Forbidden) {
			t.Errorf("the adviser annulling: %v, want forbidden", err)
		}
		for range 2 { // sent twice: annulled once
			if _, err := s.ReverseExpense(ctx, rosa, "ini-a", rent.ID, "no era de la panadería"); err != nil {
				t.Fatal(err)
			}
		}
		if got := spentInMay(); got != money.Pesos(30_000).Amount {
			t.Errorf("May's expenses after annulling the rent: %d, want 30,000 pesos", got)
		}
		if _, err := s.CorrectExpense(ctx, rosa, "ini-a", flour.ID, ExpenseInput{Date: "2026-05-04", Category: "supplies", Amount: money.Pesos(-1)}); !isInvalid(err) {
			t.Errorf("a correction to a negative amount: %v, want invalid", err)
		}
		if _, err := s.CorrectExpense(ctx, rosa, "ini-a", flour.ID, ExpenseInput{Date: "2026-05-04", Category: "supplies", Amount: money.Pesos(35_000)}); err != nil {
			t.Fatal(err)
		}
		if got := spentInMay(); got != money.Pesos(35_000).Amount {
			t.Errorf("May's expenses after correcting the flour: %d, want 35,000 pesos", got)
		}
		page, err := s.Expenses(ctx, adviser, "ini-a", "", 20)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Expense{}
		for _, e := range page.Items {
			byID[e.ID] = e.Value
		}
		if len(byID) != 5 || byID[rent.ID].ReversedBy == "" || byID[byID[rent.ID].ReversedBy].Reverses != rent.ID || byID[byID[rent.ID].ReversedBy].Amount.Amount != -rent.Amount.Amount {
			t.Errorf("the cashbook after the corrections: %+v", byID)
		}
		rev := byID[rent.ID].ReversedBy
		if _, err := s.ReverseExpense(ctx, rosa, "ini-a", rev, ""); !errors.Is(err, errs.Conflict) {
			t.Errorf("annulling an annulment: %v, want a conflict", err)
		}
		// The receipt.
		photo := mentoring.Upload{Name: "recibo.jpg", ContentType: "image/jpeg", Ext: "jpg", Data: []byte("jpeg bytes")}
		if _, err := s.AttachReceipt(ctx, rosa, "ini-a", flour.ID, mentoring.Upload{ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF")}); !errors.Is(err, errs.Unsupported) {
			t.Errorf("a PDF as a receipt: %v, want unsupported", err)
		}
		if _, err := s.AttachReceipt(ctx, rosa, "ini-a", flour.ID, photo); err != nil {
			t.Fatal(err)
		}
		r, _, err := s.OpenReceipt(ctx, adviser, "ini-a", flour.ID)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		r.Close()
		if string(body) != "jpeg bytes" {
			t.Errorf("the receipt read back: %q", body)
		}
		other := &accounts.Principal{UserID: "u-dora", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-b"}}
		if _, _, err := s.OpenReceipt(ctx, other, "ini-a", flour.ID); !errors.Is(err, errs.Forbidden) {
			t.Errorf("another producer reading the receipt: %v, want forbidden", err)
		}
	})
	if len(scans) > 0 {
		t.Fatalf("the cashbook scanned collections: %+v", scans)
	}
	if got := spentInMay(); got != money.Pesos(35_000).Amount { // the receipt changed no sum
		t.Errorf("May's expenses after the receipt: %d", got)
	}
}
