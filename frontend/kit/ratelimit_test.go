package kit

import (
	"testing"
	"time"
)

func TestAddressLimitCountsEachAddressPerWindow(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	l := NewAddressLimit(2, time.Minute)
	l.now = func() time.Time { return now }
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("10.0.0.1"); ok != want {
			t.Fatalf("request %d from one address: %v, want %v", i+1, ok, want)
		}
	}
	if ok, _ := l.allow("10.0.0.2"); !ok {
		t.Fatal("another address was refused")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.allow("10.0.0.1"); !ok {
		t.Fatal("a new window still refused the address")
	}
	if len(l.count) != 1 {
		t.Fatalf("the new window holds %d addresses, want only the one seen since", len(l.count))
	}
}
