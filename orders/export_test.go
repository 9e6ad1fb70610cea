package orders

import (
	"errors"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
)

// DB exposes the database to tests that simulate crashes.
func (s *Service) DB() *mongo.Database { return s.orders.Database() }

// Normalize exposes input cleaning to the fuzz test.
func Normalize(in *CheckoutInput, p *accounts.Principal, card bool) error {
	return in.normalize(p, card)
}

// ErrCrash is what a checkout stopped by CrashAt returns.
var ErrCrash = errors.New("simulated crash")

// CrashAt stops checkouts, as a crash would (no clean-up), the n-th time they
// reach step; an empty step stops none.
func (s *Service) CrashAt(step string, n int) {
	var seen atomic.Int64
	s.hook = func(at string) error {
		if step != "" && at == step && seen.Add(1) == int64(n) {
			return ErrCrash
		}
		return nil
	}
}
