package accounts

import "slices"

// Roles a user may hold; a user may hold several.
const (
	RoleAdmin    = "admin"
	RoleAdviser  = "adviser"
	RoleProducer = "producer"
	RoleBuyer    = "buyer"
)

// Roles lists every role, for validation.
var Roles = []string{RoleAdmin, RoleAdviser, RoleProducer, RoleBuyer}

// Principal is who is making a request. A nil *Principal is an anonymous visitor;
// every method answers false for it, so checks default to deny.
type Principal struct {
	UserID        string
	Name          string
	Roles         []string
	InitiativeIDs []string // every initiative the user is tied to, in either role
	// ProducerOf and AdviserOf keep the two roles' initiatives apart: a user
	// who is both producer and adviser has products to sell in some and
	// advises others. Left nil (both), a single-role principal's
	// InitiativeIDs are that role's (how tests and older records say it).
	ProducerOf []string
	AdviserOf  []string
	SessionID  string
	ViaBearer  bool // authenticated by Authorization: Bearer (exempt from CSRF)
}

// System is the programme itself acting (demo data, benchmarks, upgrades):
// an admin with no account. No request ever carries it.
var System = &Principal{UserID: "system", Name: "Tesoro", Roles: []string{RoleAdmin}}

// Has reports whether p holds role.
func (p *Principal) Has(role string) bool { return p != nil && slices.Contains(p.Roles, role) }

// IsAdmin reports whether p is an admin of the programme.
func (p *Principal) IsAdmin() bool { return p.Has(RoleAdmin) }

// ProducerInitiatives are the initiatives p sells for as a producer.
func (p *Principal) ProducerInitiatives() []string {
	if !p.Has(RoleProducer) {
		return nil
	}
	if p.ProducerOf != nil || p.AdviserOf != nil {
		return p.ProducerOf
	}
	return legacyList(p.Roles, p.InitiativeIDs, RoleProducer)
}

// AdviserInitiatives are the initiatives p is assigned to as an adviser.
func (p *Principal) AdviserInitiatives() []string {
	if !p.Has(RoleAdviser) {
		return nil
	}
	if p.ProducerOf != nil || p.AdviserOf != nil {
		return p.AdviserOf
	}
	return legacyList(p.Roles, p.InitiativeIDs, RoleAdviser)
}

// legacyList reads one list of initiatives for both roles: it is the
// role's when the user holds only one of them; a user with both and no
// split is taken as an adviser (least rights: no producer's powers).
func legacyList(roles, ids []string, role string) []string {
	both := slices.Contains(roles, RoleProducer) && slices.Contains(roles, RoleAdviser)
	if both && role == RoleProducer {
		return nil
	}
	return ids
}

// MemberOf reports whether p is a producer of the initiative.
func (p *Principal) MemberOf(initiativeID string) bool {
	return slices.Contains(p.ProducerInitiatives(), initiativeID)
}

// Advises reports whether p is an adviser assigned to the initiative.
func (p *Principal) Advises(initiativeID string) bool {
	return slices.Contains(p.AdviserInitiatives(), initiativeID)
}
