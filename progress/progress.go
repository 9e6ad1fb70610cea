package progress

import (
	"context"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
)

// An initiative's progress: its months of sales from the series, with the
// cashbook's expenses and the margin, and the stage the sales put it in.

// MonthFigures is one month of an initiative's progress.
type MonthFigures struct {
	Month          string                 `json:"month"` // YYYY-MM, Bogotá
	Orders         int64                  `json:"orders"`
	Units          int64                  `json:"units"`
	Amount         money.Money            `json:"amount"` // refunds taken off; cancelled orders not counted
	Refunds        money.Money            `json:"refunds"`
	ByChannel      map[string]money.Money `json:"by_channel"`
	ByMethod       map[string]money.Money `json:"by_method"`
	DistinctBuyers int64                  `json:"distinct_buyers"`
	RepeatBuyers   int64                  `json:"repeat_buyers"`
	Expenses       money.Money            `json:"expenses"`
	Margin         money.Money            `json:"margin"` // amount − expenses
}

// Stages an initiative goes through, in order.
const (
	StageIdea        = "idea"
	StageProducing   = "producing"
	StageSelling     = "selling"
	StageSustainable = "sustainable"
)

// Progress is what GET /initiatives/{id}/progress answers.
type Progress struct {
	InitiativeID string         `json:"initiative_id"`
	Months       []MonthFigures `json:"months"`
	Milestones   []Milestone    `json:"milestones"`
	Stage        string         `json:"stage"`
	// Sessions are the advisory sessions within the months, oldest first
	// (empty for who may not read the initiative's sessions).
	Sessions []SessionMark `json:"sessions"`
	// Targets are the monthly sales targets its advisers set, the first first.
	Targets []Target `json:"targets"`
}

// MaxMonths bounds the months of one answer.
const MaxMonths = 36

// CanSeeProgress says who sees an initiative's progress: its producers,
// its advisers, admins.
func CanSeeProgress(p *accounts.Principal, initiativeID string) bool {
	return CanReadBook(p, initiativeID)
}

// Progress answers an initiative's months from..to ("YYYY-MM"; empty: the
// 24 months to this one): five reads by _id (the series, the cashbook's
// totals, the session markers, the milestone definitions, its record)
// however long its history.
func (s *Service) Progress(ctx context.Context, p *accounts.Principal, initiativeID, from, to string) (Progress, error) {
	if !CanSeeProgress(p, initiativeID) {
		return Progress{}, denied(p, "the progress of initiative "+initiativeID)
	}
	months, err := s.span(from, to)
	if err != nil {
		return Progress{}, err
	}
	series, err := s.Series(ctx, initiativeID)
	if err != nil {
		return Progress{}, err
	}
	spent, _, err := s.monthExpenses(ctx, initiativeID)
	if err != nil {
		return Progress{}, err
	}
	sessions, err := s.SessionMarks(ctx, initiativeID)
	if err != nil {
		return Progress{}, err
	}
	defs, err := s.Definitions(ctx)
	if err != nil {
		return Progress{}, err
	}
	rec, err := s.record(ctx, initiativeID)
	if err != nil {
		return Progress{}, err
	}
	f := facts{series: series, spent: spent, sessions: sessions, targets: rec.targets(), manual: rec.Manual}
	out := Progress{InitiativeID: initiativeID, Months: make([]MonthFigures, 0, len(months)),
		Milestones: milestones(defs, f, s.now()), Sessions: []SessionMark{}, Targets: f.targets}
	if mentoring.CanReadInitiative(p, initiativeID) {
		for _, m := range sessions {
			if month := Month(m.Date); month >= months[0] && month <= months[len(months)-1] {
				out.Sessions = append(out.Sessions, m)
			}
		}
	}
	for _, m := range months {
		out.Months = append(out.Months, monthFigures(m, series[m], spent[m]))
	}
	producing := false
	if s.hasProducts != nil {
		if producing, err = s.hasProducts(ctx, initiativeID); err != nil {
			return Progress{}, err
		}
	}
	out.Stage = stageOf(series, producing, s.now())
	return out, nil
}

func pesos(minor int64) money.Money { return money.Money{Amount: minor, Currency: money.COP} }

func monthFigures(month string, f Figures, expenses int64) MonthFigures {
	mf := MonthFigures{Month: month, Orders: f.Orders, Units: f.Units, Amount: pesos(f.Amount), Refunds: pesos(f.Refunds),
		ByChannel: map[string]money.Money{}, ByMethod: map[string]money.Money{}, DistinctBuyers: f.Buyers, RepeatBuyers: f.Repeat,
		Expenses: pesos(expenses), Margin: pesos(f.Amount - expenses)}
	for _, c := range Channels {
		mf.ByChannel[c] = pesos(f.Channel[c])
	}
	for m, a := range f.Method {
		mf.ByMethod[m] = pesos(a)
	}
	return mf
}

// span lists the months from..to, checked.
func (s *Service) span(from, to string) ([]string, error) {
	now := s.now().In(colombia.Zone)
	var fe errs.Fields
	end, err := time.ParseInLocation("2006-01", to, colombia.Zone)
	if to == "" {
		end, err = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, colombia.Zone), nil
	}
	if err != nil {
		fe.Add("to", errs.CodeInvalid, "must be a month YYYY-MM")
	}
	start, err := time.ParseInLocation("2006-01", from, colombia.Zone)
	if from == "" {
		start, err = end.AddDate(0, -23, 0), nil
	}
	if err != nil {
		fe.Add("from", errs.CodeInvalid, "must be a month YYYY-MM")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if start.After(end) || start.AddDate(0, MaxMonths-1, 0).Before(end) {
		fe.Add("from", errs.CodeOutOfRange, "must be at most 36 months before to, and not after it", "max", MaxMonths)
		return nil, fe.Err()
	}
	var out []string
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out, nil
}

// stageOf is the stage, by a rule the progress page states: sustainable
// with sales in each of the last six complete months; selling with a sale in any of
// the last three; producing with products on sale or sales before that;
// an idea otherwise.
func stageOf(series map[string]Figures, products bool, now time.Time) string {
	now = now.In(colombia.Zone)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, colombia.Zone)
	sold := func(back int) bool { return series[first.AddDate(0, -back, 0).Format("2006-01")].Orders > 0 }
	streak := 0 // complete months: this one is still selling
	for back := 1; back <= 6 && sold(back); back++ {
		streak++
	}
	switch {
	case streak == 6:
		return StageSustainable
	case sold(0) || sold(1) || sold(2):
		return StageSelling
	}
	for _, f := range series {
		products = products || f.Orders > 0
	}
	if products {
		return StageProducing
	}
	return StageIdea
}
