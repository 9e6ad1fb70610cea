package accounts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/storage"
)

// AuditEntry records who did what to which record, when and from where.
// Details never hold passwords, emails or phone numbers.
type AuditEntry struct {
	ID         string            `bson:"_id" json:"id"`
	At         time.Time         `bson:"at" json:"recorded_at"`
	ActorID    string            `bson:"actor_id,omitempty" json:"recorded_by,omitempty"`
	Action     string            `bson:"action" json:"action"`
	TargetKind string            `bson:"target_kind,omitempty" json:"target_kind,omitempty"`
	TargetID   string            `bson:"target_id,omitempty" json:"target_id,omitempty"`
	IP         string            `bson:"ip,omitempty" json:"ip,omitempty"`
	Details    map[string]string `bson:"details,omitempty" json:"details,omitempty"`
}

// Audit is the append-only audit log; other packages record through it too.
// Entries live in feeds (storage.Feed, newest first): the whole log ("all"),
// each actor's ("actor:<id>") and each target's ("target:<id>"), so a page
// of any of them is a few reads by _id however long the log grows.
type Audit struct {
	feeds storage.Feed[AuditEntry]
	now   func() time.Time
}

// auditPerBucket keeps a bucket near 8 KB (an entry is about 250 bytes).
const auditPerBucket = 32

func newAudit(db *mongo.Database, now func() time.Time) *Audit {
	return &Audit{feeds: storage.NewFeed[AuditEntry](db.Collection("audit_feeds"), auditPerBucket), now: now}
}

func auditOwners(e AuditEntry) []string {
	owners := []string{"all"}
	if e.ActorID != "" {
		owners = append(owners, "actor:"+e.ActorID)
	}
	if e.TargetID != "" {
		owners = append(owners, "target:"+e.TargetID)
	}
	return owners
}

// Record appends an entry; At and ID are filled in.
func (a *Audit) Record(ctx context.Context, e AuditEntry) error {
	e.ID = primitive.NewObjectID().Hex()
	e.At = a.now().UTC()
	for _, owner := range auditOwners(e) {
		if _, err := a.feeds.Append(ctx, owner, e.ID, e); err != nil {
			return err
		}
	}
	return nil
}

// AuditFilter selects entries; zero values select all.
type AuditFilter struct {
	ActorID  string
	TargetID string
	Action   string
	Cursor   string // the next cursor of the previous page
	Limit    int
}

// List returns a page of entries, newest first, and the cursor of the next
// page ("" at the end). A filter reads the narrowest feed: the target's, the
// actor's, or the whole log.
func (a *Audit) List(ctx context.Context, f AuditFilter) ([]AuditEntry, string, error) {
	owner := "all"
	switch {
	case f.TargetID != "":
		owner = "target:" + f.TargetID
	case f.ActorID != "":
		owner = "actor:" + f.ActorID
	}
	keep := func(e AuditEntry) bool {
		return (f.ActorID == "" || e.ActorID == f.ActorID) && (f.TargetID == "" || e.TargetID == f.TargetID) &&
			(f.Action == "" || e.Action == f.Action)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	page, err := a.feeds.Page(ctx, owner, f.Cursor, f.Limit, keep)
	if err != nil {
		return nil, "", err
	}
	out := make([]AuditEntry, len(page.Items))
	for i, e := range page.Items {
		out[i] = e.Value
	}
	return out, page.Next, nil
}
