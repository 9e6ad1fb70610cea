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
	InitiativeIDs []string // producers: their initiatives; advisers: those assigned
	SessionID     string
	ViaBearer     bool // authenticated by Authorization: Bearer (exempt from CSRF)
}

// Has reports whether p holds role.
func (p *Principal) Has(role string) bool { return p != nil && slices.Contains(p.Roles, role) }

// IsAdmin reports whether p is an admin of the programme.
func (p *Principal) IsAdmin() bool { return p.Has(RoleAdmin) }

// MemberOf reports whether p is a producer of the initiative.
func (p *Principal) MemberOf(initiativeID string) bool {
	return p.Has(RoleProducer) && slices.Contains(p.InitiativeIDs, initiativeID)
}

// Advises reports whether p is an adviser assigned to the initiative.
func (p *Principal) Advises(initiativeID string) bool {
	return p.Has(RoleAdviser) && slices.Contains(p.InitiativeIDs, initiativeID)
}
