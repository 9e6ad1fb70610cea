package progress

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/storage"
)

// The programme at a glance: one document (progress_glance, _id
// "programme") holding, for every initiative, its orders and amount of the
// last GlanceMonths months, the first month it sold in and the date of its
// newest session — all the portfolio's lights, stages and sparklines need,
// for the 42 initiatives in one read by _id. The counting copies each month
// of the window into it after the series (a $set of the month: repeating it
// is harmless) and the session markers their newest date; rebuilds write it
// whole. Months that leave the window are dropped by the sweeper
// (TrimGlance), so the document stays the same size however long the
// programme runs (about 15 KB for 42 initiatives): every order's update
// rewrites it, and every portfolio decodes it.

const glanceID = "programme"

type glanceMonth struct {
	Orders int64 `bson:"o"`
	Amount int64 `bson:"a"`
}

type glanceEntry struct {
	Months map[string]glanceMonth `bson:"m"` // the window's months only
	// First is the first month with orders (YYYY-MM; empty: never sold),
	// kept with $min when a month is counted. A month whose orders were all
	// cancelled later keeps it until a rebuild.
	First string     `bson:"first,omitempty"`
	Last  *time.Time `bson:"last,omitempty"`
	// Milestones are worked out by the minute sweeper from the initiative's
	// documents after any change to them (nil until then).
	Milestones *glanceMilestones `bson:"ms,omitempty"`
}

// glanceMilestones: how many milestones are reached, and the newest month.
type glanceMilestones struct {
	Reached int    `bson:"n"`
	Last    string `bson:"last"`
}

// series is the entry's months as the rules read them.
func (e glanceEntry) series() map[string]Figures {
	out := make(map[string]Figures, len(e.Months))
	for m, g := range e.Months {
		out[m] = Figures{Orders: g.Orders, Amount: g.Amount}
	}
	return out
}

func (s *Service) readGlance(ctx context.Context) (map[string]glanceEntry, error) {
	var doc struct {
		I map[string]glanceEntry `bson:"i"`
	}
	err := s.glance.FindOne(ctx, bson.M{"_id": glanceID}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storage.Err("progress glance", err)
	}
	if doc.I == nil {
		doc.I = map[string]glanceEntry{}
	}
	return doc.I, nil
}

func (s *Service) updateGlance(ctx context.Context, update bson.M) error {
	_, err := s.glance.UpdateOne(ctx, bson.M{"_id": glanceID}, update, options.Update().SetUpsert(true))
	return storage.Err("progress glance", err)
}

// GlanceMonths is how many months the glance keeps of each initiative:
// this one and the twelve before (the sparkline's twelve, the rules' six
// complete ones).
const GlanceMonths = 13

// glanceStart is the oldest month the glance keeps at now.
func glanceStart(now time.Time) string {
	now = now.In(colombia.Zone)
	return Month(time.Date(now.Year(), now.Month()-GlanceMonths+1, 1, 12, 0, 0, 0, colombia.Zone))
}

// glanceOfMonth copies an initiative's month into the glance (a month
// older than the window only moves its first sale).
func (s *Service) glanceOfMonth(ctx context.Context, ini, month string, f Figures) error {
	update := bson.M{}
	if month >= glanceStart(s.now()) {
		update["$set"] = bson.M{"i." + ini + ".m." + month: glanceMonth{Orders: f.Orders, Amount: f.Amount}}
	}
	if f.Orders > 0 {
		update["$min"] = bson.M{"i." + ini + ".first": month}
	}
	if len(update) == 0 {
		return nil
	}
	return s.updateGlance(ctx, update)
}

// TrimGlance drops the months that left the glance's window (the sweeper
// calls it; it reads and writes once a month, when the window moves, and
// once after each start). Each initiative's first month is checked against
// its months before they go: a glance written before the window existed
// had all of them and no first month.
func (s *Service) TrimGlance(ctx context.Context) error {
	start := glanceStart(s.now())
	if s.trimmedFor.Load() == start {
		return nil
	}
	g, err := s.readGlance(ctx)
	if err != nil {
		return err
	}
	set, unset := bson.M{}, bson.M{}
	for ini, e := range g {
		if first := firstSale(e.Months); first != "" && (e.First == "" || first < e.First) {
			set["i."+ini+".first"] = first
		}
		for m := range e.Months {
			if m < start {
				unset["i."+ini+".m."+m] = ""
			}
		}
	}
	update := bson.M{}
	if len(set) > 0 {
		update["$set"] = set
	}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	if len(update) > 0 {
		if err := s.updateGlance(ctx, update); err != nil {
			return err
		}
	}
	s.trimmedFor.Store(start)
	return nil
}

// firstSale is the first month with orders (empty: none).
func firstSale[F interface{ orders() int64 }](months map[string]F) string {
	first := ""
	for m, f := range months {
		if f.orders() > 0 && (first == "" || m < first) {
			first = m
		}
	}
	return first
}

func (m glanceMonth) orders() int64 { return m.Orders }
func (f Figures) orders() int64     { return f.Orders }

// setLastSession keeps an initiative's newest session (nil: none).
func (s *Service) setLastSession(ctx context.Context, ini string, last *time.Time) error {
	if last == nil {
		return s.updateGlance(ctx, bson.M{"$unset": bson.M{"i." + ini + ".last": ""}})
	}
	return s.updateGlance(ctx, bson.M{"$set": bson.M{"i." + ini + ".last": *last}})
}

// setGlance writes the glance's months (series: initiative → month →
// figures) or newest sessions (last) of every initiative from a rebuild;
// a nil map leaves that part alone. Initiatives the rebuild did not find
// lose that part.
func (s *Service) setGlance(ctx context.Context, series map[string]map[string]Figures, last map[string]*time.Time) error {
	cur, err := s.readGlance(ctx)
	if err != nil {
		return err
	}
	set, unset := bson.M{}, bson.M{}
	if series != nil {
		for ini := range cur {
			if _, ok := series[ini]; !ok {
				set["i."+ini+".m"] = bson.M{}
				unset["i."+ini+".first"] = ""
			}
		}
		start := glanceStart(s.now())
		for ini, months := range series {
			m := make(map[string]glanceMonth, GlanceMonths)
			for k, f := range months {
				if k >= start {
					m[k] = glanceMonth{Orders: f.Orders, Amount: f.Amount}
				}
			}
			set["i."+ini+".m"] = m
			if first := firstSale(months); first != "" {
				set["i."+ini+".first"] = first
			} else {
				unset["i."+ini+".first"] = ""
			}
		}
	}
	if last != nil {
		for ini, e := range cur {
			if _, ok := last[ini]; !ok && e.Last != nil {
				unset["i."+ini+".last"] = ""
			}
		}
		for ini, t := range last {
			if t != nil {
				set["i."+ini+".last"] = *t
			}
		}
	}
	update := bson.M{}
	if len(set) > 0 {
		update["$set"] = set
	}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	if len(update) == 0 {
		return nil
	}
	return s.updateGlance(ctx, update)
}

// milestonesChanged marks an initiative whose milestones may have changed;
// the minute sweeper works them out again (RefreshMilestones).
func (s *Service) milestonesChanged(ctx context.Context, ini string) error {
	return s.stale.Add(ctx, ini, s.now())
}

// RefreshMilestones works out again the milestones of the initiatives
// marked as changed and copies their count and newest month into the
// glance: a few reads by _id for each, none for the others.
func (s *Service) RefreshMilestones(ctx context.Context) error {
	marked, err := s.stale.Members(ctx)
	if err != nil || len(marked) == 0 {
		return err
	}
	defs, err := s.Definitions(ctx)
	if err != nil {
		return err
	}
	for ini, at := range marked {
		f, err := s.factsOf(ctx, ini)
		if err != nil {
			return err
		}
		ms := glanceMilestones{}
		for _, m := range milestones(defs, f, s.now()) {
			if m.ReachedOn != "" {
				ms.Reached++
				ms.Last = max(ms.Last, m.ReachedOn)
			}
		}
		if err := s.updateGlance(ctx, bson.M{"$set": bson.M{"i." + ini + ".ms": ms}}); err != nil {
			return err
		}
		// Marked again meanwhile: left for the next pass.
		if err := s.stale.RemoveIf(ctx, ini, at); err != nil {
			return err
		}
	}
	return nil
}

// allMilestonesChanged marks every initiative of the glance (a definition
// changed, or the counters were rebuilt).
func (s *Service) allMilestonesChanged(ctx context.Context) error {
	g, err := s.readGlance(ctx)
	if err != nil {
		return err
	}
	for ini := range g {
		if err := s.milestonesChanged(ctx, ini); err != nil {
			return err
		}
	}
	return nil
}
