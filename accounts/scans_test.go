package accounts_test

import (
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// Signing in, checking a token, the audit log and the sweeper read by _id or
// working sets (sign-in sessions, rate limits) only: never the users or the
// log's history.
func TestAccountsReadByID(t *testing.T) {
	db := storagetest.DB(t)
	s := accounts.NewService(db, accounts.Options{Argon2: cheap, Now: func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }})
	if err := s.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	u := mustCreate(t, s, "ana@tesoro.test", accounts.RoleProducer)
	scans := storagetest.ScansDuring(db, func() {
		if _, _, err := s.Login(t.Context(), "ana@tesoro.test", "mala-clave-de-prueba", accounts.KindBearer, here); err == nil {
			t.Fatal("a wrong password signed in")
		}
		token, _, err := s.Login(t.Context(), "ana@tesoro.test", pw, accounts.KindBearer, here)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Authenticate(t.Context(), token)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []accounts.AuditFilter{{}, {ActorID: u.ID}, {TargetID: u.ID, Action: "login"}} {
			entries, _, err := s.Audit.List(t.Context(), f)
			if err != nil || len(entries) == 0 {
				t.Errorf("audit %+v: %d entries, %v", f, len(entries), err)
			}
		}
		if err := s.Logout(t.Context(), p, here); err != nil {
			t.Fatal(err)
		}
	})
	for _, sc := range scans {
		t.Errorf("%s on %s by %s: not by _id", sc.Command, sc.Collection, sc.Filter)
	}
	// The sweeper reads the working sets whole, which the log allows.
	if scans := storagetest.ScansDuring(db, func() { _, _ = s.Sweep(t.Context()) }); len(scans) > 0 {
		t.Errorf("the sweeper scanned: %+v", scans)
	}
}
