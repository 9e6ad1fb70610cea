package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/storage"
)

// TestMigrationFromTheFirstLayout starts the program on a data directory in
// the layout version 1 wrote (orders found by query, idempotency keys and
// checkout leases in their own collections, stock moves under ObjectIDs with
// their key as a field, no buckets) and checks that, once migrated, every
// list shows each order once, an old order can still be driven, a stored
// answer still replays, an interrupted old checkout is rolled back, and a
// second start changes nothing.
func TestMigrationFromTheFirstLayout(t *testing.T) {
	dir := t.TempDir()
	const adminEmail, adminPassword = "admin@migra.co", "clave-de-prueba-larga-1"
	env := map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword}
	r := startRun(t, dir, env)
	admin := login(t, r.URL, adminEmail, adminPassword)
	bakery := idOf(t, admin.must(t, "POST", "/api/v1/initiatives", `{"name": "Panadería", "kind": "bakery", "municipality": "Mongua", "department": "Boyacá", "description": "Pan de papa"}`, 201))
	bread := idOf(t, admin.must(t, "POST", "/api/v1/initiatives/"+bakery+"/products",
		`{"name": "Pan de papa", "category": "bread_pastry", "unit": "unit", "price": {"amount": 150000, "currency": "COP"}, "stock": 10}`, 201))
	r.Stop(t)

	// Rewrite the directory as version 1 left it.
	db, err := storage.OpenDB(t.Context(), storage.DBConfig{DataDir: dir + "/db"})
	if err != nil {
		t.Fatal(err)
	}
	d := db.DB
	ctx := t.Context()
	for _, name := range []string{"schema", "stock_history", "stock_moves", "order_feeds", "checkouts", "open_checkouts", "order_work",
		"audit_feeds", "session_lists", "agreement_lists", "open_agreements", "user_emails", "order_ledgers", "user_directory", "user_work", "order_unconfirmed"} {
		if err := d.Collection(name).Drop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	oid := func(ago time.Duration) string { return primitive.NewObjectIDFromTimestamp(now.Add(-ago)).Hex() }
	initial := oid(72 * time.Hour)
	moves := []any{
		bson.M{"_id": initial, "key": initial, "product_id": bread, "initiative_id": bakery, "at": now.Add(-72 * time.Hour),
			"delta": 10, "reason": "Existencias iniciales", "kind": "initial", "status": "applied", "resulting_stock": 10},
	}
	order := func(id, checkout, status, buyer string, qty int64, ago time.Duration) bson.M {
		return bson.M{"_id": id, "checkout_id": checkout, "checkout_size": 1, "initiative_id": bakery, "initiative_name": "Panadería",
			"status": status, "lines": bson.A{bson.M{"id": "1", "product_id": bread, "name": "Pan de papa", "unit": "unit", "quantity": qty,
				"unit_price": bson.M{"amount": 150000, "currency": "COP"}, "subtotal": bson.M{"amount": 150000 * qty, "currency": "COP"}, "reserved": true}},
			"total": bson.M{"amount": 150000 * qty, "currency": "COP"}, "buyer": bson.M{"user_id": buyer, "name": "Ana", "phone": "3105550101"},
			"payment_method": "cash", "channel": "online", "paid": 0, "card_paid": 0, "payments": bson.A{}, "refunds": bson.A{}, "history": bson.A{},
			"created_at": now.Add(-ago), "updated_at": now.Add(-ago), "stock_released": true}
	}
	paidOrder := func(o bson.M, paymentID string, at time.Time) bson.M {
		o["paid"] = 150000
		o["payments"] = bson.A{bson.M{"id": paymentID, "amount": bson.M{"amount": 150000, "currency": "COP"}, "method": "cash", "paid_at": at, "recorded_at": at}}
		return o
	}
	pending, delivered, cancelled, stuck := oid(3*time.Hour), oid(48*time.Hour), oid(24*time.Hour), oid(2*time.Hour)
	chPending, chDelivered, chCancelled, chStuck := oid(3*time.Hour+time.Second), oid(48*time.Hour+time.Second), oid(24*time.Hour+time.Second), oid(2*time.Hour+time.Second)
	orders := []any{
		order(pending, chPending, "pending", "user-ana", 2, 3*time.Hour),
		paidOrder(order(delivered, chDelivered, "delivered", "user-ana", 1, 48*time.Hour), oid(47*time.Hour), now.Add(-47*time.Hour)),
		order(cancelled, chCancelled, "cancelled", "", 1, 24*time.Hour),
		order(stuck, chStuck, "reserving", "", 3, 2*time.Hour),
	}
	// The live and delivered orders hold their units; the stuck checkout
	// reserved nothing before it died, holding its lease.
	for _, o := range []struct {
		id  string
		qty int64
	}{{pending, 2}, {delivered, 1}} {
		moves = append(moves, bson.M{"_id": oid(time.Hour), "key": "reserve:" + o.id + ":1", "product_id": bread, "initiative_id": bakery,
			"at": now.Add(-time.Hour), "delta": -o.qty, "reason": "order " + o.id, "kind": "reservation", "ref": o.id, "status": "applied"})
	}
	if _, err := d.Collection("stock_moves").InsertMany(ctx, moves); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("products").UpdateOne(ctx, bson.M{"_id": bread}, bson.M{"$set": bson.M{"stock": 7, "pending_moves": bson.A{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("orders").InsertMany(ctx, orders); err != nil {
		t.Fatal(err)
	}
	answer := fmt.Sprintf(`{"checkout_id":%q,"orders":[{"id":%q}],"token":"tok"}`, chPending, pending)
	if _, err := d.Collection("idempotency_keys").InsertMany(ctx, []any{
		bson.M{"_id": "key-pending-order", "hash": "h", "state": "done", "checkout_id": chPending, "token": "tok", "body": []byte(answer), "created_at": now.Add(-3 * time.Hour)},
		bson.M{"_id": "key-stuck", "hash": "h2", "state": "pending", "checkout_id": chStuck, "token": "tok2", "created_at": now.Add(-2 * time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("checkout_leases").InsertOne(ctx, bson.M{"_id": chStuck, "key": "key-stuck", "created_at": now.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A session and its agreement as version 1 stored them, an audit entry
	// in the old log.
	sessionID, agreementID := oid(5*24*time.Hour), oid(5*24*time.Hour-time.Second)
	sessionDay := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -5)
	if _, err := d.Collection("mentoring_sessions").InsertOne(ctx, bson.M{"_id": sessionID, "adviser_id": "adv-1", "initiative_ids": bson.A{bakery},
		"date": sessionDay, "duration_minutes": 60, "modality": "visit", "topics": bson.A{"accounting"}, "participants": bson.M{"women": 2},
		"member_ids": bson.A{}, "notes": "Costeo", "agreements": bson.A{agreementID}, "created_at": sessionDay, "updated_at": sessionDay, "rev": 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("agreements").InsertOne(ctx, bson.M{"_id": agreementID, "session_id": sessionID, "initiative_id": bakery,
		"adviser_id": "adv-1", "text": "Llevar cuentas", "owner": "Ana", "due": sessionDay.AddDate(0, 0, 2), "status": "open",
		"history": bson.A{}, "created_at": sessionDay, "updated_at": sessionDay}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Collection("audit_log").InsertOne(ctx, bson.M{"_id": oid(4 * 24 * time.Hour), "at": now.Add(-96 * time.Hour),
		"action": "legacy_action", "target_kind": "initiative", "target_id": bakery}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	r = startRun(t, dir, env)
	admin = login(t, r.URL, adminEmail, adminPassword)
	list := func(query string) map[string]string {
		t.Helper()
		var page struct {
			Items []struct{ ID, Status string }
		}
		if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/initiatives/"+bakery+"/orders?"+query, "", 200), &page); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, o := range page.Items {
			if _, twice := out[o.ID]; twice {
				t.Errorf("order %s listed twice", o.ID)
			}
			out[o.ID] = o.Status
		}
		return out
	}
	got := list("limit=50")
	want := map[string]string{pending: "pending", delivered: "delivered", cancelled: "cancelled"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history after the migration: %v, want %v (the interrupted checkout never shows)", got, want)
	}
	if got := list("status=pending"); len(got) != 1 || got[pending] != "pending" {
		t.Errorf("board after the migration: %v, want the pending order", got)
	}
	var history struct{ Items []struct{ Delta int } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/products/"+bread+"/stock-adjustments", "", 200), &history); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, m := range history.Items {
		sum += m.Delta
	}
	if len(history.Items) != 3 || sum != 7 {
		t.Errorf("stock history after the migration: %+v (sum %d), want 3 moves summing to the stock, 7", history.Items, sum)
	}
	var sessions struct{ Items []struct{ ID string } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/initiatives/"+bakery+"/sessions", "", 200), &sessions); err != nil {
		t.Fatal(err)
	}
	if len(sessions.Items) != 1 || sessions.Items[0].ID != sessionID {
		t.Errorf("sessions after the migration: %+v, want the old one", sessions.Items)
	}
	var overdue struct{ Items []struct{ ID string } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/agreements?overdue=true", "", 200), &overdue); err != nil {
		t.Fatal(err)
	}
	if len(overdue.Items) != 1 || overdue.Items[0].ID != agreementID {
		t.Errorf("overdue agreements after the migration: %+v, want the old one", overdue.Items)
	}
	var audit struct{ Items []struct{ Action string } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/audit?target="+bakery, "", 200), &audit); err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 1 || audit.Items[0].Action != "legacy_action" {
		t.Errorf("audit of the initiative after the migration: %+v, want the old entry", audit.Items)
	}
	var balance struct{ Sales struct{ Amount int64 } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/initiatives/"+bakery+"/balance", "", 200), &balance); err != nil {
		t.Fatal(err)
	}
	if balance.Sales.Amount != 150000 {
		t.Errorf("sales in the statement after the migration: %d, want the old payment, 150000", balance.Sales.Amount)
	}
	// The pending order of before now expires like a new one.
	var po struct {
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/orders/"+pending, "", 200), &po); err != nil {
		t.Fatal(err)
	}
	if po.ExpiresAt == nil || po.ExpiresAt.Before(time.Now().Add(47*time.Hour)) {
		t.Errorf("the old pending order after the migration expires at %v, want 48 hours from the start", po.ExpiresAt)
	}
	var users struct{ Items []struct{ Email string } }
	if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/users", "", 200), &users); err != nil {
		t.Fatal(err)
	}
	if len(users.Items) != 1 || users.Items[0].Email != adminEmail {
		t.Errorf("users after the migration: %+v, want the admin", users.Items)
	}
	// An old order is driven as a new one, and its list entry follows.
	admin.must(t, "POST", "/api/v1/orders/"+pending+"/transitions", `{"to": "confirmed"}`, 200)
	if got := list("limit=50"); got[pending] != "confirmed" || len(got) != 3 {
		t.Errorf("after confirming the old order: %v, want it confirmed, once", got)
	}
	// The old checkout's key is still known: used for another order, it is refused.
	guest := api{base: r.URL, client: admin.client}
	status, body, err := guest.do("POST", "/api/v1/orders", fmt.Sprintf(`{"lines": [{"product_id": %q, "quantity": 1}],
		"buyer": {"name": "Otra", "phone": "3105550102", "consent": true}, "payment_method": "cash"}`, bread), "Idempotency-Key", "key-pending-order")
	if err != nil || status != 422 || !strings.Contains(string(body), "Idempotency-Key") {
		t.Errorf("a new order under the old checkout's key: %d %s %v, want 422 on Idempotency-Key", status, body, err)
	}
	r.Stop(t)

	db, err = storage.OpenDB(t.Context(), storage.DBConfig{DataDir: dir + "/db"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	if v, err := storage.SchemaVersion(t.Context(), db.DB); err != nil || v != 5 {
		t.Errorf("schema version after the migration: %d %v, want 5", v, err)
	}
	names, err := db.DB.ListCollectionNames(t.Context(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == "idempotency_keys" || n == "checkout_leases" || n == "audit_log" || n == "session_versions" {
			t.Errorf("collection %s of the first layout is still there", n)
		}
	}
	var st struct{ Status string }
	if err := db.DB.Collection("orders").FindOne(t.Context(), bson.M{"_id": stuck}).Decode(&st); err != nil || st.Status != "failed" {
		t.Errorf("the interrupted old checkout: %q %v, want failed (rolled back)", st.Status, err)
	}
	var key struct{ State string }
	if err := db.DB.Collection("idempotency_keys_"+now.Add(-3*time.Hour).Format("20060102")).FindOne(t.Context(), bson.M{"_id": "key-pending-order"}).Decode(&key); err != nil || key.State != "done" {
		t.Errorf("the old answered key in its day: %+v %v, want done", key, err)
	}
}

// TestCountersUpgradeAndRebuild opens a directory of version 2 (ledgers
// without sums, no users' list, no admins' set, no sales counters), checks
// that the start counts them, then spoils the counters and checks that
// `tesoro rebuild-counters` recounts them from the orders and the users.
func TestCountersUpgradeAndRebuild(t *testing.T) {
	dir := t.TempDir()
	const adminEmail, adminPassword = "admin@cuentas.co", "clave-de-prueba-larga-1"
	env := map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword}
	r := startRun(t, dir, env)
	admin := login(t, r.URL, adminEmail, adminPassword)
	bakery := idOf(t, admin.must(t, "POST", "/api/v1/initiatives", `{"name": "Panadería", "kind": "bakery", "municipality": "Mongua", "department": "Boyacá", "description": "Pan de papa"}`, 201))
	bread := idOf(t, admin.must(t, "POST", "/api/v1/initiatives/"+bakery+"/products",
		`{"name": "Pan de papa", "category": "bread_pastry", "unit": "unit", "price": {"amount": 150000, "currency": "COP"}, "stock": 100}`, 201))
	guest := api{base: r.URL, client: admin.client}
	for i := range 45 { // more than a ledger bucket holds
		status, body, err := guest.do("POST", "/api/v1/orders", fmt.Sprintf(`{"lines": [{"product_id": %q, "quantity": 1}],
			"buyer": {"name": "Ana", "phone": "3105550101", "consent": true}, "payment_method": "cash"}`, bread), "Idempotency-Key", fmt.Sprint("k", i))
		if err != nil || status != 201 {
			t.Fatalf("checkout: %d %s %v", status, body, err)
		}
		var res struct{ Orders []struct{ ID string } }
		_ = json.Unmarshal(body, &res)
		admin.must(t, "POST", "/api/v1/orders/"+res.Orders[0].ID+"/payments", `{"amount": {"amount": 150000, "currency": "COP"}, "method": "cash"}`, 201)
	}
	admin.must(t, "POST", "/api/v1/users", `{"email": "otra@cuentas.co", "name": "Otra Admin", "password": "clave-de-prueba-larga-2", "roles": ["admin"]}`, 201)
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	admin.must(t, "POST", "/api/v1/sessions", `{"initiative_ids": [`+strconv.Quote(bakery)+`], "date": "`+today+`T00:00:00Z", "duration_minutes": 60,
		"modality": "visit", "topics": ["accounting"], "participants": {"women": 2, "men": 1, "youth": 0, "adults": 3}, "notes": "Costos"}`, 201)
	const wantSales = 45 * 150000
	month := time.Now().In(colombia.Zone).Format("2006-01")
	check := func(when string, wantUsers int) {
		t.Helper()
		a := login(t, r.URL, adminEmail, adminPassword)
		var st struct{ Sales struct{ Amount int } }
		if err := json.Unmarshal(a.must(t, "GET", "/api/v1/initiatives/"+bakery+"/balance", "", 200), &st); err != nil {
			t.Fatal(err)
		}
		if st.Sales.Amount != wantSales {
			t.Errorf("%s: statement sales %d, want %d", when, st.Sales.Amount, wantSales)
		}
		var pr struct {
			Months []struct {
				Orders int
				Amount struct{ Amount int }
			}
		}
		if err := json.Unmarshal(a.must(t, "GET", "/api/v1/initiatives/"+bakery+"/progress?from="+month+"&to="+month, "", 200), &pr); err != nil {
			t.Fatal(err)
		}
		if len(pr.Months) != 1 || pr.Months[0].Orders != 45 || pr.Months[0].Amount.Amount != wantSales {
			t.Errorf("%s: this month's progress %+v, want 45 orders of %d", when, pr.Months, wantSales)
		}
		// The portfolio's glance and the session markers, whole again.
		var page struct {
			Items []struct {
				InitiativeID      string  `json:"initiative_id"`
				DaysSinceSession  *int    `json:"days_since_session"`
				SalesLast12Months []int64 `json:"sales_last_12_months"`
			}
		}
		if err := json.Unmarshal(a.must(t, "GET", "/api/v1/portfolio", "", 200), &page); err != nil {
			t.Fatal(err)
		}
		folio := page.Items
		if len(folio) != 1 || folio[0].InitiativeID != bakery || folio[0].DaysSinceSession == nil || *folio[0].DaysSinceSession > 1 ||
			folio[0].SalesLast12Months[11] != wantSales {
			t.Errorf("%s: portfolio %+v, want the bakery with today's session and %d sold this month", when, folio, wantSales)
		}
		var users struct{ Items []struct{ Email string } }
		if err := json.Unmarshal(a.must(t, "GET", "/api/v1/users", "", 200), &users); err != nil {
			t.Fatal(err)
		}
		if len(users.Items) != wantUsers { // deleted accounts stay, anonymised
			t.Errorf("%s: %d users listed, want %d", when, len(users.Items), wantUsers)
		}
		// With two admins, one may leave; the other then may not.
		other := login(t, r.URL, "otra@cuentas.co", "clave-de-prueba-larga-2")
		other.must(t, "DELETE", "/api/v1/me", "", 204)
		a.must(t, "DELETE", "/api/v1/me", "", 409)
	}
	check("fresh", 2)
	r.Stop(t)

	spoil := func(version int) {
		t.Helper()
		db, err := storage.OpenDB(t.Context(), storage.DBConfig{DataDir: dir + "/db"})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close(context.Background())
		d := db.DB
		if _, err := d.Collection("order_ledgers").UpdateMany(t.Context(), bson.M{}, bson.M{"$unset": bson.M{"s": "", "f": "", "t": ""}}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"user_directory", "user_work", "progress_months", "progress_series", "progress_buyers",
			"progress_glance", "progress_sessions"} {
			if err := d.Collection(name).Drop(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Collection("users").UpdateMany(t.Context(), bson.M{}, bson.M{"$unset": bson.M{"dir_key": ""}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Collection("schema").UpdateOne(t.Context(), bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": version}}); err != nil {
			t.Fatal(err)
		}
	}
	// Undo the deletion for the next rounds: the second admin again.
	restore := func() {
		t.Helper()
		r = startRun(t, dir, env)
		a := login(t, r.URL, adminEmail, adminPassword)
		a.must(t, "POST", "/api/v1/users", `{"email": "otra@cuentas.co", "name": "Otra Admin", "password": "clave-de-prueba-larga-2", "roles": ["admin"]}`, 201)
		r.Stop(t)
	}
	restore()
	spoil(2) // as version 2 left it
	r = startRun(t, dir, env)
	check("after the upgrade from version 2", 3)
	r.Stop(t)

	restore()
	spoil(5) // counters lost at the current version: only the command brings them back
	var out bytes.Buffer
	vars := map[string]string{"TESORO_DATA": dir}
	if err := Run(t.Context(), []string{"rebuild-counters"}, func(k string) string { return vars[k] }, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatalf("rebuild-counters: %v", err)
	}
	if !strings.Contains(out.String(), "counters rebuilt") {
		t.Errorf("rebuild-counters said %q", out.String())
	}
	r = startRun(t, dir, env)
	check("after rebuild-counters", 4)
}
