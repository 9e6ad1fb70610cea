package mentoring_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/mentoring"
)

// A session of the imported history lists and reads as one recorded through
// Create (and its agreement closed through SetAgreementStatus): the
// initiative's timeline, the adviser's and the programme's lists, the
// agreements, the overdue ones.
func TestImportedHistoryListsLikeCreate(t *testing.T) {
	ctx := t.Context()
	in := func() mentoring.SessionInput {
		s := validInput()
		s.Date = time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
		s.Agreements = []mentoring.AgreementInput{
			{Text: "Llevar el cuaderno de costos", Owner: "Dora", Due: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
			{Text: "Cotizar empaques con etiqueta", Owner: mentoring.OwnerAdviser, Due: time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)},
		}
		return s
	}
	live, _ := newService(t)
	_, agreements, err := live.Create(ctx, adviser, in())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.SetAgreementStatus(ctx, adviser, agreements[0].ID, mentoring.StatusDone); err != nil {
		t.Fatal(err)
	}
	past, _ := newService(t)
	for range 2 { // run again after a crash: the same documents
		if _, err := past.ImportHistory(ctx, []mentoring.PastSession{{Key: "s1", AdviserID: adviser.UserID, SessionInput: in(),
			Statuses: []string{mentoring.StatusDone}}}); err != nil {
			t.Fatalf("ImportHistory: %v", err)
		}
	}

	norm := func(s mentoring.Session) mentoring.Session {
		s.ID, s.Agreements, s.CreatedAt, s.UpdatedAt, s.LocksAt = "", nil, time.Time{}, time.Time{}, nil
		return s
	}
	normA := func(a mentoring.Agreement) mentoring.Agreement {
		a.ID, a.SessionID, a.CreatedAt, a.UpdatedAt = "", "", time.Time{}, time.Time{}
		for i := range a.History {
			a.History[i].At = time.Time{}
		}
		return a
	}
	for _, p := range []struct {
		name string
		f    mentoring.SessionFilter
	}{{"initiative", mentoring.SessionFilter{InitiativeID: "ini-a"}}, {"adviser", mentoring.SessionFilter{AdviserID: adviser.UserID}}, {"all", mentoring.SessionFilter{}}} {
		got, err := past.Sessions(ctx, admin, p.f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := live.Sessions(ctx, admin, p.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(want) != 1 || !reflect.DeepEqual(norm(got[0]), norm(want[0])) {
			t.Errorf("%s's sessions:\n got %+v\nwant %+v", p.name, got, want)
			continue
		}
		if one, err := past.Session(ctx, adviser, got[0].ID); err != nil || len(one.Agreements) != 2 {
			t.Errorf("the imported session read by id: %+v, %v", one, err)
		}
	}
	for _, f := range []mentoring.AgreementFilter{{InitiativeID: "ini-a"}, {Status: mentoring.StatusOpen}, {Overdue: true}, {InitiativeID: "ini-a", Overdue: true}} {
		got, err := past.ListAgreements(ctx, admin, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := live.ListAgreements(ctx, admin, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("agreements %+v: got %d, want %d", f, len(got), len(want))
			continue
		}
		for i := range got {
			if g, w := normA(got[i]), normA(want[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("agreements %+v [%d]:\n got %+v\nwant %+v", f, i, g, w)
			}
		}
	}
	late, err := past.OverdueByInitiative(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if late["ini-a"] != 1 {
		t.Errorf("overdue by initiative %v, want 1 for ini-a", late)
	}
	all, err := past.AllSessions(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("AllSessions after two imports: %d sessions, %v; want 1", len(all), err)
	}
}

// An import is checked as Create checks a session.
func TestImportedHistoryIsValidated(t *testing.T) {
	svc, _ := newService(t)
	bad := validInput()
	bad.Topics = []string{"astrology"}
	if _, err := svc.ImportHistory(t.Context(), []mentoring.PastSession{{Key: "x", AdviserID: "a", SessionInput: bad}}); err == nil {
		t.Error("a session with an unknown topic was imported")
	}
}
