package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
)

// The history-cost target (issue #11): every path a person waits for at
// most 100 ms p95 at 100k orders and within 1.5× of its 1k figure; the idle
// server at most 2 % of a core; start-up on the 100k directory at most 10 s.
const (
	scaleInitiatives = 42
	scaleProducts    = 5 // per initiative
	scaleRequests    = 40
	scaleLive        = 210               // live orders (pending, confirmed, ready): work in progress, not history
	scaleRecent      = 2                 // sessions per initiative in the last two months, their agreements open
	scaleBusy        = 24                // more recent sessions of the measured initiative: a full first page
	scaleBusyOrders  = 100               // the measured initiative's last delivered sales: full ledger buckets and stock pages
	scaleIdle        = 125 * time.Second // two periods of the one-minute sweeper
	scaleMaxP95      = 100 * time.Millisecond
	scaleMaxReport   = 2 * time.Second // the donor report of a year
	scaleMaxGrowth   = 1.5
	scaleMaxIdleCPU  = 0.02
	scaleMaxStartup  = 10 * time.Second
)

var scaleSizes = []int{1_000, 10_000, 100_000}

// BenchmarkHistoryScale seeds two years of history at 1k, 10k and 100k orders
// (42 initiatives; stock moves, sessions, agreements and audit entries in
// proportion), starts the whole program on it and measures the time to
// answer each path a person waits for, the idle CPU over two sweeper periods
// and the start-up time. The seed writes the first layout's documents and
// lets the program's own migration build the buckets, heads, boards and
// working sets — the documents the services write (TestMigrationFromTheFirstLayout
// checks that they list and drive like new ones). Asserts correctness of
// every answer, never speed.
func BenchmarkHistoryScale(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds and loads the embedded database for ~25 minutes")
	}
	sizes := scaleSizes
	if v := os.Getenv("TESORO_SCALE_SIZES"); v != "" { // e.g. "1000,10000" for a quick look
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("TESORO_SCALE_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	loadBefore := loadAverage()
	var results []scaleResult
	for range b.N {
		results = nil
		for _, n := range sizes {
			results = append(results, runScale(b, n))
		}
	}
	if out := os.Getenv("TESORO_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(scaleSection(results, loadBefore, loadAverage())), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

type scaleResult struct {
	Orders, Moves, Sessions, Agreements, Audit, Users int
	Seed, Startup                                     time.Duration
	IdleCPU                                           float64 // share of one core
	Paths                                             []pathTiming
}

type pathTiming struct {
	Name     string
	P50, P95 time.Duration
	Budget   time.Duration // its p95 target (0: scaleMaxP95)
}

const (
	scaleAdmin, scalePassword = "admin@escala.co", "clave-de-prueba-larga-1"
	scaleProducer             = "productora@escala.co"
	scaleBuyer                = "compradora@escala.co"
)

func runScale(b *testing.B, n int) scaleResult {
	dir := b.TempDir()
	seedStart := time.Now()
	res, seed := seedScale(b, dir, n)
	res.Seed = time.Since(seedStart)

	env := map[string]string{"TESORO_ADMIN_EMAIL": scaleAdmin, "TESORO_ADMIN_PASSWORD": scalePassword, "TESORO_LOG_LEVEL": "error"}
	start := time.Now()
	r := startRunLogging(b, dir, env, io.Discard)
	res.Startup = time.Since(start)
	admin := login(b, r.URL, scaleAdmin, scalePassword)
	producer := login(b, r.URL, scaleProducer, scalePassword)
	buyer := login(b, r.URL, scaleBuyer, scalePassword)
	ini, product, order := seed.initiative, seed.product, seed.oldOrder

	var budget time.Duration // of the next path measured (0: scaleMaxP95)
	measure := func(name string, a api, method, path, body string, check func([]byte) error) {
		var lat []time.Duration
		for i := range scaleRequests + 3 {
			t0 := time.Now()
			status, got, err := a.do(method, path, body)
			took := time.Since(t0)
			if err != nil || status != 200 {
				b.Fatalf("%s (%d orders): %s %s: %d %.200s %v", name, n, method, path, status, got, err)
			}
			if check != nil {
				if err := check(got); err != nil {
					b.Fatalf("%s (%d orders): %v", name, n, err)
				}
			}
			if i >= 3 { // the first answers warm the caches of a fresh process
				lat = append(lat, took)
			}
		}
		slices.Sort(lat)
		res.Paths = append(res.Paths, pathTiming{name, percentile(lat, 50), percentile(lat, 95), budget})
		budget = 0
	}
	items := func(min int) func([]byte) error {
		return func(body []byte) error {
			var p struct{ Items []json.RawMessage }
			if err := json.Unmarshal(body, &p); err != nil {
				return err
			}
			if len(p.Items) < min {
				return fmt.Errorf("%d items, want at least %d", len(p.Items), min)
			}
			return nil
		}
	}
	entries := func(min int) func([]byte) error {
		return func(body []byte) error {
			var st struct{ Entries []json.RawMessage }
			if err := json.Unmarshal(body, &st); err != nil {
				return err
			}
			if len(st.Entries) < min {
				return fmt.Errorf("%d movements, want at least %d", len(st.Entries), min)
			}
			return nil
		}
	}
	contains := func(s string) func([]byte) error {
		return func(body []byte) error {
			if !strings.Contains(string(body), s) {
				return fmt.Errorf("answer lacks %q", s)
			}
			return nil
		}
	}
	measure("order board (page)", producer, "GET", "/mi-iniciativa/"+ini+"/pedidos", "", contains("Pendiente"))
	measure("order history, first page", producer, "GET", "/api/v1/initiatives/"+ini+"/orders?limit=20", "", items(20))
	measure("one order", producer, "GET", "/api/v1/orders/"+order, "", contains(order))
	measure("stock history of a product", producer, "GET", "/api/v1/products/"+product+"/stock-adjustments?limit=20", "", items(20))
	measure("session timeline", producer, "GET", "/api/v1/initiatives/"+ini+"/sessions?limit=20", "", items(20))
	measure("overdue agreements", admin, "GET", "/api/v1/agreements?overdue=true&limit=50", "", items(1))
	measure("audit log, first page", admin, "GET", "/api/v1/audit?limit=50", "", items(50))
	measure("a buyer's orders", buyer, "GET", "/api/v1/orders?limit=20", "", items(20))
	measure("statement, first page", producer, "GET", "/api/v1/initiatives/"+ini+"/balance?limit=15", "", entries(15))
	measure("progress of an initiative (24 months)", producer, "GET", "/api/v1/initiatives/"+ini+"/progress", "", contains(`"months"`))
	measure("progress page", producer, "GET", "/mi-iniciativa/"+ini+"/progreso", "", contains("sales-chart"))
	measure("portfolio (admin, 42 initiatives)", admin, "GET", "/api/v1/portfolio", "", items(scaleInitiatives))
	measure("portfolio page (admin)", admin, "GET", "/asesoria/portafolio", "", contains("portfolio-list"))
	year := strconv.Itoa(time.Now().In(colombia.Zone).Year())
	budget = scaleMaxReport // the donor report's target (issue #14); the indicators are the same work
	measure("indicators of the year (admin, 42 initiatives)", admin, "GET", "/api/v1/indicators?period="+year, "", items(1))
	budget = scaleMaxReport
	measure("donor report of the year (XLSX)", admin, "GET", "/api/v1/reports/donor?period="+year+"&format=xlsx", "", contains("PK"))
	measure("fiado list", producer, "GET", "/api/v1/initiatives/"+ini+"/credits", "", nil)
	measure("users (admin), first page", admin, "GET", "/api/v1/users?limit=20", "", items(20))
	measure("sign-in", api{base: r.URL, client: admin.client}, "POST", "/api/v1/auth/login",
		fmt.Sprintf(`{"email": %q, "password": %q}`, scaleBuyer, scalePassword), contains("token"))

	cpu0, t0 := processCPU(b), time.Now()
	time.Sleep(scaleIdle)
	res.IdleCPU = float64(processCPU(b)-cpu0) / float64(time.Since(t0))
	r.Stop(b)
	return res
}

type scaleSeedIDs struct{ initiative, product, oldOrder string }

// seedScale writes n orders of the last two years (and the rest in proportion)
// as the first layout stored them, then migrates the directory as the
// program does at start.
func seedScale(b *testing.B, dir string, n int) (scaleResult, scaleSeedIDs) {
	ctx := context.Background()
	db, err := storage.OpenDB(ctx, storage.DBConfig{DataDir: dir + "/db", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(context.Background())
	objects, err := storage.NewLocalStore(dir + "/objects")
	if err != nil {
		b.Fatal(err)
	}
	d := db.DB
	acc := accounts.NewService(d, accounts.Options{})
	cat := catalog.NewService(d, objects)
	men := mentoring.NewService(d, mentoring.Options{})
	ord := orders.NewService(d, cat, orders.Options{})
	for _, ensure := range []func(context.Context) error{acc.EnsureIndexes, cat.EnsureIndexes, men.EnsureIndexes, ord.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			b.Fatal(err)
		}
	}
	stock := int64(1_000_000)
	var inis []catalog.Initiative
	var products [][]catalog.Product
	for i := range scaleInitiatives {
		in, err := cat.CreateInitiative(ctx, accounts.System, catalog.InitiativeInput{Name: fmt.Sprintf("Iniciativa %02d", i), Municipality: []string{"Mongua", "Segovia", "Remedios", "Gámeza"}[i%4]})
		if err != nil {
			b.Fatal(err)
		}
		inis = append(inis, in)
		var ps []catalog.Product
		for j := range scaleProducts {
			p, err := cat.CreateProduct(ctx, accounts.System, in.ID, catalog.ProductInput{Name: fmt.Sprintf("Producto %d de %02d", j, i),
				Category: "prepared_food", Unit: "unit", Price: money.Pesos(1500 + int64(j)*500), Stock: &stock})

			if err != nil {
				b.Fatal(err)
			}
			ps = append(ps, p)
		}
		products = append(products, ps)
	}
	seeder := &accounts.Principal{UserID: "seed", Roles: []string{accounts.RoleAdmin}}
	producer, err := acc.CreateUser(ctx, seeder, accounts.NewUser{Email: scaleProducer, Name: "Productora", Password: scalePassword,
		Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{inis[0].ID}}, accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	var buyers []string
	for i := range 20 {
		email := fmt.Sprintf("comprador%02d@escala.co", i)
		if i == 0 {
			email = scaleBuyer
		}
		u, err := acc.CreateUser(ctx, seeder, accounts.NewUser{Email: email, Name: "Comprador", Password: scalePassword,
			Roles: []string{accounts.RoleBuyer}}, accounts.Meta{IP: "127.0.0.1"})
		if err != nil {
			b.Fatal(err)
		}
		buyers = append(buyers, u.ID)
	}

	now := time.Now().UTC().Truncate(time.Millisecond)
	start := now.AddDate(-2, 0, 0) // 24 months: the progress pages' span
	step := now.Sub(start) / time.Duration(n)
	var res scaleResult
	var ordersBatch, movesBatch, auditBatch []any
	flush := func(coll string, batch *[]any) {
		if len(*batch) == 0 {
			return
		}
		if _, err := d.Collection(coll).InsertMany(ctx, *batch); err != nil {
			b.Fatal(err)
		}
		*batch = (*batch)[:0]
	}
	ids := scaleSeedIDs{initiative: inis[0].ID, product: products[0][0].ID}
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		id := primitive.NewObjectIDFromTimestamp(at).Hex()
		ini := i % scaleInitiatives
		if i >= n-scaleLive-scaleBusyOrders && i < n-scaleLive {
			// The measured initiative's last sales, delivered and paid: its
			// newest ledger buckets and product histories are as full at
			// every size, so the sizes compare the same pages.
			ini = 0
		}
		status := orders.StatusDelivered
		switch {
		case i >= n-scaleLive: // the last ones: live orders on the boards, as many at any size
			status = []string{orders.StatusPending, orders.StatusConfirmed, orders.StatusReady}[i%3]
		case i%33 == 0 && ini != 0:
			status = orders.StatusCancelled
		}
		buyer := orders.Buyer{Name: "Cliente", Phone: "3105550101"}
		if i%3 == 0 {
			buyer.UserID = buyers[i/3%len(buyers)]
			if i >= n-scaleLive { // the measured buyer's recent orders: a full first page at every size
				buyer.UserID = buyers[0]
			}
		}
		o := orders.Order{ID: id, CheckoutID: primitive.NewObjectIDFromTimestamp(at).Hex(), CheckoutSize: 1,
			InitiativeID: inis[ini].ID, Initiative: inis[ini].Name, Status: status, Total: money.Pesos(0), Buyer: buyer,
			PaymentMethod: orders.MethodCash, Channel: []string{orders.ChannelOnline, orders.ChannelFair}[i%2],
			Payments: []orders.Payment{}, Refunds: []orders.Refund{}, History: []orders.Change{{At: at, To: orders.StatusPending}},
			CreatedAt: at, UpdatedAt: at, StockReleased: true}
		for l := range 1 + i%2 {
			p := products[ini][(i+l)%scaleProducts]
			q := int64(1 + (i+l)%3)
			line := orders.Line{ID: strconv.Itoa(l + 1), ProductID: p.ID, Name: p.Name, Unit: p.Unit, Quantity: q,
				UnitPrice: p.Price, Subtotal: p.Price.Times(q), Reserved: true}
			o.Lines = append(o.Lines, line)
			o.Total = o.Total.Add(line.Subtotal)
			key := "reserve:" + id + ":" + line.ID
			movesBatch = append(movesBatch, catalog.StockMove{ID: key, Key: key, Seq: primitive.NewObjectIDFromTimestamp(at).Hex(),
				ProductID: p.ID, InitiativeID: o.InitiativeID, At: at, Delta: -q, Reason: "order " + id, Kind: catalog.MoveReservation,
				Ref: id, Status: "applied"})
			res.Moves++
			if status == orders.StatusCancelled {
				key := "release:" + id + ":" + line.ID
				movesBatch = append(movesBatch, catalog.StockMove{ID: key, Key: key, Seq: primitive.NewObjectIDFromTimestamp(at.Add(time.Hour)).Hex(),
					ProductID: p.ID, InitiativeID: o.InitiativeID, At: at.Add(time.Hour), Delta: q, Reason: "order " + id,
					Kind: catalog.MoveCancellation, Ref: id, Status: "applied"})
				res.Moves++
			}
		}
		if status == orders.StatusDelivered {
			o.Paid = o.Total.Amount
			o.Payments = []orders.Payment{{ID: primitive.NewObjectIDFromTimestamp(at).Hex(), Amount: o.Total, Method: orders.MethodCash, PaidAt: at, RecordedAt: at}}
		}
		if ini == 0 && ids.oldOrder == "" && i > n/2 {
			ids.oldOrder = id
		}
		ordersBatch = append(ordersBatch, o)
		if i%5 == 0 { // sign-ins and changes, in proportion
			actor := producer.ID
			if buyer.UserID != "" {
				actor = buyer.UserID
			}
			auditBatch = append(auditBatch, accounts.AuditEntry{ID: primitive.NewObjectIDFromTimestamp(at).Hex(), At: at, ActorID: actor,
				Action: "login", TargetKind: "user", TargetID: actor, IP: "127.0.0.1"})
			res.Audit++
		}
		if len(ordersBatch) == 500 {
			flush("orders", &ordersBatch)
			flush("stock_moves", &movesBatch)
			flush("audit_log", &auditBatch)
		}
	}
	flush("orders", &ordersBatch)
	flush("stock_moves", &movesBatch)
	flush("audit_log", &auditBatch)
	res.Orders = n

	// Sessions: one for every 30 orders over the two years, each with an agreement
	// done; and, as many at any size, the last two months' sessions, whose
	// agreements are open (some overdue): the work in progress.
	var sessions, agreements []any
	historic := n / 30
	total := historic + scaleRecent*scaleInitiatives + scaleBusy
	for i := range total {
		at := start.Add(time.Duration(i) * (now.Sub(start) - 60*24*time.Hour) / time.Duration(max(historic, 1)))
		status := mentoring.StatusDone
		if i >= historic {
			at = now.Add(-time.Duration(i-historic+1) * (60 * 24 * time.Hour) / time.Duration(scaleRecent*scaleInitiatives+scaleBusy+1))
			status = mentoring.StatusOpen
		}
		day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		ini := inis[i%scaleInitiatives].ID
		if i >= total-scaleBusy { // the measured initiative's recent sessions: a full first page at every size
			ini = inis[0].ID
		}
		sid, aid := primitive.NewObjectIDFromTimestamp(at).Hex(), primitive.NewObjectIDFromTimestamp(at).Hex()
		sessions = append(sessions, mentoring.Session{ID: sid, AdviserID: fmt.Sprintf("adviser-%d", i%6), InitiativeIDs: []string{ini},
			Date: day, DurationMinutes: 90, Modality: "visit", Topics: []string{"accounting"}, Participants: mentoring.Participants{Women: 3, Men: 1},
			MemberIDs: []string{}, Notes: "Costeo y registro de ventas de la semana", Agreements: []string{aid}, CreatedAt: at, UpdatedAt: at})
		agreements = append(agreements, mentoring.Agreement{ID: aid, SessionID: sid, InitiativeID: ini, AdviserID: fmt.Sprintf("adviser-%d", i%6),
			Text: "Llevar el cuaderno de ventas", Owner: "Ana", Due: day.AddDate(0, 0, 14), Status: status, History: []mentoring.StatusChange{},
			CreatedAt: at, UpdatedAt: at})
		if len(sessions) == 500 {
			insertAll(b, d.Collection("mentoring_sessions"), &sessions)
			insertAll(b, d.Collection("agreements"), &agreements)
		}
		res.Sessions++
		res.Agreements++
	}
	insertAll(b, d.Collection("mentoring_sessions"), &sessions)
	insertAll(b, d.Collection("agreements"), &agreements)
	// Registered buyers in proportion (one for every 50 orders), written as
	// the services write them; the users' list is built from them below.
	var users, emails []any
	hashed, err := acc.UserByEmail(ctx, scaleBuyer)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n / 50 {
		at := start.Add(time.Duration(i) * 50 * step)
		uid := primitive.NewObjectIDFromTimestamp(at).Hex()
		email := fmt.Sprintf("registrada%06d@escala.co", i)
		users = append(users, accounts.User{ID: uid, Email: email, Name: "Compradora registrada", PasswordHash: hashed.PasswordHash,
			Roles: []string{accounts.RoleBuyer}, InitiativeIDs: []string{}, Active: true, CreatedAt: at, UpdatedAt: at, PasswordChangedAt: at,
			Consent: &accounts.Consent{Version: accounts.ConsentVersion, At: at}})
		emails = append(emails, bson.M{"_id": email, "user_id": uid})
		res.Users++
		if len(users) == 500 {
			insertAll(b, d.Collection("users"), &users)
			insertAll(b, d.Collection("user_emails"), &emails)
		}
	}
	insertAll(b, d.Collection("users"), &users)
	insertAll(b, d.Collection("user_emails"), &emails)
	// The users' emails and the audit log as the first layout kept them.
	if err := d.Collection("user_emails").Drop(ctx); err != nil {
		b.Fatal(err)
	}
	if err := d.Collection("schema").Drop(ctx); err != nil {
		b.Fatal(err)
	}
	// What the program does at start on such a directory.
	legacy := append([]string{"stock_moves", "mentoring_sessions", "agreements", "audit_log", "users"}, orders.LegacyCollections...)
	if err := storage.Migrate(ctx, d, legacy, []storage.Migration{{Version: 2, Name: "seed", Run: func(ctx context.Context) error {
		for _, m := range []func(context.Context) error{cat.MigrateToBuckets, men.MigrateToBuckets, acc.MigrateToBuckets, ord.MigrateToBuckets} {
			if err := m(ctx); err != nil {
				return err
			}
		}
		return nil
	}}, {Version: 3, Name: "users' list (the ledgers were counted by version 2's run)", Run: acc.RebuildDirectory},
		{Version: 4, Name: "monthly sales counters", Run: func(ctx context.Context) error {
			return progress.NewService(d, progress.Options{}).Rebuild(ctx, ord.ScanAll)
		}},
		{Version: 5, Name: "the session markers (the glance's months were counted by version 4's run)", Run: func(ctx context.Context) error {
			return progress.NewService(d, progress.Options{Mentoring: men}).RebuildSessions(ctx)
		}}}, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	return res, ids
}

func insertAll(b *testing.B, coll *mongo.Collection, docs *[]any) {
	if len(*docs) == 0 {
		return
	}
	if _, err := coll.InsertMany(context.Background(), *docs); err != nil {
		b.Fatal(err)
	}
	*docs = (*docs)[:0]
}

func scaleSection(results []scaleResult, loadBefore, loadAfter string) string {
	var sb strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&sb, format, a...) }
	p("## History cost: lists and passes at 1k, 10k and 100k orders\n\n")
	p("Target: every path a person waits for answers in at most %d ms p95 at 100k orders (the year's indicators and donor report: 2 s) and within %.1f× of its 1k figure; "+
		"the idle server uses at most %.0f %% of a core over two sweeper periods; start-up on the 100k directory takes at most %s.\n\n",
		scaleMaxP95/time.Millisecond, scaleMaxGrowth, scaleMaxIdleCPU*100, scaleMaxStartup)
	if len(results) == 0 {
		return sb.String()
	}
	first, last := results[0], results[len(results)-1]
	ok := true
	var misses []string
	for i, path := range last.Paths {
		base := first.Paths[i]
		growth := float64(path.P95) / float64(max(base.P95, time.Millisecond))
		limit := cmp.Or(path.Budget, scaleMaxP95)
		if path.P95 > limit || growth > scaleMaxGrowth {
			ok = false
			misses = append(misses, fmt.Sprintf("%s (p95 %.1f ms, %.2f× the %d-order figure)", path.Name, ms(path.P95), growth, first.Orders))
		}
	}
	if last.IdleCPU > scaleMaxIdleCPU {
		ok = false
		misses = append(misses, fmt.Sprintf("idle CPU %.2f %%", last.IdleCPU*100))
	}
	if last.Startup > scaleMaxStartup {
		ok = false
		misses = append(misses, fmt.Sprintf("start-up %.1f s", last.Startup.Seconds()))
	}
	if ok {
		p("**Result: meets every target at %d orders.**\n\n", last.Orders)
	} else {
		p("**Result: misses at %d orders: %s.**\n\n", last.Orders, strings.Join(misses, "; "))
	}
	p("| path |")
	for _, r := range results {
		p(" %d orders p50 / p95 |", r.Orders)
	}
	p(" growth of p95 |\n|---|")
	for range results {
		p("---:|")
	}
	p("---:|\n")
	for i, path := range first.Paths {
		p("| %s |", path.Name)
		for _, r := range results {
			p(" %.1f / %.1f ms |", ms(r.Paths[i].P50), ms(r.Paths[i].P95))
		}
		p(" %.2f× |\n", float64(last.Paths[i].P95)/float64(max(path.P95, time.Millisecond)))
	}
	p("| idle CPU (share of one core, %s) |", scaleIdle)
	for _, r := range results {
		p(" %.2f %% |", r.IdleCPU*100)
	}
	p(" |\n| start-up (until listening) |")
	for _, r := range results {
		p(" %.2f s |", r.Startup.Seconds())
	}
	p(" |\n\n")
	p("- Seeded per size: ")
	for i, r := range results {
		if i > 0 {
			p("; ")
		}
		p("%d orders, %d stock moves, %d sessions with an agreement each, %d audit entries, %d registered buyers (seeded and migrated in %.0f s)",
			r.Orders, r.Moves, r.Sessions, r.Audit, r.Users, r.Seed.Seconds())
	}
	p(". 42 initiatives with 5 products each, over the last 24 months; the last %d orders live (on the boards) at every size, 3 %% of the others cancelled, a third placed by 20 signed-in buyers; one session for every 30 orders, plus %d per initiative in the last two months whose agreements are open, and %d more of the measured initiative (the work in progress is the same at every size; the history grows). The measured initiative, product and buyer have full first pages and full newest buckets at every size (the %d sales before the live orders are the measured initiative's, delivered and paid; the live orders placed signed in are the measured buyer's), so each size compares pages of the same length.\n", scaleLive, scaleRecent, scaleBusy, scaleBusyOrders)
	p("- The seed writes the first layout's documents and runs the program's migration (`storage.Migrate`, versions 2 to 5), which builds "+
		"the buckets, heads, boards, working sets, sales counters, the programme's glance and the session markers from them: the documents the services write. Then the whole program starts on "+
		"the directory (embedded FerretDB) and each path is asked %d times in a row over one keep-alive connection after 3 warm-up "+
		"requests; times are on loopback, so they are the server's. Sign-in includes argon2id (about 70 ms by design). "+
		"Idle CPU is getrusage of the process (program and database) over %s with no request.\n", scaleRequests, scaleIdle)
	p("- Paths: the producer's board page (`/mi-iniciativa/{id}/pedidos`, five lists), `GET /api/v1/initiatives/{id}/orders?limit=20`, " +
		"`GET /api/v1/orders/{id}` (an order of six months ago), `GET /api/v1/products/{id}/stock-adjustments?limit=20`, " +
		"`GET /api/v1/initiatives/{id}/sessions?limit=20`, `GET /api/v1/agreements?overdue=true`, `GET /api/v1/audit?limit=50`, " +
		"`GET /api/v1/orders?limit=20` (a buyer), `GET /api/v1/initiatives/{id}/balance?limit=15` (totals from the ledger's counters and the newest 15 movements), " +
		"`GET /api/v1/initiatives/{id}/progress` (24 months from the counters), the progress page (`/mi-iniciativa/{id}/progreso`, with sessions and agreements), " +
		"`GET /api/v1/portfolio` and its page (admin: 42 initiatives from the programme's glance), `GET /api/v1/indicators?period=<year>` and `GET /api/v1/reports/donor?period=<year>&format=xlsx` " +
		"(admin: every indicator of the year over the 42 initiatives, four reads by _id each; target 2 s, the donor report's), `GET /api/v1/initiatives/{id}/credits`, " +
		"`GET /api/v1/users?limit=20` (admin), `POST /api/v1/auth/login`.\n")
	p("- Run: %s; %s. Load average (1 min): %s before, %s after.\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), fmt.Sprintf("%s, %d CPUs; %s", cpuModel(), runtime.NumCPU(), runtime.Version()), loadBefore, loadAfter)
	p("- Reproduce: `./scripts/bench scale`, or `go test -run '^$' -bench BenchmarkHistoryScale -benchtime 1x -timeout 2h ./cmd/tesoro/` " +
		"(`TESORO_SCALE_SIZES=1000,10000` for a shorter look). Run it on an otherwise idle machine: a test run beside it shows in every figure.\n")
	return sb.String()
}
