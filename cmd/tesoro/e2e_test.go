package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func countInitiatives(t *testing.T, r *running) int {
	t.Helper()
	status, body := r.get(t, "/api/v1/initiatives?limit=100")
	if status != 200 {
		t.Fatalf("list: got %d %s", status, body)
	}
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

// The whole program, embedded defaults: ready, demo data, stop, start again on
// the same directory, and the data is still there (and not loaded twice).
func TestRunSurvivesRestart(t *testing.T) {
	// The demo's first start is the template's (copyDemo): its lines printed then.
	dir := t.TempDir()
	printed := strings.Join(copyDemo(t, dir), "\n")
	r := startRun(t, dir, nil, "--demo")
	if status, body := r.get(t, "/readyz"); status != 200 {
		t.Fatalf("/readyz: got %d %s, want 200", status, body)
	}
	want := len(demoInitiatives)
	if got := countInitiatives(t, r); got != want {
		t.Fatalf("after demo load: got %d initiatives, want %d", got, want)
	}
	if !strings.Contains(printed, "demo data loaded") || !strings.Contains(printed, "demo sessions loaded") {
		t.Fatalf("the first start printed %q, want the demo and demo sessions lines", printed)
	}
	status, home := r.get(t, "/")
	if status != 200 || !strings.Contains(home, "Panadería de Papa La Monguana") || !strings.Contains(home, `lang="es"`) {
		t.Fatalf("home: got %d, want the Spanish page with demo initiatives", status)
	}
	r.Stop(t)

	again := startRun(t, dir, nil, "--demo")
	if got := countInitiatives(t, again); got != want {
		t.Fatalf("after restart: got %d initiatives, want %d", got, want)
	}
	if strings.Contains(again.Stdout.String(), "demo data loaded") {
		t.Fatal("demo data loaded a second time into a database that has it")
	}
	if strings.Contains(again.Stdout.String(), "demo sessions loaded") {
		t.Fatal("demo sessions loaded a second time into a database that has them")
	}
	again.Stop(t)
}

func TestRunWithoutDemoStartsEmpty(t *testing.T) {
	r := startRun(t, "", nil)
	if got := countInitiatives(t, r); got != 0 {
		t.Fatalf("got %d initiatives, want 0", got)
	}
	_, home := r.get(t, "/")
	if !strings.Contains(home, "Todavía no hay iniciativas publicadas") {
		t.Fatal("home page without data lacks the empty state")
	}
}

func TestSecondProcessOnSameDataDirectoryFails(t *testing.T) {
	dir := t.TempDir()
	startRun(t, dir, nil)
	var out, errOut bytes.Buffer
	env := map[string]string{"TESORO_LISTEN": "127.0.0.1:0", "TESORO_DATA": dir}
	err := Run(t.Context(), nil, envOf(env), strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "in use by another tesoro process") {
		t.Fatalf("got %v, want a clear 'in use' error", err)
	}
}

func TestObjectStoreDownAtStartIsNotACrash(t *testing.T) {
	r := startRun(t, "", map[string]string{
		"S3_ENDPOINT": "127.0.0.1:1", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b", "S3_BUCKET": "tesoro",
	})
	if status, body := r.get(t, "/readyz"); status != 503 || !strings.Contains(body, `"objects":"unavailable"`) {
		t.Fatalf("/readyz: got %d %s, want 503 with objects unavailable", status, body)
	}
	if status, _ := r.get(t, "/healthz"); status != 200 {
		t.Fatalf("/healthz: got %d, want 200", status)
	}
}

// With a real MinIO (started by scripts/test) the program is ready on S3.
func TestRunOnMinIO(t *testing.T) {
	endpoint := os.Getenv("TESORO_TEST_MINIO")
	if endpoint == "" {
		requireCI(t, "MinIO (TESORO_TEST_MINIO)")
	}
	r := startRun(t, "", map[string]string{
		"S3_ENDPOINT": endpoint, "S3_ACCESS_KEY": os.Getenv("TESORO_TEST_MINIO_ACCESS_KEY"),
		"S3_SECRET_KEY": os.Getenv("TESORO_TEST_MINIO_SECRET_KEY"), "S3_BUCKET": "e2e-tesoro",
	})
	if status, body := r.get(t, "/readyz"); status != 200 {
		t.Fatalf("/readyz on MinIO: got %d %s, want 200", status, body)
	}
}
