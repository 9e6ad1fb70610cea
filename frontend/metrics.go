package frontend

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts requests per method, route and status and their durations,
// plus the Go runtime and process figures, in a registry of its own (one per
// server, so tests and several servers in one process never collide).
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  fiber.Handler
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tesoro_http_requests_total",
			Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tesoro_http_request_duration_seconds",
			Help:    "Time to answer, by method, route and status.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"method", "route", "code"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return m
}

// knownMethods bounds the method label to constants: any other verb a client
// sends is counted as "other", so a scanner cannot mint series.
var knownMethods = map[string]string{
	"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH",
	"DELETE": "DELETE", "OPTIONS": "OPTIONS",
}

func methodLabel(m string) string {
	if k, ok := knownMethods[m]; ok {
		return k
	}
	return "other"
}

// observe records one answered request. The route is cloned because the
// registry keeps label values for the life of the process, past the request
// whose buffers they may come from.
func (m *metrics) observe(method, route string, code int, took time.Duration) {
	labels := []string{methodLabel(method), strings.Clone(route), strconv.Itoa(code)}
	m.requests.WithLabelValues(labels...).Inc()
	m.duration.WithLabelValues(labels...).Observe(took.Seconds())
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
	c.Set(fiber.HeaderCacheControl, "no-store")
	return m.handler(c)
}
