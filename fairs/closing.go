package fairs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// Cash closing (cierre de caja, arqueo) of an initiative at a fair: the
// cash that should be in its box (the opening float, plus the cash
// received for its fair sales, less the cash given back) against the cash
// counted. After it the initiative's fair sales are read-only and its
// unsold stock goes back online.

// Closing is an initiative's cash closing at a fair.
type Closing struct {
	InitiativeID string      `bson:"initiative_id" json:"initiative_id"`
	OpeningFloat money.Money `bson:"opening_float" json:"opening_float"`
	CashSales    money.Money `bson:"cash_sales" json:"cash_sales"`
	CashRefunds  money.Money `bson:"cash_refunds" json:"cash_refunds"`
	// TableCash is the cash of its sales at shared tables (their cashiers
	// held it); HandedOver what those cashiers handed and it confirmed.
	TableCash     money.Money            `bson:"table_cash" json:"table_cash"`
	HandedOver    money.Money            `bson:"handed_over" json:"handed_over"`
	ExpectedCash  money.Money            `bson:"expected_cash" json:"expected_cash"`
	CountedCash   money.Money            `bson:"counted_cash" json:"counted_cash"`
	Difference    money.Money            `bson:"difference" json:"difference"` // counted − expected
	Sales         int64                  `bson:"sales" json:"sales"`
	ByMethod      map[string]money.Money `bson:"by_method" json:"by_method"`
	Denominations map[string]int64       `bson:"denominations,omitempty" json:"denominations,omitempty"`
	Notes         string                 `bson:"notes,omitempty" json:"notes,omitempty"`
	// Handovers are the cash shared tables handed the initiative (in its box now).
	Handovers []TableHandover `bson:"handovers,omitempty" json:"handovers,omitempty"`
	ClosedBy  string          `bson:"closed_by" json:"closed_by"`
	ClosedAt  time.Time       `bson:"closed_at" json:"closed_at"`
	// Pending is a closing under way: sales are refused from its start,
	// and the batches already under way are waited for before counting.
	Pending bool `bson:"pending,omitempty" json:"-"`
}

// ClosingInput is what the person closing the cash says. Counted cash is a
// total or a count per denomination (value in pesos → how many).
type ClosingInput struct {
	InitiativeID  string           `json:"initiative_id"`
	OpeningFloat  money.Money      `json:"opening_float"`
	CountedCash   *money.Money     `json:"counted_cash,omitempty"`
	Denominations map[string]int64 `json:"denominations,omitempty"`
	Notes         string           `json:"notes,omitempty"`
}

// Methods are the ways fair sales are paid, in the order reports show them.
var Methods = []string{orders.MethodCash, orders.MethodNequi, orders.MethodTransfer, orders.MethodCredit}

// Denominations are Colombia's bills and coins, in pesos.
var Denominations = []int64{100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50}

func (in *ClosingInput) counted() (money.Money, error) {
	var f errs.Fields
	in.Notes = clean.Text(in.Notes)
	if utf8.RuneCountInString(in.Notes) > 1000 {
		f.Add("notes", errs.CodeTooLong, "must have at most 1000 characters", "max", 1000)
	}
	if in.OpeningFloat.Currency == "" {
		in.OpeningFloat.Currency = money.COP
	}
	if in.OpeningFloat.Currency != money.COP || in.OpeningFloat.Amount < 0 || in.OpeningFloat.Amount > orders.MaxAmount {
		f.Add("opening_float", errs.CodeOutOfRange, "must be an amount in COP from 0", "min", 0)
	}
	var sum int64
	for value, n := range in.Denominations {
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil || !slices.Contains(Denominations, v) || n < 0 || n > 100_000 {
			f.Add("denominations", errs.CodeInvalid, "must count Colombian bills and coins (value in pesos → 0 to 100000 of them)")
			break
		}
		sum += v * 100 * n
	}
	var counted money.Money
	switch {
	case in.CountedCash != nil:
		counted = *in.CountedCash
		if counted.Currency == "" {
			counted.Currency = money.COP
		}
		if counted.Currency != money.COP || counted.Amount < 0 || counted.Amount > orders.MaxAmount {
			f.Add("counted_cash", errs.CodeOutOfRange, "must be an amount in COP from 0", "min", 0)
		} else if len(in.Denominations) > 0 && sum != counted.Amount {
			f.Add("counted_cash", errs.CodeInvalid, "does not match the count of bills and coins")
		}
	case len(in.Denominations) > 0:
		counted = money.Money{Amount: sum, Currency: money.COP}
	default:
		f.Add("counted_cash", errs.CodeRequired, "say the cash counted, as a total or by bills and coins")
	}
	return counted, f.Err()
}

// canClose says who closes an initiative's cash at a fair: its producers,
// the organiser, admins.
func canClose(p *accounts.Principal, f Fair, initiativeID string) bool {
	return p != nil && (canManage(p, f) || slices.Contains(p.ProducerInitiatives(), initiativeID))
}

// syncWait bounds how long a closing waits for the batches under way.
var syncWait = 15 * time.Second

// Close records the cash closing of an initiative at the fair. The same
// closing sent again answers the one recorded; another one is a conflict.
func (s *Service) Close(ctx context.Context, p *accounts.Principal, fairID string, in ClosingInput) (Closing, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Closing{}, err
	}
	if _, ok := f.Participants[in.InitiativeID]; !ok {
		var fe errs.Fields
		fe.Add("initiative_id", errs.CodeNotFound, "does not sell at this fair")
		if p == nil {
			return Closing{}, errs.Unauthenticated
		}
		return Closing{}, fe.Err()
	}
	if !canClose(p, f, in.InitiativeID) {
		return Closing{}, denied(p, "the cash of initiative "+in.InitiativeID)
	}
	counted, err := in.counted()
	if err != nil {
		return Closing{}, err
	}
	if prior := f.Closings[in.InitiativeID]; prior != nil && !prior.Pending {
		if prior.OpeningFloat == in.OpeningFloat && prior.CountedCash == counted {
			return *prior, nil
		}
		return Closing{}, fmt.Errorf("the cash of initiative %s at fair %s was closed already: %w", in.InitiativeID, fairID, errs.Conflict)
	}
	if f.Status == StatusPlanned || !f.Accepts(in.InitiativeID) {
		return Closing{}, fmt.Errorf("initiative %s has not sold at fair %s: %w", in.InitiativeID, fairID, errs.Conflict)
	}
	field := "closings." + in.InitiativeID
	now := s.now()
	if f.Closings[in.InitiativeID] == nil {
		res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": fairID, field: bson.M{"$exists": false}},
			bson.M{"$set": bson.M{field: Closing{InitiativeID: in.InitiativeID, Pending: true, ClosedBy: p.UserID, ClosedAt: now}}, "$inc": bson.M{"rev": 1}})
		if err != nil {
			return Closing{}, storage.Err("fair "+fairID, err)
		}
		if res.MatchedCount == 0 {
			return Closing{}, fmt.Errorf("the cash of initiative %s is being closed: %w", in.InitiativeID, errs.Conflict)
		}
	}
	if err := s.awaitSyncs(ctx, fairID, in.InitiativeID); err != nil {
		return Closing{}, err
	}
	c, err := s.count(ctx, f, in.InitiativeID)
	if err != nil {
		return Closing{}, err
	}
	c.OpeningFloat, c.CountedCash, c.Denominations, c.Notes = in.OpeningFloat, counted, in.Denominations, in.Notes
	c.ExpectedCash = c.expected()
	c.Difference = money.Money{Amount: counted.Amount - c.ExpectedCash.Amount, Currency: money.COP}
	c.ClosedBy, c.ClosedAt = p.UserID, s.now()
	res, err := s.fairs.UpdateOne(ctx, bson.M{"_id": fairID, field + ".pending": true},
		bson.M{"$set": bson.M{field: c, "updated_at": c.ClosedAt}, "$inc": bson.M{"rev": 1}})
	if err != nil {
		return Closing{}, storage.Err("fair "+fairID, err)
	}
	if res.MatchedCount == 0 {
		return Closing{}, fmt.Errorf("the cash of initiative %s was closed meanwhile: %w", in.InitiativeID, errs.Conflict)
	}
	f.Closings[in.InitiativeID] = &c
	return c, s.returnUnsold(ctx, f, p.UserID, in.InitiativeID)
}

// awaitSyncs waits until no batch of sales of the initiative at the fair
// is under way; one older than a minute was cut by a crash, and is
// finished here.
func (s *Service) awaitSyncs(ctx context.Context, fairID, initiativeID string) error {
	deadline := time.Now().Add(syncWait)
	for {
		m, err := s.syncs.Members(ctx)
		if err != nil {
			return err
		}
		busy := false
		for id, in := range m {
			if in.FairID != fairID || !slices.Contains(in.Sellers, initiativeID) {
				continue
			}
			if s.now().Sub(in.Started) > time.Minute {
				if err := s.repair(ctx, id, in); err != nil {
					return err
				}
				continue
			}
			busy = true
		}
		if !busy {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sales of initiative %s are still arriving; close again in a minute: %w", initiativeID, errs.Unavailable)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// count sums an initiative's fair sales: the tally for sales by method, and
// each order (read by _id: bounded by one fair's sales) for the cash
// received and given back, fiado paid in cash at the table included.
func (s *Service) count(ctx context.Context, f Fair, initiativeID string) (Closing, error) {
	fairID := f.ID
	t, err := s.totals(ctx, fairID, initiativeID)
	if err != nil {
		return Closing{}, err
	}
	c := Closing{InitiativeID: initiativeID, Sales: t[sumSales], ByMethod: map[string]money.Money{}}
	for _, m := range Methods {
		c.ByMethod[m] = money.Money{Amount: t[methodSum(m)], Currency: money.COP}
	}
	entries, err := s.entries(ctx, fairID, initiativeID)
	if err != nil {
		return Closing{}, err
	}
	list, err := s.orders.SoldOrders(ctx, sortedKeys(entries))
	if err != nil {
		return Closing{}, err
	}
	var in, out int64
	for _, o := range list {
		for _, pay := range o.Payments {
			if pay.Method == orders.MethodCash {
				in += pay.Amount.Amount
			}
		}
		for _, r := range o.Refunds {
			if r.Method == orders.MethodCash {
				out += r.Amount.Amount
			}
		}
	}
	c.CashSales = money.Money{Amount: in, Currency: money.COP}
	c.CashRefunds = money.Money{Amount: out, Currency: money.COP}
	c.TableCash, c.HandedOver = pesos(0), pesos(0)
	for _, tb := range f.Tables {
		if slices.Contains(tb.Initiatives, initiativeID) {
			c.TableCash.Amount += t[tableSum(tb.ID, orders.MethodCash)]
		}
	}
	c.Handovers = f.HandoversTo(initiativeID)
	for _, h := range c.Handovers {
		if h.ReceivedAt != nil {
			c.HandedOver.Amount += h.Amount.Amount
		}
	}
	return c, nil
}

// expected is the cash the initiative's box should hold: the float, its
// cash sales less the cash given back, but what shared tables took only as
// far as their cashiers handed it over.
func (c Closing) expected() money.Money {
	return pesos(c.OpeningFloat.Amount + c.CashSales.Amount - c.CashRefunds.Amount - c.TableCash.Amount + c.HandedOver.Amount)
}

// Closings lists the fair's cash closings (the organiser, admins, and each
// producer their own).
func (s *Service) Closings(ctx context.Context, p *accounts.Principal, fairID string) ([]Closing, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errs.Unauthenticated
	}
	out := []Closing{}
	for _, id := range sortedKeys(f.Closings) {
		c := f.Closings[id]
		if c.Pending || !canClose(p, f, id) {
			continue
		}
		out = append(out, *c)
	}
	return out, nil
}

// Expected is an initiative's closing as it stands before its cash is
// counted (no opening float yet): what the page asking for the count shows.
// Once closed, it is the closing recorded.
func (s *Service) Expected(ctx context.Context, p *accounts.Principal, fairID, initiativeID string) (Closing, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Closing{}, err
	}
	if !canClose(p, f, initiativeID) {
		return Closing{}, denied(p, "the cash of initiative "+initiativeID)
	}
	if c := f.Closings[initiativeID]; c != nil && !c.Pending {
		return *c, nil
	}
	c, err := s.count(ctx, f, initiativeID)
	c.ExpectedCash = c.expected()
	return c, err
}
