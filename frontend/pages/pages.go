// Package pages is the server-rendered, Spanish-first web face: a file per
// area (market, cart, orders, accounts, my products, my initiative, advice),
// the templates with their shared partials, the locales and the static
// assets beside them, the manifest and the service worker.
package pages

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
)

//go:embed templates/*.html templates/sw.js
var templatesFS embed.FS

// templates holds the parsed templates (parsed once at start) and the message bundle.
type templates struct {
	byName  map[string]*template.Template
	sw      *template.Template
	bundle  *i18n.Bundle
	matcher language.Matcher
	assets  *assets
}

// Pages holds the page handlers with their templates and assets.
type Pages struct {
	kit.Deps
	log    *slog.Logger
	assets *assets
	tmpl   *templates
	// checkouts is the per-address flood guard shared with the API.
	checkouts *kit.AddressLimit
}

// New loads the templates and assets (parsed once, here).
func New(d kit.Deps, checkouts *kit.AddressLimit) (*Pages, error) {
	s := &Pages{Deps: d, log: d.Logger, checkouts: checkouts}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	if s.tmpl, err = loadTemplates(s.assets); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return s, nil
}

// view is what every page template receives.
type view struct {
	L         *loc
	Title     string
	Path      string // of the page shown (a failed form shows its page again)
	Here      string // Path with the query of a GET, for the language switch
	RequestID string
	// User is the signed-in visitor, or nil.
	User *accounts.Principal
	// Account shows the sign-in link or the account menu in the header; off on
	// pages served before authentication (the offline page), which cannot know.
	Account bool
	// Notice is a confirmation (already translated) shown above the content.
	Notice string
	// Cart is the number of products in the cart, for the header's link.
	Cart int
	Data any
	csrf func() string
	// back is the page the sign-in link returns to ("" for none).
	back string
}

// CSRF is the token every form must send back in its hidden _csrf field. It
// is made on first use, so a page without a form sets no cookie.
func (v view) CSRF() string { return v.csrf() }

func loadTemplates(a *assets) (*templates, error) {
	bundle, err := loadBundle()
	if err != nil {
		return nil, err
	}
	p := &templates{byName: map[string]*template.Template{}, bundle: bundle, assets: a,
		matcher: language.NewMatcher([]language.Tag{language.Spanish, language.English})}
	funcs := template.FuncMap{"asset": a.URL, "firstName": firstName, "money": formatMoney, "whatsapp": whatsappLink,
		"date": formatDate, "datetime": formatDateTime, "dict": dict,
		"deref": func(n *int64) int64 { return *n }, "deref_t": func(t *time.Time) time.Time { return *t }, "pesos": money.Pesos, "monthName": monthName,
		"indicatorValue": indicatorValue, "periodName": periodName,
		"wholePesos": func(m money.Money) string { return groupThousands(m.Amount / 100) },
		"pesos100":   func(minor int64) money.Money { return money.Money{Amount: minor, Currency: money.COP} },
		"derefInt":   func(n *int) int { return *n }, "list3": func(a, b, c string) []string { return []string{a, b, c} }, "newKey": newIdempotencyKey,
		"day": isoDayText}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(templatesFS, "templates/*.html")
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templatesFS, n)
		if err != nil {
			return nil, err
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	p.sw, err = template.New("sw.js").ParseFS(templatesFS, "templates/sw.js")
	return p, err
}

// render writes page name in the request's language.
func (s *Pages) render(c *fiber.Ctx, status int, name, titleID string, data any) error {
	l := s.tmpl.localizer(c)
	here := c.Path()
	if p, ok := c.Locals(pageKey).(string); ok {
		here = p
	}
	v := view{L: l, Title: l.T(titleID), Path: here, RequestID: kit.RequestID(c), Data: data,
		User: kit.Principal(c), Account: name != "offline", csrf: func() string { return kit.CSRFToken(c) }}
	if v.Account {
		v.Cart = s.cartCount(c)
	}
	if id := notices[c.Query("aviso")]; id != "" && status < 400 {
		v.Notice = l.T(id)
	}
	if c.Method() == fiber.MethodGet && (status < 400 || status == fiber.StatusUnauthorized || status == fiber.StatusForbidden) {
		v.back = c.Path()
	}
	v.Here = here
	if q := c.Request().URI().QueryString(); c.Method() == fiber.MethodGet && len(q) > 0 && len(q) < 1000 {
		v.Here += "?" + string(q) // switching language keeps a search
	}
	var buf bytes.Buffer
	if err := s.tmpl.byName[name].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l.Lang)
	c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
	return c.Status(status).Send(buf.Bytes())
}

// RenderError shows a friendly page for an error, with the message in the
// visitor's language and the request id to quote when asking for help.
func (s *Pages) RenderError(c *fiber.Ctx, p kit.Problem) error {
	id := "error." + strings.TrimPrefix(p.Type, "/problems/")
	if _, known := errorMessages[id]; !known {
		id = "error.bad-request"
		if p.Status >= 500 {
			id = "error.internal"
		}
	}
	return s.render(c, p.Status, "error", "error.title", map[string]any{"Status": p.Status, "MessageID": id})
}

// errorMessages are the problem types that have their own message on the error page.
var errorMessages = func() map[string]bool {
	ids := map[string]bool{"error.csrf": true}
	for _, info := range kit.StatusProblem {
		ids["error."+info.Slug] = true
	}
	return ids
}()

// Mount registers every page route on app (after authentication).
func (s *Pages) Mount(app fiber.Router) {
	s.routesMarket(app)
	app.Get("/idioma/:lang", s.switchLanguage)
	s.routesAccountPages(app)
	s.routesAdminUsers(app)
	s.routesAdminMilestones(app)
	s.routesCart(app)
	s.routesFairs(app)
	s.routesMyFairs(app)
	s.routesPOS(app)
	s.routesFairCash(app)
	s.routesFairReport(app)
	s.routesOrganizeFairs(app)
	s.routesHandover(app)
	s.routesProgress(app)
	s.routesIndicators(app)
	s.routesCommitment(app)
	s.routesTraining(app)
	s.routesCashbook(app)
	s.routesPortfolio(app)
	s.routesProducer(app)
	s.routesMyInitiative(app)
	s.routesMentoringPages(app)
	s.routesOrderPages(app)
	s.routesPractices(app)
}

// MountPublic registers what needs no identity (static files, offline page,
// manifest, service worker): it answers before authentication runs.
func (s *Pages) MountPublic(app fiber.Router) {
	app.Get("/offline", func(c *fiber.Ctx) error { return s.render(c, 200, "offline", "offline.title", nil) })
	app.Get("/static/*", s.assets.serve)
	app.Get("/sw.js", s.serviceWorker)
	app.Get("/manifest.webmanifest", s.manifest)
}

// switchLanguage remembers the choice for a year and goes back to a local page.
func (s *Pages) switchLanguage(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if !slices.Contains(Languages, lang) {
		return fiber.ErrNotFound
	}
	c.Cookie(&fiber.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: "Lax", Secure: c.Protocol() == "https", Expires: time.Now().AddDate(1, 0, 0)})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath accepts only a path on this site, so the switch cannot be used to
// send people elsewhere (open redirect).
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (s *Pages) serviceWorker(c *fiber.Ctx) error {
	var buf bytes.Buffer
	err := s.tmpl.sw.Execute(&buf, map[string]any{"Version": s.assets.version, "Shell": s.assets.shell()})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}

func (s *Pages) manifest(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	return c.JSON(fiber.Map{
		"name":             "Tesoro — Iniciativas productivas",
		"short_name":       "Tesoro",
		"lang":             "es-CO",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#fffaf2",
		"theme_color":      "#8a4b08",
		"icons": []fiber.Map{
			{"src": s.assets.URL("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
			{"src": s.assets.URL("icon-192.png"), "sizes": "192x192", "type": "image/png"},
			{"src": s.assets.URL("icon-512.png"), "sizes": "512x512", "type": "image/png"},
		},
	}, "application/manifest+json")
}

// noStore keeps personal data and CSRF tokens out of every cache, the
// browser's back-forward cache on a shared phone included.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

const pageKey = "page"

// shows names the page a form handler shows again when the form fails, so
// that the header (language switch, current page) points at a page that
// exists, not at the form's action.
func shows(page string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(pageKey, page)
		return c.Next()
	}
}

// firstName is how the header greets: the first word of the name.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// SignInNext is the page the header's sign-in link comes back to, if any:
// the page being shown, unless it is home, an account form or a page that
// failed (signing in would not fix a 404).
func (v view) SignInNext() string {
	switch v.back {
	case "/", "/entrar", "/registro":
		return ""
	}
	return v.back
}

// toSignIn sends an anonymous visitor to the sign-in page, which then returns to back.
func toSignIn(c *fiber.Ctx, back string) error {
	return c.Redirect("/entrar?next="+url.QueryEscape(back), fiber.StatusSeeOther)
}

// dict builds the argument of a partial from key, value pairs:
// {{template "pager" (dict "V" $ "Next" $d.Next)}}.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, want key, value pairs", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}
