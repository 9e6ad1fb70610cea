package mentoring

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// DefaultLockAfter is how long after its date a session stays editable.
const DefaultLockAfter = 30 * 24 * time.Hour

// DefaultUnlockFor is how long an admin's unlock lets a session be edited
// before it locks again.
const DefaultUnlockFor = 7 * 24 * time.Hour

// Options tune the service; zero values take the defaults.
type Options struct {
	Clock     func() time.Time // default time.Now
	LockAfter time.Duration    // default DefaultLockAfter
	UnlockFor time.Duration    // default DefaultUnlockFor
	// Objects keeps the attachments' files (nil: no attachments).
	Objects storage.ObjectStore
	// Initiatives reports initiatives of ids that do not exist (a session
	// names only real ones); nil accepts any.
	Initiatives func(ctx context.Context, ids []string) (missing []string, err error)
	// Listed is told of every session once its lists show it (after
	// replaces before; before nil: new), and again when Repair lists it
	// after a crash: so it must be idempotent. Progress keeps its session
	// markers with it.
	Listed func(ctx context.Context, before *Session, after Session) error
}

// Service is the mentoring API for the rest of the program. Every call gets the
// principal making it and checks what that principal may do.
type Service struct {
	sessions   sessionRepo
	versions   versionRepo
	agreements agreementRepo
	lists      lists
	clock      func() time.Time
	lockAfter  time.Duration
	unlockFor  time.Duration
	missing    func(ctx context.Context, ids []string) ([]string, error)
	objects    storage.ObjectStore
	listed     func(ctx context.Context, before *Session, after Session) error
}

// NewService wires mentoring to its collections in db: mentoring_sessions
// (not "sessions": that is the accounts package's sign-in sessions),
// session_versions and agreements.
func NewService(db *mongo.Database, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.LockAfter <= 0 {
		opts.LockAfter = DefaultLockAfter
	}
	if opts.UnlockFor <= 0 {
		opts.UnlockFor = DefaultUnlockFor
	}
	return &Service{
		sessions:   sessionRepo{coll: db.Collection("mentoring_sessions")},
		versions:   versionRepo{coll: db.Collection("session_versions")},
		agreements: agreementRepo{coll: db.Collection("agreements")},
		lists:      newLists(db),
		clock:      opts.Clock,
		lockAfter:  opts.LockAfter,
		unlockFor:  opts.UnlockFor,
		missing:    opts.Initiatives,
		objects:    opts.Objects,
		listed:     opts.Listed,
	}
}

// checkInitiatives refuses initiatives that do not exist (422).
func (s *Service) checkInitiatives(ctx context.Context, ids []string) error {
	if s.missing == nil {
		return nil
	}
	missing, err := s.missing(ctx, ids)
	if err != nil || len(missing) == 0 {
		return err
	}
	var fe errs.Fields
	fe.Add("initiative_ids", errs.CodeNotFound, "no initiative "+strings.Join(missing, ", "))
	return fe.Err()
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// EnsureIndexes creates the package's indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	for _, ensure := range []func(context.Context) error{s.sessions.ensureIndexes, s.agreements.ensureIndexes} {
		if err := ensure(ctx); err != nil {
			return err
		}
	}
	return nil
}

// CanRecord reports whether p may record or edit a session with these
// initiatives: admins, and advisers assigned to every one of them.
func CanRecord(p *accounts.Principal, initiativeIDs []string) bool {
	if p.IsAdmin() {
		return true
	}
	if len(initiativeIDs) == 0 {
		return false
	}
	for _, id := range initiativeIDs {
		if !p.Advises(id) {
			return false
		}
	}
	return true
}

// CanReadInitiative reports whether p may read the sessions and agreements of
// an initiative: admins, its assigned advisers and its producers.
func CanReadInitiative(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID) || p.MemberOf(initiativeID)
}

// CanRead reports whether p may read a session: it may read any of its initiatives.
func CanRead(p *accounts.Principal, s Session) bool {
	return p.IsAdmin() || slices.ContainsFunc(s.InitiativeIDs, func(id string) bool { return CanReadInitiative(p, id) })
}

// readable is the initiatives whose records p may read; nil for admins (all).
func readable(p *accounts.Principal) []string {
	if p.IsAdmin() {
		return nil
	}
	out := []string{}
	for _, id := range p.InitiativeIDs {
		if CanReadInitiative(p, id) {
			out = append(out, id)
		}
	}
	return out
}

func denied(p *accounts.Principal, what string) error {
	if p == nil {
		return fmt.Errorf("%s: %w", what, errs.Unauthenticated)
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

// Check validates a new session as Create does, without storing it or
// asking who records it: forms use it to show every problem at once.
func (s *Service) Check(in SessionInput) error {
	f := sessionFields{
		InitiativeIDs: in.InitiativeIDs, Date: in.Date, DurationMinutes: in.DurationMinutes, Modality: in.Modality,
		Topics: in.Topics, Participants: in.Participants, MemberIDs: in.MemberIDs, Notes: in.Notes, NextFollowUp: in.NextFollowUp,
	}
	var fe errs.Fields
	f.normalize(s.now(), &fe)
	for i := range in.Agreements {
		a := in.Agreements[i]
		a.normalize(i, f.InitiativeIDs, &fe)
	}
	return fe.Err()
}

// Now is the service's clock, for pages that count days as the service does.
func (s *Service) Now() time.Time { return s.now() }

// Create validates and stores a session recorded by p with the agreements
// taken in it. Without transactions the agreements are written after the
// session; if one fails, the session and its agreements are removed again.
func (s *Service) Create(ctx context.Context, p *accounts.Principal, in SessionInput) (Session, []Agreement, error) {
	now := s.now()
	f := sessionFields{
		InitiativeIDs: in.InitiativeIDs, Date: in.Date, DurationMinutes: in.DurationMinutes, Modality: in.Modality,
		Topics: in.Topics, Participants: in.Participants, MemberIDs: in.MemberIDs, Notes: in.Notes, NextFollowUp: in.NextFollowUp,
	}
	var fe errs.Fields
	f.normalize(now, &fe)
	for i := range in.Agreements {
		in.Agreements[i].normalize(i, f.InitiativeIDs, &fe)
	}
	if p == nil {
		return Session{}, nil, denied(p, "record a session")
	}
	if err := fe.Err(); err != nil {
		return Session{}, nil, err
	}
	if !CanRecord(p, f.InitiativeIDs) {
		return Session{}, nil, fmt.Errorf("record a session for initiatives %s: %w", strings.Join(f.InitiativeIDs, ", "), errs.Forbidden)
	}
	if err := s.checkInitiatives(ctx, f.InitiativeIDs); err != nil {
		return Session{}, nil, err
	}
	locks := dayStart(f.Date).Add(s.lockAfter)
	sess := Session{
		ID: storage.NewID(), AdviserID: p.UserID, InitiativeIDs: f.InitiativeIDs, Date: f.Date, DurationMinutes: f.DurationMinutes,
		Modality: f.Modality, Topics: f.Topics, Participants: f.Participants, MemberIDs: f.MemberIDs, Notes: f.Notes,
		NextFollowUp: f.NextFollowUp, Agreements: []string{}, CreatedAt: now, UpdatedAt: now, LocksAt: &locks,
	}
	agreements := make([]Agreement, len(in.Agreements))
	for i, a := range in.Agreements {
		agreements[i] = Agreement{
			ID: storage.NewID(), SessionID: sess.ID, InitiativeID: a.InitiativeID, AdviserID: sess.AdviserID, Text: a.Text,
			Owner: a.Owner, OwnerUserID: a.OwnerUserID, Due: a.Due, Status: StatusOpen, History: []StatusChange{},
			CreatedAt: now, UpdatedAt: now,
		}
		sess.Agreements = append(sess.Agreements, agreements[i].ID)
	}
	if err := s.sessions.insert(ctx, sess); err != nil {
		return Session{}, nil, err
	}
	for _, a := range agreements {
		if err := s.agreements.insert(ctx, a); err != nil {
			// Compensate on a context that outlives a cancelled request.
			cctx := context.WithoutCancel(ctx)
			return Session{}, nil, errors.Join(err, s.agreements.deleteIDs(cctx, sess.Agreements), s.sessions.delete(cctx, sess.ID))
		}
	}
	// Stored: now listed (a crash from here on is finished by Repair).
	if err := s.marking(ctx, "session", sess.ID, nil); err != nil {
		return Session{}, nil, err
	}
	if err := s.listSession(ctx, nil, sess, agreements); err != nil {
		return Session{}, nil, err
	}
	s.marked(ctx, sess.ID)
	return sess, agreements, nil
}

// listSession puts a session and its agreements in their lists.
func (s *Service) listSession(ctx context.Context, before *Session, sess Session, agreements []Agreement) error {
	if err := s.indexSession(ctx, before, sess); err != nil {
		return err
	}
	for _, a := range agreements {
		if err := s.indexAgreement(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// setSession changes the session read as cur (see sessionRepo.set) and its
// list entries.
func (s *Service) setSession(ctx context.Context, cur Session, fields bson.M, v *Version) (Session, error) {
	if err := s.marking(ctx, "session", cur.ID, &cur); err != nil {
		return Session{}, err
	}
	out, err := s.sessions.set(ctx, cur.ID, cur.Rev, fields, v)
	if err != nil {
		return Session{}, err
	}
	if err := s.indexSession(ctx, &cur, out); err != nil {
		return out, err
	}
	s.marked(ctx, cur.ID)
	return out, nil
}

// Session returns one session p may read.
func (s *Service) Session(ctx context.Context, p *accounts.Principal, id string) (Session, error) {
	sess, err := s.sessions.get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !CanRead(p, sess) {
		return Session{}, denied(p, "session "+id)
	}
	return sess, nil
}

// SessionFilter selects sessions; zero values select all the caller may read.
type SessionFilter struct {
	InitiativeID string
	AdviserID    string
}

// Sessions lists the newest sessions p may read (at most MaxPageSize; page
// with SessionsPage for more). Asking for an initiative p may not read is
// errs.Forbidden.
func (s *Service) Sessions(ctx context.Context, p *accounts.Principal, f SessionFilter) ([]Session, error) {
	items, _, err := s.SessionsPage(ctx, p, f, "", MaxPageSize)
	return items, err
}

// sessionOwners names the lists holding the sessions p may read that match
// f, and the filter their entries still need.
func sessionOwners(p *accounts.Principal, f SessionFilter) ([]string, func(Session) bool, error) {
	if p == nil {
		return nil, nil, denied(p, "sessions")
	}
	var keep func(Session) bool
	if f.AdviserID != "" {
		keep = func(x Session) bool { return x.AdviserID == f.AdviserID }
	}
	switch ids := readable(p); {
	case f.InitiativeID != "":
		if !CanReadInitiative(p, f.InitiativeID) {
			return nil, nil, denied(p, "sessions of initiative "+f.InitiativeID)
		}
		return []string{"i:" + f.InitiativeID}, keep, nil
	case ids == nil && f.AdviserID != "":
		return []string{"a:" + f.AdviserID}, nil, nil
	case ids == nil:
		return []string{ownerAll}, nil, nil
	default:
		owners := make([]string, len(ids))
		for i, id := range ids {
			owners[i] = "i:" + id
		}
		return owners, keep, nil
	}
}

// Locked reports whether the session is read-only at now: its lock time
// has passed and no admin's unlock is running.
func (s *Service) Locked(sess Session, now time.Time) bool {
	if now.Before(sess.lockedAt(s.lockAfter)) {
		return false
	}
	return sess.Unlocked == nil || !now.Before(sess.Unlocked.until())
}

// Update changes a session (admins, advisers assigned to all its initiatives),
// checking the revision it read, and records a version with the changed fields.
// A locked session answers errs.Locked.
func (s *Service) Update(ctx context.Context, p *accounts.Principal, id string, up SessionUpdate) (Session, error) {
	var out Session
	err := retryStale(func() error {
		cur, err := s.Session(ctx, p, id)
		if err != nil {
			return err
		}
		if !CanRecord(p, cur.InitiativeIDs) {
			return denied(p, "edit session "+id)
		}
		now := s.now()
		if s.Locked(cur, now) {
			return fmt.Errorf("session %s is read-only since %s: %w", id, cur.lockedAt(s.lockAfter).Format(time.DateOnly), errs.Locked)
		}
		old := cur.fields()
		f := old
		f.Topics, f.MemberIDs = slices.Clone(old.Topics), slices.Clone(old.MemberIDs)
		if up.Date != nil {
			f.Date = *up.Date
		}
		if up.DurationMinutes != nil {
			f.DurationMinutes = *up.DurationMinutes
		}
		if up.Modality != nil {
			f.Modality = *up.Modality
		}
		if up.Topics != nil {
			f.Topics = up.Topics
		}
		if up.Participants != nil {
			f.Participants = *up.Participants
		}
		if up.MemberIDs != nil {
			f.MemberIDs = up.MemberIDs
		}
		if up.Notes != nil {
			f.Notes = *up.Notes
		}
		if up.NextFollowUp != nil {
			f.NextFollowUp = up.NextFollowUp
		}
		var fe errs.Fields
		f.normalize(now, &fe)
		if err := fe.Err(); err != nil {
			return err
		}
		changes, set := diff(old, f)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		set["updated_at"] = now
		// A later date never buys more time to edit; an earlier one locks sooner.
		locks := cur.lockedAt(s.lockAfter)
		if earlier := dayStart(f.Date).Add(s.lockAfter); earlier.Before(locks) {
			locks = earlier
		}
		if cur.LocksAt == nil || !locks.Equal(*cur.LocksAt) {
			set["locks_at"] = locks
		}
		// The edit and its version are one write on one document.
		v := Version{ID: storage.NewID(), SessionID: id, Rev: cur.Rev + 1, At: now, By: p.UserID, Changes: changes}
		out, err = s.setSession(ctx, cur, set, &v)
		return err
	})
	return out, err
}

// diff compares the editable fields and returns the changes and the $set document.
func diff(old, cur sessionFields) (map[string]Change, bson.M) {
	changes, set := map[string]Change{}, bson.M{}
	add := func(field string, from, to any) {
		if !reflect.DeepEqual(from, to) {
			changes[field] = Change{From: from, To: to}
			set[field] = to
		}
	}
	add("date", old.Date, cur.Date)
	add("duration_minutes", old.DurationMinutes, cur.DurationMinutes)
	add("modality", old.Modality, cur.Modality)
	add("topics", old.Topics, cur.Topics)
	add("participants", old.Participants, cur.Participants)
	add("member_ids", old.MemberIDs, cur.MemberIDs)
	add("notes", old.Notes, cur.Notes)
	var from, to any
	if old.NextFollowUp != nil {
		from = *old.NextFollowUp
	}
	if cur.NextFollowUp != nil {
		to = *cur.NextFollowUp
	}
	add("next_follow_up", from, to)
	return changes, set
}

// Unlock lets a locked session be edited again; only admins, with a reason.
// Who unlocked it, when and why is kept on the session and in its versions.
func (s *Service) Unlock(ctx context.Context, admin *accounts.Principal, id, reason string) (Session, error) {
	if !admin.IsAdmin() {
		return Session{}, denied(admin, "unlock session "+id)
	}
	reason = clean.Text(reason)
	if reason == "" {
		var fe errs.Fields
		fe.Add("reason", errs.CodeRequired, "required")
		return Session{}, fe.Err()
	}
	var out Session
	err := retryStale(func() error {
		cur, err := s.sessions.get(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		rec := &UnlockRecord{By: admin.UserID, At: now, Reason: reason, Until: now.Add(s.unlockFor)}
		var from any
		if cur.Unlocked != nil {
			from = *cur.Unlocked
		}
		v := Version{ID: storage.NewID(), SessionID: id, Rev: cur.Rev + 1, At: now, By: admin.UserID,
			Changes: map[string]Change{"unlocked": {From: from, To: *rec}}}
		out, err = s.setSession(ctx, cur, bson.M{"unlocked": rec, "updated_at": now}, &v)
		return err
	})
	return out, err
}

// Versions returns a session's edit history, oldest first, to those who may
// read it. Versions live on the session document, written with the edit (the
// migration to version 2 moved those of older records there).
func (s *Service) Versions(ctx context.Context, p *accounts.Principal, id string) ([]Version, error) {
	sess, err := s.Session(ctx, p, id)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(sess.Versions)
	slices.SortFunc(out, func(a, b Version) int { return cmp.Compare(a.Rev, b.Rev) })
	if out == nil {
		out = []Version{}
	}
	return out, nil
}

// Agreement returns one agreement p may read.
func (s *Service) Agreement(ctx context.Context, p *accounts.Principal, id string) (Agreement, error) {
	a, err := s.agreements.get(ctx, id)
	if err != nil {
		return Agreement{}, err
	}
	if !CanReadInitiative(p, a.InitiativeID) {
		return Agreement{}, denied(p, "agreement "+id)
	}
	return a, nil
}

// ListAgreements lists the agreements p may read (those of the initiatives it
// advises or belongs to; admins all), by due date, at most MaxPageSize (page
// with AgreementsPage for more).
func (s *Service) ListAgreements(ctx context.Context, p *accounts.Principal, f AgreementFilter) ([]Agreement, error) {
	items, _, err := s.AgreementsPage(ctx, p, f, "", MaxPageSize)
	return items, err
}

// agreementOwners names the lists holding the agreements p may read that
// match f, and the filter their entries still need; empty reports a filter
// that can match nothing.
func (s *Service) agreementOwners(p *accounts.Principal, f AgreementFilter) (owners []string, keep func(Agreement) bool, empty bool, err error) {
	if p == nil {
		return nil, nil, false, denied(p, "agreements")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		var fe errs.Fields
		fe.Add("status", errs.CodeUnknown, "unknown status")
		return nil, nil, false, fe.Err()
	}
	if f.Overdue && f.Status != "" && f.Status != StatusOpen {
		return nil, nil, true, nil
	}
	ids := readable(p)
	switch {
	case f.InitiativeID != "":
		if !CanReadInitiative(p, f.InitiativeID) {
			return nil, nil, false, denied(p, "agreements of initiative "+f.InitiativeID)
		}
		owners = []string{"i:" + f.InitiativeID}
	case ids == nil:
		owners = []string{ownerAll}
	default:
		for _, id := range ids {
			owners = append(owners, "i:"+id)
		}
	}
	today := Today(s.now())
	keep = func(a Agreement) bool {
		return (f.AdviserID == "" || a.AdviserID == f.AdviserID) && (f.Status == "" || a.Status == f.Status) &&
			(!f.Overdue || (a.Status == StatusOpen && a.Due.Before(today)))
	}
	return owners, keep, false, nil
}

// CanSetAgreementStatus reports whether p may move agreement a to status:
// admins and the initiative's assigned advisers to any status, its producers
// only to done. Whether the move itself is allowed from a's current status is
// a separate question (see SetAgreementStatus).
func CanSetAgreementStatus(p *accounts.Principal, a Agreement, status string) bool {
	if p.IsAdmin() || p.Advises(a.InitiativeID) {
		return true
	}
	return status == StatusDone && p.MemberOf(a.InitiativeID)
}

// SetAgreementStatus moves an agreement to status: admins and the initiative's
// assigned advisers may close (done, dropped) and reopen; its producers may mark
// it done. The change is appended to the history in the same single-document
// update that checks the current status, so of two racing changes one wins and
// the other answers errs.Conflict. Setting the current status changes nothing.
func (s *Service) SetAgreementStatus(ctx context.Context, p *accounts.Principal, id, status string) (Agreement, error) {
	if !slices.Contains(Statuses, status) {
		var fe errs.Fields
		fe.Add("status", errs.CodeUnknown, "unknown status")
		return Agreement{}, fe.Err()
	}
	a, err := s.Agreement(ctx, p, id)
	if err != nil {
		return Agreement{}, err
	}
	if !CanSetAgreementStatus(p, a, status) {
		return Agreement{}, denied(p, fmt.Sprintf("set agreement %s %s", id, status))
	}
	if a.Status == status {
		return a, nil
	}
	if !transitionAllowed(a.Status, status) {
		return Agreement{}, fmt.Errorf("agreement %s is %s, cannot become %s: %w", id, a.Status, status, errs.Conflict)
	}
	if err := s.marking(ctx, "agreement", id, nil); err != nil {
		return Agreement{}, err
	}
	out, err := s.agreements.setStatus(ctx, id, StatusChange{At: s.now(), By: p.UserID, From: a.Status, To: status})
	if err != nil {
		return Agreement{}, err
	}
	if err := s.indexAgreement(ctx, out); err != nil {
		return out, err
	}
	s.marked(ctx, id)
	return out, nil
}
