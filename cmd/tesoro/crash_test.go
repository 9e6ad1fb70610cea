package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tesoro-pact/tesoro/storage"
)

// TestCrashChildProcess is the program a crash test kills: it runs only when
// the parent test starts this binary with TESORO_CRASH_CHILD=1.
func TestCrashChildProcess(t *testing.T) {
	if os.Getenv("TESORO_CRASH_CHILD") != "1" {
		t.Skip("runs only as the child of TestCrashDuringCheckoutStorm")
	}
	err := Run(context.Background(), nil, os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr)
	t.Fatalf("Run returned %v; the child is meant to be killed", err)
}

// api is a small JSON client of a running program.
type api struct {
	base, token string
	client      *http.Client
}

func (a api) do(method, path, body string, header ...string) (int, []byte, error) {
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (a api) must(t testing.TB, method, path, body string, want int) []byte {
	t.Helper()
	status, b, err := a.do(method, path, body)
	if err != nil || status != want {
		t.Fatalf("%s %s: got %d %s %v, want %d", method, path, status, b, err, want)
	}
	return b
}

func login(t testing.TB, base, email, password string) api {
	t.Helper()
	a := api{base: base, client: &http.Client{Timeout: 30 * time.Second}}
	var res struct{ Token string }
	if err := json.Unmarshal(a.must(t, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": %q}`, email, password), 200), &res); err != nil {
		t.Fatal(err)
	}
	a.token = res.Token
	return a
}

func idOf(t testing.TB, b []byte) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %s: %v", b, err)
	}
	return v.ID
}

// TestCrashDuringCheckoutStorm kills the program (SIGKILL, a child process)
// while buyers check out, starts it again on the same data and checks that
// every order answered 201 exists, that stock equals the initial stock less
// what live orders reserved, and that nothing is left half-reserved.
func TestCrashDuringCheckoutStorm(t *testing.T) {
	dir := t.TempDir()
	const adminEmail, adminPassword = "admin@crash.co", "clave-de-prueba-larga-1"
	env := append(os.Environ(), "TESORO_CRASH_CHILD=1", "TESORO_LISTEN=127.0.0.1:0", "TESORO_DATA="+dir,
		"TESORO_LOG_LEVEL=error", "TESORO_ADMIN_EMAIL="+adminEmail, "TESORO_ADMIN_PASSWORD="+adminPassword)
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChildProcess$")
	child.Env = env
	var childErr bytes.Buffer
	child.Stderr = &childErr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "tesoro: listening on "); ok {
				addr <- rest
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(180 * time.Second):
		t.Fatalf("child did not listen within 180s: %s", childErr.String())
	}

	admin := login(t, base, adminEmail, adminPassword)
	bakery := idOf(t, admin.must(t, "POST", "/api/v1/initiatives", `{"name": "Panadería", "kind": "bakery", "municipality": "Mongua", "department": "Boyacá", "description": "Pan de papa"}`, 201))
	arepas := idOf(t, admin.must(t, "POST", "/api/v1/initiatives", `{"name": "Arepas", "kind": "arepas", "municipality": "Segovia", "department": "Antioquia", "description": "Arepas de maíz"}`, 201))
	product := func(ini, name string, stock int) string {
		return idOf(t, admin.must(t, "POST", "/api/v1/initiatives/"+ini+"/products",
			fmt.Sprintf(`{"name": %q, "category": "prepared_food", "unit": "unit", "price": {"amount": 150000, "currency": "COP"}, "stock": %d}`, name, stock), 201))
	}
	initial := map[string]int{}
	bread, arepa, cheese := product(bakery, "Pan de papa", 40), product(arepas, "Arepa de chócolo", 2000), product(arepas, "Queso costeño", 2000)
	initial[bread], initial[arepa], initial[cheese] = 40, 2000, 2000

	// The storm: buyers check out until the process dies under them.
	type answered struct{ key, request, body string }
	var (
		mu       sync.Mutex
		accepted []answered
		placed   atomic.Int64
		payments atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	buyer := api{base: base, client: &http.Client{Timeout: 30 * time.Second}}
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("storm-%d-%d", g, i)
				body := fmt.Sprintf(`{"lines": [{"product_id": %q, "quantity": 1}, {"product_id": %q, "quantity": 2}, {"product_id": %q, "quantity": 1}],
					"buyer": {"name": "Comprador %d", "phone": "3105550101", "consent": true}, "payment_method": "cash"}`, bread, arepa, cheese, g)
				status, b, err := buyer.do("POST", "/api/v1/orders", body, "Idempotency-Key", key)
				if err != nil {
					return // the process is gone
				}
				if status == 201 {
					mu.Lock()
					accepted = append(accepted, answered{key, body, string(b)})
					mu.Unlock()
					placed.Add(1)
				}
			}
		}()
	}
	// Meanwhile the admin records cash payments of the orders answered so
	// far: money the ledgers (and their counters) must hold exactly once.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for paid := 0; ; {
			select {
			case <-stop:
				return
			default:
			}
			mu.Lock()
			next := accepted[paid:]
			mu.Unlock()
			if len(next) == 0 {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			var res struct {
				Orders []struct{ ID string }
			}
			_ = json.Unmarshal([]byte(next[0].body), &res)
			paid++
			for _, o := range res.Orders {
				status, _, err := admin.do("POST", "/api/v1/orders/"+o.ID+"/payments", `{"amount": {"amount": 100000, "currency": "COP"}, "method": "cash"}`)
				if err != nil {
					return // the process is gone
				}
				if status == 201 {
					payments.Add(1)
				}
			}
		}
	}()
	deadline := time.Now().Add(120 * time.Second)
	for (placed.Load() < 12 || payments.Load() < 8) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Checkouts advance in step on the one database connection; a random
	// pause lands the kill anywhere in their sequence of writes.
	time.Sleep(time.Duration(rand.IntN(400)) * time.Millisecond)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	close(stop)
	wg.Wait()
	if len(accepted) == 0 {
		t.Fatal("no checkout answered 201 before the kill")
	}

	// Start again on the same data: the start-up sweep settles everything.
	r := startRun(t, dir, map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword})
	admin = login(t, r.URL, adminEmail, adminPassword)
	for _, a := range accepted {
		var res struct {
			Orders []struct{ ID string }
		}
		if err := json.Unmarshal([]byte(a.body), &res); err != nil || len(res.Orders) != 2 {
			t.Fatalf("answer %s: %v", a.body, err)
		}
		for _, o := range res.Orders {
			admin.must(t, "GET", "/api/v1/orders/"+o.ID, "", 200)
		}
	}
	reserved := map[string]int{}
	listedTimes := map[string]int{}
	for _, ini := range []string{bakery, arepas} {
		cursor := ""
		for {
			var page struct {
				Items []struct {
					ID     string
					Status string
					Lines  []struct {
						ProductID string `json:"product_id"`
						Quantity  int
					}
				}
				NextCursor string `json:"next_cursor"`
			}
			if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/initiatives/"+ini+"/orders?limit=100&cursor="+cursor, "", 200), &page); err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Items {
				listedTimes[o.ID]++
				if o.Status == "cancelled" {
					continue
				}
				for _, l := range o.Lines {
					reserved[l.ProductID] += l.Quantity
				}
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
	}
	// Each initiative's statement (from its ledger's counters) equals a
	// recount of the payments the orders hold.
	for _, ini := range []string{bakery, arepas} {
		recount := 0
		for id := range listedTimes {
			var o struct {
				InitiativeID string `json:"initiative_id"`
				Payments     []struct{ Amount struct{ Amount int } }
			}
			if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/orders/"+id, "", 200), &o); err != nil {
				t.Fatal(err)
			}
			if o.InitiativeID == ini {
				for _, p := range o.Payments {
					recount += p.Amount.Amount
				}
			}
		}
		var st struct{ Sales struct{ Amount int } }
		if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/initiatives/"+ini+"/balance", "", 200), &st); err != nil {
			t.Fatal(err)
		}
		if st.Sales.Amount != recount {
			t.Errorf("initiative %s: the statement's sales are %d, a recount of its orders' payments %d", ini, st.Sales.Amount, recount)
		}
		t.Logf("initiative %s: %d in payments, counted and recounted", ini, recount)
	}
	// Every order answered 201 is in its initiative's history exactly once.
	for _, a := range accepted {
		var res struct {
			Orders []struct{ ID string }
		}
		_ = json.Unmarshal([]byte(a.body), &res)
		for _, o := range res.Orders {
			if n := listedTimes[o.ID]; n != 1 {
				t.Errorf("order %s answered 201 is listed %d times, want once", o.ID, n)
			}
		}
	}
	for id, init := range initial {
		var p struct{ Stock int }
		if err := json.Unmarshal(admin.must(t, "GET", "/api/v1/products/"+id, "", 200), &p); err != nil {
			t.Fatal(err)
		}
		if want := init - reserved[id]; p.Stock != want {
			t.Errorf("product %s: stock %d, want %d (initial %d less %d reserved by live orders)", id, p.Stock, want, init, reserved[id])
		}
	}
	// A buyer retrying an answered checkout gets the same answer, byte for byte.
	last := accepted[len(accepted)-1]
	guest := api{base: r.URL, client: buyer.client}
	status, b, err := guest.do("POST", "/api/v1/orders", last.request, "Idempotency-Key", last.key)
	if err != nil || status != 201 || string(b) != last.body {
		t.Errorf("retry after the restart: got %d %s %v, want the first answer", status, b, err)
	}
	t.Logf("%d checkouts and %d payments answered 201 before the kill; %d units of bread reserved", len(accepted), payments.Load(), reserved[bread])
	r.Stop(t)

	// Nothing is left half-done in the database.
	db, err := storage.OpenDB(t.Context(), storage.DBConfig{DataDir: dir + "/db"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	for coll, q := range map[string]bson.M{
		"orders":           {"status": "reserving"},
		"stock_moves":      {"status": "pending"},
		"idempotency_keys": {"state": "pending"},
	} {
		n, err := db.DB.Collection(coll).CountDocuments(t.Context(), q)
		if err != nil || n != 0 {
			t.Errorf("%s matching %v: got %d (%v), want 0", coll, q, n, err)
		}
	}
	n, err := db.DB.Collection("orders").CountDocuments(t.Context(), bson.M{"stock_released": false})
	if err != nil || n != 0 {
		t.Errorf("orders with stock not yet released: got %d (%v), want 0", n, err)
	}
	// The working sets hold nothing a crash left behind.
	cur, err := db.DB.Collection("order_work").Find(t.Context(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var sets []struct {
		ID string                   `bson:"_id"`
		M  map[string]bson.RawValue `bson:"m"`
	}
	if err := cur.All(t.Context(), &sets); err != nil {
		t.Fatal(err)
	}
	for _, set := range sets {
		for id, v := range set.M {
			if d, ok := v.DocumentOK(); ok {
				if done, ok := d.Lookup("done").BooleanOK(); ok && done {
					continue
				}
			}
			t.Errorf("working set %s still holds %s: %v", set.ID, id, v)
		}
	}
}
