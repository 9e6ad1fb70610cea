package frontend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/storage"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/progress"
)

// The actors of the authorization matrix. Producer and adviser belong to the
// "own" initiative; each row runs against the own and the other initiative.
var matrixActors = []string{"anonymous", "buyer", "producer", "adviser", "admin"}

// matrixCase says what a row sends: path and JSON body for a target initiative id.
type matrixRow struct {
	route string                                                // "METHOD /api/v1/pattern" as registered
	send  func(t *testing.T, f *matrixFixture) (string, string) // path, body
	own   map[string]int                                        // actor → status on the own initiative
	other map[string]int                                        // actor → status on the other one; nil: same as own
	fresh bool                                                  // the route spends its actor (logout, deletion): make a new one
	// upload, instead of send, makes a photo upload (multipart) to its path.
	upload func(t *testing.T, f *matrixFixture) string
	// header adds request headers (an Idempotency-Key, a Stripe-Signature).
	header func(t *testing.T, body string) map[string]string
}

// matrixFixture is one case's world: two initiatives and the acting user.
type matrixFixture struct {
	env        *testEnv
	own, other string // initiative ids
	target     string // the initiative this case acts on
}

// member adds a member to the target initiative.
func (f *matrixFixture) member(t *testing.T) catalog.Member {
	t.Helper()
	m, err := f.env.catalog.AddMember(t.Context(), accounts.System, f.target, catalog.Member{Name: "Rosa Elvira Cárdenas", Role: "lideresa", Sex: "female", AgeGroup: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// signed has the target initiative sign its commitment.
func (f *matrixFixture) signed(t *testing.T) {
	t.Helper()
	if _, err := f.env.commit.Sign(t.Context(), accounts.System, f.target, f.member(t).ID, ""); err != nil {
		t.Fatal(err)
	}
}

// expense records an expense of the target initiative.
func (f *matrixFixture) expense(t *testing.T) progress.Expense {
	t.Helper()
	e, err := f.env.progress.AddExpense(t.Context(), accounts.System, f.target, progress.ExpenseInput{
		Date: time.Now().In(colombia.Zone).Format(time.DateOnly), Category: "transport", Amount: money.Pesos(5000)}, "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// evidence submits a PDF for the target initiative's "account" milestone.
func (f *matrixFixture) evidence(t *testing.T) progress.Milestone {
	t.Helper()
	m, err := f.env.progress.SubmitEvidence(t.Context(), accounts.System, f.target, "account", "",
		mentoring.Upload{Name: "cuenta.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 cuenta")})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// victim is another user, for /users/{id}.
func (f *matrixFixture) victim(t *testing.T) accounts.User {
	u, _ := f.env.user(t, uniqueEmail("victim"), []string{accounts.RoleBuyer})
	return u
}

// product creates a product of the target initiative.
func (f *matrixFixture) product(t *testing.T) catalog.Product {
	t.Helper()
	stock := int64(10)
	p, err := f.env.catalog.CreateProduct(t.Context(), accounts.System, f.target, catalog.ProductInput{Name: "Arepa de chócolo", Price: money.Pesos(2500), Stock: &stock})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fair plans a fair (organised by the programme, so no matrix actor but the
// admin may change it) with the target initiative invited.
func (f *matrixFixture) fair(t *testing.T) fairs.Fair {
	t.Helper()
	fa, err := f.env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua",
		StartsOn: time.Now().AddDate(0, 0, 7).Format(time.DateOnly), EndsOn: time.Now().AddDate(0, 0, 8).Format(time.DateOnly)})
	if err == nil {
		_, err = f.env.fairs.Invite(t.Context(), accounts.System, fa.ID, f.target)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fa
}

// openFair is a fair open today where the target initiative sells.
func (f *matrixFixture) openFair(t *testing.T) fairs.Fair {
	t.Helper()
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	fa, err := f.env.fairs.Create(t.Context(), accounts.System, fairs.Input{Name: "Feria de hoy", Municipality: "Mongua", StartsOn: today, EndsOn: today})
	if err == nil {
		_, err = f.env.fairs.Invite(t.Context(), accounts.System, fa.ID, f.target)
	}
	if err == nil {
		_, err = f.env.fairs.Accept(t.Context(), accounts.System, fa.ID, f.target)
	}
	if err == nil {
		fa, err = f.env.fairs.Transition(t.Context(), accounts.System, fa.ID, fairs.StatusOpen)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fa
}

// tableAtFair is an open fair with a shared table selling for the target
// initiative, kept by another user.
func (f *matrixFixture) tableAtFair(t *testing.T) (fairs.Fair, fairs.Table) {
	t.Helper()
	fa := f.openFair(t)
	tb, err := f.env.fairs.AddTable(t.Context(), accounts.System, fa.ID, fairs.TableInput{Name: "Mesa común", CashierID: f.victim(t).ID, Initiatives: []string{f.target}})
	if err != nil {
		t.Fatal(err)
	}
	return fa, tb
}

// session records a session on the target initiative, with one agreement, as an admin.
func (f *matrixFixture) session(t *testing.T) (mentoring.Session, mentoring.Agreement) {
	t.Helper()
	admin := &accounts.Principal{UserID: "matrix-admin", Roles: []string{accounts.RoleAdmin}}
	sess, agreements, err := f.env.mentoring.Create(t.Context(), admin, mentoring.SessionInput{
		InitiativeIDs: []string{f.target}, Date: time.Now(), DurationMinutes: 60, Modality: "visit",
		Topics: []string{"accounting"}, Participants: mentoring.Participants{Women: 2},
		Agreements: []mentoring.AgreementInput{{Text: "Llevar el cuaderno de ventas", Owner: "Rosa", Due: time.Now().AddDate(0, 0, 7)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sess, agreements[0]
}

// attachment adds a stored PDF to a new session of the target initiative, as an admin.
func (f *matrixFixture) attachment(t *testing.T) (mentoring.Session, mentoring.Attachment) {
	t.Helper()
	sess, _ := f.session(t)
	admin := &accounts.Principal{UserID: "matrix-admin", Roles: []string{accounts.RoleAdmin}}
	a := mentoring.Attachment{ID: storage.NewID(), Name: "acta.pdf", ContentType: "application/pdf", Size: 9}
	a.Key = "private/sessions/" + sess.ID + "/" + a.ID + ".pdf"
	if _, err := f.env.objects.Put(t.Context(), a.Key, strings.NewReader("%PDF-1.4\n"), a.Size, a.ContentType); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.mentoring.AddAttachment(t.Context(), admin, sess.ID, a); err != nil {
		t.Fatal(err)
	}
	return sess, a
}

// order places a guest's cash order for a product of the target initiative.
func (f *matrixFixture) order(t *testing.T) orders.Order {
	t.Helper()
	r, err := f.env.orders.Checkout(t.Context(), nil, uniqueEmail("key"), orders.CheckoutInput{
		Lines: []orders.LineInput{{ProductID: f.product(t).ID, Quantity: 2}}, PaymentMethod: orders.MethodCash,
		Buyer: orders.BuyerInput{Name: "Compradora", Phone: "3105550101", Consent: true}})
	if err != nil {
		t.Fatal(err)
	}
	var res orders.CheckoutResult
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	return res.Orders[0]
}

// paidOrder is an order paid in full in cash.
func (f *matrixFixture) paidOrder(t *testing.T) orders.Order {
	t.Helper()
	o := f.order(t)
	admin := &accounts.Principal{UserID: "matrix-admin", Roles: []string{accounts.RoleAdmin}}
	o, err := f.env.orders.RecordPayment(t.Context(), admin, o.ID, orders.PaymentInput{Amount: o.Total, Method: orders.MethodCash}, "")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func idempotencyKey(*testing.T, string) map[string]string {
	return map[string]string{"Idempotency-Key": uniqueEmail("idem")}
}

// stripeSigned signs body as Stripe would, with the test webhook secret.
func stripeSigned(_ *testing.T, body string) map[string]string {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: testWebhookSecret})
	return map[string]string{"Stripe-Signature": sp.Header}
}

// withStripe is the status a webhook gets: 404 when card payments are off
// (no stripe-mock outside the test script).
func withStripe(status int) map[string]int {
	if stripeTestKey() == "" {
		return all(http.StatusNotFound)
	}
	return all(status)
}

var matrixSeq atomic.Int64

func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s%d@matriz.co", prefix, matrixSeq.Add(1))
}

func all(status int) map[string]int {
	m := map[string]int{}
	for _, a := range matrixActors {
		m[a] = status
	}
	return m
}

func signedIn(status int) map[string]int {
	m := all(status)
	m["anonymous"] = http.StatusUnauthorized
	return m
}

func only(status int, allowed ...string) map[string]int {
	m := signedIn(http.StatusForbidden)
	for _, a := range allowed {
		m[a] = status
	}
	return m
}

// anonymous404 is m with a stranger answered as for a missing record (order
// ids must not be countable).
func anonymous404(m map[string]int) map[string]int {
	m["anonymous"] = http.StatusNotFound
	return m
}

func fixed(path, body string) func(*testing.T, *matrixFixture) (string, string) {
	return func(*testing.T, *matrixFixture) (string, string) { return path, body }
}

var matrix = []matrixRow{
	{route: "POST /api/v1/auth/login", send: func(t *testing.T, f *matrixFixture) (string, string) {
		email := uniqueEmail("login")
		f.env.user(t, email, []string{accounts.RoleBuyer})
		return "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": %q}`, email, testPassword)
	}, own: all(200)},
	{route: "POST /api/v1/auth/logout", send: fixed("/api/v1/auth/logout", ""), own: signedIn(204), fresh: true},
	{route: "POST /api/v1/auth/register", send: func(*testing.T, *matrixFixture) (string, string) {
		return "/api/v1/auth/register", fmt.Sprintf(`{"email": %q, "name": "Nueva", "password": %q, "consent": true}`, uniqueEmail("reg"), testPassword)
	}, own: all(201)},
	{route: "PATCH /api/v1/me", send: fixed("/api/v1/me", `{"name": "Nombre Nuevo"}`), own: signedIn(200)},
	{route: "DELETE /api/v1/me", send: fixed("/api/v1/me", ""), own: signedIn(204), fresh: true},
	{route: "POST /api/v1/me/password", send: fixed("/api/v1/me/password",
		`{"current_password": "`+testPassword+`", "new_password": "otra-clave-larga-9"}`), own: signedIn(204), fresh: true},
	{route: "POST /api/v1/users", send: func(*testing.T, *matrixFixture) (string, string) {
		return "/api/v1/users", fmt.Sprintf(`{"email": %q, "name": "Creada", "password": %q, "roles": ["buyer"]}`, uniqueEmail("new"), testPassword)
	}, own: only(201, "admin")},
	{route: "PATCH /api/v1/users/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/users/" + f.victim(t).ID, `{"roles": ["buyer", "producer"]}`
	}, own: only(200, "admin")},
	{route: "POST /api/v1/initiatives", send: fixed("/api/v1/initiatives",
		`{"name": "Huerta Nueva", "kind": "garden", "municipality": "Tópaga", "department": "Boyacá", "description": "Hortalizas"}`),
		own: only(201, "adviser", "admin")},
	{route: "PATCH /api/v1/initiatives/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target, `{"description": "Pan de papa recién horneado"}`
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},

	// Catalog. Products of the target initiative; the producer and adviser belong to "own".
	{route: "POST /api/v1/initiatives/:id/products", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/products", `{"name": "Pan de papa", "category": "bread_pastry", "unit": "unit", "price": {"amount": 150000, "currency": "COP"}, "stock": 10}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "PATCH /api/v1/products/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/products/" + f.product(t).ID, `{"price": {"amount": 200000, "currency": "COP"}}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "DELETE /api/v1/products/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/products/" + f.product(t).ID, ""
	}, own: only(204, "producer", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/products/:id/stock-adjustments", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/products/" + f.product(t).ID + "/stock-adjustments", `{"delta": 5, "reason": "Horneada de la mañana"}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/products/:id/images", upload: func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/products/" + f.product(t).ID + "/images"
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "DELETE /api/v1/products/:id/images/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		p := f.product(t)
		img, err := f.env.catalog.AddProductImage(t.Context(), accounts.System, p.ID, bytes.NewReader(testJPEG(t, 64, 48)))
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/products/" + p.ID + "/images/" + img.ID, ""
	}, own: only(204, "producer", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/initiatives/:id/members", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/members", `{"name": "Rosa Cárdenas", "role": "panadera", "sex": "female", "age_group": "adult"}`
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "DELETE /api/v1/initiatives/:id/members/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		m, err := f.env.catalog.AddMember(t.Context(), accounts.System, f.target, catalog.Member{Name: "Luz Dary", Sex: "female", AgeGroup: "youth"})
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/initiatives/" + f.target + "/members/" + m.ID, ""
	}, own: only(204, "producer", "adviser", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/initiatives/:id/images", upload: func(t *testing.T, f *matrixFixture) string {
		// Start from no photos, so that the limit never answers for the policy.
		in, err := f.env.catalog.Initiative(t.Context(), f.target)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range in.Images {
			if err := f.env.catalog.RemoveInitiativePhoto(t.Context(), accounts.System, f.target, im.ID); err != nil {
				t.Fatal(err)
			}
		}
		return "/api/v1/initiatives/" + f.target + "/images"
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "DELETE /api/v1/initiatives/:id/images/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		in, err := f.env.catalog.Initiative(t.Context(), f.target)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range in.Images { // room for one more
			if err := f.env.catalog.RemoveInitiativePhoto(t.Context(), accounts.System, f.target, im.ID); err != nil {
				t.Fatal(err)
			}
		}
		img, err := f.env.catalog.AddInitiativePhoto(t.Context(), accounts.System, f.target, bytes.NewReader(testJPEG(t, 64, 48)))
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/initiatives/" + f.target + "/images/" + img.ID, ""
	}, own: only(204, "producer", "adviser", "admin"), other: only(204, "admin")},

	// Mentoring. Sessions and agreements of the target initiative; the adviser is assigned to "own".
	{route: "POST /api/v1/sessions", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/sessions", `{"initiative_ids": ["` + f.target + `"], "date": "` + time.Now().UTC().Format(time.DateOnly) + `",
			"duration_minutes": 60, "modality": "virtual", "topics": ["marketing"], "participants": {"women": 1, "men": 1, "youth": 0}, "notes": "Redes sociales"}`
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "PATCH /api/v1/sessions/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		sess, _ := f.session(t)
		return "/api/v1/sessions/" + sess.ID, `{"notes": "Notas corregidas"}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/sessions/:id/attachments", upload: func(t *testing.T, f *matrixFixture) string {
		sess, _ := f.session(t)
		return "/api/v1/sessions/" + sess.ID + "/attachments"
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "DELETE /api/v1/sessions/:id/attachments/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		sess, a := f.attachment(t)
		return "/api/v1/sessions/" + sess.ID + "/attachments/" + a.ID, ""
	}, own: only(204, "adviser", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/sessions/:id/unlock", send: func(t *testing.T, f *matrixFixture) (string, string) {
		sess, _ := f.session(t)
		return "/api/v1/sessions/" + sess.ID + "/unlock", `{"reason": "Corregir la fecha"}`
	}, own: only(200, "admin")},
	{route: "PATCH /api/v1/agreements/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		_, a := f.session(t)
		return "/api/v1/agreements/" + a.ID, `{"status": "done"}`
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},

	// Orders. The order belongs to the target initiative, placed by a guest.
	{route: "POST /api/v1/orders", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders", `{"lines": [{"product_id": "` + f.product(t).ID + `", "quantity": 1}],
			"buyer": {"name": "Ana Ruiz", "phone": "3105550101", "consent": true}, "payment_method": "cash"}`
	}, header: idempotencyKey, own: all(201)},
	{route: "POST /api/v1/orders/:id/cancel", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders/" + f.order(t).ID + "/cancel", `{"reason": "Sin existencias"}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/orders/:id/transitions", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders/" + f.order(t).ID + "/transitions", `{"to": "confirmed"}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/orders/:id/payments", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders/" + f.order(t).ID + "/payments", `{"amount": {"amount": 100000, "currency": "COP"}, "method": "cash"}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/orders/:id/refunds", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders/" + f.paidOrder(t).ID + "/refunds", `{"amount": {"amount": 100000, "currency": "COP"}, "method": "cash", "reason": "Pan quemado"}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	// Nothing is owed without card sales: the admin passes the policy and
	// meets the validation (422); everyone else is stopped before it.
	{route: "POST /api/v1/initiatives/:id/payouts", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/payouts", `{"amount": {"amount": 100000, "currency": "COP"}, "method": "nequi", "reference": "Nequi 123"}`
	}, own: only(422, "admin")},
	{route: "POST /api/v1/stripe/webhook", send: fixed("/api/v1/stripe/webhook",
		`{"id": "evt_matrix", "object": "event", "type": "payment_intent.created", "api_version": "`+stripe.APIVersion+`", "data": {"object": {}}}`),
		header: stripeSigned, own: withStripe(200)},
	{route: "GET /api/v1/orders/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/orders/" + f.order(t).ID, ""
	}, own: anonymous404(only(200, "producer", "adviser", "admin")), other: anonymous404(only(200, "admin"))},
	{route: "GET /api/v1/orders", send: fixed("/api/v1/orders", ""), own: signedIn(200)},
	{route: "GET /api/v1/initiatives/:id/orders", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/orders?status=pending", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/balance", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/balance?format=csv", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},

	// Private reads.
	{route: "GET /api/v1/initiatives/:id/members", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/members", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/members/:id/personal-data", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/members/" + f.member(t).ID + "/personal-data", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/products", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/products", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/products/:id/stock-adjustments", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/products/" + f.product(t).ID + "/stock-adjustments", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/me", send: fixed("/api/v1/me", ""), own: signedIn(200)},
	{route: "GET /api/v1/me/data", send: fixed("/api/v1/me/data", ""), own: signedIn(200)},
	{route: "GET /api/v1/users", send: fixed("/api/v1/users", ""), own: only(200, "admin")},
	{route: "GET /api/v1/users/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/users/" + f.victim(t).ID, ""
	}, own: only(200, "admin")},
	{route: "GET /api/v1/audit", send: fixed("/api/v1/audit", ""), own: only(200, "admin")},
	{route: "GET /api/v1/sessions/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		sess, _ := f.session(t)
		return "/api/v1/sessions/" + sess.ID, ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/sessions/:id/attachments/:attachment", send: func(t *testing.T, f *matrixFixture) (string, string) {
		sess, a := f.attachment(t)
		return "/api/v1/sessions/" + sess.ID + "/attachments/" + a.ID, ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/sessions", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/sessions", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/agreements", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/agreements?initiative=" + f.target, ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},

	// Fairs: advisers and admins plan them, the organiser (here the
	// programme) and admins change them, an initiative's producer accepts.
	{route: "POST /api/v1/fairs", send: func(*testing.T, *matrixFixture) (string, string) {
		day := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		return "/api/v1/fairs", `{"name": "Feria campesina", "municipality": "Tópaga", "starts_on": "` + day + `", "ends_on": "` + day + `"}`
	}, own: only(201, "adviser", "admin")},
	{route: "POST /api/v1/fairs/:id/transitions", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.fair(t).ID + "/transitions", `{"to": "open"}`
	}, own: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/participants", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.fair(t).ID + "/participants", `{"initiative_id": "` + f.other + `"}`
	}, own: only(201, "admin")},
	{route: "POST /api/v1/fairs/:id/participants/:id/accept", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.fair(t).ID + "/participants/" + f.target + "/accept", ""
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "PUT /api/v1/fairs/:id/stock/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa := f.fair(t)
		if _, err := f.env.fairs.Accept(t.Context(), accounts.System, fa.ID, f.target); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/fairs/" + fa.ID + "/stock/" + f.product(t).ID, `{"quantity": 4}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/fairs", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/fairs", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/sales/batch", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa, pr := f.openFair(t), f.product(t)
		return "/api/v1/fairs/" + fa.ID + "/sales/batch", `{"sales": [{"client_id": "` + newUUID() + `", "sold_at": "` +
			time.Now().Format(time.RFC3339) + `", "payment_method": "cash", "lines": [{"product_id": "` + pr.ID +
			`", "quantity": 1, "unit_price": {"amount": 250000, "currency": "COP"}}]}]}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/sales/:id/undo", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa, pr := f.openFair(t), f.product(t)
		id, at := newUUID(), time.Now().Add(-time.Minute).Format(time.RFC3339)
		res, err := f.env.fairs.SyncSales(t.Context(), accounts.System, fa.ID, []fairs.SaleInput{{ClientID: id, SoldAt: at, PaymentMethod: orders.MethodCash,
			Lines: []fairs.SaleLine{{ProductID: pr.ID, Quantity: 1, UnitPrice: pr.Price}}}})
		if err != nil || res[0].Status != fairs.SaleCreated {
			t.Fatalf("sale to undo: %+v %v", res, err)
		}
		return "/api/v1/fairs/" + fa.ID + "/sales/" + id + "/undo", `{"sold_at": "` + at + `", "undone_at": "` + time.Now().Format(time.RFC3339) + `"}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/fairs/:id/till", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.openFair(t).ID + "/till", ""
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/tables", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.fair(t).ID + "/tables", `{"name": "Mesa común", "cashier_id": "` + f.victim(t).ID + `", "initiative_ids": ["` + f.target + `"]}`
	}, own: only(201, "admin")},
	{route: "PUT /api/v1/fairs/:id/tables/:id/handovers/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa, tb := f.tableAtFair(t)
		return "/api/v1/fairs/" + fa.ID + "/tables/" + tb.ID + "/handovers/" + f.target, `{"amount": {"amount": 0, "currency": "COP"}}`
	}, own: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/tables/:id/handovers/:id/confirm", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa, tb := f.tableAtFair(t)
		if _, err := f.env.fairs.HandOver(t.Context(), accounts.System, fa.ID, tb.ID, f.target, fairs.HandoverInput{Amount: money.Pesos(0)}); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/fairs/" + fa.ID + "/tables/" + tb.ID + "/handovers/" + f.target + "/confirm", ""
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/fairs/:id/tables/:id/cash", send: func(t *testing.T, f *matrixFixture) (string, string) {
		fa, tb := f.tableAtFair(t)
		return "/api/v1/fairs/" + fa.ID + "/tables/" + tb.ID + "/cash", ""
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/fairs/:id/closings", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.openFair(t).ID + "/closings", `{"initiative_id": "` + f.target +
			`", "opening_float": {"amount": 0, "currency": "COP"}, "counted_cash": {"amount": 0, "currency": "COP"}}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/fairs/:id/report", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/fairs/" + f.openFair(t).ID + "/report", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/progress", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/progress", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/initiatives/:id/expenses", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/expenses", `{"date": "` + time.Now().In(colombia.Zone).Format(time.DateOnly) +
			`", "category": "transport", "amount": {"amount": 500000, "currency": "COP"}}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/initiatives/:id/expenses", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/expenses", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "PUT /api/v1/initiatives/:id/expenses/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/expenses/" + f.expense(t).ID, `{"date": "` + time.Now().In(colombia.Zone).Format(time.DateOnly) +
			`", "category": "supplies", "amount": {"amount": 700000, "currency": "COP"}}`
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/initiatives/:id/expenses/:id/reversal", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/expenses/" + f.expense(t).ID + "/reversal", `{"reason": "repetido"}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/initiatives/:id/expenses/:id/receipt", upload: func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/initiatives/" + f.target + "/expenses/" + f.expense(t).ID + "/receipt"
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/initiatives/:id/expenses/:id/receipt", send: func(t *testing.T, f *matrixFixture) (string, string) {
		e := f.expense(t)
		if _, err := f.env.progress.AttachReceipt(t.Context(), accounts.System, f.target, e.ID,
			mentoring.Upload{Name: "recibo.jpg", ContentType: "image/jpeg", Ext: "jpg", Data: testJPEG(t, 32, 24)}); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/initiatives/" + f.target + "/expenses/" + e.ID + "/receipt", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/portfolio", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/portfolio", ""
	}, own: only(200, "adviser", "admin")},
	{route: "GET /api/v1/milestones", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/milestones", ""
	}, own: only(200, "buyer", "producer", "adviser", "admin")},
	{route: "POST /api/v1/milestones", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/milestones", fmt.Sprintf(`{"code": "hito_%d", "name_es": "Hito", "name_en": "Milestone"}`, matrixSeq.Add(1))
	}, own: only(201, "admin")},
	{route: "PATCH /api/v1/milestones/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/milestones/savings", `{"name_es": "Ahorro familiar"}`
	}, own: only(200, "admin")},
	{route: "PUT /api/v1/initiatives/:id/sales-target", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/sales-target", `{"amount": {"amount": 50000000, "currency": "COP"}}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/initiatives/:id/milestones/:id/evidence", upload: func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/initiatives/" + f.target + "/milestones/rut/evidence"
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/initiatives/:id/milestones/:id/evidence", send: func(t *testing.T, f *matrixFixture) (string, string) {
		f.evidence(t)
		return "/api/v1/initiatives/" + f.target + "/milestones/account/evidence", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/initiatives/:id/milestones/:id/review", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/milestones/account/review", `{"decision": "verified", "evidence_id": "` + f.evidence(t).Evidence.ID + `"}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/indicators", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/indicators?period=2026-Q1", ""
	}, own: only(200, "adviser", "admin")},
	{route: "GET /api/v1/indicators/definitions", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/indicators/definitions", ""
	}, own: only(200, "adviser", "admin")},
	{route: "POST /api/v1/indicators", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/indicators", fmt.Sprintf(`{"code": "ind_%d", "name_es": "Indicador", "name_en": "Indicator", "unit": "count"}`, matrixSeq.Add(1))
	}, own: only(201, "admin")},
	{route: "PATCH /api/v1/indicators/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/indicators/total_sales", `{"targets": {"2026": 100000000}}`
	}, own: only(200, "admin")},
	{route: "PUT /api/v1/indicators/:id/values/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/indicators/families_saving/values/2026-Q1", `{"value": 10, "note": "Encuesta"}`
	}, own: only(200, "admin")},
	{route: "GET /api/v1/reports/donor", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/reports/donor?period=2026&format=csv", ""
	}, own: only(200, "adviser", "admin")},
	{route: "GET /api/v1/initiatives/:id/commitment", send: func(t *testing.T, f *matrixFixture) (string, string) {
		f.signed(t)
		return "/api/v1/initiatives/" + f.target + "/commitment", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/initiatives/:id/commitment", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/commitment", `{"member_id": "` + f.member(t).ID + `"}`
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/initiatives/:id/commitment/verifications", send: func(t *testing.T, f *matrixFixture) (string, string) {
		f.signed(t)
		return "/api/v1/initiatives/" + f.target + "/commitment/verifications", `{"note": "Sin menores trabajando"}`
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/initiatives/:id/commitment/suspension", send: func(t *testing.T, f *matrixFixture) (string, string) {
		f.signed(t)
		return "/api/v1/initiatives/" + f.target + "/commitment/suspension", `{"reason": "Un menor en el puesto"}`
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/initiatives/:id/credits", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/initiatives/" + f.target + "/credits", ""
	}, own: only(200, "producer", "admin"), other: only(200, "admin")},
	// Good practices and experience exchanges (package programme).
	{route: "GET /api/v1/practices", send: fixed("/api/v1/practices?q=panaderia", ""), own: only(200, "producer", "adviser", "admin")},
	{route: "POST /api/v1/practices", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/practices", `{"title": "Empaques con marca", "topic": "marketing", "initiative_id": "` + f.target +
			`", "done": "Bolsas con el logo.", "changed": "Nos reconocen en la feria."}`
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/practices/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/practices/" + f.practice(t).ID, ""
	}, own: only(200, "producer", "adviser", "admin")},
	{route: "POST /api/v1/practices/:id/apply", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/practices/" + f.foreignPractice(t).ID + "/apply", `{"initiative_id": "` + f.target + `"}`
	}, own: only(201, "producer", "admin"), other: only(201, "admin")},
	{route: "POST /api/v1/practices/:id/photos", upload: func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/practices/" + f.practice(t).ID + "/photos"
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/practices/:id/photos/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		pr, ph := f.practicePhoto(t)
		return "/api/v1/practices/" + pr.ID + "/photos/" + ph.ID + "?size=thumb", ""
	}, own: only(200, "producer", "adviser", "admin")},
	{route: "PATCH /api/v1/practices/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/practices/" + f.practice(t).ID, `{"title": "Costeo de cada horneada"}`
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "DELETE /api/v1/practices/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/practices/" + f.practice(t).ID, ""
	}, own: only(204, "producer", "adviser", "admin"), other: only(204, "admin")},
	{route: "DELETE /api/v1/practices/:id/photos/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		pr, ph := f.practicePhoto(t)
		return "/api/v1/practices/" + pr.ID + "/photos/" + ph.ID, ""
	}, own: only(204, "producer", "adviser", "admin"), other: only(204, "admin")},
	{route: "GET /api/v1/exchanges", send: fixed("/api/v1/exchanges", ""), own: only(200, "producer", "adviser", "admin")},
	{route: "POST /api/v1/exchanges", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/exchanges", exchangeJSON(time.Now().In(colombia.Zone).Format(time.DateOnly), f.target)
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/exchanges/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/exchanges/" + f.exchange(t).ID, ""
	}, own: only(200, "producer", "adviser", "admin")},
	{route: "PATCH /api/v1/exchanges/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/exchanges/" + f.exchange(t).ID, `{"venue": "Salón comunal", "participants": {"women": 7, "men": 2, "youth": 3, "adults": 6}}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "DELETE /api/v1/exchanges/:id/photos/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		ex, ph := f.exchangePhoto(t)
		return "/api/v1/exchanges/" + ex.ID + "/photos/" + ph.ID, ""
	}, own: only(204, "adviser", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/exchanges/:id/photos", upload: func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/exchanges/" + f.exchange(t).ID + "/photos"
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/exchanges/:id/photos/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		ex, ph := f.exchangePhoto(t)
		return "/api/v1/exchanges/" + ex.ID + "/photos/" + ph.ID, ""
	}, own: only(200, "producer", "adviser", "admin")},
	{route: "GET /api/v1/courses", send: fixed("/api/v1/courses", ""), own: only(200, "producer", "adviser", "admin")},
	{route: "POST /api/v1/courses", send: func(t *testing.T, f *matrixFixture) (string, string) {
		return "/api/v1/courses", `{"partner": "sena", "name": "Manipulación de alimentos", "area": "gastronomy", "hours": 40,
			"starts_on": "2026-07-06", "ends_on": "2026-08-14", "municipality": "Mongua", "initiative_ids": ["` + f.target + `"]}`
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/courses/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, _ := f.trainingCourse(t)
		return "/api/v1/courses/" + c.ID, ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "adviser", "admin")},
	{route: "PATCH /api/v1/courses/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, _ := f.trainingCourse(t)
		return "/api/v1/courses/" + c.ID, `{"venue": "Casa de la cultura"}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "POST /api/v1/courses/:id/enrolments", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, _ := f.trainingCourse(t)
		m := f.trainingMember(t, "Luz Dary Pérez")
		return "/api/v1/courses/" + c.ID + "/enrolments", `{"kind": "member", "initiative_id": "` + f.target + `", "member_id": "` + m.ID + `"}`
	}, own: only(201, "adviser", "admin"), other: only(201, "admin")},
	{route: "PATCH /api/v1/courses/:id/enrolments/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, e := f.trainingCourse(t)
		return "/api/v1/courses/" + c.ID + "/enrolments/" + e.ID, `{"status": "completed"}`
	}, own: only(200, "adviser", "admin"), other: only(200, "admin")},
	{route: "DELETE /api/v1/courses/:id/enrolments/:id", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, e := f.trainingCourse(t)
		return "/api/v1/courses/" + c.ID + "/enrolments/" + e.ID, ""
	}, own: only(204, "adviser", "admin"), other: only(204, "admin")},
	{route: "POST /api/v1/courses/:id/enrolments/:id/certificate", upload: func(t *testing.T, f *matrixFixture) string {
		c, e := f.trainingCourse(t)
		return "/api/v1/courses/" + c.ID + "/enrolments/" + e.ID + "/certificate"
	}, own: only(201, "producer", "adviser", "admin"), other: only(201, "admin")},
	{route: "GET /api/v1/courses/:id/enrolments/:id/certificate", send: func(t *testing.T, f *matrixFixture) (string, string) {
		c, e := f.trainingCourse(t)
		f.trainingCertificate(t, c.ID, e.ID)
		return "/api/v1/courses/" + c.ID + "/enrolments/" + e.ID + "/certificate", ""
	}, own: only(200, "producer", "adviser", "admin"), other: only(200, "admin")},
	{route: "GET /api/v1/training/counts", send: fixed("/api/v1/training/counts?period=2026", ""), own: only(200, "adviser", "admin")},
}

// TestAuthorizationMatrix sends every mutating (and private) API route as
// every role, on its own initiative and on another, and checks the exact status.
func TestAuthorizationMatrix(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	own := createInitiative(t, env.catalog, "Panadería Propia", "Mongua").ID
	other := createInitiative(t, env.catalog, "Arepas Ajenas", "Segovia").ID
	// Actors are made once and reused, except for rows that spend them.
	newActor := func(t *testing.T, actor string) string {
		var token string
		switch actor {
		case "buyer":
			_, token = env.user(t, uniqueEmail(actor), []string{accounts.RoleBuyer})
		case "producer", "adviser":
			_, token = env.user(t, uniqueEmail(actor), []string{actor}, own)
		case "admin":
			_, token = env.user(t, uniqueEmail(actor), []string{accounts.RoleAdmin})
		}
		return token
	}
	shared := map[string]string{}
	for _, actor := range matrixActors {
		shared[actor] = newActor(t, actor)
	}
	for _, row := range matrix {
		method, _, _ := strings.Cut(row.route, " ")
		for _, target := range []string{"own", "other"} {
			want := row.own
			if target == "other" && row.other != nil {
				want = row.other
			}
			for _, actor := range matrixActors {
				t.Run(fmt.Sprintf("%s/%s/%s", row.route, target, actor), func(t *testing.T) {
					f := &matrixFixture{env: env, own: own, other: other, target: own}
					if target == "other" {
						f.target = other
					}
					token := shared[actor]
					if row.fresh {
						token = newActor(t, actor)
					}
					var req *http.Request
					if row.upload != nil { // a photo upload: multipart
						req = uploadRequest(t, row.upload(t, f), "foto.jpg", testJPEG(t, 64, 48), token)
					} else {
						path, body := row.send(t, f)
						req = request(method, path, body, token)
						if row.header != nil {
							for k, v := range row.header(t, body) {
								req.Header.Set(k, v)
							}
						}
					}
					res, resBody := env.do(t, req)
					if res.StatusCode != want[actor] {
						t.Fatalf("%s %s as %s: got %d, want %d (%s)", method, req.URL.Path, actor, res.StatusCode, want[actor], resBody)
					}
				})
			}
		}
	}
}

// TestMatrixCoversEveryMutatingRoute fails when a state-changing API route is
// registered without a row in the matrix.
func TestMatrixCoversEveryMutatingRoute(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	rows := map[string]bool{}
	for _, r := range matrix {
		rows[r.route] = true
	}
	param := regexp.MustCompile(`:[A-Za-z_]+`)
	for _, r := range env.app.GetRoutes(true) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasPrefix(r.Path, "/api/v1/test/") {
			continue
		}
		key := r.Method + " " + param.ReplaceAllString(r.Path, ":id")
		if !rows[key] {
			t.Errorf("route %s has no row in the authorization matrix", key)
		}
	}
}
