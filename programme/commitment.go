// Package programme keeps the records of the programme around the
// initiatives' business: the child-labour-free commitment (this file),
// experience exchanges and good practices, training by partners.
package programme

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// The child-labour-free commitment ("Todo tiene su tiempo"): an initiative
// signs it through a named member on a date, on a version of the text;
// advisers verify it at their visits (with a private note); it lapses when
// no verification came in the window (6 months unless configured), and an
// adviser may suspend it with a private reason until a later verification
// reinstates it. One document per initiative (programme_commitments/{id})
// with its history; a summary of every initiative's (programme_commitment_index,
// one document) lets the portfolio and the indicators count them in one
// read. The public sees the state and the last verification's date only.

// States of a commitment.
const (
	StateNone      = "none"
	StateCommitted = "committed" // signed, not yet verified
	StateVerified  = "verified"
	StateLapsed    = "lapsed" // no verification in the window
	StateSuspended = "suspended"
)

// CommitmentText is the Spanish text an initiative signs, by version.
var CommitmentText = map[string]string{
	"2026-1": "En nuestra iniciativa todo tiene su tiempo: los niños, niñas y adolescentes de nuestras familias estudian, " +
		"juegan y descansan; no trabajan en la mina, en el taller, en la huerta ni en la venta. Nos comprometemos a que " +
		"ningún menor de edad trabaje en nuestra iniciativa, a cuidar que nuestros hogares sean entornos protectores y a " +
		"recibir las visitas de verificación del programa.",
}

// CurrentTextVersion is the version new signatures take.
const CurrentTextVersion = "2026-1"

// DefaultLapse is how long a commitment holds without a verification.
const DefaultLapse = 6 // months

// Commitment is an initiative's commitment as its producers, advisers and
// admins see it (notes and reasons only for advisers and admins).
type Commitment struct {
	InitiativeID string `bson:"_id" json:"initiative_id"`
	// SignedBy is the member's name, looked up when read: a member removed
	// from the initiative takes her name with her (Ley 1581); "" then.
	SignedBy      string         `bson:"-" json:"signed_by"`
	SignedByID    string         `bson:"signed_by_id" json:"signed_by_id"`
	SignedOn      string         `bson:"signed_on" json:"signed_on"` // YYYY-MM-DD
	TextVersion   string         `bson:"text_version" json:"text_version"`
	Verifications []Verification `bson:"verifications" json:"verifications"` // the newest last
	Suspension    *Suspension    `bson:"suspension,omitempty" json:"suspension,omitempty"`
	History       []Event        `bson:"history" json:"history"`
	Rev           int64          `bson:"rev" json:"-"`
	// State and VerifiedOn are worked out when read.
	State      string `bson:"-" json:"state"`
	VerifiedOn string `bson:"-" json:"verified_on,omitempty"`
}

// Verification is a check at a visit: no child labour seen.
type Verification struct {
	Date      string    `bson:"date" json:"date"` // YYYY-MM-DD, the visit's
	SessionID string    `bson:"session_id,omitempty" json:"session_id,omitempty"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"` // private
	By        string    `bson:"by" json:"by"`
	At        time.Time `bson:"at" json:"at"`
}

// Suspension is an adviser's stop on the commitment, with a private reason.
type Suspension struct {
	Reason string    `bson:"reason" json:"reason"`
	By     string    `bson:"by" json:"by"`
	At     time.Time `bson:"at" json:"at"`
}

// Event is a line of the commitment's history.
type Event struct {
	Kind string    `bson:"kind" json:"kind"` // signed, verified, suspended
	Date string    `bson:"date" json:"date"`
	By   string    `bson:"by" json:"by"`
	At   time.Time `bson:"at" json:"at"`
}

// Public is all the public sees of a commitment.
type Public struct {
	State      string `json:"state"`
	VerifiedOn string `json:"verified_on,omitempty"`
}

// summary is an initiative's line of the index.
type summary struct {
	SignedOn     string `bson:"signed_on"`
	LastVerified string `bson:"last_verified,omitempty"`
	Suspended    bool   `bson:"suspended,omitempty"`
}

// maxVerifications bounds the verifications a commitment keeps (two a
// year for over ten years); older ones leave the document, their events stay
// counted in the history's bound too.
const maxVerifications = 24

// maxHistory bounds its history.
const maxHistory = 60

// CommitmentOptions tune the commitments.
type CommitmentOptions struct {
	Clock func() time.Time
	Lapse int // months; ≤ 0: DefaultLapse
	// Member names a member of an initiative ("" when there is none of that id).
	Member func(ctx context.Context, initiativeID, memberID string) (string, error)
	Audit  *accounts.Audit
}

// Commitments keeps the commitments.
type Commitments struct {
	docs, index *mongo.Collection
	clock       func() time.Time
	lapse       int
	member      func(ctx context.Context, initiativeID, memberID string) (string, error)
	audit       *accounts.Audit
}

// NewCommitments keeps them in db.
func NewCommitments(db *mongo.Database, opts CommitmentOptions) *Commitments {
	c := &Commitments{docs: db.Collection("programme_commitments"), index: db.Collection("programme_commitment_index"),
		clock: opts.Clock, lapse: opts.Lapse, member: opts.Member, audit: opts.Audit}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.lapse <= 0 {
		c.lapse = DefaultLapse
	}
	return c
}

// Lapse is the window, in months, a verification holds.
func (c *Commitments) Lapse() int { return c.lapse }

func (c *Commitments) now() time.Time { return c.clock().UTC().Truncate(time.Millisecond) }

// today is the day in Bogotá.
func (c *Commitments) today() string { return c.clock().In(colombia.Zone).Format(time.DateOnly) }

// stateOf works a state out at day (YYYY-MM-DD): suspended; lapsed when the
// last verification (or, never verified, the signature) is more than the
// window before day; verified or committed otherwise.
func stateOf(s *summary, day string, lapse int) (state, verifiedOn string) {
	if s == nil || s.SignedOn == "" || s.SignedOn > day {
		return StateNone, ""
	}
	if s.Suspended {
		return StateSuspended, ""
	}
	ref := s.SignedOn
	if s.LastVerified != "" && s.LastVerified <= day {
		ref = s.LastVerified
	}
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return StateNone, ""
	}
	if ref < d.AddDate(0, -lapse, 0).Format(time.DateOnly) {
		return StateLapsed, ""
	}
	if ref == s.LastVerified {
		return StateVerified, ref
	}
	return StateCommitted, ""
}

func (cm *Commitment) summary() *summary {
	s := &summary{SignedOn: cm.SignedOn, Suspended: cm.Suspension != nil}
	for _, v := range cm.Verifications {
		s.LastVerified = max(s.LastVerified, v.Date)
	}
	return s
}

// CanSeeCommitment: the initiative's producers and advisers, admins.
func CanSeeCommitment(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID) || p.MemberOf(initiativeID)
}

// CanVerify: the initiative's advisers and admins verify and suspend.
func CanVerify(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID)
}

func denied(p *accounts.Principal, what string) error {
	if p == nil {
		return errs.Unauthenticated
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

func (c *Commitments) read(ctx context.Context, ini string) (*Commitment, error) {
	var cm Commitment
	err := c.docs.FindOne(ctx, bson.M{"_id": ini}).Decode(&cm)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, storage.Err("commitment "+ini, err)
	}
	return &cm, nil
}

// Get answers an initiative's commitment for who may see it (nil: never
// signed); producers see no notes nor reasons.
func (c *Commitments) Get(ctx context.Context, p *accounts.Principal, ini string) (*Commitment, error) {
	if !CanSeeCommitment(p, ini) {
		return nil, denied(p, "the commitment of initiative "+ini)
	}
	cm, err := c.read(ctx, ini)
	if err != nil || cm == nil {
		return cm, err
	}
	cm.State, cm.VerifiedOn = stateOf(cm.summary(), c.today(), c.lapse)
	if c.member != nil {
		if cm.SignedBy, err = c.member(ctx, ini, cm.SignedByID); err != nil {
			return nil, err
		}
	}
	if !CanVerify(p, ini) {
		for i := range cm.Verifications {
			cm.Verifications[i].Note = ""
		}
		if cm.Suspension != nil {
			cm.Suspension.Reason = ""
		}
	}
	return cm, nil
}

// Public answers what anyone sees of an initiative's commitment.
func (c *Commitments) Public(ctx context.Context, ini string) (Public, error) {
	cm, err := c.read(ctx, ini)
	if err != nil || cm == nil {
		return Public{State: StateNone}, err
	}
	state, on := stateOf(cm.summary(), c.today(), c.lapse)
	return Public{State: state, VerifiedOn: on}, nil
}

// States answers every initiative's state at day (YYYY-MM-DD; "" today):
// one read of the index.
func (c *Commitments) States(ctx context.Context, day string) (map[string]string, error) {
	if day == "" {
		day = c.today()
	}
	var doc struct {
		I map[string]*summary `bson:"i"`
	}
	err := c.index.FindOne(ctx, bson.M{"_id": "all"}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storage.Err("commitment index", err)
	}
	out := make(map[string]string, len(doc.I))
	for ini, s := range doc.I {
		out[ini], _ = stateOf(s, day, c.lapse)
	}
	return out, nil
}

// change applies fn to the initiative's commitment in one update guarded
// on its revision, then copies its summary to the index (a $set: doing it
// again is harmless; RebuildIndex mends one a crash left behind).
func (c *Commitments) change(ctx context.Context, ini string, fn func(cm *Commitment) error) (*Commitment, error) {
	for range 8 {
		cur, err := c.read(ctx, ini)
		if err != nil {
			return nil, err
		}
		fresh := cur == nil
		if fresh {
			cur = &Commitment{InitiativeID: ini, Verifications: []Verification{}, History: []Event{}}
		}
		rev := cur.Rev
		if err := fn(cur); err != nil {
			return nil, err
		}
		cur.Rev = rev + 1
		if len(cur.Verifications) > maxVerifications {
			cur.Verifications = cur.Verifications[len(cur.Verifications)-maxVerifications:]
		}
		if len(cur.History) > maxHistory {
			cur.History = cur.History[len(cur.History)-maxHistory:]
		}
		if fresh {
			_, err = c.docs.InsertOne(ctx, cur)
			if storage.IsDuplicateKey(err) {
				continue
			}
		} else {
			var res *mongo.UpdateResult
			res, err = c.docs.ReplaceOne(ctx, bson.M{"_id": ini, "rev": rev}, cur)
			if err == nil && res.MatchedCount == 0 {
				continue
			}
		}
		if err != nil {
			return nil, storage.Err("commitment "+ini, err)
		}
		if _, err := c.index.UpdateOne(ctx, bson.M{"_id": "all"}, bson.M{"$set": bson.M{"i." + ini: cur.summary()}}, options.Update().SetUpsert(true)); err != nil {
			return nil, storage.Err("commitment index", err)
		}
		cur.State, cur.VerifiedOn = stateOf(cur.summary(), c.today(), c.lapse)
		return cur, nil
	}
	return nil, fmt.Errorf("commitment %s keeps changing: %w", ini, errs.Conflict)
}

func (c *Commitments) record(ctx context.Context, p *accounts.Principal, action, ini string) {
	if c.audit != nil {
		_ = c.audit.Record(ctx, accounts.AuditEntry{ActorID: p.UserID, Action: action, TargetKind: "initiative", TargetID: ini})
	}
}

// checkDay reads a day that must be from the signature (or two years ago)
// to today.
func (c *Commitments) checkDay(field, day, from string) error {
	var fe errs.Fields
	if _, err := time.Parse(time.DateOnly, day); err != nil || day > c.today() || day < from {
		fe.Add(field, errs.CodeOutOfRange, "must be a day YYYY-MM-DD from "+from+" to today")
	}
	return fe.Err()
}

// Sign records the commitment signed by a member of the initiative on day
// (the initiative's producers, advisers, admins); signing again takes the
// current text.
func (c *Commitments) Sign(ctx context.Context, p *accounts.Principal, ini, memberID, day string) (*Commitment, error) {
	if !CanSeeCommitment(p, ini) {
		return nil, denied(p, "signing the commitment of initiative "+ini)
	}
	if day == "" {
		day = c.today()
	}
	twoYears := c.clock().In(colombia.Zone).AddDate(-2, 0, 0).Format(time.DateOnly)
	if err := c.checkDay("signed_on", day, twoYears); err != nil {
		return nil, err
	}
	name := ""
	if c.member != nil {
		var err error
		if name, err = c.member(ctx, ini, memberID); err != nil {
			return nil, err
		}
	}
	if name == "" {
		var fe errs.Fields
		fe.Add("member_id", errs.CodeUnknown, "must be a member of the initiative (add the member first)")
		return nil, fe.Err()
	}
	cm, err := c.change(ctx, ini, func(cm *Commitment) error {
		cm.SignedBy, cm.SignedByID, cm.SignedOn, cm.TextVersion = name, memberID, day, CurrentTextVersion
		cm.History = append(cm.History, Event{Kind: "signed", Date: day, By: p.UserID, At: c.now()})
		return nil
	})
	if err == nil {
		c.record(ctx, p, "commitment_signed", ini)
	}
	return cm, err
}

// maxNote bounds a note or a reason.
const maxNote = 500

// Verify records a verification at a visit on day (the initiative's
// advisers, admins): it reinstates a suspended commitment. The same visit
// (session) verified twice counts once.
func (c *Commitments) Verify(ctx context.Context, p *accounts.Principal, ini, day, sessionID, note string) (*Commitment, error) {
	if !CanVerify(p, ini) {
		return nil, denied(p, "verifying the commitment of initiative "+ini)
	}
	note = clean.Text(note)
	if utf8.RuneCountInString(note) > maxNote {
		var fe errs.Fields
		fe.Add("note", errs.CodeTooLong, "must have at most 500 characters", "max", maxNote)
		return nil, fe.Err()
	}
	if day == "" {
		day = c.today()
	}
	cm, err := c.change(ctx, ini, func(cm *Commitment) error {
		if cm.SignedOn == "" {
			return fmt.Errorf("initiative %s has not signed the commitment: %w", ini, errs.Conflict)
		}
		if err := c.checkDay("date", day, cm.SignedOn); err != nil {
			return err
		}
		if sessionID != "" && slices.ContainsFunc(cm.Verifications, func(v Verification) bool { return v.SessionID == sessionID }) {
			return nil // that visit is counted
		}
		cm.Verifications = append(cm.Verifications, Verification{Date: day, SessionID: sessionID, Note: note, By: p.UserID, At: c.now()})
		slices.SortStableFunc(cm.Verifications, func(a, b Verification) int {
			if a.Date < b.Date {
				return -1
			}
			if a.Date > b.Date {
				return 1
			}
			return 0
		})
		cm.Suspension = nil
		cm.History = append(cm.History, Event{Kind: "verified", Date: day, By: p.UserID, At: c.now()})
		return nil
	})
	if err == nil {
		c.record(ctx, p, "commitment_verified", ini)
	}
	return cm, err
}

// Suspend stops the commitment with a private reason (the initiative's
// advisers, admins) until a later verification.
func (c *Commitments) Suspend(ctx context.Context, p *accounts.Principal, ini, reason string) (*Commitment, error) {
	if !CanVerify(p, ini) {
		return nil, denied(p, "suspending the commitment of initiative "+ini)
	}
	reason = clean.Text(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxNote {
		var fe errs.Fields
		fe.Add("reason", errs.CodeRequired, "say why, in at most 500 characters", "max", maxNote)
		return nil, fe.Err()
	}
	cm, err := c.change(ctx, ini, func(cm *Commitment) error {
		if cm.SignedOn == "" {
			return fmt.Errorf("initiative %s has not signed the commitment: %w", ini, errs.Conflict)
		}
		cm.Suspension = &Suspension{Reason: reason, By: p.UserID, At: c.now()}
		cm.History = append(cm.History, Event{Kind: "suspended", Date: c.today(), By: p.UserID, At: c.now()})
		return nil
	})
	if err == nil {
		c.record(ctx, p, "commitment_suspended", ini)
	}
	return cm, err
}

// RebuildIndex writes the index again from the commitments (at start: one
// read of a collection of at most one document per initiative).
func (c *Commitments) RebuildIndex(ctx context.Context) error {
	var all []Commitment
	if err := storage.ReadAll(ctx, c.docs, &all); err != nil {
		return err
	}
	set := bson.M{}
	for i := range all {
		set[all[i].InitiativeID] = all[i].summary()
	}
	_, err := c.index.ReplaceOne(ctx, bson.M{"_id": "all"}, bson.M{"i": set}, options.Replace().SetUpsert(true))
	return storage.Err("commitment index", err)
}
