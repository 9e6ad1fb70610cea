package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// productDoc is the stored form: the product, a folded search text and the
// ids of stock moves applied but not yet confirmed in the history.
type productDoc struct {
	Product      `bson:",inline"`
	Search       string   `bson:"search"`
	PendingMoves []string `bson:"pending_moves"`
}

type productRepo struct {
	coll *mongo.Collection
	meta *mongo.Collection // catalog_meta: the version counter of the public catalog
}

func (r productRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "initiative_id", Value: 1}}})
}

func searchText(p Product) string {
	return Fold(p.Name + " " + p.Description)
}

func (r productRepo) insert(ctx context.Context, p Product) error {
	_, err := r.coll.InsertOne(ctx, productDoc{Product: p, Search: searchText(p), PendingMoves: []string{}})
	return storage.Err("product", err)
}

func (r productRepo) get(ctx context.Context, id string) (Product, error) {
	d, err := r.getDoc(ctx, id)
	return d.Product, err
}

func (r productRepo) getDoc(ctx context.Context, id string) (productDoc, error) {
	var d productDoc
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	return d, storage.Err("product "+id, err)
}

// set changes fields of the product at revision rev (any revision when rev
// is nil) and refreshes the search text from the result. A product that
// moved on answers errStale.
func (r productRepo) set(ctx context.Context, id string, rev *int64, fields bson.M) (Product, error) {
	filter := bson.M{"_id": id}
	if rev != nil {
		filter["rev"] = *rev
	}
	var d productDoc
	err := r.coll.FindOneAndUpdate(ctx, filter, bson.M{"$set": fields, "$inc": bson.M{"rev": 1}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if rev != nil && err == mongo.ErrNoDocuments {
		return Product{}, errStale
	}
	if err != nil {
		return Product{}, storage.Err("product "+id, err)
	}
	if s := searchText(d.Product); s != d.Search {
		_, err = r.coll.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"search": s}})
	}
	return d.Product, storage.Err("product "+id, err)
}

func (r productRepo) byInitiative(ctx context.Context, initiativeID string) ([]Product, error) {
	return r.find(ctx, bson.M{"initiative_id": initiativeID})
}

func (r productRepo) allActive(ctx context.Context) ([]Product, error) {
	return r.find(ctx, bson.M{"active": true})
}

func (r productRepo) find(ctx context.Context, q bson.M) ([]Product, error) {
	cur, err := r.coll.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}))
	if err != nil {
		return nil, storage.Err("products", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, storage.Err("products", err)
	}
	out := make([]Product, len(docs))
	for i, d := range docs {
		out[i] = d.Product
	}
	return out, nil
}

// version reads the public catalog's version: any instance that changes a
// product increments it, and every instance reloads its snapshot when it moves.
func (r productRepo) version(ctx context.Context) (int64, error) {
	var d struct {
		Version int64 `bson:"version"`
	}
	err := r.meta.FindOne(ctx, bson.M{"_id": "products"}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	return d.Version, storage.Err("catalog version", err)
}

func (r productRepo) bumpVersion(ctx context.Context) error {
	_, err := r.meta.UpdateOne(ctx, bson.M{"_id": "products"},
		bson.M{"$inc": bson.M{"version": 1}, "$set": bson.M{"at": time.Now().UTC()}}, options.Update().SetUpsert(true))
	return storage.Err("catalog version", err)
}

// syncInitiative copies an initiative's name and place onto its products.
func (r productRepo) syncInitiative(ctx context.Context, in Initiative) error {
	products, err := r.byInitiative(ctx, in.ID)
	if err != nil {
		return err
	}
	for _, p := range products {
		if p.InitiativeName == in.Name && p.Municipality == in.Municipality {
			continue
		}
		if _, err := r.set(ctx, p.ID, nil, bson.M{"initiative_name": in.Name, "municipality": in.Municipality, "initiative_slug": in.Slug}); err != nil {
			return err
		}
	}
	return nil
}

// errStale says a record changed between read and write; the caller re-reads and retries.
var errStale = errors.New("record changed concurrently")

// retryStale runs op until it does not answer errStale (a few times at most).
func retryStale(op func() error) error {
	var err error
	for range 8 {
		if err = op(); err != errStale {
			return err
		}
	}
	return fmt.Errorf("too many concurrent changes, try again: %w", errs.Conflict)
}
