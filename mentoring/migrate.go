package mentoring

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage"
)

// MigrateToBuckets lists every session and agreement of a data directory
// made before version 2 (period buckets, open agreements) and moves the edit
// history the first releases kept in session_versions onto the sessions
// themselves, so that no read queries by anything but _id. Run again from the
// start after a crash, it writes the same documents.
func (s *Service) MigrateToBuckets(ctx context.Context) error {
	var sessions []Session
	if err := storage.ReadAll(ctx, s.sessions.coll, &sessions); err != nil {
		return err
	}
	var legacy []Version
	if err := storage.ReadAll(ctx, s.versions.coll, &legacy); err != nil {
		return err
	}
	bySession := map[string][]Version{}
	for _, v := range legacy {
		bySession[v.SessionID] = append(bySession[v.SessionID], v)
	}
	for _, sess := range sessions {
		var missing []Version
		for _, v := range bySession[sess.ID] {
			if !slices.ContainsFunc(sess.Versions, func(w Version) bool { return w.Rev == v.Rev }) {
				missing = append(missing, v)
			}
		}
		if len(missing) > 0 {
			if _, err := s.sessions.coll.UpdateOne(ctx, bson.M{"_id": sess.ID},
				bson.M{"$push": bson.M{"versions": bson.M{"$each": missing}}}); err != nil {
				return storage.Err("session "+sess.ID, err)
			}
		}
		if err := s.listSessionOnly(ctx, nil, sess); err != nil {
			return err
		}
	}
	var agreements []Agreement
	if err := storage.ReadAll(ctx, s.agreements.coll, &agreements); err != nil {
		return err
	}
	for _, a := range agreements {
		if err := s.indexAgreement(ctx, a); err != nil {
			return err
		}
	}
	return storage.Err("session versions", s.versions.coll.Drop(ctx))
}

// AllSessions reads every session (a full scan, for rebuilding what is kept
// from them with the programme quiet: never for a page or a sweep).
func (s *Service) AllSessions(ctx context.Context) ([]Session, error) {
	var out []Session
	err := storage.ReadAll(ctx, s.sessions.coll, &out)
	return out, err
}
