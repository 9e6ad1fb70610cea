package pages

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed static
var staticFS embed.FS

// asset is one static file, held in memory with its fingerprinted name.
type asset struct {
	body        []byte
	contentType string
	url         string // /static/app.3f9a1c2b.css
}

// assets serves embedded static files under content-hashed names so that they
// can be cached forever; a change in a file changes its URL.
type assets struct {
	byName map[string]*asset // "app.css"
	byURL  map[string]*asset
	// version changes whenever any asset changes; the service worker's cache is named after it.
	version string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	all := sha256.New()
	add := func(name string, body []byte) {
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		as := &asset{body: body, contentType: ct, url: "/static/" + strings.TrimSuffix(name, ext) + "." + hash + ext}
		a.byName[name] = as
		a.byURL[as.url] = as
		fmt.Fprintf(all, "%s %s\n", name, hash)
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err == nil {
			add(strings.TrimPrefix(p, "static/"), body)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	add("icon-192.png", iconPNG(192))
	add("icon-512.png", iconPNG(512))
	a.version = hex.EncodeToString(all.Sum(nil))[:10]
	return a, nil
}

// URL returns the fingerprinted URL of a static file; templates call it as {{asset "app.css"}}.
func (a *assets) URL(name string) string {
	if as, ok := a.byName[name]; ok {
		return as.url
	}
	panic(fmt.Sprintf("unknown asset %q", name)) // caught at template parse time by tests
}

func (a *assets) serve(c *fiber.Ctx) error {
	as, ok := a.byURL[c.Path()]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, as.contentType)
	return c.Send(as.body)
}

// shell lists the URLs the service worker keeps for offline use.
func (a *assets) shell() []string {
	var out []string
	for _, name := range []string{"app.css", "app.js", "icon.svg", "pos.css", "pos.js"} {
		if as, ok := a.byName[name]; ok {
			out = append(out, as.url)
		}
	}
	return out
}
