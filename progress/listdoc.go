package progress

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// listDoc is a short list admins edit, kept whole in one document
// ({_id, defs, rev}) with its defaults until first changed: the milestone
// definitions, the indicators.
type listDoc[T any] struct {
	coll     *mongo.Collection
	id, name string
	defaults func() []T
	// fill, if set, completes a stored list (defaults added since).
	fill func([]T) []T
}

type listState[T any] struct {
	Defs []T   `bson:"defs"`
	Rev  int64 `bson:"rev"`
}

func (l listDoc[T]) read(ctx context.Context) (listState[T], error) {
	var doc listState[T]
	err := l.coll.FindOne(ctx, bson.M{"_id": l.id}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return listState[T]{Defs: l.defaults()}, nil
	}
	if err != nil {
		return doc, storage.Err(l.name, err)
	}
	if l.fill != nil {
		doc.Defs = l.fill(doc.Defs)
	}
	return doc, nil
}

// change applies fn to the list in one update guarded on its revision (two
// admins at once: the second reads again).
func (l listDoc[T]) change(ctx context.Context, fn func([]T) ([]T, error)) error {
	for range maxRetries {
		doc, err := l.read(ctx)
		if err != nil {
			return err
		}
		defs, err := fn(slices.Clone(doc.Defs))
		if err != nil {
			return err
		}
		res, err := l.coll.UpdateOne(ctx, bson.M{"_id": l.id, "rev": doc.Rev}, bson.M{"$set": bson.M{"defs": defs, "rev": doc.Rev + 1}},
			options.Update().SetUpsert(doc.Rev == 0))
		if storage.IsDuplicateKey(err) || (err == nil && res.MatchedCount+res.UpsertedCount == 0) {
			continue
		}
		return storage.Err(l.name, err)
	}
	return fmt.Errorf("%s keep changing: %w", l.name, errs.Conflict)
}
