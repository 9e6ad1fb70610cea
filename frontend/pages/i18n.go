package pages

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localesFS embed.FS

// Languages the UI speaks, Spanish first: it is the default for everyone
// whose browser does not ask for English.
var Languages = []string{"es", "en"}

const LangCookie = "lang"

func loadBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localesFS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localesFS, f); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return b, nil
}

// loc translates for one request.
type loc struct {
	Lang string
	l    *i18n.Localizer
}

// T returns the message id in the request's language. A missing message shows
// as ⟦id⟧ so that tests (and people) notice it.
func (l *loc) T(id string, args ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
		cfg.TemplateData = data
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return "⟦" + id + "⟧"
	}
	return s
}

// localizer picks the language: the cookie set by the switch, then the
// browser's Accept-Language, then Spanish.
func (p *templates) localizer(c *fiber.Ctx) *loc {
	lang := c.Cookies(LangCookie)
	if lang != "es" && lang != "en" {
		lang = ""
	}
	accept := c.Get(fiber.HeaderAcceptLanguage)
	tag, _ := language.MatchStrings(p.matcher, lang, accept)
	base, _ := tag.Base()
	code := base.String()
	return &loc{Lang: code, l: i18n.NewLocalizer(p.bundle, code)}
}
