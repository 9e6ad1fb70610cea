package storage

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
)

// Set is a working set: one small document per name whose members (keyed by
// id) are what a sweeper or a board has to look at — live orders, pending
// moves, open checkouts — and nothing that has ended. Reading it is one read
// by _id however long the history grows; a member leaves when its work ends.
//
// The document is {_id: name, m: {<id>: T}}. Every write is a single $set or
// $unset by _id, so it is idempotent and needs no positional operator.
type Set[T any] struct{ coll *mongo.Collection }

// NewSet keeps sets in coll, one document per set name.
func NewSet[T any](coll *mongo.Collection) Set[T] { return Set[T]{coll} }

// Put adds or replaces members.
func (s Set[T]) Put(ctx context.Context, name string, members map[string]T) error {
	if len(members) == 0 {
		return nil
	}
	set := bson.M{}
	for id, v := range members {
		f, err := memberField("m", id)
		if err != nil {
			return err
		}
		set[f] = v
	}
	_, err := s.coll.UpdateOne(ctx, bson.M{"_id": name}, bson.M{"$set": set}, options.Update().SetUpsert(true))
	return Err("set "+name, err)
}

// Add puts one member.
func (s Set[T]) Add(ctx context.Context, name, id string, v T) error {
	return s.Put(ctx, name, map[string]T{id: v})
}

// AddNew puts member id only if the set does not hold it yet, in one write;
// false means it was there (a lock, or a key used before).
func (s Set[T]) AddNew(ctx context.Context, name, id string, v T) (bool, error) {
	f, err := memberField("m", id)
	if err != nil {
		return false, err
	}
	// With the member present the filter misses, and the upsert's insert of
	// the same _id is a duplicate.
	res, err := s.coll.UpdateOne(ctx, bson.M{"_id": name, f: bson.M{"$exists": false}},
		bson.M{"$set": bson.M{f: v}}, options.Update().SetUpsert(true))
	if IsDuplicateKey(err) {
		return false, nil
	}
	if err != nil {
		return false, Err("set "+name, err)
	}
	return res.MatchedCount+res.UpsertedCount > 0, nil
}

// A counted set also keeps n, its number of members, written in the same
// update as the member, so that "at least k remain" can guard a removal
// (the last admin) in one atomic write. Use only the counted methods on it.

// AddCounted puts member id and counts it, once: adding a member already
// there changes nothing.
func (s Set[T]) AddCounted(ctx context.Context, name, id string, v T) error {
	f, err := memberField("m", id)
	if err != nil {
		return err
	}
	_, err = s.coll.UpdateOne(ctx, bson.M{"_id": name, f: bson.M{"$exists": false}},
		bson.M{"$set": bson.M{f: v}, "$inc": bson.M{"n": 1}}, options.Update().SetUpsert(true))
	if IsDuplicateKey(err) {
		return nil // a member already
	}
	return Err("set "+name, err)
}

// RemoveCounted drops member id if at least keep members remain after it;
// false when that would leave fewer, or id is not a member.
func (s Set[T]) RemoveCounted(ctx context.Context, name, id string, keep int) (bool, error) {
	f, err := memberField("m", id)
	if err != nil {
		return false, err
	}
	res, err := s.coll.UpdateOne(ctx, bson.M{"_id": name, f: bson.M{"$exists": true}, "n": bson.M{"$gt": keep}},
		bson.M{"$unset": bson.M{f: ""}, "$inc": bson.M{"n": -1}})
	if err != nil {
		return false, Err("set "+name, err)
	}
	return res.ModifiedCount == 1, nil
}

// Count is the number of members of a counted set.
func (s Set[T]) Count(ctx context.Context, name string) (int, error) {
	var doc struct {
		N int `bson:"n"`
	}
	err := s.coll.FindOne(ctx, bson.M{"_id": name}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	return doc.N, Err("set "+name, err)
}

// PutCounted replaces a counted set with members (for a rebuild from the aggregates).
func (s Set[T]) PutCounted(ctx context.Context, name string, members map[string]T) error {
	m := bson.M{}
	for id, v := range members {
		if _, err := memberField("m", id); err != nil {
			return err
		}
		m[id] = v
	}
	_, err := s.coll.ReplaceOne(ctx, bson.M{"_id": name}, bson.M{"m": m, "n": len(members)}, options.Replace().SetUpsert(true))
	return Err("set "+name, err)
}

// Remove drops members; absent ones are ignored.
func (s Set[T]) Remove(ctx context.Context, name string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	unset := bson.M{}
	for _, id := range ids {
		f, err := memberField("m", id)
		if err != nil {
			return err
		}
		unset[f] = ""
	}
	_, err := s.coll.UpdateOne(ctx, bson.M{"_id": name}, bson.M{"$unset": unset})
	return Err("set "+name, err)
}

// Members reads the whole set (empty when it was never written).
func (s Set[T]) Members(ctx context.Context, name string) (map[string]T, error) {
	var doc struct {
		M map[string]T `bson:"m"`
	}
	err := s.coll.FindOne(ctx, bson.M{"_id": name}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return map[string]T{}, nil
	}
	if err != nil {
		return nil, Err("set "+name, err)
	}
	if doc.M == nil {
		doc.M = map[string]T{}
	}
	return doc.M, nil
}

// Drop deletes the whole set (a day bucket whose time is over).
func (s Set[T]) Drop(ctx context.Context, name string) error {
	_, err := s.coll.DeleteOne(ctx, bson.M{"_id": name})
	return Err("set "+name, err)
}

// memberField is the dotted path of a member: ids become field names, so a
// dot or a leading $ would address something else.
func memberField(prefix, id string) (string, error) {
	if id == "" || len(id) > 200 || strings.ContainsAny(id, ".\x00") || strings.HasPrefix(id, "$") {
		return "", fmt.Errorf("member id %q cannot be a field name: %w", id, errs.Invalid)
	}
	return prefix + "." + id, nil
}

// WorkSet is a working set with heavy churn (checkouts and stock moves under
// way): a collection of its own, one small document per member, inserted and
// deleted by _id, so a write never rewrites the others. Reading it whole is a
// query without _id, allowed because the collection only ever holds work in
// progress — nothing that has ended — and registered so that the ScanLog of
// tests tells it from a scan of history.
type WorkSet[T any] struct{ coll *mongo.Collection }

type workDoc[T any] struct {
	ID string `bson:"_id"`
	V  T      `bson:"v"`
}

var (
	workMu       sync.Mutex
	workSets     = map[string]bool{}
	workPrefixes = map[string]bool{}
)

// NewWorkSet keeps a working set in coll (registered as one).
func NewWorkSet[T any](coll *mongo.Collection) WorkSet[T] {
	workMu.Lock()
	defer workMu.Unlock()
	workSets[coll.Name()] = true
	return WorkSet[T]{coll}
}

// WorkSetFamily registers a family of working sets, one collection per
// owner named prefix+owner (an initiative's live orders), and returns the
// set of one owner.
func WorkSetFamily[T any](db *mongo.Database, prefix string) func(owner string) WorkSet[T] {
	workMu.Lock()
	workPrefixes[prefix] = true
	workMu.Unlock()
	return func(owner string) WorkSet[T] { return WorkSet[T]{db.Collection(prefix + owner)} }
}

// Bounded registers collections whose size is bounded by the programme, not
// by its history (the catalog's products and initiatives: hundreds of
// documents however many orders are placed). Loading them whole — the
// public catalog snapshot does, once per change — is allowed like a working set.
func Bounded(names ...string) {
	workMu.Lock()
	defer workMu.Unlock()
	for _, n := range names {
		workSets[n] = true
	}
}

// WorkSetCollections registers collections that are working sets by
// themselves: every document leaves when its work ends (sign-in sessions
// when they expire, rate-limit windows when they close), so reading them by
// anything but _id costs what is live, not what happened.
func WorkSetCollections(names ...string) { Bounded(names...) }

// IsWorkSet reports whether collection name holds a working set (or is
// registered as Bounded).
func IsWorkSet(name string) bool {
	workMu.Lock()
	defer workMu.Unlock()
	if workSets[name] {
		return true
	}
	for p := range workPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Add puts member id (replacing it).
func (s WorkSet[T]) Add(ctx context.Context, id string, v T) error {
	_, err := s.coll.ReplaceOne(ctx, bson.M{"_id": id}, workDoc[T]{id, v}, options.Replace().SetUpsert(true))
	return Err(s.coll.Name()+" "+id, err)
}

// AddNew puts member id only if absent; false means it was there.
func (s WorkSet[T]) AddNew(ctx context.Context, id string, v T) (bool, error) {
	_, err := s.coll.InsertOne(ctx, workDoc[T]{id, v})
	if IsDuplicateKey(err) {
		return false, nil
	}
	return err == nil, Err(s.coll.Name()+" "+id, err)
}

// Remove drops member id (absent is fine).
func (s WorkSet[T]) Remove(ctx context.Context, id string) error {
	_, err := s.coll.DeleteOne(ctx, bson.M{"_id": id})
	return Err(s.coll.Name()+" "+id, err)
}

// RemoveIf drops member id only while it still holds v: a member set again
// meanwhile (its work came back) stays.
func (s WorkSet[T]) RemoveIf(ctx context.Context, id string, v T) error {
	_, err := s.coll.DeleteOne(ctx, bson.M{"_id": id, "v": v})
	return Err(s.coll.Name()+" "+id, err)
}

// Members reads the whole working set.
func (s WorkSet[T]) Members(ctx context.Context) (map[string]T, error) {
	cur, err := s.coll.Find(ctx, bson.M{})
	if err != nil {
		return nil, Err(s.coll.Name(), err)
	}
	var docs []workDoc[T]
	if err := cur.All(ctx, &docs); err != nil {
		return nil, Err(s.coll.Name(), err)
	}
	out := make(map[string]T, len(docs))
	for _, d := range docs {
		out[d.ID] = d.V
	}
	return out, nil
}
