package mentoring_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// Lists, timelines, overdue agreements and exports read only by _id (or the
// open-agreements working set), and follow every change: a session moved to
// another month is listed once, in its new place.
func TestMentoringListsReadByIDAndFollowChanges(t *testing.T) {
	db := storagetest.DB(t)
	clock := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	svc := mentoring.NewService(db, mentoring.Options{Clock: func() time.Time { return clock }, LockAfter: 30 * 24 * time.Hour})
	ctx := t.Context()
	var moved string
	scans := storagetest.ScansDuring(db, func() {
		for i, day := range []int{9, 5, 1} {
			in := validInput()
			in.Date = time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC)
			if i == 2 {
				in.InitiativeIDs = []string{"ini-a", "ini-b"}
			}
			in.Agreements = []mentoring.AgreementInput{{Text: "Llevar el cuaderno de costos", Owner: "Ana", Due: time.Date(2026, 3, 2+day, 0, 0, 0, 0, time.UTC), InitiativeID: "ini-a"}}
			s, _, err := svc.Create(ctx, adviser, in)
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				moved = s.ID
			}
		}
		// Back-dated into February: it leaves March's bucket.
		feb := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
		if _, err := svc.Update(ctx, adviser, moved, mentoring.SessionUpdate{Date: &feb}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			who  string
			list func() ([]mentoring.Session, error)
			want int
		}{
			{"initiative a", func() ([]mentoring.Session, error) {
				return svc.Sessions(ctx, adviser, mentoring.SessionFilter{InitiativeID: "ini-a"})
			}, 3},
			{"initiative b", func() ([]mentoring.Session, error) {
				return svc.Sessions(ctx, adviser, mentoring.SessionFilter{InitiativeID: "ini-b"})
			}, 1},
			{"adviser's readable", func() ([]mentoring.Session, error) { return svc.Sessions(ctx, adviser, mentoring.SessionFilter{}) }, 3},
			{"admin, all", func() ([]mentoring.Session, error) { return svc.Sessions(ctx, admin, mentoring.SessionFilter{}) }, 3},
			{"admin, by adviser", func() ([]mentoring.Session, error) {
				return svc.Sessions(ctx, admin, mentoring.SessionFilter{AdviserID: adviser.UserID})
			}, 3},
		} {
			list, err := p.list()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != p.want {
				t.Errorf("%s: %d sessions, want %d", p.who, len(list), p.want)
			}
			for i := 1; i < len(list); i++ {
				if list[i].Date.After(list[i-1].Date) {
					t.Errorf("%s: not newest first: %v before %v", p.who, list[i-1].Date, list[i].Date)
				}
			}
			if p.who == "initiative a" && (len(list) != 3 || list[2].ID != moved) {
				t.Errorf("initiative a: the back-dated session is not last: %+v", list)
			}
		}
		overdue, err := svc.ListAgreements(ctx, admin, mentoring.AgreementFilter{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) != 2 { // due March 3 and 7; the one due the 11th is not late yet
			t.Fatalf("overdue: %d agreements, want 2", len(overdue))
		}
		if _, err := svc.SetAgreementStatus(ctx, adviser, overdue[0].ID, mentoring.StatusDone); err != nil {
			t.Fatal(err)
		}
		if again, _ := svc.ListAgreements(ctx, admin, mentoring.AgreementFilter{Overdue: true}); len(again) != 1 {
			t.Errorf("overdue after one is done: %d, want 1", len(again))
		}
		done, err := svc.ListAgreements(ctx, producA, mentoring.AgreementFilter{Status: mentoring.StatusDone})
		if err != nil || len(done) != 1 {
			t.Errorf("done agreements of initiative a: %d %v, want 1", len(done), err)
		}
		report, err := svc.Export(ctx, admin, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
			func(string) (string, string, error) { return "Mongua", "Boyacá", nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Agreements) != 2 {
			t.Errorf("export of March: %d agreements, want the 2 of March's sessions", len(report.Agreements))
		}
		if _, err := svc.Repair(ctx, 0); err != nil {
			t.Fatal(err)
		}
	})
	for _, s := range scans {
		t.Errorf("%s on %s by %s: not by _id", s.Command, s.Collection, s.Filter)
	}
}

// A crash between a session's edit and its lists leaves it marked; Repair
// lists it again in its new place and takes it out of the old one.
func TestRepairFinishesAnInterruptedListing(t *testing.T) {
	db := storagetest.DB(t)
	svc := mentoring.NewService(db, mentoring.Options{Clock: func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }})
	s, _, err := svc.Create(t.Context(), adviser, validInput())
	if err != nil {
		t.Fatal(err)
	}
	// As the edit would: marked with the session as listed, then changed,
	// then the process dies before the lists follow.
	feb := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	before := s
	if _, err := db.Collection("mentoring_reindex").InsertOne(t.Context(), bson.M{"_id": s.ID,
		"v": bson.M{"kind": "session", "at": time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC), "before": before}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("mentoring_sessions").UpdateOne(t.Context(), bson.M{"_id": s.ID}, bson.M{"$set": bson.M{"date": feb}}); err != nil {
		t.Fatal(err)
	}
	n, err := svc.Repair(t.Context(), time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("repair: %d %v, want 1", n, err)
	}
	list, err := svc.Sessions(t.Context(), adviser, mentoring.SessionFilter{InitiativeID: "ini-a"})
	if err != nil || len(list) != 1 || !list[0].Date.Equal(feb) {
		t.Fatalf("after the repair: %+v %v, want the session once, on %v", list, err, feb)
	}
}
