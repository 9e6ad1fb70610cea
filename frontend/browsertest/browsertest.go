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

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The phone that NewTab emulates: a common low-end Android screen, where the
// app must work first, set up for Colombia like the producers and buyers who
// use Tesoro. The Accept-Language matters: without a cookie the site picks its
// language from it, and headless Chromium would otherwise ask for en-US.
const (
	PhoneWidth          = 360
	PhoneHeight         = 740
	PhoneScale          = 2
	PhoneAcceptLanguage = "es-CO,es;q=0.9"
	PhoneLocale         = "es_CO"
	PhoneTimezone       = "America/Bogota"
)

// TabTimeout bounds everything one test does in its tab, so a page that never
// loads fails the test instead of hanging the binary until -timeout.
const TabTimeout = 60 * time.Second

// shared is the one browser of the test binary.
var shared struct {
	once      sync.Once
	path      string          // the Chromium binary
	missing   bool            // path does not exist: skip or fail, see NewTab
	ctx       context.Context // the browser's own chromedp context; never canceled
	userAgent string          // Chrome on Android, of the version that runs
	err       error           // the start failed for another reason
}

// startBrowser starts Chromium on first use. It lives until the test binary exits:
// the exec allocator starts it with Pdeathsig=SIGKILL, so it dies with us.
func startBrowser() {
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
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		shared.err = fmt.Errorf("asking %s for its version: %w", shared.path, err)
		return
	}
	// "HeadlessChrome/156.0.8078.108" → the reduced user agent of Chrome 156 on Android.
	_, version, _ := strings.Cut(v.Product, "/")
	major, _, _ := strings.Cut(version, ".")
	shared.userAgent = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" +
		major + ".0.0.0 Mobile Safari/537.36"
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
		if err == nil && n != os.Getpid() && gone(n) {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	return os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-")
}

// gone reports whether process pid has ended. When in doubt (another user's
// process, or Windows where signal 0 is not supported) it says no.
func gone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}

// NewTab opens a tab in the shared browser and returns its context, for
// chromedp.Run and chromedp.Do. The tab emulates a phone in Colombia (360×740
// CSS pixels, device scale factor 2, mobile viewport rules, touch, Chrome on
// Android user agent, Spanish, Bogotá time; see the Phone constants) and has
// its own browser context, so it starts with no cookies, no cache and no
// service worker. The context ends after TabTimeout; the tab closes when the
// test ends.
func NewTab(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(startBrowser)
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
	if err := phone(ctx); err != nil {
		t.Fatalf("opening a phone tab: %v", err)
	}
	return ctx
}

func phone(ctx context.Context) error {
	return chromedp.Do(ctx,
		chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
			chromedp.EmulateScale(PhoneScale), chromedp.EmulateMobile, chromedp.EmulateTouch),
		call(emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: shared.userAgent, AcceptLanguage: PhoneAcceptLanguage}),
		call(emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: PhoneLocale}),
		call(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: PhoneTimezone}),
	)
}

// NewTabBeside opens another phone tab in the browser context of ctx's tab:
// the same cookies, storage and service workers, as a second tab of the
// same phone's browser. It closes when the test ends (or with CloseTab).
func NewTabBeside(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	timed, cancelTimed := context.WithTimeout(shared.ctx, TabTimeout)
	tab, cancelTab := chromedp.NewContext(timed, chromedp.WithExistingBrowserContext(chromedp.FromContext(ctx).BrowserContextID))
	t.Cleanup(func() {
		cancelTab()
		cancelTimed()
	})
	if err := phone(tab); err != nil {
		t.Fatalf("opening a second phone tab: %v", err)
	}
	return tab
}

// CloseTab closes the tab of ctx as its user would, leaving its browser
// context (storage, service workers) to the other tabs in it.
func CloseTab(ctx context.Context) error {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return nil
	}
	// Through the browser's session: cancelling the tab's context would
	// dispose of its browser context too, and chromedp refuses the command
	// on the tab's own session.
	_, err := cdp.Call(ctx, c.Browser, target.CloseTarget, target.CloseTargetParams{TargetID: c.Target.TargetID})
	return err
}

// call makes a protocol command an action, to run it among others in one Do.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// Offline cuts the tab off the network, as a phone with no signal: its
// requests fail and navigator.onLine is false. It stays offline until Online
// or until the tab closes.
//
// A service worker is a DevTools target of its own, and the network
// conditions of the page's session do not reach the worker's fetch() calls
// (nor does emulateOfflineServiceWorker, in Chromium 156): the worker would
// still reach the server and the page would never see its offline fallback.
// So Offline also attaches to every service worker running in the tab's
// browser context and cuts it off too, as DevTools does and as Chromium's own
// protocol tests do. A worker that starts later is not covered; wait until
// navigator.serviceWorker.controller is set (the worker then runs, and while
// DevTools is attached Chrome does not stop it for being idle) before calling
// Offline.
func Offline(ctx context.Context) error { return setNetwork(ctx, true) }

// Online gives the tab (and the service workers running in its browser
// context) the network back, as a phone whose signal returns: requests go
// through again and the page gets its "online" event.
func Online(ctx context.Context) error { return setNetwork(ctx, false) }

// workers holds the session attached to each service worker: network
// conditions belong to the session that set them, so going online again
// must go through the session that went offline.
var workers sync.Map // target.ID → context.Context

// workerSession is the session to the worker id, made as a child of the tab
// of ctx (it stays attached, and ends with that tab) unless one is open.
func workerSession(ctx context.Context, id target.ID) context.Context {
	if s, ok := workers.Load(id); ok && s.(context.Context).Err() == nil {
		return s.(context.Context)
	}
	sw, _ := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	workers.Store(id, sw)
	return sw
}

func setNetwork(ctx context.Context, offline bool) error {
	sessions := []context.Context{ctx}
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		return err
	}
	bc := chromedp.FromContext(ctx).BrowserContextID
	for _, info := range targets {
		if info.Type == "service_worker" && info.BrowserContextID == bc {
			sessions = append(sessions, workerSession(ctx, info.TargetID))
		}
	}
	rules := []*network.Conditions{}
	if offline {
		rules = append(rules, &network.Conditions{Offline: true}) // no URL pattern: all requests
	}
	for _, s := range sessions {
		err := chromedp.Do(s,
			call(network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}),
			// navigator.onLine, which the rules above leave alone.
			call(network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}),
		)
		if err != nil {
			return fmt.Errorf("emulating the network (offline %v): %w", offline, err)
		}
	}
	return nil
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
