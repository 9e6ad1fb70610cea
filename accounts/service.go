package accounts

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Options tune the service; zero fields take the defaults.
type Options struct {
	Argon2        Argon2Params
	CookieSession SessionLimits
	BearerSession SessionLimits
	Limits        RateLimits
	// HashSlots bounds the password hashes computed at once (default: the
	// cores); HashQueue more may wait up to a second (default: 4 per slot).
	HashSlots, HashQueue int
	Now                  func() time.Time
}

// Service is the accounts API for the rest of the program.
type Service struct {
	users     userRepo
	directory storage.Feed[dirEntry]
	marks     storage.Set[time.Time]
	admins    storage.Set[bool]
	sessions  sessionRepo
	limiter   limiter
	gate      *hashGate
	Audit     *Audit
	opt       Options
	// dummyHash is checked for unknown emails so that they take as long as a wrong password.
	dummyHash string
}

// NewService wires accounts to its collections in db.
func NewService(db *mongo.Database, opt Options) *Service {
	if opt.Argon2 == (Argon2Params{}) {
		opt.Argon2 = DefaultArgon2
	}
	if opt.CookieSession == (SessionLimits{}) {
		opt.CookieSession = SessionLimits{Absolute: 14 * 24 * time.Hour, Idle: 3 * 24 * time.Hour}
	}
	if opt.BearerSession == (SessionLimits{}) {
		opt.BearerSession = SessionLimits{Absolute: 30 * 24 * time.Hour, Idle: 7 * 24 * time.Hour}
	}
	opt.Limits = opt.Limits.withDefaults()
	if opt.HashSlots <= 0 {
		opt.HashSlots = runtime.NumCPU()
	}
	if opt.HashQueue <= 0 {
		opt.HashQueue = 4 * opt.HashSlots
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dummy, _ := hashPassword("not a real password at all", opt.Argon2)
	// Sign-in sessions and rate-limit windows are deleted when they end: the
	// collections hold only what is live, and the sweeper reads them whole.
	storage.WorkSetCollections("sessions", "rate_limits")
	return &Service{
		users:     newUserRepo(db),
		directory: storage.NewFeed[dirEntry](db.Collection("user_directory"), dirPerBucket),
		marks:     storage.NewSet[time.Time](db.Collection("user_work")),
		admins:    storage.NewSet[bool](db.Collection("user_work")),
		sessions:  sessionRepo{db.Collection("sessions")},
		limiter:   limiter{db.Collection("rate_limits")},
		gate:      newHashGate(opt.HashSlots, opt.HashQueue, time.Second),
		Audit:     newAudit(db, opt.Now),
		opt:       opt,
		dummyHash: dummy,
	}
}

// EnsureIndexes creates the accounts indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	if err := s.users.ensureIndexes(ctx); err != nil {
		return err
	}
	return s.sessions.ensureIndexes(ctx)
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Millisecond) }

// Meta is where a request comes from, for rate limits and the audit log.
type Meta struct {
	IP string
}

// NewUser is what an admin (or the bootstrap) gives to create an account.
type NewUser struct {
	Email         string   `json:"email"`
	Name          string   `json:"name"`
	Password      string   `json:"password"`
	Phone         string   `json:"phone,omitempty"`
	Roles         []string `json:"roles"`
	InitiativeIDs []string `json:"initiative_ids,omitempty"`
	// For a user who is both producer and adviser, each role's initiatives.
	ProducerInitiativeIDs []string `json:"producer_initiative_ids,omitempty"`
	AdviserInitiativeIDs  []string `json:"adviser_initiative_ids,omitempty"`
}

// Registration is a buyer signing up; Consent must be true (Ley 1581).
type Registration struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	Phone    string `json:"phone,omitempty"`
	Consent  bool   `json:"consent"`
}

// Register creates a buyer account with recorded consent. Attempts per address are limited.
func (s *Service) Register(ctx context.Context, r Registration, m Meta) (User, error) {
	now := s.now()
	key := limitKey("register-ip", m.IP)
	if wait, err := s.limiter.blocked(ctx, key, now); err != nil {
		return User{}, err
	} else if wait > 0 {
		return User{}, &errs.RetryError{What: "registration", After: wait}
	}
	// Every attempt counts, valid or not: the limit is on automated sign-ups.
	if _, err := s.limiter.hit(ctx, key, s.opt.Limits.RegisterPerAddr, now); err != nil {
		return User{}, err
	}
	var f errs.Fields
	if !r.Consent {
		f.Add("consent", errs.CodeRequired, "consent to the processing of personal data is required")
	}
	takenKey := limitKey("register-taken-ip", m.IP)
	if wait, err := s.limiter.blocked(ctx, takenKey, now); err != nil {
		return User{}, err
	} else if wait > 0 {
		return User{}, &errs.RetryError{What: "registration", After: wait}
	}
	u, err := s.create(ctx, NewUser{Email: r.Email, Name: r.Name, Password: r.Password, Phone: r.Phone, Roles: []string{RoleBuyer}}, f,
		&Consent{Version: ConsentVersion, At: now})
	if errors.Is(err, errs.Conflict) {
		// The email is held: an answer that tells so is counted apart.
		if _, herr := s.limiter.hit(ctx, takenKey, s.opt.Limits.RegisterTakenPerAddr, now); herr != nil {
			return User{}, herr
		}
	}
	if err != nil {
		return User{}, err
	}
	_ = s.Audit.Record(ctx, AuditEntry{ActorID: u.ID, Action: "register", TargetKind: "user", TargetID: u.ID, IP: m.IP})
	return u, nil
}

// CreateUser is the admin's way to add any kind of user.
func (s *Service) CreateUser(ctx context.Context, actor *Principal, n NewUser, m Meta) (User, error) {
	if !CanManageUsers(actor) {
		return User{}, fmt.Errorf("create user: %w", errs.Forbidden)
	}
	u, err := s.create(ctx, n, nil, nil)
	if err != nil {
		return User{}, err
	}
	_ = s.Audit.Record(ctx, AuditEntry{ActorID: actor.UserID, Action: "user_created", TargetKind: "user", TargetID: u.ID, IP: m.IP,
		Details: map[string]string{"roles": strings.Join(u.Roles, ","), "initiatives": strings.Join(u.InitiativeIDs, ",")}})
	return u, nil
}

// create validates and stores a user; f carries errors found by the caller.
func (s *Service) create(ctx context.Context, n NewUser, f errs.Fields, consent *Consent) (User, error) {
	n.Email = NormalizeEmail(n.Email)
	n.Name = clean.Line(n.Name)
	n.Phone = clean.Line(n.Phone)
	checkEmail(&f, n.Email)
	checkName(&f, n.Name)
	checkPhone(&f, n.Phone)
	checkRoles(&f, n.Roles)
	if code, msg, params := passwordProblem(n.Password, n.Email); code != "" {
		f.Add("password", code, msg, params...)
	}
	var split [2]*[]string
	if n.ProducerInitiativeIDs != nil || n.AdviserInitiativeIDs != nil {
		split = [2]*[]string{&n.ProducerInitiativeIDs, &n.AdviserInitiativeIDs}
	}
	producerOf, adviserOf := assignments(&f, n.Roles, &n.InitiativeIDs, split[0], split[1], User{})
	if err := f.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	u := User{
		ID: primitive.NewObjectID().Hex(), Email: n.Email, Name: n.Name, Phone: n.Phone, PasswordHash: hash,
		Roles: dedupe(n.Roles), InitiativeIDs: union(producerOf, adviserOf), ProducerOf: producerOf, AdviserOf: adviserOf,
		Active: true, Consent: consent,
		CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now,
	}
	if err := s.mark(ctx, u.ID); err != nil {
		return User{}, err
	}
	if err := s.users.insert(ctx, u); err != nil {
		if errors.Is(err, errs.Conflict) {
			var f errs.Fields
			f.Add("email", errs.CodeTaken, "is already registered")
			return User{}, fmt.Errorf("%w: %w", f.Err(), errs.Conflict)
		}
		return User{}, err
	}
	return u, s.settle(ctx, u)
}

func dedupe(list []string) []string {
	out := []string{}
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Login checks credentials and opens a session of the given kind, returning
// its token (shown once). Unknown email and wrong password answer the same,
// after the same work. Five failures on an account from one address block
// that address's attempts on it with a back-off (see RateLimits).
func (s *Service) Login(ctx context.Context, email, password string, kind SessionKind, m Meta) (string, User, error) {
	email = NormalizeEmail(email)
	now := s.now()
	pairKey, acctKey, ipKey := limitKey("login-pair", email+"|"+m.IP), limitKey("login-account", email), limitKey("login-ip", m.IP)
	for _, key := range []string{pairKey, acctKey, ipKey} {
		if wait, err := s.limiter.blocked(ctx, key, now); err != nil {
			return "", User{}, err
		} else if wait > 0 {
			return "", User{}, &errs.RetryError{What: "login", After: wait}
		}
	}
	u, err := s.users.byEmail(ctx, email)
	if err != nil && !errors.Is(err, errs.NotFound) {
		return "", User{}, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = s.dummyHash
	}
	matches, gerr := s.check(ctx, password, hash)
	if gerr != nil {
		return "", User{}, gerr // busy: refused before any work, counted nowhere
	}
	ok := matches && err == nil && u.Active && u.PasswordHash != ""
	if !ok {
		_ = s.Audit.Record(ctx, AuditEntry{ActorID: u.ID, Action: "login_failed", TargetKind: "user", TargetID: u.ID, IP: m.IP})
		var wait time.Duration
		for _, l := range []struct {
			key string
			lim Limit
		}{{pairKey, s.opt.Limits.LoginPerPair}, {acctKey, s.opt.Limits.LoginPerAccount}, {ipKey, s.opt.Limits.LoginPerAddress}} {
			w, herr := s.limiter.hit(ctx, l.key, l.lim, now)
			if herr != nil {
				return "", User{}, herr
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return "", User{}, &errs.RetryError{What: "login", After: wait}
		}
		return "", User{}, fmt.Errorf("login: wrong email or password: %w", errs.Unauthenticated)
	}
	_ = s.limiter.reset(ctx, pairKey)
	token, err := s.openSession(ctx, u.ID, kind, now)
	if err != nil {
		return "", User{}, err
	}
	_ = s.Audit.Record(ctx, AuditEntry{ActorID: u.ID, Action: "login", TargetKind: "user", TargetID: u.ID, IP: m.IP,
		Details: map[string]string{"kind": string(kind)}})
	return token, u, nil
}

// LoginWithCookie is Login for a client that gets both an API token and
// a browser cookie (POST /api/v1/auth/login): each its own session of its
// kind — the cookie lives as long as a cookie session may, not as long as
// the token — paired so that signing out of either ends both.
func (s *Service) LoginWithCookie(ctx context.Context, email, password string, m Meta) (bearer, cookie string, u User, err error) {
	bearer, u, err = s.Login(ctx, email, password, KindBearer, m)
	if err != nil {
		return "", "", User{}, err
	}
	now := s.now()
	lim := s.limits(KindCookie)
	cookie = newToken()
	if err := s.sessions.insert(ctx, session{ID: hashToken(cookie), UserID: u.ID, Kind: KindCookie, Pair: hashToken(bearer),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lim.Absolute), IdleUntil: now.Add(lim.Idle)}); err != nil {
		return "", "", User{}, err
	}
	if _, err := s.sessions.coll.UpdateOne(ctx, bson.M{"_id": hashToken(bearer)}, bson.M{"$set": bson.M{"pair": hashToken(cookie)}}); err != nil {
		return "", "", User{}, storage.Err("session", err)
	}
	return bearer, cookie, u, nil
}

func (s *Service) limits(kind SessionKind) SessionLimits {
	if kind == KindBearer {
		return s.opt.BearerSession
	}
	return s.opt.CookieSession
}

// openSession always makes a new token: a session id known before login is
// never reused after it (no fixation).
func (s *Service) openSession(ctx context.Context, userID string, kind SessionKind, now time.Time) (string, error) {
	lim := s.limits(kind)
	token := newToken()
	err := s.sessions.insert(ctx, session{ID: hashToken(token), UserID: userID, Kind: kind,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lim.Absolute), IdleUntil: now.Add(lim.Idle)})
	return token, err
}

// Authenticate resolves a token to its principal, or errs.Unauthenticated when
// the token is unknown, expired, idle too long, or its user is inactive.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	unauth := fmt.Errorf("session: %w", errs.Unauthenticated)
	if !looksLikeToken(token) {
		return nil, unauth
	}
	now := s.now()
	sess, err := s.sessions.get(ctx, hashToken(token))
	if errors.Is(err, errs.NotFound) {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleUntil) {
		_ = s.sessions.delete(ctx, sess.ID)
		return nil, unauth
	}
	u, err := s.users.byID(ctx, sess.UserID)
	if errors.Is(err, errs.NotFound) || (err == nil && !u.Active) {
		_ = s.sessions.delete(ctx, sess.ID)
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	// Write the last use at most once a minute: a write per request would cost more than it tells.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.sessions.touch(ctx, sess, now, s.limits(sess.Kind).Idle); err != nil {
			return nil, err
		}
	}
	return u.principal(sess.ID), nil
}

// Logout revokes the session of p.
func (s *Service) Logout(ctx context.Context, p *Principal, m Meta) error {
	if p == nil {
		return nil
	}
	if sess, err := s.sessions.get(ctx, p.SessionID); err == nil && sess.Pair != "" {
		if err := s.sessions.delete(ctx, sess.Pair); err != nil {
			return err
		}
	}
	if err := s.sessions.delete(ctx, p.SessionID); err != nil {
		return err
	}
	return s.Audit.Record(ctx, AuditEntry{ActorID: p.UserID, Action: "logout", TargetKind: "user", TargetID: p.UserID, IP: m.IP})
}

// User returns one user; admins see anyone, others only themselves.
func (s *Service) User(ctx context.Context, actor *Principal, id string) (User, error) {
	if actor == nil || (actor.UserID != id && !CanManageUsers(actor)) {
		return User{}, fmt.Errorf("user %s: %w", id, errs.Forbidden)
	}
	return s.users.byID(ctx, id)
}

// UserUpdate changes what an admin may change; nil fields stay.
type UserUpdate struct {
	Name          *string   `json:"name,omitempty"`
	Phone         *string   `json:"phone,omitempty"`
	Roles         *[]string `json:"roles,omitempty"`
	InitiativeIDs *[]string `json:"initiative_ids,omitempty"`
	// For a user who is both producer and adviser, each role's initiatives.
	ProducerInitiativeIDs *[]string `json:"producer_initiative_ids,omitempty"`
	AdviserInitiativeIDs  *[]string `json:"adviser_initiative_ids,omitempty"`
	Active                *bool     `json:"active,omitempty"`
	// Password sets a new password for someone who forgot theirs; every
	// session of the user ends.
	Password *string `json:"password,omitempty"`
}

// UpdateUser applies an admin's change. Deactivating ends the user's sessions at once.
func (s *Service) UpdateUser(ctx context.Context, actor *Principal, id string, up UserUpdate, m Meta) (User, error) {
	if !CanManageUsers(actor) {
		return User{}, fmt.Errorf("update user %s: %w", id, errs.Forbidden)
	}
	set, details, err := s.updateFields(up)
	if err != nil {
		return User{}, err
	}
	if up.Password != nil {
		cur, err := s.users.byID(ctx, id)
		if err != nil {
			return User{}, err
		}
		if code, msg, params := passwordProblem(*up.Password, cur.Email); code != "" {
			var f errs.Fields
			f.Add("password", code, msg, params...)
			return User{}, f.Err()
		}
		hash, err := s.hash(ctx, *up.Password)
		if err != nil {
			return User{}, err
		}
		set["password_hash"], set["password_changed_at"] = hash, s.now()
		details["password"] = "reset"
	}
	if up.Active != nil && !*up.Active && id == actor.UserID {
		var f errs.Fields
		f.Add("active", errs.CodeNotAllowed, "you cannot deactivate your own account", "reason", "self")
		return User{}, f.Err()
	}
	if up.Active != nil && *up.Active {
		if cur, err := s.users.byID(ctx, id); err == nil && cur.AnonymizedAt != nil {
			var f errs.Fields
			f.Add("active", errs.CodeNotAllowed, "an anonymised account cannot be reactivated", "reason", "anonymised")
			return User{}, f.Err()
		}
	}
	if up.Roles != nil && id == actor.UserID && !slices.Contains(*up.Roles, RoleAdmin) {
		var f errs.Fields
		f.Add("roles", errs.CodeNotAllowed, "you cannot remove your own admin role")
		return User{}, f.Err()
	}
	cur, err := s.users.byID(ctx, id)
	if err != nil {
		return User{}, err
	}
	next := cur
	if up.Roles != nil {
		next.Roles = dedupe(*up.Roles)
	}
	if up.Roles != nil || up.InitiativeIDs != nil || up.ProducerInitiativeIDs != nil || up.AdviserInitiativeIDs != nil {
		var f errs.Fields
		producerOf, adviserOf := assignments(&f, next.Roles, up.InitiativeIDs, up.ProducerInitiativeIDs, up.AdviserInitiativeIDs, cur)
		if err := f.Err(); err != nil {
			return User{}, err
		}
		set["producer_of"], set["adviser_of"], set["initiative_ids"] = producerOf, adviserOf, union(producerOf, adviserOf)
		details["initiatives"] = strings.Join(union(producerOf, adviserOf), ",")
	}
	if up.Active != nil {
		next.Active = *up.Active
	}
	// Marked, then checked, then changed: a refusal changes nothing, and a
	// crash after the check leaves the mark for Repair.
	if err := s.mark(ctx, id); err != nil {
		return User{}, err
	}
	if activeAdmin(cur) && !activeAdmin(next) {
		if err := s.demote(ctx, id, "update user"); err != nil {
			_ = s.marks.Remove(ctx, setRelist, id)
			return User{}, err
		}
	}
	u, err := s.users.set(ctx, id, set)
	if err != nil {
		return User{}, err
	}
	if err := s.settle(ctx, u); err != nil {
		return User{}, err
	}
	action := "user_updated"
	if up.Active != nil && !*up.Active {
		action = "user_deactivated"
	}
	if action == "user_deactivated" || up.Password != nil {
		if err := s.sessions.deleteForUser(ctx, id, ""); err != nil {
			return User{}, err
		}
	}
	_ = s.Audit.Record(ctx, AuditEntry{ActorID: actor.UserID, Action: action, TargetKind: "user", TargetID: id, IP: m.IP, Details: details})
	return u, nil
}

func (s *Service) updateFields(up UserUpdate) (bson.M, map[string]string, error) {
	var f errs.Fields
	set := bson.M{"updated_at": s.now()}
	details := map[string]string{}
	if up.Name != nil {
		name := clean.Line(*up.Name)
		checkName(&f, name)
		set["name"] = name
	}
	if up.Phone != nil {
		phone := clean.Line(*up.Phone)
		checkPhone(&f, phone)
		set["phone"] = phone
	}
	if up.Roles != nil {
		checkRoles(&f, *up.Roles)
		set["roles"] = dedupe(*up.Roles)
		details["roles"] = strings.Join(dedupe(*up.Roles), ",")
	}
	if up.Active != nil {
		set["active"] = *up.Active
		details["active"] = fmt.Sprint(*up.Active)
	}
	return set, details, f.Err()
}

// UpdateProfile lets users change their own name and phone.
func (s *Service) UpdateProfile(ctx context.Context, p *Principal, name, phone string) (User, error) {
	if p == nil {
		return User{}, fmt.Errorf("profile: %w", errs.Unauthenticated)
	}
	set, _, err := s.updateFields(UserUpdate{Name: &name, Phone: &phone})
	if err != nil {
		return User{}, err
	}
	if err := s.mark(ctx, p.UserID); err != nil {
		return User{}, err
	}
	u, err := s.users.set(ctx, p.UserID, set)
	if err != nil {
		return User{}, err
	}
	return u, s.settle(ctx, u)
}

// ChangePassword checks the current password, stores the new one and ends
// every other session of the user (a thief's included).
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string, m Meta) error {
	if p == nil {
		return fmt.Errorf("change password: %w", errs.Unauthenticated)
	}
	u, err := s.users.byID(ctx, p.UserID)
	if err != nil {
		return err
	}
	now := s.now()
	pairKey := limitKey("login-pair", u.Email+"|"+m.IP)
	if wait, err := s.limiter.blocked(ctx, pairKey, now); err != nil {
		return err
	} else if wait > 0 {
		return &errs.RetryError{What: "change password", After: wait}
	}
	matches, err := s.check(ctx, current, u.PasswordHash)
	if err != nil {
		return err
	}
	if !matches {
		// Guesses at the current password count like failed logins.
		if _, err := s.limiter.hit(ctx, pairKey, s.opt.Limits.LoginPerPair, now); err != nil {
			return err
		}
		var f errs.Fields
		f.Add("current_password", errs.CodeWrong, "is not your current password")
		return f.Err()
	}
	if code, msg, params := passwordProblem(next, u.Email); code != "" {
		var f errs.Fields
		f.Add("new_password", code, msg, params...)
		return f.Err()
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	if _, err := s.users.set(ctx, u.ID, bson.M{"password_hash": hash, "password_changed_at": now, "updated_at": now}); err != nil {
		return err
	}
	if err := s.sessions.deleteForUser(ctx, u.ID, p.SessionID); err != nil {
		return err
	}
	return s.Audit.Record(ctx, AuditEntry{ActorID: u.ID, Action: "password_changed", TargetKind: "user", TargetID: u.ID, IP: m.IP})
}

// SessionInfo describes an open session in a data export (never its token).
type SessionInfo struct {
	Kind       SessionKind `json:"kind"`
	CreatedAt  time.Time   `json:"created_at"`
	LastSeenAt time.Time   `json:"last_seen_at"`
}

// PersonalData is everything Tesoro holds about a user, for the right to see it.
type PersonalData struct {
	User       User          `json:"user"`
	Sessions   []SessionInfo `json:"sessions"`
	Activity   []AuditEntry  `json:"activity"`
	ExportedAt time.Time     `json:"exported_at"`
}

// ExportData gathers the user's personal data (Ley 1581: right to see it).
func (s *Service) ExportData(ctx context.Context, p *Principal, m Meta) (PersonalData, error) {
	if p == nil {
		return PersonalData{}, fmt.Errorf("export: %w", errs.Unauthenticated)
	}
	u, err := s.users.byID(ctx, p.UserID)
	if err != nil {
		return PersonalData{}, err
	}
	sessions, err := s.sessions.forUser(ctx, u.ID)
	if err != nil {
		return PersonalData{}, err
	}
	activity, _, err := s.Audit.List(ctx, AuditFilter{ActorID: u.ID, Limit: 1000})
	if err != nil {
		return PersonalData{}, err
	}
	out := PersonalData{User: u, Activity: activity, ExportedAt: s.now(), Sessions: []SessionInfo{}}
	for _, s := range sessions {
		out.Sessions = append(out.Sessions, SessionInfo{Kind: s.Kind, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt})
	}
	_ = s.Audit.Record(ctx, AuditEntry{ActorID: u.ID, Action: "data_exported", TargetKind: "user", TargetID: u.ID, IP: m.IP})
	return out, nil
}

// Anonymize erases the user's personal data but keeps the record (and so the
// accounting of their orders, which refer to its id); every session ends.
//
// elsewhere erases what other parts keep of the user (their orders' contact);
// it runs only once the deletion is allowed, so a refused one changes nothing.
func (s *Service) Anonymize(ctx context.Context, p *Principal, m Meta, elsewhere func(context.Context) error) error {
	if p == nil {
		return fmt.Errorf("delete account: %w", errs.Unauthenticated)
	}
	now := s.now()
	before, err := s.users.byID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.mark(ctx, p.UserID); err != nil {
		return err
	}
	if activeAdmin(before) {
		if err := s.demote(ctx, p.UserID, "delete account"); err != nil {
			_ = s.marks.Remove(ctx, setRelist, p.UserID)
			return err
		}
	}
	if elsewhere != nil {
		if err := elsewhere(ctx); err != nil {
			_ = s.settle(context.WithoutCancel(ctx), before) // still theirs: back among the admins
			return err
		}
	}
	// The email is given up first: a crash after it leaves an account that
	// can no longer sign in, which the repeated request finishes.
	if err := s.users.releaseEmail(ctx, before.Email, p.UserID); err != nil {
		return err
	}
	u, err := s.users.set(ctx, p.UserID, bson.M{
		"email": "deleted-" + p.UserID + "@anon.invalid", "name": "Cuenta eliminada", "phone": "",
		"password_hash": "", "roles": []string{}, "initiative_ids": []string{}, "active": false,
		"anonymized_at": now, "updated_at": now,
	})
	if err != nil {
		return err
	}
	if err := s.settle(ctx, u); err != nil {
		return err
	}
	if err := s.sessions.deleteForUser(ctx, p.UserID, ""); err != nil {
		return err
	}
	return s.Audit.Record(ctx, AuditEntry{ActorID: p.UserID, Action: "account_anonymized", TargetKind: "user", TargetID: p.UserID, IP: m.IP})
}

// EnsureAdmin creates an admin with this email unless a user with it exists.
// It reports whether it created one.
func (s *Service) EnsureAdmin(ctx context.Context, email, name, password string) (bool, error) {
	_, err := s.users.byEmail(ctx, NormalizeEmail(email))
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, errs.NotFound) {
		return false, err
	}
	u, err := s.create(ctx, NewUser{Email: email, Name: name, Password: password, Roles: []string{RoleAdmin}}, nil, nil)
	if err != nil {
		return false, err
	}
	_ = s.Audit.Record(ctx, AuditEntry{Action: "admin_bootstrapped", TargetKind: "user", TargetID: u.ID})
	return true, nil
}

// UserByEmail finds a user (for tools such as the demo loader).
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.users.byEmail(ctx, NormalizeEmail(email))
}

// Sweep deletes expired sessions and rate-limit counters; run it periodically.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	now := s.now()
	n, err := s.sessions.sweep(ctx, now)
	if err != nil {
		return n, err
	}
	return n, s.limiter.sweep(ctx, now)
}

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// AssignInitiative adds an initiative to a user's list (an adviser who
// registers an initiative is assigned to it).
func (s *Service) AssignInitiative(ctx context.Context, userID, initiativeID string) error {
	if err := s.mark(ctx, userID); err != nil {
		return err
	}
	cur, err := s.users.byID(ctx, userID)
	if err != nil {
		return err
	}
	var f errs.Fields
	adviserOf := append((&Principal{Roles: cur.Roles, InitiativeIDs: cur.InitiativeIDs, ProducerOf: cur.ProducerOf, AdviserOf: cur.AdviserOf}).AdviserInitiatives(), initiativeID)
	producerOf, adviserOf := assignments(&f, cur.Roles, nil, nil, &adviserOf, cur)
	u, err := s.users.set(ctx, userID, bson.M{"producer_of": producerOf, "adviser_of": adviserOf,
		"initiative_ids": union(producerOf, adviserOf), "updated_at": s.now()})
	if err != nil {
		return err
	}
	return s.settle(ctx, u)
}

// SessionLifetime is how long a session of kind may live at most, for cookie expiry.
func (s *Service) SessionLifetime(kind SessionKind) time.Duration { return s.limits(kind).Absolute }
