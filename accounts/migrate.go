package accounts

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage"
)

// legacyAudit is the collection the first releases kept the audit log in.
const legacyAudit = "audit_log"

// MigrateToBuckets moves the audit log of a data directory made before
// version 2 into its feeds (the whole log, each actor's, each target's), then
// drops the old collection. Run again after a crash, it rebuilds the same feeds.
func (s *Service) MigrateToBuckets(ctx context.Context) error {
	coll := s.users.coll.Database().Collection(legacyAudit)
	cur, err := coll.Find(ctx, bson.M{})
	if err != nil {
		return storage.Err(legacyAudit, err)
	}
	var entries []AuditEntry
	if err := cur.All(ctx, &entries); err != nil {
		return storage.Err(legacyAudit, err)
	}
	slices.SortFunc(entries, func(a, b AuditEntry) int { return strings.Compare(a.ID, b.ID) })
	byOwner := map[string][]storage.Entry[AuditEntry]{}
	for _, e := range entries {
		for _, owner := range auditOwners(e) {
			byOwner[owner] = append(byOwner[owner], storage.Entry[AuditEntry]{ID: e.ID, Value: e})
		}
	}
	for owner, list := range byOwner {
		if _, err := s.Audit.feeds.Rebuild(ctx, owner, list); err != nil {
			return err
		}
	}
	return storage.Err(legacyAudit, coll.Drop(ctx))
}
