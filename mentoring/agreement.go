package mentoring

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
)

// Statuses of an agreement.
const (
	StatusOpen    = "open"
	StatusDone    = "done"
	StatusDropped = "dropped"
)

// Statuses lists every agreement status, for validation.
var Statuses = []string{StatusOpen, StatusDone, StatusDropped}

// OwnerAdviser is the owner of an agreement the adviser committed to.
const OwnerAdviser = "adviser"

// Limits of an agreement's fields.
const (
	MinAgreementText = 3
	MaxAgreementText = 500
	MaxOwner         = 120
)

// StatusChange is one entry of an agreement's status history.
type StatusChange struct {
	At   time.Time `bson:"at" json:"recorded_at"`
	By   string    `bson:"by" json:"recorded_by"`
	From string    `bson:"from" json:"from"`
	To   string    `bson:"to" json:"to"`
}

// Agreement is a commitment (compromiso) taken in a session by a member of an
// initiative or by the adviser.
type Agreement struct {
	ID           string         `bson:"_id" json:"id"`
	SessionID    string         `bson:"session_id" json:"session_id"`
	InitiativeID string         `bson:"initiative_id" json:"initiative_id"`
	AdviserID    string         `bson:"adviser_id" json:"adviser_id"` // the session's adviser
	Text         string         `bson:"text" json:"text"`
	Owner        string         `bson:"owner" json:"owner"` // a member's name or "adviser"
	OwnerUserID  string         `bson:"owner_user_id,omitempty" json:"owner_user_id,omitempty"`
	Due          time.Time      `bson:"due" json:"due"` // midnight UTC of the day
	Status       string         `bson:"status" json:"status"`
	History      []StatusChange `bson:"history" json:"history"`
	CreatedAt    time.Time      `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time      `bson:"updated_at" json:"updated_at"`
	// PracticeID names the good practice a standalone agreement (no session)
	// applies: "Lo quiero aplicar" in package programme.
	PracticeID string `bson:"practice_id,omitempty" json:"practice_id,omitempty"`
}

// AgreementInput is an agreement taken in a new session. InitiativeID must be
// one of the session's; it may be left empty when the session has only one.
type AgreementInput struct {
	Text         string    `json:"text"`
	Owner        string    `json:"owner"`
	OwnerUserID  string    `json:"owner_user_id,omitempty"`
	Due          time.Time `json:"due"`
	InitiativeID string    `json:"initiative_id,omitempty"`
}

// AgreementFilter selects agreements; zero values select all the caller may read.
type AgreementFilter struct {
	InitiativeID string
	AdviserID    string
	Status       string
	Overdue      bool // due before today and still open
}

// normalize cleans in as agreement i of a session with initiatives and reports problems.
func (in *AgreementInput) normalize(i int, initiatives []string, fe *errs.Fields) {
	field := func(name string) string { return fmt.Sprintf("agreements[%d].%s", i, name) }
	in.Text = clean.Text(in.Text)
	if n := utf8.RuneCountInString(in.Text); n < MinAgreementText || n > MaxAgreementText {
		fe.Add(field("text"), errs.CodeOutOfRange, fmt.Sprintf("must be %d to %d characters", MinAgreementText, MaxAgreementText), "min", MinAgreementText, "max", MaxAgreementText)
	}
	in.Owner = clean.Line(in.Owner)
	if n := utf8.RuneCountInString(in.Owner); n == 0 || n > MaxOwner {
		fe.Add(field("owner"), errs.CodeOutOfRange, fmt.Sprintf("must be 1 to %d characters", MaxOwner), "min", 1, "max", MaxOwner)
	}
	in.OwnerUserID = strings.TrimSpace(in.OwnerUserID)
	if in.Due.IsZero() {
		fe.Add(field("due"), errs.CodeRequired, "required")
	} else {
		in.Due = Day(in.Due)
	}
	in.InitiativeID = strings.TrimSpace(in.InitiativeID)
	if in.InitiativeID == "" && len(initiatives) == 1 {
		in.InitiativeID = initiatives[0]
	}
	if !slices.Contains(initiatives, in.InitiativeID) {
		fe.Add(field("initiative_id"), errs.CodeUnknown, "must be one of the session's initiatives")
	}
}

// transitionAllowed says whether an agreement may go from one status to another:
// an open agreement is closed (done or dropped); a closed one may be reopened.
func transitionAllowed(from, to string) bool {
	if from == StatusOpen {
		return to == StatusDone || to == StatusDropped
	}
	return to == StatusOpen
}
