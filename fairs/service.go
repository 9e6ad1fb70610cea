// Package fairs is the programme's entrepreneurial fairs: the fair, the
// initiatives that sell there (invited by the organiser, accepted by their
// producers) and its status planned → open → closed. Every call gets the
// principal making it and checks what that principal may do.
//
// Reads go by _id: one document per fair (participants inside), the fairs
// not yet closed in one small set document, each initiative's fairs in its
// own, and the closed ones in a feed.
package fairs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// Options tune the service; zero values take the defaults.
type Options struct {
	Clock func() time.Time // default time.Now
	// Initiatives reports initiatives of ids that do not exist (only real
	// ones are invited); nil accepts any.
	Initiatives func(ctx context.Context, ids []string) (missing []string, err error)
	// Catalog moves the stock brought to a fair (nil: no stock brought).
	Catalog *catalog.Service
	// Orders records the fairs' sales (nil: no sales).
	Orders *orders.Service
	// UserExists checks a shared table's cashier (nil: any id).
	UserExists func(ctx context.Context, id string) (bool, error)
}

// Service is the fairs API for the rest of the program.
type Service struct {
	fairs      *mongo.Collection
	lists      storage.Set[Summary]
	history    storage.Feed[Summary]
	clock      func() time.Time
	missing    func(ctx context.Context, ids []string) ([]string, error)
	catalog    *catalog.Service
	orders     *orders.Service
	userExists func(ctx context.Context, id string) (bool, error)
	syncs      storage.WorkSet[syncIntent]
	tallies    storage.Feed[saleEntry]
}

// Summary is a fair as lists show it.
type Summary struct {
	ID           string `bson:"id" json:"id"`
	Name         string `bson:"name" json:"name"`
	Municipality string `bson:"municipality" json:"municipality"`
	Department   string `bson:"department" json:"department"`
	StartsOn     string `bson:"starts_on" json:"starts_on"`
	EndsOn       string `bson:"ends_on" json:"ends_on"`
	Status       string `bson:"status" json:"status"`
}

func (f Fair) summary() Summary {
	return Summary{ID: f.ID, Name: f.Name, Municipality: f.Municipality, Department: f.Department,
		StartsOn: f.StartsOn, EndsOn: f.EndsOn, Status: f.Status}
}

// The set documents of fair_lists: the fairs not yet closed, and each
// initiative's fairs ("initiative:<id>").
const currentList = "current"

func initiativeList(id string) string { return "initiative:" + id }

// historyPerBucket is how many closed fairs a bucket of the history holds.
const historyPerBucket = 50

// NewService wires fairs to its collections in db: fairs, fair_lists,
// fair_history, fair_tallies (each initiative's sales at a fair) and
// fair_syncs (batches of sales under way).
func NewService(db *mongo.Database, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Service{
		fairs:      db.Collection("fairs"),
		lists:      storage.NewSet[Summary](db.Collection("fair_lists")),
		history:    storage.NewFeed[Summary](db.Collection("fair_history"), historyPerBucket),
		clock:      opts.Clock,
		missing:    opts.Initiatives,
		catalog:    opts.Catalog,
		orders:     opts.Orders,
		userExists: opts.UserExists,
		syncs:      storage.NewWorkSet[syncIntent](db.Collection("fair_syncs")),
		tallies:    storage.NewCountedFeed(db.Collection("fair_tallies"), tallyPerBucket, saleTally),
	}
}

// EnsureIndexes has nothing to create: every read goes by _id.
func (s *Service) EnsureIndexes(context.Context) error { return nil }

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// CanOrganize says who may create fairs: advisers and admins.
func CanOrganize(p *accounts.Principal) bool { return p.IsAdmin() || p.Has(accounts.RoleAdviser) }

// canManage says who may change a fair: its organiser and admins.
func canManage(p *accounts.Principal, f Fair) bool {
	return p.IsAdmin() || (p != nil && p.UserID == f.OrganizedBy && CanOrganize(p))
}

func denied(p *accounts.Principal, what string) error {
	if p == nil {
		return fmt.Errorf("%s: %w", what, errs.Unauthenticated)
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

// Create records a planned fair organised by p.
func (s *Service) Create(ctx context.Context, p *accounts.Principal, in Input) (Fair, error) {
	if !CanOrganize(p) {
		return Fair{}, denied(p, "fairs")
	}
	now := s.now()
	if err := in.normalize(now.In(colombia.Zone)); err != nil {
		return Fair{}, err
	}
	f := Fair{ID: storage.NewID(), Name: in.Name, Municipality: in.Municipality, Department: in.Department,
		Venue: in.Venue, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Status: StatusPlanned, OrganizedBy: p.UserID,
		Participants: map[string]Participant{}, CreatedAt: now, UpdatedAt: now, Rev: 1}
	// Listed first, so no fair exists that the list misses; a failed
	// insert takes the entry back.
	if err := s.lists.Add(ctx, currentList, f.ID, f.summary()); err != nil {
		return Fair{}, err
	}
	if _, err := s.fairs.InsertOne(ctx, f); err != nil {
		_ = s.lists.Remove(ctx, currentList, f.ID)
		return Fair{}, storage.Err("fair", err)
	}
	return f, nil
}

// Fair returns a fair; fairs are public (their page says who sells there).
func (s *Service) Fair(ctx context.Context, id string) (Fair, error) {
	var f Fair
	err := s.fairs.FindOne(ctx, bson.M{"_id": id}).Decode(&f)
	if err != nil {
		return Fair{}, storage.Err("fair "+id, err)
	}
	if f.Participants == nil {
		f.Participants = map[string]Participant{}
	}
	if f.Closings == nil {
		f.Closings = map[string]*Closing{}
	}
	return f, nil
}

// Current lists the fairs not yet closed, soonest first.
func (s *Service) Current(ctx context.Context) ([]Summary, error) {
	m, err := s.lists.Members(ctx, currentList)
	if err != nil {
		return nil, err
	}
	return sorted(m), nil
}

// Closed pages the closed fairs, the last closed first.
func (s *Service) Closed(ctx context.Context, cursor string, limit int) (storage.Page[Summary], error) {
	return s.history.Page(ctx, "all", cursor, limit, nil)
}

// OfInitiative lists the fairs initiative id is invited to or sells at,
// soonest first, to whoever may see the initiative's private pages.
func (s *Service) OfInitiative(ctx context.Context, p *accounts.Principal, id string) ([]Summary, error) {
	if !accounts.CanSeeInitiativePrivate(p, id) {
		return nil, denied(p, "fairs of initiative "+id)
	}
	m, err := s.lists.Members(ctx, initiativeList(id))
	if err != nil {
		return nil, err
	}
	return sorted(m), nil
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sorted(m map[string]Summary) []Summary {
	out := make([]Summary, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Summary) int { return cmp.Or(cmp.Compare(a.StartsOn, b.StartsOn), cmp.Compare(a.ID, b.ID)) })
	return out
}

// Transition moves a fair to its next status (planned → open → closed);
// anything else is a conflict. Repeating the step the fair already took
// answers the fair as it is.
func (s *Service) Transition(ctx context.Context, p *accounts.Principal, id, to string) (Fair, error) {
	f, err := s.Fair(ctx, id)
	if err != nil {
		return Fair{}, err
	}
	if !canManage(p, f) {
		return Fair{}, denied(p, "fair "+id)
	}
	if to != StatusOpen && to != StatusClosed {
		var fe errs.Fields
		fe.Add("to", errs.CodeUnknown, "must be open or closed")
		return Fair{}, fe.Err()
	}
	if f.Status == to {
		return f, s.afterStep(ctx, p, f) // mends what a failure left behind
	}
	if next[f.Status] != to {
		return Fair{}, fmt.Errorf("fair %s is %s and cannot become %s: %w", id, f.Status, to, errs.Conflict)
	}
	now := s.now()
	var after Fair
	err = s.fairs.FindOneAndUpdate(ctx, bson.M{"_id": id, "status": f.Status},
		bson.M{"$set": bson.M{"status": to, "updated_at": now}, "$inc": bson.M{"rev": 1}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Fair{}, fmt.Errorf("fair %s changed meanwhile; look again: %w", id, errs.Conflict)
	}
	if err != nil {
		return Fair{}, storage.Err("fair "+id, err)
	}
	return after, s.afterStep(ctx, p, after)
}

// afterStep does what follows a step: at closing the unsold stock goes back
// online; then the lists follow the status.
func (s *Service) afterStep(ctx context.Context, p *accounts.Principal, f Fair) error {
	if f.Status == StatusClosed {
		if err := s.returnUnsold(ctx, f, p.UserID); err != nil {
			return err
		}
	}
	return s.relist(ctx, f)
}

// relist puts a fair's summary where its status lists it: the current set
// (open, planned) or the history (closed), and every participant's set.
// Each step can be repeated, so a failure half-way is mended by the next.
func (s *Service) relist(ctx context.Context, f Fair) error {
	sum := f.summary()
	if f.Status == StatusClosed {
		if _, err := s.history.Append(ctx, "all", f.ID, sum); err != nil && !errors.Is(err, errs.Conflict) {
			return err
		}
		if err := s.lists.Remove(ctx, currentList, f.ID); err != nil {
			return err
		}
	} else if err := s.lists.Add(ctx, currentList, f.ID, sum); err != nil {
		return err
	}
	for id := range f.Participants {
		if err := s.lists.Add(ctx, initiativeList(id), f.ID, sum); err != nil {
			return err
		}
	}
	return nil
}

// Invite asks initiative to sell at the fair (organiser, admin). Inviting
// it again answers the participant as it is.
func (s *Service) Invite(ctx context.Context, p *accounts.Principal, id, initiativeID string) (Participant, error) {
	f, err := s.Fair(ctx, id)
	if err != nil {
		return Participant{}, err
	}
	if !canManage(p, f) {
		return Participant{}, denied(p, "fair "+id)
	}
	if pt, ok := f.Participants[initiativeID]; ok {
		return pt, nil
	}
	if f.Status == StatusClosed {
		return Participant{}, fmt.Errorf("fair %s is closed: %w", id, errs.Conflict)
	}
	if err := s.checkInitiative(ctx, initiativeID); err != nil {
		return Participant{}, err
	}
	pt := Participant{InitiativeID: initiativeID, Status: Invited, InvitedBy: p.UserID, InvitedAt: s.now()}
	field := "participants." + initiativeID
	res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": id, field: bson.M{"$exists": false}, "status": bson.M{"$ne": StatusClosed}},
		bson.M{"$set": bson.M{field: pt, "updated_at": pt.InvitedAt}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Participant{}, storage.Err("fair "+id, err)
	}
	if res.MatchedCount == 0 {
		if again, err := s.Fair(ctx, id); err == nil {
			if prior, ok := again.Participants[initiativeID]; ok {
				return prior, nil
			}
		}
		return Participant{}, fmt.Errorf("fair %s changed meanwhile; look again: %w", id, errs.Conflict)
	}
	f.Participants[initiativeID] = pt
	return pt, s.lists.Add(ctx, initiativeList(initiativeID), f.ID, f.summary())
}

// Accept is the initiative's producer saying it sells at the fair.
// Accepting again answers the participant as it is.
func (s *Service) Accept(ctx context.Context, p *accounts.Principal, id, initiativeID string) (Participant, error) {
	f, err := s.Fair(ctx, id)
	if err != nil {
		return Participant{}, err
	}
	pt, ok := f.Participants[initiativeID]
	if !ok {
		return Participant{}, fmt.Errorf("initiative %s is not invited to fair %s: %w", initiativeID, id, errs.NotFound)
	}
	if p == nil || !(p.IsAdmin() || slices.Contains(p.ProducerInitiatives(), initiativeID)) {
		return Participant{}, denied(p, "the invitation of initiative "+initiativeID)
	}
	if pt.Status == Accepted {
		return pt, nil
	}
	if f.Status == StatusClosed {
		return Participant{}, fmt.Errorf("fair %s is closed: %w", id, errs.Conflict)
	}
	now := s.now()
	pt.Status, pt.AcceptedBy, pt.AcceptedAt = Accepted, p.UserID, &now
	field := "participants." + initiativeID
	res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": id, field + ".status": Invited},
		bson.M{"$set": bson.M{field: pt, "updated_at": now}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Participant{}, storage.Err("fair "+id, err)
	}
	if res.MatchedCount == 0 {
		again, err := s.Fair(ctx, id)
		if err != nil {
			return Participant{}, err
		}
		return again.Participants[initiativeID], nil
	}
	return pt, nil
}

func (s *Service) checkInitiative(ctx context.Context, id string) error {
	if s.missing == nil {
		return nil
	}
	missing, err := s.missing(ctx, []string{id})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		var f errs.Fields
		f.Add("initiative_id", errs.CodeNotFound, "initiative "+id+" does not exist")
		return f.Err()
	}
	return nil
}

// MarshalJSON lists the participants (the document keys them by initiative).
func (f Fair) MarshalJSON() ([]byte, error) {
	type plain Fair
	return json.Marshal(struct {
		plain
		Participants []Participant `json:"participants"`
	}{plain(f), f.List()})
}

func compareFold(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) }
