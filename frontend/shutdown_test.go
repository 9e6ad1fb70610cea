package frontend

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A request in flight when the program stops still gets its answer.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	started := make(chan struct{})
	env := newTestEnv(t, nil, func(r fiber.Router) {
		r.Get("/api/v1/test/slow", func(c *fiber.Ctx) error {
			close(started)
			time.Sleep(300 * time.Millisecond)
			return c.SendString("finished")
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- env.app.Listener(ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/api/v1/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{res.StatusCode, string(b), err}
	}()
	<-started
	if err := env.app.ShutdownWithTimeout(5 * time.Second); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	r := <-got
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: got %d %q %v, want 200 finished", r.status, r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve returned %v after shutdown", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("new request after shutdown: got an answer, want refused")
	}
}
