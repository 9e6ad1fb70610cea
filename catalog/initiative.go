package catalog

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
)

// Kinds of initiative, stored as stable codes and translated in the UI.
var InitiativeKinds = []string{"bakery", "cafeteria", "garden", "fish_farming", "arepas", "crafts", "beauty", "computers", "other"}

// Stages an initiative goes through toward sustainability.
var Stages = []string{"idea", "production", "marketing", "sustainable"}

// Initiative is a productive initiative (iniciativa productiva) of the programme.
type Initiative struct {
	ID           string `bson:"_id" json:"id"`
	Slug         string `bson:"slug" json:"slug"`
	Name         string `bson:"name" json:"name"`
	Kind         string `bson:"kind" json:"kind"`
	Municipality string `bson:"municipality" json:"municipality"`
	Department   string `bson:"department" json:"department"`
	Description  string `bson:"description" json:"description"`
	Stage        string `bson:"stage" json:"stage"`
	// WhatsApp is the initiative's business number, shown to buyers.
	WhatsApp string `bson:"whatsapp" json:"whatsapp,omitempty"`
	// Members are personal data: never in the public JSON; see Service.Members.
	Members []Member `bson:"members" json:"-"`
	// Images are public (not personal data); at most MaxPhotosPerInitiative.
	Images []Image `bson:"photos" json:"images"`
	Active bool    `bson:"active" json:"active"`
	// Rev counts writes; updates and list rewrites (members) check it.
	Rev       int64     `bson:"rev" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
}

// Member is a person in an initiative, counted for donor reports by sex and
// age group. Personal data: visible to its producers, advisers and admins only.
type Member struct {
	ID       string `bson:"id" json:"id"`
	Name     string `bson:"name" json:"name"`
	Role     string `bson:"role" json:"role"`           // e.g. "lideresa", "panadera"
	Sex      string `bson:"sex" json:"sex"`             // female, male
	AgeGroup string `bson:"age_group" json:"age_group"` // youth (14–28), adult
	// BirthYear is optional and kept only for adults (AdultBirthYear): the
	// programme keeps no birth dates of people under 18.
	BirthYear int `bson:"birth_year,omitempty" json:"birth_year,omitempty"`
}

// AdultBirthYear says whether a birth year shows a person of 18 or more on
// every day of year, whatever the birthday (born at least 19 years before):
// a birth year that may be a minor's is not kept (Ley 1581 de 2012).
func AdultBirthYear(birthYear, year int) bool {
	return birthYear >= 1900 && birthYear <= LastAdultBirthYear(year)
}

// LastAdultBirthYear is the latest birth year kept in year.
func LastAdultBirthYear(year int) int { return year - 19 }

// Sexes and AgeGroups are the disaggregations donors ask for.
var (
	Sexes     = []string{"female", "male"}
	AgeGroups = []string{"youth", "adult"}
)

// InitiativeInput is what a client may set when creating an initiative.
type InitiativeInput struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Municipality string `json:"municipality"`
	Department   string `json:"department"`
	Description  string `json:"description"`
	Stage        string `json:"stage"`
	WhatsApp     string `json:"whatsapp"`
}

// normalize trims the input, canonicalises the municipality and fills the
// department from it, and returns field errors for whatever is wrong.
func (in *InitiativeInput) normalize() error {
	var f errs.Fields
	in.Name = clean.Line(in.Name)
	in.Description = clean.Text(in.Description)
	switch n := utf8.RuneCountInString(in.Name); {
	case n < 3:
		f.Add("name", errs.CodeTooShort, "must have at least 3 characters", "min", 3)
	case n > 120:
		f.Add("name", errs.CodeTooLong, "must have at most 120 characters", "max", 120)
	}
	in.WhatsApp = normalizePhone(in.WhatsApp)
	if in.WhatsApp != "" && (len(in.WhatsApp) < 10 || len(in.WhatsApp) > 15) {
		f.Add("whatsapp", errs.CodeInvalid, "must be a phone number such as 3105551234 or +57 310 555 1234")
	}
	if utf8.RuneCountInString(in.Description) > 4000 {
		f.Add("description", errs.CodeTooLong, "must have at most 4000 characters", "max", 4000)
	}
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !slices.Contains(InitiativeKinds, in.Kind) {
		f.Add("kind", errs.CodeUnknown, "must be one of "+strings.Join(InitiativeKinds, ", "))
	}
	if in.Stage == "" {
		in.Stage = "production"
	}
	if !slices.Contains(Stages, in.Stage) {
		f.Add("stage", errs.CodeUnknown, "must be one of "+strings.Join(Stages, ", "))
	}
	m, ok := LookupMunicipality(in.Municipality)
	if !ok {
		f.Add("municipality", errs.CodeUnknown, "must be one of the programme's municipalities: El Bagre, Remedios, Segovia, Zaragoza, Gámeza, Mongua, Sogamoso, Tópaga")
	} else {
		if in.Department != "" && Fold(in.Department) != Fold(m.Department) {
			f.Add("department", errs.CodeInvalid, m.Name+" is in "+m.Department)
		}
		in.Municipality, in.Department = m.Name, m.Department
	}
	return f.Err()
}

// normalizePhone keeps digits only and adds Colombia's 57 to a ten-digit
// mobile, the form wa.me links need.
func normalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 10 && d[0] == '3' {
		d = "57" + d
	}
	return d
}

func (m *Member) normalize() error {
	var f errs.Fields
	m.Name, m.Role = clean.Line(m.Name), clean.Line(m.Role)
	if n := utf8.RuneCountInString(m.Name); n < 2 || n > 100 {
		f.Add("name", errs.CodeOutOfRange, "must have between 2 and 100 characters", "min", 2, "max", 100)
	}
	if utf8.RuneCountInString(m.Role) > 60 {
		f.Add("role", errs.CodeTooLong, "must have at most 60 characters", "max", 60)
	}
	if !slices.Contains(Sexes, m.Sex) {
		f.Add("sex", errs.CodeUnknown, "must be female or male")
	}
	if !slices.Contains(AgeGroups, m.AgeGroup) {
		f.Add("age_group", errs.CodeUnknown, "must be youth (14–28) or adult")
	}
	if year := time.Now().In(colombia.Zone).Year(); m.BirthYear != 0 && !AdultBirthYear(m.BirthYear, year) {
		f.Add("birth_year", errs.CodeNotAllowed, "is kept only for adults: born in 1900 to "+strconv.Itoa(LastAdultBirthYear(year))+" (of people under 18 no birth year is kept)",
			"min", 1900, "max", LastAdultBirthYear(year), "reason", "minor")
	}
	return f.Err()
}
