package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// The page-weight budgets of the marketplace (issue: "home ≤ 60 KB
// transferred on a cold load including the thumbnails above the fold, phone
// viewport 360×740; product page ≤ 25 KB when CSS/JS/icons are already
// cached"). A KB is 1024 bytes; bytes are those on the wire, headers
// included, as Chromium counts them (browsertest.MeasureTransfer).
const (
	homeBudget    = 60 * 1024
	productBudget = 25 * 1024
)

// pageWeights is one measurement: the cold home page, then a product page
// in the same tab.
type pageWeights struct {
	Home, Product *browsertest.Transfer
	// ProductPath is the product page measured and ProductName its product:
	// the newest product whose photo the home page did not load, so that the
	// product page pays for its photo as it would coming from a search or a
	// shared link.
	ProductPath, ProductName string
}

// measurePageWeights loads the home page of r in a fresh phone tab (no cache,
// no cookies, no service worker), then a product page in the same tab, and
// returns both transfers with the tab.
func measurePageWeights(tb testing.TB, r *running) (pageWeights, context.Context) {
	tb.Helper()
	base := r.URL
	ctx := browsertest.NewTab(tb)
	var w pageWeights
	var err error
	if w.Home, err = browsertest.MeasureTransfer(ctx, chromedp.Navigate(base+"/")); err != nil {
		tb.Fatalf("loading the home page: %v", err)
	}
	// The service worker app.js registers would fetch the next page itself,
	// and the bytes it fetches belong to the worker, which MeasureTransfer
	// does not count: unregister it, so that the page's HTML is counted. The
	// assets stay in the HTTP cache, as the budget wants them.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.getRegistrations().then(rs => rs.length > 0)`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		tb.Fatalf("waiting for the service worker to register: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistrations().then(rs => Promise.all(rs.map(r => r.unregister()))).then(oks => oks.every(Boolean))`,
		chromedp.EvalAwaitPromise)); err != nil {
		tb.Fatalf("unregistering the service worker: %v", err)
	}
	loaded := w.Home.ByURL()
	var list struct {
		Items []struct {
			ID, Name string
			Images   []struct {
				ThumbURL string `json:"thumb_url"`
			}
		}
	}
	status, body := r.get(tb, "/api/v1/products?limit=100")
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.Items) == 0 {
		tb.Fatalf("listing products: %d %v (did --demo load?)", status, err)
	}
	pick := list.Items[0]
	for _, p := range list.Items {
		if len(p.Images) > 0 && loaded[base+p.Images[0].ThumbURL] == 0 {
			pick = p
			break
		}
	}
	w.ProductPath, w.ProductName = "/productos/"+pick.ID, pick.Name
	if w.Product, err = browsertest.MeasureTransfer(ctx, chromedp.Navigate(base+w.ProductPath)); err != nil {
		tb.Fatalf("loading %s: %v", w.ProductPath, err)
	}
	if w.Product.ByURL()[base+w.ProductPath] == 0 {
		tb.Fatalf("the product page's HTML was not counted:\n%s", w.Product)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || strings.TrimSpace(h1) != pick.Name {
		tb.Fatalf("product page h1 = %q (%v), want %q", h1, err, pick.Name)
	}
	return w, ctx
}

// BenchmarkPageWeight measures, once whatever b.N is, the bytes a phone
// downloads for the home page on a cold load and for a product page right
// after it, against the budgets. With TESORO_BENCH_OUT set it writes the
// markdown section of docs/benchmarks.md there (scripts/bench splices it in).
// It reports a missed budget in the section, as the products benchmark
// reports a missed ratio; TestBrowserMarketplace fails on one.
func BenchmarkPageWeight(b *testing.B) {
	if testing.Short() {
		b.Skip("starts the whole program and a browser")
	}
	r := startRun(b, "", map[string]string{"TESORO_LOG_LEVEL": "error",
		"TESORO_ADMIN_EMAIL": demoAdminEmail, "TESORO_ADMIN_PASSWORD": demoAdminPassword}, "--demo")
	w, ctx := measurePageWeights(b, r)
	// The adviser's pages, signed in as the coordinator in the same tab.
	signInOnPhone(b, ctx, r, demoAdminEmail, demoAdminPassword)
	adviser := measureAdviserPages(b, ctx, r, demoInitiative(b, r, "Mongua", "Panadería de Papa La Monguana"))
	for _, pw := range adviser {
		b.Logf("%s:\n%s", pw.Path, pw.Transfer)
	}
	b.Logf("home page, cold:\n%s", w.Home)
	b.Logf("product page %s after the home page:\n%s", w.ProductPath, w.Product)
	b.ReportMetric(float64(w.Home.Total()), "home-B")
	b.ReportMetric(float64(w.Product.Total()), "product-B")
	b.ReportMetric(float64(len(w.Home.ByURL())), "home-requests")
	b.ReportMetric(float64(len(w.Product.ByURL())), "product-requests")
	if out := os.Getenv("TESORO_BENCH_OUT"); out != "" {
		ua, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
		if err := os.WriteFile(out, []byte(pageWeightSection(w, adviser, r.URL, ua)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// pageWeightSection is the docs/benchmarks.md section of BenchmarkPageWeight.
func pageWeightSection(w pageWeights, adviser []adviserPage, base, userAgent string) string {
	var s strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&s, format, args...) }
	kb := func(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
	verdict := func(n, budget int64) string {
		if n <= budget {
			return "meets the budget"
		}
		return "**MISSES the budget**"
	}
	p("## Page weight\n\n")
	p("Budgets: the home page transfers at most 60 KB on a cold load, the thumbnails above the fold included, on a phone\n" +
		"(360×740 CSS pixels); a product page transfers at most 25 KB when the CSS, JavaScript and icons are already cached;\n" +
		"each page of an adviser's (portfolio, progress, indicators, milestones) at most 40 KB.\n" +
		"A KB is 1024 bytes; the bytes are those on the wire, compressed, headers included, as Chromium reports them.\n\n")
	p("| page | load | budget | measured | requests | result |\n|---|---|---:|---:|---:|---|\n")
	p("| `/` | cold: empty cache, no service worker | %s | %s | %d | %s |\n", kb(homeBudget), kb(w.Home.Total()),
		len(w.Home.ByURL()), verdict(w.Home.Total(), homeBudget))
	p("| `/productos/{id}` | next, in the same tab: assets cached | %s | %s | %d | %s |\n", kb(productBudget),
		kb(w.Product.Total()), len(w.Product.ByURL()), verdict(w.Product.Total(), productBudget))
	for i, pw := range adviser {
		load := "next, signed in as the coordinator"
		if i == 0 {
			load = "after signing in as the coordinator"
		}
		p("| `%s` | %s | %s | %s | %d | %s |\n", pw.Route, load, kb(adviserPageBudget), kb(pw.Transfer.Total()),
			len(pw.Transfer.ByURL()), verdict(pw.Transfer.Total(), adviserPageBudget))
	}
	p("\n")
	table := func(title string, tr *browsertest.Transfer) {
		m := tr.ByURL()
		urls := make([]string, 0, len(m))
		for u := range m {
			urls = append(urls, u)
		}
		slices.SortFunc(urls, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b)) })
		p("%s\n\n| bytes | URL |\n|---:|---|\n", title)
		for _, u := range urls {
			p("| %d | `%s` |\n", m[u], strings.TrimPrefix(u, base))
		}
		p("| **%d** | total (%s) |\n\n", tr.Total(), kb(tr.Total()))
	}
	table("Home page, cold load:", w.Home)
	table(fmt.Sprintf("Product page (%q), right after the home page:", w.ProductName), w.Product)
	for _, pw := range adviser {
		table(fmt.Sprintf("`%s`, signed in as the coordinator (all 42 initiatives):", pw.Route), pw.Transfer)
	}
	p("- Home page: of its 8 recent products a phone shows 4 (two rows of two), with the 480-pixel thumbnails; the " +
		"other 4 appear from 40rem up. Chromium fetches a `loading=\"lazy\"` image as soon as it is within about 1250 px " +
		"of the viewport, so on this page a lazy image near the fold costs as much as an eager one: every thumbnail a " +
		"phone displays in the first two screens counts (about 8–10 KB each for the demo photos; a real photo costs more).\n")
	p("- Product measured: the newest one whose photo the home page did not load, so the page pays for its photo, as " +
		"when it is opened from a search or a shared link. Phones get the 480-pixel rendition of the photo; screens " +
		"40rem and wider get the 960-pixel one. Between the two loads the service worker that `app.js` registers is " +
		"unregistered: it would fetch the page's HTML itself, and bytes a worker fetches are not counted; the assets " +
		"stay in the HTTP cache (0 bytes above).\n")
	p("- Adviser pages (issue #14: each ≤ 40 KB on a phone): the portfolio, the progress page of the Mongua bakery " +
		"(24 months of sales with its sessions), the indicators of the quarter and the milestone definitions, in that " +
		"order in the same tab after the coordinator signs in; the service worker is unregistered before each, so " +
		"each page's HTML is counted. `TestBrowserIndicatorsAndMilestones` fails when one of them is over.\n")
	p("- Setup: the whole program (`Run` with `--demo`: embedded FerretDB, the demo initiatives and their products with " +
		"generated photos) on loopback; a fresh tab of headless Chromium from `browsertest.NewTab` (device scale factor " +
		"2, touch, `Accept-Language: es-CO`); the counting of `browsertest.MeasureTransfer`, which stops when the network " +
		"has been idle for half a second after the load event. Requests a service worker makes on its own (its install-" +
		"time caching) are not counted. Images below the fold are `loading=\"lazy\"`, so what Chromium fetches depends on " +
		"its lazy-loading distance; a real phone on a slow connection may fetch more of them.\n")
	p("- Run: %s; %s; %s %s/%s.\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), userAgent, runtime.Version(),
		runtime.GOOS, runtime.GOARCH)
	p("- Reproduce: `./scripts/bench pages`, or `go test -run '^$' -bench BenchmarkPageWeight -benchtime 1x ./cmd/tesoro/`.\n")
	return s.String()
}

// TestBrowserMarketplace walks the marketplace on a phone: the home page
// within its budget, a product page (tapped from the home page) with its
// WhatsApp link, the initiative behind it and a search; none may scroll
// sideways. With TESORO_TEST_SCREENSHOTS set to a directory it saves a
// screenshot of each page there, for a human to look at.
func TestBrowserMarketplace(t *testing.T) {
	r := startRun(t, "", nil, "--demo")
	w, ctx := measurePageWeights(t, r)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, ctx)
		}
	})
	t.Logf("home page, cold:\n%s", w.Home)
	t.Logf("product page %s after the home page:\n%s", w.ProductPath, w.Product)
	// Bytes, not time: the same program and browser send the same bytes on any machine.
	if got := w.Home.Total(); got > homeBudget {
		t.Errorf("home page, cold: %d bytes, budget %d", got, homeBudget)
	}
	if got := w.Product.Total(); got > productBudget {
		t.Errorf("product page after the home page: %d bytes, budget %d", got, productBudget)
	}

	screens := os.Getenv("TESORO_TEST_SCREENSHOTS")
	look := func(name string) {
		t.Helper()
		if got, want := evaluate[int](t, ctx, `document.documentElement.scrollWidth`), browsertest.PhoneWidth; got > want {
			t.Errorf("%s: page width on a phone = %dpx, want at most %dpx (no horizontal scrolling)", name, got, want)
		}
		if screens != "" {
			if err := browsertest.Screenshot(ctx, filepath.Join(screens, name+"-phone.png")); err != nil {
				t.Error(err)
			}
		}
	}

	// Home: the first product card is a link to its page, with a photo that
	// loads at once; the last ones wait until scrolled near.
	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/")); err != nil {
		t.Fatal(err)
	}
	look("home")
	if got := evaluate[string](t, ctx, `[...document.querySelectorAll(".pcard img")].map(i => i.loading).join(",")`); !strings.HasPrefix(got, "auto,auto,lazy") {
		t.Errorf("home photos loading = %q, want the first row eager and the rest lazy", got)
	}
	name := text(t, ctx, ".pcard .pname")
	if _, err := chromedp.RunResponse(ctx, chromedp.Tap(chromedp.CSS(".pcard"))); err != nil {
		t.Fatalf("tapping the first product: %v", err)
	}
	if got := text(t, ctx, "h1"); got != name {
		t.Errorf("after tapping %q the h1 is %q", name, got)
	}
	look("product")
	wa := evaluate[string](t, ctx, `document.querySelector("a.wa-button").href`)
	if !strings.HasPrefix(wa, "https://wa.me/57300") || !strings.Contains(wa, "text=") {
		t.Errorf("WhatsApp link = %q, want wa.me with the initiative's number and a message", wa)
	}
	if alt := evaluate[string](t, ctx, `document.querySelector(".photo img").alt`); !strings.Contains(alt, name) {
		t.Errorf("photo alt = %q, want the product's name", alt)
	}

	// The initiative, from the product page's link.
	if _, err := chromedp.RunResponse(ctx, chromedp.Tap(chromedp.CSS(`a[href^="/iniciativas/"]`))); err != nil {
		t.Fatalf("tapping the initiative: %v", err)
	}
	look("initiative")
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".pcard").length`); n == 0 {
		t.Error("the initiative page lists no products")
	}

	// A search, as the home page's box sends it.
	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/buscar?q=pan")); err != nil {
		t.Fatal(err)
	}
	look("search")
	if got := evaluate[string](t, ctx, `[...document.querySelectorAll(".pcard .pname")].map(e => e.textContent).join("|")`); !strings.Contains(got, "Pan de papa") {
		t.Errorf("search for pan found %q, want Pan de papa among them", got)
	}
}
