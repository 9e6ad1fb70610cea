package orders

import (
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
)

// DB exposes the database to tests that simulate crashes.
func (s *Service) DB() *mongo.Database { return s.orders.Database() }

// Normalize exposes input cleaning to the fuzz test.
func Normalize(in *CheckoutInput, p *accounts.Principal, card bool) error {
	return in.normalize(p, card)
}
