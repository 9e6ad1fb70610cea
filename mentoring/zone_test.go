package mentoring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// lateEvening is 22:00 of 24 November 2026 in Bogotá: already the 25th in UTC.
var lateEvening = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func serviceAt(t *testing.T, now time.Time) (*mentoring.Service, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: now}
	svc := mentoring.NewService(storagetest.DB(t), mentoring.Options{Clock: clock.Now, LockAfter: 30 * 24 * time.Hour})
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc, clock
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestTodayIsCountedInBogota(t *testing.T) {
	tests := []struct {
		now  time.Time
		want time.Time
	}{
		{lateEvening, day(2026, 11, 24)},
		{time.Date(2026, 11, 25, 4, 59, 59, 0, time.UTC), day(2026, 11, 24)},
		{time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC), day(2026, 11, 25)},
		{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), day(2026, 11, 25)},
	}
	for _, tt := range tests {
		if got := mentoring.Today(tt.now); !got.Equal(tt.want) {
			t.Errorf("Today(%s): got %s, want %s", tt.now, got, tt.want)
		}
	}
	if _, off := time.Date(2026, 6, 1, 12, 0, 0, 0, mentoring.Zone).Zone(); off != -5*3600 {
		t.Errorf("zone offset: got %d, want -5h", off)
	}
}

func TestFutureDateIsCountedInBogota(t *testing.T) {
	svc, _ := serviceAt(t, lateEvening)
	in := validInput()
	in.Date = day(2026, 11, 25) // tomorrow in Bogotá: allowed
	if _, _, err := svc.Create(t.Context(), adviser, in); err != nil {
		t.Fatalf("tomorrow in Bogotá: %v", err)
	}
	in.Date = day(2026, 11, 26) // the day after tomorrow in Bogotá, tomorrow in UTC
	_, _, err := svc.Create(t.Context(), adviser, in)
	wantField(t, err, "date")
}

func TestOverdueIsCountedInBogota(t *testing.T) {
	svc, clock := serviceAt(t, lateEvening)
	in := validInput()
	in.Date = day(2026, 11, 24)
	in.Agreements = []mentoring.AgreementInput{{Text: "Contar la caja", Owner: "Ana", Due: day(2026, 11, 24)}}
	if _, _, err := svc.Create(t.Context(), adviser, in); err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListAgreements(t.Context(), admin, mentoring.AgreementFilter{Overdue: true})
	if err != nil || len(list) != 0 {
		t.Fatalf("due today in Bogotá (already tomorrow in UTC): got %d overdue, %v; want none", len(list), err)
	}
	clock.Add(2 * time.Hour) // 00:00 of the 25th in Bogotá
	list, err = svc.ListAgreements(t.Context(), admin, mentoring.AgreementFilter{Overdue: true})
	if err != nil || len(list) != 1 {
		t.Fatalf("the next day in Bogotá: got %d overdue, %v; want 1", len(list), err)
	}
}

func TestLockIsCountedInBogota(t *testing.T) {
	// A session of 26 October locks 30 days later, at 00:00 of 25 November in Bogotá.
	svc, clock := serviceAt(t, time.Date(2026, 10, 27, 12, 0, 0, 0, time.UTC))
	in := validInput()
	in.Date = day(2026, 10, 26)
	sess, _, err := svc.Create(t.Context(), adviser, in)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(lateEvening.Sub(clock.Now())) // the 25th in UTC, still the 24th in Bogotá
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("antes del cierre")}); err != nil {
		t.Fatalf("the last evening in Bogotá: got %v, want the edit to pass", err)
	}
	clock.Add(2 * time.Hour)
	_, err = svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("después del cierre")})
	if !errors.Is(err, errs.Locked) {
		t.Fatalf("after midnight in Bogotá: got %v, want Locked", err)
	}
}
