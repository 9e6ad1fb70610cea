package frontend

import (
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// metrics counts requests per route and status and their durations, and
// writes them in the Prometheus text format at /metrics. Written by hand:
// a dozen lines do not need a client library.
type metrics struct {
	mu       sync.Mutex
	requests map[metricKey]*routeStats
	started  time.Time
}

type metricKey struct {
	method, route string
	code          int
}

type routeStats struct {
	count   uint64
	sum     float64  // seconds
	buckets []uint64 // cumulative counts per latencyBuckets bound
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func newMetrics() *metrics {
	return &metrics{requests: map[metricKey]*routeStats{}, started: time.Now()}
}

func (m *metrics) observe(method, route string, code int, took time.Duration) {
	secs := took.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	k := metricKey{method, route, code}
	st := m.requests[k]
	if st == nil {
		st = &routeStats{buckets: make([]uint64, len(latencyBuckets))}
		m.requests[k] = st
	}
	st.count++
	st.sum += secs
	for i, b := range latencyBuckets {
		if secs <= b {
			st.buckets[i]++
		}
	}
}

// routeOf names a request by its route pattern, never its raw path, so that
// ids do not make a new series each.
func routeOf(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil || (r.Path == "/" && c.Path() != "/") { // the final not-found handler
		return "unmatched"
	}
	return r.Path
}

// serve writes the exposition. Only callers on loopback or a private network
// (a Prometheus next to the app) may read it.
func (m *metrics) serve(c *fiber.Ctx) error {
	if ip := net.ParseIP(c.IP()); ip == nil || !(ip.IsLoopback() || ip.IsPrivate()) {
		return fiber.ErrNotFound
	}
	m.mu.Lock()
	keys := make([]metricKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b metricKey) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	var b strings.Builder
	b.WriteString("# HELP tesoro_http_requests_total HTTP requests by method, route and status.\n# TYPE tesoro_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "tesoro_http_requests_total{method=%q,route=%q,code=\"%d\"} %d\n", k.method, k.route, k.code, m.requests[k].count)
	}
	b.WriteString("# HELP tesoro_http_request_duration_seconds Time to answer, by method and route.\n# TYPE tesoro_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		st := m.requests[k]
		labels := fmt.Sprintf("method=%q,route=%q,code=\"%d\"", k.method, k.route, k.code)
		for i, bound := range latencyBuckets {
			fmt.Fprintf(&b, "tesoro_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", labels, bound, st.buckets[i])
		}
		fmt.Fprintf(&b, "tesoro_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, st.count)
		fmt.Fprintf(&b, "tesoro_http_request_duration_seconds_sum{%s} %g\n", labels, st.sum)
		fmt.Fprintf(&b, "tesoro_http_request_duration_seconds_count{%s} %d\n", labels, st.count)
	}
	m.mu.Unlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&b, "# TYPE tesoro_goroutines gauge\ntesoro_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(&b, "# TYPE tesoro_heap_bytes gauge\ntesoro_heap_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintf(&b, "# TYPE tesoro_uptime_seconds gauge\ntesoro_uptime_seconds %g\n", time.Since(m.started).Seconds())
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(b.String())
}
