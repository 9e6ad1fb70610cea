package mentoring_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

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

// An edit and its version are one write: the version is on the session
// document that the edit changed, with the revision the edit made.
func TestEditAndVersionAreOneDocument(t *testing.T) {
	db := storagetest.DB(t)
	svc := mentoring.NewService(db, mentoring.Options{})
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	in := validInput()
	in.Date = mentoring.Today(time.Now())
	sess, _, err := svc.Create(t.Context(), adviser, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("Nuevas notas"), Topics: []string{"marketing"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Unlock(t.Context(), admin, sess.ID, "corrección de la coordinación"); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Rev      int64 `bson:"rev"`
		Versions []struct {
			Rev     int64          `bson:"rev"`
			By      string         `bson:"by"`
			Changes map[string]any `bson:"changes"`
		} `bson:"versions"`
	}
	if err := db.Collection("mentoring_sessions").FindOne(t.Context(), bson.M{"_id": sess.ID}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if raw.Rev != 2 || len(raw.Versions) != 2 || raw.Versions[0].Rev != 1 || raw.Versions[0].By != adviser.UserID ||
		raw.Versions[0].Changes["notes"] == nil || raw.Versions[0].Changes["topics"] == nil ||
		raw.Versions[1].Rev != 2 || raw.Versions[1].Changes["unlocked"] == nil {
		t.Fatalf("session document: %+v", raw)
	}
	if n, err := db.Collection("session_versions").CountDocuments(t.Context(), bson.M{}); err != nil || n != 0 {
		t.Fatalf("session_versions holds %d records (%v), want none", n, err)
	}
	vs, err := svc.Versions(t.Context(), producA, sess.ID)
	if err != nil || len(vs) != 2 || vs[1].Rev != 2 {
		t.Fatalf("versions: %+v, %v", vs, err)
	}
	got, err := svc.Session(t.Context(), admin, sess.ID)
	if err != nil || got.Notes != "Nuevas notas" || got.Unlocked == nil {
		t.Fatalf("session: %+v, %v", got, err)
	}
}
