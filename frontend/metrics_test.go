package frontend

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMetricsCountRoutesNotIDs(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	in := createInitiative(t, env.catalog, "Panadería", "Mongua")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.app.Listener(ln) }()
	t.Cleanup(func() { _ = env.app.Shutdown() })
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	get("/api/v1/initiatives/" + in.ID)
	get("/api/v1/initiatives/" + in.ID)
	get("/api/v1/initiatives/nope")
	get("/no/such/page")
	status, body := get("/metrics")
	if status != 200 {
		t.Fatalf("/metrics from loopback: got %d, want 200", status)
	}
	for _, want := range []string{
		`tesoro_http_requests_total{code="200",method="GET",route="/api/v1/initiatives/:id"} 2`,
		`tesoro_http_requests_total{code="404",method="GET",route="/api/v1/initiatives/:id"} 1`,
		`tesoro_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`tesoro_http_request_duration_seconds_count{code="200",method="GET",route="/api/v1/initiatives/:id"} 2`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, in.ID) {
		t.Error("/metrics names a record id: series must be per route")
	}
	// From outside a private network it does not exist (app.Test has no loopback address).
	if res, _ := env.get(t, "/metrics"); res.StatusCode != 404 {
		t.Fatalf("/metrics from a public address: got %d, want 404", res.StatusCode)
	}
}

// A scrape after requests with several methods on one keep-alive connection
// once panicked holding the metrics lock (the method label aliased fasthttp's
// reused buffer), after which every request hung. The server must keep
// answering, and the series must name the real methods.
func TestMetricsScrapeAfterManyMethodsKeepsServing(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.app.Listener(ln) }()
	t.Cleanup(func() { _ = env.app.Shutdown() })
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	do := func(method, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, base+path, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for range 3 {
		for _, m := range []string{"GET", "POST", "DELETE", "PATCH"} {
			do(m, "/healthz")
		}
		if code, _ := do("GET", "/metrics"); code != 200 {
			t.Fatalf("/metrics: got %d, want 200", code)
		}
	}
	if code, body := do("GET", "/healthz"); code != 200 || body != "ok" {
		t.Fatalf("/healthz after scrapes: got %d %q, want 200 ok", code, body)
	}
	_, body := do("GET", "/metrics")
	if want := `tesoro_http_requests_total{code="200",method="GET",route="/healthz"} 4`; !strings.Contains(body, want) {
		t.Errorf("/metrics lacks %q", want)
	}
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "tesoro_http_requests_total{") {
			continue
		}
		i := strings.Index(line, `method="`)
		m, _, _ := strings.Cut(line[i+len(`method="`):], `"`)
		if _, ok := knownMethods[m]; !ok && m != "other" {
			t.Errorf("series with method %q: %s", m, line)
		}
	}
}
