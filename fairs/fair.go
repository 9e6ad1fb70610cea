package fairs

import (
	"cmp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
)

// The statuses of a fair, in the only order they follow.
const (
	StatusPlanned = "planned"
	StatusOpen    = "open"
	StatusClosed  = "closed"
)

// The statuses of an initiative at a fair: the organiser invites it, its
// producer accepts.
const (
	Invited  = "invited"
	Accepted = "accepted"
)

// next is the one legal step from each status.
var next = map[string]string{StatusPlanned: StatusOpen, StatusOpen: StatusClosed}

// Fair is an entrepreneurial fair (feria empresarial) where initiatives sell
// at tables, mostly for cash. One document holds it with its participants.
type Fair struct {
	ID           string `bson:"_id" json:"id"`
	Name         string `bson:"name" json:"name"`
	Municipality string `bson:"municipality" json:"municipality"`
	Department   string `bson:"department" json:"department"`
	Venue        string `bson:"venue" json:"venue"`
	StartsOn     string `bson:"starts_on" json:"starts_on"` // YYYY-MM-DD, in Bogotá
	EndsOn       string `bson:"ends_on" json:"ends_on"`
	Status       string `bson:"status" json:"status"`
	OrganizedBy  string `bson:"organized_by" json:"organized_by"`
	// Participants are keyed by initiative id (a map: one guarded update
	// adds one, and nothing else matches array elements on the embedded
	// database); JSON lists them.
	Participants map[string]Participant `bson:"participants" json:"-"`
	// Stock is what the fair holds of each product, keyed by product id.
	Stock map[string]Brought `bson:"stock,omitempty" json:"-"`
	// Tables are the shared cashiers (cajas comunes), keyed by table id.
	Tables map[string]Table `bson:"tables,omitempty" json:"-"`
	// Closings are the initiatives' cash closings, keyed by initiative id.
	Closings  map[string]*Closing `bson:"closings,omitempty" json:"-"`
	CreatedAt time.Time           `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time           `bson:"updated_at" json:"updated_at"`
	Rev       int64               `bson:"rev" json:"-"`
}

// Participant is an initiative invited to a fair.
type Participant struct {
	InitiativeID string     `bson:"initiative_id" json:"initiative_id"`
	Status       string     `bson:"status" json:"status"`
	InvitedBy    string     `bson:"invited_by" json:"invited_by"`
	InvitedAt    time.Time  `bson:"invited_at" json:"invited_at"`
	AcceptedBy   string     `bson:"accepted_by,omitempty" json:"accepted_by,omitempty"`
	AcceptedAt   *time.Time `bson:"accepted_at,omitempty" json:"accepted_at,omitempty"`
}

// List is the fair's participants in a stable order (by initiative id).
func (f Fair) List() []Participant {
	out := make([]Participant, 0, len(f.Participants))
	for _, p := range f.Participants {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Participant) int { return cmp.Compare(a.InitiativeID, b.InitiativeID) })
	return out
}

// Accepts reports whether initiative id sells at the fair.
func (f Fair) Accepts(initiativeID string) bool {
	return f.Participants[initiativeID].Status == Accepted
}

// Input is a fair as its organiser describes it.
type Input struct {
	Name         string `json:"name"`
	Municipality string `json:"municipality"`
	Department   string `json:"department"`
	Venue        string `json:"venue"`
	StartsOn     string `json:"starts_on"`
	EndsOn       string `json:"ends_on"`
}

// maxDays bounds a fair's length: fairs last a day or a weekend, a week at most.
const maxDays = 14

// normalize cleans the input and checks it; the programme's municipalities
// need no department (it is known), any other Colombian one does.
func (in *Input) normalize(today time.Time) error {
	var f errs.Fields
	in.Name, in.Venue = clean.Line(in.Name), clean.Line(in.Venue)
	in.Municipality, in.Department = clean.Line(in.Municipality), clean.Line(in.Department)
	if n := utf8.RuneCountInString(in.Name); n < 3 || n > 120 {
		f.Add("name", errs.CodeOutOfRange, "must have 3 to 120 characters", "min", 3, "max", 120)
	}
	if n := utf8.RuneCountInString(in.Venue); n > 200 {
		f.Add("venue", errs.CodeTooLong, "must have at most 200 characters", "max", 200)
	}
	if m, ok := catalog.LookupMunicipality(in.Municipality); ok {
		in.Municipality = m.Name
		if in.Department == "" {
			in.Department = m.Department
		}
	} else if n := utf8.RuneCountInString(in.Municipality); n < 2 || n > 60 {
		f.Add("municipality", errs.CodeOutOfRange, "must name the municipality (2 to 60 characters)", "min", 2, "max", 60)
	}
	if d, ok := colombia.Department(in.Department); ok {
		in.Department = d
	} else {
		f.Add("department", errs.CodeUnknown, "must be one of Colombia's departments")
	}
	start, okStart := day(in.StartsOn)
	end, okEnd := day(in.EndsOn)
	if !okStart {
		f.Add("starts_on", errs.CodeInvalid, "must be a date YYYY-MM-DD")
	}
	if !okEnd {
		f.Add("ends_on", errs.CodeInvalid, "must be a date YYYY-MM-DD")
	}
	if okStart && okEnd {
		switch {
		case end.Before(start):
			f.Add("ends_on", errs.CodeOutOfRange, "must be on or after starts_on")
		case end.Sub(start) > maxDays*24*time.Hour:
			f.Add("ends_on", errs.CodeOutOfRange, "a fair lasts at most 14 days", "max", maxDays)
		}
		if start.Before(today.AddDate(-1, 0, 0)) || start.After(today.AddDate(2, 0, 0)) {
			f.Add("starts_on", errs.CodeOutOfRange, "must be within a year before and two years after today")
		}
	}
	return f.Err()
}

func day(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, colombia.Zone)
	return t, err == nil
}
