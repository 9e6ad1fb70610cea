// Command tesoro is the whole Tesoro program: it reads the configuration from
// the environment, opens the database (an embedded FerretDB unless MONGODB_URI
// is set) and the object store (local disk unless S3_ENDPOINT is set), and
// serves the API and the web pages. It is the only place that knows the
// concrete types of every part.
//
//	tesoro [serve] [--demo]   serve (with demo data loaded into an empty database)
//	tesoro create-admin --email E --name N   create an admin; the password is read from stdin
//	tesoro rebuild-counters   recount the totals kept as counters (server stopped)
//	tesoro config             print the effective configuration, secrets redacted
//	tesoro version            print the version
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tesoro:", err)
		os.Exit(1)
	}
}

// Run is main without the process: tests call it with their own context,
// arguments, environment and writers. It returns when ctx is cancelled (after a
// graceful stop) or when starting fails.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("tesoro "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "load demo data into an empty database")
	email := fs.String("email", "", "create-admin: the admin's email")
	name := fs.String("name", "Administración", "create-admin: the admin's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		p, err := Start(ctx, cfg, Options{Demo: *demo, Stdout: stdout, Stderr: stderr})
		if err != nil {
			return err
		}
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		defer cancel()
		return p.Close(shutdownCtx)
	case "create-admin":
		return createAdmin(ctx, cfg, *email, *name, stdin, stdout)
	case "rebuild-counters":
		return rebuildCountersCommand(ctx, cfg, stdout)
	case "config":
		cfg.Print(stdout)
		return nil
	case "version":
		fmt.Fprintln(stdout, version())
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, create-admin, rebuild-counters, config or version)", cmd)
	}
}

// Options are how a caller of Start differs from the defaults.
type Options struct {
	Demo   bool
	Stdout io.Writer // people-facing lines: the address, demo passwords
	Stderr io.Writer // the log
}

// Program is a started Tesoro: listening and serving until Close.
type Program struct {
	cfg     Config
	log     *slog.Logger
	db      *storage.DB
	objects storage.ObjectStore
	app     *fiber.App
	ln      net.Listener
	served  chan error

	stopSweeper context.CancelFunc
}

// Start opens every part, listens on cfg.Listen and serves in the background.
// It prints "tesoro: listening on http://ADDR" to Stdout once requests are accepted.
func Start(ctx context.Context, cfg Config, opt Options) (_ *Program, err error) {
	if opt.Stdout == nil {
		opt.Stdout = io.Discard
	}
	if opt.Stderr == nil {
		opt.Stderr = io.Discard
	}
	p := &Program{cfg: cfg, log: newLogger(cfg, opt.Stderr), served: make(chan error, 1)}
	defer func() {
		if err != nil {
			p.closeParts(context.Background())
		}
	}()

	p.db, err = storage.OpenDB(ctx, storage.DBConfig{
		URI: cfg.MongoURI, Database: cfg.MongoDatabase,
		DataDir: filepath.Join(cfg.DataDir, "db"), Logger: p.log,
	})
	if err != nil {
		return nil, err
	}
	if err := p.db.Ping(ctx); err != nil {
		return nil, err
	}
	if p.objects, err = openObjects(ctx, cfg, p.log); err != nil {
		return nil, err
	}

	acc := accounts.NewService(p.db.DB, accounts.Options{})
	cat := catalog.NewService(p.db.DB, p.objects)
	var prog *progress.Service // keeps markers of the sessions mentoring lists
	men := mentoring.NewService(p.db.DB, mentoring.Options{LockAfter: cfg.sessionLockAfter, Initiatives: cat.MissingInitiatives, Objects: p.objects,
		Listed: func(ctx context.Context, before *mentoring.Session, after mentoring.Session) error {
			return prog.SessionListed(ctx, before, after)
		}})
	tra := programme.NewTraining(p.db.DB, programme.TrainingOptions{Objects: p.objects, Audit: acc.Audit,
		Members: func(ctx context.Context, ini string) ([]catalog.Member, error) {
			return cat.Members(ctx, accounts.System, ini)
		}})
	com := programme.NewCommitments(p.db.DB, programme.CommitmentOptions{Lapse: cfg.commitmentLapse, Audit: acc.Audit, Member: cat.MemberName})
	prog = progress.NewService(p.db.DB, progress.Options{HasProducts: cat.HasActiveProducts, Catalog: cat, Mentoring: men, Objects: p.objects,
		Commitments: com.States, Trained: tra.Counts})
	ord := orders.NewService(p.db.DB, cat, orders.Options{
		CardOrderTTL: cfg.cardOrderTTL, PendingOrderTTL: cfg.pendingOrderTTL, Logger: p.log, Count: prog.Count,
		Stripe: orders.NewStripe(orders.StripeConfig{SecretKey: cfg.StripeSecret, WebhookSecret: cfg.StripeWebhook,
			SiteURL: cfg.BaseURL, APIURL: cfg.StripeAPIURL}),
	})
	fai := fairs.NewService(p.db.DB, fairs.Options{Initiatives: cat.MissingInitiatives, Catalog: cat, Orders: ord,
		UserExists: func(ctx context.Context, id string) (bool, error) {
			_, err := acc.User(ctx, accounts.System, id)
			if errors.Is(err, errs.NotFound) {
				return false, nil
			}
			return err == nil, err
		}})
	practices := programme.NewPractices(p.db.DB, programme.PracticesOptions{Mentoring: men, Objects: p.objects,
		Initiative: func(ctx context.Context, id string) (programme.InitiativeRef, error) {
			in, err := cat.Initiative(ctx, id)
			return programme.InitiativeRef{Name: in.Name, Municipality: in.Municipality, Department: in.Department}, err
		}})
	for _, ensure := range []func(context.Context) error{acc.EnsureIndexes, cat.EnsureIndexes, men.EnsureIndexes, ord.EnsureIndexes, fai.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	// A data directory made by an earlier version is brought to this one's
	// layout once, before anything reads it (docs/architecture.md, Upgrades).
	legacy := append([]string{"stock_moves", "mentoring_sessions", "agreements", "audit_log", "users"}, orders.LegacyCollections...)
	if err := storage.Migrate(ctx, p.db.DB, legacy, []storage.Migration{
		{Version: 2, Name: "bucket layout for stock, order and mentoring lists", Run: func(ctx context.Context) error {
			if err := cat.MigrateToBuckets(ctx); err != nil {
				return err
			}
			if err := men.MigrateToBuckets(ctx); err != nil {
				return err
			}
			if err := acc.MigrateToBuckets(ctx); err != nil {
				return err
			}
			return ord.MigrateToBuckets(ctx)
		}},
		{Version: 3, Name: "counted ledgers, the users' list and the active admins; unconfirmed orders expire", Run: func(ctx context.Context) error {
			if err := rebuildCounters(ctx, acc, ord, prog); err != nil {
				return err
			}
			return ord.ExpireUnconfirmed(ctx)
		}},
		{Version: 4, Name: "monthly sales counters of each initiative", Run: func(ctx context.Context) error {
			return prog.Rebuild(ctx, ord.ScanAll)
		}},
		{Version: 5, Name: "the programme's glance and the session markers of progress", Run: func(ctx context.Context) error {
			if err := prog.Rebuild(ctx, ord.ScanAll); err != nil {
				return err
			}
			return prog.RebuildSessions(ctx)
		}},
	}, p.log); err != nil {
		return nil, err
	}
	// The commitments' index, mended from the commitments (one per initiative).
	if err := com.RebuildIndex(ctx); err != nil {
		return nil, err
	}
	// The practices library is one document; a crash between a practice and
	// its entry is mended here (at most programme.MaxPractices read).
	if err := practices.RebuildIndex(ctx); err != nil {
		return nil, fmt.Errorf("the practices library: %w", err)
	}
	if cfg.AdminEmail != "" {
		created, err := acc.EnsureAdmin(ctx, cfg.AdminEmail, "Administración", cfg.AdminPassword)
		if err != nil {
			return nil, fmt.Errorf("TESORO_ADMIN_EMAIL/TESORO_ADMIN_PASSWORD: %w", err)
		}
		if created {
			p.log.Info("admin created from TESORO_ADMIN_EMAIL")
		}
	}
	if opt.Demo {
		if err := loadDemo(ctx, demoDeps{acc, cat, men, fai, ord, prog, com, practices, tra}, opt.Stdout); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	// The milestones of initiatives changed since the last sweep (all of a
	// demo just loaded) are in the portfolio from the first request.
	if err := prog.RefreshMilestones(ctx); err != nil {
		return nil, err
	}
	if err := prog.TrimGlance(ctx); err != nil { // a glance older than its window of months
		return nil, err
	}
	// Stock moves left half-done by a crash are settled before serving. With the
	// embedded database this process is alone (flock), so all of them; with
	// MongoDB other instances may be mid-move, so only those a minute old.
	settleAfter := time.Minute
	if p.db.Embedded {
		settleAfter = 0
	}
	if n, err := cat.RecoverStockMoves(ctx, settleAfter); err != nil {
		return nil, fmt.Errorf("recovering stock moves: %w", err)
	} else if n > 0 {
		p.log.Warn("settled stock moves left pending by a crash", slog.Int("moves", n))
	}
	sweepCtx, stopSweeper := context.WithCancel(context.Background())
	p.stopSweeper = stopSweeper
	go acc.RunSweeper(sweepCtx, 10*time.Minute, func(err error) { p.log.Error("sweeping sessions", slog.Any("err", err)) })
	// Checkouts interrupted by a crash are rolled back before serving (all of
	// them when this process owns the embedded database), then swept every
	// minute with expired card orders.
	if sw, err := ord.Sweep(ctx, settleAfter); err != nil {
		return nil, fmt.Errorf("recovering orders: %w", err)
	} else if sw != (orders.Swept{}) {
		p.log.Warn("finished orders left half-done", slog.Any("swept", sw))
	}
	if _, err := men.Repair(ctx, settleAfter); err != nil {
		return nil, fmt.Errorf("repairing mentoring lists: %w", err)
	}
	if _, err := acc.Repair(ctx, settleAfter); err != nil {
		return nil, fmt.Errorf("repairing the users' list: %w", err)
	}
	if err := tra.Repair(ctx); err != nil {
		return nil, fmt.Errorf("repairing the training lists: %w", err)
	}
	if _, err := practices.RepairExchanges(ctx, settleAfter); err != nil {
		return nil, fmt.Errorf("repairing the exchanges' list: %w", err)
	}
	go every(sweepCtx, time.Minute, func(ctx context.Context) {
		if _, err := men.Repair(ctx, time.Minute); err != nil && ctx.Err() == nil {
			p.log.Error("repairing mentoring lists", slog.Any("err", err))
		}
		if _, err := acc.Repair(ctx, time.Minute); err != nil && ctx.Err() == nil {
			p.log.Error("repairing the users' list", slog.Any("err", err))
		}
		if _, err := cat.RecoverStockMoves(ctx, time.Minute); err != nil && ctx.Err() == nil {
			p.log.Error("recovering stock moves", slog.Any("err", err))
		}
		if _, err := ord.Sweep(ctx, cfg.orderRecoverAfter); err != nil && ctx.Err() == nil {
			p.log.Error("sweeping orders", slog.Any("err", err))
		}
		if err := fai.Sweep(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("sweeping fairs", slog.Any("err", err))
		}
		if err := prog.Repair(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("repairing the sales counters", slog.Any("err", err))
		}
		if _, err := practices.RepairExchanges(ctx, time.Minute); err != nil && ctx.Err() == nil {
			p.log.Error("repairing the exchanges' list", slog.Any("err", err))
		}
	})

	p.app, err = frontend.New(frontend.Deps{
		Accounts: acc, Catalog: cat, Fairs: fai, Mentoring: men, Orders: ord, Progress: prog, Commitments: com, Practices: practices, Training: tra, DB: p.db, TrustedProxies: cfg.TrustedProxies, Objects: p.objects, Logger: p.log, Version: version(),
	})
	if err != nil {
		return nil, err
	}
	p.ln, err = net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("TESORO_LISTEN: %w", err)
	}
	go func() { p.served <- p.app.Listener(p.ln) }()
	mode := "embedded FerretDB"
	if !p.db.Embedded {
		mode = "MongoDB"
	}
	p.log.Info("started", slog.String("addr", p.ln.Addr().String()), slog.String("database", mode),
		slog.String("version", version()))
	fmt.Fprintf(opt.Stdout, "tesoro: listening on http://%s\n", displayAddr(p.ln.Addr()))
	return p, nil
}

// Addr is the address the program listens on.
func (p *Program) Addr() string { return p.ln.Addr().String() }

// Close stops accepting requests, lets in-flight ones finish (until ctx ends),
// then closes the database (stopping the embedded server) and the object store.
func (p *Program) Close(ctx context.Context) error {
	var err error
	if p.app != nil {
		if serr := p.app.ShutdownWithContext(ctx); serr != nil {
			p.log.Warn("requests still open at the shutdown deadline; closing anyway", slog.Any("err", serr))
		}
		select {
		case serr := <-p.served:
			if serr != nil && !errors.Is(serr, net.ErrClosed) {
				err = serr
			}
		case <-time.After(5 * time.Second):
			p.log.Warn("the HTTP server did not return after shutdown")
		}
	}
	err = errors.Join(err, p.closeParts(ctx))
	p.log.Info("stopped")
	return err
}

func (p *Program) closeParts(ctx context.Context) error {
	if p.stopSweeper != nil {
		p.stopSweeper()
	}
	var err error
	if c, ok := p.objects.(io.Closer); ok {
		err = c.Close()
	}
	if p.db != nil {
		err = errors.Join(err, p.db.Close(ctx))
	}
	return err
}

// openObjects picks the object store. An unreachable MinIO does not stop the
// start: /readyz reports it until it answers.
func openObjects(ctx context.Context, cfg Config, log *slog.Logger) (storage.ObjectStore, error) {
	if cfg.S3.Endpoint == "" {
		return storage.NewLocalStore(filepath.Join(cfg.DataDir, "objects"))
	}
	s3, err := storage.NewS3Store(cfg.S3)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s3.Ping(pingCtx); err != nil {
		log.Error("object store not reachable; /readyz answers 503 until it is",
			slog.String("S3_ENDPOINT", cfg.S3.Endpoint), slog.Any("err", err))
	}
	return s3, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by LoadConfig
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// displayAddr turns ":8080" into "localhost:8080" for the line people click.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// createAdmin adds an admin to the database of cfg. The password comes from
// stdin (one line) so that it stays out of the shell history and process list.
func createAdmin(ctx context.Context, cfg Config, email, name string, stdin io.Reader, stdout io.Writer) error {
	if email == "" {
		return errors.New("create-admin: --email is required")
	}
	fmt.Fprintln(stdout, "Password (one line, at least 10 characters):")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("create-admin: reading the password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	db, err := storage.OpenDB(ctx, storage.DBConfig{URI: cfg.MongoURI, Database: cfg.MongoDatabase,
		DataDir: filepath.Join(cfg.DataDir, "db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	acc := accounts.NewService(db.DB, accounts.Options{})
	if err := acc.EnsureIndexes(ctx); err != nil {
		return err
	}
	created, err := acc.EnsureAdmin(ctx, email, name, password)
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if !created {
		return fmt.Errorf("create-admin: a user with that email already exists")
	}
	fmt.Fprintln(stdout, "tesoro: admin created")
	return nil
}

// rebuildCounters recounts, from the aggregates, every total kept as a
// counter: the initiatives' ledgers (statements), the sales counters of
// progress with its session markers, the users' list and the set of active
// admins.
func rebuildCounters(ctx context.Context, acc *accounts.Service, ord *orders.Service, prog *progress.Service) error {
	if err := ord.RebuildLedgers(ctx); err != nil {
		return err
	}
	if err := prog.Rebuild(ctx, ord.ScanAll); err != nil {
		return err
	}
	if err := prog.RebuildSessions(ctx); err != nil {
		return err
	}
	return acc.RebuildDirectory(ctx)
}

// rebuildCountersCommand is `tesoro rebuild-counters`, on the database of
// cfg. The embedded database is locked by a running server, so the command
// runs with the server stopped (with MongoDB, stop the instances first: a
// payment recorded during the recount could be missed).
func rebuildCountersCommand(ctx context.Context, cfg Config, stdout io.Writer) error {
	db, err := storage.OpenDB(ctx, storage.DBConfig{URI: cfg.MongoURI, Database: cfg.MongoDatabase,
		DataDir: filepath.Join(cfg.DataDir, "db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("rebuild-counters (is the server still running? stop it first): %w", err)
	}
	defer db.Close(context.Background())
	acc := accounts.NewService(db.DB, accounts.Options{})
	prog := progress.NewService(db.DB, progress.Options{Mentoring: mentoring.NewService(db.DB, mentoring.Options{})})
	ord := orders.NewService(db.DB, catalog.NewService(db.DB, nil), orders.Options{Count: prog.Count})
	start := time.Now()
	if err := rebuildCounters(ctx, acc, ord, prog); err != nil {
		return fmt.Errorf("rebuild-counters: %w", err)
	}
	fmt.Fprintf(stdout, "tesoro: counters rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// every runs f each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f(ctx)
		}
	}
}
