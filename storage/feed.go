package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
)

// Feed is a history kept as buckets (MongoDB's bucket pattern): for each
// owner (an initiative's orders, a buyer's orders, a product's stock moves…)
// a head document {_id: owner, seq} and bucket documents
// {_id: "owner#seq", n, e: {<entry id>: T}} holding at most Cap entries —
// the summary a list shows. A page is one read of the head and one or two of
// buckets, all by _id, whatever the size of the history.
//
// Appending is one update of the head bucket, which returns its count; the
// append that fills a bucket rolls the head over to the next sequence. The
// caller keeps the key Append returns with its aggregate, and later changes
// of the entry are one $set by _id there (Put). Pages list buckets newest
// first and, inside a bucket, entries by id descending (ids are
// time-ordered), so a cursor — a bucket and an id — stays put while new
// entries arrive in newer buckets.
type Feed[T any] struct {
	coll  *mongo.Collection
	cap   int
	tally func(T) map[string]int64
}

// DefaultFeedCap is the entries per bucket when the caller does not say.
// The embedded engine rewrites a whole document on every update, at about
// 0.6 ms per kilobyte (16 KB: 10 ms; 128 KB: 90 ms; a read of either takes
// 2–12 ms), so a bucket should stay within a few kilobytes: choose the cap
// from the size of an entry (docs/architecture.md lists each feed's).
const DefaultFeedCap = 32

// pageScan bounds the buckets one page reads when a filter keeps few
// entries: the page then ends early with a cursor to go on.
const pageScan = 4

// NewFeed keeps feeds in coll with capacity entries per bucket (≤ 0: the default).
func NewFeed[T any](coll *mongo.Collection, capacity int) Feed[T] {
	if capacity <= 0 {
		capacity = DefaultFeedCap
	}
	return Feed[T]{coll: coll, cap: capacity}
}

// NewCountedFeed is a feed whose entries are events that carry amounts
// (a ledger's payments and refunds): each bucket keeps the sums of its
// entries' tally, added in the same update that adds the entry — so an event
// is counted exactly once however often it is appended — and Totals reads
// them. Entries of a counted feed are never removed, and Put must keep an
// entry's tally.
func NewCountedFeed[T any](coll *mongo.Collection, capacity int, tally func(T) map[string]int64) Feed[T] {
	f := NewFeed[T](coll, capacity)
	f.tally = tally
	return f
}

// Entry is one entry of a page.
type Entry[T any] struct {
	ID    string
	Value T
}

// Page is a page of a feed, newest first; Next is "" at the end.
type Page[T any] struct {
	Items []Entry[T]
	Next  string
}

type feedHead struct {
	Seq    int              `bson:"seq"`
	Folded int              `bson:"f"` // buckets 0…Folded-1 are summed into T
	T      map[string]int64 `bson:"t"`
}

type feedBucket[T any] struct {
	N int              `bson:"n"`
	E map[string]T     `bson:"e"`
	S map[string]int64 `bson:"s"`
}

func bucketKey(owner string, seq int) string { return owner + "#" + strconv.Itoa(seq) }

func (f Feed[T]) head(ctx context.Context, owner string) (int, bool, error) {
	h, found, err := f.headDoc(ctx, owner)
	return h.Seq, found, err
}

func (f Feed[T]) headDoc(ctx context.Context, owner string) (feedHead, bool, error) {
	var h feedHead
	err := f.coll.FindOne(ctx, bson.M{"_id": owner}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return feedHead{}, false, nil
	}
	return h, err == nil, Err("feed "+owner, err)
}

func (f Feed[T]) bucket(ctx context.Context, key string) (feedBucket[T], error) {
	b, _, err := f.bucketDoc(ctx, key)
	return b, err
}

func (f Feed[T]) bucketDoc(ctx context.Context, key string) (feedBucket[T], bool, error) {
	var b feedBucket[T]
	err := f.coll.FindOne(ctx, bson.M{"_id": key}).Decode(&b)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return feedBucket[T]{}, false, nil
	}
	return b, err == nil, Err("feed bucket "+key, err)
}

// Append adds entry id to owner's newest bucket and returns that bucket's
// key: one read of the head and one update of the bucket (created on first
// use). The update returns the bucket's count; the append that fills it moves
// the head on, so the next ones go to a new bucket. Appends racing with that
// one may still land in the full bucket, which then holds a few more than
// Cap — never a failed, retried write, which would cost every racing
// appender a rewrite of the bucket on the embedded engine. Appending an id
// already in the newest bucket only replaces its value.
func (f Feed[T]) Append(ctx context.Context, owner, id string, v T) (string, error) {
	field, err := memberField("e", id)
	if err != nil {
		return "", err
	}
	if strings.Contains(owner, "#") || owner == "" {
		return "", fmt.Errorf("feed owner %q: %w", owner, errs.Invalid)
	}
	seq, found, err := f.head(ctx, owner)
	if err != nil {
		return "", err
	}
	if !found {
		if _, err := f.coll.InsertOne(ctx, bson.M{"_id": owner, "seq": 0, "f": 0}); err != nil && !IsDuplicateKey(err) {
			return "", Err("feed "+owner, err)
		}
	}
	if f.tally != nil && seq > 0 {
		// A retry of an append that filled the previous bucket finds it there.
		prev := bucketKey(owner, seq-1)
		b, err := f.bucket(ctx, prev)
		if err != nil {
			return "", err
		}
		if _, ok := b.E[id]; ok {
			return prev, nil
		}
	}
	key := bucketKey(owner, seq)
	var after struct {
		N int `bson:"n"`
	}
	filter, inc := bson.M{"_id": key}, bson.M{"n": 1}
	if f.tally != nil {
		// Counted once: the entry is the record that its amounts are in
		// the bucket's sums, so an append of an id already there (in this
		// bucket or, checked above, the one before) changes nothing.
		filter[field] = bson.M{"$exists": false}
		for name, d := range f.tally(v) {
			inc["s."+name] = d
		}
	}
	err = f.coll.FindOneAndUpdate(ctx, filter,
		bson.M{"$set": bson.M{field: v, "owner": owner, "seq": seq}, "$inc": inc},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&after)
	if IsDuplicateKey(err) { // two first appends created the bucket at once (or, counted, the entry is there): update it
		err = f.coll.FindOneAndUpdate(ctx, filter,
			bson.M{"$set": bson.M{field: v}, "$inc": inc},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
		if f.tally != nil && errors.Is(err, mongo.ErrNoDocuments) {
			return key, nil // already counted in this bucket
		}
	}
	if err != nil {
		return "", Err("feed bucket "+key, err)
	}
	if after.N >= f.cap {
		if _, err := f.coll.UpdateOne(ctx, bson.M{"_id": owner}, bson.M{"$max": bson.M{"seq": seq + 1}}); err != nil {
			return key, Err("feed "+owner, err)
		}
	}
	return key, nil
}

// Put replaces entry id in the bucket key (where Append put it).
func (f Feed[T]) Put(ctx context.Context, key, id string, v T) error {
	field, err := memberField("e", id)
	if err != nil {
		return err
	}
	_, err = f.coll.UpdateOne(ctx, bson.M{"_id": key, field: bson.M{"$exists": true}}, bson.M{"$set": bson.M{field: v}})
	return Err("feed bucket "+key, err)
}

// Remove drops entry id from the bucket key (not in a counted feed).
func (f Feed[T]) Remove(ctx context.Context, key, id string) error {
	if f.tally != nil {
		return fmt.Errorf("feed bucket %s: entries of a counted feed stay: %w", key, errs.Invalid)
	}
	field, err := memberField("e", id)
	if err != nil {
		return err
	}
	_, err = f.coll.UpdateOne(ctx, bson.M{"_id": key, field: bson.M{"$exists": true}},
		bson.M{"$unset": bson.M{field: ""}})
	return Err("feed bucket "+key, err)
}

// Totals returns the sums of the tally of every entry of owner: the head's
// total of the buckets folded into it plus the sums of the newer ones — one
// to three reads by _id at any length of history. Buckets two behind the
// newest are full and no longer written (an append racing with the roll-over
// lands at most one behind), so Totals folds them into the head on the way,
// each exactly once: the update is guarded by the count already folded.
func (f Feed[T]) Totals(ctx context.Context, owner string) (map[string]int64, error) {
	out := map[string]int64{}
	h, found, err := f.headDoc(ctx, owner)
	if err != nil || !found {
		return out, err
	}
	for h.Folded < h.Seq-1 {
		b, err := f.bucket(ctx, bucketKey(owner, h.Folded))
		if err != nil {
			return out, err
		}
		inc := bson.M{"f": 1}
		for name, v := range b.S {
			inc["t."+name] = v
		}
		guard := bson.M{"_id": owner, "f": h.Folded}
		if h.Folded == 0 { // heads written before counting had no f
			guard = bson.M{"_id": owner, "$or": bson.A{bson.M{"f": 0}, bson.M{"f": bson.M{"$exists": false}}}}
		}
		if _, err := f.coll.UpdateOne(ctx, guard, bson.M{"$inc": inc}); err != nil {
			return out, Err("feed "+owner, err)
		}
		// Whoever folded it (this call or a racing one), read the head again.
		if h, _, err = f.headDoc(ctx, owner); err != nil {
			return out, err
		}
	}
	for name, v := range h.T {
		out[name] += v
	}
	for seq := h.Folded; seq <= h.Seq; seq++ {
		b, err := f.bucket(ctx, bucketKey(owner, seq))
		if err != nil {
			return out, err
		}
		for name, v := range b.S {
			out[name] += v
		}
	}
	return out, nil
}

// Locate finds entry id among owner's two newest buckets, where an entry
// whose key was lost in a crash (appended, not yet recorded) must be; "" when
// it is not there.
func (f Feed[T]) Locate(ctx context.Context, owner, id string) (string, error) {
	key, _, _, err := f.Recent(ctx, owner, id)
	return key, err
}

// Recent finds entry id among owner's two newest buckets (the entries an
// owner may still change: at least the last capacity of them) with the key
// of its bucket, for Put; found false when it is not there.
func (f Feed[T]) Recent(ctx context.Context, owner, id string) (key string, v T, found bool, err error) {
	seq, ok, err := f.head(ctx, owner)
	if err != nil || !ok {
		return "", v, false, err
	}
	for s := seq; s >= max(0, seq-1); s-- {
		key := bucketKey(owner, s)
		b, err := f.bucket(ctx, key)
		if err != nil {
			return "", v, false, err
		}
		if e, ok := b.E[id]; ok {
			return key, e, true, nil
		}
	}
	return "", v, false, nil
}

// Page returns up to limit entries of owner, newest first, that keep accepts
// (nil keeps all), from cursor (a Next of a previous page, or "").
func (f Feed[T]) Page(ctx context.Context, owner, cursor string, limit int, keep func(T) bool) (Page[T], error) {
	out := Page[T]{Items: []Entry[T]{}}
	if limit <= 0 {
		return out, nil
	}
	head, found, err := f.head(ctx, owner)
	if err != nil || !found {
		return out, err
	}
	seq, after := head, ""
	if cursor != "" {
		if seq, after, err = parseFeedCursor(cursor); err != nil {
			return out, err
		}
		seq = min(seq, head)
	}
	for scanned := 0; seq >= 0; seq, after = seq-1, "" {
		if scanned == pageScan {
			out.Next = feedCursor(seq, "")
			return out, nil
		}
		scanned++
		b, err := f.bucket(ctx, bucketKey(owner, seq))
		if err != nil {
			return out, err
		}
		ids := make([]string, 0, len(b.E))
		for id := range b.E {
			if after == "" || id < after {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		for _, id := range ids {
			v := b.E[id]
			if keep != nil && !keep(v) {
				continue
			}
			if len(out.Items) == limit { // more to come: go on after the last item, in this bucket
				out.Next = feedCursor(seq, out.Items[limit-1].ID)
				return out, nil
			}
			out.Items = append(out.Items, Entry[T]{id, v})
		}
		if len(out.Items) == limit && seq > 0 {
			// Full page at a bucket's end: the next page starts with the older bucket.
			out.Next = feedCursor(seq-1, "")
			return out, nil
		}
	}
	return out, nil
}

// A cursor is "<seq>" (all of bucket seq and older) or "<seq>.<id>" (the
// entries of bucket seq older than id, then older buckets).
func feedCursor(seq int, after string) string {
	if after == "" {
		return strconv.Itoa(seq)
	}
	return strconv.Itoa(seq) + "." + after
}

func parseFeedCursor(c string) (int, string, error) {
	num, after, _ := strings.Cut(c, ".")
	seq, err := strconv.Atoi(num)
	if err != nil || seq < 0 || len(c) > 256 {
		var f errs.Fields
		f.Add("cursor", errs.CodeInvalid, "is not a cursor this list gave")
		return 0, "", f.Err()
	}
	return seq, after, nil
}

// Buckets calls fn with every bucket of owner, newest first, until fn returns
// false: for a rebuild or an export, never for a page a person waits for.
func (f Feed[T]) Buckets(ctx context.Context, owner string, fn func(key string, entries map[string]T) bool) error {
	head, found, err := f.head(ctx, owner)
	if err != nil || !found {
		return err
	}
	for seq := head; seq >= 0; seq-- {
		key := bucketKey(owner, seq)
		b, err := f.bucket(ctx, key)
		if err != nil {
			return err
		}
		if !fn(key, b.E) {
			return nil
		}
	}
	return nil
}

// Drop deletes every feed of the collection (before a Rebuild of all).
func (f Feed[T]) Drop(ctx context.Context) error {
	return Err("feeds "+f.coll.Name(), f.coll.Drop(ctx))
}

// AppendMany appends entries to owner in as few writes as their number
// allows: each update fills the newest bucket with as many as it has room
// for (one read of the head and of that bucket first), so a batch of n
// entries costs about n/Cap updates instead of n. It returns the bucket key
// of every entry. In a counted feed, an entry already there (a retry) is
// counted once, found in the buckets the batch could have filled since; a
// chunk that meets one anyway falls back to Append entry by entry. Callers
// append what they alone created (retries follow, they do not race).
func (f Feed[T]) AppendMany(ctx context.Context, owner string, entries []Entry[T]) (map[string]string, error) {
	keys := make(map[string]string, len(entries))
	if len(entries) == 0 {
		return keys, nil
	}
	if strings.Contains(owner, "#") || owner == "" {
		return nil, fmt.Errorf("feed owner %q: %w", owner, errs.Invalid)
	}
	entries = lastOfEach(entries)
	for _, e := range entries {
		if _, err := memberField("e", e.ID); err != nil {
			return nil, err
		}
	}
	seq, found, err := f.head(ctx, owner)
	if err != nil {
		return nil, err
	}
	if !found {
		if _, err := f.coll.InsertOne(ctx, bson.M{"_id": owner, "seq": 0, "f": 0}); err != nil && !IsDuplicateKey(err) {
			return nil, Err("feed "+owner, err)
		}
	}
	b, err := f.bucket(ctx, bucketKey(owner, seq))
	if err != nil {
		return nil, err
	}
	if f.tally != nil {
		// A retry of a batch finds what it appended before in the buckets
		// it may have filled since: those entries are counted already.
		if entries, err = f.unlisted(ctx, owner, seq, b, entries, keys); err != nil {
			return keys, err
		}
	}
	room := max(1, f.cap-b.N)
	for len(entries) > 0 {
		chunk := entries[:min(room, len(entries))]
		entries = entries[len(chunk):]
		key := bucketKey(owner, seq)
		n, err := f.appendChunk(ctx, owner, seq, chunk)
		if errors.Is(err, errs.Conflict) { // counted, and some entry is there already
			for _, e := range chunk {
				if keys[e.ID], err = f.Append(ctx, owner, e.ID, e.Value); err != nil {
					return keys, err
				}
			}
			if seq, _, err = f.head(ctx, owner); err != nil {
				return keys, err
			}
			room = 1 // unknown: the next chunk reads it from the bucket it fills
			continue
		}
		if err != nil {
			return keys, err
		}
		for _, e := range chunk {
			keys[e.ID] = key
		}
		if n >= f.cap {
			if _, err := f.coll.UpdateOne(ctx, bson.M{"_id": owner}, bson.M{"$max": bson.M{"seq": seq + 1}}); err != nil {
				return keys, Err("feed "+owner, err)
			}
			seq, room = seq+1, f.cap
		} else {
			room = f.cap - n
		}
	}
	return keys, nil
}

// unlisted drops from entries those already in the newest buckets of
// owner (as many as the batch could fill, and one more), noting their keys.
func (f Feed[T]) unlisted(ctx context.Context, owner string, seq int, newest feedBucket[T], entries []Entry[T], keys map[string]string) ([]Entry[T], error) {
	out := entries[:0:0]
	found := map[string]string{}
	for s, b := seq, newest; s >= max(0, seq-len(entries)/f.cap-1); s-- {
		if s != seq {
			var err error
			if b, err = f.bucket(ctx, bucketKey(owner, s)); err != nil {
				return nil, err
			}
		}
		for id := range b.E {
			found[id] = bucketKey(owner, s)
		}
	}
	for _, e := range entries {
		if key, ok := found[e.ID]; ok {
			keys[e.ID] = key
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// appendChunk adds entries to bucket seq of owner in one update and returns
// the bucket's count after it; in a counted feed, errs.Conflict when one of
// them is already in the bucket or the one before.
func (f Feed[T]) appendChunk(ctx context.Context, owner string, seq int, entries []Entry[T]) (int, error) {
	key := bucketKey(owner, seq)
	filter, set := bson.M{"_id": key}, bson.M{"owner": owner, "seq": seq}
	sums := map[string]int64{"n": int64(len(entries))}
	for _, e := range entries {
		field := "e." + e.ID
		set[field] = e.Value
		if f.tally != nil {
			filter[field] = bson.M{"$exists": false}
			for name, d := range f.tally(e.Value) {
				sums["s."+name] += d
			}
		}
	}
	if f.tally != nil && seq > 0 {
		prev, err := f.bucket(ctx, bucketKey(owner, seq-1))
		if err != nil {
			return 0, err
		}
		for _, e := range entries {
			if _, ok := prev.E[e.ID]; ok {
				return 0, fmt.Errorf("entry %s of feed %s: %w", e.ID, owner, errs.Conflict)
			}
		}
	}
	inc := bson.M{}
	for name, d := range sums {
		inc[name] = d
	}
	var after struct {
		N int `bson:"n"`
	}
	update := bson.M{"$set": set, "$inc": inc}
	err := f.coll.FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&after)
	if IsDuplicateKey(err) {
		if f.tally != nil {
			return 0, fmt.Errorf("feed bucket %s holds one of the entries: %w", key, errs.Conflict)
		}
		// Two first appends created the bucket at once: update it.
		err = f.coll.FindOneAndUpdate(ctx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	}
	if err != nil {
		return 0, Err("feed bucket "+key, err)
	}
	return after.N, nil
}

// lastOfEach keeps the last entry of each id (a later one replaces it).
func lastOfEach[T any](entries []Entry[T]) []Entry[T] {
	at := make(map[string]int, len(entries))
	out := make([]Entry[T], 0, len(entries))
	for _, e := range entries {
		if i, ok := at[e.ID]; ok {
			out[i] = e
			continue
		}
		at[e.ID] = len(out)
		out = append(out, e)
	}
	return out
}
