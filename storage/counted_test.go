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
