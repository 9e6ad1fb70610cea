package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/errs"
)

// DBConfig says where the database is. With URI empty an embedded FerretDB
// (SQLite files under DataDir) is started on loopback.
type DBConfig struct {
	URI      string // MONGODB_URI; empty means embedded
	Database string // MONGODB_DATABASE
	DataDir  string // directory for the embedded database files
	Logger   *slog.Logger
	// Monitor, when set, sees every command the driver sends (tests use a ScanLog's).
	Monitor *event.CommandMonitor
}

// DB is an open database: the official driver's client plus, in embedded mode,
// the in-process server it talks to.
type DB struct {
	Client   *mongo.Client
	DB       *mongo.Database
	Embedded bool

	stopServer func() // cancels FerretDB and waits for it; nil when external
	unlock     func()
}

// OpenDB connects to MongoDB, or starts the embedded server and connects to it.
func OpenDB(ctx context.Context, cfg DBConfig) (*DB, error) {
	if cfg.Database == "" {
		cfg.Database = "tesoro"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.URI != "" {
		opts := options.Client().ApplyURI(cfg.URI).SetTimeout(30 * time.Second).SetMonitor(cfg.Monitor)
		client, err := mongo.Connect(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("MONGODB_URI: %w", err)
		}
		return &DB{Client: client, DB: client.Database(cfg.Database)}, nil
	}
	return openEmbedded(ctx, cfg)
}

func openEmbedded(ctx context.Context, cfg DBConfig) (*DB, error) {
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("database directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("database directory: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	// FerretDB logs every disconnect's endSessions as a warning; only errors matter here.
	quiet := slog.New(cfg.Logger.Handler().WithAttrs([]slog.Attr{slog.String("component", "ferretdb")}))
	quiet = slog.New(levelFilter{min: slog.LevelError, Handler: quiet.Handler()})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    quiet,
	})
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			// A connection the driver failed to close keeps Run waiting; the
			// process is ending anyway, and SQLite has committed every write.
			cfg.Logger.Error("embedded database did not stop within 15s")
		}
	}

	// One connection: FerretDB's updates are read-modify-write in Go, so concurrent
	// commands on several connections lose updates (DESIGN.md). One connection
	// serializes every command and keeps guarded updates exact.
	opts := options.Client().ApplyURI(f.MongoDBURI()).
		SetMaxPoolSize(1).SetMinPoolSize(1).SetMaxConnecting(1).
		SetTimeout(60 * time.Second).SetMonitor(cfg.Monitor)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		stop()
		unlock()
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	return &DB{Client: client, DB: client.Database(cfg.Database), Embedded: true, stopServer: stop, unlock: unlock}, nil
}

// lockDir takes an exclusive, non-blocking lock on dir so that a second process
// cannot open the same SQLite files (FerretDB would corrupt them).
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, "tesoro.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another tesoro process (set TESORO_DATA to another directory or stop the other process): %w", dir, errs.Locked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.Client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("database: %v: %w", err, errs.Unavailable)
	}
	return nil
}

// Close disconnects and, in embedded mode, stops the server and releases the
// lock. It takes at most about half a minute, whatever ctx says: a stop must end.
func (d *DB) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := d.Client.Disconnect(ctx)
	if d.stopServer != nil {
		d.stopServer()
	}
	if d.unlock != nil {
		d.unlock()
	}
	return err
}

// EnsureIndexes creates indexes on coll; each package calls it at start for the
// collections it owns. Creating an existing index is a no-op. One command per
// index: FerretDB v1.24 panics on some createIndexes commands holding several.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	for _, m := range models {
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("indexes on %s: %w", coll.Name(), err)
		}
	}
	return nil
}

// Err maps driver errors onto errs kinds: no documents → NotFound, duplicate
// key → Conflict. what names the record for the message ("product 42").
func Err(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", what, errs.NotFound)
	case IsDuplicateKey(err):
		return fmt.Errorf("%s: %w", what, errs.Conflict)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// IsDuplicateKey reports a unique-index violation. FerretDB raises some (those
// from updates) in a form mongo.IsDuplicateKeyError does not recognise, so the
// code is also looked for in the message.
func IsDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "E11000") || strings.Contains(msg, "duplicate key")
}

// levelFilter drops records below min; used to quiet the embedded server.
type levelFilter struct {
	min slog.Level
	slog.Handler
}

func (l levelFilter) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.min && l.Handler.Enabled(ctx, level)
}

func (l levelFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFilter{l.min, l.Handler.WithAttrs(attrs)}
}

func (l levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{l.min, l.Handler.WithGroup(name)}
}

// NewID returns a new record id: an ObjectID in hex, so ids sort by the
// time they were made (feeds order their entries by it).
func NewID() string { return primitive.NewObjectID().Hex() }

// KeyedID is the id a keyed write always makes: an ObjectID whose time is
// at (so histories sort by it) and whose rest comes from key, so the same
// key and time make the same id (a retry finds its record there).
func KeyedID(key string, at time.Time) string {
	var id primitive.ObjectID
	binary.BigEndian.PutUint32(id[:4], uint32(at.Unix()))
	sum := sha256.Sum256([]byte(key))
	copy(id[4:], sum[:8])
	return id.Hex()
}

// OnlyDuplicates reports a bulk insert whose every failure is a document
// that was there already (an import run again).
func OnlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return IsDuplicateKey(err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}
