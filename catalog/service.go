package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Service is the catalog's API for the rest of the program.
type Service struct {
	initiatives *initiativeRepo
	products    productRepo
	moves       moveRepo
	objects     storage.ObjectStore
	snap        snapshotHolder
	clock       func() time.Time
}

// NewService wires the catalog to its collections in db and its images to objects.
func NewService(db *mongo.Database, objects storage.ObjectStore) *Service {
	// Products and initiatives are the programme's catalog (hundreds of
	// documents, not a history): the snapshot and the producer's lists load
	// them by initiative or whole, with the indexes of EnsureIndexes on MongoDB.
	storage.Bounded("products", "initiatives")
	return &Service{
		initiatives: newInitiativeRepo(db),
		products:    productRepo{coll: db.Collection("products"), meta: db.Collection("catalog_meta")},
		moves:       newMoveRepo(db),
		objects:     objects,
		snap:        snapshotHolder{checkEvery: time.Second},
		clock:       time.Now,
	}
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// EnsureIndexes creates the catalog's indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	for _, ensure := range []func(context.Context) error{s.initiatives.ensureIndexes, s.products.ensureIndexes, s.moves.ensureIndexes} {
		if err := ensure(ctx); err != nil {
			return err
		}
	}
	return nil
}

// CreateInitiative validates in and stores a new active initiative. Its slug
// comes from the name; a taken slug gets a numeric suffix.
func (s *Service) CreateInitiative(ctx context.Context, who *accounts.Principal, in InitiativeInput) (Initiative, error) {
	if who == nil {
		return Initiative{}, errs.Unauthenticated
	}
	if !accounts.CanCreateInitiative(who) {
		return Initiative{}, errs.Forbidden
	}
	if err := in.normalize(); err != nil {
		return Initiative{}, err
	}
	now := s.now()
	base := Slugify(in.Name)
	for i := 1; i <= 20; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		ini := Initiative{
			ID: storage.NewID(), Slug: slug, Name: in.Name, Kind: in.Kind,
			Municipality: in.Municipality, Department: in.Department,
			Description: in.Description, Stage: in.Stage, WhatsApp: in.WhatsApp, Members: []Member{}, Images: []Image{}, Active: true,
			CreatedAt: now, UpdatedAt: now,
		}
		err := s.initiatives.insert(ctx, ini)
		if errors.Is(err, errs.Conflict) {
			continue
		}
		return ini, err
	}
	return Initiative{}, fmt.Errorf("initiative %q: no free slug: %w", in.Name, errs.Conflict)
}

// Initiative returns one initiative by id.
func (s *Service) Initiative(ctx context.Context, id string) (Initiative, error) {
	in, err := s.initiatives.get(ctx, bson.M{"_id": id}, "initiative "+id)
	return s.initiativeURLs(in), err
}

// MissingInitiatives returns those of ids that name no initiative (for
// the records of other packages that refer to initiatives).
func (s *Service) MissingInitiatives(ctx context.Context, ids []string) ([]string, error) {
	var missing []string
	for _, id := range ids {
		_, err := s.initiatives.get(ctx, bson.M{"_id": id}, "initiative "+id)
		if errors.Is(err, errs.NotFound) {
			missing = append(missing, id)
		} else if err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// InitiativeBySlug returns one initiative by slug.
func (s *Service) InitiativeBySlug(ctx context.Context, slug string) (Initiative, error) {
	in, err := s.initiatives.get(ctx, bson.M{"slug": slug}, "initiative "+slug)
	return s.initiativeURLs(in), err
}

// Initiatives lists initiatives in id order; the municipality filter accepts any
// spelling LookupMunicipality accepts and rejects unknown places.
func (s *Service) Initiatives(ctx context.Context, f InitiativeFilter) ([]Initiative, error) {
	if f.Municipality != "" {
		m, ok := LookupMunicipality(f.Municipality)
		if !ok {
			var fe errs.Fields
			fe.Add("municipality", errs.CodeUnknown, "unknown municipality")
			return nil, fe.Err()
		}
		f.Municipality = m.Name
	}
	list, err := s.initiatives.list(ctx, f)
	for i := range list {
		list[i] = s.initiativeURLs(list[i])
	}
	return list, err
}

// InitiativeUpdate changes an initiative's profile; nil fields stay.
type InitiativeUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Kind        *string `json:"kind,omitempty"`
	Stage       *string `json:"stage,omitempty"`
	WhatsApp    *string `json:"whatsapp,omitempty"`
}

// UpdateInitiative validates the changed profile as a whole and stores it. The
// slug stays: links already shared keep working.
func (s *Service) UpdateInitiative(ctx context.Context, who *accounts.Principal, id string, up InitiativeUpdate) (Initiative, error) {
	if _, err := s.allowInitiative(ctx, who, id, accounts.CanEditInitiative); err != nil {
		return Initiative{}, err
	}
	var cur Initiative
	err := retryStale(func() error {
		var err error
		if cur, err = s.Initiative(ctx, id); err != nil {
			return err
		}
		in := InitiativeInput{Name: cur.Name, Kind: cur.Kind, Municipality: cur.Municipality, Description: cur.Description, Stage: cur.Stage, WhatsApp: cur.WhatsApp}
		for dst, src := range map[*string]*string{&in.Name: up.Name, &in.Description: up.Description, &in.Kind: up.Kind, &in.Stage: up.Stage, &in.WhatsApp: up.WhatsApp} {
			if src != nil {
				*dst = *src
			}
		}
		if err := in.normalize(); err != nil {
			return err
		}
		cur.Name, cur.Kind, cur.Description, cur.Stage, cur.WhatsApp = in.Name, in.Kind, in.Description, in.Stage, in.WhatsApp
		cur.UpdatedAt = s.now()
		return s.initiatives.replace(ctx, cur)
	})
	if err != nil {
		return Initiative{}, err
	}
	cur.Rev++
	if err := s.products.syncInitiative(ctx, cur); err != nil {
		return Initiative{}, err
	}
	return cur, s.productsChanged(ctx)
}

// MemberName names a member of an initiative ("" when it has none of that
// id): for records that keep who signed them.
func (s *Service) MemberName(ctx context.Context, initiativeID, memberID string) (string, error) {
	members, err := s.Members(ctx, accounts.System, initiativeID)
	for _, m := range members {
		if m.ID == memberID {
			return m.Name, err
		}
	}
	return "", err
}

// Members returns the initiative's members (personal data: callers check
// accounts.CanSeeInitiativePrivate first).
func (s *Service) Members(ctx context.Context, who *accounts.Principal, initiativeID string) ([]Member, error) {
	in, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanSeeInitiativePrivate)
	if in.Members == nil {
		in.Members = []Member{}
	}
	return in.Members, err
}

// AddMember adds a person to an initiative.
func (s *Service) AddMember(ctx context.Context, who *accounts.Principal, initiativeID string, m Member) (Member, error) {
	if _, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanEditInitiative); err != nil {
		return Member{}, err
	}
	if err := m.normalize(); err != nil {
		return Member{}, err
	}
	m.ID = storage.NewID()
	res, err := s.initiatives.coll.UpdateOne(ctx, bson.M{"_id": initiativeID},
		bson.M{"$push": bson.M{"members": m}, "$set": bson.M{"updated_at": s.now()}, "$inc": bson.M{"rev": 1}})
	if err == nil && res.MatchedCount == 0 {
		return Member{}, fmt.Errorf("initiative %s: %w", initiativeID, errs.NotFound)
	}
	return m, storage.Err("initiative "+initiativeID, err)
}

// Member answers one member of an initiative, for who sees its members.
func (s *Service) Member(ctx context.Context, who *accounts.Principal, initiativeID, memberID string) (Member, error) {
	members, err := s.Members(ctx, who, initiativeID)
	if err != nil {
		return Member{}, err
	}
	for _, m := range members {
		if m.ID == memberID {
			return m, nil
		}
	}
	return Member{}, fmt.Errorf("member %s: %w", memberID, errs.NotFound)
}

// RemoveMember takes a person off an initiative (their data goes with them).
// forget, when given, erases what other records hold about her; it runs
// before the removal and its failure stops it, so a retry finds the member
// still there and forgets her whole (forget must be repeatable).
func (s *Service) RemoveMember(ctx context.Context, who *accounts.Principal, initiativeID, memberID string, forget func(context.Context) error) error {
	if _, err := s.allowInitiative(ctx, who, initiativeID, accounts.CanEditInitiative); err != nil {
		return err
	}
	forgotten := forget == nil
	return retryStale(func() error {
		in, err := s.Initiative(ctx, initiativeID)
		if err != nil {
			return err
		}
		kept := make([]Member, 0, len(in.Members))
		for _, m := range in.Members {
			if m.ID != memberID {
				kept = append(kept, m)
			}
		}
		if len(kept) == len(in.Members) {
			return fmt.Errorf("member %s: %w", memberID, errs.NotFound)
		}
		if !forgotten {
			if err := forget(ctx); err != nil {
				return err
			}
			forgotten = true
		}
		res, err := s.initiatives.coll.UpdateOne(ctx, bson.M{"_id": initiativeID, "rev": in.Rev},
			bson.M{"$set": bson.M{"members": kept, "updated_at": s.now()}, "$inc": bson.M{"rev": 1}})
		if err == nil && res.MatchedCount == 0 {
			return errStale
		}
		return storage.Err("initiative "+initiativeID, err)
	})
}
