package orders_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
)

// answer is outcome with the invalid fields: "422 amount,method".
func answer(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		names := make([]string, len(ve.Fields))
		for i, fe := range ve.Fields {
			names[i] = fe.Field
		}
		return "422 " + strings.Join(names, ",")
	}
	return outcome(err)
}

func cop(minor int64) money.Money { return money.Money{Amount: minor, Currency: money.COP} }

func sumPayments(o orders.Order) int64 {
	var n int64
	for _, p := range o.Payments {
		n += p.Amount.Amount
	}
	for _, r := range o.Refunds {
		n -= r.Amount.Amount
	}
	return n
}

func TestRecordPayments(t *testing.T) {
	f := newFixture(t, orders.Options{})
	o := place(t, f, nil, guestInput(line(f.arepa, 3))).Orders[0] // $ 6.000
	if o.Total != cop(600000) {
		t.Fatalf("total %v, want $ 6.000", o.Total)
	}
	// The producer records the money five days after the order.
	f.clock.Add(5 * 24 * time.Hour)
	now := f.clock.Now().UTC().Truncate(time.Millisecond)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	prod := producerOf(f.arepas)
	steps := []struct {
		name     string
		p        *accounts.Principal
		in       orders.PaymentInput
		key      string
		want     string
		wantPaid int64
		wantN    int // payments recorded
	}{
		{"cash, back-dated three days", prod, orders.PaymentInput{Amount: cop(100000), Method: orders.MethodCash, PaidAt: at(-3 * 24 * time.Hour)}, "", "200", 100000, 1},
		{"transfer by an admin", admin, orders.PaymentInput{Amount: cop(200000), Method: orders.MethodTransfer}, "form-1", "200", 300000, 2},
		{"the same form again", admin, orders.PaymentInput{Amount: cop(200000), Method: orders.MethodTransfer}, "form-1", "200", 300000, 2},
		{"more than outstanding", prod, orders.PaymentInput{Amount: cop(300001), Method: orders.MethodNequi}, "", "422 amount.amount", 300000, 2},
		{"wrong currency", prod, orders.PaymentInput{Amount: money.Money{Amount: 1000, Currency: "USD"}, Method: orders.MethodCash}, "", "422 amount.currency", 300000, 2},
		{"zero", prod, orders.PaymentInput{Amount: cop(0), Method: orders.MethodCash}, "", "422 amount.amount", 300000, 2},
		{"a sum that would overflow", prod, orders.PaymentInput{Amount: cop(9223372036854775807), Method: orders.MethodCash}, "", "422 amount.amount", 300000, 2},
		{"card by hand", prod, orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCard}, "", "422 method", 300000, 2},
		{"in two days", prod, orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash, PaidAt: at(48 * time.Hour)}, "", "422 paid_at", 300000, 2},
		{"long before the order", prod, orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash, PaidAt: at(-40 * 24 * time.Hour)}, "", "422 paid_at", 300000, 2},
		{"producer of another initiative", producerOf(f.bakery), orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash}, "", "403", 300000, 2},
		{"adviser", adviserOf(f.arepas), orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash}, "", "403", 300000, 2},
		{"anonymous", nil, orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash}, "", "401", 300000, 2},
		{"nequi, the rest", prod, orders.PaymentInput{Amount: cop(300000), Method: orders.MethodNequi}, "", "200", 600000, 3},
		{"one peso more", prod, orders.PaymentInput{Amount: cop(100), Method: orders.MethodCash}, "", "422 amount.amount", 600000, 3},
	}
	for _, st := range steps {
		got, err := f.svc.RecordPayment(t.Context(), st.p, o.ID, st.in, st.key)
		if a := answer(err); a != st.want {
			t.Fatalf("%s: got %s (%v), want %s", st.name, a, err, st.want)
		}
		stored := f.load(t, o.ID)
		if st.want == "200" && got.Paid != stored.Paid {
			t.Errorf("%s: answered paid %d, stored %d", st.name, got.Paid, stored.Paid)
		}
		if stored.Paid != st.wantPaid || len(stored.Payments) != st.wantN || sumPayments(stored) != stored.Paid {
			t.Errorf("%s: got paid %d in %d payments summing %d, want %d in %d", st.name, stored.Paid, len(stored.Payments), sumPayments(stored), st.wantPaid, st.wantN)
		}
		if got, want := stored.IsPaid(), st.wantPaid == o.Total.Amount; got != want {
			t.Errorf("%s: IsPaid %v at %d of %d, want %v", st.name, got, stored.Paid, o.Total.Amount, want)
		}
	}
	final := f.load(t, o.ID)
	if len(final.Payments) != 3 {
		t.Fatalf("got %d payments, want 3", len(final.Payments))
	}
	wantPayments := []struct {
		method string
		amount int64
		paidAt time.Time
		by     string
	}{
		{orders.MethodCash, 100000, now.Add(-3 * 24 * time.Hour), prod.UserID},
		{orders.MethodTransfer, 200000, now, admin.UserID},
		{orders.MethodNequi, 300000, now, prod.UserID},
	}
	for i, w := range wantPayments {
		p := final.Payments[i]
		if p.Method != w.method || p.Amount != cop(w.amount) || !p.PaidAt.Equal(w.paidAt) || !p.RecordedAt.Equal(now) || p.RecordedBy != w.by {
			t.Errorf("payment %d: got %+v, want %s %d paid at %s by %s", i, p, w.method, w.amount, w.paidAt, w.by)
		}
	}

	t.Run("cancelled order", func(t *testing.T) {
		c := place(t, f, nil, guestInput(line(f.arepa, 1))).Orders[0]
		f.drive(t, c.ID, orders.StatusCancelled)
		_, err := f.svc.RecordPayment(t.Context(), prod, c.ID, orders.PaymentInput{Amount: cop(1000), Method: orders.MethodCash}, "")
		if a := answer(err); a != "409" {
			t.Errorf("got %s (%v), want 409", a, err)
		}
		if got := f.load(t, c.ID); got.Paid != 0 || len(got.Payments) != 0 {
			t.Errorf("got paid %d in %d payments, want nothing", got.Paid, len(got.Payments))
		}
	})
}

func TestCashRefunds(t *testing.T) {
	f := newFixture(t, orders.Options{})
	o := place(t, f, nil, guestInput(line(f.arepa, 3))).Orders[0] // $ 6.000
	prod := producerOf(f.arepas)
	if _, err := f.svc.RecordPayment(t.Context(), prod, o.ID, orders.PaymentInput{Amount: cop(600000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		p        *accounts.Principal
		in       orders.RefundInput
		key      string
		want     string
		wantPaid int64
		refunds  int
	}{
		{"part, in cash", prod, orders.RefundInput{Amount: cop(100000), Method: orders.MethodCash, Reason: "two were broken"}, "r-1", "200", 500000, 1},
		{"the same refund again", prod, orders.RefundInput{Amount: cop(100000), Method: orders.MethodCash, Reason: "two were broken"}, "r-1", "200", 500000, 1},
		{"more than paid", prod, orders.RefundInput{Amount: cop(500001), Method: orders.MethodNequi}, "", "422 amount.amount", 500000, 1},
		{"card without Stripe", prod, orders.RefundInput{Amount: cop(100), Method: orders.MethodCard}, "", "422 method", 500000, 1},
		{"wrong currency", prod, orders.RefundInput{Amount: money.Money{Amount: 100, Currency: "USD"}, Method: orders.MethodCash}, "", "422 amount.currency", 500000, 1},
		{"producer of another initiative", producerOf(f.bakery), orders.RefundInput{Amount: cop(100), Method: orders.MethodCash}, "", "403", 500000, 1},
		{"all that is left, by transfer", admin, orders.RefundInput{Amount: cop(500000), Method: orders.MethodTransfer}, "", "200", 0, 2},
	}
	for _, st := range steps {
		got, err := f.svc.Refund(t.Context(), st.p, o.ID, st.in, st.key)
		if a := answer(err); a != st.want {
			t.Fatalf("%s: got %s (%v), want %s", st.name, a, err, st.want)
		}
		stored := f.load(t, o.ID)
		if st.want == "200" && got.Paid != stored.Paid {
			t.Errorf("%s: answered paid %d, stored %d", st.name, got.Paid, stored.Paid)
		}
		if stored.Paid != st.wantPaid || len(stored.Refunds) != st.refunds || sumPayments(stored) != stored.Paid {
			t.Errorf("%s: got paid %d with %d refunds (sum %d), want %d with %d", st.name, stored.Paid, len(stored.Refunds), sumPayments(stored), st.wantPaid, st.refunds)
		}
		if stored.IsPaid() != (st.wantPaid == o.Total.Amount) {
			t.Errorf("%s: IsPaid %v at %d, want %v", st.name, stored.IsPaid(), stored.Paid, st.wantPaid == o.Total.Amount)
		}
	}
	if r := f.load(t, o.ID).Refunds[0]; r.Method != orders.MethodCash || r.Amount != cop(100000) || r.Reason != "two were broken" || r.RecordedBy != prod.UserID || r.StripeID != "" {
		t.Errorf("first refund %+v, want $ 1.000 cash with its reason, by the producer, no Stripe id", r)
	}
}

// TestBalanceStatement: an initiative sells for cash and by card, refunds
// some of each, and the programme pays part of the card money out.
func TestBalanceStatement(t *testing.T) {
	f := newCardFixture(t, orders.Options{})
	prod := producerOf(f.arepas)
	step := func() time.Time { f.clock.Add(time.Minute); return f.clock.Now().UTC().Truncate(time.Millisecond) }

	cash := place(t, f, nil, guestInput(line(f.arepa, 3))).Orders[0] // $ 6.000
	cardIn := guestInput(line(f.arepa, 2))                           // $ 4.000
	cardIn.PaymentMethod = orders.MethodCard
	card := place(t, f, nil, cardIn).Orders[0]
	// Another initiative's money stays out of this statement.
	other := place(t, f, nil, guestInput(line(f.bread, 1))).Orders[0]
	if _, err := f.svc.RecordPayment(t.Context(), producerOf(f.bakery), other.ID, orders.PaymentInput{Amount: cop(150000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}

	t1 := step()
	if _, err := f.svc.RecordPayment(t.Context(), prod, cash.ID, orders.PaymentInput{Amount: cop(600000), Method: orders.MethodCash}, ""); err != nil {
		t.Fatal(err)
	}
	t2 := step()
	f.pay(t, "evt_paid", f.sessionOf(t, card.ID))
	t3 := step()
	if _, err := f.svc.Refund(t.Context(), prod, card.ID, orders.RefundInput{Amount: cop(100000), Method: orders.MethodCard, Reason: "una arepa quemada"}, ""); err != nil {
		t.Fatal(err)
	}
	t4 := step()
	if _, err := f.svc.Refund(t.Context(), prod, cash.ID, orders.RefundInput{Amount: cop(50000), Method: orders.MethodCash, Reason: "=descuento"}, ""); err != nil {
		t.Fatal(err)
	}
	t5 := step()
	payout := orders.PayoutInput{Amount: cop(200000), Method: "bank", Reference: "TRF-001"}
	if _, err := f.svc.RecordPayout(t.Context(), prod, f.arepas.ID, payout, ""); !errors.Is(err, errs.Forbidden) {
		t.Errorf("payout by a producer: got %v, want forbidden", err)
	}
	if _, err := f.svc.RecordPayout(t.Context(), nil, f.arepas.ID, payout, ""); !errors.Is(err, errs.Unauthenticated) {
		t.Errorf("payout by nobody: got %v, want unauthenticated", err)
	}
	if _, err := f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, payout, ""); err != nil {
		t.Fatal(err)
	}
	// Owed now: 4.000 card − 1.000 refunded − 2.000 paid out = 1.000.
	for _, tt := range []struct {
		name string
		in   orders.PayoutInput
		want string
	}{
		{"more than owed", orders.PayoutInput{Amount: cop(100001), Method: orders.MethodNequi, Reference: "N-2"}, "422 amount.amount"},
		{"unknown method", orders.PayoutInput{Amount: cop(100), Method: orders.MethodCash, Reference: "N-2"}, "422 method"},
		{"no reference", orders.PayoutInput{Amount: cop(100), Method: "bank"}, "422 reference"},
	} {
		if _, err := f.svc.RecordPayout(t.Context(), admin, f.arepas.ID, tt.in, ""); answer(err) != tt.want {
			t.Errorf("payout %s: got %s (%v), want %s", tt.name, answer(err), err, tt.want)
		}
	}

	if _, err := f.svc.Statement(t.Context(), producerOf(f.bakery), f.arepas.ID, "", 0); !errors.Is(err, errs.Forbidden) {
		t.Errorf("statement to another initiative's producer: got %v, want forbidden", err)
	}
	if _, err := f.svc.StatementAll(t.Context(), producerOf(f.bakery), f.arepas.ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("whole statement to another initiative's producer: got %v, want forbidden", err)
	}
	st, err := f.svc.StatementAll(t.Context(), prod, f.arepas.ID)
	if err != nil {
		t.Fatal(err)
	}
	totals := []struct {
		name      string
		got, want money.Money
	}{
		{"sales", st.Sales, cop(1000000)},
		{"refunds", st.Refunds, cop(150000)},
		{"card received", st.CardReceived, cop(400000)},
		{"card refunded", st.CardRefunded, cop(100000)},
		{"payouts", st.Payouts, cop(200000)},
		{"owed", st.Owed, cop(100000)},
	}
	for _, tt := range totals {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	// The statement's pages: newest first, two at a time, with the running
	// balance carried from page to page; the totals are the same on each.
	var paged []orders.Entry
	for cursor, n := "", 0; n == 0 || cursor != ""; n++ {
		pg, err := f.svc.Statement(t.Context(), prod, f.arepas.ID, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Owed != st.Owed || pg.Sales != st.Sales || len(pg.Entries) > 2 {
			t.Fatalf("page %d: owed %v, sales %v, %d entries; want %v, %v, at most 2", n, pg.Owed, pg.Sales, len(pg.Entries), st.Owed, st.Sales)
		}
		paged, cursor = append(paged, pg.Entries...), pg.NextCursor
	}
	if len(paged) != len(st.Entries) {
		t.Fatalf("pages list %d movements, the whole statement %d", len(paged), len(st.Entries))
	}
	for i, e := range paged {
		w := st.Entries[len(st.Entries)-1-i]
		if e.Kind != w.Kind || e.Amount != w.Amount || e.OwedAfter != w.OwedAfter {
			t.Errorf("page entry %d: %s %v owed after %v; want %s %v owed after %v", i, e.Kind, e.Amount, e.OwedAfter, w.Kind, w.Amount, w.OwedAfter)
		}
	}
	if _, err := f.svc.Statement(t.Context(), prod, f.arepas.ID, "nonsense", 2); answer(err) != "422 cursor" {
		t.Errorf("a made-up cursor: got %s (%v), want 422 cursor", answer(err), err)
	}

	var buf bytes.Buffer
	if err := st.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("CSV %q: %v", buf.String(), err)
	}
	date := func(t time.Time) string { return t.Format(time.RFC3339) }
	want := [][]string{
		{"date", "kind", "order", "method", "amount", "currency", "reference", "owed_after"},
		{date(t1), "payment", cash.ID, "cash", "6000.00", "COP", "", "0.00"},
		{date(t2), "payment", card.ID, "card", "4000.00", "COP", "", "4000.00"},
		{date(t3), "refund", card.ID, "card", "1000.00", "COP", "una arepa quemada", "3000.00"},
		{date(t4), "refund", cash.ID, "cash", "500.00", "COP", "'=descuento", "3000.00"},
		{date(t5), "payout", "", "bank", "2000.00", "COP", "TRF-001", "1000.00"},
		{"", "total_sales", "", "", "10000.00", "COP", "", ""},
		{"", "total_refunds", "", "", "1500.00", "COP", "", ""},
		{"", "total_card_received", "", "", "4000.00", "COP", "", ""},
		{"", "total_card_refunded", "", "", "1000.00", "COP", "", ""},
		{"", "total_payouts", "", "", "2000.00", "COP", "", ""},
		{"", "total_owed", "", "", "1000.00", "COP", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(rows), len(want), buf.String())
	}
	for i := range want {
		if len(rows[i]) != len(want[i]) {
			t.Errorf("row %d: got %d cells %q, want %q", i, len(rows[i]), rows[i], want[i])
			continue
		}
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d, %s: got %q, want %q", i, want[0][j], rows[i][j], want[i][j])
			}
		}
	}
}
