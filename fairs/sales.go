package fairs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// Sales at a fair are made on the phone first, online or not, and sent
// later in batches. A sale is keyed by the id the phone made for it (a
// UUID): its orders' ids derive from it, so a batch sent twice, shuffled,
// or from two phones at once stores each sale once.

// MaxBatch bounds the sales of one batch.
const MaxBatch = 200

// maxSaleLines bounds the lines of one sale.
const maxSaleLines = 50

// maxSaleQuantity bounds the units of one line.
const maxSaleQuantity = 10_000

// SaleInput is a sale as the phone sends it. SoldAt and DueOn are strings
// so that one bad sale is rejected alone, not the whole batch.
type SaleInput struct {
	ClientID      string       `json:"client_id"`
	SoldAt        string       `json:"sold_at"`
	Lines         []SaleLine   `json:"lines"`
	PaymentMethod string       `json:"payment_method"`
	CashReceived  *money.Money `json:"cash_received,omitempty"`
	Buyer         *SaleBuyer   `json:"buyer,omitempty"`
	DueOn         string       `json:"due_on,omitempty"`
	// TableID is the shared table the sale was made at, by its cashier.
	TableID string `json:"table_id,omitempty"`
}

// SaleLine is a product sold, at the price the phone showed.
type SaleLine struct {
	ProductID string      `json:"product_id"`
	Quantity  int64       `json:"quantity"`
	UnitPrice money.Money `json:"unit_price"`
}

// SaleBuyer is who bought, when they said (always for credit).
type SaleBuyer struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// What became of a sale sent.
const (
	SaleCreated   = "created"
	SaleDuplicate = "duplicate"
	SaleRejected  = "rejected"
)

// Why a sale was rejected: the phone shows each in the producer's words.
const (
	RejectClientID      = "invalid_client_id"
	RejectSoldAt        = "sold_at_out_of_range"
	RejectNoLines       = "no_lines"
	RejectQuantity      = "invalid_quantity"
	RejectPrice         = "invalid_price"
	RejectProduct       = "unknown_product"
	RejectNotAtFair     = "initiative_not_at_fair"
	RejectNotYours      = "not_your_initiative"
	RejectMethod        = "invalid_payment_method"
	RejectCreditBuyer   = "credit_needs_buyer_phone"
	RejectDueOn         = "invalid_due_on"
	RejectBuyer         = "invalid_buyer"
	RejectCashShort     = "cash_received_short"
	RejectFairNotOpen   = "fair_not_open"
	RejectClosed        = "initiative_closed"
	RejectRepeatedInBox = "repeated_client_id"
	RejectTable         = "not_your_table"
)

// Flags on a sale accepted for review.
const (
	FlagOverBrought  = "over_brought"
	FlagPriceChanged = "price_changed"
)

// SaleResult is the answer for one sale, in the order sent.
type SaleResult struct {
	ClientID string   `json:"client_id"`
	Status   string   `json:"status"`
	OrderIDs []string `json:"order_ids,omitempty"`
	Code     string   `json:"code,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Flags    []string `json:"flags,omitempty"`
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// saleOrderID is the order of a sale for one initiative: an ObjectID whose
// time is the sale's (histories sort by id) and whose rest comes from the
// phone's sale id and the initiative, so the same sale always makes the
// same ids.
func saleOrderID(clientID, initiativeID string, soldAt time.Time) string {
	return storage.KeyedID(strings.ToLower(clientID)+"|"+initiativeID, soldAt)
}

// syncIntent is a batch under way: its orders' ids, so that a sweep after a
// crash finishes listing them.
type syncIntent struct {
	FairID   string    `bson:"fair_id"`
	Orders   []string  `bson:"orders"`
	Sellers  []string  `bson:"initiatives"`
	Started  time.Time `bson:"started"`
	Recorder string    `bson:"recorder"`
}

// rejection is a sale turned down, with its code and the reason in English
// (the phone words it in the producer's language from the code).
type rejection struct{ code, reason string }

func reject(code, format string, a ...any) *rejection {
	return &rejection{code, fmt.Sprintf(format, a...)}
}

// canSellFor says whether p records sales of initiative id at fair f: its
// producers, the cashiers of a table that sells for it, admins — and only
// for an initiative that accepted.
func canSellFor(p *accounts.Principal, f Fair, id string) bool {
	if p == nil || !f.Accepts(id) {
		return false
	}
	if p.IsAdmin() || slices.Contains(p.ProducerInitiatives(), id) {
		return true
	}
	for _, t := range f.Tables {
		if t.CashierID == p.UserID && slices.Contains(t.Initiatives, id) {
			return true
		}
	}
	return false
}

// sellsAt says whether p may send sales to fair f at all.
func sellsAt(p *accounts.Principal, f Fair) bool {
	for id := range f.Participants {
		if canSellFor(p, f, id) {
			return true
		}
	}
	return p.IsAdmin()
}

// planned is a sale that passed every check: its orders, one per initiative.
type planned struct {
	index  int
	orders []orders.Order
	flags  []string
}

// SyncSales records a batch of sales made at the fair and answers one
// result per sale, in order: created, duplicate (sent before), or
// rejected with a reason. A sale that sells more than the fair held, or at
// a price other than the catalog's, is accepted (it happened) and flagged.
func (s *Service) SyncSales(ctx context.Context, p *accounts.Principal, fairID string, sales []SaleInput) ([]SaleResult, error) {
	if s.orders == nil || s.catalog == nil {
		return nil, fmt.Errorf("fairs: no orders: %w", errs.Unavailable)
	}
	if p == nil {
		return nil, errs.Unauthenticated
	}
	if len(sales) == 0 || len(sales) > MaxBatch {
		var fe errs.Fields
		fe.Add("sales", errs.CodeOutOfRange, fmt.Sprintf("must hold 1 to %d sales", MaxBatch), "min", 1, "max", MaxBatch)
		return nil, fe.Err()
	}
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return nil, err
	}
	if !sellsAt(p, f) {
		return nil, denied(p, "sales of fair "+fairID)
	}
	results := make([]SaleResult, len(sales))
	products, err := s.saleProducts(ctx, sales)
	if err != nil {
		return nil, err
	}
	sold, err := s.soldAtFair(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var plans []planned
	seen := map[string]bool{}
	for i, in := range sales {
		results[i] = SaleResult{ClientID: in.ClientID}
		key := strings.ToLower(in.ClientID)
		if seen[key] && key != "" {
			results[i].Status, results[i].Code, results[i].Reason = SaleDuplicate, "", ""
			continue
		}
		seen[key] = true
		plan, rej := s.plan(p, f, in, products, sold, now)
		if rej != nil && (rej.code == RejectClosed || rej.code == RejectFairNotOpen) {
			// Sent before the closing and answered to no one: a duplicate.
			ids, err := s.storedBefore(ctx, in, products)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				results[i].Status, results[i].OrderIDs = SaleDuplicate, ids
				continue
			}
		}
		if rej != nil {
			results[i].Status, results[i].Code, results[i].Reason = SaleRejected, rej.code, rej.reason
			continue
		}
		plan.index = i
		plans = append(plans, plan)
	}
	if err := s.store(ctx, p, f, plans, results); err != nil {
		return nil, err
	}
	// A sale that came twice in the batch answers as its first copy did.
	first := map[string]int{}
	for i, in := range sales {
		key := strings.ToLower(in.ClientID)
		if j, ok := first[key]; ok && results[i].Status == SaleDuplicate && key != "" {
			results[i].OrderIDs = results[j].OrderIDs
			if results[j].Status == SaleRejected {
				results[i] = results[j]
			}
			continue
		}
		first[key] = i
	}
	return results, nil
}

// saleProducts reads every product the batch names, once each.
func (s *Service) saleProducts(ctx context.Context, sales []SaleInput) (map[string]catalog.Product, error) {
	out := map[string]catalog.Product{}
	for _, in := range sales {
		for _, l := range in.Lines {
			if _, ok := out[l.ProductID]; ok || l.ProductID == "" || len(l.ProductID) > 64 {
				continue
			}
			pr, err := s.catalog.Product(ctx, l.ProductID)
			if errors.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[l.ProductID] = pr
		}
	}
	return out, nil
}

// plan checks one sale and builds its orders.
func (s *Service) plan(p *accounts.Principal, f Fair, in SaleInput, products map[string]catalog.Product, sold map[string]int64, now time.Time) (planned, *rejection) {
	if !uuidPattern.MatchString(in.ClientID) {
		return planned{}, reject(RejectClientID, "client_id must be a UUID made on the phone")
	}
	at, err := time.Parse(time.RFC3339Nano, in.SoldAt)
	if err != nil {
		return planned{}, reject(RejectSoldAt, "sold_at must be a date and time (RFC 3339)")
	}
	if rej := f.checkSoldAt(at, now); rej != nil {
		return planned{}, rej
	}
	if len(in.Lines) == 0 || len(in.Lines) > maxSaleLines {
		return planned{}, reject(RejectNoLines, "a sale has 1 to %d lines", maxSaleLines)
	}
	if f.Status != StatusOpen {
		return planned{}, reject(RejectFairNotOpen, "the fair is %s: it takes sales while open", f.Status)
	}
	table, atTable := f.Tables[in.TableID]
	if in.TableID != "" && (!atTable || (table.CashierID != p.UserID && !p.IsAdmin())) {
		return planned{}, reject(RejectTable, "table %q is not a shared table of this fair where you are the cashier", in.TableID)
	}
	method := in.PaymentMethod
	switch method {
	case orders.MethodCash, orders.MethodNequi, orders.MethodTransfer, orders.MethodCredit:
	default:
		return planned{}, reject(RejectMethod, "payment_method must be cash, nequi, transfer or credit")
	}
	var buyer orders.Buyer
	if in.Buyer != nil {
		buyer.Name, buyer.Phone = clean.Line(in.Buyer.Name), clean.Line(in.Buyer.Phone)
		if utf8.RuneCountInString(buyer.Name) > 100 || (buyer.Phone != "" && !colombia.Phone(buyer.Phone)) {
			return planned{}, reject(RejectBuyer, "the buyer's name has at most 100 characters and the phone %s", colombia.PhoneRule)
		}
	}
	dueOn := ""
	if method == orders.MethodCredit {
		if buyer.Phone == "" {
			return planned{}, reject(RejectCreditBuyer, "a sale on credit needs the buyer's phone")
		}
		if buyer.Name == "" {
			buyer.Name = buyer.Phone
		}
		due, ok := day(in.DueOn)
		saleDay := at.In(colombia.Zone).Truncate(24 * time.Hour)
		if !ok || due.Before(saleDay.AddDate(0, 0, -1)) || due.After(saleDay.AddDate(1, 0, 0)) {
			return planned{}, reject(RejectDueOn, "due_on must be a date YYYY-MM-DD from the sale's day to a year after")
		}
		dueOn = in.DueOn
	}
	if buyer.Name == "" {
		buyer.Name = "Cliente de feria"
	}
	var flags []string
	byInitiative := map[string][]orders.Line{}
	var sellers []string
	var total int64
	for _, l := range in.Lines {
		pr, ok := products[l.ProductID]
		if ok && !atTable && !p.IsAdmin() && !slices.Contains(p.ProducerInitiatives(), pr.InitiativeID) {
			// Sold on a table's right alone: at that table (its cashier holds the cash).
			for _, t := range f.TablesOf(p) {
				if slices.Contains(t.Initiatives, pr.InitiativeID) {
					table, atTable, in.TableID = t, true, t.ID
					break
				}
			}
		}
		switch {
		case !ok:
			return planned{}, reject(RejectProduct, "product %q does not exist", l.ProductID)
		case l.Quantity < 1 || l.Quantity > maxSaleQuantity:
			return planned{}, reject(RejectQuantity, "quantity must be a whole number from 1 to %d", maxSaleQuantity)
		case l.UnitPrice.Currency != pr.Price.Currency || l.UnitPrice.Amount < 0 || l.UnitPrice.Amount > orders.MaxAmount/maxSaleQuantity:
			return planned{}, reject(RejectPrice, "unit_price must be an amount in %s", pr.Price.Currency)
		case !f.Accepts(pr.InitiativeID):
			return planned{}, reject(RejectNotAtFair, "product %q belongs to an initiative that does not sell at this fair", pr.Name)
		case !canSellFor(p, f, pr.InitiativeID):
			return planned{}, reject(RejectNotYours, "you do not sell for the initiative of product %q at this fair", pr.Name)
		case f.Closings[pr.InitiativeID] != nil:
			return planned{}, reject(RejectClosed, "the cash of %s at this fair is closed: its sales are read-only", pr.InitiativeName)
		case atTable && !slices.Contains(table.Initiatives, pr.InitiativeID):
			return planned{}, reject(RejectNotYours, "table %s does not sell for the initiative of product %q", table.Name, pr.Name)
		}
		if l.UnitPrice.Amount != pr.Price.Amount && !slices.Contains(flags, FlagPriceChanged) {
			flags = append(flags, FlagPriceChanged)
		}
		if b, ok := f.Stock[pr.ID]; ok || pr.Stock != nil {
			sold[pr.ID] += l.Quantity
			if sold[pr.ID] > b.Brought && !slices.Contains(flags, FlagOverBrought) {
				flags = append(flags, FlagOverBrought)
			}
		}
		if _, ok := byInitiative[pr.InitiativeID]; !ok {
			sellers = append(sellers, pr.InitiativeID)
		}
		byInitiative[pr.InitiativeID] = append(byInitiative[pr.InitiativeID], orders.Line{ProductID: pr.ID, Name: pr.Name,
			Unit: pr.Unit, Quantity: l.Quantity, UnitPrice: l.UnitPrice})
		total += l.UnitPrice.Amount * l.Quantity
	}
	if method == orders.MethodCash && in.CashReceived != nil && in.CashReceived.Amount < total {
		return planned{}, reject(RejectCashShort, "the cash received is less than the total")
	}
	out := planned{flags: flags}
	for _, ini := range sellers {
		lines := byInitiative[ini]
		name := products[lines[0].ProductID].InitiativeName
		out.orders = append(out.orders, s.orders.SoldOrder(orders.Sale{
			ID: saleOrderID(in.ClientID, ini, at), CheckoutID: strings.ToLower(in.ClientID), CheckoutSize: len(sellers),
			InitiativeID: ini, Initiative: name, FairID: f.ID, SoldAt: at, Lines: lines, Buyer: buyer,
			Method: method, DueOn: dueOn, Flags: flags, RecordedBy: p.UserID, Table: in.TableID}))
	}
	return out, nil
}

// checkSoldAt rejects a sale whose time cannot be the fair's: a day of
// slack on each side (phones' clocks drift, a fair's night runs late) and
// not ahead of the server by more than an hour.
func (f Fair) checkSoldAt(at, now time.Time) *rejection {
	start, _ := day(f.StartsOn)
	end, _ := day(f.EndsOn)
	if at.Before(start.AddDate(0, 0, -1)) || !at.Before(end.AddDate(0, 0, 2)) || at.After(now.Add(time.Hour)) {
		return reject(RejectSoldAt, "sold_at must fall on the fair's days (%s to %s): check the phone's clock", f.StartsOn, f.EndsOn)
	}
	return nil
}

// store records the planned sales: the batch is listed as under way, the
// orders inserted (those there already are duplicates) and counted in the
// fair's tallies, and the batch unlisted.
func (s *Service) store(ctx context.Context, p *accounts.Principal, f Fair, plans []planned, results []SaleResult) error {
	if len(plans) == 0 {
		return nil
	}
	intent := syncIntent{FairID: f.ID, Started: s.now(), Recorder: p.UserID}
	for _, pl := range plans {
		for _, o := range pl.orders {
			intent.Orders = append(intent.Orders, o.ID)
			if !slices.Contains(intent.Sellers, o.InitiativeID) {
				intent.Sellers = append(intent.Sellers, o.InitiativeID)
			}
		}
	}
	batchID := storage.NewID()
	if err := s.syncs.Add(ctx, batchID, intent); err != nil {
		return err
	}
	// A closing that began meanwhile waits for this batch (it is listed
	// now), or this batch sees it here.
	again, err := s.Fair(ctx, f.ID)
	if err != nil {
		return err
	}
	var all []orders.Order
	var kept []planned
	for _, pl := range plans {
		if closed := closedSeller(again, pl.orders); closed != "" {
			results[pl.index].Status, results[pl.index].Code = SaleRejected, RejectClosed
			results[pl.index].Reason = "the cash of " + closed + " at this fair is closed: its sales are read-only"
			continue
		}
		kept = append(kept, pl)
		all = append(all, pl.orders...)
	}
	created, err := s.orders.RecordSold(ctx, all, false)
	if err != nil {
		return err
	}
	var fresh []orders.Order
	for _, o := range all {
		if created[o.ID] {
			fresh = append(fresh, o)
		}
	}
	if err := s.tally(ctx, fresh); err != nil {
		return err
	}
	for _, pl := range kept {
		r := &results[pl.index]
		r.Status = SaleDuplicate
		for _, o := range pl.orders {
			r.OrderIDs = append(r.OrderIDs, o.ID)
			if created[o.ID] {
				r.Status = SaleCreated
			}
		}
		if r.Status == SaleCreated {
			r.Flags = pl.flags
		}
	}
	return s.syncs.Remove(ctx, batchID)
}

func closedSeller(f Fair, list []orders.Order) string {
	for _, o := range list {
		if f.Closings[o.InitiativeID] != nil {
			return o.Initiative
		}
	}
	return ""
}

// storedBefore answers the orders of a sale stored already (none: nil).
func (s *Service) storedBefore(ctx context.Context, in SaleInput, products map[string]catalog.Product) ([]string, error) {
	at, err := time.Parse(time.RFC3339Nano, in.SoldAt)
	if err != nil {
		return nil, nil
	}
	var ids []string
	for _, l := range in.Lines {
		if pr, ok := products[l.ProductID]; ok {
			if id := saleOrderID(in.ClientID, pr.InitiativeID, at); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	found, err := s.orders.SoldOrders(ctx, ids)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	out := make([]string, len(found))
	for i, o := range found {
		out[i] = o.ID
	}
	return out, nil
}
