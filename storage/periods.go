package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
)

// Periods is a history bucketed by a period of its own sort key (a month of
// session dates, a day of audit entries): the bucket {_id: "owner|period",
// e: {<key>: T}} holds an owner's entries of one period, and the head
// {_id: "owner", p: [periods]} lists the periods that have any. Unlike Feed,
// an entry's place follows from its key, so lists are exactly in key order
// and an entry whose key changes (a session moved to another day) moves by
// Remove and Put. Choose the period so that a bucket stays within a few
// kilobytes (see DefaultFeedCap).
//
// Keys sort as strings; callers make them "<sortable date>-<id>".
type Periods[T any] struct{ coll *mongo.Collection }

// NewPeriods keeps period buckets in coll.
func NewPeriods[T any](coll *mongo.Collection) Periods[T] { return Periods[T]{coll} }

func periodKey(owner, period string) string { return owner + "|" + period }

// Put stores entry key of owner in period (replacing it): the period is
// listed on the head first, so a crash between the two writes leaves at most
// an empty period listed, never an entry no list can reach.
func (p Periods[T]) Put(ctx context.Context, owner, period, key string, v T) error {
	field, err := memberField("e", key)
	if err != nil {
		return err
	}
	if owner == "" || strings.Contains(owner, "|") || period == "" {
		return fmt.Errorf("periods owner %q period %q: %w", owner, period, errs.Invalid)
	}
	if _, err := p.coll.UpdateOne(ctx, bson.M{"_id": owner}, bson.M{"$addToSet": bson.M{"p": period}},
		options.Update().SetUpsert(true)); err != nil {
		return Err("periods "+owner, err)
	}
	_, err = p.coll.UpdateOne(ctx, bson.M{"_id": periodKey(owner, period)}, bson.M{"$set": bson.M{field: v}},
		options.Update().SetUpsert(true))
	return Err("periods "+owner, err)
}

// Remove drops entry key of owner from period (absent is fine).
func (p Periods[T]) Remove(ctx context.Context, owner, period, key string) error {
	field, err := memberField("e", key)
	if err != nil {
		return err
	}
	_, err = p.coll.UpdateOne(ctx, bson.M{"_id": periodKey(owner, period), field: bson.M{"$exists": true}},
		bson.M{"$unset": bson.M{field: ""}})
	return Err("periods "+owner, err)
}

// Bucket reads owner's entries of one period.
func (p Periods[T]) Bucket(ctx context.Context, owner, period string) (map[string]T, error) {
	var b struct {
		E map[string]T `bson:"e"`
	}
	err := p.coll.FindOne(ctx, bson.M{"_id": periodKey(owner, period)}).Decode(&b)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return map[string]T{}, nil
	}
	return b.E, Err("periods "+owner, err)
}

// PeriodsOf lists the periods owner has entries in, in order.
func (p Periods[T]) PeriodsOf(ctx context.Context, owner string) ([]string, error) {
	var h struct {
		P []string `bson:"p"`
	}
	err := p.coll.FindOne(ctx, bson.M{"_id": owner}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	slices.Sort(h.P)
	return h.P, Err("periods "+owner, err)
}

// PeriodPage is a page of one or more owners' entries in key order.
type PeriodPage[T any] struct {
	Items []Entry[T]
	Next  string
}

// periodScan bounds the periods one page reads when a filter keeps few
// entries; the page then ends early with a cursor to go on.
const periodScan = 24

// Page lists up to limit entries of the owners (merged, each key once), in
// key order — newest first when desc — that keep accepts, from cursor (the
// Next of a previous page, or "").
func (p Periods[T]) Page(ctx context.Context, owners []string, desc bool, cursor string, limit int, keep func(T) bool) (PeriodPage[T], error) {
	out := PeriodPage[T]{Items: []Entry[T]{}}
	if limit <= 0 {
		return out, nil
	}
	fromPeriod, after, err := parsePeriodCursor(cursor)
	if err != nil {
		return out, err
	}
	has := map[string]map[string]bool{} // period → owners with entries in it
	var periods []string
	for _, o := range owners {
		ps, err := p.PeriodsOf(ctx, o)
		if err != nil {
			return out, err
		}
		for _, per := range ps {
			if has[per] == nil {
				has[per] = map[string]bool{}
				periods = append(periods, per)
			}
			has[per][o] = true
		}
	}
	slices.Sort(periods)
	if desc {
		slices.Reverse(periods)
	}
	before := func(a, b string) bool { // a comes before b in the list's order
		if desc {
			return a > b
		}
		return a < b
	}
	scanned := 0
	for _, per := range periods {
		if fromPeriod != "" && before(per, fromPeriod) {
			continue
		}
		if scanned == periodScan {
			out.Next = periodCursor(per, "")
			return out, nil
		}
		scanned++
		merged := map[string]T{}
		for _, o := range owners {
			if !has[per][o] {
				continue
			}
			b, err := p.Bucket(ctx, o, per)
			if err != nil {
				return out, err
			}
			for k, v := range b {
				merged[k] = v
			}
		}
		keys := make([]string, 0, len(merged))
		for k := range merged {
			if per != fromPeriod || after == "" || before(after, k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if desc {
			slices.Reverse(keys)
		}
		for _, k := range keys {
			v := merged[k]
			if keep != nil && !keep(v) {
				continue
			}
			if len(out.Items) == limit {
				out.Next = periodCursor(per, out.Items[limit-1].ID)
				return out, nil
			}
			out.Items = append(out.Items, Entry[T]{k, v})
		}
	}
	return out, nil
}

func periodCursor(period, after string) string { return period + "~" + after }

func parsePeriodCursor(c string) (string, string, error) {
	if c == "" {
		return "", "", nil
	}
	period, after, ok := strings.Cut(c, "~")
	if !ok || period == "" || len(c) > 300 {
		var f errs.Fields
		f.Add("cursor", errs.CodeInvalid, "is not a cursor this list gave")
		return "", "", f.Err()
	}
	return period, after, nil
}

// Range returns every entry of the owners (merged, each key once) in the
// periods from first to last inclusive, in key order: for exports, whose
// size is the range asked for, not the history.
func (p Periods[T]) Range(ctx context.Context, owners []string, first, last string) ([]Entry[T], error) {
	merged := map[string]T{}
	for _, o := range owners {
		periods, err := p.PeriodsOf(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, per := range periods {
			if per < first || per > last {
				continue
			}
			b, err := p.Bucket(ctx, o, per)
			if err != nil {
				return nil, err
			}
			for k, v := range b {
				merged[k] = v
			}
		}
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Entry[T], len(keys))
	for i, k := range keys {
		out[i] = Entry[T]{k, merged[k]}
	}
	return out, nil
}

// PeriodEntry is one entry of PutMany.
type PeriodEntry[T any] struct {
	Owner, Period, Key string
	Value              T
}

// PutMany stores many entries (replacing them) in a write per head and per
// bucket instead of two per entry: for imports of history. Heads are written
// first, as Put does, so a crash leaves at most empty periods listed.
func (p Periods[T]) PutMany(ctx context.Context, entries []PeriodEntry[T]) error {
	heads := map[string][]string{}
	buckets := map[string]bson.M{}
	var owners, keys []string
	for _, e := range entries {
		field, err := memberField("e", e.Key)
		if err != nil {
			return err
		}
		if e.Owner == "" || strings.Contains(e.Owner, "|") || e.Period == "" {
			return fmt.Errorf("periods owner %q period %q: %w", e.Owner, e.Period, errs.Invalid)
		}
		if _, ok := heads[e.Owner]; !ok {
			owners = append(owners, e.Owner)
		}
		if !slices.Contains(heads[e.Owner], e.Period) {
			heads[e.Owner] = append(heads[e.Owner], e.Period)
		}
		k := periodKey(e.Owner, e.Period)
		if buckets[k] == nil {
			buckets[k] = bson.M{}
			keys = append(keys, k)
		}
		buckets[k][field] = e.Value
	}
	var models []mongo.WriteModel
	for _, o := range owners {
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": o}).
			SetUpdate(bson.M{"$addToSet": bson.M{"p": bson.M{"$each": heads[o]}}}).SetUpsert(true))
	}
	if err := p.bulk(ctx, models); err != nil {
		return err
	}
	models = models[:0]
	for _, k := range keys {
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": k}).SetUpdate(bson.M{"$set": buckets[k]}).SetUpsert(true))
	}
	return p.bulk(ctx, models)
}

// bulk writes models in chunks: the embedded FerretDB stalls on a bulk
// write of about a hundred updates.
func (p Periods[T]) bulk(ctx context.Context, models []mongo.WriteModel) error {
	for len(models) > 0 {
		chunk := models[:min(50, len(models))]
		models = models[len(chunk):]
		if _, err := p.coll.BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(false)); err != nil {
			return Err("periods", err)
		}
	}
	return nil
}
