package progress

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// The session markers follow what mentoring lists — new sessions, a date
// moved, a replayed notice — by _id only, and a rebuild from the sessions
// writes the same markers and glance.
func TestSessionMarkersFollowMentoring(t *testing.T) {
	db := storagetest.DB(t)
	var s *Service
	men := mentoring.NewService(db, mentoring.Options{Clock: func() time.Time { return time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC) },
		Listed: func(ctx context.Context, before *mentoring.Session, after mentoring.Session) error {
			return s.SessionListed(ctx, before, after)
		}})
	s = NewService(db, Options{Mentoring: men})
	ctx := t.Context()
	adviser := &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a", "ini-b"}}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	record := func(date time.Time, topics []string, inis ...string) mentoring.Session {
		t.Helper()
		sess, _, err := men.Create(ctx, adviser, mentoring.SessionInput{InitiativeIDs: inis, Date: date, DurationMinutes: 60,
			Modality: "visit", Topics: topics, Participants: mentoring.Participants{Women: 2, Men: 1, Adults: 3}})
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	wantMarks := func(ini string, want ...time.Time) {
		t.Helper()
		marks, err := s.SessionMarks(ctx, ini)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for _, m := range marks {
			got = append(got, m.Date)
		}
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("%s: sessions on %v, want %v", ini, got, want)
		}
		g, err := s.readGlance(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last := g[ini].Last
		switch {
		case len(want) == 0 && last != nil:
			t.Errorf("%s: newest session %v, want none", ini, last)
		case len(want) > 0 && (last == nil || !last.Equal(want[len(want)-1])):
			t.Errorf("%s: newest session %v, want %v", ini, last, want[len(want)-1])
		}
	}
	var workshop, visit mentoring.Session
	scans := storagetest.ScansDuring(db, func() {
		workshop = record(day(2, 10), []string{"accounting", "marketing"}, "ini-a", "ini-b")
		visit = record(day(3, 5), []string{"customer_service"}, "ini-a")
		wantMarks("ini-a", day(2, 10), day(3, 5))
		wantMarks("ini-b", day(2, 10))
		// The visit moved back before the workshop: ini-a's newest is the workshop now.
		jan := day(1, 28)
		moved, err := men.Update(ctx, adviser, visit.ID, mentoring.SessionUpdate{Date: &jan})
		if err != nil {
			t.Fatal(err)
		}
		wantMarks("ini-a", day(1, 28), day(2, 10))
		// A notice told twice (a repair after a crash) changes nothing.
		if err := s.SessionListed(ctx, &visit, moved); err != nil {
			t.Fatal(err)
		}
		if err := s.SessionListed(ctx, nil, workshop); err != nil {
			t.Fatal(err)
		}
		wantMarks("ini-a", day(1, 28), day(2, 10))
		wantMarks("ini-b", day(2, 10))
	})
	if len(scans) > 0 {
		t.Fatalf("session markers scanned collections: %+v", scans)
	}
	pr, err := s.Progress(ctx, adviser, "ini-a", "2026-01", "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Sessions) != 2 || pr.Sessions[1].ID != workshop.ID || !slices.Equal(pr.Sessions[1].Topics, workshop.Topics) {
		t.Errorf("progress of January to March: sessions %+v, want the moved visit then the workshop", pr.Sessions)
	}
	if pr, err = s.Progress(ctx, adviser, "ini-a", "2026-02", "2026-03"); err != nil || len(pr.Sessions) != 1 {
		t.Errorf("progress of February to March: sessions %+v (%v), want the workshop alone", pr.Sessions, err)
	}
	// Lost markers come back from the sessions.
	if _, err := db.Collection("progress_sessions").DeleteMany(ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := s.setLastSession(ctx, "ini-b", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RebuildSessions(ctx); err != nil {
		t.Fatal(err)
	}
	wantMarks("ini-a", day(1, 28), day(2, 10))
	wantMarks("ini-b", day(2, 10))
}
