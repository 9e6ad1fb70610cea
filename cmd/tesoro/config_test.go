package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.DataDir != "./data" || c.MongoURI != "" || c.S3.Endpoint != "" || c.MongoDatabase != "tesoro" {
		t.Fatalf("got %+v, want :8080, ./data, embedded database and local objects", c)
	}
}

func TestLoadConfigRejectsBadValuesNamingTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TESORO_LISTEN": "8080"}, "TESORO_LISTEN"},
		{map[string]string{"TESORO_LOG_LEVEL": "loud"}, "TESORO_LOG_LEVEL"},
		{map[string]string{"TESORO_LOG_FORMAT": "xml"}, "TESORO_LOG_FORMAT"},
		{map[string]string{"TESORO_BASE_URL": "ftp://x"}, "TESORO_BASE_URL"},
		{map[string]string{"MONGODB_URI": "postgres://x"}, "MONGODB_URI"},
		{map[string]string{"S3_ENDPOINT": "127.0.0.1:9000"}, "S3_ACCESS_KEY"},
		{map[string]string{"S3_ENDPOINT": "http://127.0.0.1:9000", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b"}, "S3_ENDPOINT"},
		{map[string]string{"S3_USE_SSL": "maybe"}, "S3_USE_SSL"},
		{map[string]string{"TESORO_ADMIN_EMAIL": "a@b.co"}, "TESORO_ADMIN_PASSWORD"},
		{map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_x"}, "STRIPE_WEBHOOK_SECRET"},
		{map[string]string{"STRIPE_SECRET_KEY": "sk_test_x"}, "STRIPE_SECRET_KEY"},
		{map[string]string{"STRIPE_API_URL": "localhost:12111"}, "STRIPE_API_URL"},
		{map[string]string{"TESORO_CARD_ORDER_TTL": "5m"}, "TESORO_CARD_ORDER_TTL"},
		{map[string]string{"TESORO_CARD_ORDER_TTL": "soon"}, "TESORO_CARD_ORDER_TTL"},
		{map[string]string{"TESORO_PENDING_ORDER_TTL": "10m"}, "TESORO_PENDING_ORDER_TTL"},
		{map[string]string{"TESORO_ORDER_RECOVER_AFTER": "1s"}, "TESORO_ORDER_RECOVER_AFTER"},
		{map[string]string{"TESORO_SESSION_LOCK_DAYS": "0"}, "TESORO_SESSION_LOCK_DAYS"},
		{map[string]string{"TESORO_SESSION_LOCK_DAYS": "a month"}, "TESORO_SESSION_LOCK_DAYS"},
		{map[string]string{"TESORO_COMMITMENT_LAPSE_MONTHS": "0"}, "TESORO_COMMITMENT_LAPSE_MONTHS"},
		{map[string]string{"TESORO_COMMITMENT_LAPSE_MONTHS": "medio año"}, "TESORO_COMMITMENT_LAPSE_MONTHS"},
		{map[string]string{"S3_SECRET_KEY_FILE": "/does/not/exist"}, "S3_SECRET_KEY_FILE"},
		{map[string]string{"S3_SECRET_KEY": "x", "S3_SECRET_KEY_FILE": "/etc/hostname"}, "S3_SECRET_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := LoadConfig(envOf(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestSecretsFromFilesAndRedacted(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte("minio-very-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(envOf(map[string]string{
		"S3_ENDPOINT": "minio:9000", "S3_ACCESS_KEY": "tesoro", "S3_SECRET_KEY_FILE": file,
		"MONGODB_URI":       "mongodb://app:db-very-secret@mongo1:27017/?replicaSet=rs0",
		"STRIPE_SECRET_KEY": "sk_test_very_secret", "S3_USE_SSL": "true",
		"STRIPE_WEBHOOK_SECRET": "whsec_very_secret", "TESORO_BASE_URL": "https://tesoro.example.co",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.S3.SecretKey != "minio-very-secret" || !c.S3.UseSSL {
		t.Fatalf("got secret %q ssl %t, want the file's content without newline and ssl", c.S3.SecretKey, c.S3.UseSSL)
	}
	var out bytes.Buffer
	c.Print(&out)
	printed := out.String()
	if strings.Contains(printed, "very-secret") || strings.Contains(printed, "very_secret") {
		t.Fatalf("config print leaks a secret:\n%s", printed)
	}
	for _, want := range []string{"mongo1:27017", "S3_ENDPOINT=minio:9000", "STRIPE_SECRET_KEY=[redacted]", "STRIPE_WEBHOOK_SECRET=[redacted]"} {
		if !strings.Contains(printed, want) {
			t.Errorf("config print lacks %q:\n%s", want, printed)
		}
	}
}

func TestRunSubcommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Run(t.Context(), []string{"config"}, envOf(nil), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "MONGODB_URI=(embedded FerretDB") {
		t.Fatalf("config output: got\n%s", out.String())
	}
	if err := Run(t.Context(), []string{"fly"}, envOf(nil), strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: got %v", err)
	}
	if err := Run(t.Context(), nil, envOf(map[string]string{"TESORO_LISTEN": "nope"}), strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "TESORO_LISTEN") {
		t.Fatalf("bad config: got %v, want an error naming TESORO_LISTEN", err)
	}
}

func TestCreateAdminThenSignIn(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"TESORO_DATA": dir})
	var out bytes.Buffer
	err := Run(t.Context(), []string{"create-admin", "--email", "Jefa@Tesoro.co", "--name", "Jefa"}, env, strings.NewReader("clave-de-la-jefa\n"), &out, &out)
	if err != nil || !strings.Contains(out.String(), "admin created") {
		t.Fatalf("create-admin: got %v %q", err, out.String())
	}
	if err := Run(t.Context(), []string{"create-admin", "--email", "jefa@tesoro.co"}, env, strings.NewReader("clave-de-la-jefa\n"), &out, &out); err == nil {
		t.Fatal("create-admin twice: got nil, want 'already exists'")
	}
	if err := Run(t.Context(), []string{"create-admin", "--email", "otra@tesoro.co"}, env, strings.NewReader("corta\n"), &out, &out); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("weak password: got %v, want a password error", err)
	}
	r := startRun(t, dir, nil)
	req, _ := http.NewRequest("POST", r.URL+"/api/v1/auth/login", strings.NewReader(`{"email": "jefa@tesoro.co", "password": "clave-de-la-jefa"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("admin login after create-admin: got %d, want 200", res.StatusCode)
	}
}

func TestDurationsFromConfig(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{"TESORO_SESSION_LOCK_DAYS": "7", "TESORO_CARD_ORDER_TTL": "45m", "TESORO_ORDER_RECOVER_AFTER": "2m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.sessionLockAfter != 7*24*time.Hour || c.cardOrderTTL != 45*time.Minute || c.orderRecoverAfter != 2*time.Minute {
		t.Fatalf("got lock %s, card TTL %s, recover after %s; want 168h, 45m, 2m", c.sessionLockAfter, c.cardOrderTTL, c.orderRecoverAfter)
	}
	if c, err := LoadConfig(envOf(map[string]string{"TESORO_PENDING_ORDER_TTL": "72h"})); err != nil || c.pendingOrderTTL != 72*time.Hour {
		t.Fatalf("TESORO_PENDING_ORDER_TTL=72h: got %s %v", c.pendingOrderTTL, err)
	}
	c, err = LoadConfig(envOf(nil))
	if err == nil && c.pendingOrderTTL != 48*time.Hour {
		t.Fatalf("default pending order TTL %s, want 48h", c.pendingOrderTTL)
	}
	if err != nil || c.sessionLockAfter != 30*24*time.Hour || c.cardOrderTTL != time.Hour || c.orderRecoverAfter != time.Minute {
		t.Fatalf("defaults: got lock %s, card TTL %s, recover after %s (%v); want 720h, 1h, 1m", c.sessionLockAfter, c.cardOrderTTL, c.orderRecoverAfter, err)
	}
}
