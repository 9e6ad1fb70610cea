package progress

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// recount is what the counters must say, worked out from the orders as
// they finally are, independently of how they were counted.
func recount(list []orders.Order) map[string]map[string]Figures {
	out := map[string]map[string]Figures{}
	type key struct{ ini, month string }
	buyers := map[key]map[string]bool{}
	firsts := map[string]map[string]string{} // initiative → buyer → first month with a counted order
	for _, o := range list {
		if o.Status == orders.StatusCancelled || o.Status == orders.StatusFailed {
			continue
		}
		m := o.CreatedAt.In(colombia.Zone).Format("2006-01")
		if out[o.InitiativeID] == nil {
			out[o.InitiativeID] = map[string]Figures{}
		}
		f := out[o.InitiativeID][m]
		if f.Channel == nil {
			f.Channel, f.Method = map[string]int64{}, map[string]int64{}
		}
		var refunded, units int64
		for _, r := range o.Refunds {
			refunded += r.Amount.Amount
		}
		for _, l := range o.Lines {
			units += l.Quantity
		}
		amount := o.Total.Amount - refunded
		f.Amount += amount
		f.Refunds += refunded
		f.Channel[o.Channel] += amount
		f.Method[o.PaymentMethod] += amount
		if refunded < o.Total.Amount {
			f.Orders++
			f.Units += units
			b := o.Buyer.UserID
			k := key{o.InitiativeID, m}
			if buyers[k] == nil {
				buyers[k] = map[string]bool{}
			}
			buyers[k][b] = true
			if firsts[o.InitiativeID] == nil {
				firsts[o.InitiativeID] = map[string]string{}
			}
			if first, ok := firsts[o.InitiativeID][b]; !ok || m < first {
				firsts[o.InitiativeID][b] = m
			}
		}
		out[o.InitiativeID][m] = f
	}
	for k, bs := range buyers {
		f := out[k.ini][k.month]
		for b := range bs {
			f.Buyers++
			if firsts[k.ini][b] < k.month {
				f.Repeat++
			}
		}
		out[k.ini][k.month] = f
	}
	for ini, ms := range out {
		for m, f := range ms {
			f.Channel, f.Method = nonZero(f.Channel), nonZero(f.Method)
			out[ini][m] = f
		}
	}
	return out
}

// storm makes orders of three initiatives over four months (some on the
// last evening of a month in Bogotá, which is the next month in UTC), by
// thirty buyers who come back, in every channel and way of paying; then
// cancels some, refunds some in part and some in full. It answers each
// order's states in the order they happened.
func storm(rng *rand.Rand, n int) [][]orders.Order {
	inis := []string{"ini-bakery", "ini-farm", "ini-fish"}
	methods := []string{orders.MethodCash, orders.MethodNequi, orders.MethodTransfer, orders.MethodCredit, orders.MethodCard}
	var out [][]orders.Order
	for i := range n {
		month := time.Month(9 + rng.IntN(4))
		var at time.Time
		if i%10 == 0 { // 23:30 on the month's last day in Bogotá: 04:30 UTC the next day
			at = time.Date(2026, month+1, 1, 4, 30, 0, 0, time.UTC)
		} else {
			at = time.Date(2026, month, 1+rng.IntN(27), rng.IntN(24), 0, 0, 0, colombia.Zone)
		}
		q := int64(1 + rng.IntN(5))
		price := money.Pesos(int64(1000 + rng.IntN(20)*500))
		o := orders.Order{ID: fmt.Sprintf("o%04d", i), InitiativeID: inis[rng.IntN(len(inis))], Status: orders.StatusDelivered,
			Channel: Channels[rng.IntN(len(Channels))], PaymentMethod: methods[rng.IntN(len(methods))], CreatedAt: at,
			Lines: []orders.Line{{ProductID: "p", Quantity: q, UnitPrice: price, Subtotal: price.Times(q)}},
			Total: price.Times(q), Buyer: orders.Buyer{UserID: fmt.Sprintf("u%02d", rng.IntN(30))}}
		states := []orders.Order{o}
		switch rng.IntN(6) {
		case 0:
			c := o
			c.Status = orders.StatusCancelled
			states = append(states, c)
		case 1:
			r := o
			r.Refunds = []orders.Refund{{ID: "r1", Amount: money.Money{Amount: o.Total.Amount / 2, Currency: money.COP}}}
			states = append(states, r)
		case 2:
			r := o
			r.Refunds = []orders.Refund{{ID: "r1", Amount: money.Money{Amount: o.Total.Amount / 2, Currency: money.COP}}}
			full := r
			full.Refunds = append(slices.Clone(r.Refunds), orders.Refund{ID: "r2", Amount: money.Money{Amount: o.Total.Amount - o.Total.Amount/2, Currency: money.COP}})
			states = append(states, r, full)
		}
		out = append(out, states)
	}
	return out
}

// stormEnd is a day after the storm's months (September to December 2026).
var stormEnd = time.Date(2026, 12, 15, 12, 0, 0, 0, colombia.Zone)

func finals(states [][]orders.Order) []orders.Order {
	var out []orders.Order
	for _, s := range states {
		out = append(out, s[len(s)-1])
	}
	return out
}

func wantSeries(t *testing.T, s *Service, want map[string]map[string]Figures) {
	t.Helper()
	for ini, months := range want {
		got, err := s.Series(t.Context(), ini)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range slices.Sorted(maps.Keys(months)) {
			w, g := months[m], got[m]
			if fmt.Sprint(w) != fmt.Sprint(g) {
				t.Errorf("%s %s:\n got %+v\nwant %+v", ini, m, g, w)
			}
		}
		for m, g := range got {
			if _, ok := months[m]; !ok && (g.Orders != 0 || g.Amount != 0) {
				t.Errorf("%s %s: counted %+v, want nothing", ini, m, g)
			}
		}
	}
	// The portfolio's glance holds the same orders and amounts for the
	// months of its window, none before, and the first month sold in.
	glance, err := s.readGlance(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := glanceStart(s.now())
	for ini, months := range want {
		for m, w := range months {
			g, kept := glance[ini].Months[m]
			if m < start && kept {
				t.Errorf("glance of %s keeps %s, older than its window (%s on)", ini, m, start)
			}
			if m >= start && (g.Orders != w.Orders || g.Amount != w.Amount) {
				t.Errorf("glance of %s %s: %+v, want %d orders of %d", ini, m, g, w.Orders, w.Amount)
			}
		}
		for m, g := range glance[ini].Months {
			if _, ok := months[m]; !ok && (g.Orders != 0 || g.Amount != 0) {
				t.Errorf("glance of %s %s: %+v, want nothing", ini, m, g)
			}
		}
		if got, w := glance[ini].First, firstSale(months); got != w {
			t.Errorf("glance of %s: first sale %q, want %q", ini, got, w)
		}
	}
}

// Every state of every order applied as it happened, interleaved across
// orders in batches, with replays of what was applied: the counters equal a
// recount of the orders as they end.
func TestCountersMatchARecountAfterAStormWithReplays(t *testing.T) {
	s := NewService(storagetest.DB(t), Options{Clock: func() time.Time { return stormEnd }})
	rng := rand.New(rand.NewPCG(1, 2))
	states := storm(rng, 300)
	next := make([]int, len(states))
	var applied []orders.Order
	for {
		var batch []orders.Order
		for i := range states {
			if next[i] < len(states[i]) && rng.IntN(3) == 0 {
				batch = append(batch, states[i][next[i]])
				next[i]++
			}
		}
		if len(batch) == 0 {
			done := true
			for i := range states {
				done = done && next[i] == len(states[i])
			}
			if done {
				break
			}
			continue
		}
		// A retry sends again what the last batch sent, the newest state of each.
		if err := s.Count(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(4) == 0 {
			if err := s.Count(t.Context(), batch); err != nil {
				t.Fatal(err)
			}
		}
		applied = append(applied, batch...)
	}
	final := finals(states)
	rng.Shuffle(len(final), func(i, j int) { final[i], final[j] = final[j], final[i] })
	if err := s.Count(t.Context(), final); err != nil { // the whole history replayed
		t.Fatal(err)
	}
	wantSeries(t, s, recount(finals(states)))
	if len(applied) == 0 {
		t.Fatal("nothing was applied")
	}
}

// A count cut after its month is written and before the series is (a
// crash): the retry, or else the sweeper's repair, ends where a recount does.
func TestCountCutByACrashIsRepaired(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	s := NewService(storagetest.DB(t), Options{Clock: func() time.Time { return now }})
	rng := rand.New(rand.NewPCG(3, 4))
	final := finals(storm(rng, 120))
	crash := errors.New("crash")
	calls := 0
	s.cut = func() error {
		if calls++; calls%3 == 0 {
			return crash
		}
		return nil
	}
	if err := s.Count(t.Context(), final[:60]); !errors.Is(err, crash) {
		t.Fatalf("the cut count: %v, want the crash", err)
	}
	s.cut = nil
	if err := s.Count(t.Context(), final[:60]); err != nil { // the retry
		t.Fatal(err)
	}
	wantSeries(t, s, recount(final[:60]))

	calls = 0
	s.cut = func() error { return crash }
	if err := s.Count(t.Context(), final[60:]); !errors.Is(err, crash) {
		t.Fatalf("the cut count: %v, want the crash", err)
	}
	s.cut = nil
	now = now.Add(2 * time.Minute) // no retry: the sweeper comes
	if err := s.Repair(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The months cut are written; only their copy in the series was missing.
	wantSeries(t, s, recountWritten(t, s, final))
}

// recountWritten is the recount of the orders the cut counts wrote: every
// one of them, since each month write happened before the cut.
func recountWritten(t *testing.T, s *Service, list []orders.Order) map[string]map[string]Figures {
	t.Helper()
	var written []orders.Order
	for _, o := range list {
		var m monthDoc
		if err := s.months.FindOne(t.Context(), map[string]any{"_id": monthID(o.InitiativeID, Month(o.CreatedAt))}).Decode(&m); err == nil {
			if _, ok := m.Applied[o.ID]; ok {
				written = append(written, o)
			}
		}
	}
	if len(written) == 0 {
		t.Fatal("no order was written")
	}
	return recount(written)
}

// Rebuild from the orders gives what counting them one by one gave.
func TestRebuildEqualsTheCounts(t *testing.T) {
	s := NewService(storagetest.DB(t), Options{Clock: func() time.Time { return stormEnd }})
	final := finals(storm(rand.New(rand.NewPCG(5, 6)), 200))
	if err := s.Rebuild(t.Context(), func(_ context.Context, each func([]orders.Order) error) error {
		for i := 0; i < len(final); i += 70 {
			if err := each(final[i:min(i+70, len(final))]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantSeries(t, s, recount(final))
}

// The glance keeps a window of months: when the window moves on, the
// sweeper drops the months that left it and the first month sold in stays;
// a late change to an old month does not bring it back; a glance written
// before the window (all months, no first month) gets its first month from
// them before they go.
func TestGlanceKeepsAWindowOfMonths(t *testing.T) {
	db := storagetest.DB(t)
	now := stormEnd
	s := NewService(db, Options{Clock: func() time.Time { return now }})
	final := finals(storm(rand.New(rand.NewPCG(9, 10)), 120))
	if err := s.Count(t.Context(), final); err != nil {
		t.Fatal(err)
	}
	want := recount(final)
	wantSeries(t, s, want) // every month of the storm is in the window

	now = time.Date(2027, 11, 20, 12, 0, 0, 0, colombia.Zone) // the window starts in November 2026
	if err := s.Repair(t.Context()); err != nil {             // the sweeper's pass
		t.Fatal(err)
	}
	wantSeries(t, s, want)
	g, err := s.readGlance(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if m := slices.Sorted(maps.Keys(g["ini-bakery"].Months)); !slices.Equal(m, []string{"2026-11", "2026-12"}) {
		t.Errorf("the bakery's months after the window moved: %v, want November and December 2026", m)
	}
	late := final[0]
	late.ID, late.CreatedAt = "late-one", time.Date(2026, 9, 10, 12, 0, 0, 0, colombia.Zone)
	if err := s.Count(t.Context(), []orders.Order{late}); err != nil {
		t.Fatal(err)
	}
	wantSeries(t, s, recount(append(slices.Clone(final), late)))

	// A glance of before the window: all its months and no first month.
	if err := s.updateGlance(t.Context(), bson.M{"$set": bson.M{"i.ini-old.m": bson.M{"2025-01": glanceMonth{}, "2025-02": glanceMonth{Orders: 2, Amount: 9000},
		"2027-10": glanceMonth{Orders: 1, Amount: 100}}}}); err != nil {
		t.Fatal(err)
	}
	restarted := NewService(db, Options{Clock: func() time.Time { return now }})
	if err := restarted.TrimGlance(t.Context()); err != nil {
		t.Fatal(err)
	}
	if g, err = restarted.readGlance(t.Context()); err != nil {
		t.Fatal(err)
	}
	if old := g["ini-old"]; old.First != "2025-02" || len(old.Months) != 1 || old.Months["2027-10"].Orders != 1 {
		t.Errorf("the glance of before the window, trimmed: %+v, want its first sale 2025-02 and only October 2027", old)
	}
}

// The rule of docs/architecture.md: counting, repairing and reading
// progress go by _id only, whatever the history.
func TestProgressReadsOnlyByID(t *testing.T) {
	db := storagetest.DB(t)
	s := NewService(db, Options{})
	final := finals(storm(rand.New(rand.NewPCG(7, 8)), 150))
	admin := &accounts.Principal{UserID: "admin", Roles: []string{accounts.RoleAdmin}}
	scans := storagetest.ScansDuring(db, func() {
		if err := s.Count(t.Context(), final); err != nil {
			t.Fatal(err)
		}
		if err := s.Repair(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddExpense(t.Context(), admin, "ini-bakery", ExpenseInput{Date: time.Now().In(colombia.Zone).Format(time.DateOnly),
			Category: "rent", Amount: money.Pesos(50_000)}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Progress(t.Context(), admin, "ini-bakery", "2026-09", "2026-12"); err != nil {
			t.Fatal(err)
		}
	})
	if len(scans) > 0 {
		t.Fatalf("progress scanned collections: %+v", scans)
	}
	// The sweep worked the milestones of the counted initiatives out.
	g, err := s.readGlance(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if ms := g["ini-bakery"].Milestones; ms == nil || ms.Reached == 0 || ms.Last == "" {
		t.Errorf("the bakery's milestones in the glance: %+v, want its first sale at least", ms)
	}
	if left, _ := s.stale.Members(t.Context()); len(left) > 1 { // the expense after the sweep marked one again
		t.Errorf("initiatives left to work out: %v", left)
	}
}
