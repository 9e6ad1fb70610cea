package frontend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// testEnv is an app on a fresh real database and a local object store.
type testEnv struct {
	app       *fiber.App
	catalog   *catalog.Service
	accounts  *accounts.Service
	mentoring *mentoring.Service
	orders    *orders.Service
	objects   storage.ObjectStore
	db        *mongo.Database
}

const testWebhookSecret = "whsec_test"

// stripeTestKey enables card payments only when stripe-mock runs.
func stripeTestKey() string {
	if os.Getenv("TESORO_TEST_STRIPE_MOCK") == "" {
		return ""
	}
	return "sk_test_123"
}

// testArgon2 keeps password hashing cheap in tests that are not about it.
var testArgon2 = accounts.Argon2Params{Time: 1, Memory: 1 << 10, Threads: 1}

func newTestEnv(t testing.TB, mutate func(*Deps), extra func(fiber.Router)) *testEnv {
	t.Helper()
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(db, objects)
	acc := accounts.NewService(db, accounts.Options{Argon2: testArgon2})
	men := mentoring.NewService(db, mentoring.Options{Initiatives: cat.MissingInitiatives, Objects: objects})
	// Card payments against stripe-mock when the test script started it.
	ord := orders.NewService(db, cat, orders.Options{Logger: slog.New(slog.DiscardHandler), Stripe: orders.NewStripe(orders.StripeConfig{
		SecretKey: stripeTestKey(), WebhookSecret: testWebhookSecret, SiteURL: "http://tesoro.test", APIURL: os.Getenv("TESORO_TEST_STRIPE_MOCK")})})
	for _, ensure := range []func(context.Context) error{cat.EnsureIndexes, acc.EnsureIndexes, men.EnsureIndexes, ord.EnsureIndexes} {
		if err := ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	d := Deps{Accounts: acc, Catalog: cat, Mentoring: men, Orders: ord, DB: dbPinger{db.Client()}, Objects: objects, Logger: slog.New(slog.DiscardHandler)}
	if mutate != nil {
		mutate(&d)
	}
	app, err := newApp(d, extra)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{app: app, catalog: cat, accounts: acc, mentoring: men, orders: ord, objects: objects, db: db}
}

// do sends req through the whole middleware stack and checks an /api answer
// against openapi.json.
func (e *testEnv) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	var reqBody []byte
	if req.Body != nil && checksContract(req.URL.Path) {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			t.Fatal(err)
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkContract(t, req, reqBody, res, b)
	return res, string(b)
}

func (e *testEnv) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(t, req)
}

func decodeProblem(t *testing.T, res *http.Response, body string) kit.Problem {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type: got %q, want application/problem+json (body %s)", ct, body)
	}
	var p kit.Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Status != res.StatusCode {
		t.Fatalf("problem status: got %d, want the response status %d", p.Status, res.StatusCode)
	}
	return p
}

func createInitiative(t *testing.T, cat *catalog.Service, name, municipality string) catalog.Initiative {
	t.Helper()
	in, err := cat.CreateInitiative(t.Context(), catalog.InitiativeInput{Name: name, Municipality: municipality, Kind: "bakery", Description: "Pan de papa"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// user creates an account with the given roles and initiatives and returns it
// with a bearer token for it.
func (e *testEnv) user(t *testing.T, email string, roles []string, initiatives ...string) (accounts.User, string) {
	t.Helper()
	admin := &accounts.Principal{UserID: "test", Roles: []string{accounts.RoleAdmin}}
	u, err := e.accounts.CreateUser(t.Context(), admin, accounts.NewUser{Email: email, Name: "Usuaria de prueba",
		Password: testPassword, Roles: roles, InitiativeIDs: initiatives}, accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	token, _, err := e.accounts.Login(t.Context(), email, testPassword, accounts.KindBearer, accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return u, token
}

const testPassword = "clave-segura-123"

// request builds a request with an optional JSON body and bearer token.
func request(method, path, body, token string) *http.Request {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// boardPath and myInitiativePath are the producer's pages of an initiative.
func myInitiativePath(id string) string { return "/mi-iniciativa/" + id }
func boardPath(id string) string        { return myInitiativePath(id) + "/pedidos" }
