package frontend

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/money"
)

func TestProducerPagesSendAnonymousVisitorsToSignIn(t *testing.T) {
	env := newProducerEnv(t)
	for _, path := range []string{
		"/mis-productos",
		"/mis-productos?iniciativa=" + env.bakery.ID,
		"/mis-productos/nuevo?iniciativa=" + env.bakery.ID,
		"/mis-productos/" + env.bread.ID,
		"/mis-productos/" + env.bread.ID + "/inventario",
	} {
		t.Run(path, func(t *testing.T) {
			res, _ := newVisitor(env.testEnv).get(t, path)
			wantRedirect(t, "anonymous "+path, res, "/entrar?next="+url.QueryEscape(path))
		})
	}
}

func TestProducerPagesRefuseOthers(t *testing.T) {
	env := newProducerEnv(t)
	env.person(t, "marta@correo.test", "Marta Gómez", accounts.RoleBuyer)
	env.person(t, "luz@tesoro.test", "Luz Marina Pérez", accounts.RoleAdviser, env.bakery.ID)
	id := env.bread.ID
	image, err := env.catalog.AddProductImage(t.Context(), accounts.System, id, bytes.NewReader(testJPEG(t, 40, 30)))
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/mis-productos?iniciativa=" + env.bakery.ID, nil},
		{"GET", "/mis-productos/nuevo?iniciativa=" + env.bakery.ID, nil},
		{"POST", "/mis-productos/nuevo?iniciativa=" + env.bakery.ID, url.Values{"name": {"Pan robado"}, "category": {"other"}, "unit": {"unit"}, "price": {"100"}, "stock": {"1"}}},
		{"GET", "/mis-productos/" + id, nil},
		{"POST", "/mis-productos/" + id, url.Values{"name": {"Pan cambiado"}, "category": {"other"}, "unit": {"unit"}, "price": {"1"}}},
		{"POST", "/mis-productos/" + id + "/foto", nil},
		{"POST", "/mis-productos/" + id + "/foto/" + image.ID + "/eliminar", nil},
		{"POST", "/mis-productos/" + id + "/archivar", url.Values{"active": {"no"}}},
		{"GET", "/mis-productos/" + id + "/inventario", nil},
		{"POST", "/mis-productos/" + id + "/inventario", url.Values{"direction": {"out"}, "quantity": {"30"}, "reason": {"Se lo llevaron"}}},
	}
	for _, who := range []string{"dora@tesoro.test", "marta@correo.test", "luz@tesoro.test"} {
		v := env.signedIn(t, who)
		v.get(t, "/perfil") // a page with a form: its CSRF token
		for _, r := range routes {
			t.Run(who+" "+r.method+" "+r.path, func(t *testing.T) {
				var res *http.Response
				var body string
				if r.method == "GET" {
					res, body = v.get(t, r.path)
				} else {
					res, body = v.post(t, r.path, r.form)
				}
				wantStatus(t, r.path, res, http.StatusForbidden, body)
				wantText(t, r.path, body, "Usted no tiene permiso")
			})
		}
	}
	for _, who := range []string{"marta@correo.test", "luz@tesoro.test"} {
		res, body := env.signedIn(t, who).get(t, "/mis-productos")
		wantStatus(t, who+" on /mis-productos", res, http.StatusForbidden, body)
	}
	if p := env.product(t, id); p.Name != "Pan de papa" || *p.Stock != 30 || !p.Active || len(p.Images) != 1 {
		t.Fatalf("after refused requests the product changed: %+v", p)
	}
	if n := len(env.products(t, env.bakery.ID)); n != 1 {
		t.Fatalf("refused create: the bakery has %d products, want 1", n)
	}

	// Unknown ids are 404 for a producer, after the sign-in check.
	v := env.signedIn(t, "rosa@tesoro.test")
	for _, path := range []string{"/mis-productos/000000000000000000000000", "/mis-productos/nada/inventario", "/mis-productos/nuevo?iniciativa=nada"} {
		res, body := v.get(t, path)
		wantStatus(t, path, res, http.StatusNotFound, body)
	}
}

func TestProducerListsProducts(t *testing.T) {
	env := newProducerEnv(t)
	if _, err := env.catalog.CreateProduct(t.Context(), accounts.System, env.bakery.ID, catalog.ProductInput{Name: "Envueltos por encargo",
		Category: "bread_pastry", Unit: "dozen", Price: money.Pesos(24000)}); err != nil {
		t.Fatal(err)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	res, body := v.get(t, "/mis-productos")
	wantStatus(t, "list", res, 200, body)
	wantText(t, "list", body, "Panadería de Papa", "Pan de papa", "$ 1.500", "30 disponibles", "Envueltos por encargo",
		"$ 24.000", "Bajo pedido", "Docena", "Publicado", `href="/mis-productos/nuevo?iniciativa=`+env.bakery.ID+`"`,
		`href="/mis-productos"`, ">Mis productos</a>")
	if strings.Contains(body, "Huerta La Esperanza") {
		t.Error("a producer sees another initiative")
	}

	// An admin picks the initiative.
	env.person(t, "admin@tesoro.test", "Coordinación", accounts.RoleAdmin)
	admin := env.signedIn(t, "admin@tesoro.test")
	res, body = admin.get(t, "/mis-productos")
	wantStatus(t, "admin list", res, 200, body)
	wantText(t, "admin list", body, `<select id="iniciativa" name="iniciativa"`, "Huerta La Esperanza · Remedios")
	if strings.Contains(body, "Pan de papa") {
		t.Error("the admin's list shows products before an initiative is chosen")
	}
	res, body = admin.get(t, "/mis-productos?iniciativa="+env.bakery.ID)
	wantStatus(t, "admin list of the bakery", res, 200, body)
	wantText(t, "admin list of the bakery", body, "Pan de papa", `value="`+env.bakery.ID+`" selected`)
	if res, body := admin.get(t, "/mis-productos?iniciativa=nada"); res.StatusCode != 404 {
		t.Fatalf("unknown initiative: got %d, want 404\n%s", res.StatusCode, body)
	}

	// A producer without an initiative is told why the list is empty.
	env.person(t, "nueva@tesoro.test", "Nueva Productora", accounts.RoleProducer)
	_, body = env.signedIn(t, "nueva@tesoro.test").get(t, "/mis-productos")
	wantText(t, "list without an initiative", body, "todavía no tiene una iniciativa asignada")
}

func TestProducerCreatesProduct(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	newPath := "/mis-productos/nuevo?iniciativa=" + env.bakery.ID
	res, body := v.get(t, newPath)
	wantStatus(t, "new product page", res, 200, body)
	wantText(t, "new product page", body, `enctype="multipart/form-data"`, `accept="image/*" capture="environment"`,
		`<option value="bread_pastry">Panadería y repostería</option>`, `<option value="pound">Libra</option>`, "Bajo pedido")
	// Only one initiative: the link without ?iniciativa works too.
	if res, body := v.get(t, "/mis-productos/nuevo"); res.StatusCode != 200 || !strings.Contains(body, "Panadería de Papa") {
		t.Fatalf("new product without ?iniciativa: got %d", res.StatusCode)
	}

	valid := url.Values{"name": {"Almojábanas"}, "description": {"Con cuajada fresca."}, "category": {"bread_pastry"},
		"unit": {"unit"}, "price": {"12.500"}, "stock": {"24"}}
	invalid := []struct {
		name      string
		change    url.Values
		wantField string
		wantText  string
	}{
		{"price with cents", url.Values{"price": {"12.500,50"}}, "price", "sin centavos"},
		{"price with a comma", url.Values{"price": {"12,5"}}, "price", "sin centavos"},
		{"price in words", url.Values{"price": {"doce mil"}}, "price", "solo con números"},
		{"negative price", url.Values{"price": {"-3"}}, "price", "mayor que cero"},
		{"zero price", url.Values{"price": {"0"}}, "price", "mayor que cero"},
		{"no price", url.Values{"price": {""}}, "price", "Escriba el precio"},
		{"short name", url.Values{"name": {"A"}}, "name", "al menos 2 letras"},
		{"no stock", url.Values{"stock": {""}}, "stock", "marque «Bajo pedido»"},
		{"stock in words", url.Values{"stock": {"muchas"}}, "stock", "número entero"},
		{"too much stock", url.Values{"stock": {"2.000.000"}}, "stock", "número entero"},
		{"unknown category", url.Values{"category": {"oro"}}, "category", "Elija una categoría"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, vs := range valid {
				form[k] = vs
			}
			for k, vs := range tt.change {
				form[k] = vs
			}
			res, body := v.postMultipart(t, newPath, form, "", nil)
			wantStatus(t, tt.name, res, http.StatusUnprocessableEntity, body)
			wantText(t, tt.name, body, "Revise los datos marcados", `id="`+tt.wantField+`-error">`, tt.wantText)
			if tt.wantField != "name" {
				wantText(t, tt.name, body, `value="Almojábanas"`, "Con cuajada fresca.")
			}
			if n := len(env.products(t, env.bakery.ID)); n != 1 {
				t.Fatalf("invalid form created a product: %d products, want 1", n)
			}
		})
	}

	res, _ = v.postMultipart(t, newPath, valid, "", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?aviso=producto-creado") {
		t.Fatalf("create: got %d to %q, want 303 to the product's page", res.StatusCode, res.Header.Get("Location"))
	}
	list := env.products(t, env.bakery.ID)
	if len(list) != 2 {
		t.Fatalf("after create: %d products, want 2", len(list))
	}
	p := list[0]
	if p.Name != "Almojábanas" || p.Price != money.Pesos(12500) || p.Price.Amount != 1250000 || p.Stock == nil || *p.Stock != 24 || p.Category != "bread_pastry" || !p.Active {
		t.Fatalf("created: got %+v", p)
	}
	res, body = v.get(t, res.Header.Get("Location"))
	wantStatus(t, "product page", res, 200, body)
	wantText(t, "product page", body, "El producto quedó publicado", "<h1>Almojábanas</h1>", "$ 12.500", `value="12.500"`)
	_, body = v.get(t, "/mis-productos/"+p.ID+"/inventario")
	wantText(t, "history of the new product", html.UnescapeString(body), "+24", "Existencias iniciales", "Usted")

	// Made to order: no stock needed.
	form := url.Values{"name": {"Torta de cumpleaños"}, "category": {"bread_pastry"}, "unit": {"unit"}, "price": {"45000"}, "made_to_order": {"si"}}
	if res, body := v.postMultipart(t, newPath, form, "", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("made to order: got %d\n%s", res.StatusCode, body)
	}
	if p := env.products(t, env.bakery.ID)[0]; p.Stock != nil || p.Price.Amount != 4500000 {
		t.Fatalf("made to order: got stock %v price %v", p.Stock, p.Price)
	}

	// English visitors read the messages in English.
	v.lang = "en"
	res, body = v.postMultipart(t, newPath, url.Values{"name": {"Bread"}, "price": {"1,5"}, "stock": {"1"}}, "", nil)
	wantStatus(t, "English", res, http.StatusUnprocessableEntity, body)
	wantText(t, "English", body, "whole pesos, without cents", `<html lang="en">`)
}

func TestProducerEditsProduct(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	path := "/mis-productos/" + env.bread.ID
	res, body := v.get(t, path)
	wantStatus(t, "edit page", res, 200, body)
	wantText(t, "edit page", body, `value="Pan de papa"`, `value="1.500"`, `<option value="bread_pastry" selected>`)

	res, body = v.post(t, path, url.Values{"name": {"Pan de papa grande"}, "category": {"bread_pastry"}, "unit": {"unit"}, "price": {"2.000"}})
	wantRedirect(t, "edit", res, path+"?aviso=producto-guardado#main")
	p := env.product(t, env.bread.ID)
	if p.Name != "Pan de papa grande" || p.Price.Amount != 200000 || p.Stock == nil || *p.Stock != 30 {
		t.Fatalf("after edit: got %+v", p)
	}

	res, body = v.post(t, path, url.Values{"name": {"Pan"}, "category": {"bread_pastry"}, "unit": {"unit"}, "price": {"2.000,50"}})
	wantStatus(t, "edit with cents", res, http.StatusUnprocessableEntity, body)
	wantText(t, "edit with cents", body, "sin centavos", `value="2.000,50"`)
	if p := env.product(t, env.bread.ID); p.Name != "Pan de papa grande" {
		t.Fatalf("a failed edit changed the name to %q", p.Name)
	}

	// Made to order and back: stock starts again at zero.
	v.post(t, path, url.Values{"name": {"Pan de papa grande"}, "category": {"bread_pastry"}, "unit": {"unit"}, "price": {"2000"}, "made_to_order": {"si"}})
	if p := env.product(t, env.bread.ID); p.Stock != nil {
		t.Fatalf("made to order: stock %v, want none", *p.Stock)
	}
	_, body = v.get(t, path)
	wantText(t, "made-to-order page", body, "no lleva inventario")
	v.post(t, path, url.Values{"name": {"Pan de papa grande"}, "category": {"bread_pastry"}, "unit": {"unit"}, "price": {"2000"}})
	if p := env.product(t, env.bread.ID); p.Stock == nil || *p.Stock != 0 {
		t.Fatalf("back to counted stock: got %v, want 0", p.Stock)
	}
}

func TestProducerPhotos(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	newPath := "/mis-productos/nuevo?iniciativa=" + env.bakery.ID
	v.get(t, newPath)
	form := url.Values{"name": {"Mantecada"}, "category": {"bread_pastry"}, "unit": {"portion"}, "price": {"2500"}, "stock": {"10"}}

	// A text file named like a photo: the product is kept, the page says why the photo is not.
	res, body := v.postMultipart(t, newPath, form, "foto.jpg", []byte("esto no es una foto, es texto\n"))
	wantStatus(t, "text file as photo", res, http.StatusUnsupportedMediaType, body)
	wantText(t, "text file as photo", body, "El producto quedó guardado, pero sin la foto", "Ese archivo no es una foto que podamos usar", "<h1>Mantecada</h1>")
	list := env.products(t, env.bakery.ID)
	if len(list) != 2 || list[0].Name != "Mantecada" || len(list[0].Images) != 0 {
		t.Fatalf("after a bad photo: got %d products (%+v), want the new one kept without photos", len(list), list[0])
	}
	mantecada := list[0].ID

	// A photo with the form is processed after the product is created.
	form.Set("name", "Almojábana")
	res, _ = v.postMultipart(t, newPath, form, "IMG_2026.jpg", testJPEG(t, 800, 600))
	wantStatus(t, "create with a photo", res, http.StatusSeeOther, "")
	p := env.products(t, env.bakery.ID)[0]
	if p.Name != "Almojábana" || len(p.Images) != 1 || p.Images[0].ThumbURL == "" {
		t.Fatalf("create with a photo: got %+v", p)
	}
	_, body = v.get(t, "/mis-productos")
	wantText(t, "list with a photo", body, `src="`+p.Images[0].ThumbURL+`"`)

	// More photos on the product's page, and removing one.
	photoPath := "/mis-productos/" + mantecada + "/foto"
	v.get(t, "/mis-productos/"+mantecada)
	tests := []struct {
		name       string
		filename   string
		data       []byte
		wantStatus int
		wantText   string
	}{
		{"no file chosen", "", nil, http.StatusUnprocessableEntity, "Elija una foto"},
		{"text file", "foto.png", []byte("texto"), http.StatusUnsupportedMediaType, "no es una foto"},
		{"over 8 MB", "grande.jpg", append(testJPEG(t, 10, 10), make([]byte, 8<<20)...), http.StatusRequestEntityTooLarge, "demasiado grande"},
		{"a photo", "pan.jpg", testJPEG(t, 600, 600), http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := v.postMultipart(t, photoPath, nil, tt.filename, tt.data)
			wantStatus(t, tt.name, res, tt.wantStatus, body)
			wantText(t, tt.name, body, tt.wantText)
		})
	}
	p = env.product(t, mantecada)
	if len(p.Images) != 1 {
		t.Fatalf("after uploads: %d photos, want 1", len(p.Images))
	}
	_, body = v.get(t, "/mis-productos/"+mantecada+"?aviso=foto-agregada")
	wantText(t, "page with a photo", body, "La foto quedó agregada", `src="`+p.Images[0].ThumbURL+`"`,
		`action="/mis-productos/`+mantecada+`/foto/`+p.Images[0].ID+`/eliminar"`)
	res, _ = v.post(t, "/mis-productos/"+mantecada+"/foto/"+p.Images[0].ID+"/eliminar", nil)
	wantRedirect(t, "remove photo", res, "/mis-productos/"+mantecada+"?aviso=foto-quitada#fotos")
	if p := env.product(t, mantecada); len(p.Images) != 0 {
		t.Fatalf("after removing: %d photos, want 0", len(p.Images))
	}
	if res, body := v.post(t, "/mis-productos/"+mantecada+"/foto/nada/eliminar", nil); res.StatusCode != 404 {
		t.Fatalf("removing an unknown photo: got %d, want 404\n%s", res.StatusCode, body)
	}
}

func TestProducerAdjustsStock(t *testing.T) {
	env := newProducerEnv(t)
	ana := env.person(t, "ana@tesoro.test", "Ana Beatriz Sánchez", accounts.RoleProducer, env.bakery.ID)
	_ = ana
	v := env.signedIn(t, "rosa@tesoro.test")
	path := "/mis-productos/" + env.bread.ID
	v.get(t, path)

	res, _ := v.post(t, path+"/inventario", url.Values{"direction": {"in"}, "quantity": {"5"}, "reason": {"Horneada del martes"}})
	wantRedirect(t, "adjust", res, path+"?aviso=inventario-ajustado#inventario")
	if p := env.product(t, env.bread.ID); *p.Stock != 35 {
		t.Fatalf("after +5: stock %d, want 35", *p.Stock)
	}
	other := env.signedIn(t, "ana@tesoro.test")
	other.get(t, path)
	if res, body := other.post(t, path+"/inventario", url.Values{"direction": {"out"}, "quantity": {"2"}, "reason": {"Venta en la tienda"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second producer's adjustment: got %d\n%s", res.StatusCode, body)
	}

	res, body := v.post(t, path+"/inventario", url.Values{"direction": {"out"}, "quantity": {"100"}, "reason": {"Pedido grande"}})
	wantStatus(t, "below zero", res, http.StatusConflict, body)
	wantText(t, "below zero", body, "No hay suficiente inventario: hay 33 y usted quiere sacar 100", `value="Pedido grande"`)
	if p := env.product(t, env.bread.ID); *p.Stock != 33 {
		t.Fatalf("after a refused adjustment: stock %d, want 33", *p.Stock)
	}

	invalid := []struct {
		name      string
		form      url.Values
		wantField string
	}{
		{"no direction", url.Values{"quantity": {"1"}, "reason": {"Conteo"}}, "direction"},
		{"zero", url.Values{"direction": {"in"}, "quantity": {"0"}, "reason": {"Conteo"}}, "quantity"},
		{"words", url.Values{"direction": {"in"}, "quantity": {"tres"}, "reason": {"Conteo"}}, "quantity"},
		{"no reason", url.Values{"direction": {"in"}, "quantity": {"1"}, "reason": {""}}, "reason"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			res, body := v.post(t, path+"/inventario", tt.form)
			wantStatus(t, tt.name, res, http.StatusUnprocessableEntity, body)
			wantText(t, tt.name, body, "Revise los datos marcados")
			if tt.wantField != "direction" {
				wantText(t, tt.name, body, `id="`+tt.wantField+`-error"`)
			}
		})
	}
	if p := env.product(t, env.bread.ID); *p.Stock != 33 {
		t.Fatalf("after invalid adjustments: stock %d, want 33", *p.Stock)
	}

	res, body = v.get(t, path+"/inventario")
	wantStatus(t, "history", res, 200, body)
	body = html.UnescapeString(body) // html/template writes + as &#43;
	wantText(t, "history", body, "Historial de inventario", "+5", "Horneada del martes", "−2", "Venta en la tienda",
		"Ajuste", ">35<", ">33<", "Usted", "Ana Beatriz Sánchez")
	if strings.Contains(body, "Pedido grande") {
		t.Error("the refused adjustment is in the history")
	}
	if i, j := strings.Index(body, "Venta en la tienda"), strings.Index(body, "Horneada del martes"); i > j {
		t.Error("history: want newest first")
	}
	// Dates in Bogotá time, dd/mm/yyyy hh:mm.
	if !regexp.MustCompile(`>\d\d/\d\d/\d{4} \d\d:\d\d</time>`).MatchString(body) {
		t.Error("history: no date written as dd/mm/yyyy hh:mm")
	}
}

func TestProducerArchivesProduct(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	path := "/mis-productos/" + env.bread.ID
	public := func() bool {
		res, body := env.get(t, "/api/v1/products?initiative="+env.bakery.ID)
		var page kit.List[catalog.Product]
		if err := json.Unmarshal([]byte(body), &page); err != nil || res.StatusCode != 200 {
			t.Fatalf("public list: %d %v", res.StatusCode, err)
		}
		for _, p := range page.Items {
			if p.ID == env.bread.ID {
				return true
			}
		}
		return false
	}
	if !public() {
		t.Fatal("the product is not public before archiving")
	}
	_, body := v.get(t, path)
	wantText(t, "product page", body, "Archivar producto")
	res, _ := v.post(t, path+"/archivar", url.Values{"active": {"no"}})
	wantRedirect(t, "archive", res, path+"?aviso=producto-archivado")
	if public() {
		t.Fatal("the archived product is still in /api/v1/products")
	}
	_, body = v.get(t, "/mis-productos")
	wantText(t, "list", body, "Pan de papa", "Archivado")
	_, body = v.get(t, path)
	wantText(t, "archived product page", body, "Volver a publicar", "los compradores no lo ven")

	res, _ = v.post(t, path+"/archivar", url.Values{"active": {"si"}})
	wantRedirect(t, "reactivate", res, path+"?aviso=producto-reactivado")
	if !public() {
		t.Fatal("the reactivated product is not public")
	}
}

func TestProducerFormsNeedCSRF(t *testing.T) {
	env := newProducerEnv(t)
	v := env.signedIn(t, "rosa@tesoro.test")
	id := env.bread.ID
	for _, path := range []string{
		"/mis-productos/nuevo?iniciativa=" + env.bakery.ID,
		"/mis-productos/" + id,
		"/mis-productos/" + id + "/foto",
		"/mis-productos/" + id + "/foto/x/eliminar",
		"/mis-productos/" + id + "/archivar",
		"/mis-productos/" + id + "/inventario",
	} {
		form := url.Values{"name": {"Pan"}, "category": {"other"}, "unit": {"unit"}, "price": {"100"}, "stock": {"1"},
			"active": {"no"}, "direction": {"out"}, "quantity": {"30"}, "reason": {"Sin token"}}
		res, body := v.postRaw(t, path, form)
		wantStatus(t, "POST "+path+" without _csrf", res, http.StatusForbidden, body)
		form.Set(kit.CSRFField, "otro-token-cualquiera")
		res, body = v.postRaw(t, path, form)
		wantStatus(t, "POST "+path+" with a wrong _csrf", res, http.StatusForbidden, body)
	}
	if p := env.product(t, id); !p.Active || *p.Stock != 30 || p.Name != "Pan de papa" {
		t.Fatalf("requests without CSRF token changed the product: %+v", p)
	}
}

// Every producer page renders in both pages.Languages without a missing message.
func TestProducerPagesHaveNoMissingMessages(t *testing.T) {
	env := newProducerEnv(t)
	if _, err := env.catalog.AdjustStock(t.Context(), accounts.System, env.bread.ID, -3, "Venta", ""); err != nil {
		t.Fatal(err)
	}
	env.person(t, "admin@tesoro.test", "Coordinación", accounts.RoleAdmin)
	for _, who := range []string{"rosa@tesoro.test", "admin@tesoro.test"} {
		v := env.signedIn(t, who)
		for _, lang := range []string{"es", "en"} {
			v.lang = lang
			for _, path := range []string{"/mis-productos", "/mis-productos?iniciativa=" + env.bakery.ID, "/mis-productos/nuevo?iniciativa=" + env.bakery.ID,
				"/mis-productos/" + env.bread.ID, "/mis-productos/" + env.bread.ID + "/inventario"} {
				res, body := v.get(t, path)
				wantStatus(t, path, res, 200, body)
				if i := strings.Index(body, "⟦"); i >= 0 {
					t.Errorf("%s %s in %s: missing message near %q", who, path, lang, body[i:min(len(body), i+60)])
				}
				if !strings.Contains(body, `/static/producer.`) {
					t.Errorf("%s does not link producer.css", path)
				}
			}
		}
	}
}
