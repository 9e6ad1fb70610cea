// Package progress follows each initiative toward selling on its own: sales
// counters per month kept from the orders' changes (counters.go), the
// producers' cashbook of expenses (cashbook.go), and what pages and reports
// read from them. Every read is by _id: one series document per initiative
// whatever its history.
package progress

import (
	"context"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/mentoring"

	"github.com/tesoro-pact/tesoro/storage"
)

// Options tune the service.
type Options struct {
	Clock func() time.Time // default time.Now
	// HasProducts says whether an initiative has active products (its
	// stage is "producing" before it sells); nil: none known.
	HasProducts func(ctx context.Context, initiativeID string) (bool, error)
	// Catalog and Mentoring feed the portfolio (its initiatives, their
	// agreements and sessions); nil: an empty portfolio.
	Catalog   *catalog.Service
	Mentoring *mentoring.Service
	// Objects keeps the milestones' evidence (nil: no evidence).
	Objects storage.ObjectStore
	// Commitments answers every initiative's child-labour-free commitment
	// state at a day (YYYY-MM-DD; "" today); nil: none known.
	Commitments func(ctx context.Context, day string) (map[string]string, error)
	// Trained counts the people of the partners' courses (package
	// programme); nil: none.
	Trained TrainedFunc
}

// Service is the progress API for the rest of the program.
type Service struct {
	months   *mongo.Collection // progress_months: "<initiative>:<YYYY-MM>"
	series   *mongo.Collection // progress_series: one per initiative
	buyers   *mongo.Collection // progress_buyers: one per initiative
	sessions *mongo.Collection // progress_sessions: one per initiative
	glance   *mongo.Collection // progress_glance: one for the programme
	// progress_definitions and progress_indicators (one each), progress_records (one per initiative)
	definitions, indicators, records *mongo.Collection
	objects                          storage.ObjectStore
	expenses                         storage.Feed[Expense]
	dirty                            storage.WorkSet[time.Time] // initiatives being counted: id → since
	stale                            storage.WorkSet[time.Time] // initiatives whose milestones changed: id → when
	clock                            func() time.Time
	trimmedFor                       atomic.Value // the glance's window last trimmed (glanceStart)
	// hasProducts is Options.HasProducts.
	hasProducts func(ctx context.Context, initiativeID string) (bool, error)
	catalog     *catalog.Service
	mentoring   *mentoring.Service
	commitments func(ctx context.Context, day string) (map[string]string, error)
	trained     TrainedFunc
	// cut, when set (tests), stops a count after its month is written and
	// before its series is: a crash there.
	cut func() error
}

// NewService keeps the counters in db.
func NewService(db *mongo.Database, opts Options) *Service {
	s := &Service{months: db.Collection("progress_months"), series: db.Collection("progress_series"),
		buyers: db.Collection("progress_buyers"), sessions: db.Collection("progress_sessions"),
		glance: db.Collection("progress_glance"), definitions: db.Collection("progress_definitions"),
		indicators: db.Collection("progress_indicators"),
		records:    db.Collection("progress_records"), objects: opts.Objects, commitments: opts.Commitments, clock: opts.Clock, hasProducts: opts.HasProducts,
		catalog: opts.Catalog, mentoring: opts.Mentoring, trained: opts.Trained,
		expenses: storage.NewCountedFeed[Expense](db.Collection("progress_expenses"), expensesPerBucket, expenseTally),
		dirty:    storage.NewWorkSet[time.Time](db.Collection("progress_dirty")),
		stale:    storage.NewWorkSet[time.Time](db.Collection("progress_stale"))}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }
