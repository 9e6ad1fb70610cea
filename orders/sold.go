package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Sales recorded after the fact: a fair's point of sale sells first and
// tells the server later, in batches, often hours later. Each sale is
// already delivered and (unless on credit) paid, and its stock was taken to
// the fair before, so nothing is reserved: the order is inserted whole,
// under an id the caller derives from the phone's sale id, so a batch sent
// again finds its orders there and inserts nothing twice.

// Sale is one initiative's part of a sale made at a fair's table.
type Sale struct {
	ID           string // the order's id (time-ordered, derived from the phone's sale id)
	CheckoutID   string // the phone's sale id: the orders of one sale share it
	CheckoutSize int
	InitiativeID string
	Initiative   string
	FairID       string
	SoldAt       time.Time
	Lines        []Line // UnitPrice and Quantity set; the rest is filled
	Buyer        Buyer
	Method       string // cash, nequi, transfer or credit
	DueOn        string // credit only
	Flags        []string
	RecordedBy   string
	Table        string // the fair's shared table it was sold at, if any
}

// SoldOrder is the order of a sale: delivered, on the fair channel, with
// its payment (none on credit).
func (s *Service) SoldOrder(in Sale) Order {
	now := s.now()
	at := in.SoldAt.UTC().Truncate(time.Millisecond)
	lines := make([]Line, len(in.Lines))
	var total int64
	for i, l := range in.Lines {
		l.Subtotal = l.UnitPrice.Times(l.Quantity)
		l.Reserved = false // the fair's stock left the online stock when it was brought
		l.ID = strconv.Itoa(i + 1)
		lines[i] = l
		total += l.Subtotal.Amount
	}
	currency := money.COP
	if len(lines) > 0 {
		currency = lines[0].UnitPrice.Currency
	}
	o := Order{ID: in.ID, CheckoutID: in.CheckoutID, CheckoutSize: in.CheckoutSize, InitiativeID: in.InitiativeID,
		Initiative: in.Initiative, Status: StatusDelivered, Lines: lines, Total: money.Money{Amount: total, Currency: currency},
		Buyer: in.Buyer, PaymentMethod: in.Method, Channel: ChannelFair, FairID: in.FairID, DueOn: in.DueOn, Flags: in.Flags, FairTable: in.Table,
		Payments: []Payment{}, Refunds: []Refund{}, StockReleased: true, CreatedAt: at, UpdatedAt: now,
		History: []Change{{At: at, ActorID: in.RecordedBy, From: "", To: StatusDelivered, Note: "Vendido en la feria"}}}
	if in.Method != MethodCredit && total > 0 {
		o.Payments = []Payment{{ID: in.ID, Amount: o.Total, Method: in.Method, PaidAt: at, RecordedAt: now,
			RecordedBy: in.RecordedBy, Key: "sold:" + in.ID}}
		o.Paid = total
	}
	return o
}

// RecordSold stores the orders of sales made elsewhere and lists them: the
// initiative's history, its ledger (the money received), its credit list.
// It answers which orders it inserted; those there already were sent
// before. Listing is idempotent but not atomic with the insert: the caller
// keeps the batch in a working set of its own until RecordSold returns and,
// after a crash, calls it again with repair, which lists every order given
// (what a crash left unlisted gets listed, the rest stays as it is).
func (s *Service) RecordSold(ctx context.Context, sold []Order, repair bool) (map[string]bool, error) {
	created := map[string]bool{}
	if len(sold) == 0 {
		return created, nil
	}
	docs := make([]any, len(sold))
	for i, o := range sold {
		docs[i] = o
		created[o.ID] = true
	}
	_, err := s.orders.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) {
		for _, we := range bulk.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return nil, storage.Err("orders", err)
			}
			delete(created, sold[we.Index].ID)
		}
	} else if err != nil {
		return nil, storage.Err("orders", err)
	}
	var list []Order
	for _, o := range sold {
		if created[o.ID] || repair {
			list = append(list, o)
		}
	}
	return created, s.listSold(ctx, list)
}

// bulkChunk bounds the updates of one bulk write: the embedded FerretDB
// stalls on a bulk write of about a hundred updates (64 take 65 ms; 100
// never answer), so bigger batches go in chunks.
const bulkChunk = 50

// listSold appends the orders to their initiatives' histories and ledgers
// (a write per bucket they fill, not per order), records each order's
// history bucket, and lists unpaid credit.
func (s *Service) listSold(ctx context.Context, sold []Order) error {
	if err := s.counted(ctx, sold...); err != nil {
		return err
	}
	byInitiative := map[string][]Order{}
	for _, o := range sold {
		byInitiative[o.InitiativeID] = append(byInitiative[o.InitiativeID], o)
	}
	for ini, list := range byInitiative {
		feed := make([]storage.Entry[Summary], len(list))
		var ledger []storage.Entry[ledgerEntry]
		credit := map[string]Summary{}
		for i, o := range list {
			feed[i] = storage.Entry[Summary]{ID: o.ID, Value: o.Summary()}
			for _, p := range o.Payments {
				ledger = append(ledger, storage.Entry[ledgerEntry]{ID: p.ID, Value: paymentEntry(o, p)})
			}
			if owesCredit(o) {
				credit[o.ID] = o.Summary()
			}
		}
		keys, err := s.feeds.AppendMany(ctx, initiativeFeed(ini), feed)
		if err != nil {
			return err
		}
		if _, err := s.ledgers.AppendMany(ctx, ledgerOwner(ini), ledger); err != nil {
			return err
		}
		if err := s.credits.Put(ctx, ini, credit); err != nil {
			return err
		}
		models := make([]mongo.WriteModel, 0, len(list))
		for _, o := range list {
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": o.ID}).
				SetUpdate(bson.M{"$set": bson.M{"feed_initiative": keys[o.ID]}}))
		}
		for len(models) > 0 {
			chunk := models[:min(bulkChunk, len(models))]
			models = models[len(chunk):]
			if _, err := s.orders.BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(false)); err != nil {
				return storage.Err("orders", err)
			}
		}
	}
	return nil
}

// SoldOrders reads orders by id (one read each), skipping those not there:
// what a repair of a batch finds of it.
func (s *Service) SoldOrders(ctx context.Context, ids []string) ([]Order, error) {
	return readEach(ctx, ids, s.load)
}

// readEach reads the orders of ids with read (one read by _id each), in
// order, skipping those not there.
func readEach(ctx context.Context, ids []string, read func(context.Context, string) (Order, error)) ([]Order, error) {
	out := make([]Order, 0, len(ids))
	for _, id := range ids {
		o, err := read(ctx, id)
		if errors.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// owesCredit reports whether o is a sale on credit not yet paid in full.
func owesCredit(o Order) bool {
	return o.PaymentMethod == MethodCredit && o.Outstanding() > 0 && o.Status != StatusCancelled && o.Status != StatusFailed
}

// Credits lists an initiative's unpaid sales on credit (fiado), the first
// due first: one read of its credit set, which holds only what is owed.
func (s *Service) Credits(ctx context.Context, p *accounts.Principal, initiativeID string) ([]Summary, error) {
	if !CanManage(p, initiativeID) {
		return nil, denied(p, "credit of initiative "+initiativeID)
	}
	m, err := s.credits.Members(ctx, initiativeID)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Summary) int {
		if a.DueOn != b.DueOn {
			return strings.Compare(a.DueOn, b.DueOn)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// VoidSold takes back a fair sale that its point of sale undid minutes after
// making it (a wrong tap): the order is cancelled and the money it recorded
// leaves the ledger as a refund by the same method. Voiding a voided sale
// changes nothing but finishes a ledger entry a crash cut; the caller's
// time window decides whether a sale may still be undone.
func (s *Service) VoidSold(ctx context.Context, actorID, id, note string) (Order, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if o.Channel != ChannelFair {
		return Order{}, fmt.Errorf("order %s was not sold at a fair: %w", id, errs.Conflict)
	}
	if o.Status != StatusCancelled {
		if o.Status != StatusDelivered || len(o.Refunds) > 0 || len(o.Payments) > 1 {
			return Order{}, fmt.Errorf("order %s has changed since it was sold, refund it instead: %w", id, errs.Conflict)
		}
		extra := bson.M{"paid": int64(0)}
		if o.Paid > 0 {
			extra["refunds"] = []Refund{{ID: storage.NewID(), Amount: money.Money{Amount: o.Paid, Currency: o.Total.Currency},
				Method: o.PaymentMethod, Reason: note, At: s.now(), RecordedBy: actorID, Key: "void:" + id}}
		}
		guard := bson.M{"status": StatusDelivered, "paid": o.Paid, "refunds": bson.M{"$size": 0}}
		if o, err = s.move(ctx, o, guard, StatusCancelled, actorID, note, extra); err != nil {
			return Order{}, err
		}
	}
	return o, s.ensureLedger(ctx, o)
}
