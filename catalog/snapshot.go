package catalog

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
)

// snapshot is the public catalog held in memory: every active product, sorted
// each way the marketplace sorts. The embedded database scans a collection on
// every query, so public reads never touch it; a snapshot is replaced whole,
// never changed, so readers need no lock.
type snapshot struct {
	version  int64
	byNewest []*Product // newest first
	byPrice  []*Product // cheapest first
	byID     map[string]*Product
	search   map[string]string // product id → folded text
}

func buildSnapshot(version int64, products []Product) *snapshot {
	s := &snapshot{version: version, byID: make(map[string]*Product, len(products)), search: make(map[string]string, len(products))}
	for i := range products {
		p := &products[i]
		s.byNewest = append(s.byNewest, p)
		s.byID[p.ID] = p
		s.search[p.ID] = searchText(*p)
	}
	slices.SortFunc(s.byNewest, func(a, b *Product) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	s.byPrice = slices.Clone(s.byNewest)
	slices.SortFunc(s.byPrice, func(a, b *Product) int {
		return cmp.Or(cmp.Compare(a.Price.Amount, b.Price.Amount), strings.Compare(a.ID, b.ID))
	})
	return s
}

// snapshotHolder keeps the current snapshot fresh: a write on this instance
// reloads it before the next read; writes on other instances are seen through
// the version counter, checked at most once per checkEvery. Readers never wait
// for that check: while one request refreshes, the others get the current
// snapshot.
type snapshotHolder struct {
	cur        atomic.Pointer[snapshot]
	dirty      atomic.Bool
	checkedAt  atomic.Int64 // unix nanoseconds of the last version check, failed or not
	mu         sync.Mutex   // one refresher at a time
	checkEvery time.Duration
}

// publicSnapshot returns a snapshot no older than checkEvery (or the last good
// one while the database does not answer).
func (s *Service) publicSnapshot(ctx context.Context) (*snapshot, error) {
	h := &s.snap
	cur := h.cur.Load()
	fresh := func() bool {
		return !h.dirty.Load() && time.Since(time.Unix(0, h.checkedAt.Load())) < h.checkEvery
	}
	if cur != nil && fresh() {
		return cur, nil
	}
	if cur != nil && !h.dirty.Load() {
		if !h.mu.TryLock() {
			return cur, nil // someone is already checking
		}
	} else {
		h.mu.Lock() // first load, or a write here that the caller must see
	}
	defer h.mu.Unlock()
	if cur = h.cur.Load(); cur != nil && fresh() {
		return cur, nil
	}
	h.checkedAt.Store(time.Now().UnixNano())
	wasDirty := h.dirty.Swap(false)
	v, err := s.products.version(ctx)
	if err == nil && cur != nil && !wasDirty && v == cur.version {
		return cur, nil
	}
	var products []Product
	if err == nil {
		products, err = s.products.allActive(ctx)
	}
	if err != nil {
		if wasDirty {
			h.dirty.Store(true)
		}
		if cur != nil {
			return cur, nil // serve the last good catalog while the database hiccups
		}
		return nil, err
	}
	for i := range products {
		products[i] = s.withURLs(products[i]) // once per load, not per request
	}
	next := buildSnapshot(v, products)
	h.cur.Store(next)
	return next, nil
}

// productsChanged records a change other instances must see and makes this
// instance reload before its next read.
func (s *Service) productsChanged(ctx context.Context) error {
	err := s.products.bumpVersion(ctx)
	s.snap.dirty.Store(true)
	return err
}

// stockChanged is productsChanged for stock moves, which are many (every
// order): other instances see the new version on their next check, and this
// one patches the product's stock into its snapshot at once (a copy: readers
// of the old one are not disturbed), so whoever made the move reads it back.
// A zero p (several products changed) makes the snapshot reload instead.
func (s *Service) stockChanged(ctx context.Context, p Product) {
	_ = s.products.bumpVersion(ctx)
	if p.ID == "" {
		s.snap.dirty.Store(true)
		return
	}
	s.snap.mu.Lock()
	defer s.snap.mu.Unlock()
	if cur := s.snap.cur.Load(); cur != nil {
		if next, ok := cur.withStock(p.ID, p.Stock); ok {
			s.snap.cur.Store(next)
		}
	}
}

// withStock is a copy of the snapshot with one product's stock replaced;
// false when the product is not in it.
func (s *snapshot) withStock(id string, stock *int64) (*snapshot, bool) {
	old, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	p := *old
	if stock != nil {
		v := *stock
		p.Stock = &v
	} else {
		p.Stock = nil
	}
	swap := func(list []*Product) []*Product {
		out := slices.Clone(list)
		for i, q := range out {
			if q == old {
				out[i] = &p
			}
		}
		return out
	}
	next := &snapshot{version: s.version, byNewest: swap(s.byNewest), byPrice: swap(s.byPrice),
		byID: make(map[string]*Product, len(s.byID)), search: s.search}
	for k, v := range s.byID {
		next.byID[k] = v
	}
	next.byID[id] = &p
	return next, true
}

// Sorts of the public product list.
const (
	SortNewest    = "newest"
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
)

// ProductQuery filters the public catalog; zero values select all.
type ProductQuery struct {
	InitiativeID string
	Municipality string
	Category     string
	Text         string
	Sort         string
	Cursor       string
	Limit        int
}

// SnapshotVersion is the version of the catalog the public lists come from;
// the HTTP layer uses it to cache encoded pages.
func (s *Service) SnapshotVersion(ctx context.Context) (int64, error) {
	snap, err := s.publicSnapshot(ctx)
	if err != nil {
		return 0, err
	}
	return snap.version, nil
}

// PublicProducts lists active products from the snapshot. The cursor is the
// sort position of the last item returned, so a page boundary stays put when
// products are added or removed elsewhere in the list.
func (s *Service) PublicProducts(ctx context.Context, q ProductQuery) ([]Product, string, error) {
	var f errs.Fields
	if q.Sort == "" {
		q.Sort = SortNewest
	}
	if q.Sort != SortNewest && q.Sort != SortPriceAsc && q.Sort != SortPriceDesc {
		f.Add("sort", errs.CodeUnknown, "must be newest, price_asc or price_desc")
	}
	if q.Municipality != "" {
		if m, ok := LookupMunicipality(q.Municipality); ok {
			q.Municipality = m.Name
		} else {
			f.Add("municipality", errs.CodeUnknown, "unknown municipality")
		}
	}
	if q.Category != "" && !slices.Contains(Categories, q.Category) {
		f.Add("category", errs.CodeUnknown, "unknown category")
	}
	after, err := decodeCursor(q.Cursor, q.Sort)
	if err != nil {
		f.Add("cursor", errs.CodeInvalid, "is not a cursor of this list")
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	snap, err := s.publicSnapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	list := snap.byNewest
	if q.Sort != SortNewest {
		list = snap.byPrice
	}
	words := strings.Fields(Fold(q.Text)) // every word must appear, in any order
	out := make([]Product, 0, q.Limit)
	n := len(list)
	for i := range n {
		p := list[i]
		if q.Sort == SortPriceDesc {
			p = list[n-1-i]
		}
		if after != nil && !after.before(p, q.Sort) {
			continue
		}
		if (q.InitiativeID != "" && p.InitiativeID != q.InitiativeID) ||
			(q.Municipality != "" && p.Municipality != q.Municipality) ||
			(q.Category != "" && p.Category != q.Category) ||
			!containsAll(snap.search[p.ID], words) {
			continue
		}
		if len(out) == q.Limit {
			return out, encodeCursor(out[len(out)-1], q.Sort), nil
		}
		out = append(out, *p)
	}
	return out, "", nil
}

// cursor is a position in a sorted list: the sort key and id of an item.
type cursor struct {
	key int64
	id  string
}

func sortKey(p *Product, sort string) int64 {
	if sort == SortNewest {
		return p.CreatedAt.UnixMilli()
	}
	return p.Price.Amount
}

// before reports whether c comes before p in the sort order (p is after the cursor).
func (c *cursor) before(p *Product, sort string) bool {
	k := sortKey(p, sort)
	switch sort {
	case SortNewest, SortPriceDesc: // descending
		return k < c.key || (k == c.key && cmpID(p.ID, c.id, sort) > 0)
	default: // ascending
		return k > c.key || (k == c.key && p.ID > c.id)
	}
}

// cmpID orders ties the way the lists do: newest by id descending, price
// descending as the reverse of the ascending list.
func cmpID(a, b, sort string) int {
	if sort == SortNewest || sort == SortPriceDesc {
		return strings.Compare(b, a)
	}
	return strings.Compare(a, b)
}

func encodeCursor(p Product, sort string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s|%d|%s", sort, sortKey(&p, sort), p.ID)))
}

func decodeCursor(s, sort string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 || parts[0] != sort {
		return nil, fmt.Errorf("cursor of another list")
	}
	key, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return nil, err
	}
	return &cursor{key: key, id: parts[2]}, nil
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
