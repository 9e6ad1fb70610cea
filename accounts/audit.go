package accounts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// AuditEntry records who did what to which record, when and from where.
// Details never hold passwords, emails or phone numbers.
type AuditEntry struct {
	ID         string            `bson:"_id" json:"id"`
	At         time.Time         `bson:"at" json:"at"`
	ActorID    string            `bson:"actor_id,omitempty" json:"actor_id,omitempty"`
	Action     string            `bson:"action" json:"action"`
	TargetKind string            `bson:"target_kind,omitempty" json:"target_kind,omitempty"`
	TargetID   string            `bson:"target_id,omitempty" json:"target_id,omitempty"`
	IP         string            `bson:"ip,omitempty" json:"ip,omitempty"`
	Details    map[string]string `bson:"details,omitempty" json:"details,omitempty"`
}

// Audit is the append-only audit log; other packages record through it too.
type Audit struct {
	coll *mongo.Collection
	now  func() time.Time
}

// Record appends an entry; At and ID are filled in.
func (a *Audit) Record(ctx context.Context, e AuditEntry) error {
	e.ID = primitive.NewObjectID().Hex()
	e.At = a.now().UTC()
	_, err := a.coll.InsertOne(ctx, e)
	return storage.Err("audit", err)
}

// AuditFilter selects entries; zero values select all.
type AuditFilter struct {
	ActorID  string
	TargetID string
	Action   string
	Before   string // cursor: entries older than this id
	Limit    int
}

// List returns entries newest first.
func (a *Audit) List(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := bson.M{}
	if f.ActorID != "" {
		q["actor_id"] = f.ActorID
	}
	if f.TargetID != "" {
		q["target_id"] = f.TargetID
	}
	if f.Action != "" {
		q["action"] = f.Action
	}
	if f.Before != "" {
		q["_id"] = bson.M{"$lt": f.Before}
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := a.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, storage.Err("audit", err)
	}
	var out []AuditEntry
	return out, storage.Err("audit", cur.All(ctx, &out))
}
