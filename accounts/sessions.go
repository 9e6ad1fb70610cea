package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// SessionKind tells a browser session (cookie) from an API token (bearer).
type SessionKind string

const (
	KindCookie SessionKind = "cookie"
	KindBearer SessionKind = "bearer"
)

// SessionLimits bound a session's life: Absolute from login, Idle since last use.
type SessionLimits struct {
	Absolute time.Duration
	Idle     time.Duration
}

// session is stored under the SHA-256 of its token: a stolen database copy
// yields no usable tokens.
type session struct {
	ID         string      `bson:"_id"`
	UserID     string      `bson:"user_id"`
	Kind       SessionKind `bson:"kind"`
	CreatedAt  time.Time   `bson:"created_at"`
	LastSeenAt time.Time   `bson:"last_seen_at"`
	ExpiresAt  time.Time   `bson:"expires_at"` // absolute limit
	IdleUntil  time.Time   `bson:"idle_until"` // moves forward with use
	// Pair is the sibling opened by the same sign-in (an API login's token
	// and its browser cookie): signing out of one ends both.
	Pair string `bson:"pair,omitempty"`
}

// tokenPrefix makes leaked tokens recognisable to secret scanners.
const tokenPrefix = "tsr_"

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func looksLikeToken(token string) bool {
	return strings.HasPrefix(token, tokenPrefix) && len(token) == len(tokenPrefix)+43
}

type sessionRepo struct{ coll *mongo.Collection }

func (r sessionRepo) ensureIndexes(ctx context.Context) error {
	return storage.EnsureIndexes(ctx, r.coll,
		mongo.IndexModel{Keys: bson.D{{Key: "user_id", Value: 1}}})
}

func (r sessionRepo) insert(ctx context.Context, s session) error {
	_, err := r.coll.InsertOne(ctx, s)
	return storage.Err("session", err)
}

func (r sessionRepo) get(ctx context.Context, id string) (session, error) {
	var s session
	err := r.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&s)
	return s, storage.Err("session", err)
}

// touch moves the idle limit forward, never past the absolute one.
func (r sessionRepo) touch(ctx context.Context, s session, now time.Time, idle time.Duration) error {
	until := now.Add(idle)
	if until.After(s.ExpiresAt) {
		until = s.ExpiresAt
	}
	_, err := r.coll.UpdateOne(ctx, bson.M{"_id": s.ID}, bson.M{"$set": bson.M{"last_seen_at": now, "idle_until": until}})
	return storage.Err("session", err)
}

func (r sessionRepo) delete(ctx context.Context, id string) error {
	_, err := r.coll.DeleteOne(ctx, bson.M{"_id": id})
	return storage.Err("session", err)
}

// deleteForUser ends every session of a user except keep (may be "").
func (r sessionRepo) deleteForUser(ctx context.Context, userID, keep string) error {
	q := bson.M{"user_id": userID}
	if keep != "" {
		q["_id"] = bson.M{"$ne": keep}
	}
	_, err := r.coll.DeleteMany(ctx, q)
	return storage.Err("sessions", err)
}

func (r sessionRepo) forUser(ctx context.Context, userID string) ([]session, error) {
	cur, err := r.coll.Find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, storage.Err("sessions", err)
	}
	var out []session
	return out, storage.Err("sessions", cur.All(ctx, &out))
}

// sweep deletes expired sessions: the embedded database has no TTL indexes.
func (r sessionRepo) sweep(ctx context.Context, now time.Time) (int64, error) {
	res, err := r.coll.DeleteMany(ctx, bson.M{"$or": bson.A{
		bson.M{"expires_at": bson.M{"$lte": now}},
		bson.M{"idle_until": bson.M{"$lte": now}},
	}})
	if err != nil {
		return 0, storage.Err("sessions", err)
	}
	return res.DeletedCount, nil
}
