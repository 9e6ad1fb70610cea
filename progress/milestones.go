package progress

import (
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/orders"
)

// Milestones of sustainability (hitos), defined for the whole programme
// (definitions.go: admins edit them). The automatic ones are worked out
// from what happened — the series of sales, the cashbook, the advisory
// sessions, the sales target the adviser set — each reached in the month it
// first became true (not when it was computed), so recomputing after any
// change gives the same months; what happened stays happened, except where
// the definition says the milestone can be lost (Losable: it holds only
// while its rule holds in the last complete month). The manual ones (RUT,
// Cámara de Comercio, INVIMA, an account, a savings habit) are reached when
// an adviser verifies their evidence (records.go), in the month the evidence
// is dated.

// Milestone kinds.
const (
	KindAuto   = "auto"
	KindManual = "manual"
)

// Rules of the automatic milestones.
const (
	RuleFirstSale     = "first_sale"
	RuleFirstFair     = "first_fair"
	RuleMonthsSelling = "months_selling" // sales in each of N months running
	RuleTargetMonths  = "target_months"  // sales ≥ the target in force in each of N months running
	RuleRepeatBuyers  = "repeat_buyers"  // N repeat buyers in all
	RuleBooksKept     = "books_kept"     // expenses recorded and a positive margin N months running
	RuleTrained       = "trained"        // sessions on N topics
)

// Rules lists the automatic rules a definition may use.
var Rules = []string{RuleFirstSale, RuleFirstFair, RuleMonthsSelling, RuleTargetMonths, RuleRepeatBuyers, RuleBooksKept, RuleTrained}

// Milestone is a milestone of an initiative: ReachedOn ("YYYY-MM") is empty
// while not reached.
type Milestone struct {
	Definition
	ReachedOn string `json:"reached_on,omitempty"`
	// LostOn is the month a losable milestone stopped holding (empty while
	// it holds or never held).
	LostOn string `json:"lost_on,omitempty"`
	// Manual ones: their evidence and its review.
	Status   string    `json:"status,omitempty"` // "", submitted, verified, rejected
	Evidence *Evidence `json:"evidence,omitempty"`
	Review   *Review   `json:"review,omitempty"`
}

// facts are what the automatic rules read.
type facts struct {
	series   map[string]Figures
	spent    map[string]int64
	sessions []SessionMark
	targets  []Target
	manual   map[string]ManualRecord
}

// milestones works out each active definition's milestone from the facts;
// now decides the last complete month (for the losable ones).
func milestones(defs []Definition, f facts, now time.Time) []Milestone {
	months := f.months(now)
	out := make([]Milestone, 0, len(defs))
	for _, d := range defs {
		if !d.Active {
			continue
		}
		ms := Milestone{Definition: d}
		if d.Kind == KindManual {
			ms.manual(f.manual[d.Code])
			out = append(out, ms)
			continue
		}
		holds := f.rule(d, months)
		if d.Losable { // judged on complete months: this one is still selling
			complete := months
			for len(complete) > 0 && complete[len(complete)-1] >= Month(now) {
				complete = complete[:len(complete)-1]
			}
			ms.ReachedOn, ms.LostOn = holding(complete, holds)
		} else {
			ms.ReachedOn = firstMonth(months, holds)
		}
		out = append(out, ms)
	}
	return out
}

// months are the calendar months from the first with any fact to the last
// complete one (or the last with a fact, if later), ascending.
func (f facts) months(now time.Time) []string {
	first, last := "", Month(now.In(colombia.Zone).AddDate(0, 0, -now.In(colombia.Zone).Day()))
	see := func(m string) {
		if first == "" || m < first {
			first = m
		}
		if m > last {
			last = m
		}
	}
	for m := range f.series {
		see(m)
	}
	for m := range f.spent {
		see(m)
	}
	for _, s := range f.sessions {
		see(Month(s.Date))
	}
	if first == "" {
		return nil
	}
	start, err := time.ParseInLocation("2006-01", first, colombia.Zone)
	if err != nil {
		return nil
	}
	var out []string
	for m := start; m.Format("2006-01") <= last; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// rule answers whether definition d's rule holds at months[i].
func (f facts) rule(d Definition, months []string) func(i int) bool {
	sold := func(m string) bool { return f.series[m].Orders > 0 }
	switch d.Rule {
	case RuleFirstSale:
		return func(i int) bool { return sold(months[i]) }
	case RuleFirstFair:
		return func(i int) bool { return f.series[months[i]].Channel[orders.ChannelFair] > 0 }
	case RuleMonthsSelling:
		return func(i int) bool { return running(months, i, d.N, sold) }
	case RuleTargetMonths:
		return func(i int) bool {
			return running(months, i, d.N, func(m string) bool {
				t := targetIn(f.targets, m)
				return t > 0 && f.series[m].Amount >= t
			})
		}
	case RuleRepeatBuyers:
		return func(i int) bool {
			var total int64
			for _, m := range months[:i+1] {
				total += f.series[m].Repeat
			}
			return total >= int64(d.N)
		}
	case RuleBooksKept:
		return func(i int) bool {
			return running(months, i, d.N, func(m string) bool { return f.spent[m] > 0 && f.series[m].Amount > f.spent[m] })
		}
	case RuleTrained:
		return func(i int) bool { return topicsBy(f.sessions, months[i]) >= d.N }
	}
	return func(int) bool { return false }
}

// holding is when a losable milestone was reached (the first month of the
// run of months it holds to the last one) or, when it no longer holds, the
// month it stopped.
func holding(months []string, holds func(i int) bool) (reached, lost string) {
	for i := range months {
		switch ok := holds(i); {
		case ok && (reached == "" || lost != ""):
			reached, lost = months[i], ""
		case !ok && reached != "" && lost == "":
			lost = months[i]
		}
	}
	if lost != "" {
		return "", lost
	}
	return reached, ""
}

// targetIn is the sales target in force in month m: the last one set from
// that month or before (minor units; 0: none).
func targetIn(targets []Target, m string) int64 {
	var amount int64
	for _, t := range targets {
		if t.From <= m {
			amount = t.Amount.Amount
		}
	}
	return amount
}

// topicsBy counts the distinct topics of the sessions up to month m.
func topicsBy(sessions []SessionMark, m string) int {
	seen := map[string]bool{}
	for _, s := range sessions {
		if Month(s.Date) <= m {
			for _, t := range s.Topics {
				seen[t] = true
			}
		}
	}
	return len(seen)
}

// firstMonth is the first of months (ascending) where holds(i).
func firstMonth(months []string, holds func(i int) bool) string {
	for i := range months {
		if holds(i) {
			return months[i]
		}
	}
	return ""
}

// running reports whether the n calendar months ending at months[i] all
// hold ok (a month missing from the list holds nothing).
func running(months []string, i, n int, ok func(string) bool) bool {
	end, err := time.ParseInLocation("2006-01", months[i], colombia.Zone)
	if err != nil {
		return false
	}
	for k := range n {
		if !ok(end.AddDate(0, -k, 0).Format("2006-01")) {
			return false
		}
	}
	return true
}
