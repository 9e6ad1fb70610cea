package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// The point of sale's budgets (issue: "the point-of-sale page cold on a
// phone (transferred bytes, thumbnails included: ≤ 80 KB for 20 products;
// its script ≤ 15 KB compressed); a tap on "Cobrar" to the updated screen
// ≤ 100 ms in Chromium with 4× CPU throttling").
const (
	tillBudget       = 80 * 1024
	tillScriptBudget = 15 * 1024
	tillTapBudget    = 100 * time.Millisecond
	tillProducts     = 20
	tillTaps         = 20
)

// BenchmarkPointOfSale measures, once whatever b.N is, the demo bakery's
// till at the open fair with 20 products, each with a photo: the bytes of a
// cold load on a phone (no HTTP cache, no service worker), the script's
// compressed size, and the time from a tap on "Cobrar" to the screen that
// shows the sale, with the CPU throttled 4×. With TESORO_BENCH_OUT set it
// writes the markdown section of docs/benchmarks.md there.
func BenchmarkPointOfSale(b *testing.B) {
	if testing.Short() {
		b.Skip("starts the whole program and a browser")
	}
	r, email, password, fairID := startFairDemo(b)
	addTillProducts(b, r)
	tab := browsertest.NewTab(b)
	signInOnPhone(b, tab, r, email, password)
	// Cold: what the sign-in left in the caches and the worker goes.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`Promise.all([
		navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister()))),
		caches.keys().then(ks => Promise.all(ks.map(k => caches.delete(k))))]).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
		return err
	})); err != nil {
		b.Fatal(err)
	}
	till := r.URL + "/feria/" + fairID + "/caja"
	load, err := browsertest.MeasureTransfer(tab, chromedp.Navigate(till))
	if err != nil {
		b.Fatal(err)
	}
	tiles := evaluate[int](b, tab, `document.querySelectorAll(".tile img").length`)
	if tiles < tillProducts {
		b.Fatalf("the till shows %d photos, want at least %d", tiles, tillProducts)
	}
	var script, scriptGz int
	for url := range load.ByURL() {
		if strings.Contains(url, "/static/pos.") && strings.HasSuffix(url, ".js") {
			_, body := r.get(b, strings.TrimPrefix(url, r.URL))
			script, scriptGz = len(body), gzipSize(b, body)
		}
	}
	if script == 0 {
		b.Fatalf("pos.js was not loaded:\n%s", load)
	}
	b.Logf("till, cold:\n%s", load)

	// Taps: each a product, then "Cobrar", timed in the page to the frame
	// that shows the sale counted; the queue is empty before each.
	if err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
		return err
	})); err != nil {
		b.Fatal(err)
	}
	var taps []time.Duration
	for i := range tillTaps {
		poll(b, tab, "the queue is empty", `document.getElementById("pos-queue").dataset.count === "0"`)
		ms := evaluate[float64](b, tab, fmt.Sprintf(timeCharge, i%tillProducts), chromedp.EvalAwaitPromise)
		taps = append(taps, time.Duration(ms*float64(time.Millisecond)))
	}
	poll(b, tab, "the queue is sent", `document.getElementById("pos-queue").dataset.count === "0"`)
	slices.Sort(taps)
	p50, p95, worst := taps[len(taps)/2], taps[len(taps)*95/100], taps[len(taps)-1]
	b.ReportMetric(float64(load.Total()), "till-B")
	b.ReportMetric(float64(scriptGz), "script-gz-B")
	b.ReportMetric(float64(p95.Microseconds())/1000, "tap-p95-ms")
	if out := os.Getenv("TESORO_BENCH_OUT"); out != "" {
		var s strings.Builder
		p := func(format string, args ...any) { fmt.Fprintf(&s, format, args...) }
		kb := func(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
		verdict := func(ok bool) string {
			if ok {
				return "within budget"
			}
			return "**over budget**"
		}
		p("## Point of sale (`BenchmarkPointOfSale`)\n\n")
		p("The demo bakery's till at the open fair with %d products, each with a photo (noisy, photo-like JPEGs, "+
			"not the demo's flat drawings), in headless Chromium as a phone (360×740, DPR 2), on %s.\n\n", tiles, time.Now().UTC().Format("2006-01-02"))
		p("| measure | figure | budget | |\n| --- | --- | --- | --- |\n")
		p("| cold load, bytes on the wire (HTML, CSS, JS, %d miniatures, headers) | %s in %d requests | %s | %s |\n",
			tiles, kb(int(load.Total())), len(load.ByURL()), kb(tillBudget), verdict(load.Total() <= tillBudget))
		p("| `pos.js`, gzip | %s (%s raw) | %s | %s |\n", kb(scriptGz), kb(script), kb(tillScriptBudget), verdict(scriptGz <= tillScriptBudget))
		p("| tap on «Cobrar» → sale on screen (IndexedDB write + render), CPU 4× slower, %d taps | p50 %.1f ms, p95 %.1f ms, max %.1f ms | %d ms | %s |\n\n",
			tillTaps, ms(p50), ms(p95), ms(worst), tillTapBudget.Milliseconds(), verdict(p95 <= tillTapBudget))
		p("The cold load counts the page fetched a second time by the script (to keep it for offline use, as the service worker " +
			"does not control a page the first time it opens). Reproduce: `./scripts/bench pos`.\n")
		if err := os.WriteFile(out, []byte(s.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// timeCharge taps tile %d, then "Cobrar", and answers the milliseconds from
// the tap on "Cobrar" to the frame after the queue counts the sale.
const timeCharge = `new Promise((ok) => {
  document.querySelectorAll(".tile")[%d].click();
  const q = document.getElementById("pos-queue");
  const want = String(+q.dataset.count + 1);
  let t0 = 0;
  const mo = new MutationObserver(() => {
    if (q.dataset.count !== want) return;
    mo.disconnect();
    requestAnimationFrame(() => setTimeout(() => ok(performance.now() - t0), 0));
  });
  mo.observe(q, { attributes: true });
  t0 = performance.now();
  document.getElementById("pos-charge").click();
})`

func gzipSize(tb testing.TB, body string) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // what the server's compression sends
	if _, err := io.WriteString(w, body); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Len()
}

// addTillProducts gives the demo bakery products, each with a photo, until
// it sells tillProducts.
func addTillProducts(tb testing.TB, r *running) {
	var login struct{ Token string }
	producerAPI(tb, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": demoAdminEmail, "password": demoAdminPassword}, 200, &login)
	bakery := demoInitiative(tb, r, "Mongua", "Panadería de Papa La Monguana")
	var have struct{ Items []struct{ ID string } }
	producerAPI(tb, r, "GET", "/api/v1/initiatives/"+bakery+"/products?limit=100", login.Token, nil, 200, &have)
	for i := len(have.Items); i < tillProducts; i++ {
		var p struct{ ID string }
		producerAPI(tb, r, "POST", "/api/v1/initiatives/"+bakery+"/products", login.Token, map[string]any{
			"name": fmt.Sprintf("Producto de la feria %d", i+1), "description": "Hecho en Mongua", "category": "bread_pastry",
			"unit": "unit", "price": map[string]any{"amount": 150000 + i*10000, "currency": "COP"}}, 201, &p)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "foto.jpg")
		fw.Write(noisyPhoto(tb, 1200, 900, uint64(i)))
		mw.Close()
		req, _ := http.NewRequest("POST", r.URL+"/api/v1/products/"+p.ID+"/images", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+login.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 201 {
			tb.Fatalf("photo of product %d: %d", i, res.StatusCode)
		}
	}
}

// noisyPhoto is a photo-like JPEG: shapes and gradients with sensor-like
// noise, which compresses about as badly as a phone's photo of bread.
func noisyPhoto(tb testing.TB, w, h int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, rad := w/2+rng.IntN(w/4)-w/8, h/2+rng.IntN(h/4)-h/8, min(w, h)/3
	for y := range h {
		for x := range w {
			n := rng.IntN(41) - 20
			c := [3]int{200 - y*80/h, 170 - y*60/h, 120 - x*40/w}
			if dx, dy := x-cx, y-cy; dx*dx+dy*dy < rad*rad {
				c = [3]int{190 + dx*30/rad, 120 + dy*20/rad, 50 + (dx*dy)%30}
			}
			img.Set(x, y, color.RGBA{clamp8(c[0] + n), clamp8(c[1] + n), clamp8(c[2] + n), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func clamp8(v int) uint8 { return uint8(max(0, min(255, v))) }
