package storage

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
)

// Layout of a LocalStore directory. Objects and sidecars live in separate
// trees, so no valid key can collide with a sidecar or with the temp dir.
const (
	localObjectsDir = "data"    // data/<key>: the bytes
	localMetaDir    = "meta"    // meta/<key>: JSON localMeta
	localTempDir    = ".tmp"    // uploads in progress, renamed into place when complete
	staleTempAge    = time.Hour // temp files older than this at start are crash leftovers
)

// LocalStore keeps objects in a directory: the development backend, and
// usable for a single-instance deployment. It assumes one process owns dir.
//
// All file access goes through an os.Root, so a symlink planted inside dir
// cannot make a key reach files outside it.
type LocalStore struct {
	dir  string
	root *os.Root
	// mu orders installs and removals (write) against readers (read), so a
	// reader sees an object together with its own sidecar, and Delete can
	// prune empty directories without racing a Put that needs them.
	mu sync.RWMutex
}

// localMeta is the sidecar of an object. Size and ModTimeNs pin it to one
// version of the data file (rename keeps mtime), so a sidecar left stale by
// a crash between the two renames is detected and ignored.
type localMeta struct {
	ContentType string `json:"contentType"`
	ETag        string `json:"etag"`
	Size        int64  `json:"size"`
	ModTimeNs   int64  `json:"modTimeNs"`
}

var _ ObjectStore = (*LocalStore)(nil)

// NewLocalStore opens (creating with mode 0o750) a store rooted at dir.
func NewLocalStore(dir string) (*LocalStore, error) {
	if dir == "" {
		return nil, errors.New("storage: local store directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: local store %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("storage: local store: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("storage: local store: %w", err)
	}
	for _, sub := range []string{localObjectsDir, localMetaDir, localTempDir} {
		if err := root.MkdirAll(sub, 0o750); err != nil {
			root.Close()
			return nil, fmt.Errorf("storage: local store: %w", err)
		}
	}
	s := &LocalStore{dir: abs, root: root}
	s.removeStaleTemps()
	return s, nil
}

// Dir returns the absolute directory of the store.
func (s *LocalStore) Dir() string { return s.dir }

// Close releases the directory handle.
func (s *LocalStore) Close() error { return s.root.Close() }

// Put writes to a temp file, fsyncs it and renames it into place, so readers
// and crashes see either the old object or the whole new one.
func (s *LocalStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	objRel, metaRel, err := s.paths(key)
	if err != nil {
		return Object{}, err
	}
	contentType = contentTypeOrDefault(contentType)

	data, err := s.createTemp()
	if err != nil {
		return Object{}, s.fail("put", key, err)
	}
	dataTmp := filepath.Join(localTempDir, filepath.Base(data.Name()))
	defer s.root.Remove(dataTmp) // no-op once renamed
	h := md5.New()
	_, err = io.Copy(io.MultiWriter(data, h), newSizedReader(ctxReader{ctx, r}, size, key))
	if err == nil {
		err = data.Sync()
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = data.Stat()
	}
	if cerr := data.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errs.KindOf(err) != nil || ctx.Err() != nil {
			return Object{}, err
		}
		return Object{}, s.fail("put", key, err)
	}

	obj := Object{Key: key, Size: fi.Size(), ContentType: contentType, ETag: hex.EncodeToString(h.Sum(nil)), ModTime: fi.ModTime()}
	metaTmp, err := s.writeTempMeta(localMeta{ContentType: contentType, ETag: obj.ETag, Size: obj.Size, ModTimeNs: obj.ModTime.UnixNano()})
	if err != nil {
		return Object{}, s.fail("put", key, err)
	}
	defer s.root.Remove(metaTmp)

	if err := s.installLocked(dataTmp, objRel, metaTmp, metaRel); err != nil {
		return Object{}, s.putErr(key, err)
	}
	// Make the renames durable; some file systems cannot fsync a directory,
	// and the data itself is already synced, so this is best effort.
	s.syncDir(filepath.Dir(objRel))
	s.syncDir(filepath.Dir(metaRel))
	return obj, nil
}

// installLocked holds mu for install, released by defer so that nothing,
// not even a panic below, leaves the store locked.
func (s *LocalStore) installLocked(dataTmp, objRel, metaTmp, metaRel string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.install(dataTmp, objRel, metaTmp, metaRel)
}

// install renames data then sidecar into place; called with mu held.
func (s *LocalStore) install(dataTmp, objRel, metaTmp, metaRel string) error {
	if err := s.root.MkdirAll(filepath.Dir(objRel), 0o750); err != nil {
		return err
	}
	if err := s.root.MkdirAll(filepath.Dir(metaRel), 0o750); err != nil {
		return err
	}
	if err := s.root.Rename(dataTmp, objRel); err != nil {
		return err
	}
	return s.root.Rename(metaTmp, metaRel)
}

// Get opens the object. The open file keeps its content even if the key is
// overwritten or deleted while the caller reads.
func (s *LocalStore) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	objRel, metaRel, err := s.paths(key)
	if err != nil {
		return nil, Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Object{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, err := s.root.Open(objRel)
	if err != nil {
		return nil, Object{}, s.readErr("get", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Object{}, s.fail("get", key, err)
	}
	if !fi.Mode().IsRegular() { // a directory holding longer keys
		f.Close()
		return nil, Object{}, notFound(key)
	}
	return f, s.object(key, fi, metaRel, true), nil
}

// Stat describes the object without opening it.
func (s *LocalStore) Stat(ctx context.Context, key string) (Object, error) {
	objRel, metaRel, err := s.paths(key)
	if err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fi, err := s.root.Stat(objRel)
	if err != nil {
		return Object{}, s.readErr("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Object{}, notFound(key)
	}
	return s.object(key, fi, metaRel, true), nil
}

// Delete removes the object and its sidecar, then prunes directories it
// left empty so that the key prefix can later be used as a plain key.
func (s *LocalStore) Delete(ctx context.Context, key string) error {
	objRel, metaRel, err := s.paths(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := s.root.Lstat(objRel)
	switch {
	case err != nil && !isMissing(err):
		return s.fail("delete", key, err)
	case err == nil && fi.IsDir(): // only longer keys live here
		return nil
	case err == nil:
		// Remove does not follow a final symlink: only the link goes.
		if err := s.root.Remove(objRel); err != nil && !isMissing(err) {
			return s.fail("delete", key, err)
		}
	}
	if err := s.root.Remove(metaRel); err != nil && !isMissing(err) && !isDirErr(err) {
		return s.fail("delete", key, err)
	}
	for d := path.Dir(key); d != "."; d = path.Dir(d) {
		// Remove fails on a non-empty directory, which ends the pruning.
		e1 := s.root.Remove(filepath.Join(localObjectsDir, filepath.FromSlash(d)))
		e2 := s.root.Remove(filepath.Join(localMetaDir, filepath.FromSlash(d)))
		if e1 != nil && e2 != nil {
			break
		}
	}
	return nil
}

// List walks the objects tree below the directory part of prefix. It does
// not follow symlinks and skips files whose names are not valid keys.
func (s *LocalStore) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	start := localObjectsDir
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = path.Join(localObjectsDir, prefix[:i])
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Object{}
	err := fs.WalkDir(s.root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && isMissing(err) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		key := strings.TrimPrefix(p, localObjectsDir+"/")
		if d.IsDir() {
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || ValidKey(key) != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if isMissing(err) {
				return nil
			}
			return err
		}
		obj := s.object(key, fi, filepath.Join(localMetaDir, filepath.FromSlash(key)), false)
		out = append(out, obj)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("storage: local list %q: %w", prefix, err)
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// URL returns "/files/" + key.
func (s *LocalStore) URL(key string) string { return fileURL(key) }

// Ping checks that the directory is still there and writable.
func (s *LocalStore) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := s.createTemp()
	if err != nil {
		return fmt.Errorf("storage: local store %s: %w: %w", s.dir, errs.Unavailable, err)
	}
	f.Close()
	if err := s.root.Remove(filepath.Join(localTempDir, filepath.Base(f.Name()))); err != nil {
		return fmt.Errorf("storage: local store %s: %w: %w", s.dir, errs.Unavailable, err)
	}
	return nil
}

// paths validates key and returns its data and sidecar paths relative to
// the root. The containment check is defense in depth behind ValidKey; the
// os.Root handles symlinks.
func (s *LocalStore) paths(key string) (objRel, metaRel string, err error) {
	if err := ValidKey(key); err != nil {
		return "", "", err
	}
	rel := filepath.FromSlash(key)
	base := filepath.Join(s.dir, localObjectsDir)
	if abs := filepath.Join(base, rel); !filepath.IsLocal(rel) || !strings.HasPrefix(abs, base+string(filepath.Separator)) {
		return "", "", invalidKey(key, "escapes the store directory")
	}
	return filepath.Join(localObjectsDir, rel), filepath.Join(localMetaDir, rel), nil
}

// object builds an Object from the data file's info and its sidecar; a
// missing or stale sidecar falls back to defaults and a weak ETag.
func (s *LocalStore) object(key string, fi os.FileInfo, metaRel string, withType bool) Object {
	obj := Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
	var m localMeta
	b, err := s.root.ReadFile(metaRel)
	if err == nil && json.Unmarshal(b, &m) == nil && m.Size == fi.Size() && m.ModTimeNs == fi.ModTime().UnixNano() {
		obj.ETag = m.ETag
		if withType {
			obj.ContentType = m.ContentType
		}
		return obj
	}
	obj.ETag = fmt.Sprintf("W-%x-%x", fi.ModTime().UnixNano(), fi.Size())
	if withType {
		obj.ContentType = DefaultContentType
	}
	return obj
}

func (s *LocalStore) createTemp() (*os.File, error) {
	name := filepath.Join(localTempDir, "put-"+rand.Text())
	return s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
}

// writeTempMeta writes and syncs a sidecar temp file, returning its path.
func (s *LocalStore) writeTempMeta(m localMeta) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	f, err := s.createTemp()
	if err != nil {
		return "", err
	}
	rel := filepath.Join(localTempDir, filepath.Base(f.Name()))
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.root.Remove(rel)
		return "", err
	}
	return rel, nil
}

func (s *LocalStore) syncDir(rel string) {
	if d, err := s.root.Open(rel); err == nil {
		d.Sync()
		d.Close()
	}
}

// removeStaleTemps deletes uploads abandoned by a crash.
func (s *LocalStore) removeStaleTemps() {
	entries, err := fs.ReadDir(s.root.FS(), localTempDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleTempAge {
			s.root.Remove(filepath.Join(localTempDir, e.Name()))
		}
	}
}

func (s *LocalStore) readErr(op, key string, err error) error {
	if isMissing(err) || errors.Is(err, syscall.ENAMETOOLONG) {
		return notFound(key)
	}
	return s.fail(op, key, err)
}

// putErr maps install failures. A directory cannot hold both a file "a" and
// a directory "a/", so unlike S3 this store cannot keep keys "a" and "a/b"
// at the same time: that is a conflict.
func (s *LocalStore) putErr(key string, err error) error {
	switch {
	case errors.Is(err, syscall.ENAMETOOLONG):
		return invalidKey(key, "a segment is too long for the file system")
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrExist), isDirErr(err):
		return fmt.Errorf("object %q: a key is a path prefix of another key: %w", key, errs.Conflict)
	}
	return s.fail("put", key, err)
}

func (s *LocalStore) fail(op, key string, err error) error {
	return fmt.Errorf("storage: local %s %q: %w", op, key, err)
}

func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func isDirErr(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY)
}

// ctxReader stops a long copy when the request is canceled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
