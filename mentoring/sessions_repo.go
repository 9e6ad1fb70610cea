package mentoring

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

type sessionRepo struct{ coll *mongo.Collection }

func (r sessionRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "initiative_ids", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "adviser_id", Value: 1}}},
	)
}

func (r sessionRepo) insert(ctx context.Context, s Session) error {
	_, err := r.coll.InsertOne(ctx, s)
	return storage.Err("session "+s.ID, err)
}

func (r sessionRepo) delete(ctx context.Context, id string) error {
	_, err := r.coll.DeleteOne(ctx, bson.M{"_id": id})
	return storage.Err("session "+id, err)
}

func (r sessionRepo) get(ctx context.Context, id string) (Session, error) {
	var s Session
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&s)
	return s, storage.Err("session "+id, err)
}

func (r sessionRepo) find(ctx context.Context, q bson.M) ([]Session, error) {
	return r.findLimit(ctx, q, 0)
}

// findLimit finds up to limit sessions (0: all), newest first.
func (r sessionRepo) findLimit(ctx context.Context, q bson.M, limit int64) ([]Session, error) {
	opts := options.Find().SetSort(bson.D{{Key: "date", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := r.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, storage.Err("sessions", err)
	}
	out := []Session{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, storage.Err("sessions", err)
	}
	return out, nil
}

// set changes fields of the session read at rev and, when v is not nil,
// appends v to its versions in the same single-document update; errStale
// when the session moved on.
func (r sessionRepo) set(ctx context.Context, id string, rev int64, fields bson.M, v *Version) (Session, error) {
	var s Session
	update := bson.M{"$set": fields, "$inc": bson.M{"rev": 1}}
	if v != nil {
		update["$push"] = bson.M{"versions": v}
	}
	err := r.coll.FindOneAndUpdate(ctx, bson.M{"_id": id, "rev": rev}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&s)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Session{}, errStale
	}
	return s, storage.Err("session "+id, err)
}

type versionRepo struct{ coll *mongo.Collection }

func (r versionRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "session_id", Value: 1}, {Key: "rev", Value: 1}}, Options: options.Index().SetUnique(true)},
	)
}

func (r versionRepo) insert(ctx context.Context, v Version) error {
	_, err := r.coll.InsertOne(ctx, v)
	return storage.Err(fmt.Sprintf("session %s version %d", v.SessionID, v.Rev), err)
}

func (r versionRepo) bySession(ctx context.Context, sessionID string) ([]Version, error) {
	cur, err := r.coll.Find(ctx, bson.M{"session_id": sessionID}, options.Find().SetSort(bson.D{{Key: "rev", Value: 1}}))
	if err != nil {
		return nil, storage.Err("session versions", err)
	}
	out := []Version{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, storage.Err("session versions", err)
	}
	return out, nil
}

type agreementRepo struct{ coll *mongo.Collection }

func (r agreementRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "initiative_id", Value: 1}, {Key: "status", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "session_id", Value: 1}}},
	)
}

func (r agreementRepo) insert(ctx context.Context, a Agreement) error {
	_, err := r.coll.InsertOne(ctx, a)
	return storage.Err("agreement "+a.ID, err)
}

func (r agreementRepo) deleteBySession(ctx context.Context, sessionID string) error {
	_, err := r.coll.DeleteMany(ctx, bson.M{"session_id": sessionID})
	return storage.Err("agreements of session "+sessionID, err)
}

func (r agreementRepo) get(ctx context.Context, id string) (Agreement, error) {
	var a Agreement
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&a)
	return a, storage.Err("agreement "+id, err)
}

func (r agreementRepo) find(ctx context.Context, q bson.M) ([]Agreement, error) {
	return r.findLimit(ctx, q, 0)
}

// findLimit finds up to limit agreements (0: all), by due date.
func (r agreementRepo) findLimit(ctx context.Context, q bson.M, limit int64) ([]Agreement, error) {
	opts := options.Find().SetSort(bson.D{{Key: "due", Value: 1}, {Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := r.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, storage.Err("agreements", err)
	}
	out := []Agreement{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, storage.Err("agreements", err)
	}
	return out, nil
}

// setStatus moves the agreement from one status to another in one document
// update: the current status is in the filter, so of two concurrent changes
// from the same status only one applies; the other answers errs.Conflict.
func (r agreementRepo) setStatus(ctx context.Context, id string, ch StatusChange) (Agreement, error) {
	var a Agreement
	err := r.coll.FindOneAndUpdate(ctx, bson.M{"_id": id, "status": ch.From},
		bson.M{"$set": bson.M{"status": ch.To, "updated_at": ch.At}, "$push": bson.M{"history": ch}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Agreement{}, fmt.Errorf("agreement %s is no longer %s: %w", id, ch.From, errs.Conflict)
	}
	return a, storage.Err("agreement "+id, err)
}

// errStale says a record changed between read and write; the caller re-reads and retries.
var errStale = errors.New("record changed concurrently")

// retryStale runs op until it does not answer errStale (a few times at most).
func retryStale(op func() error) error {
	var err error
	for range 8 {
		if err = op(); !errors.Is(err, errStale) {
			return err
		}
	}
	return fmt.Errorf("too many concurrent changes, try again: %w", errs.Conflict)
}
