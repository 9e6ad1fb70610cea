package accounts

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

type userRepo struct{ coll *mongo.Collection }

func (r userRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)})
}

func (r userRepo) insert(ctx context.Context, u User) error {
	_, err := r.coll.InsertOne(ctx, u)
	return storage.Err("user", err)
}

func (r userRepo) byID(ctx context.Context, id string) (User, error) {
	var u User
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&u)
	return u, storage.Err("user "+id, err)
}

func (r userRepo) byEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := r.coll.FindOne(ctx, bson.M{"email": email}).Decode(&u)
	return u, storage.Err("user", err) // the email stays out of the message: it may be logged
}

func (r userRepo) set(ctx context.Context, id string, fields bson.M) (User, error) {
	var u User
	err := r.coll.FindOneAndUpdate(ctx, bson.M{"_id": id}, bson.M{"$set": fields},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&u)
	return u, storage.Err("user "+id, err)
}

func (r userRepo) list(ctx context.Context, after string, limit int) ([]User, error) {
	q := bson.M{}
	if after != "" {
		q["_id"] = bson.M{"$gt": after}
	}
	cur, err := r.coll.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, storage.Err("users", err)
	}
	var out []User
	return out, storage.Err("users", cur.All(ctx, &out))
}

func (r userRepo) count(ctx context.Context) (int64, error) {
	n, err := r.coll.CountDocuments(ctx, bson.M{})
	return n, storage.Err("users", err)
}
