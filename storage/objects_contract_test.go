package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
)

// runObjectStoreContract is the behaviour every ObjectStore must share, so
// that what works against the local directory in development also works
// against S3/MinIO in production. newStore returns an empty store.
func runObjectStoreContract(t *testing.T, newStore func(t *testing.T) ObjectStore) {
	t.Run("put and get round trip", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		body := []byte("\x89PNG\r\n\x1a\n\x00binary\xff")
		put := objPut(t, s, "products/42/main.png", body, "image/png")
		if put.Key != "products/42/main.png" || put.Size != int64(len(body)) || put.ContentType != "image/png" || put.ETag == "" {
			t.Errorf("Put = %+v, want key products/42/main.png, size %d, image/png, an ETag", put, len(body))
		}
		got, obj := objGet(t, s, "products/42/main.png")
		if !bytes.Equal(got, body) {
			t.Errorf("Get body = %q, want %q", got, body)
		}
		if obj.ContentType != "image/png" || obj.Size != int64(len(body)) || obj.ETag != put.ETag {
			t.Errorf("Get object = %+v, want image/png, size %d, ETag %q", obj, len(body), put.ETag)
		}
	})

	t.Run("stat", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		put := objPut(t, s, "a/b.txt", []byte("hello"), "text/plain; charset=utf-8")
		got, err := s.Stat(t.Context(), "a/b.txt")
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		want := Object{Key: "a/b.txt", Size: 5, ContentType: "text/plain; charset=utf-8", ETag: put.ETag}
		if got.Key != want.Key || got.Size != want.Size || got.ContentType != want.ContentType || got.ETag != want.ETag {
			t.Errorf("Stat = %+v, want %+v", got, want)
		}
		if d := time.Since(got.ModTime); d < -time.Minute || d > time.Minute {
			t.Errorf("Stat ModTime = %v, want about now", got.ModTime)
		}
	})

	t.Run("sizes and content type", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		body := bytes.Repeat([]byte("0123456789"), 1000)
		for _, tc := range []struct {
			name   string
			key    string
			r      io.Reader
			size   int64
			ct     string
			wantN  int
			wantCT string
		}{
			{"unknown size", "unknown", struct{ io.Reader }{bytes.NewReader(body)}, -1, "text/plain", len(body), "text/plain"},
			{"empty", "empty", bytes.NewReader(nil), 0, "text/plain", 0, "text/plain"},
			{"default content type", "untyped", bytes.NewReader(body), int64(len(body)), "", len(body), DefaultContentType},
		} {
			put, err := s.Put(t.Context(), tc.key, tc.r, tc.size, tc.ct)
			if err != nil {
				t.Fatalf("%s: Put: %v", tc.name, err)
			}
			if put.Size != int64(tc.wantN) || put.ContentType != tc.wantCT {
				t.Errorf("%s: Put = %+v, want size %d, %s", tc.name, put, tc.wantN, tc.wantCT)
			}
			got, obj := objGet(t, s, tc.key)
			if !bytes.Equal(got, body[:tc.wantN]) || obj.Size != int64(tc.wantN) || obj.ContentType != tc.wantCT || obj.ETag != put.ETag {
				t.Errorf("%s: Get = %d bytes, %+v; want %d bytes, %s, ETag %q", tc.name, len(got), obj, tc.wantN, tc.wantCT, put.ETag)
			}
		}
	})

	t.Run("body length must match size", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		objPut(t, s, "k", []byte("original"), "text/plain")
		for _, tc := range []struct {
			body string
			size int64
		}{{"abc", 5}, {"abcdef", 3}, {"", 1}, {"x", 0}} {
			_, err := s.Put(t.Context(), "k", strings.NewReader(tc.body), tc.size, "text/plain")
			if !errors.Is(err, errs.Invalid) {
				t.Errorf("Put(%q, size %d) error = %v, want errs.Invalid", tc.body, tc.size, err)
			}
		}
		if got, _ := objGet(t, s, "k"); string(got) != "original" {
			t.Errorf("after failed Puts Get = %q, want %q", got, "original")
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		first := objPut(t, s, "avatar.jpg", []byte("old bytes"), "image/jpeg")
		second := objPut(t, s, "avatar.jpg", []byte("new, longer bytes"), "image/webp")
		if first.ETag == second.ETag {
			t.Errorf("ETag unchanged after overwrite: %q", first.ETag)
		}
		got, obj := objGet(t, s, "avatar.jpg")
		if string(got) != "new, longer bytes" || obj.ContentType != "image/webp" || obj.ETag != second.ETag {
			t.Errorf("Get = %q, %+v; want new bytes, image/webp, ETag %q", got, obj, second.ETag)
		}
	})

	t.Run("missing key is NotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		check := func(when string) {
			t.Helper()
			if r, _, err := s.Get(t.Context(), "nope/x.jpg"); !errors.Is(err, errs.NotFound) {
				if r != nil {
					r.Close()
				}
				t.Errorf("%s: Get error = %v, want errs.NotFound", when, err)
			}
			if _, err := s.Stat(t.Context(), "nope/x.jpg"); !errors.Is(err, errs.NotFound) {
				t.Errorf("%s: Stat error = %v, want errs.NotFound", when, err)
			}
		}
		check("empty store")
		objPut(t, s, "nope/y.jpg", []byte("y"), "image/jpeg")
		objPut(t, s, "nope/x.jpg/z", []byte("z"), "image/jpeg") // the key is now a prefix (a directory, locally)
		check("with neighbours")
	})

	t.Run("delete is idempotent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if err := s.Delete(t.Context(), "never/was.txt"); err != nil {
			t.Errorf("Delete(missing) on empty store = %v, want nil", err)
		}
		objPut(t, s, "d/file.txt", []byte("x"), "text/plain")
		objPut(t, s, "d/keep.txt", []byte("x"), "text/plain")
		for i := range 2 {
			if err := s.Delete(t.Context(), "d/file.txt"); err != nil {
				t.Errorf("Delete #%d = %v, want nil", i+1, err)
			}
		}
		if _, err := s.Stat(t.Context(), "d/file.txt"); !errors.Is(err, errs.NotFound) {
			t.Errorf("Stat after Delete error = %v, want errs.NotFound", err)
		}
		if got := objKeys(t, s, ""); !slices.Equal(got, []string{"d/keep.txt"}) {
			t.Errorf("List after Delete = %q, want [d/keep.txt]", got)
		}
		// Once its last object is gone, a prefix can be used as a plain key.
		objPut(t, s, "p/q/r", []byte("x"), "text/plain")
		if err := s.Delete(t.Context(), "p/q/r"); err != nil {
			t.Errorf("Delete(p/q/r) = %v, want nil", err)
		}
		objPut(t, s, "p", []byte("x"), "text/plain")
	})

	t.Run("list by prefix", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if got, err := s.List(t.Context(), ""); err != nil || len(got) != 0 {
			t.Errorf("List on empty store = %v, %v; want no objects", got, err)
		}
		all := []string{"listing/b.txt", "listing/a.txt", "listing/sub/c.txt", "listing/sub/deeper/d.txt",
			"listing-other/x.txt", "listingx", "other/y.txt", "z.txt"}
		for i, k := range all {
			objPut(t, s, k, bytes.Repeat([]byte("x"), i+1), "text/plain")
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"listing/", []string{"listing/a.txt", "listing/b.txt", "listing/sub/c.txt", "listing/sub/deeper/d.txt"}},
			{"listing/a", []string{"listing/a.txt"}},
			{"listing/sub/", []string{"listing/sub/c.txt", "listing/sub/deeper/d.txt"}},
			{"listing", []string{"listing-other/x.txt", "listing/a.txt", "listing/b.txt", "listing/sub/c.txt", "listing/sub/deeper/d.txt", "listingx"}},
			{"nothing/", []string{}},
			{"", slices.Sorted(slices.Values(all))},
		} {
			got := objKeys(t, s, tc.prefix)
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		}
		objs, err := s.List(t.Context(), "listing/a")
		if err != nil || len(objs) != 1 {
			t.Fatalf("List(listing/a) = %v, %v; want one object", objs, err)
		}
		if o := objs[0]; o.Size != 2 || o.ETag == "" || o.ModTime.IsZero() {
			t.Errorf("List(listing/a)[0] = %+v, want size 2, an ETag and a ModTime", o)
		}
		for _, p := range []string{"../x", "a/../b", "a\\b", "/abs", "a\x00"} {
			if _, err := s.List(t.Context(), p); !errors.Is(err, errs.Invalid) {
				t.Errorf("List(%q) error = %v, want errs.Invalid", p, err)
			}
		}
	})

	t.Run("invalid keys are rejected", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, key := range []string{"", "/abs", "a/../b", "..", ".", "a//b", "a/", "./a", "a\\b", "a\x00b", "a\nb",
			"ü.jpg", "a b", "a?b", "a%2Fb", strings.Repeat("a", MaxKeyLen+1)} {
			if _, err := s.Put(t.Context(), key, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, errs.Invalid) {
				t.Errorf("Put(%q) error = %v, want errs.Invalid", key, err)
			}
			if r, _, err := s.Get(t.Context(), key); !errors.Is(err, errs.Invalid) {
				if r != nil {
					r.Close()
				}
				t.Errorf("Get(%q) error = %v, want errs.Invalid", key, err)
			}
			if _, err := s.Stat(t.Context(), key); !errors.Is(err, errs.Invalid) {
				t.Errorf("Stat(%q) error = %v, want errs.Invalid", key, err)
			}
			if err := s.Delete(t.Context(), key); !errors.Is(err, errs.Invalid) {
				t.Errorf("Delete(%q) error = %v, want errs.Invalid", key, err)
			}
			if got := s.URL(key); got != "" {
				t.Errorf("URL(%q) = %q, want \"\"", key, got)
			}
		}
	})

	t.Run("URL", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for key, want := range map[string]string{
			"products/42/main-image_1.jpg": "/files/products/42/main-image_1.jpg",
			"a":                            "/files/a",
			".hidden/..x":                  "/files/.hidden/..x",
		} {
			if got := s.URL(key); got != want {
				t.Errorf("URL(%q) = %q, want %q", key, got, want)
			}
		}
	})

	t.Run("ping", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 2 {
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping #%d = %v, want nil", i+1, err)
			}
		}
	})

	t.Run("concurrent puts of different keys", func(t *testing.T) {
		t.Parallel()
		s := newStore(t) // fresh: for S3 the bucket is created under contention
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("concurrent/%02d/item.bin", i)
				if _, err := s.Put(t.Context(), key, strings.NewReader(key), int64(len(key)), "application/x-test"); err != nil {
					t.Errorf("Put(%s): %v", key, err)
				}
			})
		}
		wg.Wait()
		got := objKeys(t, s, "concurrent/")
		if len(got) != n {
			t.Fatalf("List after %d concurrent Puts = %d keys (%q)", n, len(got), got)
		}
		for _, key := range got {
			if body, _ := objGet(t, s, key); string(body) != key {
				t.Errorf("Get(%s) = %q, want %q", key, body, key)
			}
		}
	})

	t.Run("concurrent overwrites and reads of one key", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		// Version v has a body of 100+v bytes 'a'+v and content type
		// text/x-v<v>, so a reader can tell a mixed-up body/type pair.
		version := func(v int) ([]byte, string) {
			return bytes.Repeat([]byte{byte('a' + v)}, 100+v), fmt.Sprintf("text/x-v%d", v)
		}
		body, ct := version(0)
		objPut(t, s, "hot", body, ct)
		var wg sync.WaitGroup
		for v := range 4 {
			wg.Go(func() {
				body, ct := version(v)
				for range 5 {
					if _, err := s.Put(t.Context(), "hot", bytes.NewReader(body), int64(len(body)), ct); err != nil {
						t.Errorf("Put v%d: %v", v, err)
						return
					}
				}
			})
			wg.Go(func() {
				for range 5 {
					r, obj, err := s.Get(t.Context(), "hot")
					if err != nil {
						t.Errorf("Get: %v", err)
						return
					}
					got, err := io.ReadAll(r)
					r.Close()
					if err != nil || len(got) == 0 {
						t.Errorf("read: %d bytes, %v", len(got), err)
						return
					}
					wantBody, wantCT := version(int(got[0] - 'a'))
					if !bytes.Equal(got, wantBody) || obj.ContentType != wantCT || obj.Size != int64(len(got)) {
						t.Errorf("Get = %d bytes of %q, %+v; want %d bytes, %s", len(got), got[0], obj, len(wantBody), wantCT)
					}
				}
			})
		}
		wg.Wait()
	})
}

func TestValidKey(t *testing.T) {
	for _, key := range []string{"a", "a/b/c.jpg", "A-Z_0.9", ".hidden", "a/.tmp/b", "..a", "a..b", "-x", strings.Repeat("k", MaxKeyLen)} {
		if err := ValidKey(key); err != nil {
			t.Errorf("ValidKey(%q) = %v, want nil", key, err)
		}
	}
	for _, key := range []string{"", "/abs", "a/../b", "..", ".", "a//b", "a/", "a/.", "a\\b", "a\x00b", "a\x7fb", "ü.jpg", "a:b", strings.Repeat("k", MaxKeyLen+1)} {
		if err := ValidKey(key); !errors.Is(err, errs.Invalid) {
			t.Errorf("ValidKey(%q) = %v, want errs.Invalid", key, err)
		}
	}
}

func TestLocalStore(t *testing.T) {
	runObjectStoreContract(t, func(t *testing.T) ObjectStore { return newLocalTestStore(t) })
}

func TestS3Store(t *testing.T) {
	MinIOTestConfig(t) // skip or fail before running subtests
	runObjectStoreContract(t, func(t *testing.T) ObjectStore { return newS3TestStore(t) })
}

func TestLocalStoreLeavesNoTempFiles(t *testing.T) {
	s := newLocalTestStore(t)
	ctx := t.Context()
	objPut(t, s, "k", []byte("kept"), "text/plain")
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	failures := []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
	}{
		{"short body", ctx, strings.NewReader("ab"), 3},
		{"long body", ctx, strings.NewReader("abcd"), 3},
		{"reader error", ctx, io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("client went away"))), -1},
		{"canceled", canceled, strings.NewReader("abc"), 3},
	}
	for _, f := range failures {
		if _, err := s.Put(f.ctx, "k", f.r, f.size, "text/plain"); err == nil {
			t.Errorf("Put with %s = nil error, want an error", f.name)
		}
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping = %v", err)
	}
	if got, _ := objGet(t, s, "k"); string(got) != "kept" {
		t.Errorf("Get after failed Puts = %q, want %q", got, "kept")
	}
	entries, err := os.ReadDir(filepath.Join(s.Dir(), localTempDir))
	if err != nil || len(entries) != 0 {
		t.Errorf("temp dir after Puts = %v entries (err %v), want empty", len(entries), err)
	}
	// A key may use the temp dir's name; it still lands in the objects tree.
	objPut(t, s, ".tmp/x", []byte("x"), "text/plain")
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), localTempDir)); len(entries) != 0 {
		t.Errorf("key .tmp/x left %d entries in the temp dir, want 0", len(entries))
	}
}

func TestLocalStoreRejectsEscapes(t *testing.T) {
	s := newLocalTestStore(t)
	ctx := t.Context()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	objects := filepath.Join(s.Dir(), localObjectsDir)
	if err := os.Symlink(outside, filepath.Join(objects, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(objects, "link.txt")); err != nil {
		t.Fatal(err)
	}

	for _, key := range []string{"evil/secret.txt", "link.txt"} {
		if r, obj, err := s.Get(ctx, key); err == nil {
			got, _ := io.ReadAll(r)
			r.Close()
			t.Errorf("Get(%s) = %q, %+v; want an error", key, got, obj)
		}
		if obj, err := s.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%s) = %+v; want an error", key, obj)
		}
	}
	if _, err := s.Put(ctx, "evil/new.txt", strings.NewReader("x"), 1, "text/plain"); err == nil {
		t.Errorf("Put(evil/new.txt) = nil error, want an error")
	}
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put through symlink created a file outside the store (stat err %v)", err)
	}
	_ = s.Delete(ctx, "evil/secret.txt")
	_ = s.Delete(ctx, "link.txt")
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret" {
		t.Errorf("file outside the store after Delete = %q, %v; want it untouched", b, err)
	}
	if got := objKeys(t, s, ""); len(got) != 0 {
		t.Errorf("List = %q, want no objects (symlinks are not followed)", got)
	}
	for _, key := range []string{"../secret.txt", "a/../../secret.txt"} {
		if _, err := s.Stat(ctx, key); !errors.Is(err, errs.Invalid) {
			t.Errorf("Stat(%q) error = %v, want errs.Invalid", key, err)
		}
	}
}

// A directory cannot hold both a file "a" and a directory "a/", so the local
// store refuses the second of such keys instead of failing obscurely.
func TestLocalStoreKeyPrefixConflict(t *testing.T) {
	s := newLocalTestStore(t)
	objPut(t, s, "a", []byte("x"), "text/plain")
	if _, err := s.Put(t.Context(), "a/b", strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, errs.Conflict) {
		t.Errorf("Put(a/b) with object a error = %v, want errs.Conflict", err)
	}
	objPut(t, s, "c/d", []byte("x"), "text/plain")
	if _, err := s.Put(t.Context(), "c", strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, errs.Conflict) {
		t.Errorf("Put(c) with object c/d error = %v, want errs.Conflict", err)
	}
	if err := s.Delete(t.Context(), "c"); err != nil {
		t.Errorf("Delete(c) where c is only a prefix = %v, want nil", err)
	}
	if got := objKeys(t, s, ""); !slices.Equal(got, []string{"a", "c/d"}) {
		t.Errorf("List = %q, want [a c/d]", got)
	}
}

// A sidecar that does not belong to the data file (e.g. a crash between the
// two renames) must not lend its content type and ETag to other bytes.
func TestLocalStoreIgnoresStaleSidecar(t *testing.T) {
	s := newLocalTestStore(t)
	put := objPut(t, s, "f.txt", []byte("one"), "text/plain")
	if err := os.WriteFile(filepath.Join(s.Dir(), localObjectsDir, "f.txt"), []byte("other"), 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stat(t.Context(), "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 5 || got.ContentType != DefaultContentType || got.ETag == put.ETag || got.ETag == "" {
		t.Errorf("Stat = %+v, want size 5, %s and a new ETag", got, DefaultContentType)
	}
}

func TestNewS3StoreConfig(t *testing.T) {
	ok := S3Config{Endpoint: "127.0.0.1:9000", AccessKey: "ak", SecretKey: "sk", Bucket: "tesoro"}
	for _, tc := range []struct {
		name string
		edit func(*S3Config)
		want []string // substrings of the error
	}{
		{"no endpoint", func(c *S3Config) { c.Endpoint = "" }, []string{"S3_ENDPOINT"}},
		{"no access key", func(c *S3Config) { c.AccessKey = "" }, []string{"S3_ACCESS_KEY"}},
		{"no secret key", func(c *S3Config) { c.SecretKey = "" }, []string{"S3_SECRET_KEY"}},
		{"no bucket", func(c *S3Config) { c.Bucket = "" }, []string{"S3_BUCKET"}},
		{"nothing", func(c *S3Config) { *c = S3Config{} }, []string{"S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET"}},
		{"bad bucket name", func(c *S3Config) { c.Bucket = "Bad_Bucket" }, []string{"S3_BUCKET"}},
		{"https endpoint without UseSSL", func(c *S3Config) { c.Endpoint = "https://127.0.0.1:9000" }, []string{"S3_ENDPOINT"}},
		{"endpoint with path", func(c *S3Config) { c.Endpoint = "127.0.0.1:9000/minio" }, []string{"S3_ENDPOINT"}},
	} {
		cfg := ok
		tc.edit(&cfg)
		_, err := NewS3Store(cfg)
		if err == nil {
			t.Errorf("%s: NewS3Store = nil error, want one naming %v", tc.name, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: NewS3Store error = %q, want it to name %s", tc.name, err, w)
			}
		}
	}
	if _, err := NewS3Store(ok); err != nil {
		t.Errorf("NewS3Store(%+v) = %v, want nil", ok, err)
	}
}

// The app must start while MinIO is down and report it through Ping.
func TestS3StoreDeadEndpoint(t *testing.T) {
	t.Parallel()
	s, err := NewS3Store(S3Config{Endpoint: "127.0.0.1:1", AccessKey: "ak", SecretKey: "sk", Bucket: "tesoro"})
	if err != nil {
		t.Fatalf("NewS3Store against a dead endpoint = %v, want nil (no I/O in the constructor)", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := s.Ping(ctx); !errors.Is(err, errs.Unavailable) {
		t.Errorf("Ping error = %v, want errs.Unavailable", err)
	}
	// A caller's deadline cutting minio-go's (three) retries short is Unavailable
	// too; whether the deadline or the last refused dial comes first is timing.
	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Put(short, "k", strings.NewReader("x"), 1, ""); !errors.Is(err, errs.Unavailable) {
		t.Errorf("Put with a short deadline error = %v, want errs.Unavailable", err)
	}
}

func TestS3StoreCreatesBucketLazily(t *testing.T) {
	s := newS3TestStore(t)
	ctx := t.Context()
	exists := func() bool {
		t.Helper()
		ok, err := s.client.BucketExists(ctx, s.bucket)
		if err != nil {
			t.Fatalf("BucketExists: %v", err)
		}
		return ok
	}
	if exists() {
		t.Fatalf("bucket %s exists right after NewS3Store, want it created lazily", s.bucket)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping = %v", err)
	}
	if !exists() {
		t.Fatalf("bucket %s missing after Ping, want it created", s.bucket)
	}

	// Deleted behind the store's back: one Put fails, the next recreates it.
	if err := s.client.RemoveBucket(ctx, s.bucket); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
	if _, err := s.Put(ctx, "k", strings.NewReader("x"), 1, ""); !errors.Is(err, errs.Unavailable) {
		t.Errorf("Put into a deleted bucket error = %v, want errs.Unavailable", err)
	}
	objPut(t, s, "k", []byte("x"), "")
	if !exists() {
		t.Errorf("bucket %s missing after Put, want it recreated", s.bucket)
	}
}

// MinIOTestConfig returns the config of the MinIO server the test script
// started (TESORO_TEST_MINIO=host:port, TESORO_TEST_MINIO_ACCESS_KEY,
// TESORO_TEST_MINIO_SECRET_KEY) with a fresh bucket name. Without the server
// the test is skipped on a developer machine but fails in CI, so CI can
// never pass by silently skipping the S3 backend.
func MinIOTestConfig(t testing.TB) S3Config {
	t.Helper()
	addr := os.Getenv("TESORO_TEST_MINIO")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TESORO_TEST_MINIO not set: the test script must start MinIO")
		}
		t.Skip("TESORO_TEST_MINIO not set: skipping MinIO tests (with CI=true they fail instead)")
	}
	ak, sk := os.Getenv("TESORO_TEST_MINIO_ACCESS_KEY"), os.Getenv("TESORO_TEST_MINIO_SECRET_KEY")
	if ak == "" || sk == "" {
		t.Fatal("TESORO_TEST_MINIO is set but TESORO_TEST_MINIO_ACCESS_KEY or TESORO_TEST_MINIO_SECRET_KEY is not")
	}
	return S3Config{Endpoint: addr, AccessKey: ak, SecretKey: sk, Bucket: "test-" + strings.ToLower(rand.Text())}
}

// newS3TestStore returns a store on a new bucket, emptied and removed when
// the test ends.
func newS3TestStore(t *testing.T) *S3Store {
	t.Helper()
	s, err := NewS3Store(MinIOTestConfig(t))
	if err != nil {
		t.Fatalf("NewS3Store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		objs, err := s.List(ctx, "")
		if err != nil {
			t.Logf("cleanup bucket %s: %v", s.bucket, err)
			return
		}
		for _, o := range objs {
			_ = s.Delete(ctx, o.Key)
		}
		if ok, _ := s.client.BucketExists(ctx, s.bucket); ok {
			if err := s.client.RemoveBucket(ctx, s.bucket); err != nil {
				t.Logf("cleanup bucket %s: %v", s.bucket, err)
			}
		}
	})
	return s
}

func newLocalTestStore(t *testing.T) *LocalStore {
	t.Helper()
	s, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatalf("NewLocalStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func objPut(t *testing.T, s ObjectStore, key string, body []byte, contentType string) Object {
	t.Helper()
	obj, err := s.Put(t.Context(), key, bytes.NewReader(body), int64(len(body)), contentType)
	if err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
	return obj
}

func objGet(t *testing.T, s ObjectStore, key string) ([]byte, Object) {
	t.Helper()
	r, obj, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("Get(%s): read: %v", key, err)
	}
	return b, obj
}

func objKeys(t *testing.T, s ObjectStore, prefix string) []string {
	t.Helper()
	objs, err := s.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}
