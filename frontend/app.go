package frontend

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/tesoro-pact/tesoro/frontend/api"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/frontend/pages"
	"github.com/tesoro-pact/tesoro/storage"
)

// Deps is everything the HTTP layer needs; cmd/tesoro builds it.
type Deps = kit.Deps

// CheckoutsPerAddress is the default bound on the checkouts one address may
// start in a minute.
const CheckoutsPerAddress = kit.CheckoutsPerAddress

// server is the assembly: middleware, the error table and the two faces.
type server struct {
	Deps
	log     *slog.Logger
	metrics *metrics
	api     *api.API
	pages   *pages.Pages
	minis   minis
}

// New builds the Fiber app with every route registered.
func New(d Deps) (*fiber.App, error) { return newApp(d, nil) }

// newApp builds the app; tests pass extra to mount routes of their own ahead
// of the final not-found handler.
func newApp(d Deps, extra func(fiber.Router)) (*fiber.App, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.BodyLimit == 0 {
		d.BodyLimit = 10 << 20
	}
	if d.CheckoutsPerAddress == 0 {
		d.CheckoutsPerAddress = CheckoutsPerAddress
	}
	checkouts := kit.NewAddressLimit(d.CheckoutsPerAddress, time.Minute)
	s := &server{Deps: d, log: d.Logger, metrics: newMetrics(), api: api.New(d, checkouts)}
	var err error
	if s.pages, err = pages.New(d, checkouts); err != nil {
		return nil, err
	}
	s.api.ReportWords = s.pages.ReportWords
	cfg := fiber.Config{
		AppName:               "tesoro",
		ErrorHandler:          s.errorHandler,
		BodyLimit:             d.BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Values from *fiber.Ctx (Method, Params, Query, Get, Body) are copies,
		// not views into fasthttp's reused buffers: anything kept past the
		// request (a metric label, a cache key, a logged field) stays true.
		Immutable: true,
	}
	if len(d.TrustedProxies) > 0 {
		// Behind the TLS proxy of production the client address comes from it,
		// and only from it: rate limits and the audit log depend on c.IP().
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = d.TrustedProxies
		cfg.EnableIPValidation = true
	}
	app := fiber.New(cfg)
	app.Use(requestid.New(requestid.Config{Generator: kit.NewRequestID}))
	app.Use(s.accessLog)
	app.Use(s.recoverPanics)
	app.Use(securityHeaders)
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed,
		// The product list caches its own compressed pages.
		Next: func(c *fiber.Ctx) bool { return c.Path() == "/api/v1/products" }}))

	// Routes that need no identity come first: they answer before authentication runs.
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics.serve)
	app.Get("/api/openapi.json", serveOpenAPI)
	s.pages.MountPublic(app)
	app.Get(storage.FilesPathPrefix+"*", s.serveFile)
	app.Get(kit.MiniPathPrefix+"*", s.serveMiniature)

	app.Use(d.Authenticate, kit.CheckCSRF)
	s.api.Mount(app.Group("/api/v1"))
	s.pages.Mount(app)
	if extra != nil {
		extra(app)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app, nil
}

// readyz is 200 only when the database and the object store both answer.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "objects": "ok"}
	status := fiber.StatusOK
	if err := s.DB.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", fiber.StatusServiceUnavailable
		s.log.WarnContext(ctx, "readiness: database", slog.Any("err", err))
	}
	if err := s.Objects.Ping(ctx); err != nil {
		checks["objects"], status = "unavailable", fiber.StatusServiceUnavailable
		s.log.WarnContext(ctx, "readiness: object store", slog.Any("err", err))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(checks)
}
