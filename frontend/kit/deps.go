package kit

import (
	"context"
	"log/slog"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
)

// Pinger answers whether a backend is up; /readyz asks each one.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is everything the HTTP layer needs; cmd/tesoro builds it.
type Deps struct {
	Accounts  *accounts.Service
	Catalog   *catalog.Service
	Fairs     *fairs.Service
	Mentoring *mentoring.Service
	Orders    *orders.Service
	Progress  *progress.Service
	// Commitments are the child-labour-free commitments (programme).
	Commitments *programme.Commitments
	// Practices keeps the good practices and the experience exchanges.
	Practices *programme.Practices
	// Training keeps the partners' courses and their enrolments.
	Training *programme.Training
	DB       Pinger
	Objects  storage.ObjectStore
	Logger   *slog.Logger
	Version  string
	// TrustedProxies may set X-Forwarded-For; see TESORO_TRUSTED_PROXIES.
	TrustedProxies []string
	// BodyLimit caps any request body (uploads included); JSON bodies are
	// further capped at JSONLimit.
	BodyLimit int
	// CheckoutsPerAddress overrides the checkouts one address may start in
	// a minute (default CheckoutsPerAddress).
	CheckoutsPerAddress int
}
