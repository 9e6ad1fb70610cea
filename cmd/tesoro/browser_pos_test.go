package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserPointOfSaleOffline sells at the demo's open fair from a phone
// with the network cut: five sales wait on the phone, survive a reload (the
// page comes from the service worker) and a new tab, and reach the server
// once the signal returns, each once; sending the same queue again changes
// nothing.
func TestBrowserPointOfSaleOffline(t *testing.T) {
	r, email, password, fairID := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	tab := browsertest.NewTab(t)
	current := tab
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, current)
		}
	})
	signInOnPhone(t, tab, r, email, password)
	till := r.URL + "/feria/" + fairID + "/caja"
	openOnPhone(t, tab, till)
	checkPage(t, tab, "es", "Feria de Emprendimiento de Mongua")
	wantVisible(t, tab, "the till", `//button[contains(@class, "tile")][contains(., "Quedan")]`, `//p[@id="pos-queue"][contains(., "Todas las ventas enviadas")]`)
	// The worker takes the page over once installed; the page keeps itself in the till's cache.
	poll(t, tab, "the service worker controls the till", `navigator.serviceWorker.controller !== null`)
	poll(t, tab, "the till is kept for offline use", `caches.open("caja").then(c => c.match(location.pathname)).then(Boolean)`)
	saveShot(t, tab, shots, "caja-phone.png")

	before := serverSales(t, r, fairID) // the demo's, if any
	if err := browsertest.Offline(tab); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		sell(t, tab, i)
		poll(t, tab, fmt.Sprintf("sale %d waits on the phone", i), fmt.Sprintf(`document.getElementById("pos-queue").dataset.count === "%d"`, i))
	}
	wantVisible(t, tab, "the queue", `//p[@id="pos-queue"][contains(., "5 ventas sin enviar")]`)
	saveShot(t, tab, shots, "caja-sin-senal-phone.png")
	if got := serverSales(t, r, fairID); got != before {
		t.Fatalf("the server got %d sales while the phone had no signal", got-before)
	}

	openOnPhone(t, tab, till) // offline: from the service worker
	checkPage(t, tab, "es", "Feria de Emprendimiento de Mongua")
	poll(t, tab, "five sales after the reload", `document.getElementById("pos-queue").dataset.count === "5"`)

	second := browsertest.NewTabBeside(t, tab)
	current = second
	if err := browsertest.Offline(second); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.CloseTab(tab); err != nil {
		t.Fatalf("closing the first tab: %v", err)
	}
	openOnPhone(t, second, till)
	checkPage(t, second, "es", "Feria de Emprendimiento de Mongua")
	poll(t, second, "five sales in a new tab", `document.getElementById("pos-queue").dataset.count === "5"`)

	if err := browsertest.Online(second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	poll(t, second, "the queue empties once the signal returns", `document.getElementById("pos-queue").dataset.count === "0"`)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the queue took %v to empty, want at most 10 s", d)
	}
	if got := serverSales(t, r, fairID) - before; got != 5 {
		t.Fatalf("the server holds %d new sales, want the 5 made offline", got)
	}
	// The same queue once more, as a phone that never heard back would send it.
	if n := evaluate[int](t, second, replayQueue, chromedp.EvalAwaitPromise); n != 5 {
		t.Fatalf("replaying: %d sales queued again, want 5", n)
	}
	openOnPhone(t, second, till)
	poll(t, second, "the replayed queue is answered", `document.getElementById("pos-queue").dataset.count === "0"`)
	if got := serverSales(t, r, fairID) - before; got != 5 {
		t.Fatalf("after the replay the server holds %d new sales, want 5 still", got)
	}
}

// replayQueue marks every sale the phone sent as not sent.
const replayQueue = `new Promise((ok, ko) => {
  const open = indexedDB.open("tesoro-caja", 1);
  open.onerror = () => ko(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("sales", "readwrite");
    const st = tx.objectStore("sales");
    let n = 0;
    st.getAll().onsuccess = (ev) => { for (const r of ev.target.result) { r.state = "queued"; r.sentAt = 0; st.put(r); n++; } };
    tx.oncomplete = () => ok(n);
    tx.onerror = () => ko(tx.error);
  };
})`

// sell taps the i-th product (of the first few) and charges it in cash.
func sell(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	tile := fmt.Sprintf(`.tiles li:nth-child(%d) .tile`, 1+(i-1)%3)
	if err := chromedp.Do(ctx, chromedp.Tap(chromedp.CSS(tile)), chromedp.Tap(chromedp.CSS("#pos-charge"))); err != nil {
		t.Fatalf("sale %d: %v", i, err)
	}
}

// poll waits (20 s at most) for a JavaScript condition in the tab.
func poll(t testing.TB, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("%s: %v (%s)", what, err, js)
	}
}

// serverSales is how many sales the fair's report counts.
func serverSales(t testing.TB, r *running, fairID string) int {
	t.Helper()
	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": demoAdminEmail, "password": demoAdminPassword}, 200, &login)
	var rep struct{ Total struct{ Sales int } }
	producerAPI(t, r, "GET", "/api/v1/fairs/"+fairID+"/report", login.Token, nil, 200, &rep)
	return rep.Total.Sales
}

const demoAdminEmail, demoAdminPassword = "coordinacion@tesoro.test", "clave-de-la-coordinacion"

// startFairDemo starts the demo with a producer of the Mongua bakery, and
// answers the open fair's id.
func startFairDemo(t testing.TB) (r *running, email, password, fairID string) {
	t.Helper()
	email, password = "ana.caja@correo.test", "pan-de-papa-en-la-caja"
	r = startRun(t, "", map[string]string{"TESORO_ADMIN_EMAIL": demoAdminEmail, "TESORO_ADMIN_PASSWORD": demoAdminPassword}, "--demo")
	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": demoAdminEmail, "password": demoAdminPassword}, 200, &login)
	bakeryID := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	producerAPI(t, r, "POST", "/api/v1/users", login.Token, map[string]any{"email": email, "name": "Ana Beatriz Sánchez",
		"password": password, "roles": []string{"producer"}, "initiative_ids": []string{bakeryID}}, 201, nil)
	var list struct {
		Items []struct{ ID, Name, Status string }
	}
	producerAPI(t, r, "GET", "/api/v1/fairs", "", nil, 200, &list)
	for _, f := range list.Items {
		if f.Name == "Feria de Emprendimiento de Mongua" && f.Status == "open" {
			fairID = f.ID
		}
	}
	if fairID == "" {
		t.Fatal("demo: no open fair in Mongua")
	}
	return r, email, password, fairID
}

func signInOnPhone(t testing.TB, ctx context.Context, r *running, email, password string) {
	t.Helper()
	openOnPhone(t, ctx, r.URL+"/entrar")
	typeInto(t, ctx, map[string]string{"#email": email, "#password": password})
	tapToSubmit(t, ctx, "main form button[type=submit]", "/", 200)
}
