package mentoring_test

import (
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// Sign-in sessions (accounts) and advisory sessions live in one database;
// neither may show up as the other.
func TestSignInSessionsAreNotAdvisorySessions(t *testing.T) {
	db := storagetest.DB(t)
	acc := accounts.NewService(db, accounts.Options{Argon2: accounts.Argon2Params{Time: 1, Memory: 1 << 10, Threads: 1}})
	svc := mentoring.NewService(db, mentoring.Options{})
	for _, ensure := range []func(t *testing.T) error{
		func(t *testing.T) error { return acc.EnsureIndexes(t.Context()) },
		func(t *testing.T) error { return svc.EnsureIndexes(t.Context()) },
	} {
		if err := ensure(t); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := acc.CreateUser(t.Context(), admin, accounts.NewUser{Email: "ana@tesoro.test", Name: "Ana",
		Password: "clave-segura-123", Roles: []string{accounts.RoleAdviser}}, accounts.Meta{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.Login(t.Context(), "ana@tesoro.test", "clave-segura-123", accounts.KindCookie, accounts.Meta{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Sessions(t.Context(), admin, mentoring.SessionFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("after a sign-in: got %d advisory sessions (%v), want none: %+v", len(list), err, list)
	}
}
