package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserProducerCreatesProduct follows a producer on a phone: the admin
// gives her an account of a demo bakery (through the API), she signs in, opens
// "Mis productos", lists a new product with a photo from the phone, counts
// its stock, and the product is public with its photo and price.
func TestBrowserProducerCreatesProduct(t *testing.T) {
	const adminEmail, adminPassword = "coordinacion@tesoro.test", "clave-de-la-coordinacion"
	const email, password = "ana.panaderia@correo.test", "pan-de-papa-y-cuajada"
	const bakery = "Panadería de Papa La Monguana"
	r := startRun(t, "", map[string]string{"TESORO_ADMIN_EMAIL": adminEmail, "TESORO_ADMIN_PASSWORD": adminPassword}, "--demo")
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS") // for a human to look at the layout

	// The admin creates the producer through the API.
	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, 200, &login)
	var initiatives struct {
		Items []struct{ ID, Name string }
	}
	producerAPI(t, r, "GET", "/api/v1/initiatives?municipality=Mongua", "", nil, 200, &initiatives)
	var bakeryID string
	for _, in := range initiatives.Items {
		if in.Name == bakery {
			bakeryID = in.ID
		}
	}
	if bakeryID == "" {
		t.Fatalf("no demo initiative %q in %+v", bakery, initiatives.Items)
	}
	producerAPI(t, r, "POST", "/api/v1/users", login.Token, map[string]any{"email": email, "name": "Ana Beatriz Sánchez",
		"password": password, "roles": []string{"producer"}, "initiative_ids": []string{bakeryID}}, 201, nil)

	// A photo on the phone.
	photo := filepath.Join(t.TempDir(), "IMG_20261125_0930.jpg")
	if err := os.WriteFile(photo, producerTestJPEG(t, 1200, 900), 0o644); err != nil {
		t.Fatal(err)
	}

	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	openOnPhone(t, tab, r.URL+"/entrar")
	typeInto(t, tab, map[string]string{"#email": email, "#password": password})
	tapToSubmit(t, tab, "main form button[type=submit]", "/", 200)
	tapToSubmit(t, tab, `header a[href="/mis-productos"]`, "/mis-productos", 200)
	checkPage(t, tab, "es", "Mis productos")
	wantVisible(t, tab, "my products",
		`//h2[contains(., "`+bakery+`")]`,
		`//li[contains(@class, "mp-item")]//span[normalize-space()="Pan de papa"]`,
		`//li[contains(@class, "mp-item")][.//span[normalize-space()="Pan de papa"]]//span[contains(@class, "mp-price")][starts-with(normalize-space(), "$ 1.500")]`)
	saveShot(t, tab, shots, "mis-productos-phone.png")

	tapToSubmit(t, tab, `a[href="/mis-productos/nuevo?iniciativa=`+bakeryID+`"]`, "/mis-productos/nuevo", 200)
	checkPage(t, tab, "es", "Nuevo producto")
	// First with cents in the price, as a calculator would write it: the
	// page comes back with the message next to the price and what was typed.
	typeInto(t, tab, map[string]string{
		"#name": "Roscón de arequipe", "#description": "Horneado el mismo día, con arequipe de la vereda.",
		"#price": "12.500,50", "#stock": "12",
	})
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("#category"), "bread_pastry")); err != nil {
		t.Fatalf("choosing the category: %v", err)
	}
	tapToSubmit(t, tab, "#datos form button[type=submit]", "/mis-productos/nuevo", 422)
	wantVisible(t, tab, "new product with cents",
		`//p[@class="alert"][contains(., "Revise los datos marcados")]`,
		`//p[@id="price-error"][contains(., "sin centavos")]`)
	for sel, want := range map[string]string{"#name": "Roscón de arequipe", "#price": "12.500,50", "#stock": "12", "#category": "bread_pastry"} {
		if got, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS(sel))); err != nil || got != want {
			t.Errorf("%s after the error: got %q (%v), want %q", sel, got, err, want)
		}
	}
	saveShot(t, tab, shots, "nuevo-producto-error-phone.png")
	if err := chromedp.Do(tab, chromedp.Clear(chromedp.CSS("#price"))); err != nil {
		t.Fatal(err)
	}
	typeInto(t, tab, map[string]string{"#price": "12.500"})
	if err := chromedp.Do(tab, chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{photo})); err != nil {
		t.Fatalf("choosing the photo: %v", err)
	}
	saveShot(t, tab, shots, "nuevo-producto-phone.png")
	res, err := chromedp.RunResponse(tab, chromedp.Tap(chromedp.CSS("#datos form button[type=submit]")))
	if err != nil {
		t.Fatalf("submitting the new product: %v", err)
	}
	path := evaluate[string](t, tab, `location.pathname`)
	id, ok := strings.CutPrefix(path, "/mis-productos/")
	if res.Status != 200 || !ok || strings.Contains(id, "/") {
		t.Fatalf("after submitting: got %s with status %d, want the new product's page", path, res.Status)
	}
	fitsPhone(t, tab)
	checkPage(t, tab, "es", "Roscón de arequipe")
	wantVisible(t, tab, "the new product's page",
		`//p[@class="notice"][contains(., "El producto quedó publicado")]`,
		`//p[contains(@class, "mp-price")][contains(., "$ 12.500")]`,
		`//p[contains(@class, "mp-on-hand")]/strong[normalize-space()="12"]`,
		`//ul[@class="mp-photos"]//img`)
	if !evaluate[bool](t, tab, `(() => { const i = document.querySelector(".mp-photos img"); return !!i && i.complete && i.naturalWidth > 0; })()`) {
		t.Error("the uploaded photo does not load on the product's page")
	}
	saveShot(t, tab, shots, "producto-phone.png")

	// More than there is: refused, nothing changes.
	if err := chromedp.Do(tab, chromedp.Tap(chromedp.CSS(`input[name="direction"][value="out"]`))); err != nil {
		t.Fatalf("tapping «Salieron»: %v", err)
	}
	typeInto(t, tab, map[string]string{"#quantity": "50", "#reason": "Pedido para un matrimonio"})
	tapToSubmit(t, tab, "#inventario form button[type=submit]", path+"/inventario", 409)
	wantVisible(t, tab, "taking out more than there is",
		`//p[@class="alert"][contains(., "No hay suficiente inventario: hay 12 y usted quiere sacar 50")]`,
		`//p[contains(@class, "mp-on-hand")]/strong[normalize-space()="12"]`)
	saveShot(t, tab, shots, "inventario-409-phone.png")
	if err := chromedp.Do(tab, chromedp.Clear(chromedp.CSS("#quantity")), chromedp.Clear(chromedp.CSS("#reason"))); err != nil {
		t.Fatal(err)
	}

	// Two sold at the shop.
	if err := chromedp.Do(tab, chromedp.Tap(chromedp.CSS(`input[name="direction"][value="out"]`))); err != nil {
		t.Fatalf("tapping «Salieron»: %v", err)
	}
	typeInto(t, tab, map[string]string{"#quantity": "2", "#reason": "Venta en la cafetería"})
	tapToSubmit(t, tab, "#inventario form button[type=submit]", path, 200)
	wantVisible(t, tab, "after the stock change",
		`//p[@class="notice"][contains(., "El inventario quedó actualizado")]`,
		`//p[contains(@class, "mp-on-hand")]/strong[normalize-space()="10"]`)
	tapToSubmit(t, tab, `a[href="`+path+`/inventario"]`, path+"/inventario", 200)
	checkPage(t, tab, "es", "Historial de inventario")
	wantVisible(t, tab, "stock history",
		`//tr[td[normalize-space()="−2"]][td[normalize-space()="Venta en la cafetería"]][td[normalize-space()="10"]][td[normalize-space()="Usted"]]`,
		`//tr[td[normalize-space()="+12"]][td[normalize-space()="Existencias iniciales"]][td[normalize-space()="12"]]`)
	saveShot(t, tab, shots, "inventario-phone.png")

	// The product is public, with its photo.
	var found struct {
		Items []struct {
			ID     string
			Name   string
			Price  struct{ Amount int64 }
			Images []struct {
				ThumbURL string `json:"thumb_url"`
			}
		}
	}
	producerAPI(t, r, "GET", "/api/v1/products?q="+url.QueryEscape("Roscón de arequipe"), "", nil, 200, &found)
	if len(found.Items) != 1 || found.Items[0].ID != id || found.Items[0].Price.Amount != 1250000 ||
		len(found.Items[0].Images) != 1 || found.Items[0].Images[0].ThumbURL == "" {
		t.Fatalf("public catalog: got %+v, want the new product with its photo at $ 12.500", found.Items)
	}
	if status, _ := r.get(t, "/productos/"+id); status != http.StatusOK {
		t.Fatalf("the public product page answers %d, want 200", status)
	}
	openOnPhone(t, tab, r.URL+"/productos/"+id)
	if got := evaluate[string](t, tab, `document.documentElement.lang`); got != "es" {
		t.Errorf("public product page lang = %q, want es", got)
	}
	wantVisible(t, tab, "public product page",
		`//h1[normalize-space()="Roscón de arequipe"]`,
		`//main//*[starts-with(normalize-space(), "$ 12.500")]`,
		`//main//img`)
	if !evaluate[bool](t, tab, `[...document.querySelectorAll("main img")].some(i => i.complete && i.naturalWidth > 0)`) {
		t.Error("the public product page shows no loaded photo")
	}
	saveShot(t, tab, shots, "producto-publico-phone.png")
}

// producerAPI sends a JSON request, checks the status and decodes the answer into out.
func producerAPI(t testing.TB, r *running, method, path, token string, body any, wantStatus int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != wantStatus {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, res.StatusCode, b, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// producerTestJPEG draws a photo-like JPEG: a warm gradient with a round loaf.
func producerTestJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, rad := w/2, h/2, min(w, h)/3
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(200 - y*80/h), uint8(170 - y*60/h), uint8(120 - x*40/w), 255}
			if dx, dy := x-cx, y-cy; dx*dx+dy*dy < rad*rad {
				c = color.RGBA{uint8(190 + dx*30/rad), uint8(120 + dy*20/rad), 50, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(fmt.Errorf("encoding the test photo: %w", err))
	}
	return buf.Bytes()
}
