package accounts

// Policy functions: the one place that decides who may do what. Handlers of
// the API and of the pages call them alike; anything not allowed here is denied.

// CanManageUsers: create users, assign roles and initiatives, deactivate.
func CanManageUsers(p *Principal) bool { return p.IsAdmin() }

// CanCreateInitiative: admins and advisers register new initiatives.
func CanCreateInitiative(p *Principal) bool { return p.IsAdmin() || p.Has(RoleAdviser) }

// CanEditInitiative: its producers edit their own profile; its advisers and admins too.
func CanEditInitiative(p *Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID) || p.MemberOf(initiativeID)
}

// CanSeeInitiativePrivate: members' personal data, orders, sessions of an initiative.
func CanSeeInitiativePrivate(p *Principal, initiativeID string) bool {
	return CanEditInitiative(p, initiativeID)
}

// CanEditProducts: the initiative's producers and admins list and change goods.
func CanEditProducts(p *Principal, initiativeID string) bool {
	return p.IsAdmin() || p.MemberOf(initiativeID)
}

// CanReadAudit: only admins read the audit log.
func CanReadAudit(p *Principal) bool { return p.IsAdmin() }
