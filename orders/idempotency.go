package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// MaxKeyLength bounds an Idempotency-Key.
const MaxKeyLength = 200

// claimRecord is an Idempotency-Key taken by a checkout. Its _id is the key,
// so the unique _id index lets exactly one request claim it; the others wait
// for its answer.
type claimRecord struct {
	Key        string    `bson:"_id"`
	Hash       string    `bson:"hash"`
	State      string    `bson:"state"` // pending, done
	CheckoutID string    `bson:"checkout_id"`
	Token      string    `bson:"token"`
	Client     string    `bson:"client,omitempty"` // hash of the device that sent it
	Body       []byte    `bson:"body,omitempty"`
	CreatedAt  time.Time `bson:"created_at"`
}

// How long a duplicate request waits for the first one to answer.
const (
	duplicateWait = 10 * time.Second
	duplicatePoll = 20 * time.Millisecond
)

// Idempotency records live in one collection per UTC day,
// idempotency_keys_<yyyymmdd>: a key is looked up in its day and the day
// before, and dropping a day whose answers may no longer be replayed is one
// command, whatever the volume.
const keysPrefix = "idempotency_keys_"

func keysCollection(t time.Time) string { return keysPrefix + t.UTC().Format("20060102") }

func (s *Service) keys(t time.Time) *mongo.Collection { return s.db.Collection(keysCollection(t)) }

// findKey reads key's record in the day of at or the day before.
func (s *Service) findKey(ctx context.Context, key string, at time.Time) (claimRecord, error) {
	var c claimRecord
	for _, day := range []time.Time{at, at.Add(-24 * time.Hour)} {
		err := s.keys(day).FindOne(ctx, bson.M{"_id": key}).Decode(&c)
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return c, storage.Err("idempotency key", err)
		}
	}
	return c, fmt.Errorf("idempotency key: %w", errs.NotFound)
}

// claimKey takes key for a new checkout, or returns the stored answer of the
// checkout that took it with the same input. The same key with other input
// is errs.Invalid.
func (s *Service) claimKey(ctx context.Context, key, hash, client string) (claimRecord, *Receipt, error) {
	if key == "" || len(key) > MaxKeyLength {
		var f errs.Fields
		f.Add("Idempotency-Key", errs.CodeOutOfRange, fmt.Sprintf("must have 1 to %d characters", MaxKeyLength), "min", 1, "max", MaxKeyLength)
		return claimRecord{}, nil, f.Err()
	}
	deadline := time.Now().Add(duplicateWait)
	c := claimRecord{Key: key, Hash: hash, State: "pending", CheckoutID: storage.NewID(), Token: newToken(), Client: client, CreatedAt: s.now()}
	claimed := false
	listed := false
	defer func() {
		if listed && !claimed { // a replay or a refusal: no checkout of its own
			s.checkoutDone(ctx, c.CheckoutID)
		}
	}()
	for {
		prior, err := s.findKey(ctx, key, c.CreatedAt)
		if errors.Is(err, errs.NotFound) {
			if !listed {
				// Listed before anything is written, so that the sweeper
				// finds every checkout a crash or an outage cuts short.
				if err := s.open.Add(ctx, c.CheckoutID, checkoutEntry{Key: key, CreatedAt: c.CreatedAt}); err != nil {
					return claimRecord{}, nil, err
				}
				listed = true
			}
			_, err = s.keys(c.CreatedAt).InsertOne(ctx, c)
			if err == nil {
				// Two first tries on each side of midnight: the earlier day wins.
				var earlier claimRecord
				if err := s.keys(c.CreatedAt.Add(-24*time.Hour)).FindOne(ctx, bson.M{"_id": key}).Decode(&earlier); err == nil && earlier.CheckoutID != c.CheckoutID {
					_, _ = s.keys(c.CreatedAt).DeleteOne(ctx, bson.M{"_id": key, "checkout_id": c.CheckoutID})
					continue
				}
				claimed = true
				return c, nil, nil
			}
			if !storage.IsDuplicateKey(err) {
				return claimRecord{}, nil, storage.Err("idempotency key", err)
			}
			continue // taken a moment ago: read it
		}
		switch {
		case err != nil:
			return claimRecord{}, nil, err
		case prior.Hash != hash:
			var f errs.Fields
			f.Add("Idempotency-Key", errs.CodeTaken, "was already used for another order: use a new key for a new order")
			return claimRecord{}, nil, f.Err()
		case prior.State == "done" && prior.Client != "" && prior.Client != client:
			// Someone else holding the key (and the body) learns that the
			// order exists, not how to read it nor who placed it.
			return claimRecord{}, &Receipt{Body: withoutSecrets(prior.Body), Replayed: true}, nil
		case prior.State == "done":
			return claimRecord{}, &Receipt{Body: prior.Body, Replayed: true}, nil
		}
		if time.Now().After(deadline) {
			return claimRecord{}, nil, &errs.RetryError{What: "order with this Idempotency-Key is still being placed", After: time.Second}
		}
		select {
		case <-ctx.Done():
			return claimRecord{}, nil, ctx.Err()
		case <-time.After(duplicatePoll):
		}
	}
}

// completeKey stores the answer of a checkout under its key.
func (s *Service) completeKey(ctx context.Context, c claimRecord, body []byte) error {
	// Only the checkout that claimed the key (or the sweeper, long after it
	// died) completes it, so _id alone is the filter.
	_, err := s.keys(c.CreatedAt).UpdateOne(ctx, bson.M{"_id": c.Key},
		bson.M{"$set": bson.M{"state": "done", "body": body}})
	return storage.Err("idempotency key", err)
}

// withoutSecrets is a stored answer less the guest's token and each
// order's buyer.
func withoutSecrets(body []byte) []byte {
	var r map[string]json.RawMessage
	if err := json.Unmarshal(body, &r); err != nil {
		return []byte(`{}`)
	}
	delete(r, "token")
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(r["orders"], &list); err == nil {
		for _, o := range list {
			delete(o, "buyer")
		}
		r["orders"], _ = json.Marshal(list)
	}
	out, _ := json.Marshal(r)
	return out
}
