package frontend

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/tesoro-pact/tesoro/accounts"
)

//go:embed templates/*.html templates/sw.js
var templatesFS embed.FS

// pages holds the parsed templates (parsed once at start) and the message bundle.
type pages struct {
	byName  map[string]*template.Template
	sw      *template.Template
	bundle  *i18n.Bundle
	matcher language.Matcher
	assets  *assets
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

func loadPages(a *assets) (*pages, error) {
	bundle, err := loadBundle()
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, bundle: bundle, assets: a,
		matcher: language.NewMatcher([]language.Tag{language.Spanish, language.English})}
	funcs := template.FuncMap{"asset": a.URL, "firstName": firstName, "money": formatMoney, "whatsapp": whatsappLink, "date": formatDate, "datetime": formatDateTime}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(templatesFS, "templates/*.html")
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
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
func (s *server) render(c *fiber.Ctx, status int, name, titleID string, data any) error {
	l := s.pages.localizer(c)
	here := c.Path()
	if p, ok := c.Locals(pageKey).(string); ok {
		here = p
	}
	v := view{L: l, Title: l.T(titleID), Path: here, RequestID: requestID(c), Data: data,
		User: principal(c), Account: name != "offline", csrf: func() string { return s.csrfToken(c) }}
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
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l.Lang)
	c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
	return c.Status(status).Send(buf.Bytes())
}

// renderError shows a friendly page for an error, with the message in the
// visitor's language and the request id to quote when asking for help.
func (s *server) renderError(c *fiber.Ctx, p problem) error {
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
var errorMessages = map[string]bool{}

func init() {
	for _, info := range statusProblem {
		errorMessages["error."+info.slug] = true
	}
	errorMessages["error.csrf"] = true
}

func (s *server) routesPages(app *fiber.App) {
	s.routesMarket(app)
	app.Get("/idioma/:lang", s.switchLanguage)
	s.routesAccountPages(app)
	s.routesProducer(app)
	s.routesMyInitiative(app)
	s.routesMentoringPages(app)
	s.routesOrderPages(app)
}

func (s *server) routesPublicAssets(app *fiber.App) {
	app.Get("/offline", func(c *fiber.Ctx) error { return s.render(c, 200, "offline", "offline.title", nil) })
	app.Get("/static/*", s.assets.serve)
	app.Get("/sw.js", s.serviceWorker)
	app.Get("/manifest.webmanifest", s.manifest)
}

// switchLanguage remembers the choice for a year and goes back to a local page.
func (s *server) switchLanguage(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if !slices.Contains(languages, lang) {
		return fiber.ErrNotFound
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
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

func (s *server) serviceWorker(c *fiber.Ctx) error {
	var buf bytes.Buffer
	err := s.pages.sw.Execute(&buf, map[string]any{"Version": s.assets.version, "Shell": s.assets.shell()})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}

func (s *server) manifest(c *fiber.Ctx) error {
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
