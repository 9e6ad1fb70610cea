package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserPointOfSaleFixes goes through what the till does beyond
// selling: a sale undone while still queued never reaches the server, a
// sale undone after it was sent is voided there; a sale whose phone clock
// was wrong is rejected, listed with its reason in Spanish, and sent again
// with the time now; sales made while signed out wait for the next
// sign-in.
func TestBrowserPointOfSaleFixes(t *testing.T) {
	r, email, password, fairID := startFairDemo(t)
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	signInOnPhone(t, tab, r, email, password)
	till := r.URL + "/feria/" + fairID + "/caja"
	openOnPhone(t, tab, till)
	poll(t, tab, "the service worker controls the till", `navigator.serviceWorker.controller !== null`)
	before := serverSales(t, r, fairID)
	start := time.Now()
	step := func(what string) { t.Logf("%5.1fs %s", time.Since(start).Seconds(), what) }
	queue := func(n string) string { return `document.getElementById("pos-queue").dataset.count === "` + n + `"` }

	// Undone while queued: offline, sold and undone, nothing is left to send.
	if err := browsertest.Offline(tab); err != nil {
		t.Fatal(err)
	}
	sell(t, tab, 1)
	poll(t, tab, "the sale waits", queue("1"))
	tapButton(t, tab, "#pos-undo")
	poll(t, tab, "the undone sale left the queue", queue("0"))
	wantVisible(t, tab, "undone", `//p[@id="pos-last"][contains(., "Venta deshecha")]`)
	if err := browsertest.Online(tab); err != nil {
		t.Fatal(err)
	}

	step("undone while queued")
	// Undone after it was sent: voided on the server.
	sell(t, tab, 2)
	// Saved first (the last sale's line says so), then sent.
	poll(t, tab, "the sale is sent", `document.getElementById("pos-last").textContent.includes("Venta guardada") && `+queue("0"))
	pollServer(t, r, fairID, before+1, "the sale arrives")
	tapButton(t, tab, "#pos-undo")
	pollServer(t, r, fairID, before, "the sent sale is voided")

	step("undone after sent")
	// A phone clock years off: rejected with its reason, fixed with the time now.
	evaluate[bool](t, tab, badClockSale, chromedp.EvalAwaitPromise)
	openOnPhone(t, tab, till)
	poll(t, tab, "the rejected sale is listed", `!document.getElementById("pos-rejected").hidden`)
	wantVisible(t, tab, "the rejection", `//div[@id="pos-rejected"]//li[contains(., "La hora del teléfono no coincide con los días de la feria.")]`)
	tapButton(t, tab, `#pos-rejected li button`) // "Usar la hora de ahora"
	poll(t, tab, "the fixed sale is sent", `document.getElementById("pos-rejected").hidden && `+queue("0"))
	pollServer(t, r, fairID, before+1, "the fixed sale arrives")

	step("bad clock fixed")
	// Signed out: the sale waits, and the banner asks for a sign-in.
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	sell(t, tab, 3)
	poll(t, tab, "the banner asks for a sign-in", queue("1")+` && document.querySelector("#pos-queue a[href^='/entrar']") !== null`)
	step("waiting for a sign-in")
	signInOnPhone(t, tab, r, email, password)
	openOnPhone(t, tab, till)
	poll(t, tab, "the waiting sale is sent after the sign-in", queue("0"))
	pollServer(t, r, fairID, before+2, "the waiting sale arrives")
}

// badClockSale queues a sale dated three years ago, as a phone with a
// wrong clock would.
const badClockSale = `new Promise((ok, ko) => {
  const tile = document.querySelector(".tile");
  const open = indexedDB.open("tesoro-caja", 1);
  open.onerror = () => ko(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("sales", "readwrite");
    const id = crypto.randomUUID();
    const at = new Date(Date.now() - 3 * 365 * 864e5).toISOString();
    tx.objectStore("sales").put({ id, fair: document.getElementById("pos").dataset.fair, created: Date.now(), state: "queued", code: "",
      sentAt: 0, undoAt: "", undoSent: 0, units: { [tile.dataset.id]: 1 }, total: +tile.dataset.price,
      sale: { client_id: id, sold_at: at, payment_method: "cash",
        lines: [{ product_id: tile.dataset.id, quantity: 1, unit_price: { amount: +tile.dataset.price, currency: tile.dataset.currency } }] } });
    tx.oncomplete = () => ok(true);
    tx.onerror = () => ko(tx.error);
  };
})`

func tapButton(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Tap(chromedp.CSS(css))); err != nil {
		t.Fatalf("tapping %s: %v", css, err)
	}
}

// pollServer waits (10 s at most) until the fair's report counts want sales.
func pollServer(t testing.TB, r *running, fairID string, want int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := serverSales(t, r, fairID)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the server counts %d sales, want %d", what, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
