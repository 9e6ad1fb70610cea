package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// The users' list pages newest first by _id reads, follows changes at once,
// and the active-admin count follows roles, deactivation and deletion.
func TestUserListAndAdminCount(t *testing.T) {
	db := storagetest.DB(t)
	s := accounts.NewService(db, accounts.Options{Argon2: cheap})
	var made []accounts.User
	for i := range 40 {
		role := accounts.RoleBuyer
		if i%10 == 0 {
			role = accounts.RoleAdmin
		}
		made = append(made, mustCreate(t, s, "u"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@tesoro.test", role))
	}
	if n, err := s.ActiveAdmins(t.Context()); err != nil || n != 4 {
		t.Fatalf("active admins: %d %v, want 4", n, err)
	}
	name := "Nombre Nuevo"
	if _, err := s.UpdateUser(t.Context(), admin, made[5].ID, accounts.UserUpdate{Name: &name}, here); err != nil {
		t.Fatal(err)
	}
	var listed []accounts.User
	scans := storagetest.ScansDuring(db, func() {
		cursor := ""
		for range 10 {
			page, next, err := s.Users(t.Context(), admin, cursor, 15)
			if err != nil {
				t.Fatal(err)
			}
			listed = append(listed, page...)
			if cursor = next; cursor == "" {
				break
			}
		}
	})
	for _, sc := range scans {
		t.Errorf("%s on %s by %s: not by _id", sc.Command, sc.Collection, sc.Filter)
	}
	if len(listed) != len(made) {
		t.Fatalf("listed %d users, want %d", len(listed), len(made))
	}
	for i, u := range listed {
		want := made[len(made)-1-i]
		if u.ID != want.ID || u.Email != want.Email || u.PasswordHash != "" {
			t.Fatalf("row %d: %s %s, want %s %s newest first, no hash", i, u.ID, u.Email, want.ID, want.Email)
		}
		if u.ID == made[5].ID && u.Name != name {
			t.Errorf("the list shows %q after the rename, want %q", u.Name, name)
		}
	}
	if _, _, err := s.Users(t.Context(), &accounts.Principal{UserID: "b", Roles: []string{accounts.RoleBuyer}}, "", 10); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a buyer listing users: got %v, want forbidden", err)
	}
	off := false
	if _, err := s.UpdateUser(t.Context(), admin, made[10].ID, accounts.UserUpdate{Active: &off}, here); err != nil {
		t.Fatal(err)
	}
	buyer := []string{accounts.RoleBuyer}
	if _, err := s.UpdateUser(t.Context(), admin, made[20].ID, accounts.UserUpdate{Roles: &buyer}, here); err != nil {
		t.Fatal(err)
	}
	adminRole := []string{accounts.RoleAdmin, accounts.RoleAdviser}
	if _, err := s.UpdateUser(t.Context(), admin, made[1].ID, accounts.UserUpdate{Roles: &adminRole}, here); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ActiveAdmins(t.Context()); err != nil || n != 3 {
		t.Fatalf("active admins after one deactivated, one demoted, one promoted: %d %v, want 3", n, err)
	}
}

// Two admins, each removing the other at once (deactivating, demoting or
// deleting their own account): one wins, one is refused, and an active
// admin always remains. A refused deletion changes nothing elsewhere.
func TestTheLastAdminStays(t *testing.T) {
	for _, how := range []string{"deactivate", "demote", "delete"} {
		t.Run(how, func(t *testing.T) {
			s, _ := newService(t, accounts.Options{})
			a, b := mustCreate(t, s, "a@tesoro.test", accounts.RoleAdmin), mustCreate(t, s, "b@tesoro.test", accounts.RoleAdmin)
			pa, pb := &accounts.Principal{UserID: a.ID, Roles: a.Roles}, &accounts.Principal{UserID: b.ID, Roles: b.Roles}
			var erased sync.Map
			act := func(actor *accounts.Principal, other string) error {
				off, buyer := false, []string{accounts.RoleBuyer}
				switch how {
				case "deactivate":
					_, err := s.UpdateUser(t.Context(), actor, other, accounts.UserUpdate{Active: &off}, here)
					return err
				case "demote":
					_, err := s.UpdateUser(t.Context(), actor, other, accounts.UserUpdate{Roles: &buyer}, here)
					return err
				}
				return s.Anonymize(t.Context(), actor, here, func(context.Context) error { erased.Store(actor.UserID, true); return nil })
			}
			var errA, errB error
			var wg sync.WaitGroup
			wg.Go(func() { errA = act(pa, b.ID) })
			wg.Go(func() { errB = act(pb, a.ID) })
			wg.Wait()
			if (errA == nil) == (errB == nil) {
				t.Fatalf("both at once: %v and %v; want exactly one refused", errA, errB)
			}
			for _, err := range []error{errA, errB} {
				if err != nil && !errors.Is(err, errs.Conflict) {
					t.Fatalf("refusal: got %v, want conflict", err)
				}
			}
			n, err := s.ActiveAdmins(t.Context())
			if err != nil || n != 1 {
				t.Fatalf("active admins: %d %v, want 1", n, err)
			}
			left := 0
			for _, id := range []string{a.ID, b.ID} {
				u, err := s.User(t.Context(), admin, id)
				if err != nil {
					t.Fatal(err)
				}
				if u.Active && len(u.Roles) > 0 && u.Roles[0] == accounts.RoleAdmin {
					left++
				} else if _, ok := erased.Load(id); how == "delete" && !ok {
					t.Errorf("%s deleted without erasing elsewhere", id)
				}
			}
			if left != 1 {
				t.Fatalf("%d active admins in the users, want 1", left)
			}
			count := 0
			erased.Range(func(any, any) bool { count++; return true })
			if how == "delete" && count != 1 {
				t.Errorf("erased elsewhere for %d users, want only the one deleted", count)
			}
		})
	}
}

// A change cut by a crash (marked, user written, list not) is finished by Repair.
func TestRepairListsAUserACrashLeftOut(t *testing.T) {
	db := storagetest.DB(t)
	s := accounts.NewService(db, accounts.Options{Argon2: cheap})
	u := mustCreate(t, s, "ana@tesoro.test", accounts.RoleAdmin)
	// What a crash after the user's write leaves: a mark, a user whose list
	// entry and admin membership are not there.
	if _, err := db.Collection("user_directory").DeleteMany(t.Context(), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("users").UpdateOne(t.Context(), map[string]any{"_id": u.ID}, map[string]any{"$unset": map[string]any{"dir_key": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("user_work").UpdateOne(t.Context(), map[string]any{"_id": "admins"},
		map[string]any{"$unset": map[string]any{"m." + u.ID: ""}, "$inc": map[string]any{"n": -1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("user_work").UpdateOne(t.Context(), map[string]any{"_id": "relist"},
		map[string]any{"$set": map[string]any{"m." + u.ID: here2000()}}, optionsUpsert()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Repair(t.Context(), 0); err != nil || n != 1 {
		t.Fatalf("repair: %d %v, want 1 settled", n, err)
	}
	page, _, err := s.Users(t.Context(), admin, "", 10)
	if err != nil || len(page) != 1 || page[0].ID != u.ID {
		t.Fatalf("list after repair: %+v %v", page, err)
	}
	if n, _ := s.ActiveAdmins(t.Context()); n != 1 {
		t.Fatalf("active admins after repair: %d, want 1", n)
	}
	if n, err := s.Repair(t.Context(), 0); err != nil || n != 0 {
		t.Fatalf("second repair: %d %v, want nothing left", n, err)
	}
}

func here2000() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

func optionsUpsert() *options.UpdateOptions { return options.Update().SetUpsert(true) }
