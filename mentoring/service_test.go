package mentoring_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// fakeClock is a settable clock for the service.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	admin    = &accounts.Principal{UserID: "u-admin", Roles: []string{accounts.RoleAdmin}}
	adviser  = &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a", "ini-b"}}
	adviserA = &accounts.Principal{UserID: "u-adv-a", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a"}}
	producA  = &accounts.Principal{UserID: "u-prod-a", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-a"}}
	producC  = &accounts.Principal{UserID: "u-prod-c", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-c"}}
)

// newService is mentoring on a fresh database with a clock at noon, 2026-03-10 UTC.
func newService(t testing.TB) (*mentoring.Service, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
	svc := mentoring.NewService(storagetest.DB(t), mentoring.Options{Clock: clock.Now, LockAfter: 30 * 24 * time.Hour})
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc, clock
}

func validInput() mentoring.SessionInput {
	return mentoring.SessionInput{
		InitiativeIDs:   []string{"ini-a"},
		Date:            time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC),
		DurationMinutes: 90,
		Modality:        "visit",
		Topics:          []string{"accounting", "marketing"},
		Participants:    mentoring.Participants{Women: 5, Men: 2, Youth: 3, Adults: 4},
		Notes:           "Costeo de la arepa",
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, errs.Invalid) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	if len(ve.Fields) != 1 || ve.Fields[0].Field != field {
		t.Fatalf("fields: got %+v, want one on %s", ve.Fields, field)
	}
}

func TestCreateValidation(t *testing.T) {
	svc, _ := newService(t)
	tests := []struct {
		name      string
		mutate    func(*mentoring.SessionInput)
		wantField string // empty: valid
	}{
		{"valid", func(*mentoring.SessionInput) {}, ""},
		{"tomorrow is allowed", func(in *mentoring.SessionInput) { in.Date = time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC) }, ""},
		{"future beyond a day", func(in *mentoring.SessionInput) { in.Date = time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC) }, "date"},
		{"no date", func(in *mentoring.SessionInput) { in.Date = time.Time{} }, "date"},
		{"unknown topic", func(in *mentoring.SessionInput) { in.Topics = []string{"accounting", "astrology"} }, "topics"},
		{"duplicate topic", func(in *mentoring.SessionInput) { in.Topics = []string{"accounting", "accounting"} }, "topics"},
		{"no topics", func(in *mentoring.SessionInput) { in.Topics = nil }, "topics"},
		{"negative women", func(in *mentoring.SessionInput) { in.Participants.Women = -1 }, "participants.women"},
		{"negative men", func(in *mentoring.SessionInput) { in.Participants.Men = -2 }, "participants.men"},
		{"negative youth", func(in *mentoring.SessionInput) { in.Participants.Youth = -1 }, "participants.youth"},
		{"negative adults", func(in *mentoring.SessionInput) { in.Participants.Adults = -1 }, "participants.adults"},
		{"no initiatives", func(in *mentoring.SessionInput) { in.InitiativeIDs = []string{" "} }, "initiative_ids"},
		{"zero duration", func(in *mentoring.SessionInput) { in.DurationMinutes = 0 }, "duration_minutes"},
		{"long duration", func(in *mentoring.SessionInput) { in.DurationMinutes = 601 }, "duration_minutes"},
		{"unknown modality", func(in *mentoring.SessionInput) { in.Modality = "telepathy" }, "modality"},
		{"agreement text too short", func(in *mentoring.SessionInput) {
			in.Agreements = []mentoring.AgreementInput{{Text: "ok", Owner: "Ana", Due: in.Date}}
		}, "agreements[0].text"},
		{"agreement for another initiative", func(in *mentoring.SessionInput) {
			in.Agreements = []mentoring.AgreementInput{{Text: "Llevar cuentas", Owner: "Ana", Due: in.Date, InitiativeID: "ini-b"}}
		}, "agreements[0].initiative_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.mutate(&in)
			got, _, err := svc.Create(t.Context(), adviser, in)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				if got.AdviserID != adviser.UserID || got.Rev != 0 || !got.Date.Equal(mentoring.Day(in.Date)) {
					t.Fatalf("got %+v", got)
				}
				return
			}
			wantField(t, err, tt.wantField)
		})
	}
}

func TestAuthorization(t *testing.T) {
	svc, _ := newService(t)
	two := validInput()
	two.InitiativeIDs = []string{"ini-a", "ini-b"}
	if _, _, err := svc.Create(t.Context(), adviserA, two); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("adviser assigned to one of two: got %v, want Forbidden", err)
	}
	if _, _, err := svc.Create(t.Context(), producA, validInput()); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("producer creating: got %v, want Forbidden", err)
	}
	sess, _, err := svc.Create(t.Context(), adviser, two)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Create(t.Context(), admin, two); err != nil {
		t.Fatalf("admin: %v", err)
	}
	for _, tc := range []struct {
		name string
		p    *accounts.Principal
		want error // nil: may read
	}{
		{"admin", admin, nil},
		{"author", adviser, nil},
		{"adviser of one initiative", adviserA, nil},
		{"producer of it", producA, nil},
		{"producer of another initiative", producC, errs.Forbidden},
		{"anonymous", nil, errs.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Session(t.Context(), tc.p, sess.ID)
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := svc.Sessions(t.Context(), producC, mentoring.SessionFilter{InitiativeID: "ini-a"}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("producer of another initiative listing: got %v, want Forbidden", err)
	}
	list, err := svc.Sessions(t.Context(), producC, mentoring.SessionFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("producer of another initiative, all: got %d, %v; want none", len(list), err)
	}
	list, err = svc.Sessions(t.Context(), producA, mentoring.SessionFilter{InitiativeID: "ini-a"})
	if err != nil || len(list) != 2 || list[0].Notes == "" {
		t.Fatalf("producer of it: got %d, %v; want 2 with notes", len(list), err)
	}
	if _, err := svc.Update(t.Context(), adviserA, sess.ID, mentoring.SessionUpdate{Notes: ptr("x")}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("adviser of one of two editing: got %v, want Forbidden", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLockAndUnlock(t *testing.T) {
	svc, clock := newService(t)
	sess, _, err := svc.Create(t.Context(), adviser, validInput())
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(28 * 24 * time.Hour) // 29 days after the session's date
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("still open")}); err != nil {
		t.Fatalf("within the window: %v", err)
	}
	clock.Add(2 * 24 * time.Hour)
	_, err = svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("too late")})
	if !errors.Is(err, errs.Locked) {
		t.Fatalf("after the window: got %v, want Locked", err)
	}
	if _, err := svc.Unlock(t.Context(), adviser, sess.ID, "typo"); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("adviser unlocking: got %v, want Forbidden", err)
	}
	if _, err := svc.Unlock(t.Context(), admin, sess.ID, "  "); err == nil {
		t.Fatal("unlock without reason: got success")
	} else {
		wantField(t, err, "reason")
	}
	un, err := svc.Unlock(t.Context(), admin, sess.ID, "wrong count of women")
	if err != nil {
		t.Fatal(err)
	}
	if un.Unlocked == nil || un.Unlocked.By != admin.UserID || un.Unlocked.Reason != "wrong count of women" || !un.Unlocked.At.Equal(clock.Now()) {
		t.Fatalf("unlock record: got %+v", un.Unlocked)
	}
	got, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Participants: &mentoring.Participants{Women: 6, Men: 2, Youth: 3, Adults: 5}})
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if got.Participants.Women != 6 || got.Rev != 3 {
		t.Fatalf("got %+v, want 6 women at rev 3", got)
	}
}

func TestVersionHistory(t *testing.T) {
	svc, _ := newService(t)
	sess, _, err := svc.Create(t.Context(), adviser, validInput())
	if err != nil {
		t.Fatal(err)
	}
	up := mentoring.SessionUpdate{Notes: ptr("Costeo y precios"), Topics: []string{"accounting"}, DurationMinutes: ptr(120)}
	got, err := svc.Update(t.Context(), adviser, sess.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rev != 1 || got.Notes != "Costeo y precios" || got.DurationMinutes != 120 {
		t.Fatalf("got %+v", got)
	}
	if _, err := svc.Update(t.Context(), admin, sess.ID, mentoring.SessionUpdate{Modality: ptr("phone")}); err != nil {
		t.Fatal(err)
	}
	// An edit that changes nothing writes no version.
	if _, err := svc.Update(t.Context(), admin, sess.ID, mentoring.SessionUpdate{Modality: ptr("phone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Participants: &mentoring.Participants{Women: -1}}); err == nil {
		t.Fatal("invalid update: got success")
	}
	vs, err := svc.Versions(t.Context(), producA, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("got %d versions, want 2: %+v", len(vs), vs)
	}
	first := vs[0]
	if first.Rev != 1 || first.By != adviser.UserID || first.SessionID != sess.ID || len(first.Changes) != 3 {
		t.Fatalf("first version: got %+v", first)
	}
	if c := first.Changes["notes"]; c.From != "Costeo de la arepa" || c.To != "Costeo y precios" {
		t.Fatalf("notes change: got %+v", c)
	}
	if _, ok := first.Changes["topics"]; !ok {
		t.Fatalf("topics change missing: %+v", first.Changes)
	}
	if c := vs[1].Changes["modality"]; vs[1].Rev != 2 || vs[1].By != admin.UserID || c.From != "visit" || c.To != "phone" {
		t.Fatalf("second version: got %+v", vs[1])
	}
	if _, err := svc.Versions(t.Context(), producC, sess.ID); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("producer of another initiative: got %v, want Forbidden", err)
	}
}

// withAgreements creates a session on ini-a and ini-b with one agreement each,
// due on 2026-03-09 (yesterday) and 2026-03-20.
func withAgreements(t *testing.T, svc *mentoring.Service) []mentoring.Agreement {
	t.Helper()
	in := validInput()
	in.InitiativeIDs = []string{"ini-a", "ini-b"}
	in.Agreements = []mentoring.AgreementInput{
		{Text: "Llevar el cuaderno de cuentas", Owner: "Ana", Due: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), InitiativeID: "ini-a"},
		{Text: "Enviar fotos del producto", Owner: mentoring.OwnerAdviser, Due: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), InitiativeID: "ini-b"},
	}
	sess, ags, err := svc.Create(t.Context(), adviser, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ags) != 2 || len(sess.Agreements) != 2 || sess.Agreements[0] != ags[0].ID || ags[0].Status != mentoring.StatusOpen {
		t.Fatalf("got session %+v with agreements %+v", sess, ags)
	}
	return ags
}

func TestAgreementStatus(t *testing.T) {
	svc, _ := newService(t)
	ags := withAgreements(t, svc)
	a := ags[0] // ini-a
	tests := []struct {
		name   string
		p      *accounts.Principal
		status string
		want   error // nil: applies
	}{
		{"producer of another initiative", producC, mentoring.StatusDone, errs.Forbidden},
		{"producer may not drop", producA, mentoring.StatusDropped, errs.Forbidden},
		{"unknown status", adviser, "maybe", errs.Invalid},
		{"producer marks done", producA, mentoring.StatusDone, nil},
		{"done cannot be dropped", adviser, mentoring.StatusDropped, errs.Conflict},
		{"producer may not reopen", producA, mentoring.StatusOpen, errs.Forbidden},
		{"adviser reopens", adviserA, mentoring.StatusOpen, nil},
		{"admin drops", admin, mentoring.StatusDropped, nil},
	}
	for _, tt := range tests {
		got, err := svc.SetAgreementStatus(t.Context(), tt.p, a.ID, tt.status)
		if tt.want != nil {
			if !errors.Is(err, tt.want) {
				t.Fatalf("%s: got %v, want %v", tt.name, err, tt.want)
			}
			continue
		}
		if err != nil || got.Status != tt.status {
			t.Fatalf("%s: got %s, %v; want %s", tt.name, got.Status, err, tt.status)
		}
	}
	got, err := svc.Agreement(t.Context(), producA, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []mentoring.StatusChange{
		{By: producA.UserID, From: "open", To: "done"},
		{By: adviserA.UserID, From: "done", To: "open"},
		{By: admin.UserID, From: "open", To: "dropped"},
	}
	if len(got.History) != len(want) {
		t.Fatalf("history: got %+v, want %+v", got.History, want)
	}
	for i, h := range got.History {
		if h.By != want[i].By || h.From != want[i].From || h.To != want[i].To || h.At.IsZero() {
			t.Fatalf("history[%d]: got %+v, want %+v", i, h, want[i])
		}
	}
}

func TestListAgreements(t *testing.T) {
	svc, clock := newService(t)
	ags := withAgreements(t, svc)
	ids := func(list []mentoring.Agreement) []string {
		out := []string{}
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	tests := []struct {
		name string
		p    *accounts.Principal
		f    mentoring.AgreementFilter
		want []string
	}{
		{"admin all", admin, mentoring.AgreementFilter{}, []string{ags[0].ID, ags[1].ID}},
		{"adviser of ini-a only", adviserA, mentoring.AgreementFilter{}, []string{ags[0].ID}},
		{"producer of another initiative", producC, mentoring.AgreementFilter{}, []string{}},
		{"by initiative", adviser, mentoring.AgreementFilter{InitiativeID: "ini-b"}, []string{ags[1].ID}},
		{"by adviser", admin, mentoring.AgreementFilter{AdviserID: "nobody"}, []string{}},
		{"overdue", adviser, mentoring.AgreementFilter{Overdue: true}, []string{ags[0].ID}},
		{"open", producA, mentoring.AgreementFilter{Status: mentoring.StatusOpen}, []string{ags[0].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := svc.ListAgreements(t.Context(), tt.p, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(list); len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) || (len(got) > 1 && got[1] != tt.want[1]) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := svc.ListAgreements(t.Context(), producC, mentoring.AgreementFilter{InitiativeID: "ini-a"}); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("producer of another initiative by initiative: got %v, want Forbidden", err)
	}
	// Done agreements are not overdue; later, the second one is.
	if _, err := svc.SetAgreementStatus(t.Context(), producA, ags[0].ID, mentoring.StatusDone); err != nil {
		t.Fatal(err)
	}
	clock.Add(15 * 24 * time.Hour)
	list, err := svc.ListAgreements(t.Context(), admin, mentoring.AgreementFilter{Overdue: true})
	if err != nil || len(list) != 1 || list[0].ID != ags[1].ID {
		t.Fatalf("overdue later: got %v, %v; want %s", ids(list), err, ags[1].ID)
	}
}

func TestConcurrentStatusChanges(t *testing.T) {
	svc, _ := newService(t)
	for round := range 5 {
		a := withAgreements(t, svc)[0]
		var wg sync.WaitGroup
		errsOut := make([]error, 2)
		for i, status := range []string{mentoring.StatusDone, mentoring.StatusDropped} {
			wg.Go(func() {
				_, errsOut[i] = svc.SetAgreementStatus(t.Context(), adviser, a.ID, status)
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errsOut {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, errs.Conflict):
				t.Fatalf("round %d: got %v, want success or Conflict", round, err)
			}
		}
		got, err := svc.Agreement(t.Context(), admin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if wins != 1 || len(got.History) != 1 || got.History[0].To != got.Status {
			t.Fatalf("round %d: %d wins, status %s, history %+v; want exactly one", round, wins, got.Status, got.History)
		}
	}
}

func TestConcurrentUpdatesKeepEveryVersion(t *testing.T) {
	svc, _ := newService(t)
	sess, _, err := svc.Create(t.Context(), adviser, validInput())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, notes := range []string{"first", "second", "third"} {
		wg.Go(func() {
			if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr(notes)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := svc.Session(t.Context(), admin, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := svc.Versions(t.Context(), admin, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rev != 3 || len(vs) != 3 || vs[2].Changes["notes"].To != got.Notes {
		t.Fatalf("got rev %d notes %q with versions %+v; want rev 3 and 3 versions", got.Rev, got.Notes, vs)
	}
}

// Moving the date later never buys time to edit, and an admin's unlock ends:
// the session locks again (item 15 of the security review: both let a
// session stay editable for ever).
func TestTheLockCannotBeSidestepped(t *testing.T) {
	svc, clock := newService(t)
	in := validInput()
	in.Date = clock.Now().AddDate(0, 0, -25) // five days left to edit
	sess, _, err := svc.Create(t.Context(), adviser, in)
	if err != nil {
		t.Fatal(err)
	}
	today := mentoring.Today(clock.Now())
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Date: &today}); err != nil {
		t.Fatalf("moving the date to today: %v", err)
	}
	clock.Add(6 * 24 * time.Hour) // 31 days after the first date, 6 after the new one
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("más tarde")}); !errors.Is(err, errs.Locked) {
		t.Fatalf("after the first date's window, the date moved later: got %v, want locked", err)
	}
	un, err := svc.Unlock(t.Context(), admin, sess.ID, "faltó una participante")
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(mentoring.DefaultUnlockFor); !un.Unlocked.Until.Equal(want) {
		t.Fatalf("unlocked until %v, want %v", un.Unlocked.Until, want)
	}
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("corregido")}); err != nil {
		t.Fatalf("while unlocked: %v", err)
	}
	clock.Add(mentoring.DefaultUnlockFor + time.Hour)
	if _, err := svc.Update(t.Context(), adviser, sess.ID, mentoring.SessionUpdate{Notes: ptr("otra vez")}); !errors.Is(err, errs.Locked) {
		t.Fatalf("after the unlock ended: got %v, want locked again", err)
	}
}

// Counts are bounded: a huge number is refused, not stored to wrap in a sum
// (item 10 of the security review).
func TestParticipantCountsAreBounded(t *testing.T) {
	svc, _ := newService(t)
	for _, n := range []int{9223372036854775807, mentoring.MaxParticipants + 1, -1} {
		in := validInput()
		in.Participants.Women = n
		_, _, err := svc.Create(t.Context(), adviser, in)
		wantField(t, err, "participants.women")
	}
	in := validInput()
	in.Participants.Women = mentoring.MaxParticipants
	if _, _, err := svc.Create(t.Context(), adviser, in); err != nil {
		t.Fatalf("%d women: %v", mentoring.MaxParticipants, err)
	}
}

// A session names only initiatives that exist (item 9 of the security review).
func TestSessionsNameExistingInitiatives(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
	svc := mentoring.NewService(storagetest.DB(t), mentoring.Options{Clock: clock.Now, Initiatives: func(_ context.Context, ids []string) ([]string, error) {
		var missing []string
		for _, id := range ids {
			if id != "ini-a" && id != "ini-b" {
				missing = append(missing, id)
			}
		}
		return missing, nil
	}})
	in := validInput()
	in.InitiativeIDs = []string{"doesnotexist"}
	_, _, err := svc.Create(t.Context(), admin, in)
	wantField(t, err, "initiative_ids")
	if _, _, err := svc.Create(t.Context(), admin, validInput()); err != nil {
		t.Fatal(err)
	}
}

// The service keeps an attachment's objects under the session's private
// keys, and removes them when the attachment goes or cannot be listed.
func TestAttachKeepsAndRemovesObjects(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := mentoring.NewService(storagetest.DB(t), mentoring.Options{Clock: clock.Now, Objects: objects})
	sess, _, err := svc.Create(t.Context(), adviser, validInput())
	if err != nil {
		t.Fatal(err)
	}
	up := mentoring.Upload{Name: "acta.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4\n")}
	if _, err := svc.Attach(t.Context(), producA, sess.ID, up); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("a producer attaching: %v, want forbidden", err)
	}
	if list, _ := objects.List(t.Context(), "private/"); len(list) != 0 {
		t.Fatalf("a refused attachment left %d objects", len(list))
	}
	a, err := svc.Attach(t.Context(), adviser, sess.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	if want := "private/sessions/" + sess.ID + "/" + a.ID + ".pdf"; a.Key != want {
		t.Fatalf("key %q, want %q", a.Key, want)
	}
	got, r, _, err := svc.OpenAttachment(t.Context(), producA, sess.ID, a.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if got.Name != "acta.pdf" {
		t.Fatalf("opened %+v", got)
	}
	if _, err := svc.Detach(t.Context(), adviser, sess.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := objects.List(t.Context(), "private/"); len(list) != 0 {
		t.Fatalf("a removed attachment left %d objects", len(list))
	}
}
