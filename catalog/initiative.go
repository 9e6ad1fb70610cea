package catalog

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/errs"
)

// Kinds of initiative, stored as stable codes and translated in the UI.
var InitiativeKinds = []string{"bakery", "cafeteria", "garden", "fish_farming", "arepas", "crafts", "beauty", "computers", "other"}

// Stages an initiative goes through toward sustainability.
var Stages = []string{"idea", "production", "marketing", "sustainable"}

// Initiative is a productive initiative (iniciativa productiva) of the programme.
type Initiative struct {
	ID           string    `bson:"_id" json:"id"`
	Slug         string    `bson:"slug" json:"slug"`
	Name         string    `bson:"name" json:"name"`
	Kind         string    `bson:"kind" json:"kind"`
	Municipality string    `bson:"municipality" json:"municipality"`
	Department   string    `bson:"department" json:"department"`
	Description  string    `bson:"description" json:"description"`
	Stage        string    `bson:"stage" json:"stage"`
	Active       bool      `bson:"active" json:"active"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
}

// InitiativeInput is what a client may set when creating an initiative.
type InitiativeInput struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Municipality string `json:"municipality"`
	Department   string `json:"department"`
	Description  string `json:"description"`
	Stage        string `json:"stage"`
}

// normalize trims the input, canonicalises the municipality and fills the
// department from it, and returns field errors for whatever is wrong.
func (in *InitiativeInput) normalize() error {
	var f errs.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	switch n := utf8.RuneCountInString(in.Name); {
	case n < 3:
		f.Add("name", "must have at least 3 characters")
	case n > 120:
		f.Add("name", "must have at most 120 characters")
	}
	if utf8.RuneCountInString(in.Description) > 4000 {
		f.Add("description", "must have at most 4000 characters")
	}
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !contains(InitiativeKinds, in.Kind) {
		f.Add("kind", "must be one of "+strings.Join(InitiativeKinds, ", "))
	}
	if in.Stage == "" {
		in.Stage = "production"
	}
	if !contains(Stages, in.Stage) {
		f.Add("stage", "must be one of "+strings.Join(Stages, ", "))
	}
	m, ok := LookupMunicipality(in.Municipality)
	if !ok {
		f.Add("municipality", "must be one of the programme's municipalities: El Bagre, Remedios, Segovia, Zaragoza, Gámeza, Mongua, Sogamoso, Tópaga")
	} else {
		if in.Department != "" && Fold(in.Department) != Fold(m.Department) {
			f.Add("department", m.Name+" is in "+m.Department)
		}
		in.Municipality, in.Department = m.Name, m.Department
	}
	return f.Err()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
