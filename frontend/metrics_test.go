package frontend

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
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
		`tesoro_http_requests_total{method="GET",route="/api/v1/initiatives/:id",code="200"} 2`,
		`tesoro_http_requests_total{method="GET",route="/api/v1/initiatives/:id",code="404"} 1`,
		`tesoro_http_requests_total{method="GET",route="unmatched",code="404"} 1`,
		`tesoro_http_request_duration_seconds_count{method="GET",route="/api/v1/initiatives/:id",code="200"} 2`,
		"tesoro_goroutines ",
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
