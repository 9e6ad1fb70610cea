package fairs

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// At a shared table the cashier holds the cash of several initiatives. At
// the end she hands each its part (entrega), against what its sales at the
// table took in cash; the initiative's producer confirms receiving it. The
// hand-over is signed by both: who handed and when, who received and when.
// The cash received then sits in the initiative's box, so its own closing
// counts it with the rest.

// Handover is what a shared table's cashier handed an initiative.
type Handover struct {
	InitiativeID string      `bson:"initiative_id" json:"initiative_id"`
	Expected     money.Money `bson:"expected" json:"expected"` // its cash sales at the table
	Amount       money.Money `bson:"amount" json:"amount"`
	Difference   money.Money `bson:"difference" json:"difference"` // amount − expected
	Notes        string      `bson:"notes,omitempty" json:"notes,omitempty"`
	HandedBy     string      `bson:"handed_by" json:"handed_by"`
	HandedAt     time.Time   `bson:"handed_at" json:"handed_at"`
	ReceivedBy   string      `bson:"received_by,omitempty" json:"received_by,omitempty"`
	ReceivedAt   *time.Time  `bson:"received_at,omitempty" json:"received_at,omitempty"`
}

// HandoverInput is the cash the cashier hands an initiative.
type HandoverInput struct {
	Amount money.Money `json:"amount"`
	Notes  string      `json:"notes,omitempty"`
}

// TableCash is a shared table's cash per initiative: what each should get,
// and what it was handed.
type TableCash struct {
	Table        Table       `json:"table"`
	Handovers    []Handover  `json:"handovers"` // one per initiative; HandedAt zero until handed
	ExpectedCash money.Money `json:"expected_cash"`
}

func isCashier(p *accounts.Principal, t Table) bool {
	return p != nil && (p.IsAdmin() || t.CashierID == p.UserID)
}

// TableCashOf answers a table's cash per initiative: to its cashier, the
// organiser and admins all; to a producer, her initiative's.
func (s *Service) TableCashOf(ctx context.Context, p *accounts.Principal, fairID, tableID string) (TableCash, error) {
	if p == nil {
		return TableCash{}, errs.Unauthenticated
	}
	f, t, err := s.table(ctx, fairID, tableID)
	if err != nil {
		return TableCash{}, err
	}
	all := isCashier(p, t) || canManage(p, f)
	out := TableCash{Table: t, Handovers: []Handover{}, ExpectedCash: pesos(0)}
	for _, ini := range t.Initiatives {
		if !all && !slices.Contains(p.ProducerInitiatives(), ini) {
			continue
		}
		h, err := s.handoverOf(ctx, f, t, ini)
		if err != nil {
			return TableCash{}, err
		}
		out.Handovers = append(out.Handovers, h)
		out.ExpectedCash.Amount += h.Expected.Amount
	}
	if !all && len(out.Handovers) == 0 {
		return TableCash{}, denied(p, "table "+tableID)
	}
	return out, nil
}

// handoverOf is the initiative's hand-over at the table, or the one to make.
func (s *Service) handoverOf(ctx context.Context, f Fair, t Table, ini string) (Handover, error) {
	if h := t.Handovers[ini]; h != nil {
		return *h, nil
	}
	totals, err := s.totals(ctx, f.ID, ini)
	if err != nil {
		return Handover{}, err
	}
	exp := pesos(totals[tableSum(t.ID, orders.MethodCash)])
	return Handover{InitiativeID: ini, Expected: exp, Amount: pesos(0), Difference: pesos(-exp.Amount)}, nil
}

func (s *Service) table(ctx context.Context, fairID, tableID string) (Fair, Table, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Fair{}, Table{}, err
	}
	t, ok := f.Tables[tableID]
	if !ok {
		return Fair{}, Table{}, fmt.Errorf("table %s of fair %s: %w", tableID, fairID, errs.NotFound)
	}
	return f, t, nil
}

// HandOver records the cash the cashier hands an initiative. She may
// correct it until the producer confirms; after that it is final.
func (s *Service) HandOver(ctx context.Context, p *accounts.Principal, fairID, tableID, initiativeID string, in HandoverInput) (Handover, error) {
	if p == nil {
		return Handover{}, errs.Unauthenticated
	}
	f, t, err := s.table(ctx, fairID, tableID)
	if err != nil {
		return Handover{}, err
	}
	if !isCashier(p, t) {
		return Handover{}, denied(p, "the cash of table "+tableID)
	}
	var fe errs.Fields
	if !slices.Contains(t.Initiatives, initiativeID) {
		fe.Add("initiative_id", errs.CodeNotFound, "does not sell at this table")
	}
	if in.Amount.Currency == "" {
		in.Amount.Currency = money.COP
	}
	if in.Amount.Currency != money.COP || in.Amount.Amount < 0 || in.Amount.Amount > orders.MaxAmount {
		fe.Add("amount", errs.CodeOutOfRange, "must be an amount in COP from 0", "min", 0)
	}
	in.Notes = clean.Text(in.Notes)
	if utf8.RuneCountInString(in.Notes) > 500 {
		fe.Add("notes", errs.CodeTooLong, "must have at most 500 characters", "max", 500)
	}
	if err := fe.Err(); err != nil {
		return Handover{}, err
	}
	if f.Status == StatusPlanned {
		return Handover{}, fmt.Errorf("fair %s has not opened: %w", fairID, errs.Conflict)
	}
	if prior := t.Handovers[initiativeID]; prior != nil && prior.ReceivedAt != nil {
		if prior.Amount == in.Amount {
			return *prior, nil
		}
		return Handover{}, fmt.Errorf("the hand-over to %s was confirmed already: %w", initiativeID, errs.Conflict)
	}
	h, err := s.handoverOf(ctx, f, Table{ID: t.ID}, initiativeID) // the expected cash now
	if err != nil {
		return Handover{}, err
	}
	h.Amount, h.Notes, h.HandedBy, h.HandedAt = in.Amount, in.Notes, p.UserID, s.now()
	h.Difference = pesos(h.Amount.Amount - h.Expected.Amount)
	field := "tables." + tableID + ".handovers." + initiativeID
	res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": fairID, field + ".received_at": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{field: h, "updated_at": h.HandedAt}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Handover{}, storage.Err("fair "+fairID, err)
	}
	if res.MatchedCount == 0 {
		return Handover{}, fmt.Errorf("the hand-over to %s was confirmed meanwhile: %w", initiativeID, errs.Conflict)
	}
	return h, nil
}

// ConfirmHandover is the initiative's producer signing that she received
// the cash handed; confirming again changes nothing.
func (s *Service) ConfirmHandover(ctx context.Context, p *accounts.Principal, fairID, tableID, initiativeID string) (Handover, error) {
	if p == nil {
		return Handover{}, errs.Unauthenticated
	}
	_, t, err := s.table(ctx, fairID, tableID)
	if err != nil {
		return Handover{}, err
	}
	if !p.IsAdmin() && !slices.Contains(p.ProducerInitiatives(), initiativeID) {
		return Handover{}, denied(p, "the hand-over to "+initiativeID)
	}
	h := t.Handovers[initiativeID]
	if h == nil {
		return Handover{}, fmt.Errorf("nothing was handed to %s at table %s yet: %w", initiativeID, tableID, errs.Conflict)
	}
	if h.ReceivedAt != nil {
		return *h, nil
	}
	now := s.now()
	field := "tables." + tableID + ".handovers." + initiativeID
	res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": fairID, field + ".handed_at": h.HandedAt, field + ".received_at": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{field + ".received_by": p.UserID, field + ".received_at": now, "updated_at": now}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Handover{}, storage.Err("fair "+fairID, err)
	}
	if res.MatchedCount == 0 {
		return Handover{}, fmt.Errorf("the hand-over to %s changed meanwhile: look at it again: %w", initiativeID, errs.Conflict)
	}
	h.ReceivedBy, h.ReceivedAt = p.UserID, &now
	return *h, nil
}

// HandoversTo lists what the fair's shared tables handed an initiative.
func (f Fair) HandoversTo(initiativeID string) []TableHandover {
	var out []TableHandover
	for _, t := range f.TableList() {
		if h := t.Handovers[initiativeID]; h != nil {
			out = append(out, TableHandover{TableID: t.ID, Table: t.Name, CashierID: t.CashierID, Handover: *h})
		}
	}
	return out
}

// TableHandover is a hand-over with its table.
type TableHandover struct {
	TableID   string `bson:"table_id" json:"table_id"`
	Table     string `bson:"table" json:"table"`
	CashierID string `bson:"cashier_id" json:"cashier_id"`
	Handover  `bson:",inline"`
}
