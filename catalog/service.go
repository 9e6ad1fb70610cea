package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/errs"
)

// Service is the catalog's API for the rest of the program.
type Service struct {
	initiatives *initiativeRepo
	now         func() time.Time
}

// NewService wires the catalog to its collections in db.
func NewService(db *mongo.Database) *Service {
	return &Service{initiatives: newInitiativeRepo(db), now: time.Now}
}

// EnsureIndexes creates the catalog's indexes; called once at start.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	return s.initiatives.ensureIndexes(ctx)
}

// NewID returns a new, time-ordered record id.
func NewID() string { return primitive.NewObjectID().Hex() }

// CreateInitiative validates in and stores a new active initiative. Its slug
// comes from the name; a taken slug gets a numeric suffix.
func (s *Service) CreateInitiative(ctx context.Context, in InitiativeInput) (Initiative, error) {
	if err := in.normalize(); err != nil {
		return Initiative{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	base := Slugify(in.Name)
	for i := 1; i <= 20; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		ini := Initiative{
			ID: NewID(), Slug: slug, Name: in.Name, Kind: in.Kind,
			Municipality: in.Municipality, Department: in.Department,
			Description: in.Description, Stage: in.Stage, Active: true,
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
	return s.initiatives.get(ctx, bson.M{"_id": id}, "initiative "+id)
}

// InitiativeBySlug returns one initiative by slug.
func (s *Service) InitiativeBySlug(ctx context.Context, slug string) (Initiative, error) {
	return s.initiatives.get(ctx, bson.M{"slug": slug}, "initiative "+slug)
}

// Initiatives lists initiatives in id order; the municipality filter accepts any
// spelling LookupMunicipality accepts and rejects unknown places.
func (s *Service) Initiatives(ctx context.Context, f InitiativeFilter) ([]Initiative, error) {
	if f.Municipality != "" {
		m, ok := LookupMunicipality(f.Municipality)
		if !ok {
			var fe errs.Fields
			fe.Add("municipality", "unknown municipality")
			return nil, fe.Err()
		}
		f.Municipality = m.Name
	}
	return s.initiatives.list(ctx, f)
}

// InitiativeUpdate changes an initiative's profile; nil fields stay.
type InitiativeUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Kind        *string `json:"kind,omitempty"`
	Stage       *string `json:"stage,omitempty"`
}

// UpdateInitiative validates the changed profile as a whole and stores it. The
// slug stays: links already shared keep working.
func (s *Service) UpdateInitiative(ctx context.Context, id string, up InitiativeUpdate) (Initiative, error) {
	cur, err := s.Initiative(ctx, id)
	if err != nil {
		return Initiative{}, err
	}
	in := InitiativeInput{Name: cur.Name, Kind: cur.Kind, Municipality: cur.Municipality, Description: cur.Description, Stage: cur.Stage}
	for dst, src := range map[*string]*string{&in.Name: up.Name, &in.Description: up.Description, &in.Kind: up.Kind, &in.Stage: up.Stage} {
		if src != nil {
			*dst = *src
		}
	}
	if err := in.normalize(); err != nil {
		return Initiative{}, err
	}
	cur.Name, cur.Kind, cur.Description, cur.Stage = in.Name, in.Kind, in.Description, in.Stage
	cur.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	return cur, s.initiatives.replace(ctx, cur)
}
