package storage_test

import (
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

type item struct {
	Status string `bson:"status"`
	N      int    `bson:"n"`
}

func id(i int) string { return fmt.Sprintf("e%05d", i) }

// readAll pages through owner's feed and returns the ids in page order.
func readAll(t *testing.T, f storage.Feed[item], owner string, limit int, keep func(item) bool) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 1000 {
		p, err := f.Page(t.Context(), owner, cursor, limit, keep)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		for _, e := range p.Items {
			ids = append(ids, e.ID)
		}
		if p.Next == "" {
			return ids
		}
		cursor = p.Next
	}
	t.Fatal("paging did not end")
	return nil
}

func TestFeedPagesSpanBucketsNewestFirst(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewFeed[item](db.Collection("feeds"), 5)
	keys := map[string]bool{}
	scans := storagetest.ScansDuring(db, func() {
		for i := range 23 {
			key, err := f.Append(t.Context(), "init1", id(i), item{Status: "pending", N: i})
			if err != nil {
				t.Fatal(err)
			}
			keys[key] = true
		}
	})
	if len(keys) != 5 {
		t.Errorf("23 entries in buckets of 5 took %d buckets, want 5", len(keys))
	}
	var got []string
	scans = append(scans, storagetest.ScansDuring(db, func() { got = readAll(t, f, "init1", 7, nil) })...)
	if len(got) != 23 {
		t.Fatalf("listed %d entries, want 23: %v", len(got), got)
	}
	for i, g := range got {
		if want := id(22 - i); g != want {
			t.Fatalf("entry %d is %s, want %s (newest first)", i, g, want)
		}
	}
	if len(scans) > 0 {
		t.Errorf("feed reads and writes scanned: %+v", scans)
	}
	// Another owner's entries never show.
	if _, err := f.Append(t.Context(), "init2", id(99), item{}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, f, "init1", 50, nil); len(got) != 23 {
		t.Errorf("init1 lists %d entries after init2 got one, want 23", len(got))
	}
}

func TestFeedCursorStableWhileEntriesArrive(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewFeed[item](db.Collection("feeds"), 4)
	for i := range 10 {
		if _, err := f.Append(t.Context(), "o", id(i), item{}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := f.Page(t.Context(), "o", "", 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	// New entries arrive (and roll the head over) between two pages.
	for i := 10; i < 20; i++ {
		if _, err := f.Append(t.Context(), "o", id(i), item{}); err != nil {
			t.Fatal(err)
		}
	}
	var rest []string
	cursor := first.Next
	for cursor != "" {
		p, err := f.Page(t.Context(), "o", cursor, 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Items {
			rest = append(rest, e.ID)
		}
		cursor = p.Next
	}
	want := []string{id(6), id(5), id(4), id(3), id(2), id(1), id(0)}
	if fmt.Sprint(rest) != fmt.Sprint(want) {
		t.Errorf("after the first page got %v, want %v (no entry twice, none missed)", rest, want)
	}
}

func TestFeedFilterAndUpdates(t *testing.T) {
	db := storagetest.DB(t)
	f := storage.NewFeed[item](db.Collection("feeds"), 3)
	keys := map[string]string{}
	for i := range 8 { // the last bucket holds 2 of 3
		key, err := f.Append(t.Context(), "o", id(i), item{Status: "pending"})
		if err != nil {
			t.Fatal(err)
		}
		keys[id(i)] = key
	}
	// A status change is a $set where Append put the entry; a retried append
	// of an entry already in the newest bucket does not add it twice.
	for _, i := range []int{1, 4, 7} {
		if err := f.Put(t.Context(), keys[id(i)], id(i), item{Status: "delivered"}); err != nil {
			t.Fatal(err)
		}
	}
	if key, err := f.Append(t.Context(), "o", id(7), item{Status: "delivered"}); err != nil || key != keys[id(7)] {
		t.Fatalf("re-append: key %q, %v; want %q", key, err, keys[id(7)])
	}
	if err := f.Remove(t.Context(), keys[id(4)], id(4)); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, f, "o", 2, func(v item) bool { return v.Status == "delivered" })
	if want := []string{id(7), id(1)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivered entries: %v, want %v", got, want)
	}
	if all := readAll(t, f, "o", 100, nil); len(all) != 7 {
		t.Errorf("listed %d entries after one removal, want 7 (the re-appended one once)", len(all))
	}
	if key, err := f.Locate(t.Context(), "o", id(7)); err != nil || key != keys[id(7)] {
		t.Errorf("Locate newest entry: %q, %v; want %q", key, err, keys[id(7)])
	}
	if key, err := f.Locate(t.Context(), "o", "nothere"); err != nil || key != "" {
		t.Errorf("Locate missing entry: %q, %v; want empty", key, err)
	}
	if _, err := f.Page(t.Context(), "o", "x.y", 10, nil); err == nil {
		t.Error("a cursor the feed never gave was accepted")
	}
	if _, err := f.Append(t.Context(), "o", "a.b", item{}); err == nil {
		t.Error("an entry id with a dot was accepted (it would address a nested field)")
	}
}

func TestFeedConcurrentAppendsToANearlyFullBucket(t *testing.T) {
	db := storagetest.DB(t)
	coll := db.Collection("feeds")
	const capacity = 10
	f := storage.NewFeed[item](coll, capacity)
	for i := range capacity - 2 {
		if _, err := f.Append(t.Context(), "o", id(i), item{}); err != nil {
			t.Fatal(err)
		}
	}
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errc := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for j := range each {
				if _, err := f.Append(t.Context(), "o", id(1000+w*each+j), item{}); err != nil {
					errc <- err
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	got := readAll(t, f, "o", 7, nil)
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	if want := capacity - 2 + writers*each; len(got) != want || len(seen) != want {
		t.Fatalf("listed %d entries (%d distinct), want %d each once", len(got), len(seen), want)
	}
	cur, err := coll.Find(t.Context(), bson.M{"n": bson.M{"$exists": true}})
	if err != nil {
		t.Fatal(err)
	}
	var buckets []struct {
		N int            `bson:"n"`
		E map[string]any `bson:"e"`
	}
	if err := cur.All(t.Context(), &buckets); err != nil {
		t.Fatal(err)
	}
	// A bucket fills past its capacity only by the appends racing with the
	// one that filled it (one connection here: at most the writers).
	for _, b := range buckets {
		if b.N > capacity+writers || len(b.E) != b.N {
			t.Errorf("bucket holds %d entries, counts %d (capacity %d, %d writers)", len(b.E), b.N, capacity, writers)
		}
	}
}

func TestSetMembers(t *testing.T) {
	db := storagetest.DB(t)
	s := storage.NewSet[item](db.Collection("sets"))
	scans := storagetest.ScansDuring(db, func() {
		if err := s.Put(t.Context(), "board:a", map[string]item{"o1": {N: 1}, "o2": {N: 2}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(t.Context(), "board:a", "o3", item{N: 3}); err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(t.Context(), "board:a", "o1", "absent"); err != nil {
			t.Fatal(err)
		}
		m, err := s.Members(t.Context(), "board:a")
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 2 || m["o2"].N != 2 || m["o3"].N != 3 {
			t.Errorf("members %v, want o2 and o3", m)
		}
		if m, err := s.Members(t.Context(), "board:none"); err != nil || len(m) != 0 {
			t.Errorf("a set never written: %v, %v; want empty", m, err)
		}
	})
	if len(scans) > 0 {
		t.Errorf("set operations scanned: %+v", scans)
	}
	if err := s.Add(t.Context(), "x", "$where", item{}); err == nil {
		t.Error("a member id starting with $ was accepted")
	}
}

// The scan log must catch a query by anything but _id, or the tests that
// rely on it prove nothing.
func TestScanLogCatchesQueriesNotByID(t *testing.T) {
	db := storagetest.DB(t)
	coll := db.Collection("things")
	if _, err := coll.InsertOne(t.Context(), bson.M{"_id": "a", "status": "x"}); err != nil {
		t.Fatal(err)
	}
	byID := storagetest.ScansDuring(db, func() {
		_ = coll.FindOne(t.Context(), bson.M{"_id": "a", "status": "x"}).Err()
		_, _ = coll.UpdateOne(t.Context(), bson.M{"_id": "a"}, bson.M{"$set": bson.M{"y": 1}})
		_, _ = coll.CountDocuments(t.Context(), bson.M{"_id": "a"})
	})
	if len(byID) != 0 {
		t.Errorf("queries by _id reported as scans: %+v", byID)
	}
	scans := storagetest.ScansDuring(db, func() {
		_ = coll.FindOne(t.Context(), bson.M{"status": "x"}).Err()
		_, _ = coll.UpdateMany(t.Context(), bson.M{"status": "x"}, bson.M{"$set": bson.M{"y": 2}})
		_, _ = coll.DeleteMany(t.Context(), bson.M{"_id": bson.M{"$in": bson.A{"a"}}})
		_, _ = coll.CountDocuments(t.Context(), bson.M{})
	})
	if len(scans) != 4 {
		t.Errorf("got %d scans, want 4 (find, update, delete by $in, count): %+v", len(scans), scans)
	}
}
