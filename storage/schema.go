package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Migration brings a database from Version-1 to Version. Run must be
// idempotent: a crash in the middle runs it again from the start at the next
// start, and only a finished Run records its version.
type Migration struct {
	Version int
	Name    string
	Run     func(ctx context.Context) error
}

// schemaDoc records the layout a database is in, in the schema collection.
type schemaDoc struct {
	Version   int       `bson:"version"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Migrate runs, in order, the migrations db has not had. A database with no
// recorded version is new when none of legacy (the collections the first
// layout wrote) holds a document: it gets the last version without running
// anything. Migrations are for the start of the only process, or of the first
// instance of a new release.
func Migrate(ctx context.Context, db *mongo.Database, legacy []string, steps []Migration, log *slog.Logger) error {
	if len(steps) == 0 {
		return nil
	}
	latest := steps[len(steps)-1].Version
	coll := db.Collection("schema")
	var cur schemaDoc
	err := coll.FindOne(ctx, bson.M{"_id": "schema"}).Decode(&cur)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		old, err := holdsAny(ctx, db, legacy)
		if err != nil {
			return err
		}
		if !old {
			return setSchema(ctx, coll, latest)
		}
		cur.Version = 1
	case err != nil:
		return Err("schema", err)
	}
	for _, m := range steps {
		if m.Version <= cur.Version {
			continue
		}
		start := time.Now()
		log.Info("migrating the database", slog.Int("to_version", m.Version), slog.String("step", m.Name))
		if err := m.Run(ctx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if err := setSchema(ctx, coll, m.Version); err != nil {
			return err
		}
		log.Info("database migrated", slog.Int("version", m.Version), slog.Duration("took", time.Since(start)))
	}
	return nil
}

// SchemaVersion is the version recorded in db (0: none yet).
func SchemaVersion(ctx context.Context, db *mongo.Database) (int, error) {
	var cur schemaDoc
	err := db.Collection("schema").FindOne(ctx, bson.M{"_id": "schema"}).Decode(&cur)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return cur.Version, Err("schema", err)
}

func setSchema(ctx context.Context, coll *mongo.Collection, v int) error {
	_, err := coll.UpdateOne(ctx, bson.M{"_id": "schema"},
		bson.M{"$set": bson.M{"version": v, "updated_at": time.Now().UTC()}}, options.Update().SetUpsert(true))
	return Err("schema", err)
}

func holdsAny(ctx context.Context, db *mongo.Database, names []string) (bool, error) {
	for _, name := range names {
		n, err := db.Collection(name).EstimatedDocumentCount(ctx)
		if err != nil {
			return false, Err(name, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// Rebuild replaces owner's feed with entries (oldest first), writing each
// bucket once: for migrations and rebuild commands, which make a feed from
// the aggregates. It returns the bucket key of each entry, by id.
func (f Feed[T]) Rebuild(ctx context.Context, owner string, entries []Entry[T]) (map[string]string, error) {
	keys := make(map[string]string, len(entries))
	seq := 0
	for start := 0; start < len(entries); start += f.cap {
		end := min(start+f.cap, len(entries))
		e, sums := bson.M{}, map[string]int64{}
		for _, x := range entries[start:end] {
			if _, err := memberField("e", x.ID); err != nil {
				return nil, err
			}
			e[x.ID] = x.Value
			if f.tally != nil {
				for name, v := range f.tally(x.Value) {
					sums[name] += v
				}
			}
		}
		key := bucketKey(owner, seq)
		_, err := f.coll.ReplaceOne(ctx, bson.M{"_id": key}, bson.M{"owner": owner, "seq": seq, "n": end - start, "e": e, "s": sums},
			options.Replace().SetUpsert(true))
		if err != nil {
			return nil, Err("feed bucket "+key, err)
		}
		for _, x := range entries[start:end] {
			keys[x.ID] = key
		}
		seq++
	}
	_, err := f.coll.ReplaceOne(ctx, bson.M{"_id": owner}, bson.M{"seq": max(0, seq-1), "f": 0, "t": bson.M{}}, options.Replace().SetUpsert(true))
	return keys, Err("feed "+owner, err)
}

// RebuildKeys answers, without writing, the bucket key Rebuild gives each
// of ids (oldest first): so an import can store its records with their keys
// before it writes the feed.
func (f Feed[T]) RebuildKeys(owner string, ids []string) map[string]string {
	keys := make(map[string]string, len(ids))
	for i, id := range ids {
		keys[id] = bucketKey(owner, i/f.cap)
	}
	return keys
}

// HoldsOnly reports whether owner's feed is empty or holds only entries
// whose ids are in ids (an import cut by a crash and run again).
func (f Feed[T]) HoldsOnly(ctx context.Context, owner string, ids map[string]bool) (bool, error) {
	only := true
	err := f.Buckets(ctx, owner, func(_ string, entries map[string]T) bool {
		for id := range entries {
			if !ids[id] {
				only = false
				return false
			}
		}
		return true
	})
	return only, err
}

// ReadAll loads a whole collection into out: for migrations only, which
// read the first layout's collections once.
func ReadAll(ctx context.Context, coll *mongo.Collection, out any) error {
	cur, err := coll.Find(ctx, bson.M{})
	if err != nil {
		return Err(coll.Name(), err)
	}
	return Err(coll.Name(), cur.All(ctx, out))
}
