package accounts

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

// userRepo keeps users by _id and, in user_emails ({_id: email, user_id}),
// who holds each email: signing in finds the account by two reads by _id
// instead of a query on email, and the email's _id makes it unique.
type userRepo struct{ coll, emails *mongo.Collection }

func newUserRepo(db *mongo.Database) userRepo {
	return userRepo{coll: db.Collection("users"), emails: db.Collection("user_emails")}
}

type emailDoc struct {
	Email  string `bson:"_id"`
	UserID string `bson:"user_id"`
}

func (r userRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)})
}

// insert claims the email, then stores the user. A claim left by a crash
// before the user was stored (it names no user) is taken over.
func (r userRepo) insert(ctx context.Context, u User) error {
	if err := r.claimEmail(ctx, u.Email, u.ID); err != nil {
		return err
	}
	if _, err := r.coll.InsertOne(ctx, u); err != nil {
		_, _ = r.emails.DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": u.Email, "user_id": u.ID})
		return storage.Err("user", err)
	}
	return nil
}

func (r userRepo) claimEmail(ctx context.Context, email, userID string) error {
	_, err := r.emails.InsertOne(ctx, emailDoc{email, userID})
	if !storage.IsDuplicateKey(err) {
		return storage.Err("user", err)
	}
	var cur emailDoc
	if err := r.emails.FindOne(ctx, bson.M{"_id": email}).Decode(&cur); err != nil {
		return storage.Err("user", err)
	}
	if _, err := r.byID(ctx, cur.UserID); !errors.Is(err, errs.NotFound) {
		return fmt.Errorf("user: %w", errs.Conflict) // held by an account
	}
	res, err := r.emails.UpdateOne(ctx, bson.M{"_id": email, "user_id": cur.UserID}, bson.M{"$set": bson.M{"user_id": userID}})
	if err == nil && res.ModifiedCount == 0 {
		return fmt.Errorf("user: %w", errs.Conflict) // taken over by another registration meanwhile
	}
	return storage.Err("user", err)
}

// releaseEmail frees an email (an anonymised account gives its own up).
func (r userRepo) releaseEmail(ctx context.Context, email, userID string) error {
	_, err := r.emails.DeleteOne(ctx, bson.M{"_id": email, "user_id": userID})
	return storage.Err("user", err)
}

func (r userRepo) byID(ctx context.Context, id string) (User, error) {
	var u User
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&u)
	return u, storage.Err("user "+id, err)
}

func (r userRepo) byEmail(ctx context.Context, email string) (User, error) {
	var e emailDoc
	if err := r.emails.FindOne(ctx, bson.M{"_id": email}).Decode(&e); err != nil {
		return User{}, storage.Err("user", err) // the email stays out of the message: it may be logged
	}
	u, err := r.byID(ctx, e.UserID)
	if err == nil && u.Email != email {
		err = fmt.Errorf("user: %w", errs.NotFound)
	}
	return u, err
}

func (r userRepo) set(ctx context.Context, id string, fields bson.M) (User, error) {
	var u User
	err := r.coll.FindOneAndUpdate(ctx, bson.M{"_id": id}, bson.M{"$set": fields},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&u)
	return u, storage.Err("user "+id, err)
}
