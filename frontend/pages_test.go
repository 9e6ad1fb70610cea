package frontend

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
)

func TestHomeEmptyState(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, body := env.get(t, "/")
	if res.StatusCode != 200 {
		t.Fatalf("status: got %d, want 200", res.StatusCode)
	}
	for _, want := range []string{`<html lang="es">`, "Todavía no hay iniciativas publicadas"} {
		if !strings.Contains(body, want) {
			t.Errorf("home without initiatives lacks %q", want)
		}
	}
}

func TestHomeGroupsByMunicipality(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	createInitiative(t, env.catalog, "Arepas Segovianas", "segovia")
	createInitiative(t, env.catalog, "Amasijos de Mongua", "MONGUA")
	_, body := env.get(t, "/")
	for _, want := range []string{`id="mongua"`, `id="segovia"`, "Panadería de Papa", "Arepas Segovianas", "Boyacá", "Panadería"} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(body, `id="tópaga"`) || strings.Contains(body, `id="topaga"`) {
		t.Error("home shows a municipality that has no initiatives")
	}
	// Segovia (Antioquia) comes before Mongua (Boyacá); inside Mongua, names sort.
	iSeg, iMon := strings.Index(body, `id="segovia"`), strings.Index(body, `id="mongua"`)
	iAma, iPan := strings.Index(body, "Amasijos de Mongua"), strings.Index(body, "Panadería de Papa")
	if iSeg > iMon || iAma > iPan {
		t.Errorf("order: got segovia@%d mongua@%d amasijos@%d panaderia@%d, want Antioquia first and names sorted", iSeg, iMon, iAma, iPan)
	}
}

func TestLanguageChoice(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	tests := []struct {
		name     string
		header   []string
		wantLang string
		wantText string
	}{
		{"default is Spanish", nil, "es", "Compre a las iniciativas"},
		{"browser asks English", []string{"Accept-Language", "en-US,en;q=0.8"}, "en", "Buy from the productive"},
		{"browser asks Spanish", []string{"Accept-Language", "es-CO"}, "es", "Compre a las iniciativas"},
		{"other language falls back to Spanish", []string{"Accept-Language", "fr-FR"}, "es", "Compre a las iniciativas"},
		{"cookie beats browser", []string{"Accept-Language", "es", "Cookie", "lang=en"}, "en", "Buy from the productive"},
		{"bad cookie ignored", []string{"Cookie", "lang=xx"}, "es", "Compre a las iniciativas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.get(t, "/", tt.header...)
			if got := res.Header.Get("Content-Language"); got != tt.wantLang {
				t.Errorf("Content-Language: got %q, want %q", got, tt.wantLang)
			}
			if !strings.Contains(body, `<html lang="`+tt.wantLang+`">`) || !strings.Contains(body, tt.wantText) {
				t.Errorf("body lacks lang %q or %q", tt.wantLang, tt.wantText)
			}
		})
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, _ := env.get(t, "/idioma/en?next=/offline")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/offline" {
		t.Fatalf("got %d to %q, want 303 to /offline", res.StatusCode, res.Header.Get("Location"))
	}
	if c := res.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") || !strings.Contains(c, "SameSite=Lax") {
		t.Fatalf("cookie: got %q, want lang=en with SameSite=Lax", c)
	}
	if res, _ := env.get(t, "/idioma/fr"); res.StatusCode != 404 {
		t.Fatalf("unknown language: got %d, want 404", res.StatusCode)
	}
}

func TestStaticAssetsAreFingerprintedAndImmutable(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	_, body := env.get(t, "/")
	urls := regexp.MustCompile(`/static/[a-z0-9-]+\.[0-9a-f]{10}\.(css|js|svg)`).FindAllString(body, -1)
	if len(urls) < 3 {
		t.Fatalf("got %d fingerprinted asset URLs in the page, want css, js and icon", len(urls))
	}
	for _, u := range urls {
		res, b := env.get(t, u)
		if res.StatusCode != 200 || len(b) == 0 {
			t.Fatalf("%s: got %d (%d bytes), want 200 with content", u, res.StatusCode, len(b))
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s Cache-Control: got %q, want immutable", u, cc)
		}
	}
	if res, _ := env.get(t, "/static/app.0000000000.css"); res.StatusCode != 404 {
		t.Fatalf("stale fingerprint: got %d, want 404", res.StatusCode)
	}
}

func TestManifestAndServiceWorker(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, body := env.get(t, "/manifest.webmanifest")
	var m struct {
		StartURL string `json:"start_url"`
		Icons    []struct {
			Src, Type string
		} `json:"icons"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil || res.StatusCode != 200 {
		t.Fatalf("manifest: %d %v", res.StatusCode, err)
	}
	if m.StartURL != "/" || len(m.Icons) < 3 {
		t.Fatalf("manifest: got %+v, want start_url / and 3 icons", m)
	}
	for _, icon := range m.Icons {
		res, b := env.get(t, icon.Src)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != icon.Type || len(b) < 50 {
			t.Errorf("icon %s: got %d %q %d bytes, want 200 %s", icon.Src, res.StatusCode, res.Header.Get("Content-Type"), len(b), icon.Type)
		}
	}
	res, sw := env.get(t, "/sw.js")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: got %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if !strings.Contains(sw, `"/offline"`) || !regexp.MustCompile(`tesoro-[0-9a-f]{10}`).MatchString(sw) || !strings.Contains(sw, ".css\"") {
		t.Fatalf("sw.js does not cache the offline page and the shell under a versioned name:\n%s", sw)
	}
	res, body = env.get(t, "/offline")
	if res.StatusCode != 200 || !strings.Contains(body, "Sin conexión") {
		t.Fatalf("offline page: got %d", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	res, _ := env.get(t, "/")
	for h, want := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'self'",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
}

func TestCompression(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	for i := range 20 {
		createInitiative(t, env.catalog, "Huerta número "+string(rune('A'+i)), "Tópaga")
	}
	res, _ := env.get(t, "/", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding: got %q, want gzip", res.Header.Get("Content-Encoding"))
	}
}

// Every page in both pages.Languages renders without a missing message (⟦id⟧).
func TestPagesHaveNoMissingMessages(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	for _, kind := range catalog.InitiativeKinds {
		_, err := env.catalog.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Iniciativa " + kind, Kind: kind, Municipality: "Remedios"})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/", "/offline", "/nada"} {
		for _, lang := range []string{"es", "en"} {
			_, body := env.get(t, path, "Cookie", "lang="+lang)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", path, lang, body[i:min(len(body), i+40)])
			}
		}
	}
}

func TestLanguageSwitchKeepsTheSearch(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	_, body := env.get(t, "/buscar?q=pan&orden=price_asc")
	if !strings.Contains(body, `/idioma/en?next=%2fbuscar%3fq%3dpan%26orden%3dprice_asc`) {
		t.Fatalf("the English link does not come back to the same search:\n%s", body[:min(len(body), 1500)])
	}
	res, _ := env.get(t, "/idioma/en?next=%2Fbuscar%3Fq%3Dpan%26orden%3Dprice_asc")
	if got := res.Header.Get("Location"); got != "/buscar?q=pan&orden=price_asc" {
		t.Fatalf("redirect: got %q, want the search", got)
	}
}
