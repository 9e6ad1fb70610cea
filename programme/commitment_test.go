package programme

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// The state of a commitment, rule by rule, at a day.
func TestCommitmentStates(t *testing.T) {
	for _, c := range []struct {
		name     string
		s        *summary
		day      string
		state    string
		verified string
	}{
		{"never signed", nil, "2026-06-01", StateNone, ""},
		{"signed later than the day", &summary{SignedOn: "2026-07-01"}, "2026-06-01", StateNone, ""},
		{"signed, not verified yet", &summary{SignedOn: "2026-03-01"}, "2026-06-01", StateCommitted, ""},
		{"signed more than six months ago, never verified", &summary{SignedOn: "2025-11-30"}, "2026-06-01", StateLapsed, ""},
		{"verified in the window", &summary{SignedOn: "2025-01-10", LastVerified: "2026-01-15"}, "2026-06-01", StateVerified, "2026-01-15"},
		{"verified exactly six months before", &summary{SignedOn: "2025-01-10", LastVerified: "2025-12-01"}, "2026-06-01", StateVerified, "2025-12-01"},
		{"the last verification a day past the window", &summary{SignedOn: "2025-01-10", LastVerified: "2025-11-30"}, "2026-06-01", StateLapsed, ""},
		{"suspended, whatever its verifications", &summary{SignedOn: "2025-01-10", LastVerified: "2026-05-01", Suspended: true}, "2026-06-01", StateSuspended, ""},
		{"a verification after the day does not count then", &summary{SignedOn: "2026-01-10", LastVerified: "2026-09-01"}, "2026-06-01", StateCommitted, ""},
	} {
		state, on := stateOf(c.s, c.day, DefaultLapse)
		if state != c.state || on != c.verified {
			t.Errorf("%s: %s (%q), want %s (%q)", c.name, state, on, c.state, c.verified)
		}
	}
}

// A commitment through its life — signed, verified at a visit (twice the
// same visit counts once), suspended with a reason, reinstated by a later
// visit, lapsed after the window — each step kept in its history, refused
// to who may not take it; the public sees the state and date only.
func TestCommitmentLifecycle(t *testing.T) {
	db := storagetest.DB(t)
	now := time.Date(2026, 3, 10, 11, 0, 0, 0, colombia.Zone)
	members := map[string]string{"m1": "Rosa Elvira Cárdenas"}
	c := NewCommitments(db, CommitmentOptions{Clock: func() time.Time { return now },
		Member: func(_ context.Context, ini, id string) (string, error) { return members[id], nil }})
	ctx := t.Context()
	producer := &accounts.Principal{UserID: "u-rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-a"}}
	adviser := &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a"}}
	other := &accounts.Principal{UserID: "u-other", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-b"}}
	state := func(want string) {
		t.Helper()
		pub, err := c.Public(ctx, "ini-a")
		if err != nil || pub.State != want {
			t.Fatalf("state %+v (%v), want %s", pub, err, want)
		}
		states, err := c.States(ctx, "")
		if err != nil || states["ini-a"] != want {
			t.Fatalf("the index says %v (%v), want %s", states, err, want)
		}
	}
	scans := storagetest.ScansDuring(db, func() {
		if _, err := c.Verify(ctx, adviser, "ini-a", "2026-03-01", "", ""); !errors.Is(err, errs.Conflict) {
			t.Errorf("verifying an unsigned commitment: %v, want a conflict", err)
		}
		if _, err := c.Sign(ctx, producer, "ini-a", "nobody", "2026-02-01"); err == nil {
			t.Error("signed by someone who is not a member")
		}
		if _, err := c.Sign(ctx, other, "ini-a", "m1", "2026-02-01"); !errors.Is(err, errs.Forbidden) {
			t.Errorf("another initiative's adviser signing: %v, want forbidden", err)
		}
		if _, err := c.Sign(ctx, producer, "ini-a", "m1", "2026-02-01"); err != nil {
			t.Fatal(err)
		}
		state(StateCommitted)
		if _, err := c.Verify(ctx, producer, "ini-a", "2026-03-01", "", ""); !errors.Is(err, errs.Forbidden) {
			t.Errorf("the producer verifying her own: %v, want forbidden", err)
		}
		if _, err := c.Verify(ctx, adviser, "ini-a", "2026-01-15", "s0", ""); err == nil {
			t.Error("verified before it was signed")
		}
		for range 2 {
			if _, err := c.Verify(ctx, adviser, "ini-a", "2026-03-05", "s1", "Visita a la panadería: los niños en el colegio"); err != nil {
				t.Fatal(err)
			}
		}
		state(StateVerified)
		if _, err := c.Suspend(ctx, adviser, "ini-a", ""); err == nil {
			t.Error("suspended without a reason")
		}
		if _, err := c.Suspend(ctx, adviser, "ini-a", "Un menor atendía el puesto en la feria"); err != nil {
			t.Fatal(err)
		}
		state(StateSuspended)
		if _, err := c.Verify(ctx, adviser, "ini-a", "2026-03-09", "s2", "Conversamos con la familia; no se repitió"); err != nil {
			t.Fatal(err)
		}
		state(StateVerified)
	})
	if len(scans) > 0 {
		t.Fatalf("commitments scanned collections: %+v", scans)
	}
	cm, err := c.Get(ctx, adviser, "ini-a")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range cm.History {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "signed,verified,suspended,verified" {
		t.Errorf("history %s", got)
	}
	if len(cm.Verifications) != 2 || cm.Verifications[1].Note == "" || cm.VerifiedOn != "2026-03-09" || cm.SignedBy != "Rosa Elvira Cárdenas" || cm.TextVersion != CurrentTextVersion {
		t.Errorf("the adviser's view: %+v", cm)
	}
	mine, err := c.Get(ctx, producer, "ini-a")
	if err != nil || mine.Verifications[1].Note != "" {
		t.Errorf("the producer sees the adviser's note: %+v %v", mine, err)
	}
	if _, err := c.Get(ctx, other, "ini-a"); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another adviser reading it: %v, want forbidden", err)
	}
	// The member leaves the initiative: her name leaves the commitment too.
	delete(members, "m1")
	if cm, err := c.Get(ctx, adviser, "ini-a"); err != nil || cm.SignedBy != "" || cm.SignedByID != "m1" {
		t.Errorf("after the member left: %q %q %v", cm.SignedBy, cm.SignedByID, err)
	}
	raw0, err := db.Collection("programme_commitments").FindOne(ctx, map[string]any{"_id": "ini-a"}).Raw()
	if err != nil || strings.Contains(raw0.String(), "Rosa") {
		t.Errorf("the stored commitment keeps the name: %v %v", raw0, err)
	}
	pub, _ := c.Public(ctx, "ini-a")
	raw, _ := json.Marshal(pub)
	if string(raw) != `{"state":"verified","verified_on":"2026-03-09"}` {
		t.Errorf("the public sees %s", raw)
	}
	// Seven months on without a visit: lapsed.
	now = now.AddDate(0, 7, 0)
	state(StateLapsed)
	// The index, lost, comes back from the commitments.
	if _, err := db.Collection("programme_commitment_index").DeleteMany(ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := c.RebuildIndex(ctx); err != nil {
		t.Fatal(err)
	}
	state(StateLapsed)
}
