package mentoring

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// StandaloneAgreement is an agreement taken outside any session: an
// initiative's producers commit to apply a good practice of the library.
type StandaloneAgreement struct {
	InitiativeID string
	PracticeID   string
	Text         string
	Owner        string // who carries it (the initiative's producers: its name)
	OwnerUserID  string
	Due          time.Time
	// Key names the agreement: the same key (with the same KeyTime) is the
	// same agreement, however often it is asked for.
	Key     string
	KeyTime time.Time
}

// AddStandaloneAgreement records an agreement with no session, listed
// exactly as a session's are (the initiative's agreements by due quarter,
// all agreements, the open ones' working set), so it shows on the progress
// page and in the portfolio as open or overdue. Its id is derived from Key:
// asked again, it answers the agreement already there and created false.
// The initiative's producers and advisers and admins may.
func (s *Service) AddStandaloneAgreement(ctx context.Context, p *accounts.Principal, in StandaloneAgreement) (Agreement, bool, error) {
	in.InitiativeID = strings.TrimSpace(in.InitiativeID)
	if p == nil {
		return Agreement{}, false, denied(p, "an agreement")
	}
	if !CanReadInitiative(p, in.InitiativeID) {
		return Agreement{}, false, denied(p, "an agreement of initiative "+in.InitiativeID)
	}
	var fe errs.Fields
	in.Text = clean.Text(in.Text)
	if n := utf8.RuneCountInString(in.Text); n < MinAgreementText || n > MaxAgreementText {
		fe.Add("text", errs.CodeOutOfRange, fmt.Sprintf("must be %d to %d characters", MinAgreementText, MaxAgreementText), "min", MinAgreementText, "max", MaxAgreementText)
	}
	in.Owner = clean.Line(in.Owner)
	if n := utf8.RuneCountInString(in.Owner); n == 0 || n > MaxOwner {
		fe.Add("owner", errs.CodeOutOfRange, fmt.Sprintf("must be 1 to %d characters", MaxOwner), "min", 1, "max", MaxOwner)
	}
	if in.Due.IsZero() {
		fe.Add("due", errs.CodeRequired, "required")
	}
	if in.Key == "" {
		fe.Add("key", errs.CodeRequired, "required")
	}
	if err := fe.Err(); err != nil {
		return Agreement{}, false, err
	}
	if err := s.checkInitiatives(ctx, []string{in.InitiativeID}); err != nil {
		return Agreement{}, false, err
	}
	now := s.now()
	a := Agreement{ID: storage.KeyedID("agreement|"+in.Key, in.KeyTime), InitiativeID: in.InitiativeID, PracticeID: in.PracticeID,
		Text: in.Text, Owner: in.Owner, OwnerUserID: in.OwnerUserID, Due: Day(in.Due), Status: StatusOpen,
		History: []StatusChange{}, CreatedAt: now, UpdatedAt: now}
	// Marked first: a crash after the insert is listed by Repair.
	if err := s.marking(ctx, "agreement", a.ID, nil); err != nil {
		return Agreement{}, false, err
	}
	created := true
	if err := s.agreements.insert(ctx, a); err != nil {
		if !errors.Is(err, errs.Conflict) {
			s.marked(ctx, a.ID)
			return Agreement{}, false, err
		}
		// Asked before: the one there (listed again: the lists are
		// idempotent, and a crash may have cut the first listing).
		if a, err = s.agreements.get(ctx, a.ID); err != nil {
			return Agreement{}, false, err
		}
		created = false
	}
	if err := s.indexAgreement(ctx, a); err != nil {
		return a, created, err
	}
	s.marked(ctx, a.ID)
	return a, created, nil
}
