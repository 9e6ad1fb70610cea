package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// Limit blocks a key when it reaches Max events within Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// RateLimits are the limits on login and registration. Failed logins are
// counted per account and address: five from one address block that
// address's attempts on the account with a back-off, while the owner signing
// in from elsewhere is not held (a stranger cannot lock them out); a much
// higher ceiling per account stops guessing spread over many addresses. An
// address is blocked only much later, because buyers at a fair share one
// hot-spot address. Registrations naming an email already held are limited
// per address far more tightly than registrations, so probing which emails
// exist is slow.
type RateLimits struct {
	LoginPerPair         Limit
	LoginPerAccount      Limit
	LoginPerAddress      Limit
	RegisterPerAddr      Limit
	RegisterTakenPerAddr Limit
}

// DefaultRateLimits are used in production.
var DefaultRateLimits = RateLimits{
	LoginPerPair:         Limit{Max: 5, Window: 15 * time.Minute},
	LoginPerAccount:      Limit{Max: 50, Window: 15 * time.Minute},
	LoginPerAddress:      Limit{Max: 100, Window: 15 * time.Minute},
	RegisterPerAddr:      Limit{Max: 60, Window: time.Hour},
	RegisterTakenPerAddr: Limit{Max: 5, Window: time.Hour},
}

// withDefaults fills the limits left zero.
func (r RateLimits) withDefaults() RateLimits {
	for _, f := range []struct {
		got *Limit
		def Limit
	}{
		{&r.LoginPerPair, DefaultRateLimits.LoginPerPair}, {&r.LoginPerAccount, DefaultRateLimits.LoginPerAccount},
		{&r.LoginPerAddress, DefaultRateLimits.LoginPerAddress}, {&r.RegisterPerAddr, DefaultRateLimits.RegisterPerAddr},
		{&r.RegisterTakenPerAddr, DefaultRateLimits.RegisterTakenPerAddr},
	} {
		if *f.got == (Limit{}) {
			*f.got = f.def
		}
	}
	return r
}

// counter is one key's events in its current window, stored in MongoDB so
// that every instance sees the same count.
type counter struct {
	ID           string    `bson:"_id"`
	Count        int       `bson:"count"`
	WindowStart  time.Time `bson:"window_start"`
	BlockedUntil time.Time `bson:"blocked_until"`
	ExpiresAt    time.Time `bson:"expires_at"`
}

type limiter struct{ coll *mongo.Collection }

// limitKey hashes what it counts (an email is personal data).
func limitKey(kind, value string) string {
	sum := sha256.Sum256([]byte(value))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// blocked returns how long key is still blocked (0 when it is not).
func (l limiter) blocked(ctx context.Context, key string, now time.Time) (time.Duration, error) {
	var c counter
	err := l.coll.FindOne(ctx, bson.M{"_id": key}).Decode(&c)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	if err != nil {
		return 0, storage.Err("rate limit", err)
	}
	if c.BlockedUntil.After(now) {
		return c.BlockedUntil.Sub(now), nil
	}
	return 0, nil
}

// hit counts one event. When the count reaches the limit the key is blocked
// with a back-off that doubles with every further event (30 s … 15 min).
// Each step is a single-document update, safe across instances.
func (l limiter) hit(ctx context.Context, key string, lim Limit, now time.Time) (time.Duration, error) {
	// A window that is over starts again.
	_, err := l.coll.UpdateOne(ctx, bson.M{"_id": key, "window_start": bson.M{"$lte": now.Add(-lim.Window)}},
		bson.M{"$set": bson.M{"count": 0, "window_start": now}})
	if err != nil {
		return 0, storage.Err("rate limit", err)
	}
	var c counter
	err = l.coll.FindOneAndUpdate(ctx, bson.M{"_id": key},
		bson.M{"$inc": bson.M{"count": 1}, "$setOnInsert": bson.M{"window_start": now}, "$set": bson.M{"expires_at": now.Add(lim.Window + maxBackoff)}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, storage.Err("rate limit", err)
	}
	if c.Count < lim.Max {
		return 0, nil
	}
	wait := backoff(c.Count - lim.Max)
	_, err = l.coll.UpdateOne(ctx, bson.M{"_id": key}, bson.M{"$set": bson.M{"blocked_until": now.Add(wait)}})
	return wait, storage.Err("rate limit", err)
}

const maxBackoff = 15 * time.Minute

func backoff(over int) time.Duration {
	d := 30 * time.Second
	for range min(over, 10) {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (l limiter) reset(ctx context.Context, key string) error {
	_, err := l.coll.DeleteOne(ctx, bson.M{"_id": key})
	return storage.Err("rate limit", err)
}

func (l limiter) sweep(ctx context.Context, now time.Time) error {
	_, err := l.coll.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": now}})
	return storage.Err("rate limits", err)
}
