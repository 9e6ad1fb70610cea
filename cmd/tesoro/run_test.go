package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// running is a whole program started through Run, as main would start it.
type running struct {
	URL    string // http://127.0.0.1:PORT
	Stdout *syncBuffer
	cancel context.CancelFunc
	done   chan error // receives Run's result once

	stopOnce sync.Once
	stopErr  error
}

// stop cancels Run and waits for it to return; later calls return the same result.
func (r *running) stop() error {
	r.stopOnce.Do(func() {
		r.cancel()
		select {
		case r.stopErr = <-r.done:
		case <-time.After(60 * time.Second):
			r.stopErr = errors.New("Run did not return within 60s of stop")
		}
	})
	return r.stopErr
}

// Stop sends the equivalent of SIGTERM and waits for a graceful stop.
func (r *running) Stop(t testing.TB) {
	t.Helper()
	if err := r.stop(); err != nil {
		t.Fatalf("stop: got %v, want a clean return", err)
	}
}

// startRun runs the program on 127.0.0.1:0 with data in dir (a new temp dir when
// empty) plus env, and waits for its "listening on" line. It is stopped at
// cleanup. The program's log (warn and above unless env says otherwise) goes
// to the test log.
func startRun(t testing.TB, dir string, env map[string]string, args ...string) *running {
	t.Helper()
	return startRunLogging(t, dir, env, testLogWriter{t}, args...)
}

// startRunLogging is startRun with the program's log sent to logs.
func startRunLogging(t testing.TB, dir string, env map[string]string, logs io.Writer, args ...string) *running {
	t.Helper()
	return startRunWithin(t, 180*time.Second, dir, env, logs, args...)
}

// startRunWithin is startRunLogging waiting up to within for the program
// to listen.
func startRunWithin(t testing.TB, within time.Duration, dir string, env map[string]string, logs io.Writer, args ...string) *running {
	t.Helper()
	var printed []string // the demo's lines, printed when it was loaded
	if dir == "" {
		dir = t.TempDir()
		if slices.Contains(args, "--demo") {
			printed = copyDemo(t, dir)
		}
	}
	vars := map[string]string{"TESORO_LISTEN": "127.0.0.1:0", "TESORO_DATA": dir, "TESORO_LOG_LEVEL": "warn"}
	for k, v := range env {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	out := &syncBuffer{lines: printed}
	r := &running{Stdout: out, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := Run(ctx, args, getenv, strings.NewReader(""), pw, logs)
		pw.Close()
		r.done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			out.WriteLine(line)
			if rest, ok := strings.CutPrefix(line, "tesoro: listening on "); ok {
				addr <- rest
			}
		}
	}()
	select {
	case r.URL = <-addr:
	case err := <-r.done:
		cancel()
		t.Fatalf("Run ended before listening: %v", err)
	case <-time.After(within):
		cancel()
		t.Fatalf("program did not listen within %s", within)
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("stop at cleanup: %v", err)
		}
	})
	return r
}

// get fetches path and returns status and body.
func (r *running) get(t testing.TB, path string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// syncBuffer collects the program's stdout lines for assertions.
type syncBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *syncBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

// testLogWriter sends the program's log to the test log (shown on failure).
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// requireCI fails under CI=true and skips elsewhere: a missing part is a
// failure where the test script promised it.
func requireCI(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true (scripts/test provides it)", what)
	}
	t.Skipf("%s not available; scripts/test provides it (under CI=true this fails)", what)
}

// demoTemplate is a data directory the demo was loaded into once for the
// whole test binary: loading it takes tens of seconds (minutes under -race),
// so a test that starts --demo on a fresh directory starts on a copy, where
// the loader finds everything and adds nothing, as on a second start.
var demoTemplate struct {
	once    sync.Once
	dir     string
	printed []string // its stdout: the demo users' passwords among it
}

// copyDemo copies the demo template (loading it the first time) into dir
// and answers what the loading printed.
func copyDemo(t testing.TB, dir string) []string {
	t.Helper()
	demoTemplate.once.Do(func() {
		tmpl, err := os.MkdirTemp("", "tesoro-demo-")
		if err != nil {
			t.Fatal(err)
		}
		// Loading it takes minutes under -race on a busy machine.
		r := startRunWithin(t, 15*time.Minute, tmpl, nil, io.Discard, "--demo")
		r.Stop(t)
		demoTemplate.dir, demoTemplate.printed = tmpl, slices.Clone(r.Stdout.lines)
	})
	if demoTemplate.dir == "" {
		t.Fatal("loading the demo failed in an earlier test")
	}
	err := filepath.WalkDir(demoTemplate.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(demoTemplate.dir, path)
		target := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the demo: %v", err)
	}
	var lines []string
	for _, l := range demoTemplate.printed {
		if !strings.HasPrefix(l, "tesoro: listening on ") {
			lines = append(lines, l)
		}
	}
	return lines
}
