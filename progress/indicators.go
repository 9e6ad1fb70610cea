package progress

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
)

// Indicators: the donor's logframe. Each has a definition (code, names,
// unit, direction, source), a baseline, targets per period (a quarter
// "2026-Q3" or a year "2026"), and an actual per period: computed from the
// counters, the session markers and the milestones, or entered by an admin
// with a note. Every computed value is split by department and
// municipality, and the participants by sex and age group. Definitions,
// baselines, targets and manual values are one document
// (progress_indicators/programme, a listDoc); the actuals are worked out on
// each read from the documents of the initiatives in scope (a few reads by
// _id each, never a scan).

// Units of indicators.
const (
	UnitCount  = "count"
	UnitCOP    = "COP" // minor units
	UnitPeople = "people"
)

// Sources of an indicator's actuals.
const (
	SourceComputed = "computed"
	SourceManual   = "manual"
)

// Directions: which way is better.
const (
	DirectionIncrease = "increase"
	DirectionDecrease = "decrease"
)

// Dimensions of the disaggregations.
const (
	DimDepartment   = "department"
	DimMunicipality = "municipality"
	DimSex          = "sex"       // women, men
	DimAgeGroup     = "age_group" // youth (14–28), adults
)

// Dimensions lists them in the order reports show them.
var Dimensions = []string{DimDepartment, DimMunicipality, DimSex, DimAgeGroup, DimPartner, DimArea}

// IndicatorDefinition is an indicator of the logframe with its baseline,
// targets and (manual ones) values.
type IndicatorDefinition struct {
	Code      string                 `bson:"code" json:"code"`
	NameES    string                 `bson:"name_es" json:"name_es"`
	NameEN    string                 `bson:"name_en" json:"name_en"`
	Unit      string                 `bson:"unit" json:"unit"`
	Direction string                 `bson:"direction" json:"direction"`
	Source    string                 `bson:"source" json:"source"`
	Baseline  *Baseline              `bson:"baseline,omitempty" json:"baseline"`
	Targets   map[string]int64       `bson:"targets,omitempty" json:"targets"` // period → value
	Values    map[string]ManualValue `bson:"values,omitempty" json:"-"`        // manual: period → value
}

// Baseline is an indicator's value before the programme.
type Baseline struct {
	Value int64  `bson:"value" json:"value"`
	Date  string `bson:"date" json:"date"` // YYYY-MM-DD
}

// ManualValue is an actual entered by hand.
type ManualValue struct {
	Value int64     `bson:"value" json:"value"`
	Note  string    `bson:"note" json:"note"`
	By    string    `bson:"by" json:"by"`
	At    time.Time `bson:"at" json:"at"`
}

// DefaultIndicators are the logframe the programme starts with.
var DefaultIndicators = []IndicatorDefinition{
	{Code: "initiatives_with_sales", NameES: "Iniciativas con ventas en el periodo", NameEN: "Initiatives with sales in the period", Unit: UnitCount},
	{Code: "total_sales", NameES: "Ventas totales de las iniciativas", NameEN: "Total sales of the initiatives", Unit: UnitCOP},
	{Code: "average_monthly_sales", NameES: "Venta mensual promedio por iniciativa", NameEN: "Average monthly sales per initiative", Unit: UnitCOP},
	{Code: "initiatives_selling_stage", NameES: "Iniciativas en etapa de venta o sostenibles", NameEN: "Initiatives at the selling stage or beyond", Unit: UnitCount},
	{Code: "milestones_reached", NameES: "Hitos de sostenibilidad alcanzados", NameEN: "Sustainability milestones reached", Unit: UnitCount},
	{Code: "initiatives_commitment_verified", NameES: "Iniciativas con el compromiso Todo tiene su tiempo verificado", NameEN: "Initiatives with the Todo tiene su tiempo commitment verified", Unit: UnitCount},
	{Code: "sessions_held", NameES: "Asesorías realizadas", NameEN: "Advisory sessions held", Unit: UnitCount},
	{Code: "participants", NameES: "Participantes en asesorías", NameEN: "Participants in advisory sessions", Unit: UnitPeople},
	{Code: "people_trained", NameES: "Personas formadas (curso terminado)", NameEN: "People trained (course completed)", Unit: UnitPeople},
	{Code: "people_in_training", NameES: "Personas inscritas en cursos de formación", NameEN: "People enrolled in training courses", Unit: UnitPeople},
	{Code: "families_saving", NameES: "Familias con hábito de ahorro", NameEN: "Families with a savings habit", Unit: UnitCount, Source: SourceManual},
}

func init() {
	for i := range DefaultIndicators {
		DefaultIndicators[i].Direction = DirectionIncrease
		if DefaultIndicators[i].Source == "" {
			DefaultIndicators[i].Source = SourceComputed
		}
	}
}

func (s *Service) indicatorList() listDoc[IndicatorDefinition] {
	return listDoc[IndicatorDefinition]{coll: s.indicators, id: "programme", name: "indicators",
		defaults: func() []IndicatorDefinition { return slices.Clone(DefaultIndicators) },
		// A logframe stored before a computed indicator was added gets it.
		fill: func(defs []IndicatorDefinition) []IndicatorDefinition {
			for _, d := range DefaultIndicators {
				if d.Source == SourceComputed && !slices.ContainsFunc(defs, func(x IndicatorDefinition) bool { return x.Code == d.Code }) {
					defs = append(defs, d)
				}
			}
			return defs
		}}
}

// Indicator is an indicator's figures for a period.
type Indicator struct {
	Code      string    `json:"code"`
	NameES    string    `json:"name_es"`
	NameEN    string    `json:"name_en"`
	Unit      string    `json:"unit"`
	Direction string    `json:"direction"`
	Source    string    `json:"source"`
	Period    string    `json:"period"`
	Baseline  *Baseline `json:"baseline"`
	Target    *int64    `json:"target"`
	// Actual is nil before the period starts, and for a manual indicator
	// without a value.
	Actual *int64 `json:"actual"`
	// PercentOfTarget is actual × 100 / target, rounded (nil without both).
	PercentOfTarget *int64 `json:"percent_of_target"`
	Note            string `json:"note,omitempty"`
	// Disaggregations: dimension → category → value (computed ones).
	Disaggregations map[string]map[string]int64 `json:"disaggregations"`
}

// CanSeeIndicators: advisers (over their initiatives) and admins (all).
func CanSeeIndicators(p *accounts.Principal) bool {
	return p.IsAdmin() || p.Has(accounts.RoleAdviser)
}

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-Q([1-4]))?$`)

// Period is a quarter or a year in Bogotá: its months, and its end.
type Period struct {
	Name   string
	Months []string // YYYY-MM
	Start  time.Time
	End    time.Time // exclusive
}

// CurrentQuarter is the quarter of now in Bogotá ("2026-Q4"), the period
// shown when none is asked for.
func CurrentQuarter(now time.Time) string {
	t := now.In(colombia.Zone)
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
}

// ParsePeriod reads "2026-Q3" or "2026".
func ParsePeriod(v string) (Period, error) {
	m := periodPattern.FindStringSubmatch(v)
	year := 0
	if m != nil {
		year, _ = strconv.Atoi(m[1])
	}
	if m == nil || year < 2000 || year > 2100 {
		var fe errs.Fields
		fe.Add("period", errs.CodeInvalid, "must be a quarter YYYY-Qn or a year YYYY")
		return Period{}, fe.Err()
	}
	first, n := time.January, 12
	if m[2] != "" {
		q, _ := strconv.Atoi(m[2])
		first, n = time.Month(3*q-2), 3
	}
	p := Period{Name: v, Start: time.Date(year, first, 1, 0, 0, 0, 0, colombia.Zone)}
	p.End = p.Start.AddDate(0, n, 0)
	for i := range n {
		p.Months = append(p.Months, p.Start.AddDate(0, i, 0).Format("2006-01"))
	}
	return p, nil
}

// initiativeFigures are one initiative's part of a period.
type initiativeFigures struct {
	in         catalog.Initiative
	sales      int64
	sold       bool
	stage      string
	milestones []Milestone // every one, reached or not
	reached    int         // of them, in the period
	sessions   []SessionMark
	committed  bool // the commitment verified at the period's end
}

// IndicatorReport is what the indicators page and the donor report show
// for a period: the indicators, and the initiatives behind them.
type IndicatorReport struct {
	Period      string             `json:"period"`
	Indicators  []Indicator        `json:"items"`
	Initiatives []InitiativeStatus `json:"initiatives"`
	Sessions    SessionsSummary    `json:"sessions"`
}

// InitiativeStatus is an initiative's stage and milestones at the period's end.
type InitiativeStatus struct {
	InitiativeID string      `json:"initiative_id"`
	Name         string      `json:"name"`
	Municipality string      `json:"municipality"`
	Department   string      `json:"department"`
	Stage        string      `json:"stage"`
	Sales        int64       `json:"sales"` // in the period, minor units of COP
	Reached      []Milestone `json:"milestones_reached"`
}

// SessionsSummary counts the period's advisory sessions by topic.
type SessionsSummary struct {
	Held         int64            `json:"held"`
	ByTopic      map[string]int64 `json:"by_topic"`
	Participants map[string]int64 `json:"participants"` // women, men, youth, adults
}

// Indicators works out every indicator for a period over the initiatives
// p sees (advisers: theirs; admins: all).
func (s *Service) Indicators(ctx context.Context, p *accounts.Principal, period string) (IndicatorReport, error) {
	if !CanSeeIndicators(p) {
		return IndicatorReport{}, denied(p, "the indicators")
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return IndicatorReport{}, err
	}
	defs, err := s.indicatorList().read(ctx)
	if err != nil {
		return IndicatorReport{}, err
	}
	figures, err := s.periodFigures(ctx, p, per)
	if err != nil {
		return IndicatorReport{}, err
	}
	now := s.now()
	var trained *TrainedCounts
	out := IndicatorReport{Period: per.Name, Indicators: make([]Indicator, 0, len(defs.Defs)), Initiatives: []InitiativeStatus{}}
	for _, d := range defs.Defs {
		ind := Indicator{Code: d.Code, NameES: d.NameES, NameEN: d.NameEN, Unit: d.Unit, Direction: d.Direction, Source: d.Source,
			Period: per.Name, Baseline: d.Baseline, Disaggregations: map[string]map[string]int64{}}
		if t, ok := d.Targets[per.Name]; ok {
			ind.Target = &t
		}
		switch {
		case d.Source == SourceManual:
			if v, ok := d.Values[per.Name]; ok {
				ind.Actual, ind.Note = &v.Value, v.Note
			}
		case per.Start.Before(now) && isTrainingIndicator(d.Code):
			if trained == nil {
				trained = &TrainedCounts{Completed: NewTrainedFigures(), Enrolled: NewTrainedFigures()}
				if s.trained != nil {
					if *trained, err = s.trained(ctx, p, per.Name); err != nil {
						return IndicatorReport{}, err
					}
				}
			}
			total, dis := trainingIndicator(d.Code, *trained)
			ind.Actual, ind.Disaggregations = &total, dis
		case per.Start.Before(now):
			total, dis := computeIndicator(d.Code, figures, monthsElapsed(per, now))
			ind.Actual, ind.Disaggregations = &total, dis
		}
		if ind.Actual != nil && ind.Target != nil && *ind.Target != 0 {
			pct := (*ind.Actual*100 + *ind.Target/2) / *ind.Target
			ind.PercentOfTarget = &pct
		}
		out.Indicators = append(out.Indicators, ind)
	}
	out.Sessions = SessionsSummary{ByTopic: map[string]int64{}, Participants: map[string]int64{}}
	for _, sess := range uniqueSessions(figures) {
		out.Sessions.Held++
		for _, t := range sess.mark.Topics {
			out.Sessions.ByTopic[t]++
		}
		for k, v := range participantsOf(sess.mark) {
			out.Sessions.Participants[k] += v
		}
	}
	for _, f := range figures {
		st := InitiativeStatus{InitiativeID: f.in.ID, Name: f.in.Name, Municipality: f.in.Municipality, Department: f.in.Department,
			Stage: f.stage, Sales: f.sales, Reached: []Milestone{}}
		for _, m := range f.milestones {
			if m.ReachedOn != "" && m.ReachedOn < per.End.Format("2006-01") {
				st.Reached = append(st.Reached, m)
			}
		}
		out.Initiatives = append(out.Initiatives, st)
	}
	return out, nil
}

// monthsElapsed are the period's months up to this one.
func monthsElapsed(per Period, now time.Time) []string {
	this := Month(now)
	var out []string
	for _, m := range per.Months {
		if m <= this {
			out = append(out, m)
		}
	}
	return out
}

// periodFigures reads each initiative p sees — its series, cashbook totals,
// session markers and record, by _id — and works out its part of the period.
func (s *Service) periodFigures(ctx context.Context, p *accounts.Principal, per Period) ([]initiativeFigures, error) {
	if s.catalog == nil {
		return nil, nil
	}
	all, err := s.catalog.Initiatives(ctx, catalog.InitiativeFilter{})
	if err != nil {
		return nil, err
	}
	defs, err := s.Definitions(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	end := per.End.Add(-time.Millisecond)
	if end.After(now) {
		end = now
	}
	states := map[string]string{}
	if s.commitments != nil {
		if states, err = s.commitments(ctx, end.In(colombia.Zone).Format(time.DateOnly)); err != nil {
			return nil, err
		}
	}
	var out []initiativeFigures
	for _, in := range all {
		if !p.IsAdmin() && !p.Advises(in.ID) {
			continue
		}
		f, err := s.factsOf(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		fig := initiativeFigures{in: in, committed: states[in.ID] == "verified"}
		for _, m := range per.Months {
			fig.sales += f.series[m].Amount
			fig.sold = fig.sold || f.series[m].Orders > 0
		}
		producing := false
		if s.hasProducts != nil {
			if producing, err = s.hasProducts(ctx, in.ID); err != nil {
				return nil, err
			}
		}
		fig.stage = stageOf(f.series, producing, end)
		fig.milestones = milestones(defs, f, now)
		for _, m := range fig.milestones {
			if slices.Contains(per.Months, m.ReachedOn) {
				fig.reached++
			}
		}
		for _, m := range f.sessions {
			if !m.Date.Before(per.Start) && m.Date.Before(per.End) {
				fig.sessions = append(fig.sessions, m)
			}
		}
		out = append(out, fig)
	}
	return out, nil
}

// factsOf reads what an initiative's milestones are worked out from.
func (s *Service) factsOf(ctx context.Context, ini string) (facts, error) {
	series, err := s.Series(ctx, ini)
	if err != nil {
		return facts{}, err
	}
	spent, _, err := s.monthExpenses(ctx, ini)
	if err != nil {
		return facts{}, err
	}
	sessions, err := s.SessionMarks(ctx, ini)
	if err != nil {
		return facts{}, err
	}
	rec, err := s.record(ctx, ini)
	if err != nil {
		return facts{}, err
	}
	return facts{series: series, spent: spent, sessions: sessions, targets: rec.targets(), manual: rec.Manual}, nil
}

// sessionIn is a session of the period with the places of its initiatives
// (a workshop for several counts once in the total, and in each place).
type sessionIn struct {
	mark          SessionMark
	municipality  map[string]bool
	department    map[string]bool
	initiativeIDs []string
}

func uniqueSessions(figures []initiativeFigures) []sessionIn {
	byID := map[string]*sessionIn{}
	var order []string
	for _, f := range figures {
		for _, m := range f.sessions {
			s := byID[m.ID]
			if s == nil {
				s = &sessionIn{mark: m, municipality: map[string]bool{}, department: map[string]bool{}}
				byID[m.ID] = s
				order = append(order, m.ID)
			}
			s.municipality[f.in.Municipality] = true
			s.department[f.in.Department] = true
			s.initiativeIDs = append(s.initiativeIDs, f.in.ID)
		}
	}
	out := make([]sessionIn, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

func participantsOf(m SessionMark) map[string]int64 {
	p := m.Participants
	return map[string]int64{"women": int64(p.Women), "men": int64(p.Men), "youth": int64(p.Youth), "adults": int64(p.Adults)}
}

// computeIndicator is a computed indicator's total and disaggregations over
// the initiatives' figures, months being the period's months elapsed.
func computeIndicator(code string, figures []initiativeFigures, months []string) (int64, map[string]map[string]int64) {
	dis := map[string]map[string]int64{DimDepartment: {}, DimMunicipality: {}}
	place := func(in catalog.Initiative, v int64) {
		dis[DimDepartment][in.Department] += v
		dis[DimMunicipality][in.Municipality] += v
	}
	var total int64
	switch code {
	case "initiatives_with_sales", "total_sales", "initiatives_selling_stage", "milestones_reached", "initiatives_commitment_verified":
		for _, f := range figures {
			var v int64
			switch code {
			case "initiatives_with_sales":
				v = b2i(f.sold)
			case "total_sales":
				v = f.sales
			case "initiatives_selling_stage":
				v = b2i(f.stage == StageSelling || f.stage == StageSustainable)
			case "milestones_reached":
				v = int64(f.reached)
			case "initiatives_commitment_verified":
				v = b2i(f.committed)
			}
			total += v
			place(f.in, v)
		}
	case "average_monthly_sales":
		sums, counts := map[string]map[string]int64{DimDepartment: {}, DimMunicipality: {}}, map[string]map[string]int64{DimDepartment: {}, DimMunicipality: {}}
		var sum int64
		for _, f := range figures {
			sum += f.sales
			sums[DimDepartment][f.in.Department] += f.sales
			sums[DimMunicipality][f.in.Municipality] += f.sales
			counts[DimDepartment][f.in.Department]++
			counts[DimMunicipality][f.in.Municipality]++
		}
		n := int64(len(months))
		total = wholePesos(average(sum, int64(len(figures))*n))
		for dim, m := range sums {
			for k, v := range m {
				dis[dim][k] = wholePesos(average(v, counts[dim][k]*n))
			}
		}
	case "sessions_held", "participants":
		dis[DimSex], dis[DimAgeGroup] = map[string]int64{}, map[string]int64{}
		for _, s := range uniqueSessions(figures) {
			p := participantsOf(s.mark)
			v := int64(1)
			if code == "participants" {
				v = p["women"] + p["men"]
				dis[DimSex]["women"] += p["women"]
				dis[DimSex]["men"] += p["men"]
				dis[DimAgeGroup]["youth"] += p["youth"]
				dis[DimAgeGroup]["adults"] += p["adults"]
			}
			total += v
			for m := range s.municipality {
				dis[DimMunicipality][m] += v
			}
			for d := range s.department {
				dis[DimDepartment][d] += v
			}
		}
		if code == "sessions_held" {
			delete(dis, DimSex)
			delete(dis, DimAgeGroup)
		}
	}
	return total, dis
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// wholePesos rounds minor units to whole pesos (averages have no cents).
func wholePesos(minor int64) int64 { return (minor + 50) / 100 * 100 }

// average is sum / n rounded, 0 for none.
func average(sum, n int64) int64 {
	if n == 0 {
		return 0
	}
	return (sum + n/2) / n
}

// IndicatorInput changes an indicator (admins): its names, baseline,
// targets (period → value; null removes one), or adds a manual one.
type IndicatorInput struct {
	Code      string            `json:"code,omitempty"`
	NameES    *string           `json:"name_es,omitempty"`
	NameEN    *string           `json:"name_en,omitempty"`
	Unit      string            `json:"unit,omitempty"`
	Direction string            `json:"direction,omitempty"`
	Baseline  *Baseline         `json:"baseline,omitempty"`
	Targets   map[string]*int64 `json:"targets,omitempty"`
}

// IndicatorDefinitions answers the logframe (advisers and admins).
func (s *Service) IndicatorDefinitions(ctx context.Context, p *accounts.Principal) ([]IndicatorDefinition, error) {
	if !CanSeeIndicators(p) {
		return nil, denied(p, "the indicators")
	}
	doc, err := s.indicatorList().read(ctx)
	return doc.Defs, err
}

// AddIndicator adds a manual indicator (admins).
func (s *Service) AddIndicator(ctx context.Context, p *accounts.Principal, in IndicatorInput) (IndicatorDefinition, error) {
	if !p.IsAdmin() {
		return IndicatorDefinition{}, denied(p, "the indicators")
	}
	var fe errs.Fields
	if !codePattern.MatchString(in.Code) {
		fe.Add("code", errs.CodeInvalid, "must be 2 to 40 lowercase letters, digits or _, starting with a letter")
	}
	if in.NameES == nil || in.NameEN == nil {
		fe.Add("name_es", errs.CodeRequired, "a new indicator needs its names in Spanish and English")
	}
	if !slices.Contains([]string{UnitCount, UnitCOP, UnitPeople}, in.Unit) {
		fe.Add("unit", errs.CodeUnknown, "must be count, COP or people", "allowed", []string{UnitCount, UnitCOP, UnitPeople})
	}
	if in.Direction == "" {
		in.Direction = DirectionIncrease
	}
	if in.Direction != DirectionIncrease && in.Direction != DirectionDecrease {
		fe.Add("direction", errs.CodeUnknown, "must be increase or decrease")
	}
	d := IndicatorDefinition{Code: in.Code, Unit: in.Unit, Direction: in.Direction, Source: SourceManual}
	applyIndicator(&d, in, &fe)
	if err := fe.Err(); err != nil {
		return IndicatorDefinition{}, err
	}
	return d, s.indicatorList().change(ctx, func(defs []IndicatorDefinition) ([]IndicatorDefinition, error) {
		if slices.ContainsFunc(defs, func(x IndicatorDefinition) bool { return x.Code == d.Code }) {
			return nil, fmt.Errorf("indicator %s exists: %w", d.Code, errs.Conflict)
		}
		return append(defs, d), nil
	})
}

// UpdateIndicator changes an indicator's names, baseline or targets (admins).
func (s *Service) UpdateIndicator(ctx context.Context, p *accounts.Principal, code string, in IndicatorInput) (IndicatorDefinition, error) {
	if !p.IsAdmin() {
		return IndicatorDefinition{}, denied(p, "the indicators")
	}
	var out IndicatorDefinition
	err := s.indicatorList().change(ctx, func(defs []IndicatorDefinition) ([]IndicatorDefinition, error) {
		i := slices.IndexFunc(defs, func(x IndicatorDefinition) bool { return x.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("indicator %s: %w", code, errs.NotFound)
		}
		var fe errs.Fields
		applyIndicator(&defs[i], in, &fe)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		out = defs[i]
		return defs, nil
	})
	return out, err
}

// maxIndicatorValue bounds any value: a trillion (COP minor units included).
const maxIndicatorValue = 1_000_000_000_000

func applyIndicator(d *IndicatorDefinition, in IndicatorInput, fe *errs.Fields) {
	name := func(field string, v *string, to *string) {
		if v == nil {
			return
		}
		n := clean.Text(*v)
		if n == "" || utf8.RuneCountInString(n) > 120 {
			fe.Add(field, errs.CodeInvalid, "must be 1 to 120 characters", "max", 120)
		}
		*to = n
	}
	name("name_es", in.NameES, &d.NameES)
	name("name_en", in.NameEN, &d.NameEN)
	if b := in.Baseline; b != nil {
		if _, err := time.Parse(time.DateOnly, b.Date); err != nil {
			fe.Add("baseline.date", errs.CodeInvalid, "must be a day YYYY-MM-DD")
		}
		if b.Value < 0 || b.Value > maxIndicatorValue {
			fe.Add("baseline.value", errs.CodeOutOfRange, "must be from 0", "min", 0, "max", int64(maxIndicatorValue))
		}
		d.Baseline = b
	}
	for period, v := range in.Targets {
		if _, err := ParsePeriod(period); err != nil {
			fe.Add("targets", errs.CodeInvalid, "periods are quarters YYYY-Qn or years YYYY")
			continue
		}
		if d.Targets == nil {
			d.Targets = map[string]int64{}
		}
		switch {
		case v == nil:
			delete(d.Targets, period)
		case *v < 0 || *v > maxIndicatorValue:
			fe.Add("targets", errs.CodeOutOfRange, "must be from 0", "min", 0, "max", int64(maxIndicatorValue))
		default:
			d.Targets[period] = *v
		}
	}
}

// SetIndicatorValue enters a manual indicator's actual for a period with a
// note saying where it comes from (admins).
func (s *Service) SetIndicatorValue(ctx context.Context, p *accounts.Principal, code, period string, value int64, note string) (IndicatorDefinition, error) {
	if !p.IsAdmin() {
		return IndicatorDefinition{}, denied(p, "the indicators")
	}
	var fe errs.Fields
	if _, err := ParsePeriod(period); err != nil {
		fe.Add("period", errs.CodeInvalid, "must be a quarter YYYY-Qn or a year YYYY")
	}
	if value < 0 || value > maxIndicatorValue {
		fe.Add("value", errs.CodeOutOfRange, "must be from 0", "min", 0, "max", int64(maxIndicatorValue))
	}
	note = clean.Text(note)
	if note == "" || utf8.RuneCountInString(note) > 300 {
		fe.Add("note", errs.CodeInvalid, "say where the value comes from, in at most 300 characters", "max", 300)
	}
	if err := fe.Err(); err != nil {
		return IndicatorDefinition{}, err
	}
	var out IndicatorDefinition
	err := s.indicatorList().change(ctx, func(defs []IndicatorDefinition) ([]IndicatorDefinition, error) {
		i := slices.IndexFunc(defs, func(x IndicatorDefinition) bool { return x.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("indicator %s: %w", code, errs.NotFound)
		}
		if defs[i].Source != SourceManual {
			var fe errs.Fields
			fe.Add("code", errs.CodeInvalid, "a computed indicator's actuals come from the data")
			return nil, fe.Err()
		}
		if defs[i].Values == nil {
			defs[i].Values = map[string]ManualValue{}
		}
		defs[i].Values[period] = ManualValue{Value: value, Note: note, By: p.UserID, At: s.now()}
		out = defs[i]
		return defs, nil
	})
	return out, err
}
