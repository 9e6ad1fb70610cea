package progress

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
)

// Sales counters: one document per initiative and month (Bogotá) in
// progress_months, "<initiative>:<YYYY-MM>", holding the month's sums and,
// for each order counted there, what it added (its contribution). An
// order's change (placed, paid, cancelled, refunded) is applied as the
// difference between what it adds now and what it added before, in one
// update guarded on the contribution read: a retry, a replay or a crash
// in the middle can never count it twice, and any order of events ends in
// the same sums. After each write the month's figures are copied into the
// initiative's series (progress_series, one document per initiative), which
// is what pages read: one read by _id for 24 months.

// Channels are where an order was made, as counters split them.
var Channels = []string{orders.ChannelOnline, orders.ChannelFair, orders.ChannelPhone}

// contribution is what one order adds to its month. Zero for an order
// cancelled or failed; an order refunded in full counts no more as an
// order, only its refunds.
type contribution struct {
	Key     string `bson:"k"` // changes whenever the rest changes: guards the next update
	Orders  int64  `bson:"o"`
	Units   int64  `bson:"u"`
	Amount  int64  `bson:"a"` // total less refunds, minor units
	Refunds int64  `bson:"r"`
	Channel string `bson:"c"`
	Method  string `bson:"m"`
	Buyer   string `bson:"b,omitempty"`
}

func (c contribution) zero() bool { return c.Orders == 0 && c.Amount == 0 && c.Refunds == 0 }

// contributionOf is what order o adds to its month now.
func contributionOf(o orders.Order) contribution {
	c := contribution{Channel: channelOf(o), Method: o.PaymentMethod, Buyer: buyerKey(o.Buyer)}
	if o.Status != orders.StatusCancelled && o.Status != orders.StatusFailed {
		var refunded, units int64
		for _, r := range o.Refunds {
			refunded += r.Amount.Amount
		}
		for _, l := range o.Lines {
			units += l.Quantity
		}
		c.Amount, c.Refunds = o.Total.Amount-refunded, refunded
		if refunded < o.Total.Amount || o.Total.Amount == 0 {
			c.Orders, c.Units = 1, units
		}
	}
	c.Key = fmt.Sprintf("%d.%d.%d.%d", c.Orders, c.Units, c.Amount, c.Refunds)
	return c
}

func channelOf(o orders.Order) string {
	if slices.Contains(Channels, o.Channel) {
		return o.Channel
	}
	return orders.ChannelOnline
}

// buyerKey names a buyer across orders: the account, or the phone's ten
// digits; "" when neither is known (a walk-in buyer at a fair).
func buyerKey(b orders.Buyer) string {
	if b.UserID != "" {
		return "u" + b.UserID
	}
	if n := colombia.WhatsApp(b.Phone); n != "" {
		return "p" + n[2:]
	}
	return ""
}

// Month is "YYYY-MM" of t in Bogotá.
func Month(t time.Time) string { return t.In(colombia.Zone).Format("2006-01") }

func monthID(initiativeID, month string) string { return initiativeID + ":" + month }

// monthDoc is one initiative's month of sales.
type monthDoc struct {
	ID           string                  `bson:"_id"`
	InitiativeID string                  `bson:"initiative_id"`
	Month        string                  `bson:"month"`
	Sums         Figures                 `bson:"sums"`
	Buyers       map[string]int64        `bson:"buyers,omitempty"` // counted orders per buyer
	Applied      map[string]contribution `bson:"applied,omitempty"`
}

// Figures are a month's sales as pages and reports show them.
type Figures struct {
	Orders  int64            `bson:"orders" json:"orders"`
	Units   int64            `bson:"units" json:"units"`
	Amount  int64            `bson:"amount" json:"amount"` // minor units of COP, refunds taken off
	Refunds int64            `bson:"refunds" json:"refunds"`
	Channel map[string]int64 `bson:"channel" json:"by_channel"` // amount per channel
	Method  map[string]int64 `bson:"method" json:"by_method"`   // amount per payment method
	// Buyers are the distinct buyers known by account or phone; Repeat,
	// those of them who had bought from the initiative in an earlier month.
	Buyers int64 `bson:"buyers" json:"distinct_buyers"`
	Repeat int64 `bson:"repeat" json:"repeat_buyers"`
}

// Count applies orders to their months' counters (the orders service calls
// it after every change; repeating it changes nothing).
func (s *Service) Count(ctx context.Context, list []orders.Order) error {
	groups := map[string][]orders.Order{}
	for _, o := range list {
		if o.InitiativeID == "" || o.CreatedAt.IsZero() {
			continue
		}
		id := monthID(o.InitiativeID, Month(o.CreatedAt))
		groups[id] = append(groups[id], o)
	}
	for _, id := range slices.Sorted(maps.Keys(groups)) {
		if err := s.countMonth(ctx, groups[id]); err != nil {
			return err
		}
	}
	return nil
}

// maxRetries bounds the re-reads of a month changed by another writer.
const maxRetries = 8

// countMonth applies orders of one initiative and month in one update.
func (s *Service) countMonth(ctx context.Context, list []orders.Order) error {
	ini, month := list[0].InitiativeID, Month(list[0].CreatedAt)
	id := monthID(ini, month)
	if err := s.dirty.Add(ctx, ini, s.now()); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		var cur monthDoc
		err := s.months.FindOne(ctx, bson.M{"_id": id}).Decode(&cur)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return storage.Err("progress month "+id, err)
		}
		filter := bson.M{"_id": id}
		inc, set := bson.M{}, bson.M{}
		for _, o := range list {
			was, had := cur.Applied[o.ID]
			now := contributionOf(o)
			if had && was.Key == now.Key {
				continue
			}
			field := "applied." + o.ID
			if had {
				filter[field+".k"] = was.Key
			} else {
				filter[field] = bson.M{"$exists": false}
			}
			set[field] = now
			addDelta(inc, now, 1)
			if had {
				addDelta(inc, was, -1)
			}
		}
		if len(set) == 0 {
			break // all counted before
		}
		for k, v := range inc {
			if v == int64(0) {
				delete(inc, k)
			}
		}
		set["initiative_id"], set["month"] = ini, month
		update := bson.M{"$set": set}
		if len(inc) > 0 {
			update["$inc"] = inc
		}
		res, err := s.months.UpdateOne(ctx, filter, update, options.Update().SetUpsert(cur.ID == ""))
		if storage.IsDuplicateKey(err) || (err == nil && res.MatchedCount+res.UpsertedCount == 0) {
			if attempt == maxRetries {
				return fmt.Errorf("progress month %s keeps changing: %w", id, err)
			}
			continue // another writer came first: read again
		}
		if err != nil {
			return storage.Err("progress month "+id, err)
		}
		break
	}
	if s.cut != nil {
		if err := s.cut(); err != nil {
			return err
		}
	}
	if err := s.refreshSeries(ctx, ini, month, true); err != nil {
		return err
	}
	return s.dirty.Remove(ctx, ini)
}

// addDelta adds sign × c to the month's $inc.
func addDelta(inc bson.M, c contribution, sign int64) {
	add := func(k string, v int64) {
		if v != 0 {
			cur, _ := inc[k].(int64)
			inc[k] = cur + sign*v
		}
	}
	add("sums.orders", c.Orders)
	add("sums.units", c.Units)
	add("sums.amount", c.Amount)
	add("sums.refunds", c.Refunds)
	add("sums.channel."+c.Channel, c.Amount)
	if c.Method != "" {
		add("sums.method."+c.Method, c.Amount)
	}
	if c.Buyer != "" {
		add("buyers."+c.Buyer, c.Orders)
	}
}

// refreshSeries copies a month's figures into the initiative's series,
// with its distinct and repeat buyers; a $set of the whole month, so doing
// it again (after a crash) is harmless. With cascade, the later months of
// buyers who bought this month are copied again too (a sale synced late
// can make a buyer's later purchases repeat ones).
func (s *Service) refreshSeries(ctx context.Context, ini, month string, cascade bool) error {
	var m monthDoc
	if err := s.months.FindOne(ctx, bson.M{"_id": monthID(ini, month)}).Decode(&m); err != nil {
		return storage.Err("progress month", err)
	}
	history, err := s.buyerMonths(ctx, ini, month, m.Buyers)
	if err != nil {
		return err
	}
	f := figuresOf(m, history)
	later := map[string]bool{}
	for b, n := range m.Buyers {
		for other, k := range history[b] {
			if n > 0 && k > 0 && other > month {
				later[other] = true
			}
		}
	}
	_, err = s.series.UpdateOne(ctx, bson.M{"_id": ini}, bson.M{"$set": bson.M{"months." + month: f}}, options.Update().SetUpsert(true))
	if err != nil {
		return storage.Err("progress series "+ini, err)
	}
	if err := s.glanceOfMonth(ctx, ini, month, f); err != nil {
		return err
	}
	if err := s.milestonesChanged(ctx, ini); err != nil {
		return err
	}
	if cascade {
		for _, other := range slices.Sorted(maps.Keys(later)) {
			if err := s.refreshSeries(ctx, ini, other, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// figuresOf is a month's figures, its buyers counted against their months
// (buyer → month → orders) for the repeat ones.
func figuresOf(m monthDoc, history map[string]map[string]int64) Figures {
	f := m.Sums
	f.Channel, f.Method = nonZero(f.Channel), nonZero(f.Method)
	for _, n := range m.Buyers {
		if n > 0 {
			f.Buyers++
		}
	}
	f.Repeat = repeatCount(m.Buyers, history, m.Month)
	return f
}

// repeatCount is how many of the month's buyers bought in an earlier month.
func repeatCount(buyers map[string]int64, history map[string]map[string]int64, month string) int64 {
	var n int64
	for b, k := range buyers {
		if k <= 0 {
			continue
		}
		for other, c := range history[b] {
			if c > 0 && other < month {
				n++
				break
			}
		}
	}
	return n
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// buyerMonths records how many orders each of the month's buyers has in
// it (progress_buyers, one document per initiative: buyer → month →
// orders; a $set of what the month holds, so repeating it is harmless) and
// answers every buyer's months.
func (s *Service) buyerMonths(ctx context.Context, ini, month string, buyers map[string]int64) (map[string]map[string]int64, error) {
	var doc struct {
		M map[string]map[string]int64 `bson:"m"`
	}
	set := bson.M{}
	for b, n := range buyers {
		set["m."+b+"."+month] = n
	}
	var err error
	if len(set) > 0 {
		err = s.buyers.FindOneAndUpdate(ctx, bson.M{"_id": ini}, bson.M{"$set": set},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	} else {
		err = s.buyers.FindOne(ctx, bson.M{"_id": ini}).Decode(&doc)
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storage.Err("progress buyers "+ini, err)
	}
	return doc.M, nil
}

// Repair brings up to date the series of initiatives whose counting a
// crash cut (the sweeper runs it): each of their months is copied again;
// then it refreshes the milestones in the glance (RefreshMilestones) and
// drops the months that left its window (TrimGlance).
func (s *Service) Repair(ctx context.Context) (err error) {
	m, err := s.dirty.Members(ctx)
	if err != nil {
		return err
	}
	defer func() { // then the milestones of the initiatives that changed
		if err == nil {
			err = s.RefreshMilestones(ctx)
		}
		if err == nil {
			err = s.TrimGlance(ctx)
		}
	}()
	for ini, since := range m {
		if s.now().Sub(since) < time.Minute {
			continue // being counted now
		}
		months, err := s.monthsOf(ctx, ini)
		if err != nil {
			return err
		}
		for _, month := range months {
			if err := s.refreshSeries(ctx, ini, month, false); err != nil {
				return err
			}
		}
		if err := s.dirty.Remove(ctx, ini); err != nil {
			return err
		}
	}
	return nil
}

// monthsOf lists the months an initiative's series holds, and the current
// and previous ones (where a cut count most likely was).
func (s *Service) monthsOf(ctx context.Context, ini string) ([]string, error) {
	sr, err := s.Series(ctx, ini)
	if err != nil {
		return nil, err
	}
	out := slices.Collect(maps.Keys(sr))
	now := s.now()
	for _, m := range []string{Month(now), Month(now.AddDate(0, -1, 0))} {
		if !slices.Contains(out, m) {
			var doc monthDoc
			if err := s.months.FindOne(ctx, bson.M{"_id": monthID(ini, m)}).Decode(&doc); err == nil {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Series answers an initiative's months of sales: one read by _id.
func (s *Service) Series(ctx context.Context, ini string) (map[string]Figures, error) {
	var doc struct {
		Months map[string]Figures `bson:"months"`
	}
	err := s.series.FindOne(ctx, bson.M{"_id": ini}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return map[string]Figures{}, nil
	}
	if err != nil {
		return nil, storage.Err("progress series "+ini, err)
	}
	if doc.Months == nil {
		doc.Months = map[string]Figures{}
	}
	return doc.Months, nil
}

// Rebuild recounts every counter from the orders (tesoro rebuild-counters,
// the upgrade step): the counters are dropped, the orders' contributions
// summed in memory as the scan gives them, and the documents the counting
// writes — months, buyers, series, the glance's months — inserted in bulk, so a year of the
// programme's orders is recounted in seconds.
func (s *Service) Rebuild(ctx context.Context, scan func(ctx context.Context, each func([]orders.Order) error) error) error {
	for _, c := range []*mongo.Collection{s.months, s.series, s.buyers} {
		if err := c.Drop(ctx); err != nil {
			return storage.Err("progress", err)
		}
	}
	months := map[string]*monthDoc{}
	err := scan(ctx, func(batch []orders.Order) error {
		for _, o := range batch {
			if o.InitiativeID == "" || o.CreatedAt.IsZero() {
				continue
			}
			month := Month(o.CreatedAt)
			id := monthID(o.InitiativeID, month)
			m := months[id]
			if m == nil {
				m = &monthDoc{ID: id, InitiativeID: o.InitiativeID, Month: month, Buyers: map[string]int64{}, Applied: map[string]contribution{},
					Sums: Figures{Channel: map[string]int64{}, Method: map[string]int64{}}}
				months[id] = m
			}
			c := contributionOf(o)
			m.Applied[o.ID] = c
			m.add(c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	history := map[string]map[string]map[string]int64{} // initiative → buyer → month → orders
	for _, m := range months {
		h := history[m.InitiativeID]
		if h == nil {
			h = map[string]map[string]int64{}
			history[m.InitiativeID] = h
		}
		for b, n := range m.Buyers {
			if h[b] == nil {
				h[b] = map[string]int64{}
			}
			h[b][m.Month] = n
		}
	}
	series := map[string]map[string]Figures{}
	var monthDocs []any
	for _, id := range slices.Sorted(maps.Keys(months)) {
		m := months[id]
		if series[m.InitiativeID] == nil {
			series[m.InitiativeID] = map[string]Figures{}
		}
		series[m.InitiativeID][m.Month] = figuresOf(*m, history[m.InitiativeID])
		monthDocs = append(monthDocs, m)
	}
	var seriesDocs, buyerDocs []any
	for ini, ms := range series {
		seriesDocs = append(seriesDocs, bson.M{"_id": ini, "months": ms})
		buyerDocs = append(buyerDocs, bson.M{"_id": ini, "m": history[ini]})
	}
	for _, w := range []struct {
		coll *mongo.Collection
		docs []any
	}{{s.months, monthDocs}, {s.series, seriesDocs}, {s.buyers, buyerDocs}} {
		for len(w.docs) > 0 {
			n := min(200, len(w.docs))
			if _, err := w.coll.InsertMany(ctx, w.docs[:n]); err != nil {
				return storage.Err("progress", err)
			}
			w.docs = w.docs[n:]
		}
	}
	if err := s.setGlance(ctx, series, nil); err != nil {
		return err
	}
	return s.allMilestonesChanged(ctx)
}

// add sums a contribution into the month, as the counting's update does.
func (m *monthDoc) add(c contribution) {
	m.Sums.Orders += c.Orders
	m.Sums.Units += c.Units
	m.Sums.Amount += c.Amount
	m.Sums.Refunds += c.Refunds
	if c.Amount != 0 {
		m.Sums.Channel[c.Channel] += c.Amount
		if c.Method != "" {
			m.Sums.Method[c.Method] += c.Amount
		}
	}
	if c.Buyer != "" && c.Orders != 0 {
		m.Buyers[c.Buyer] += c.Orders
	}
}
