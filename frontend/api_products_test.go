package frontend

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

func TestProductPhotoUpload(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	_, token := env.user(t, "rosa@tesoro.demo", []string{accounts.RoleProducer}, ini.ID)
	res, body := env.do(t, request("POST", "/api/v1/initiatives/"+ini.ID+"/products",
		`{"name": "Pan de papa", "category": "bread_pastry", "unit": "unit", "price": {"amount": 150000, "currency": "COP"}, "stock": 30}`, token))
	if res.StatusCode != 201 {
		t.Fatalf("create product: got %d %s", res.StatusCode, body)
	}
	var prod catalog.Product
	_ = json.Unmarshal([]byte(body), &prod)

	const secret = "6.2442N-75.5812W-FINCA"
	photo := withExif(testJPEG(t, 900, 600), secret)
	if !bytes.Contains(photo, []byte(secret)) {
		t.Fatal("test photo lacks its GPS marker")
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
	}{
		{"text file named as a photo", uploadRequest(t, "/api/v1/products/"+prod.ID+"/images", "foto.jpg", []byte("esto no es una foto, es texto\n"), token), 415},
		{"over 8 MB", uploadRequest(t, "/api/v1/products/"+prod.ID+"/images", "grande.jpg", append(testJPEG(t, 10, 10), make([]byte, 8<<20)...), token), 413},
		{"not multipart", request("POST", "/api/v1/products/"+prod.ID+"/images", `{}`, token), 415},
		{"photo with GPS", uploadRequest(t, "/api/v1/products/"+prod.ID+"/images", "IMG_2026.jpg", photo, token), 201},
	}
	var img catalog.Image
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.do(t, tt.req)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tt.wantStatus)
			}
			if tt.wantStatus == 201 {
				_ = json.Unmarshal([]byte(body), &img)
			} else {
				decodeProblem(t, res, body)
			}
		})
	}
	if img.ThumbURL == "" || img.FullURL == "" {
		t.Fatalf("upload answer lacks URLs: %+v", img)
	}
	for _, u := range []string{img.FullURL, img.MediumURL, img.ThumbURL} {
		res, stored := env.get(t, u)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("GET %s: got %d %q %q", u, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		if strings.Contains(stored, secret) || strings.Contains(stored, "Exif") {
			t.Fatalf("%s still holds the photo's metadata", u)
		}
	}
	for _, path := range []string{"/api/v1/products/" + prod.ID, "/api/v1/products?initiative=" + ini.ID} {
		res, body = env.get(t, path)
		if res.StatusCode != 200 || !strings.Contains(body, img.ThumbURL) {
			t.Fatalf("%s: got %d %s, want its photo's URLs", path, res.StatusCode, body)
		}
	}
	if res, _ := env.get(t, "/files/private/secret.pdf"); res.StatusCode != 404 {
		t.Fatalf("non-public key: got %d, want 404", res.StatusCode)
	}
}

func TestProductsAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	seg := createInitiative(t, env.catalog, "Arepas Segoviana", "Segovia")
	_, token := env.user(t, "dora@tesoro.demo", []string{accounts.RoleProducer}, seg.ID)
	create := func(body string) (int, catalog.Product, string) {
		res, b := env.do(t, request("POST", "/api/v1/initiatives/"+seg.ID+"/products", body, token))
		var p catalog.Product
		_ = json.Unmarshal([]byte(b), &p)
		return res.StatusCode, p, b
	}
	status, arepa, body := create(`{"name": "Arepas de maíz pelado", "category": "prepared_food", "unit": "package", "price": {"amount": 600000, "currency": "COP"}, "stock": 20}`)
	if status != 201 || arepa.InitiativeID != seg.ID || *arepa.Stock != 20 {
		t.Fatalf("create: got %d %s", status, body)
	}
	if status, _, body := create(`{"name": "Arepa", "price": {"amount": -1, "currency": "COP"}, "stock": -2}`); status != 422 || !strings.Contains(body, "price.amount") || !strings.Contains(body, `"stock"`) {
		t.Fatalf("invalid: got %d %s, want 422 naming price.amount and stock", status, body)
	}
	status, tamal, _ := create(`{"name": "Tamal tolimense", "category": "prepared_food", "unit": "unit", "price": {"amount": 800000, "currency": "COP"}, "stock": null}`)
	if status != 201 || tamal.Stock != nil {
		t.Fatalf("made to order: got %d %+v", status, tamal.Stock)
	}

	res, body := env.get(t, "/api/v1/products?q=AREPA&municipality=segovia")
	var page kit.List[catalog.Product]
	_ = json.Unmarshal([]byte(body), &page)
	if res.StatusCode != 200 || len(page.Items) != 1 || page.Items[0].ID != arepa.ID {
		t.Fatalf("search: got %d %s", res.StatusCode, body)
	}
	// The second identical request comes from the page cache and is identical;
	// a client that takes gzip gets the same JSON compressed.
	if _, again := env.get(t, "/api/v1/products?q=AREPA&municipality=segovia"); again != body {
		t.Fatal("cached page differs from the first answer")
	}
	res, zipped := env.get(t, "/api/v1/products?q=AREPA&municipality=segovia", "Accept-Encoding", "gzip, br")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: got Content-Encoding %q Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	if zr, err := gzip.NewReader(strings.NewReader(zipped)); err != nil {
		t.Fatal(err)
	} else if unzipped, _ := io.ReadAll(zr); string(unzipped) != body {
		t.Fatal("gzipped page is not the same JSON")
	}

	// Stock: adjustments, the floor at zero, and the history.
	adjust := func(delta int, reason string) (int, string) {
		res, b := env.do(t, request("POST", "/api/v1/products/"+arepa.ID+"/stock-adjustments",
			`{"delta": `+itoa(delta)+`, "reason": "`+reason+`"}`, token))
		return res.StatusCode, b
	}
	if status, b := adjust(-5, "Venta en la tienda"); status != 201 || !strings.Contains(b, `"resulting_stock":15`) {
		t.Fatalf("adjust: got %d %s", status, b)
	}
	// Read your own writes (security review, item 2): the producer's private
	// read, the public API and the public page show the new stock at once,
	// not a snapshot up to a second old.
	for _, view := range []struct {
		name, token, path, want string
	}{
		{"producer's API read", token, "/api/v1/products/" + arepa.ID, `"stock":15`},
		{"public API read", "", "/api/v1/products/" + arepa.ID, `"stock":15`},
	} {
		res, b := env.do(t, request("GET", view.path, "", view.token))
		if res.StatusCode != 200 || !strings.Contains(b, view.want) {
			t.Errorf("%s right after the adjustment: got %d %s, want %s", view.name, res.StatusCode, b, view.want)
		}
	}
	if status, b := adjust(-16, "Venta grande"); status != 409 {
		t.Fatalf("below zero: got %d %s, want 409", status, b)
	}
	res, body = env.do(t, request("GET", "/api/v1/products/"+arepa.ID+"/stock-adjustments", "", token))
	if res.StatusCode != 200 || strings.Count(body, `"delta"`) != 2 || !strings.Contains(body, "Venta en la tienda") || !strings.Contains(body, `"kind":"initial"`) {
		t.Fatalf("history: got %d %s, want the initial stock and the one applied adjustment", res.StatusCode, body)
	}
	if status, b := func() (int, string) {
		res, b := env.do(t, request("POST", "/api/v1/products/"+tamal.ID+"/stock-adjustments", `{"delta": 3, "reason": "hechos hoy"}`, token))
		return res.StatusCode, b
	}(); status != 409 {
		t.Fatalf("adjusting a made-to-order product: got %d %s, want 409", status, b)
	}

	// Archive: gone from the public list, still visible to its producer.
	if res, _ := env.do(t, request("DELETE", "/api/v1/products/"+tamal.ID, "", token)); res.StatusCode != 204 {
		t.Fatalf("archive: got %d", res.StatusCode)
	}
	if res, _ := env.get(t, "/api/v1/products/"+tamal.ID); res.StatusCode != 404 {
		t.Fatalf("archived product, anonymous: got %d, want 404", res.StatusCode)
	}
	if res, _ := env.do(t, request("GET", "/api/v1/products/"+tamal.ID, "", token)); res.StatusCode != 200 {
		t.Fatalf("archived product, its producer: got %d, want 200", res.StatusCode)
	}
	res, body = env.do(t, request("PATCH", "/api/v1/products/"+arepa.ID, `{"price": {"amount": 650000, "currency": "COP"}, "name": "Arepas de maíz"}`, token))
	if res.StatusCode != 200 || !strings.Contains(body, `"amount":650000`) {
		t.Fatalf("patch: got %d %s", res.StatusCode, body)
	}
	if _, body := env.get(t, "/api/v1/products/"+arepa.ID); !strings.Contains(body, `"amount":650000`) {
		t.Fatalf("public product after patch: got %s, want the new price", body)
	}
}

func TestMembersArePrivate(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Barequeras", "Zaragoza")
	if _, err := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Yurani Palacios", Sex: "female", AgeGroup: "youth"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/initiatives/" + ini.ID, "/api/v1/initiatives", "/"} {
		if _, body := env.get(t, path); strings.Contains(body, "Yurani") {
			t.Fatalf("%s shows a member's name to the public", path)
		}
	}
}
