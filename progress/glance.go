package progress

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// The programme at a glance: one document (progress_glance, _id
// "programme") holding, for every initiative, its orders and amount of each
// month and the date of its newest session — all the portfolio's lights,
// stages and sparklines need, for the 42 initiatives in one read by _id.
// The counting copies each month into it after the series (a $set of the
// month: repeating it is harmless) and the session markers their newest
// date; rebuilds write it whole. It grows by one small entry per initiative
// and month.

const glanceID = "programme"

type glanceMonth struct {
	Orders int64 `bson:"o"`
	Amount int64 `bson:"a"`
}

type glanceEntry struct {
	Months map[string]glanceMonth `bson:"m"`
	Last   *time.Time             `bson:"last,omitempty"`
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

// glanceOfMonth copies an initiative's month into the glance.
func (s *Service) glanceOfMonth(ctx context.Context, ini, month string, f Figures) error {
	return s.updateGlance(ctx, bson.M{"$set": bson.M{"i." + ini + ".m." + month: glanceMonth{Orders: f.Orders, Amount: f.Amount}}})
}

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
			}
		}
		for ini, months := range series {
			m := make(map[string]glanceMonth, len(months))
			for k, f := range months {
				m[k] = glanceMonth{Orders: f.Orders, Amount: f.Amount}
			}
			set["i."+ini+".m"] = m
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
