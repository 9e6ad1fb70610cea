package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// The admins' list of users is a feed (user_directory, owner "all") of each
// user's summary, newest first; the user keeps the key of its bucket
// (dir_key), so a change is one $set there. Who is an active admin is a
// counted set (user_work "admins"): taking someone out of it is guarded by
// "at least one other remains", in the same write, so two admins demoting
// each other at once cannot leave none. A change to a user is marked in
// user_work "relist" first and unmarked when the user, the list and the set
// agree; Repair finishes what a crash cut.

const (
	dirOwner     = "all"
	setAdmins    = "admins"
	setRelist    = "relist"
	dirPerBucket = 32 // a summary is about 250 bytes
)

// dirEntry is what the list shows of a user (never the password hash).
type dirEntry struct {
	Email         string     `bson:"email"`
	Name          string     `bson:"name"`
	Roles         []string   `bson:"roles"`
	InitiativeIDs []string   `bson:"initiative_ids"`
	ProducerOf    []string   `bson:"producer_of,omitempty"`
	AdviserOf     []string   `bson:"adviser_of,omitempty"`
	Active        bool       `bson:"active"`
	CreatedAt     time.Time  `bson:"created_at"`
	AnonymizedAt  *time.Time `bson:"anonymized_at,omitempty"`
}

func entryOf(u User) dirEntry {
	return dirEntry{Email: u.Email, Name: u.Name, Roles: u.Roles, InitiativeIDs: u.InitiativeIDs, ProducerOf: u.ProducerOf, AdviserOf: u.AdviserOf, Active: u.Active,
		CreatedAt: u.CreatedAt, AnonymizedAt: u.AnonymizedAt}
}

func (e dirEntry) user(id string) User {
	return User{ID: id, Email: e.Email, Name: e.Name, Roles: e.Roles, InitiativeIDs: e.InitiativeIDs, ProducerOf: e.ProducerOf, AdviserOf: e.AdviserOf, Active: e.Active,
		CreatedAt: e.CreatedAt, AnonymizedAt: e.AnonymizedAt}
}

func activeAdmin(u User) bool { return u.Active && slices.Contains(u.Roles, RoleAdmin) }

// mark notes that user id is about to change.
func (s *Service) mark(ctx context.Context, id string) error {
	return s.marks.Add(ctx, setRelist, id, s.now())
}

// settle makes the list and the admins' set agree with u, then unmarks it.
func (s *Service) settle(ctx context.Context, u User) error {
	if u.DirKey == "" {
		key, err := s.directory.Locate(ctx, dirOwner, u.ID)
		if err == nil && key == "" {
			key, err = s.directory.Append(ctx, dirOwner, u.ID, entryOf(u))
		}
		if err != nil {
			return err
		}
		if _, err := s.users.coll.UpdateOne(ctx, bson.M{"_id": u.ID}, bson.M{"$set": bson.M{"dir_key": key}}); err != nil {
			return storage.Err("user "+u.ID, err)
		}
		u.DirKey = key
	}
	if err := s.directory.Put(ctx, u.DirKey, u.ID, entryOf(u)); err != nil {
		return err
	}
	var err error
	if activeAdmin(u) {
		err = s.admins.AddCounted(ctx, setAdmins, u.ID, true)
	} else {
		_, err = s.admins.RemoveCounted(ctx, setAdmins, u.ID, 0)
	}
	if err != nil {
		return err
	}
	return s.marks.Remove(ctx, setRelist, u.ID)
}

// demote takes an active admin out of the admins' set before the change
// that makes them no longer one, refusing when they are the last.
func (s *Service) demote(ctx context.Context, id, what string) error {
	ok, err := s.admins.RemoveCounted(ctx, setAdmins, id, 1)
	if err != nil {
		return err
	}
	if !ok {
		if n, err := s.admins.Count(ctx, setAdmins); err == nil && n <= 1 {
			return fmt.Errorf("%s: the programme needs at least one active admin; name another admin first: %w", what, errs.Conflict)
		}
	}
	return nil
}

// Repair settles the users whose change a crash cut (marked longer ago
// than olderThan): run at start and periodically.
func (s *Service) Repair(ctx context.Context, olderThan time.Duration) (int, error) {
	marks, err := s.marks.Members(ctx, setRelist)
	if err != nil {
		return 0, err
	}
	n := 0
	for id, at := range marks {
		if at.After(s.now().Add(-olderThan)) {
			continue
		}
		u, err := s.users.byID(ctx, id)
		switch {
		case errors.Is(err, errs.NotFound): // never stored: nothing to list
			err = s.marks.Remove(ctx, setRelist, id)
		case err == nil:
			err = s.settle(ctx, u)
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Users lists users newest first (admins only), from cursor (the next
// cursor of a page before, or "").
func (s *Service) Users(ctx context.Context, actor *Principal, cursor string, limit int) ([]User, string, error) {
	if !CanManageUsers(actor) {
		return nil, "", fmt.Errorf("list users: %w", errs.Forbidden)
	}
	page, err := s.directory.Page(ctx, dirOwner, cursor, limit, nil)
	if err != nil {
		return nil, "", err
	}
	out := make([]User, 0, len(page.Items))
	for _, e := range page.Items {
		out = append(out, e.Value.user(e.ID))
	}
	return out, page.Next, nil
}

// ActiveAdmins is the number of active admins, from the counted set.
func (s *Service) ActiveAdmins(ctx context.Context) (int, error) {
	return s.admins.Count(ctx, setAdmins)
}

// RebuildDirectory makes the users' list and the admins' set again from the
// users: a recount, for `tesoro rebuild-counters` and the upgrade to them.
func (s *Service) RebuildDirectory(ctx context.Context) error {
	var users []User
	if err := storage.ReadAll(ctx, s.users.coll, &users); err != nil {
		return err
	}
	slices.SortFunc(users, func(a, b User) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	entries := make([]storage.Entry[dirEntry], 0, len(users))
	admins := map[string]bool{}
	for _, u := range users {
		entries = append(entries, storage.Entry[dirEntry]{ID: u.ID, Value: entryOf(u)})
		if activeAdmin(u) {
			admins[u.ID] = true
		}
	}
	if err := s.directory.Drop(ctx); err != nil {
		return err
	}
	keys, err := s.directory.Rebuild(ctx, dirOwner, entries)
	if err != nil {
		return err
	}
	for id, key := range keys {
		if _, err := s.users.coll.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"dir_key": key}}); err != nil {
			return storage.Err("user "+id, err)
		}
	}
	return s.admins.PutCounted(ctx, setAdmins, admins)
}
