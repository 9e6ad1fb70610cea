package fairs

import (
	"context"
	"errors"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
)

// repair finishes a batch of sales a crash cut: its orders that were
// stored get listed and counted; those that were not, the phone sends again.
func (s *Service) repair(ctx context.Context, batchID string, in syncIntent) error {
	list, err := s.orders.SoldOrders(ctx, in.Orders)
	if err != nil {
		return err
	}
	if _, err := s.orders.RecordSold(ctx, list, true); err != nil {
		return err
	}
	if err := s.tally(ctx, list); err != nil {
		return err
	}
	return s.syncs.Remove(ctx, batchID)
}

// Sweep finishes what a crash left half done, reading only working sets:
// batches of sales under way for over a minute, and stock changes of the
// fairs not yet closed still pending after a minute.
func (s *Service) Sweep(ctx context.Context) error {
	m, err := s.syncs.Members(ctx)
	if err != nil {
		return err
	}
	for id, in := range m {
		if s.now().Sub(in.Started) > time.Minute {
			if err := s.repair(ctx, id, in); err != nil {
				return err
			}
		}
	}
	current, err := s.lists.Members(ctx, currentList)
	if err != nil {
		return err
	}
	for id := range current {
		f, err := s.Fair(ctx, id)
		if err != nil {
			return err
		}
		for _, pid := range sortedKeys(f.Stock) {
			cur := f.Stock[pid]
			if cur.Pending == nil || s.now().Sub(f.UpdatedAt) < time.Minute {
				continue
			}
			if _, err := s.settle(ctx, f, cur, accounts.System.UserID); err != nil && !errors.Is(err, errs.Conflict) {
				return err
			}
		}
	}
	return nil
}
