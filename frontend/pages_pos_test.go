package frontend

import (
	"bytes"
	"encoding/json"
	"html"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/pages"
)

// openTill opens a fair today where the bakery sells the bread it brought
// (a photo on it), and answers the till's path.
func openTill(t *testing.T, env *producerEnv) (fairs.Fair, string) {
	t.Helper()
	ctx := t.Context()
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	f, err := env.fairs.Create(ctx, accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", Venue: "Parque principal", StartsOn: today, EndsOn: today})
	if err == nil {
		_, err = env.fairs.Invite(ctx, accounts.System, f.ID, env.bakery.ID)
	}
	if err == nil {
		_, err = env.fairs.Accept(ctx, accounts.System, f.ID, env.bakery.ID)
	}
	if err == nil {
		_, err = env.fairs.SetStock(ctx, accounts.System, f.ID, env.bread.ID, 12)
	}
	if err == nil {
		f, err = env.fairs.Transition(ctx, accounts.System, f.ID, fairs.StatusOpen)
	}
	if err == nil {
		_, err = env.catalog.AddProductImage(ctx, accounts.System, env.bread.ID, bytes.NewReader(testJPEG(t, 640, 480)))
	}
	if err != nil {
		t.Fatal(err)
	}
	return f, "/feria/" + f.ID + "/caja"
}

// The till page: its seller sees the products with units left and a
// miniature photo, the script's state carries a token for this session;
// anyone else is sent to sign in or refused; the miniature is a small
// square JPEG, cached for good.
func TestPointOfSalePage(t *testing.T) {
	env := newProducerEnv(t)
	_, page := openTill(t, env)
	if res, _ := newVisitor(env.testEnv).get(t, page); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/entrar") {
		t.Fatalf("anonymous: %d %s, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := env.signedIn(t, "dora@tesoro.test").get(t, page); res.StatusCode != 403 {
		t.Fatalf("a producer not at the fair: %d, want 403 (%s)", res.StatusCode, body)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	res, body := v.get(t, page)
	wantStatus(t, "till", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "till", text, "Feria de Mongua", "Pan de papa", "Quedan 12", "Cobrar", "Efectivo", "Fiado", "Nequi", "Transferencia", "ventas", `id="pos-queue"`)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("till page Cache-Control %q: the service worker keeps it, no HTTP cache should", cc)
	}
	_, data := v.get(t, page+"/datos")
	var st struct {
		CSRF string     `json:"csrf"`
		Till fairs.Till `json:"till"`
	}
	if err := json.Unmarshal([]byte(data), &st); err != nil || st.CSRF == "" || len(st.Till.Initiatives) != 1 {
		t.Fatalf("till data: %v %s", err, data)
	}
	bread := st.Till.Initiatives[0].Products[0]
	if bread.Left == nil || *bread.Left != 12 || !strings.HasPrefix(bread.Photo, "/mini/public/") || !strings.Contains(body, bread.Photo) {
		t.Fatalf("bread on the till: %+v", bread)
	}
	res, img := v.get(t, bread.Photo)
	wantStatus(t, "miniature", res, 200, "")
	cfg, err := jpeg.DecodeConfig(strings.NewReader(img))
	if err != nil || cfg.Width != 112 || cfg.Height != 112 || len(img) > 6000 {
		t.Fatalf("miniature: %v %dx%d, %d bytes; want a 112-pixel square under 6 KB", err, cfg.Width, cfg.Height, len(img))
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("miniature Cache-Control %q, want immutable", res.Header.Get("Cache-Control"))
	}
	if res, _ := v.get(t, "/mini/private/x.jpg"); res.StatusCode != 404 {
		t.Errorf("a private key as miniature: %d, want 404", res.StatusCode)
	}
	_, sw := v.get(t, "/sw.js")
	wantText(t, "service worker", sw, `const TILL = "caja"`, "/mini/")
	for _, lang := range pages.Languages {
		v.lang = lang
		_, body := v.get(t, page)
		if i := strings.Index(body, "⟦"); i >= 0 {
			t.Errorf("%s: missing message near %q", lang, body[i:min(len(body), i+40)])
		}
	}
}
