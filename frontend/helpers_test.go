// The test helpers of the HTTP tests, all in this file: the environment
// (real services on the embedded database, the app assembled as in
// production), API requests with bearer tokens, a browser-like visitor with
// cookies and CSRF for the pages, the producer's environment, fixtures and
// assertions. The tests beside it go through the whole app, named after the
// file they exercise: api_<resource>_test.go, pages_<area>_test.go.
package frontend

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/frontend/pages"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// testEnv is an app on a fresh real database and a local object store.
type testEnv struct {
	app       *fiber.App
	catalog   *catalog.Service
	accounts  *accounts.Service
	fairs     *fairs.Service
	mentoring *mentoring.Service
	orders    *orders.Service
	progress  *progress.Service
	commit    *programme.Commitments
	practices *programme.Practices
	training  *programme.Training
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
	var prog *progress.Service
	men := mentoring.NewService(db, mentoring.Options{Initiatives: cat.MissingInitiatives, Objects: objects,
		Listed: func(ctx context.Context, before *mentoring.Session, after mentoring.Session) error {
			return prog.SessionListed(ctx, before, after)
		}})
	tra := programme.NewTraining(db, programme.TrainingOptions{Objects: objects, Audit: acc.Audit,
		Members: func(ctx context.Context, ini string) ([]catalog.Member, error) {
			return cat.Members(ctx, accounts.System, ini)
		}})
	// Card payments against stripe-mock when the test script started it.
	com := programme.NewCommitments(db, programme.CommitmentOptions{Audit: acc.Audit, Member: cat.MemberName})
	prog = progress.NewService(db, progress.Options{HasProducts: cat.HasActiveProducts, Catalog: cat, Mentoring: men, Objects: objects, Commitments: com.States, Trained: tra.Counts})
	ord := orders.NewService(db, cat, orders.Options{Logger: slog.New(slog.DiscardHandler), Count: prog.Count, Stripe: orders.NewStripe(orders.StripeConfig{
		SecretKey: stripeTestKey(), WebhookSecret: testWebhookSecret, SiteURL: "http://tesoro.test", APIURL: os.Getenv("TESORO_TEST_STRIPE_MOCK")})})
	fai := fairs.NewService(db, fairs.Options{Initiatives: cat.MissingInitiatives, Catalog: cat, Orders: ord,
		UserExists: func(ctx context.Context, id string) (bool, error) {
			_, err := acc.User(ctx, accounts.System, id)
			if errors.Is(err, errs.NotFound) {
				return false, nil
			}
			return err == nil, err
		}})
	practices := programme.NewPractices(db, programme.PracticesOptions{Mentoring: men, Objects: objects,
		Initiative: func(ctx context.Context, id string) (programme.InitiativeRef, error) {
			in, err := cat.Initiative(ctx, id)
			return programme.InitiativeRef{Name: in.Name, Municipality: in.Municipality, Department: in.Department}, err
		}})
	for _, ensure := range []func(context.Context) error{cat.EnsureIndexes, acc.EnsureIndexes, men.EnsureIndexes, ord.EnsureIndexes} {
		if err := ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	d := Deps{Accounts: acc, Catalog: cat, Fairs: fai, Mentoring: men, Orders: ord, Progress: prog, Commitments: com, Practices: practices, Training: tra, DB: dbPinger{db.Client()}, Objects: objects, Logger: logOnFailure(t)}
	if mutate != nil {
		mutate(&d)
	}
	app, err := newApp(d, extra)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{app: app, catalog: cat, accounts: acc, fairs: fai, mentoring: men, orders: ord, progress: prog, commit: com, practices: practices, training: tra, objects: objects, db: db}
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
	in, err := cat.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: name, Municipality: municipality, Kind: "bakery", Description: "Pan de papa"})
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

// withExif inserts an APP1 Exif segment holding GPS text right after the SOI
// marker, as a phone camera would.
func withExif(jpg []byte, marker string) []byte {
	payload := append([]byte("Exif\x00\x00GPSLatitude "), marker...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// sessionJSON is a valid new session for the initiatives, held on date.
func sessionJSON(date string, initiatives ...string) string {
	ids, _ := json.Marshal(initiatives)
	return fmt.Sprintf(`{"initiative_ids": %s, "date": %q, "duration_minutes": 90, "modality": "visit",
		"topics": ["accounting", "marketing"], "participants": {"women": 3, "men": 1, "youth": 2},
		"notes": "Revisamos el cuaderno de cuentas", "agreements": [{"text": "Llevar el registro diario de ventas", "owner": "Rosa", "due": %q, "initiative_id": %q}]}`,
		ids, date, date, initiatives[0])
}

// arepasOnSale is an initiative with one product on sale (made to order).
func arepasOnSale(t *testing.T, env *testEnv) (catalog.Initiative, catalog.Product) {
	t.Helper()
	ini := createInitiative(t, env.catalog, "Arepas", "Segovia")
	arepa, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, catalog.ProductInput{Name: "Arepa de chócolo", Price: money.Pesos(2500)})
	if err != nil {
		t.Fatal(err)
	}
	return ini, arepa
}

// placeOrder checks out body under key (token "" for a guest) and fails
// the test unless it answers 201.
func placeOrder(t *testing.T, env *testEnv, key, body, token string) orders.CheckoutResult {
	t.Helper()
	req := request(http.MethodPost, "/api/v1/orders", body, token)
	req.Header.Set("Idempotency-Key", key)
	res, b := env.do(t, req)
	if res.StatusCode != 201 {
		t.Fatalf("checkout: got %d %s", res.StatusCode, b)
	}
	var placed orders.CheckoutResult
	if err := json.Unmarshal([]byte(b), &placed); err != nil {
		t.Fatal(err)
	}
	return placed
}

// visitor is a browser without JavaScript: it keeps cookies and sends forms
// back with the CSRF token of the last page it loaded, as a page form does.
type visitor struct {
	env     *testEnv
	cookies map[string]string
	csrf    string // the hidden _csrf of the last page
	lang    string // Accept-Language
}

func newVisitor(env *testEnv) *visitor {
	return &visitor{env: env, cookies: map[string]string{}, lang: "es-CO,es;q=0.9"}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (v *visitor) send(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	req.Header.Set("Accept-Language", v.lang)
	for name, value := range v.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, body := v.env.do(t, req)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(v.cookies, c.Name)
		} else {
			v.cookies[c.Name] = c.Value
		}
	}
	if m := csrfInput.FindStringSubmatch(body); m != nil {
		v.csrf = html.UnescapeString(m[1])
	}
	return res, body
}

func (v *visitor) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return v.send(t, httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the CSRF token of the last page.
func (v *visitor) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	f.Set(kit.CSRFField, v.csrf)
	return v.postRaw(t, path, f)
}

// postRaw sends the form exactly as given.
func (v *visitor) postRaw(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.send(t, req)
}

// signIn goes through the sign-in page and fails the test unless it works.
func (v *visitor) signIn(t *testing.T, email, password string) {
	t.Helper()
	v.get(t, "/entrar")
	res, body := v.post(t, "/entrar", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || v.cookies[kit.SessionCookie] == "" {
		t.Fatalf("sign in %s: got %d with session cookie %t, want 303 with one\n%s", email, res.StatusCode, v.cookies[kit.SessionCookie] != "", body)
	}
}

func wantStatus(t *testing.T, what string, res *http.Response, want int, body string) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: got status %d, want %d\n%s", what, res.StatusCode, want, body)
	}
}

func wantRedirect(t *testing.T, what string, res *http.Response, location string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != location {
		t.Fatalf("%s: got %d to %q, want 303 to %q", what, res.StatusCode, res.Header.Get("Location"), location)
	}
}

func wantText(t *testing.T, what, body string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

func stock(n int64) *int64 { return &n }

// wantIn checks that body contains every one of want and none of absent.
func wantIn(t *testing.T, what, body string, want, absent []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	for _, a := range absent {
		if strings.Contains(body, a) {
			t.Errorf("%s shows %q", what, a)
		}
	}
}

// producerEnv is an app with two initiatives, a producer of each, and a
// product of the first.
type producerEnv struct {
	*testEnv
	bakery, farm catalog.Initiative
	bread        catalog.Product // of the bakery, 30 in stock
	rosa, dora   accounts.User   // producers of the bakery and of the farm
}

func newProducerEnv(t *testing.T) *producerEnv {
	t.Helper()
	env := &producerEnv{testEnv: newTestEnv(t, nil, nil)}
	env.bakery = createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	env.farm = createInitiative(t, env.catalog, "Huerta La Esperanza", "Remedios")
	env.rosa = env.person(t, "rosa@tesoro.test", "Rosa Elvira Cárdenas", accounts.RoleProducer, env.bakery.ID)
	env.dora = env.person(t, "dora@tesoro.test", "Dora Inés Muñoz", accounts.RoleProducer, env.farm.ID)
	stock := int64(30)
	var err error
	env.bread, err = env.catalog.CreateProduct(t.Context(), accounts.System, env.bakery.ID, catalog.ProductInput{Name: "Pan de papa",
		Category: "bread_pastry", Unit: "unit", Price: money.Pesos(1500), Stock: &stock})

	if err != nil {
		t.Fatal(err)
	}
	return env
}

// person creates an account that signs in with testPassword.
func (e *producerEnv) person(t *testing.T, email, name, role string, initiatives ...string) accounts.User {
	t.Helper()
	admin := &accounts.Principal{UserID: "test", Roles: []string{accounts.RoleAdmin}}
	u, err := e.accounts.CreateUser(t.Context(), admin, accounts.NewUser{Email: email, Name: name,
		Password: testPassword, Roles: []string{role}, InitiativeIDs: initiatives}, accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// signedIn is a visitor signed in as email.
func (e *producerEnv) signedIn(t *testing.T, email string) *visitor {
	t.Helper()
	v := newVisitor(e.testEnv)
	v.signIn(t, email, testPassword)
	return v
}

func (e *producerEnv) product(t *testing.T, id string) catalog.Product {
	t.Helper()
	p, err := e.catalog.Product(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *producerEnv) products(t *testing.T, initiativeID string) []catalog.Product {
	t.Helper()
	list, err := e.catalog.InitiativeProducts(t.Context(), accounts.System, initiativeID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// postMultipart sends a form as multipart/form-data, as a form with a file
// input does, with the CSRF token of the last page. An empty filename sends
// the file input left empty.
func (v *visitor) postMultipart(t *testing.T, path string, fields url.Values, filename string, data []byte) (*http.Response, string) {
	t.Helper()
	return v.postFile(t, path, fields, "photo", filename, data)
}

// postFile is postMultipart with the file in the input named field.
func (v *visitor) postFile(t *testing.T, path string, fields url.Values, field, filename string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if v.csrf != "" {
		mw.WriteField(kit.CSRFField, v.csrf)
	}
	for k, vs := range fields {
		for _, x := range vs {
			mw.WriteField(k, x)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return v.send(t, req)
}

func (e *producerEnv) initiative(t *testing.T, id string) catalog.Initiative {
	t.Helper()
	in, err := e.catalog.Initiative(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// dbPinger pings a real client, as storage.DB does in the program.
type dbPinger struct{ c *mongo.Client }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// logOnFailure is the app's logger in a test: what it logs at warning and
// above is printed only when the test fails, so that a 500 in a page test
// shows its cause beside the error page.
func logOnFailure(t testing.TB) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() && buf.Len() > 0 {
			t.Logf("the app's log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// lockedWriter serialises writes from the handlers' goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sessionCreated reads a session as the API answers it (sessionView): the
// session, and its agreements embedded in place of their ids.
type sessionCreated struct {
	Session    mentoring.Session
	Agreements []mentoring.Agreement
}

// testJPEG draws a w×h JPEG.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 3), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadRequest sends data as the multipart field "file".
func uploadRequest(t testing.TB, path, filename string, data []byte, token string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

func (p dbPinger) Ping(ctx context.Context) error { return p.c.Ping(ctx, nil) }

func (c *sessionCreated) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var embedded struct {
		Agreements []mentoring.Agreement `json:"agreements"`
	}
	if err := json.Unmarshal(b, &embedded); err != nil {
		return err
	}
	delete(raw, "agreements")
	rest, _ := json.Marshal(raw)
	if err := json.Unmarshal(rest, &c.Session); err != nil {
		return err
	}
	c.Agreements = embedded.Agreements
	for _, a := range c.Agreements {
		c.Session.Agreements = append(c.Session.Agreements, a.ID)
	}
	return nil
}

// newUUID is a sale id as a phone makes it (crypto.randomUUID).
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// wantEveryMessage loads each path as v in every language and fails on a
// message the locales lack (shown as ⟦id⟧); v keeps the last language.
func wantEveryMessage(t *testing.T, v *visitor, paths ...string) {
	t.Helper()
	for _, lang := range pages.Languages {
		v.lang = lang
		for _, p := range paths {
			_, body := v.get(t, p)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", p, lang, body[i:min(len(body), i+40)])
			}
		}
	}
}
