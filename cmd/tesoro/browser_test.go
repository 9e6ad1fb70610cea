package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserHomeSpanishThenEnglish loads the demo home page on a phone,
// switches to English with the header link and checks that the choice
// survives a reload (the lang cookie).
func TestBrowserHomeSpanishThenEnglish(t *testing.T) {
	r := startRun(t, "", nil, "--demo")
	ctx := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, ctx)
		}
	})

	start := time.Now()
	tr, err := browsertest.MeasureTransfer(ctx, chromedp.Navigate(r.URL+"/"))
	if err != nil {
		t.Fatalf("loading the home page: %v", err)
	}
	t.Logf("cold home page load (%v):\n%s", time.Since(start).Round(time.Millisecond), tr)

	checkPage(t, ctx, "es", "Compre a las iniciativas productivas de su región")
	if dir := os.Getenv("TESORO_TEST_SCREENSHOTS"); dir != "" { // for a human to look at the layout
		if err := browsertest.Screenshot(ctx, filepath.Join(dir, "home-phone.png")); err != nil {
			t.Error(err)
		}
	}
	for _, xpath := range []string{
		`//section/h2[normalize-space(text())="Mongua"]`,
		`//section[h2[normalize-space(text())="Mongua"]]//h3[normalize-space()="Panadería de Papa La Monguana"]`,
	} {
		if !visible(t, ctx, xpath) {
			t.Errorf("%s is not visible on the home page, want visible", xpath)
		}
	}

	// Mobile-first: nothing may push the page sideways on a narrow phone.
	if got, want := evaluate[int](t, ctx, `document.documentElement.scrollWidth`), browsertest.PhoneWidth; got > want {
		t.Errorf("page width on a phone = %dpx, want at most %dpx (no horizontal scrolling)", got, want)
	}

	// A tap, as on a phone; it follows /idioma/en?next=/ and its redirect.
	if _, err := chromedp.RunResponse(ctx, chromedp.Tap(chromedp.CSS(`header a[hreflang="en"]`))); err != nil {
		t.Fatalf("tapping English: %v", err)
	}
	checkPage(t, ctx, "en", "Buy from the productive initiatives of your region")
	if got := evaluate[string](t, ctx, `location.pathname`); got != "/" {
		t.Errorf("after the language switch the path is %q, want %q", got, "/")
	}

	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	checkPage(t, ctx, "en", "Buy from the productive initiatives of your region")
}

// TestBrowserOfflinePage checks the service worker: once it controls the
// page, a navigation without network shows the cached offline page instead of
// the browser's error page.
func TestBrowserOfflinePage(t *testing.T) {
	r := startRun(t, "", nil, "--demo")
	ctx := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, ctx)
		}
	})

	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/")); err != nil {
		t.Fatalf("loading the home page: %v", err)
	}
	// app.js registers /sw.js on load; the worker claims the page when it
	// activates, after its install has cached the offline page. Offline needs
	// the worker running, which it is once it controls the page.
	if !evaluate[bool](t, ctx, `navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise) {
		t.Fatal("navigator.serviceWorker.ready did not resolve to true")
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for the service worker to control the page: %v", err)
	}

	if err := browsertest.Offline(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/")); err != nil {
		t.Fatalf("navigating offline: %v (want the service worker's offline page)", err)
	}
	if got, want := text(t, ctx, "h1"), "Sin conexión"; got != want {
		t.Errorf("offline h1 = %q, want %q", got, want)
	}
}

// checkPage asserts the language of the document and its h1.
func checkPage(t testing.TB, ctx context.Context, lang, h1 string) {
	t.Helper()
	if got := evaluate[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf("html[lang] = %q, want %q", got, lang)
	}
	if got := text(t, ctx, "h1"); got != h1 {
		t.Errorf("h1 = %q, want %q", got, h1)
	}
}

func text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// visible reports whether the element at xpath exists, is rendered with a
// size and is not hidden by CSS.
func visible(t testing.TB, ctx context.Context, xpath string) bool {
	t.Helper()
	q, _ := json.Marshal(xpath)
	return evaluate[bool](t, ctx, fmt.Sprintf(`(() => {
		const el = document.evaluate(%s, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		if (!el) return false;
		const r = el.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && el.checkVisibility({opacityProperty: true, visibilityProperty: true});
	})()`, q))
}

func evaluate[T any](t testing.TB, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// shot saves a screenshot of a failed test for a human to look at.
func shot(t testing.TB, ctx context.Context) {
	path := filepath.Join(os.TempDir(), strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := browsertest.Screenshot(ctx, path); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failure: %s", path)
}
