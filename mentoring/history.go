package mentoring

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Imported history: sessions held before they were recorded here (the
// demo's two years of advice, or an adviser's paper records), written in
// bulk as the documents Create and SetAgreementStatus write — the sessions,
// their agreements, the period buckets of every list and the open
// agreements — a write per bucket instead of several per session. For the
// demo and imports only; it does not tell Options.Listed, so rebuild what
// listens after it (progress.Service.RebuildSessions).

// PastSession is a session of the imported history.
type PastSession struct {
	// Key makes the ids of the session and its agreements: the same key,
	// the same records.
	Key       string
	AdviserID string
	SessionInput
	// Statuses are the agreements' statuses now, in order (missing: open);
	// a closed one was closed on its due day.
	Statuses []string
}

// ImportHistory validates the sessions as Create does (with the adviser
// trusted: the import is the programme's), stores them with their
// agreements and lists them. Run again with the same sessions (after a
// crash) it writes the same documents.
func (s *Service) ImportHistory(ctx context.Context, past []PastSession) ([]Session, error) {
	now := s.now()
	var fe errs.Fields
	var sessions []Session
	var agreements []Agreement
	var ids []string
	for n, ps := range past {
		f := sessionFields{InitiativeIDs: ps.InitiativeIDs, Date: ps.Date, DurationMinutes: ps.DurationMinutes, Modality: ps.Modality,
			Topics: ps.Topics, Participants: ps.Participants, MemberIDs: ps.MemberIDs, Notes: ps.Notes, NextFollowUp: ps.NextFollowUp}
		var one errs.Fields
		f.normalize(now, &one)
		for i := range ps.Agreements {
			ps.Agreements[i].normalize(i, f.InitiativeIDs, &one)
		}
		if ps.Key == "" || ps.AdviserID == "" {
			one.Add("key", errs.CodeRequired, "a key and an adviser are required")
		}
		for _, e := range one {
			fe.Add(fmt.Sprintf("sessions[%d].%s", n, e.Field), e.Code, e.Message)
		}
		if len(one) > 0 {
			continue
		}
		ids = append(ids, f.InitiativeIDs...)
		recorded := dayStart(f.Date).Add(18 * time.Hour).UTC().Truncate(time.Millisecond) // written up that evening
		locks := dayStart(f.Date).Add(s.lockAfter)
		sess := Session{ID: storage.KeyedID("past-session|"+ps.Key, f.Date), AdviserID: ps.AdviserID, InitiativeIDs: f.InitiativeIDs,
			Date: f.Date, DurationMinutes: f.DurationMinutes, Modality: f.Modality, Topics: f.Topics, Participants: f.Participants,
			MemberIDs: f.MemberIDs, Notes: f.Notes, NextFollowUp: f.NextFollowUp, Agreements: []string{}, CreatedAt: recorded,
			UpdatedAt: recorded, LocksAt: &locks}
		for i, in := range ps.Agreements {
			a := Agreement{ID: storage.KeyedID(sess.ID+"|agreement|"+strconv.Itoa(i), f.Date), SessionID: sess.ID, InitiativeID: in.InitiativeID,
				AdviserID: sess.AdviserID, Text: in.Text, Owner: in.Owner, OwnerUserID: in.OwnerUserID, Due: in.Due, Status: StatusOpen,
				History: []StatusChange{}, CreatedAt: recorded, UpdatedAt: recorded}
			if i < len(ps.Statuses) && ps.Statuses[i] != "" && ps.Statuses[i] != StatusOpen {
				if !slices.Contains(Statuses, ps.Statuses[i]) {
					fe.Add(fmt.Sprintf("sessions[%d].statuses[%d]", n, i), errs.CodeUnknown, "unknown status")
					continue
				}
				at := maxTime(dayStart(in.Due).Add(17*time.Hour), recorded).UTC().Truncate(time.Millisecond)
				a.Status, a.UpdatedAt = ps.Statuses[i], at
				a.History = []StatusChange{{At: at, By: ps.AdviserID, From: StatusOpen, To: ps.Statuses[i]}}
			}
			sess.Agreements = append(sess.Agreements, a.ID)
			agreements = append(agreements, a)
		}
		sessions = append(sessions, sess)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	if err := s.checkInitiatives(ctx, slices.Compact(ids)); err != nil {
		return nil, err
	}
	for _, w := range []struct {
		what string
		ins  func([]any) error
		docs []any
	}{
		{"sessions", func(d []any) error {
			_, err := s.sessions.coll.InsertMany(ctx, d, options.InsertMany().SetOrdered(false))
			return err
		}, anys(sessions)},
		{"agreements", func(d []any) error {
			_, err := s.agreements.coll.InsertMany(ctx, d, options.InsertMany().SetOrdered(false))
			return err
		}, anys(agreements)},
	} {
		for start := 0; start < len(w.docs); start += 200 {
			if err := w.ins(w.docs[start:min(start+200, len(w.docs))]); err != nil && !storage.OnlyDuplicates(err) {
				return nil, storage.Err(w.what, err)
			}
		}
	}
	var listed []storage.PeriodEntry[Session]
	for _, sess := range sessions {
		sum := sessionSummary(sess)
		for _, pl := range sessionPlaces(sess) {
			listed = append(listed, storage.PeriodEntry[Session]{Owner: pl.owner, Period: pl.period, Key: listKey(sess.Date, sess.ID), Value: sum})
		}
	}
	if err := s.lists.sessions.PutMany(ctx, listed); err != nil {
		return nil, err
	}
	var due []storage.PeriodEntry[Agreement]
	for _, a := range agreements {
		for _, pl := range agreementPlaces(a) {
			due = append(due, storage.PeriodEntry[Agreement]{Owner: pl.owner, Period: pl.period, Key: listKey(a.Due, a.ID), Value: a})
		}
	}
	if err := s.lists.agreements.PutMany(ctx, due); err != nil {
		return nil, err
	}
	for _, a := range agreements {
		if a.Status == StatusOpen {
			if err := s.lists.open.Add(ctx, a.ID, a); err != nil {
				return nil, err
			}
		}
	}
	return sessions, nil
}

func anys[T any](list []T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
