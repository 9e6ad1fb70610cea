package progress

import (
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
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
		got := signals(c.series, now, c.overdue, c.days)
		if !slices.Equal(got, c.want) || light(got) != c.light {
			t.Errorf("%s: signals %v (%s), want %v (%s)", c.name, got, light(got), c.want, c.light)
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

// The automatic milestones, each reached in the month it first became true.
func TestMilestoneRules(t *testing.T) {
	series := map[string]Figures{
		"2025-11": {Orders: 2, Amount: 50_000, Channel: map[string]int64{"online": 50_000}},
		"2025-12": {Orders: 1, Amount: 30_000, Repeat: 1, Channel: map[string]int64{"online": 30_000}},
		// January 2026 without sales breaks the run
		"2026-02": {Orders: 4, Amount: 90_000, Repeat: 2, Channel: map[string]int64{"fair": 60_000, "online": 30_000}},
		"2026-03": {Orders: 3, Amount: 40_000, Repeat: 1},
		"2026-04": {Orders: 5, Amount: 20_000, Repeat: 3},
	}
	spent := map[string]int64{"2026-02": 10_000, "2026-03": 10_000, "2026-04": 25_000, "2026-05": 5_000}
	at := func(s string) time.Time { t, _ := time.ParseInLocation(time.DateOnly, s, colombia.Zone); return t }
	sessions := []SessionMark{
		{Date: at("2026-03-10"), Topics: []string{"marketing", "accounting"}},
		{Date: at("2025-10-02"), Topics: []string{"accounting"}},
		{Date: at("2026-05-20"), Topics: []string{"customer_service", "production_processes"}},
	}
	want := map[string]string{
		"first_sale": "2025-11", "first_fair": "2026-02", "three_months_selling": "2026-04",
		"repeat_buyers": "2026-04", // 1 + 2 + 1 + 3 reaches 5 in April
		"books_kept":    "",        // April's expenses exceed its sales: no three months running yet
		"trained":       "2026-05", // four topics by May
		"rut":           "",
	}
	for _, m := range milestones(series, spent, sessions) {
		if w, ok := want[m.Code]; ok && m.ReachedOn != w {
			t.Errorf("%s: reached on %q, want %q", m.Code, m.ReachedOn, w)
		}
	}
	spent["2026-04"] = 15_000
	for _, m := range milestones(series, spent, sessions) {
		if m.Code == "books_kept" && m.ReachedOn != "2026-04" {
			t.Errorf("books_kept with April's margin positive: %q, want 2026-04", m.ReachedOn)
		}
	}
}
