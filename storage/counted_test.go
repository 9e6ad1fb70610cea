package storage_test

import (
	"sync"
	"testing"

	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

type money struct {
	Kind   string `bson:"kind"`
	Amount int64  `bson:"amount"`
}

func tally(m money) map[string]int64 { return map[string]int64{m.Kind: m.Amount, m.Kind + "_count": 1} }

// A storm of concurrent appends, each event sent twice (a retry after a lost
// answer) and racing with readers that fold buckets into the head: the
// totals equal a recount of the events, and a rebuild from the entries gives
// the same.
func TestCountedFeedTotalsEqualARecountAfterAStorm(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewCountedFeed(db.Collection("ledgers"), 6, tally)
	const writers, each = 6, 25
	want := map[string]int64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errc := make(chan error, writers*each*2+100)
	for w := range writers {
		wg.Go(func() {
			for j := range each {
				n := w*each + j
				m := money{Kind: []string{"payment", "refund"}[n%2], Amount: int64(100 + n)}
				mu.Lock()
				want[m.Kind] += m.Amount
				want[m.Kind+"_count"]++
				mu.Unlock()
				for range 2 { // the retry appends the same event again: counted once
					if _, err := f.Append(t.Context(), "l:a", id(n), m); err != nil {
						errc <- err
					}
				}
			}
		})
	}
	wg.Go(func() { // readers fold while the writers append
		for range 20 {
			if _, err := f.Totals(t.Context(), "l:a"); err != nil {
				errc <- err
			}
		}
	})
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		got, err := f.Totals(t.Context(), "l:a")
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: total %s = %d, a recount says %d", when, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: totals %v, want %v", when, got, want)
		}
	}
	check("after the storm")
	check("read again (folded)")
	listed := 0
	for cursor := "start"; cursor != ""; {
		if cursor == "start" {
			cursor = ""
		}
		p, err := f.Page(t.Context(), "l:a", cursor, 50, nil)
		if err != nil {
			t.Fatal(err)
		}
		listed, cursor = listed+len(p.Items), p.Next
	}
	if listed != writers*each {
		t.Fatalf("the feed lists %d entries, want %d", listed, writers*each)
	}

	// The rebuild command's path: the feed made again from its entries.
	var entries []storage.Entry[money]
	if err := f.Buckets(t.Context(), "l:a", func(_ string, e map[string]money) bool {
		for id, m := range e {
			entries = append(entries, storage.Entry[money]{ID: id, Value: m})
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Rebuild(t.Context(), "l:a", entries); err != nil {
		t.Fatal(err)
	}
	check("after a rebuild")
	if _, err := f.Totals(t.Context(), "nobody"); err != nil {
		t.Fatal(err)
	}
}

// Entries stay in a counted feed: removing one would leave its amount in the sums.
func TestCountedFeedRefusesRemove(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewCountedFeed(db.Collection("ledgers"), 6, tally)
	key, err := f.Append(t.Context(), "l:a", id(1), money{Kind: "payment", Amount: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(t.Context(), key, id(1)); err == nil {
		t.Fatal("Remove on a counted feed succeeded")
	}
}

// Members race to leave a counted set that must keep one: exactly one stays,
// the count equals the members, and adding twice counts once.
func TestCountedSetKeepsItsFloorUnderRaces(t *testing.T) {
	db := storagetest.DB(t)
	s := storage.NewSet[bool](db.Collection("sets"))
	for i := range 5 {
		for range 2 {
			if err := s.AddCounted(t.Context(), "admins", id(i), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.Count(t.Context(), "admins"); err != nil || n != 5 {
		t.Fatalf("count after adding 5 twice: %d %v, want 5", n, err)
	}
	var wg sync.WaitGroup
	removed := make([]bool, 5)
	for i := range 5 {
		wg.Go(func() {
			ok, err := s.RemoveCounted(t.Context(), "admins", id(i), 1)
			if err != nil {
				t.Error(err)
			}
			removed[i] = ok
		})
	}
	wg.Wait()
	left := 0
	for _, ok := range removed {
		if !ok {
			left++
		}
	}
	members, err := s.Members(t.Context(), "admins")
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Count(t.Context(), "admins")
	if err != nil || left != 1 || n != 1 || len(members) != 1 {
		t.Fatalf("after 5 racing removals keeping 1: %d refused, count %d, %d members (%v); want 1 each", left, n, len(members), err)
	}
	for m := range members {
		if ok, err := s.RemoveCounted(t.Context(), "admins", m, 0); err != nil || !ok {
			t.Fatalf("removing the last with no floor: %v %v", ok, err)
		}
		if ok, _ := s.RemoveCounted(t.Context(), "admins", m, 0); ok {
			t.Fatal("removing a member twice uncounted it twice")
		}
	}
}

// A batch appended at once fills buckets a chunk per update; retried (with
// new entries among the old) every entry is listed and counted once, and
// each key returned holds its entry.
func TestAppendManyCountsEachEntryOnce(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewCountedFeed(db.Collection("ledgers"), 6, tally)
	batch := func(from, to int) []storage.Entry[money] {
		var out []storage.Entry[money]
		for n := from; n < to; n++ {
			out = append(out, storage.Entry[money]{ID: id(n), Value: money{Kind: "payment", Amount: int64(n)}})
		}
		return out
	}
	if _, err := f.Append(t.Context(), "l:b", id(1000), money{Kind: "refund", Amount: 7}); err != nil {
		t.Fatal(err)
	}
	first, err := f.AppendMany(t.Context(), "l:b", batch(0, 20))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the retry, twice, with ten more
		if _, err := f.AppendMany(t.Context(), "l:b", batch(0, 30)); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(7)
	var sum int64
	for n := range 30 {
		sum += int64(n)
	}
	got, err := f.Totals(t.Context(), "l:b")
	if err != nil {
		t.Fatal(err)
	}
	if got["payment"] != sum || got["payment_count"] != 30 || got["refund"] != want {
		t.Fatalf("totals %v, want payment %d in 30 entries and refund 7", got, sum)
	}
	seen := map[string]int{}
	if err := f.Buckets(t.Context(), "l:b", func(key string, e map[string]money) bool {
		for id := range e {
			seen[id]++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 31 {
		t.Fatalf("the feed holds %d entries, want 31", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("entry %s is in %d buckets", id, n)
		}
	}
	for id, key := range first {
		var b struct {
			E map[string]money `bson:"e"`
		}
		if err := db.Collection("ledgers").FindOne(t.Context(), map[string]string{"_id": key}).Decode(&b); err != nil {
			t.Fatal(err)
		}
		if _, ok := b.E[id]; !ok {
			t.Errorf("AppendMany said %s is in %s; it is not", id, key)
		}
	}
}
