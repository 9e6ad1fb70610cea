package storage

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
)

// Object describes a stored object.
type Object struct {
	Key         string
	Size        int64
	ContentType string // empty in List results: S3 listings do not carry it; use Stat
	ETag        string // opaque; changes when the content changes
	ModTime     time.Time
}

// ObjectStore is the one interface the app uses for files, so that the local
// directory used in development and S3/MinIO in production behave the same
// (objects_contract_test.go holds both to one contract).
type ObjectStore interface {
	// Put stores r under key, replacing any previous object atomically.
	// size is the exact body length, or -1 when unknown; a body of another
	// length fails with errs.Invalid and stores nothing.
	// An empty contentType is stored as DefaultContentType.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error)
	// Get opens the object; the caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	Stat(ctx context.Context, key string) (Object, error)
	// Delete removes the object; deleting a missing key is not an error,
	// so retries and double clicks are harmless.
	Delete(ctx context.Context, key string) error
	// List returns all objects whose key starts with prefix, recursively,
	// sorted by key. ContentType is left empty (see Object).
	List(ctx context.Context, prefix string) ([]Object, error)
	// URL is the path under which the app serves the object: "/files/" + key,
	// path-escaped per segment. It returns "" for an invalid key.
	URL(key string) string
	// Ping returns nil when the backend answers and the bucket/dir is usable;
	// readiness checks report 503 otherwise.
	Ping(ctx context.Context) error
}

// DefaultContentType is stored when Put is given no content type.
const DefaultContentType = "application/octet-stream"

// MaxKeyLen bounds keys so they fit S3 (1024) and typical file systems with room to spare.
const MaxKeyLen = 512

// FilesPathPrefix is the URL path under which the app serves stored objects.
const FilesPathPrefix = "/files/"

// ValidKey reports whether key is acceptable to every ObjectStore. The rules
// are deliberately strict (a small ASCII alphabet, no empty, "." or ".."
// segments) so that a key can never traverse directories in the local
// backend, needs no escaping in URLs and means the same on every backend.
// The error wraps errs.Invalid.
func ValidKey(key string) error {
	switch {
	case key == "":
		return invalidKey(key, "empty")
	case len(key) > MaxKeyLen:
		return invalidKey(key, fmt.Sprintf("longer than %d bytes", MaxKeyLen))
	case key[0] == '/':
		return invalidKey(key, "leading slash")
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '\\':
			return invalidKey(key, "backslash")
		case c < 0x20 || c == 0x7f:
			return invalidKey(key, "control character")
		case !keyChar(c):
			return invalidKey(key, fmt.Sprintf("character %q not in [A-Za-z0-9._-/]", c))
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return invalidKey(key, "empty segment")
		case ".", "..":
			return invalidKey(key, fmt.Sprintf("%q segment", seg))
		}
	}
	return nil
}

// validPrefix checks a List prefix loosely: it need not be a whole key
// (e.g. "products/4" or "products/"), but it must not traverse.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	bad := func(reason string) error {
		return fmt.Errorf("object prefix %q: %s: %w", prefix, reason, errs.Invalid)
	}
	if prefix[0] == '/' {
		return bad("leading slash")
	}
	if strings.ContainsRune(prefix, '\\') {
		return bad("backslash")
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c < 0x20 || c == 0x7f {
			return bad("control character")
		}
	}
	for seg := range strings.SplitSeq(prefix, "/") {
		if seg == ".." {
			return bad(`".." segment`)
		}
	}
	return nil
}

func keyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '/'
}

func invalidKey(key, reason string) error {
	if len(key) > 64 {
		key = key[:64] + "…"
	}
	return fmt.Errorf("object key %q: %s: %w", key, reason, errs.Invalid)
}

// fileURL implements ObjectStore.URL for every backend.
func fileURL(key string) string {
	if ValidKey(key) != nil {
		return ""
	}
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return FilesPathPrefix + strings.Join(segs, "/")
}

func notFound(key string) error {
	return fmt.Errorf("object %q: %w", key, errs.NotFound)
}

func contentTypeOrDefault(ct string) string {
	if ct == "" {
		return DefaultContentType
	}
	return ct
}

// sizedReader passes through exactly size bytes and fails with an
// errs.Invalid error when the body is shorter or longer, so that a wrong
// Content-Length never stores a truncated or silently cut object. With
// size < 0 it passes everything through. The failure is also kept in err,
// because clients (minio-go, net/http) may replace the error they got.
type sizedReader struct {
	r    io.Reader
	left int64 // bytes still expected; -1 = unknown size
	key  string
	err  error
}

func newSizedReader(r io.Reader, size int64, key string) *sizedReader {
	if size < 0 {
		size = -1
	}
	return &sizedReader{r: r, left: size, key: key}
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.left < 0 {
		return s.r.Read(p)
	}
	if s.left == 0 { // size 0, or a read after the end: check nothing follows
		return 0, s.checkEnd()
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	switch {
	case s.left == 0:
		// Check for extra bytes now: a reader bounded by Content-Length
		// (as net/http and minio-go use) would never ask for them.
		if err := s.checkEnd(); err != io.EOF {
			return n, err
		}
		return n, nil
	case err == io.EOF:
		return n, s.fail("shorter")
	}
	return n, err
}

// checkEnd returns io.EOF if the underlying reader is exhausted, else an error.
func (s *sizedReader) checkEnd() error {
	var one [1]byte
	n, err := io.ReadFull(s.r, one[:])
	switch {
	case n > 0:
		return s.fail("longer")
	case err == io.EOF:
		return io.EOF
	}
	return err
}

func (s *sizedReader) fail(how string) error {
	s.err = fmt.Errorf("object %q: body %s than declared size: %w", s.key, how, errs.Invalid)
	return s.err
}
