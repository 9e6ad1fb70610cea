package fairs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// A wrong tap at the till is undone on the phone: a sale still queued is
// simply dropped there; one already sent is voided here, within minutes of
// the sale (the phone's clock, as for the sale itself, since an undo made
// offline arrives later). Its orders are cancelled with their money
// refunded in the ledger, and reversing entries take it out of the fair's
// tallies, so the units count as unsold again.

// UndoWindow is how long after a sale the phone may take it back; later
// mistakes are refunds, through the orders' payment routes.
const UndoWindow = 10 * time.Minute

// UndoInput says which sale (its time on the phone makes its orders' ids)
// and when the producer undid it.
type UndoInput struct {
	SoldAt   string `json:"sold_at"`
	UndoneAt string `json:"undone_at"`
}

// UndoResult is a sale undone: the orders voided.
type UndoResult struct {
	ClientID string   `json:"client_id"`
	Status   string   `json:"status"` // "undone"
	OrderIDs []string `json:"order_ids"`
}

// UndoSale voids the orders of a sale the point of sale sent. Undoing it
// again answers the same (and finishes what a crash cut).
func (s *Service) UndoSale(ctx context.Context, p *accounts.Principal, fairID, clientID string, in UndoInput) (UndoResult, error) {
	if s.orders == nil {
		return UndoResult{}, fmt.Errorf("fairs: no orders: %w", errs.Unavailable)
	}
	if p == nil {
		return UndoResult{}, errs.Unauthenticated
	}
	var fe errs.Fields
	if !uuidPattern.MatchString(clientID) {
		fe.Add("client_id", errs.CodeInvalid, "must be a UUID")
	}
	soldAt, err := time.Parse(time.RFC3339Nano, in.SoldAt)
	if err != nil {
		fe.Add("sold_at", errs.CodeInvalid, "must be an RFC 3339 time")
	}
	undoneAt, err := time.Parse(time.RFC3339Nano, in.UndoneAt)
	if err != nil {
		fe.Add("undone_at", errs.CodeInvalid, "must be an RFC 3339 time")
	}
	if err := fe.Err(); err != nil {
		return UndoResult{}, err
	}
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return UndoResult{}, err
	}
	if !sellsAt(p, f) {
		return UndoResult{}, denied(p, "sales of fair "+fairID)
	}
	if undoneAt.Before(soldAt) || undoneAt.Sub(soldAt) > UndoWindow || undoneAt.After(s.now().Add(time.Hour)) {
		fe.Add("undone_at", errs.CodeOutOfRange, fmt.Sprintf("a sale can be undone only within %d minutes: refund it instead", int(UndoWindow.Minutes())),
			"max_minutes", int(UndoWindow.Minutes()))
		return UndoResult{}, fe.Err()
	}
	var ids []string
	for _, id := range sortedKeys(f.Participants) {
		if canSellFor(p, f, id) {
			ids = append(ids, saleOrderID(clientID, id, soldAt))
		}
	}
	list, err := s.orders.SoldOrders(ctx, ids)
	if err != nil {
		return UndoResult{}, err
	}
	if len(list) == 0 {
		return UndoResult{}, fmt.Errorf("sale %s was not received: %w", clientID, errs.NotFound)
	}
	if name := closedSeller(f, list); name != "" {
		return UndoResult{}, fmt.Errorf("%s closed its cash at this fair, its sales are final: %w", name, errs.Conflict)
	}
	res := UndoResult{ClientID: clientID, Status: "undone", OrderIDs: []string{}}
	for _, o := range list {
		if !strings.EqualFold(o.CheckoutID, clientID) {
			continue // an id made by chance from another sale's
		}
		if _, err := s.orders.VoidSold(ctx, p.UserID, o.ID, "Venta anulada en la caja"); err != nil {
			return UndoResult{}, err
		}
		back := entryOf(o)
		back.Void = true
		if _, err := s.tallies.AppendMany(ctx, tallyOwner(f.ID, o.InitiativeID),
			[]storage.Entry[saleEntry]{{ID: voidID(o.ID), Value: back}}); err != nil {
			return UndoResult{}, err
		}
		res.OrderIDs = append(res.OrderIDs, o.ID)
	}
	return res, nil
}

// voidID keys the entry that reverses an order in its tally.
func voidID(orderID string) string { return "void:" + orderID }
