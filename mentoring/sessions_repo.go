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

// Sessions and agreements are read by _id only; lists come from their
// period buckets (lists.go).
func (r sessionRepo) ensureIndexes(context.Context) error { return nil }

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

// versionRepo is the session_versions collection of the first releases,
// read once by the migration to version 2 and then dropped.
type versionRepo struct{ coll *mongo.Collection }

type agreementRepo struct{ coll *mongo.Collection }

func (r agreementRepo) ensureIndexes(context.Context) error { return nil }

func (r agreementRepo) insert(ctx context.Context, a Agreement) error {
	_, err := r.coll.InsertOne(ctx, a)
	return storage.Err("agreement "+a.ID, err)
}

// deleteIDs removes agreements one by one, by _id (a rolled-back creation).
func (r agreementRepo) deleteIDs(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := r.coll.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
			return storage.Err("agreement "+id, err)
		}
	}
	return nil
}

func (r agreementRepo) get(ctx context.Context, id string) (Agreement, error) {
	var a Agreement
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&a)
	return a, storage.Err("agreement "+id, err)
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
