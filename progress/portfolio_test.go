package progress

import (
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
)

// The portfolio's light, rule by rule; months are complete ones (this one
// is still selling), in Bogotá: on 1 December at 00:30 there, November is
// complete although it is still 30 November in UTC.
func TestPortfolioLight(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 30, 0, 0, colombia.Zone)
	days := func(n int) *int { return &n }
	months := func(amounts ...int64) map[string]Figures { // June … November 2026
		out := map[string]Figures{}
		for i, a := range amounts {
			if a > 0 {
				out[time.Date(2026, time.Month(6+i), 1, 0, 0, 0, 0, colombia.Zone).Format("2006-01")] = Figures{Orders: 1, Amount: a}
			}
		}
		return out
	}
	for _, c := range []struct {
		name    string
		series  map[string]Figures
		overdue int
		days    *int
		want    []string
		light   string
	}{
		{"steady, visited, nothing due", months(100, 100, 100, 100, 100, 100), 0, days(10), []string{}, LightGreen},
		{"a fifth down is still steady", months(100, 100, 100, 80, 80, 80), 0, days(10), []string{}, LightGreen},
		{"falling", months(100, 100, 100, 70, 80, 80), 0, days(10), []string{SignalFalling}, LightYellow},
		{"falling and an agreement overdue", months(100, 100, 100, 50, 50, 50), 2, days(10), []string{SignalFalling, SignalOverdue}, LightRed},
		{"nothing sold in three months", months(100, 100, 100, 0, 0, 0), 0, days(61), []string{SignalNoSales, SignalNoSession}, LightRed},
		{"never sold, never visited", map[string]Figures{}, 0, nil, []string{SignalNoSession}, LightYellow},
		{"visited 60 days ago is recent", months(0, 0, 0, 10, 10, 10), 0, days(60), []string{}, LightGreen},
	} {
		got := signals(c.series, firstSale(c.series), now, c.overdue, c.days, nil)
		if !slices.Equal(got, c.want) || light(got) != c.light {
			t.Errorf("%s: signals %v (%s), want %v (%s)", c.name, got, light(got), c.want, c.light)
		}
	}
	// Milestones: selling since June 2025 (over six months), none reached
	// since May 2026 turns it; one in June 2026 does not; nothing known yet
	// (never worked out) says nothing; a newcomer is not judged.
	long := months(100, 100, 100, 100, 100, 100)
	long["2025-06"] = Figures{Orders: 1, Amount: 10}
	for _, c := range []struct {
		name    string
		series  map[string]Figures
		reached *glanceMilestones
		want    bool
	}{
		{"none since May", long, &glanceMilestones{Reached: 3, Last: "2026-05"}, true},
		{"one in June", long, &glanceMilestones{Reached: 4, Last: "2026-06"}, false},
		{"none ever", long, &glanceMilestones{}, true},
		{"not worked out yet", long, nil, false},
		{"selling since August 2026 only", months(0, 0, 100, 100, 100, 100), &glanceMilestones{}, false},
	} {
		got := slices.Contains(signals(c.series, firstSale(c.series), now, 0, days(10), c.reached), SignalNoMilestone)
		if got != c.want {
			t.Errorf("%s: no_recent_milestone %v, want %v", c.name, got, c.want)
		}
	}
	if got := lastMonths(months(1, 2, 3, 4, 5, 6), now, 7); !slices.Equal(got, []int64{1, 2, 3, 4, 5, 6, 0}) {
		t.Errorf("the last 7 months to December: %v", got)
	}
}

// The stage, by its rule.
func TestStageRule(t *testing.T) {
	now := time.Date(2026, 12, 15, 12, 0, 0, 0, colombia.Zone)
	month := func(back int) string {
		return time.Date(2026, time.Month(12-back), 1, 0, 0, 0, 0, colombia.Zone).Format("2006-01")
	}
	sold := func(backs ...int) map[string]Figures {
		out := map[string]Figures{}
		for _, b := range backs {
			out[month(b)] = Figures{Orders: 3}
		}
		return out
	}
	for _, c := range []struct {
		name     string
		series   map[string]Figures
		products bool
		want     string
	}{
		{"nothing", sold(), false, StageIdea},
		{"products, no sales", sold(), true, StageProducing},
		{"sold long ago", sold(8), false, StageProducing},
		{"sold two months ago", sold(2), true, StageSelling},
		{"six complete months running", sold(1, 2, 3, 4, 5, 6), true, StageSustainable},
		{"this month does not count yet", sold(0, 1, 2, 3, 4, 5), true, StageSelling},
		{"a gap breaks the run", sold(1, 2, 3, 5, 6, 7), true, StageSelling},
	} {
		if got := stageOf(c.series, c.products, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// The milestones, rule by rule, each reached in the month it first became
// true: a month without sales breaks a run, a session late on the last day
// of a month in Bogotá (already the next in UTC) counts in that month, a
// target raised mid-streak judges each month by its own target, a losable
// milestone is lost when its rule stops holding in a complete month, and a
// manual one is reached in the month of its verified evidence.
func TestMilestoneRules(t *testing.T) {
	now := time.Date(2026, 7, 10, 12, 0, 0, 0, colombia.Zone) // June is the last complete month
	series := map[string]Figures{
		"2025-11": {Orders: 2, Amount: 50_000, Channel: map[string]int64{"online": 50_000}},
		"2025-12": {Orders: 1, Amount: 30_000, Repeat: 1, Channel: map[string]int64{"online": 30_000}},
		// January 2026 without sales breaks the run
		"2026-02": {Orders: 4, Amount: 90_000, Repeat: 2, Channel: map[string]int64{"fair": 60_000, "online": 30_000}},
		"2026-03": {Orders: 3, Amount: 60_000, Repeat: 1},
		"2026-04": {Orders: 5, Amount: 90_000, Repeat: 3},
		"2026-05": {Orders: 5, Amount: 120_000},
		"2026-06": {Orders: 2, Amount: 40_000},
		"2026-07": {Orders: 9, Amount: 300_000}, // still selling: not judged for the losable ones
	}
	spent := map[string]int64{"2026-02": 10_000, "2026-03": 10_000, "2026-04": 95_000, "2026-05": 5_000}
	bogota := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, colombia.Zone); return t }
	sessions := []SessionMark{
		{Date: bogota("2026-03-10 09:00"), Topics: []string{"marketing", "accounting"}},
		{Date: bogota("2025-10-02 09:00"), Topics: []string{"accounting"}},
		// 31 May at 21:00 in Bogotá is 1 June in UTC: May's session
		{Date: bogota("2026-05-31 21:00").UTC(), Topics: []string{"customer_service", "production_processes"}},
	}
	target := func(from string, minor int64) Target {
		return Target{From: from, Amount: money.Money{Amount: minor, Currency: money.COP}}
	}
	verified := ManualRecord{Evidence: Evidence{ID: "e1", Date: "2026-03-28"}, Review: &Review{Decision: StatusVerified}}
	defs := slices.Clone(DefaultDefinitions)
	defs = append(defs, Definition{Code: "retired", Kind: KindAuto, Rule: RuleFirstSale, Active: false})
	for _, c := range []struct {
		name    string
		targets []Target
		manual  map[string]ManualRecord
		spent   map[string]int64
		want    map[string]string // code → reached_on ("" not reached; "lost:M" lost on M)
	}{
		{name: "the automatic rules", spent: spent, want: map[string]string{
			"first_sale": "2025-11", "first_fair": "2026-02", "three_months_selling": "2026-04",
			"repeat_buyers": "2026-04", // 1 + 2 + 1 + 3 reaches 5 in April
			"books_kept":    "",        // April's expenses exceed its sales: no three months running
			"trained":       "2026-05", // four topics by May (the session of 31 May in Bogotá)
			"sales_target":  "",        // no target set
			"rut":           "",
		}},
		{name: "April with a positive margin", spent: map[string]int64{"2026-02": 10_000, "2026-03": 10_000, "2026-04": 15_000},
			want: map[string]string{"books_kept": "2026-04"}},
		{name: "a target of 50,000 from February: reached in April, lost in June", targets: []Target{target("2026-02", 50_000)},
			want: map[string]string{"sales_target": "lost:2026-06"}},
		{name: "the target raised to 100,000 in April breaks the run before it is reached", targets: []Target{target("2026-02", 50_000), target("2026-04", 100_000)},
			want: map[string]string{"sales_target": ""}},
		{name: "the target raised to 100,000 in May: May meets it, June does not", targets: []Target{target("2026-02", 50_000), target("2026-05", 100_000)},
			want: map[string]string{"sales_target": "lost:2026-06"}},
		{name: "the target raised to 130,000 in May: lost in May", targets: []Target{target("2026-02", 50_000), target("2026-05", 130_000)},
			want: map[string]string{"sales_target": "lost:2026-05"}},
		{name: "a target of 30,000 holds through June", targets: []Target{target("2026-01", 30_000)},
			want: map[string]string{"sales_target": "2026-04"}},
		{name: "evidence verified counts from its date; submitted or rejected does not", manual: map[string]ManualRecord{
			"rut":     verified,
			"account": {Evidence: Evidence{ID: "e2", Date: "2026-05-02"}},
			"savings": {Evidence: Evidence{ID: "e3", Date: "2026-05-02"}, Review: &Review{Decision: StatusRejected, Note: "ilegible"}},
		}, want: map[string]string{"rut": "2026-03", "account": "", "savings": ""}},
	} {
		got := milestones(defs, facts{series: series, spent: c.spent, sessions: sessions, targets: c.targets, manual: c.manual}, now)
		if len(got) != len(DefaultDefinitions) {
			t.Errorf("%s: %d milestones, want the %d active ones", c.name, len(got), len(DefaultDefinitions))
		}
		for _, m := range got {
			w, ok := c.want[m.Code]
			if !ok {
				continue
			}
			if g := m.ReachedOn; g != w && (m.LostOn == "" || "lost:"+m.LostOn != w) {
				t.Errorf("%s: %s reached on %q (lost on %q), want %q", c.name, m.Code, m.ReachedOn, m.LostOn, w)
			}
		}
	}
	statuses := map[string]string{}
	for _, m := range milestones(defs, facts{manual: map[string]ManualRecord{"rut": verified, "account": {Evidence: Evidence{ID: "e2", Date: "2026-05-02"}}}}, now) {
		statuses[m.Code] = m.Status
	}
	if statuses["rut"] != StatusVerified || statuses["account"] != StatusSubmitted || statuses["invima"] != "" {
		t.Errorf("manual statuses %v", statuses)
	}
}
