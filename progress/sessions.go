package progress

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
)

// Session markers: what progress needs of the advisory sessions (when, the
// topics, the participants by sex and age group) kept beside the counters, one document per initiative in
// progress_sessions, so a progress page reads them by _id instead of paging
// through the timeline; and the newest session's date in the programme's
// glance (portfolio.go). Mentoring tells progress of every session it lists
// (Options.Listed, again after a crash), and each change is a $set or $unset
// of one session's marker: doing it twice changes nothing.

// SessionMark is one advisory session of an initiative.
type SessionMark struct {
	ID     string    `bson:"-" json:"id"`
	Date   time.Time `bson:"d" json:"date"`
	Topics []string  `bson:"t" json:"topics"`
	// Participants are the session's, by sex and age group (indicators).
	Participants mentoring.Participants `bson:"p" json:"-"`
}

func markOf(sess mentoring.Session) SessionMark {
	return SessionMark{Date: sess.Date.UTC(), Topics: sess.Topics, Participants: sess.Participants}
}

type sessionsDoc struct {
	ID       string                 `bson:"_id"`
	Sessions map[string]SessionMark `bson:"s"`
}

// SessionListed keeps the markers of a session mentoring has just listed
// (before nil: new; after.ID empty: gone).
func (s *Service) SessionListed(ctx context.Context, before *mentoring.Session, after mentoring.Session) error {
	touched := map[string]bool{}
	if before != nil {
		for _, ini := range before.InitiativeIDs {
			if after.ID == before.ID && slices.Contains(after.InitiativeIDs, ini) {
				continue
			}
			if _, err := s.sessions.UpdateOne(ctx, bson.M{"_id": ini}, bson.M{"$unset": bson.M{"s." + before.ID: ""}}); err != nil {
				return storage.Err("progress sessions "+ini, err)
			}
			touched[ini] = true
		}
	}
	if after.ID != "" {
		mark := markOf(after)
		for _, ini := range after.InitiativeIDs {
			if _, err := s.sessions.UpdateOne(ctx, bson.M{"_id": ini}, bson.M{"$set": bson.M{"s." + after.ID: mark}},
				options.Update().SetUpsert(true)); err != nil {
				return storage.Err("progress sessions "+ini, err)
			}
			touched[ini] = true
		}
	}
	for _, ini := range slices.Sorted(maps.Keys(touched)) {
		marks, err := s.SessionMarks(ctx, ini)
		if err != nil {
			return err
		}
		if err := s.setLastSession(ctx, ini, lastSession(marks)); err != nil {
			return err
		}
		if err := s.milestonesChanged(ctx, ini); err != nil {
			return err
		}
	}
	return nil
}

// SessionMarks are an initiative's sessions, oldest first: one read by _id.
func (s *Service) SessionMarks(ctx context.Context, ini string) ([]SessionMark, error) {
	var doc sessionsDoc
	err := s.sessions.FindOne(ctx, bson.M{"_id": ini}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storage.Err("progress sessions "+ini, err)
	}
	return marksOf(doc.Sessions), nil
}

func marksOf(m map[string]SessionMark) []SessionMark {
	out := make([]SessionMark, 0, len(m))
	for id, mark := range m {
		mark.ID = id
		out = append(out, mark)
	}
	slices.SortFunc(out, func(a, b SessionMark) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func lastSession(marks []SessionMark) *time.Time {
	if len(marks) == 0 {
		return nil
	}
	return &marks[len(marks)-1].Date
}

// RebuildSessions writes every initiative's markers again from the
// sessions (the upgrade step and rebuild-counters; a full read of the
// sessions, run with the programme quiet).
func (s *Service) RebuildSessions(ctx context.Context) error {
	if s.mentoring == nil {
		return nil
	}
	all, err := s.mentoring.AllSessions(ctx)
	if err != nil {
		return err
	}
	byInitiative := map[string]map[string]SessionMark{}
	for _, sess := range all {
		for _, ini := range sess.InitiativeIDs {
			if byInitiative[ini] == nil {
				byInitiative[ini] = map[string]SessionMark{}
			}
			byInitiative[ini][sess.ID] = markOf(sess)
		}
	}
	if err := s.sessions.Drop(ctx); err != nil {
		return storage.Err("progress sessions", err)
	}
	var docs []any
	last := map[string]*time.Time{}
	for _, ini := range slices.Sorted(maps.Keys(byInitiative)) {
		docs = append(docs, sessionsDoc{ID: ini, Sessions: byInitiative[ini]})
		last[ini] = lastSession(marksOf(byInitiative[ini]))
	}
	for len(docs) > 0 {
		n := min(100, len(docs))
		if _, err := s.sessions.InsertMany(ctx, docs[:n]); err != nil {
			return storage.Err("progress sessions", err)
		}
		docs = docs[n:]
	}
	if err := s.setGlance(ctx, nil, last); err != nil {
		return err
	}
	return s.allMilestonesChanged(ctx)
}
