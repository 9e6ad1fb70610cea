package accounts

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
)

// User is a person with access to Tesoro. Email and phone are personal data:
// they never go to logs.
type User struct {
	ID            string   `bson:"_id" json:"id"`
	Email         string   `bson:"email" json:"email"` // lower case; unique
	Name          string   `bson:"name" json:"name"`
	Phone         string   `bson:"phone,omitempty" json:"phone,omitempty"`
	PasswordHash  string   `bson:"password_hash" json:"-"`
	Roles         []string `bson:"roles" json:"roles"`
	InitiativeIDs []string `bson:"initiative_ids" json:"initiative_ids"`
	// ProducerOf and AdviserOf are the initiatives of each role, apart
	// (InitiativeIDs is both together); absent on records made before.
	ProducerOf        []string   `bson:"producer_of,omitempty" json:"producer_initiative_ids,omitempty"`
	AdviserOf         []string   `bson:"adviser_of,omitempty" json:"adviser_initiative_ids,omitempty"`
	Active            bool       `bson:"active" json:"active"`
	Consent           *Consent   `bson:"consent,omitempty" json:"consent,omitempty"`
	CreatedAt         time.Time  `bson:"created_at" json:"created_at"`
	UpdatedAt         time.Time  `bson:"updated_at" json:"updated_at"`
	PasswordChangedAt time.Time  `bson:"password_changed_at" json:"-"`
	AnonymizedAt      *time.Time `bson:"anonymized_at,omitempty" json:"anonymized_at,omitempty"`
	// DirKey is the bucket of the users' list holding this user.
	DirKey string `bson:"dir_key,omitempty" json:"-"`
}

// Consent records the informed consent Ley 1581 requires: which text, when.
type Consent struct {
	Version string    `bson:"version" json:"version"`
	At      time.Time `bson:"at" json:"given_at"`
}

// ConsentVersion names the consent text shown at registration; change it with the text.
const ConsentVersion = "2026-11-v1"

// ConsentText is the Spanish consent shown at registration (ConsentVersion).
const ConsentText = "Autorizo a Tesoro (programa Somos Tesoro, con el acompañamiento de Pact) a tratar mis datos " +
	"personales —nombre, correo y teléfono— con la finalidad de gestionar mi cuenta, mis pedidos y la comunicación " +
	"con las iniciativas productivas, conforme a la Ley 1581 de 2012. Puedo consultar, corregir y eliminar mis datos " +
	"en cualquier momento desde mi perfil."

// principal returns the request identity of u; the caller sets ViaBearer.
func (u User) principal(sessionID string) *Principal {
	p := &Principal{UserID: u.ID, Name: u.Name, Roles: u.Roles, InitiativeIDs: u.InitiativeIDs, SessionID: sessionID}
	if u.ProducerOf != nil || u.AdviserOf != nil {
		p.ProducerOf, p.AdviserOf = nonNil(u.ProducerOf), nonNil(u.AdviserOf)
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// assignments works out each role's initiatives from what an admin sent:
// the split lists when given, else initiative_ids for the user's one role.
// A user with both roles needs the split: one list cannot say which.
func assignments(f *errs.Fields, roles []string, ids, producerOf, adviserOf *[]string, cur User) (producer, adviser []string) {
	producer, adviser = cur.ProducerOf, cur.AdviserOf
	if producer == nil && adviser == nil { // a record made before the split
		p := (&Principal{Roles: cur.Roles, InitiativeIDs: cur.InitiativeIDs})
		producer, adviser = p.ProducerInitiatives(), p.AdviserInitiatives()
	}
	isProducer, isAdviser := slices.Contains(roles, RoleProducer), slices.Contains(roles, RoleAdviser)
	switch {
	case producerOf != nil || adviserOf != nil:
		if producerOf != nil {
			producer = dedupe(*producerOf)
		}
		if adviserOf != nil {
			adviser = dedupe(*adviserOf)
		}
	case ids != nil && isProducer && isAdviser && len(*ids) > 0:
		f.Add("initiative_ids", errs.CodeNotAllowed, "this user is both producer and adviser: give producer_initiative_ids and adviser_initiative_ids apart")
	case ids != nil && isProducer:
		producer = dedupe(*ids)
	case ids != nil && isAdviser:
		adviser = dedupe(*ids)
	}
	if !isProducer {
		producer = nil
	}
	if !isAdviser {
		adviser = nil
	}
	return nonNil(producer), nonNil(adviser)
}

// union is both roles' initiatives, each once.
func union(a, b []string) []string { return dedupe(append(slices.Clone(a), b...)) }

// NormalizeEmail trims and lower-cases an email so that uniqueness ignores case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(f *errs.Fields, email string) {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") || len(email) > 254 {
		f.Add("email", errs.CodeInvalid, "must be a valid email address")
	}
}

func checkName(f *errs.Fields, name string) {
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
		f.Add("name", errs.CodeOutOfRange, "must have between 2 and 100 characters", "min", 2, "max", 100)
	}
}

func checkPhone(f *errs.Fields, phone string) {
	if phone != "" && !colombia.Phone(phone) {
		f.Add("phone", errs.CodeInvalid, colombia.PhoneRule)
	}
}

func checkRoles(f *errs.Fields, roles []string) {
	if len(roles) == 0 {
		f.Add("roles", errs.CodeRequired, "must have at least one role")
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			f.Add("roles", errs.CodeUnknown, "unknown role "+r+"; use admin, adviser, producer or buyer")
		}
	}
}
