package accounts

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/storage"
)

// legacyAudit is the collection the first releases kept the audit log in.
const legacyAudit = "audit_log"

// MigrateToBuckets brings the accounts of a data directory made before
// version 2 to the layout read by _id: each user's email is claimed in
// user_emails, and the audit log moves into its feeds (the whole log, each
// actor's, each target's), after which the old collection is dropped. Run
// again after a crash, it writes the same documents.
func (s *Service) MigrateToBuckets(ctx context.Context) error {
	var users []User
	if err := storage.ReadAll(ctx, s.users.coll, &users); err != nil {
		return err
	}
	for _, u := range users {
		if _, err := s.users.emails.ReplaceOne(ctx, bson.M{"_id": u.Email}, emailDoc{u.Email, u.ID},
			options.Replace().SetUpsert(true)); err != nil {
			return storage.Err("user", err)
		}
	}
	coll := s.users.coll.Database().Collection(legacyAudit)
	var entries []AuditEntry
	if err := storage.ReadAll(ctx, coll, &entries); err != nil {
		return err
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
