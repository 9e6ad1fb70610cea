package catalog

import (
	"context"
	"regexp"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// initiativeDoc is the stored form: the initiative plus a folded search text.
type initiativeDoc struct {
	Initiative `bson:",inline"`
	Search     string `bson:"search"`
}

type initiativeRepo struct{ coll *mongo.Collection }

func newInitiativeRepo(db *mongo.Database) *initiativeRepo {
	return &initiativeRepo{coll: db.Collection("initiatives")}
}

func (r *initiativeRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "slug", Value: 1}}, Options: options.Index().SetUnique(true)},
	)
}

func (r *initiativeRepo) insert(ctx context.Context, in Initiative) error {
	doc := initiativeDoc{Initiative: in, Search: Fold(in.Name + " " + in.Description)}
	_, err := r.coll.InsertOne(ctx, doc)
	return storage.Err("initiative "+in.Slug, err)
}

func (r *initiativeRepo) get(ctx context.Context, filter bson.M, what string) (Initiative, error) {
	var doc initiativeDoc
	err := r.coll.FindOne(ctx, filter).Decode(&doc)
	return doc.Initiative, storage.Err(what, err)
}

// InitiativeFilter selects initiatives; zero values select all.
type InitiativeFilter struct {
	Municipality string // canonical name
	Query        string // accent- and case-insensitive text
	After        string // cursor: the last id of the previous page
	Limit        int
	ActiveOnly   bool
}

func (r *initiativeRepo) list(ctx context.Context, f InitiativeFilter) ([]Initiative, error) {
	q := bson.M{}
	if f.Municipality != "" {
		q["municipality"] = f.Municipality
	}
	if f.Query != "" {
		q["search"] = bson.M{"$regex": regexp.QuoteMeta(Fold(f.Query))}
	}
	if f.After != "" {
		q["_id"] = bson.M{"$gt": f.After}
	}
	if f.ActiveOnly {
		q["active"] = true
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := r.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, storage.Err("initiatives", err)
	}
	var docs []initiativeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, storage.Err("initiatives", err)
	}
	out := make([]Initiative, len(docs))
	for i, d := range docs {
		out[i] = d.Initiative
	}
	return out, nil
}

// replace writes in over the revision it was read at; errStale when it moved on.
func (r *initiativeRepo) replace(ctx context.Context, in Initiative) error {
	rev := in.Rev
	in.Rev++
	doc := initiativeDoc{Initiative: in, Search: Fold(in.Name + " " + in.Description)}
	res, err := r.coll.ReplaceOne(ctx, bson.M{"_id": in.ID, "rev": rev}, doc)
	if err == nil && res.MatchedCount == 0 {
		return errStale
	}
	return storage.Err("initiative "+in.ID, err)
}
