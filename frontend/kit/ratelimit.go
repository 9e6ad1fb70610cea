package kit

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/errs"
)

// CheckoutsPerAddress bounds the checkouts one address may start in a
// minute. Buyers at a fair share one hot-spot address and the stable core
// promises them at least 600 a minute; this is twice that, so it stops only a
// script hoarding stock with a flood of orders (each order also expires when
// no producer confirms it: orders.Options.PendingOrderTTL).
const CheckoutsPerAddress = 1200

// AddressLimit counts requests per client address in fixed windows, in this
// process's memory: a flood guard, not an account limit (those are shared
// through the database, see accounts.RateLimits). The map is replaced at each
// window, so it holds at most one window's addresses.
type AddressLimit struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	start time.Time
	count map[string]int
}

func NewAddressLimit(max int, window time.Duration) *AddressLimit {
	return &AddressLimit{max: max, window: window, now: time.Now, count: map[string]int{}}
}

// allow counts one request from addr; when over the limit it says how long
// until the window ends.
func (l *AddressLimit) allow(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.window {
		l.start, l.count = now, map[string]int{}
	}
	l.count[addr]++
	if l.count[addr] > l.max {
		return false, l.window - now.Sub(l.start)
	}
	return true, 0
}

// Limited answers 429 (with Retry-After) to an address over l.
func Limited(l *AddressLimit) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, wait := l.allow(c.IP()) // c.IP() is a copy (Immutable)
		if !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait.Seconds()+0.5))))
			return &errs.RetryError{What: "checkout from this address", After: wait}
		}
		return c.Next()
	}
}
