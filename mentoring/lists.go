package mentoring

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Lists never query the sessions or agreements collections (the embedded
// database would decode all of them). Each record is also kept, as the
// summary a list shows, in period buckets (storage.Periods) keyed
// "<yyyymmdd>-<id>" so that a bucket is in the list's order:
//   - sessions by quarter under each of their initiatives ("i:<id>": an
//     initiative has a dozen or two a quarter, so a page is one or two buckets),
//     by month under their adviser ("a:<id>"), by day under "all" (admins);
//   - agreements by due quarter under their initiative, by due month under "all";
//
// and the open agreements, whose due dates make the overdue list, in a
// working set of their own. A record whose lists are being changed is in the
// reindex working set until they are; Repair finishes what a crash cut.
type lists struct {
	sessions   storage.Periods[Session]
	agreements storage.Periods[Agreement]
	open       storage.WorkSet[Agreement]
	reindex    storage.WorkSet[reindexMark]
}

type reindexMark struct {
	Kind string    `bson:"kind"` // session, agreement
	At   time.Time `bson:"at"`
	// Before is the session as its lists show it before the change, so that
	// a repair takes it out of the places it leaves.
	Before *Session `bson:"before,omitempty"`
}

func newLists(db *mongo.Database) lists {
	return lists{
		sessions:   storage.NewPeriods[Session](db.Collection("session_lists")),
		agreements: storage.NewPeriods[Agreement](db.Collection("agreement_lists")),
		open:       storage.NewWorkSet[Agreement](db.Collection("open_agreements")),
		reindex:    storage.NewWorkSet[reindexMark](db.Collection("mentoring_reindex")),
	}
}

const (
	ownerAll   = "all"
	notesShown = 280 // runes of the notes a list entry keeps
)

func listKey(day time.Time, id string) string { return day.UTC().Format("20060102") + "-" + id }
func month(day time.Time) string              { return day.UTC().Format("2006-01") }

// quarter is "2026-Q4": an initiative has a dozen or two sessions a
// quarter, so a timeline page is one or two small buckets.
func quarter(day time.Time) string {
	d := day.UTC()
	return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())+2)/3)
}

// sessionSummary is what lists keep of a session: no versions, the notes cut.
func sessionSummary(s Session) Session {
	s.Versions = nil
	if utf8.RuneCountInString(s.Notes) > notesShown {
		s.Notes = string([]rune(s.Notes)[:notesShown]) + "…"
	}
	return s
}

type placement struct{ owner, period string }

func sessionPlaces(s Session) []placement {
	out := []placement{{ownerAll, s.Date.UTC().Format("2006-01-02")}, {"a:" + s.AdviserID, month(s.Date)}}
	for _, id := range s.InitiativeIDs {
		out = append(out, placement{"i:" + id, quarter(s.Date)})
	}
	return out
}

func agreementPlaces(a Agreement) []placement {
	return []placement{{ownerAll, month(a.Due)}, {"i:" + a.InitiativeID, quarter(a.Due)}}
}

// indexSession makes the lists show after in place of before (nil: new;
// after.ID empty: deleted), then tells Options.Listed.
func (s *Service) indexSession(ctx context.Context, before *Session, after Session) error {
	if err := s.listSessionOnly(ctx, before, after); err != nil {
		return err
	}
	if s.listed != nil {
		return s.listed(ctx, before, after)
	}
	return nil
}

// listSessionOnly is indexSession without telling anyone (the migration:
// the listeners rebuild from AllSessions).
func (s *Service) listSessionOnly(ctx context.Context, before *Session, after Session) error {
	if before != nil {
		keep := map[placement]bool{}
		if after.ID != "" && listKey(before.Date, before.ID) == listKey(after.Date, after.ID) {
			for _, pl := range sessionPlaces(after) {
				keep[pl] = true
			}
		}
		for _, pl := range sessionPlaces(*before) {
			if !keep[pl] {
				if err := s.lists.sessions.Remove(ctx, pl.owner, pl.period, listKey(before.Date, before.ID)); err != nil {
					return err
				}
			}
		}
	}
	if after.ID != "" {
		sum := sessionSummary(after)
		for _, pl := range sessionPlaces(after) {
			if err := s.lists.sessions.Put(ctx, pl.owner, pl.period, listKey(after.Date, after.ID), sum); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) indexAgreement(ctx context.Context, a Agreement) error {
	for _, pl := range agreementPlaces(a) {
		if err := s.lists.agreements.Put(ctx, pl.owner, pl.period, listKey(a.Due, a.ID), a); err != nil {
			return err
		}
	}
	if a.Status == StatusOpen {
		return s.lists.open.Add(ctx, a.ID, a)
	}
	return s.lists.open.Remove(ctx, a.ID)
}

func (s *Service) unindexAgreement(ctx context.Context, a Agreement) error {
	for _, pl := range agreementPlaces(a) {
		if err := s.lists.agreements.Remove(ctx, pl.owner, pl.period, listKey(a.Due, a.ID)); err != nil {
			return err
		}
	}
	return s.lists.open.Remove(ctx, a.ID)
}

func (s *Service) marking(ctx context.Context, kind, id string, before *Session) error {
	if before != nil {
		sum := sessionSummary(*before)
		before = &sum
	}
	return s.lists.reindex.Add(ctx, id, reindexMark{Kind: kind, At: s.now(), Before: before})
}

func (s *Service) marked(ctx context.Context, id string) {
	_ = s.lists.reindex.Remove(context.WithoutCancel(ctx), id)
}

// Repair lists again the records whose lists a crash left half-changed
// (marked for longer than olderThan). It reads only the reindex working set,
// so it runs with the other periodic passes.
func (s *Service) Repair(ctx context.Context, olderThan time.Duration) (int, error) {
	marks, err := s.lists.reindex.Members(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for id, m := range marks {
		if m.At.After(s.now().Add(-olderThan)) {
			continue
		}
		switch m.Kind {
		case "session":
			// A session is listed only once stored with its agreements, and
			// never deleted after: not found means nothing to list.
			sess, err := s.sessions.get(ctx, id)
			if errors.Is(err, errs.NotFound) {
				err = nil
			} else if err == nil {
				err = s.indexSession(ctx, m.Before, sess)
			}
			if err != nil {
				return n, err
			}
		case "agreement":
			a, err := s.agreements.get(ctx, id)
			if errors.Is(err, errs.NotFound) {
				err = s.lists.open.Remove(ctx, id)
			} else if err == nil {
				err = s.indexAgreement(ctx, a)
			}
			if err != nil {
				return n, err
			}
		}
		if err := s.lists.reindex.Remove(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
