package fairs

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
)

// Table is a shared cashier (caja común): one cashier (a producer or an
// adviser) sells the products of several initiatives in one sale, which
// splits into one order per initiative; the cashier holds the cash.
type Table struct {
	ID          string   `bson:"id" json:"id"`
	Name        string   `bson:"name" json:"name"`
	CashierID   string   `bson:"cashier_id" json:"cashier_id"`
	Initiatives []string `bson:"initiatives" json:"initiative_ids"`
	// Handovers are the cash handed to each initiative, by initiative id.
	Handovers map[string]*Handover `bson:"handovers,omitempty" json:"handovers,omitempty"`
}

// TableInput is a table as the organiser sets it up.
type TableInput struct {
	Name        string   `json:"name"`
	CashierID   string   `json:"cashier_id"`
	Initiatives []string `json:"initiative_ids"`
}

// maxTables bounds the shared tables of one fair.
const maxTables = 20

// AddTable sets up a shared table at the fair (organiser, admins): its
// initiatives must be invited to the fair, and its cashier a user.
func (s *Service) AddTable(ctx context.Context, p *accounts.Principal, fairID string, in TableInput) (Table, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Table{}, err
	}
	if !canManage(p, f) {
		return Table{}, denied(p, "fair "+fairID)
	}
	if f.Status == StatusClosed {
		return Table{}, fmt.Errorf("fair %s is closed: %w", fairID, errs.Conflict)
	}
	var fe errs.Fields
	in.Name = clean.Line(in.Name)
	if n := utf8.RuneCountInString(in.Name); n < 2 || n > 60 {
		fe.Add("name", errs.CodeOutOfRange, "must have 2 to 60 characters", "min", 2, "max", 60)
	}
	if len(in.Initiatives) < 1 || len(in.Initiatives) > 20 {
		fe.Add("initiative_ids", errs.CodeOutOfRange, "must name 1 to 20 initiatives of the fair", "min", 1, "max", 20)
	}
	for _, id := range in.Initiatives {
		if _, ok := f.Participants[id]; !ok {
			fe.Add("initiative_ids", errs.CodeNotFound, "initiative "+id+" is not invited to this fair")
			break
		}
	}
	if s.userExists != nil && in.CashierID != "" {
		if ok, err := s.userExists(ctx, in.CashierID); err != nil {
			return Table{}, err
		} else if !ok {
			fe.Add("cashier_id", errs.CodeNotFound, "no user has this id")
		}
	} else if in.CashierID == "" || len(in.CashierID) > 64 {
		fe.Add("cashier_id", errs.CodeRequired, "is required")
	}
	if len(f.Tables) >= maxTables {
		fe.Add("name", errs.CodeTooMany, fmt.Sprintf("a fair has at most %d shared tables", maxTables), "max", maxTables)
	}
	if err := fe.Err(); err != nil {
		return Table{}, err
	}
	slices.Sort(in.Initiatives)
	t := Table{ID: storage.NewID(), Name: in.Name, CashierID: in.CashierID, Initiatives: slices.Compact(in.Initiatives)}
	if _, err := s.fairs.UpdateOne(ctx, bson.M{"_id": fairID}, bson.M{"$set": bson.M{"tables." + t.ID: t, "updated_at": s.now()}, "$inc": bson.M{"rev": 1}}); err != nil {
		return Table{}, storage.Err("fair "+fairID, err)
	}
	return t, nil
}

// TableList is the fair's shared tables by name.
func (f Fair) TableList() []Table {
	out := make([]Table, 0, len(f.Tables))
	for _, id := range sortedKeys(f.Tables) {
		out = append(out, f.Tables[id])
	}
	slices.SortStableFunc(out, func(a, b Table) int { return compareFold(a.Name, b.Name) })
	return out
}

// TablesOf lists the tables where p is the cashier.
func (f Fair) TablesOf(p *accounts.Principal) []Table {
	var out []Table
	for _, t := range f.TableList() {
		if p != nil && t.CashierID == p.UserID {
			out = append(out, t)
		}
	}
	return out
}
