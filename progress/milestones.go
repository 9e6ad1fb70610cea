package progress

import (
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/orders"
)

// Milestones of sustainability (hitos): the automatic ones are worked out
// from what happened — the series of sales, the cashbook, the advisory
// sessions — each reached in the month it first became true (not when it
// was computed), so recomputing after any change gives the same months;
// what happened stays happened, so none is lost again. The manual ones
// (RUT, Cámara de Comercio, INVIMA, an account, a savings habit) need
// evidence an adviser verifies: defined here, recorded later (issue #14).

// Milestone kinds.
const (
	KindAuto   = "auto"
	KindManual = "manual"
)

// Definition is a milestone as the programme defines it.
type Definition struct {
	Code string `json:"code"`
	Kind string `json:"kind"`
	// N is the rule's number: months, buyers or topics.
	N int `json:"n,omitempty"`
}

// Definitions are the programme's milestones, in the order pages show them.
var Definitions = []Definition{
	{Code: "first_sale", Kind: KindAuto},
	{Code: "first_fair", Kind: KindAuto},
	{Code: "three_months_selling", Kind: KindAuto, N: 3},
	{Code: "repeat_buyers", Kind: KindAuto, N: 5},
	{Code: "books_kept", Kind: KindAuto, N: 3},
	{Code: "trained", Kind: KindAuto, N: 4},
	{Code: "rut", Kind: KindManual},
	{Code: "chamber_of_commerce", Kind: KindManual},
	{Code: "invima", Kind: KindManual},
	{Code: "account", Kind: KindManual},
	{Code: "savings", Kind: KindManual},
}

// Milestone is a milestone of an initiative: ReachedOn ("YYYY-MM") is empty
// while not reached.
type Milestone struct {
	Definition
	ReachedOn string `json:"reached_on,omitempty"`
}

// milestones works out the automatic milestones from the series (every
// month ever counted), the expenses per month and the sessions.
func milestones(series map[string]Figures, spent map[string]int64, sessions []SessionMark) []Milestone {
	months := make([]string, 0, len(series)+len(spent))
	for m := range series {
		months = append(months, m)
	}
	for m := range spent {
		if _, ok := series[m]; !ok {
			months = append(months, m)
		}
	}
	slices.Sort(months)
	out := make([]Milestone, 0, len(Definitions))
	for _, d := range Definitions {
		ms := Milestone{Definition: d}
		switch d.Code {
		case "first_sale":
			ms.ReachedOn = firstMonth(months, func(i int) bool { return series[months[i]].Orders > 0 })
		case "first_fair":
			ms.ReachedOn = firstMonth(months, func(i int) bool { return series[months[i]].Channel[orders.ChannelFair] > 0 })
		case "three_months_selling":
			ms.ReachedOn = firstMonth(months, func(i int) bool {
				return running(months, i, d.N, func(m string) bool { return series[m].Orders > 0 })
			})
		case "repeat_buyers":
			var total int64
			ms.ReachedOn = firstMonth(months, func(i int) bool {
				total += series[months[i]].Repeat
				return total >= int64(d.N)
			})
		case "books_kept":
			ms.ReachedOn = firstMonth(months, func(i int) bool {
				return running(months, i, d.N, func(m string) bool { return spent[m] > 0 && series[m].Amount > spent[m] })
			})
		case "trained":
			ms.ReachedOn = trainedOn(sessions, d.N)
		}
		out = append(out, ms)
	}
	return out
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

// trainedOn is the month the initiative's sessions first covered n topics.
func trainedOn(sessions []SessionMark, n int) string {
	list := slices.Clone(sessions)
	slices.SortFunc(list, func(a, b SessionMark) int { return a.Date.Compare(b.Date) })
	seen := map[string]bool{}
	for _, s := range list {
		for _, t := range s.Topics {
			seen[t] = true
		}
		if len(seen) >= n {
			return Month(s.Date)
		}
	}
	return ""
}
