package progress

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
)

// The adviser's portfolio: every initiative she follows (admins: all) with
// a traffic light from stated rules, its stage and twelve months of sales.

// Lights of the portfolio.
const (
	LightGreen  = "green"
	LightYellow = "yellow"
	LightRed    = "red"
)

// Signals that turn the light: each one counts; none is green, one yellow,
// two or more red (the page states the rule).
const (
	SignalFalling   = "sales_falling"   // the last 3 months sold under 80 % of the 3 before
	SignalNoSales   = "no_recent_sales" // nothing sold in the last 3 months (after selling before)
	SignalOverdue   = "overdue_agreements"
	SignalNoSession = "no_recent_session" // no advisory session in 60 days
	// SignalNoMilestone: selling for six months or more, no milestone
	// reached in the last six.
	SignalNoMilestone = "no_recent_milestone"
)

// MilestoneGap is how many months without a milestone turn the light.
const MilestoneGap = 6

// SessionGap is how long without a session turns the light.
const SessionGap = 60

// PortfolioItem is one initiative in the portfolio.
type PortfolioItem struct {
	InitiativeID      string   `json:"initiative_id"`
	Name              string   `json:"name"`
	Municipality      string   `json:"municipality"`
	Department        string   `json:"department"`
	Light             string   `json:"light"`
	Signals           []string `json:"signals"`
	Stage             string   `json:"stage"`
	OverdueAgreements int      `json:"overdue_agreements"`
	// DaysSinceSession is nil when the initiative never had a session.
	DaysSinceSession *int `json:"days_since_session"`
	// SalesLast12Months is the amount sold each month, oldest first (minor units of COP).
	SalesLast12Months []int64 `json:"sales_last_12_months"`
	// Commitment is the child-labour-free commitment's state.
	Commitment string `json:"commitment"`
}

// Portfolio lists the initiatives p follows: advisers their assigned ones,
// admins all. Reads: the catalog's initiatives, the programme's glance (every
// initiative's months and newest session, one document), the working set of
// open agreements and the commitments' index — the same few reads at any
// history.
func (s *Service) Portfolio(ctx context.Context, p *accounts.Principal) ([]PortfolioItem, error) {
	if p == nil {
		return nil, denied(p, "the portfolio")
	}
	if !p.IsAdmin() && !p.Has(accounts.RoleAdviser) {
		return nil, denied(p, "the portfolio")
	}
	if s.catalog == nil || s.mentoring == nil {
		return []PortfolioItem{}, nil
	}
	all, err := s.catalog.Initiatives(ctx, catalog.InitiativeFilter{ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	glance, err := s.readGlance(ctx)
	if err != nil {
		return nil, err
	}
	late, err := s.mentoring.OverdueByInitiative(ctx, p)
	if err != nil {
		return nil, err
	}
	states := map[string]string{}
	if s.commitments != nil {
		if states, err = s.commitments(ctx, ""); err != nil {
			return nil, err
		}
	}
	now := s.now()
	out := []PortfolioItem{}
	for _, in := range all {
		if !p.IsAdmin() && !p.Advises(in.ID) {
			continue
		}
		g := glance[in.ID]
		series := g.series()
		it := PortfolioItem{InitiativeID: in.ID, Name: in.Name, Municipality: in.Municipality, Department: in.Department,
			OverdueAgreements: late[in.ID], SalesLast12Months: lastMonths(series, now, 12), Commitment: cmp.Or(states[in.ID], "none")}
		if g.Last != nil {
			days := max(0, int(now.Sub(*g.Last).Hours()/24))
			it.DaysSinceSession = &days
		}
		producing := false
		if s.hasProducts != nil {
			if producing, err = s.hasProducts(ctx, in.ID); err != nil {
				return nil, err
			}
		}
		it.Stage = stageOf(series, producing || g.First != "", now)
		it.Signals = signals(series, g.First, now, it.OverdueAgreements, it.DaysSinceSession, g.Milestones)
		it.Light = light(it.Signals)
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b PortfolioItem) int {
		return cmp.Or(cmp.Compare(lightRank(a.Light), lightRank(b.Light)), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

func lightRank(l string) int { return slices.Index([]string{LightRed, LightYellow, LightGreen}, l) }

// lastMonths is the amount of the n months to this one, oldest first.
func lastMonths(series map[string]Figures, now time.Time, n int) []int64 {
	now = now.In(colombia.Zone)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, colombia.Zone)
	out := make([]int64, n)
	for i := range n {
		out[i] = series[first.AddDate(0, i-n+1, 0).Format("2006-01")].Amount
	}
	return out
}

// signals are the rules that turn the light: the months compared are the
// complete ones (this month is still selling); firstSale is the first month
// the initiative sold in (empty: never).
func signals(series map[string]Figures, firstSale string, now time.Time, overdue int, daysSince *int, reached *glanceMilestones) []string {
	months := lastMonths(series, now, 7)[:6] // the six complete months, oldest first
	before, last := months[0]+months[1]+months[2], months[3]+months[4]+months[5]
	out := []string{}
	switch {
	case last == 0 && firstSale != "":
		out = append(out, SignalNoSales)
	case before > 0 && last*5 < before*4:
		out = append(out, SignalFalling)
	}
	if overdue > 0 {
		out = append(out, SignalOverdue)
	}
	if daysSince == nil || *daysSince > SessionGap {
		out = append(out, SignalNoSession)
	}
	gap := Month(now.In(colombia.Zone).AddDate(0, -MilestoneGap, 0))
	if reached != nil && firstSale != "" && firstSale <= gap && reached.Last < gap {
		out = append(out, SignalNoMilestone)
	}
	return out
}

func light(signals []string) string {
	switch len(signals) {
	case 0:
		return LightGreen
	case 1:
		return LightYellow
	}
	return LightRed
}
