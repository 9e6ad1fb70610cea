// Package browsertest runs tests in a real headless Chromium, the way a
// visitor on a phone sees Tesoro. It is a plain (non-_test) package so that the
// tests of any package can import it; nothing in the program imports it.
//
// One browser serves the whole test binary: starting Chromium takes about a
// second, a new tab takes a few milliseconds. Each test gets its own tab in its
// own browser context (like a private window), so cookies, storage, HTTP cache
// and service workers never leak from one test to another.
//
// The browser is found at $TESORO_TEST_CHROMIUM, else /usr/bin/chromium. When
// it is missing the tests skip, except under CI=true where they fail:
// scripts/test installs Chromium, so a missing browser there is a broken setup.
package browsertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The phone that NewTab emulates: a common low-end Android screen, where the
// app must work first.
const (
	PhoneWidth  = 360
	PhoneHeight = 740
	PhoneScale  = 2
)

// TabTimeout bounds everything one test does in its tab, so a page that never
// loads fails the test instead of hanging the binary until -timeout.
const TabTimeout = 60 * time.Second

// shared is the one browser of the test binary.
var shared struct {
	once    sync.Once
	path    string          // the Chromium binary
	missing bool            // path does not exist: skip or fail, see NewTab
	ctx     context.Context // the browser's own chromedp context; never canceled
	err     error           // the start failed for another reason
}

// browser starts Chromium on first use. It lives until the test binary exits:
// the exec allocator starts it with Pdeathsig=SIGKILL, so it dies with us.
func browser() {
	shared.path = os.Getenv("TESORO_TEST_CHROMIUM")
	if shared.path == "" {
		shared.path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(shared.path); err != nil {
		shared.missing = true
		return
	}
	dir, err := profileDir()
	if err != nil {
		shared.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(shared.path),
		chromedp.Headless,
		chromedp.NoSandbox, // containers and CI run as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// No traffic of the browser's own: byte counts stay those of the page.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
	)
	alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline
		shared.err = fmt.Errorf("starting %s: %w", shared.path, err)
		return
	}
	shared.ctx = ctx
}

// profileDir makes a fresh --user-data-dir named after our pid. The browser is
// killed, not closed, when the binary exits, so nothing removes the directory
// then; instead each start removes the directories of binaries that are gone.
func profileDir() (string, error) {
	root := filepath.Join(os.TempDir(), "tesoro-browsertest")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		pid, _, _ := strings.Cut(e.Name(), "-")
		n, err := strconv.Atoi(pid)
		if err == nil && n != os.Getpid() && errors.Is(syscall.Kill(n, 0), syscall.ESRCH) {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	return os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-")
}

// NewTab opens a tab in the shared browser and returns its context, for
// chromedp.Run and chromedp.Do. The tab emulates a phone (360×740 CSS pixels,
// device scale factor 2, mobile viewport rules, touch) and has its own browser
// context, so it starts with no cookies, no cache and no service worker. The
// context ends after TabTimeout; the tab closes when the test ends.
func NewTab(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(browser)
	switch {
	case shared.missing && os.Getenv("CI") == "true":
		t.Fatalf("browser %s not found; it is required under CI=true (scripts/test installs it; or set TESORO_TEST_CHROMIUM)", shared.path)
	case shared.missing:
		t.Skipf("browser %s not found; scripts/test installs it, or set TESORO_TEST_CHROMIUM (under CI=true this fails)", shared.path)
	case shared.err != nil:
		t.Fatal(shared.err)
	}
	// The tab lives in the timeout context, so its deadline also stops the
	// tab's own goroutines; closing it afterwards uses a fresh context.
	timed, cancelTimed := context.WithTimeout(shared.ctx, TabTimeout)
	ctx, cancelTab := chromedp.NewContext(timed, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancelTab() // closes the tab and disposes of its browser context
		cancelTimed()
	})
	err := chromedp.Do(ctx, chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
		chromedp.EmulateScale(PhoneScale), chromedp.EmulateMobile, chromedp.EmulateTouch))
	if err != nil {
		t.Fatalf("opening a phone tab: %v", err)
	}
	return ctx
}

// Screenshot saves a PNG of the whole page (not only the viewport) to path,
// for a human to look at when a test fails or a layout is in doubt.
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// quietPeriod is how long the network must stay idle after the load event
// before MeasureTransfer stops counting; it catches what scripts fetch late.
const quietPeriod = 500 * time.Millisecond

// Transfer is what the tab received over the network during one page load:
// the encoded (compressed, on the wire) bytes, headers included, as Chrome
// reports them in Network.loadingFinished. That is the number a visitor pays
// for on a prepaid mobile plan, and what the page-weight budget limits.
type Transfer struct {
	mu       sync.Mutex
	url      map[network.RequestID]string // open requests
	bytes    map[string]int64             // by URL
	activity chan struct{}                // a request started or ended
}

// MeasureTransfer runs load (usually chromedp.Navigate(url)) in the tab of ctx
// and counts the bytes of every request the page makes until the network has
// been idle for half a second after load returns. In a fresh tab from NewTab
// it measures a cold load. Requests a service worker makes on its own, such as
// its install-time caching, belong to the worker and are not counted.
func MeasureTransfer(ctx context.Context, load chromedp.Action[chromedp.Void]) (*Transfer, error) {
	tr := &Transfer{url: map[network.RequestID]string{}, bytes: map[string]int64{}, activity: make(chan struct{}, 1)}
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := chromedp.Listen(lctx, tr.event); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, load); err != nil {
		return nil, err
	}
	quiet := time.NewTimer(quietPeriod)
	defer quiet.Stop()
	for {
		select {
		case <-tr.activity:
			quiet.Reset(quietPeriod)
		case <-quiet.C:
			tr.mu.Lock()
			open := len(tr.url)
			tr.mu.Unlock()
			if open == 0 {
				return tr, nil
			}
			quiet.Reset(quietPeriod)
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the network to be idle: %w", ctx.Err())
		}
	}
}

// event runs in the tab's message loop (see chromedp.Listen): it only
// records and must not block.
func (tr *Transfer) event(ev any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if r := ev.RedirectResponse; r != nil { // same id, next hop: bill the redirect
			tr.bytes[tr.url[ev.RequestID]] += int64(r.EncodedDataLength)
		}
		tr.url[ev.RequestID] = ev.Request.URL
	case *network.EventLoadingFinished:
		if u, ok := tr.url[ev.RequestID]; ok {
			tr.bytes[u] += int64(ev.EncodedDataLength)
			delete(tr.url, ev.RequestID)
		}
	case *network.EventLoadingFailed:
		delete(tr.url, ev.RequestID)
	default:
		return
	}
	select {
	case tr.activity <- struct{}{}:
	default:
	}
}

// Total is the sum of the bytes of all requests.
func (tr *Transfer) Total() int64 {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var n int64
	for _, b := range tr.bytes {
		n += b
	}
	return n
}

// ByURL returns the bytes of each URL, summed over its requests.
func (tr *Transfer) ByURL() map[string]int64 {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	m := make(map[string]int64, len(tr.bytes))
	for u, b := range tr.bytes {
		m[u] = b
	}
	return m
}

// String lists the URLs, biggest first, and the total, for t.Log.
func (tr *Transfer) String() string {
	m := tr.ByURL()
	urls := make([]string, 0, len(m))
	for u := range m {
		urls = append(urls, u)
	}
	slices.SortFunc(urls, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b))
	})
	var s strings.Builder
	var total int64
	for _, u := range urls {
		fmt.Fprintf(&s, "%8d B  %s\n", m[u], u)
		total += m[u]
	}
	fmt.Fprintf(&s, "%8d B  total (%.1f KB) from %d URLs", total, float64(total)/1024, len(urls))
	return s.String()
}
