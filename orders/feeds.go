package orders

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// Lists never query the orders collection: the embedded database would scan
// all of it. Each order is also kept, as its Summary, in
//   - its initiative's board (a working set of the live orders: pending,
//     confirmed, ready), a collection per initiative with one small document
//     per live order;
//   - its initiative's history and its buyer's history (storage.Feed
//     buckets), where it stays with its latest status;
//
// and the sweeper reads only working sets (open checkouts, unreleased stock, unpaid card orders, orders whose lists are being
// updated). index makes every list agree with one order; it is idempotent,
// so a sweep after a crash repairs what the crash left half-written.

// Summary is what a list shows of an order.
type Summary struct {
	ID            string      `bson:"id" json:"id"`
	CheckoutID    string      `bson:"checkout_id" json:"checkout_id"`
	InitiativeID  string      `bson:"initiative_id" json:"initiative_id"`
	Initiative    string      `bson:"initiative_name" json:"initiative_name"`
	Status        string      `bson:"status" json:"status"`
	Lines         []Line      `bson:"lines" json:"lines"`
	Total         money.Money `bson:"total" json:"total"`
	Buyer         Buyer       `bson:"buyer" json:"buyer"`
	PaymentMethod string      `bson:"payment_method" json:"payment_method"`
	Channel       string      `bson:"channel" json:"channel"`
	FairID        string      `bson:"fair_id,omitempty" json:"fair_id,omitempty"`
	DueOn         string      `bson:"due_on,omitempty" json:"due_on,omitempty"`
	Flags         []string    `bson:"flags,omitempty" json:"flags,omitempty"`
	Paid          int64       `bson:"paid" json:"paid"`
	CreatedAt     time.Time   `bson:"created_at" json:"created_at"`
	UpdatedAt     time.Time   `bson:"updated_at" json:"updated_at"`
	ExpiresAt     *time.Time  `bson:"expires_at,omitempty" json:"expires_at,omitempty"`
}

// Summary is the list entry of o.
func (o Order) Summary() Summary {
	return Summary{ID: o.ID, CheckoutID: o.CheckoutID, InitiativeID: o.InitiativeID, Initiative: o.Initiative,
		Status: o.Status, Lines: o.Lines, Total: o.Total, Buyer: o.Buyer, PaymentMethod: o.PaymentMethod,
		Channel: o.Channel, FairID: o.FairID, DueOn: o.DueOn, Flags: o.Flags, Paid: o.Paid, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, ExpiresAt: o.ExpiresAt}
}

// IsPaid reports whether the money received covers the total.
func (o Summary) IsPaid() bool { return o.Paid >= o.Total.Amount && o.Total.Amount > 0 }

// Outstanding is what is still to be paid.
func (o Summary) Outstanding() int64 { return max(0, o.Total.Amount-o.Paid) }

// Names of the working sets in order_sets.
const (
	setUnreleased = "unreleased"  // cancelled or rolled back, stock not yet back: order id → since
	setCardUnpaid = "card_unpaid" // pending card orders: order id → expiry
	setReindex    = "reindex"     // orders whose lists are being updated: order id → since
)

// summariesPerBucket keeps an order history bucket near 8 KB (a summary
// with a few lines is about 500 bytes).
const summariesPerBucket = 16

// open_checkouts (a storage.WorkSet) lists the checkouts under way, from
// before their first write until they are answered or rolled back: what the
// sweeper finishes after a crash.

func initiativeFeed(initiativeID string) string { return "i:" + initiativeID }
func buyerFeed(userID string) string            { return "b:" + userID }

func onBoard(status string) bool {
	return status == StatusPending || status == StatusConfirmed || status == StatusReady
}

func listed(status string) bool { return slices.Contains(visible, status) }

// index makes the board and the histories show o as it is now.
func (s *Service) index(ctx context.Context, o Order) error {
	if err := s.counted(ctx, o); err != nil {
		return err
	}
	sum := o.Summary()
	if onBoard(o.Status) {
		if err := s.boards(o.InitiativeID).Add(ctx, o.ID, sum); err != nil {
			return err
		}
	} else if err := s.boards(o.InitiativeID).Remove(ctx, o.ID); err != nil {
		return err
	}
	if owesCredit(o) {
		if err := s.credits.Add(ctx, o.InitiativeID, o.ID, sum); err != nil {
			return err
		}
	} else if o.PaymentMethod == MethodCredit {
		if err := s.credits.Remove(ctx, o.InitiativeID, o.ID); err != nil {
			return err
		}
	}
	set := bson.M{}
	key, err := s.indexFeed(ctx, initiativeFeed(o.InitiativeID), o.FeedInitiative, o.ID, sum)
	if err != nil {
		return err
	}
	if key != o.FeedInitiative {
		set["feed_initiative"] = key
	}
	if o.Buyer.UserID != "" {
		key, err := s.indexFeed(ctx, buyerFeed(o.Buyer.UserID), o.FeedBuyer, o.ID, sum)
		if err != nil {
			return err
		}
		if key != o.FeedBuyer {
			set["feed_buyer"] = key
		}
	}
	if len(set) == 0 {
		return nil
	}
	_, err = s.orders.UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": set})
	return storage.Err("order "+o.ID, err)
}

// indexFeed puts sum in owner's history where key says (or finds or appends
// it) when its status is listed, or takes it out; it returns the key to keep.
func (s *Service) indexFeed(ctx context.Context, owner, key, id string, sum Summary) (string, error) {
	if key == "" {
		var err error
		if key, err = s.feeds.Locate(ctx, owner, id); err != nil {
			return "", err
		}
	}
	switch {
	case !listed(sum.Status) && key != "":
		return "", s.feeds.Remove(ctx, key, id)
	case !listed(sum.Status):
		return "", nil
	case key != "":
		return key, s.feeds.Put(ctx, key, id, sum)
	default:
		return s.feeds.Append(ctx, owner, id, sum)
	}
}

// changed records that o's lists are about to change; reindexed, that
// they did. A crash in between leaves o in the reindex set for the sweeper.
func (s *Service) changing(ctx context.Context, id string) error {
	return s.work.Add(ctx, setReindex, id, s.now())
}

func (s *Service) reindexed(ctx context.Context, o Order) error {
	if err := s.index(ctx, o); err != nil {
		return err
	}
	return s.work.Remove(ctx, setReindex, o.ID)
}

// BuyerOrdersAll returns every order a signed-in buyer placed, whole, for
// the export of their personal data: one read per order of theirs, found
// through their history (never a query on the orders collection).
func (s *Service) BuyerOrdersAll(ctx context.Context, p *accounts.Principal) ([]Order, error) {
	if p == nil {
		return nil, denied(p, "orders")
	}
	var ids []string
	err := s.feeds.Buckets(ctx, buyerFeed(p.UserID), func(_ string, entries map[string]Summary) bool {
		for id := range entries {
			ids = append(ids, id)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return readEach(ctx, ids, s.get)
}

// BoardLists is what a producer's board shows: every live order, newest
// first, and the latest finished ones (delivered or cancelled) among the
// initiative's most recent orders.
type BoardLists struct {
	Live, Finished []Summary
}

// boardRecentScan is how many of the newest orders the finished columns
// are taken from: two history buckets.
const boardRecentScan = 2 * summariesPerBucket

// Board reads a board in two steps whatever the history: the live orders'
// working set and the newest page of the history.
func (s *Service) Board(ctx context.Context, p *accounts.Principal, initiativeID string) (BoardLists, error) {
	if !accounts.CanSeeInitiativePrivate(p, initiativeID) {
		return BoardLists{}, denied(p, "orders of initiative "+initiativeID)
	}
	m, err := s.boards(initiativeID).Members(ctx)
	if err != nil {
		return BoardLists{}, err
	}
	var out BoardLists
	for _, o := range m {
		out.Live = append(out.Live, o)
	}
	slices.SortFunc(out.Live, func(a, b Summary) int { return strings.Compare(b.ID, a.ID) })
	page, err := s.feedPage(ctx, initiativeFeed(initiativeID), ListFilter{Limit: boardRecentScan})
	if err != nil {
		return BoardLists{}, err
	}
	for _, o := range page.Items {
		if o.Status == StatusDelivered || o.Status == StatusCancelled {
			out.Finished = append(out.Finished, o)
		}
	}
	return out, nil
}

// expecting notes that a pending order waits for its expiry: card orders
// in the card_unpaid set (few: they live an hour), the others in the
// order_unconfirmed working set (one small document each, as many as the
// orders waiting for a producer).
func (s *Service) expecting(ctx context.Context, o Order) error {
	if o.ExpiresAt == nil {
		return nil
	}
	if o.PaymentMethod == MethodCard {
		return s.work.Add(ctx, setCardUnpaid, o.ID, *o.ExpiresAt)
	}
	return s.unconfirmed.Add(ctx, o.ID, *o.ExpiresAt)
}

// expected forgets a pending order's expiry (confirmed, paid or cancelled).
func (s *Service) expected(ctx context.Context, o Order) error {
	if o.PaymentMethod == MethodCard {
		return s.work.Remove(ctx, setCardUnpaid, o.ID)
	}
	return s.unconfirmed.Remove(ctx, o.ID)
}
