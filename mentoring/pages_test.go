package mentoring_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// Paging walks every record once, in order, also when records are added
// between pages, and a cursor of one list is refused by the other.
func TestPagesWalkEveryRecordOnce(t *testing.T) {
	svc, _ := newService(t)
	var want []string // agreement ids
	for i := range 7 {
		in := validInput()
		in.Date = time.Date(2026, 3, 1+i%3, 0, 0, 0, 0, time.UTC) // several sessions share a day
		in.Agreements = []mentoring.AgreementInput{{Text: "Compromiso", Owner: "Ana", Due: time.Date(2026, 3, 20+i%2, 0, 0, 0, 0, time.UTC)}}
		_, ags, err := svc.Create(t.Context(), adviser, in)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ags[0].ID)
	}
	all, err := svc.Sessions(t.Context(), adviser, mentoring.SessionFilter{InitiativeID: "ini-a"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	cursor := ""
	for page := 0; ; page++ {
		items, next, err := svc.SessionsPage(t.Context(), adviser, mentoring.SessionFilter{InitiativeID: "ini-a"}, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range items {
			got = append(got, s.ID)
		}
		if page == 0 { // a session added after the first page, older than all: it shows at the end
			in := validInput()
			in.Date = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			s, _, err := svc.Create(t.Context(), adviser, in)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, s)
		}
		if next == "" {
			break
		}
		if len(items) != 3 || page > 5 {
			t.Fatalf("page %d: %d items with a next cursor", page, len(items))
		}
		cursor = next
	}
	var wantSessions []string
	for _, s := range all {
		wantSessions = append(wantSessions, s.ID)
	}
	if !slices.Equal(got, wantSessions) {
		t.Fatalf("sessions by page: got %v, want %v", got, wantSessions)
	}

	got, cursor = nil, ""
	var last string
	for {
		items, next, err := svc.AgreementsPage(t.Context(), producA, mentoring.AgreementFilter{}, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range items {
			got = append(got, a.ID)
		}
		if next == "" {
			break
		}
		cursor, last = next, next
	}
	list, err := svc.ListAgreements(t.Context(), producA, mentoring.AgreementFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var wantAgreements []string
	for _, a := range list {
		wantAgreements = append(wantAgreements, a.ID)
	}
	if !slices.Equal(got, wantAgreements) || len(got) != len(want) {
		t.Fatalf("agreements by page: got %v, want %v", got, wantAgreements)
	}

	for _, bad := range []string{last, "nada", "cz0xMjM"} { // an agreements cursor, garbage, "s:123" without id
		if _, _, err := svc.SessionsPage(t.Context(), admin, mentoring.SessionFilter{}, bad, 3); err == nil {
			t.Errorf("sessions with cursor %q: got no error", bad)
		} else {
			wantField(t, err, "cursor")
		}
	}
	if _, _, err := svc.AgreementsPage(t.Context(), &accounts.Principal{UserID: "x", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-c"}},
		mentoring.AgreementFilter{InitiativeID: "ini-a"}, "", 3); err == nil {
		t.Error("a producer of another initiative pages its agreements")
	}
}
