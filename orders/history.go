package orders

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Imported history: orders finished before they were recorded here (the
// demo's two years of sales, or an initiative's books brought from paper),
// written in bulk as the documents the service writes — the orders, their
// checkouts, the initiatives' and buyers' histories, the ledgers and the
// credit lists — instead of one checkout per order. For the demo and
// imports only: the sales counters are recounted after it
// (progress.Service.Rebuild), and no stock moves (the units were sold long ago).

// Past is a finished order as an import describes it.
type Past struct {
	Key          string // makes the order's id: the same key, the same order
	InitiativeID string
	Initiative   string
	Channel      string // online, fair or phone
	Method       string // cash, transfer, nequi or credit
	Buyer        Buyer
	Lines        []Line // ProductID, Name, Unit, Quantity and UnitPrice
	PlacedAt     time.Time
	// Cancelled orders were never delivered nor paid.
	Cancelled bool
	// PaidAt is when a sale on credit was paid (nil: still owed).
	PaidAt     *time.Time
	PaidMethod string // how a credit was paid (default cash)
	// Refund is what was given back after the delivery (0: nothing).
	Refund       int64
	RefundReason string
	ActorID      string // who recorded the changes
}

// PastOrder is the order of p, as the service would have left it: placed,
// confirmed, made ready and delivered (or cancelled) that day, paid, and
// refunded a day later when it was.
func PastOrder(p Past) Order {
	at := p.PlacedAt.UTC().Truncate(time.Millisecond)
	id := storage.KeyedID(p.InitiativeID+"|past|"+p.Key, at)
	lines := make([]Line, len(p.Lines))
	var total int64
	currency := money.COP
	for i, l := range p.Lines {
		l.ID = strconv.Itoa(i + 1)
		l.Subtotal = l.UnitPrice.Times(l.Quantity)
		l.Reserved = false // nothing of today's stock
		lines[i] = l
		total += l.Subtotal.Amount
		currency = l.UnitPrice.Currency
	}
	o := Order{ID: id, CheckoutID: id, CheckoutSize: 1, InitiativeID: p.InitiativeID, Initiative: p.Initiative,
		Lines: lines, Total: money.Money{Amount: total, Currency: currency}, Buyer: p.Buyer, PaymentMethod: p.Method,
		Channel: p.Channel, Payments: []Payment{}, Refunds: []Refund{}, StockReleased: true, CreatedAt: at}
	step := func(d time.Duration, from, to, note string) {
		o.History = append(o.History, Change{At: at.Add(d), ActorID: p.ActorID, From: from, To: to, Note: note})
		o.Status, o.UpdatedAt = to, at.Add(d)
	}
	switch {
	case p.Cancelled:
		step(0, "", StatusPending, "")
		step(3*time.Hour, StatusPending, StatusCancelled, "El comprador no pudo recibirlo")
	case p.Channel == ChannelFair:
		step(0, "", StatusDelivered, "Vendido en la feria")
	default:
		step(0, "", StatusPending, "")
		step(20*time.Minute, StatusPending, StatusConfirmed, "")
		step(2*time.Hour, StatusConfirmed, StatusReady, "")
		step(4*time.Hour, StatusReady, StatusDelivered, "")
	}
	if p.Cancelled || total == 0 {
		return o
	}
	pay := func(when time.Time, method string) {
		when = when.UTC().Truncate(time.Millisecond)
		o.Payments = append(o.Payments, Payment{ID: storage.KeyedID(id+"|pay", when), Amount: o.Total, Method: method,
			PaidAt: when, RecordedAt: when, RecordedBy: p.ActorID})
		o.Paid = total
		o.UpdatedAt = maxTime(o.UpdatedAt, when)
	}
	switch {
	case p.Method != MethodCredit:
		pay(o.UpdatedAt, p.Method)
	case p.PaidAt != nil:
		pay(*p.PaidAt, cmpOr(p.PaidMethod, MethodCash))
		if p.Channel == ChannelFair {
			o.DueOn = at.In(colombia.Zone).AddDate(0, 0, 15).Format(time.DateOnly)
		}
	default:
		o.DueOn = at.In(colombia.Zone).AddDate(0, 0, 15).Format(time.DateOnly)
	}
	if p.Refund > 0 && o.Paid > 0 {
		when := o.UpdatedAt.Add(26 * time.Hour)
		method := o.Payments[0].Method
		o.Refunds = append(o.Refunds, Refund{ID: storage.KeyedID(id+"|refund", when), Amount: money.Money{Amount: min(p.Refund, o.Paid), Currency: currency},
			Method: method, Reason: p.RefundReason, At: when, RecordedBy: p.ActorID})
		o.Paid -= min(p.Refund, o.Paid)
		o.UpdatedAt = when
	}
	return o
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ImportHistory stores finished orders (delivered or cancelled, their
// stock released: PastOrder makes them) with everything the service keeps of
// them: their checkouts, their initiatives' histories, ledgers and credit
// lists, their signed-in buyers' histories. It writes a bucket at a time,
// not an order at a time. The histories and ledgers it writes must hold
// nothing else yet (errs.Conflict otherwise): history comes before the
// first live order. Run again with the same orders (after a crash), it
// writes the same documents. It does not tell Options.Count: recount the
// sales counters after it.
func (s *Service) ImportHistory(ctx context.Context, list []Order) error {
	if len(list) == 0 {
		return nil
	}
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b Order) int { return strings.Compare(a.ID, b.ID) })
	ids := make(map[string]bool, len(list))
	var fe errs.Fields
	for i, o := range list {
		switch {
		case o.ID == "" || o.InitiativeID == "" || o.CreatedAt.IsZero():
			fe.Add(fmt.Sprintf("orders[%d]", i), errs.CodeRequired, "id, initiative and creation time are required")
		case o.Status != StatusDelivered && o.Status != StatusCancelled:
			fe.Add(fmt.Sprintf("orders[%d].status", i), errs.CodeNotAllowed, "history holds delivered or cancelled orders")
		case !o.StockReleased || slices.ContainsFunc(o.Lines, func(l Line) bool { return l.Reserved }):
			fe.Add(fmt.Sprintf("orders[%d].lines", i), errs.CodeNotAllowed, "history reserves no stock")
		case ids[o.ID]:
			fe.Add(fmt.Sprintf("orders[%d].id", i), errs.CodeDuplicate, "the same order twice")
		}
		ids[o.ID] = true
	}
	if err := fe.Err(); err != nil {
		return err
	}

	// What each history and ledger will hold, oldest first.
	feeds := map[string][]storage.Entry[Summary]{}
	ledgers := map[string][]storage.Entry[ledgerEntry]{}
	credits := map[string]map[string]Summary{}
	moneyIDs := map[string]bool{}
	for _, o := range list {
		for _, p := range o.Payments {
			ledgers[o.InitiativeID] = append(ledgers[o.InitiativeID], storage.Entry[ledgerEntry]{ID: p.ID, Value: paymentEntry(o, p)})
			moneyIDs[p.ID] = true
		}
		for _, r := range o.Refunds {
			ledgers[o.InitiativeID] = append(ledgers[o.InitiativeID], storage.Entry[ledgerEntry]{ID: r.ID, Value: refundEntry(o, r)})
			moneyIDs[r.ID] = true
		}
	}
	for _, owner := range slicesSortedKeys(ledgers) {
		ok, err := s.ledgers.HoldsOnly(ctx, ledgerOwner(owner), moneyIDs)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the ledger of initiative %s has entries already; history is imported first: %w", owner, errs.Conflict)
		}
	}
	// Keys first, so each order is stored knowing its history buckets.
	byOwner := map[string][]string{}
	for _, o := range list {
		byOwner[initiativeFeed(o.InitiativeID)] = append(byOwner[initiativeFeed(o.InitiativeID)], o.ID)
		if o.Buyer.UserID != "" {
			byOwner[buyerFeed(o.Buyer.UserID)] = append(byOwner[buyerFeed(o.Buyer.UserID)], o.ID)
		}
	}
	keys := map[string]map[string]string{}
	for _, owner := range slicesSortedKeys(byOwner) {
		ok, err := s.feeds.HoldsOnly(ctx, owner, ids)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the order history %s has orders already; history is imported first: %w", owner, errs.Conflict)
		}
		keys[owner] = s.feeds.RebuildKeys(owner, byOwner[owner])
	}
	docs := make([]any, 0, len(list))
	var checkouts []any
	for i := range list {
		o := &list[i]
		o.FeedInitiative = keys[initiativeFeed(o.InitiativeID)][o.ID]
		if o.Buyer.UserID != "" {
			o.FeedBuyer = keys[buyerFeed(o.Buyer.UserID)][o.ID]
		}
		docs = append(docs, *o)
		if o.Channel != ChannelFair {
			checkouts = append(checkouts, checkoutDoc{ID: o.CheckoutID, Orders: []string{o.ID}, CreatedAt: o.CreatedAt})
		}
		sum := o.Summary()
		feeds[initiativeFeed(o.InitiativeID)] = append(feeds[initiativeFeed(o.InitiativeID)], storage.Entry[Summary]{ID: o.ID, Value: sum})
		if o.Buyer.UserID != "" {
			feeds[buyerFeed(o.Buyer.UserID)] = append(feeds[buyerFeed(o.Buyer.UserID)], storage.Entry[Summary]{ID: o.ID, Value: sum})
		}
		if owesCredit(*o) {
			if credits[o.InitiativeID] == nil {
				credits[o.InitiativeID] = map[string]Summary{}
			}
			credits[o.InitiativeID][o.ID] = sum
		}
	}
	for _, w := range []struct {
		what string
		docs []any
		ins  func([]any) error
	}{
		{"orders", docs, func(d []any) error {
			_, err := s.orders.InsertMany(ctx, d, options.InsertMany().SetOrdered(false))
			return err
		}},
		{"checkouts", checkouts, func(d []any) error {
			_, err := s.checkouts.InsertMany(ctx, d, options.InsertMany().SetOrdered(false))
			return err
		}},
	} {
		for start := 0; start < len(w.docs); start += 200 {
			if err := w.ins(w.docs[start:min(start+200, len(w.docs))]); err != nil && !onlyDuplicates(err) {
				return storage.Err(w.what, err)
			}
		}
	}
	for _, owner := range slicesSortedKeys(feeds) {
		if _, err := s.feeds.Rebuild(ctx, owner, feeds[owner]); err != nil {
			return err
		}
	}
	for _, ini := range slicesSortedKeys(ledgers) {
		entries := ledgers[ini]
		slices.SortFunc(entries, func(a, b storage.Entry[ledgerEntry]) int { return strings.Compare(a.ID, b.ID) })
		if _, err := s.ledgers.Rebuild(ctx, ledgerOwner(ini), entries); err != nil {
			return err
		}
	}
	for _, ini := range slicesSortedKeys(credits) {
		if err := s.credits.Put(ctx, ini, credits[ini]); err != nil {
			return err
		}
	}
	return nil
}

func slicesSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
