package frontend

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func TestValidationProblemListsFields(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, body := env.get(t, "/api/v1/initiatives?municipality=Medellin")
	if res.StatusCode != 422 {
		t.Fatalf("status: got %d, want 422", res.StatusCode)
	}
	p := decodeProblem(t, res, body)
	if len(p.Errors) != 1 || p.Errors[0].Field != "municipality" {
		t.Fatalf("errors: got %+v, want one for municipality", p.Errors)
	}
}

func TestAPIFailuresAreProblems(t *testing.T) {
	var logs bytes.Buffer
	env := newTestEnv(t, func(d *Deps) {
		d.BodyLimit = 4 << 10
		d.Logger = slogTo(&logs)
	}, func(r fiber.Router) {
		r.Get("/api/v1/test/panic", func(c *fiber.Ctx) error { panic("boom: secret detail") })
		r.Post("/api/v1/test/echo", func(c *fiber.Ctx) error {
			var v struct {
				Name string `json:"name"`
			}
			if err := kit.DecodeJSON(c, &v); err != nil {
				return err
			}
			return c.JSON(v)
		})
	})
	post := func(body, ctype string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/test/echo", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		return req
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantDetail string
	}{
		{"unknown route", httptest.NewRequest(http.MethodGet, "/api/v1/nothing-here", nil), 404, ""},
		{"panic", httptest.NewRequest(http.MethodGet, "/api/v1/test/panic", nil), 500, ""},
		{"malformed JSON", post(`{"name": "x",`, "application/json"), 400, "JSON ends too early"},
		{"syntax error", post(`{"name": x}`, "application/json"), 400, "malformed JSON at byte"},
		{"wrong type", post(`{"name": 5}`, "application/json"), 400, `field "name" must be string`},
		{"unknown field", post(`{"nmae": "x"}`, "application/json"), 400, `unknown field "nmae"`},
		{"two values", post(`{"name": "x"} {}`, "application/json"), 400, "single JSON value"},
		{"empty body", post(``, "application/json"), 400, "empty"},
		{"not JSON", post(`name=x`, "application/x-www-form-urlencoded"), 415, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.do(t, tt.req)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %d, want %d (body %s)", res.StatusCode, tt.wantStatus, body)
			}
			p := decodeProblem(t, res, body)
			if !strings.Contains(p.Detail, tt.wantDetail) {
				t.Fatalf("detail: got %q, want it to contain %q", p.Detail, tt.wantDetail)
			}
			if res.Header.Get("X-Request-ID") == "" || p.RequestID != res.Header.Get("X-Request-ID") {
				t.Fatalf("request id: got body %q header %q, want equal and set", p.RequestID, res.Header.Get("X-Request-ID"))
			}
			if strings.Contains(body, "secret") || strings.Contains(body, "goroutine") {
				t.Fatalf("body leaks internals: %s", body)
			}
		})
	}
	if !strings.Contains(logs.String(), "boom: secret detail") || !strings.Contains(logs.String(), "stack") {
		t.Fatalf("panic not logged with its stack; log:\n%s", logs.String())
	}
	res, body := env.do(t, post(`{"name": "Arepas"}`, "application/json"))
	if res.StatusCode != 200 || !strings.Contains(body, "Arepas") {
		t.Fatalf("valid JSON: got %d %s, want 200 echo", res.StatusCode, body)
	}
}

// The body limit is enforced by the HTTP server itself, so this one needs a real listener.
func TestOversizedBodyIs413(t *testing.T) {
	env := newTestEnv(t, func(d *Deps) { d.BodyLimit = 4 << 10 }, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.app.Listener(ln) }()
	t.Cleanup(func() { _ = env.app.Shutdown() })
	body := `{"name": "` + strings.Repeat("a", 8<<10) + `"}`
	res, err := http.Post("http://"+ln.Addr().String()+"/api/v1/initiatives", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status: got %d, want 413", res.StatusCode)
	}
	decodeProblem(t, res, string(b))
}

func TestPageErrorsAreSpanishPages(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, body := env.get(t, "/no-existe")
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("got %d %s, want 404 text/html", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "No encontramos esta página") {
		t.Fatalf("page does not say in Spanish that it was not found:\n%s", body)
	}
	_, body = env.get(t, "/no-existe", "Accept-Language", "en-US,en;q=0.9")
	if !strings.Contains(body, "We could not find this page") {
		t.Fatalf("English page missing its message:\n%s", body)
	}
}

func TestCSRFFailureExplainsItself(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	req := httptest.NewRequest(http.MethodPost, "/entrar", strings.NewReader("email=a%40b.co&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := env.do(t, req)
	if res.StatusCode != 403 || !strings.Contains(body, "La página venció") {
		t.Fatalf("page form without token: got %d, want 403 saying the page expired", res.StatusCode)
	}
}

// An unknown parent is 404 for everyone, admins included, and a body over
// the app's limit answers the route's own 413 message (structure issue).
func TestUnknownParentsAndBodyLimits(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	_, admin := env.user(t, "admin@tesoro.demo", []string{accounts.RoleAdmin})
	for _, path := range []string{"/api/v1/initiatives/000000000000000000000000/orders", "/api/v1/initiatives/000000000000000000000000/balance",
		"/api/v1/initiatives/000000000000000000000000/sessions", "/api/v1/products/000000000000000000000000/stock-adjustments",
		"/api/v1/initiatives/000000000000000000000000/products", "/api/v1/initiatives/000000000000000000000000/members"} {
		if res, body := env.do(t, request("GET", path, "", admin)); res.StatusCode != 404 || !strings.Contains(body, `"Not found"`) {
			t.Errorf("admin, GET %s: got %d %s, want 404", path, res.StatusCode, body)
		}
	}
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, adviser := env.user(t, "asesora@tesoro.demo", []string{accounts.RoleAdviser}, ini.ID)
	res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(time.Now().UTC().Format(time.DateOnly), ini.ID), adviser))
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	var created sessionCreated
	_ = json.Unmarshal([]byte(body), &created)
	// Over the app's body limit fasthttp stops reading before any handler:
	// a real listener shows what a client gets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.app.Listener(ln) }()
	t.Cleanup(func() { _ = env.app.Shutdown() })
	// The server answers from the headers (Content-Length over its limit)
	// and closes: send only them, then read the answer.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/sessions/%s/attachments HTTP/1.1\r\nHost: tesoro.test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", created.Session.ID, adviser, 11<<20)
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body = string(b)
	if res.StatusCode != 413 || !strings.Contains(body, "attachments are limited to 10 MB") || !strings.Contains(body, `"Payload too large"`) {
		t.Fatalf("an 11 MB attachment: got %d %s, want 413 with the attachments' limit", res.StatusCode, body)
	}
}
