package frontend

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/frontend/pages"
	"github.com/tesoro-pact/tesoro/money"
)

// marketProduct lists a product on ini, with a 640×480 photo when photo is set.
func marketProduct(t *testing.T, env *testEnv, ini catalog.Initiative, in catalog.ProductInput, photo bool) catalog.Product {
	t.Helper()
	p, err := env.catalog.CreateProduct(t.Context(), accounts.System, ini.ID, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Name, err)
	}
	if photo {
		if _, err := env.catalog.AddProductImage(t.Context(), accounts.System, p.ID, bytes.NewReader(testJPEG(t, 640, 480))); err != nil {
			t.Fatalf("photo of %s: %v", in.Name, err)
		}
	}
	return p
}

func TestMarketHomeListsProducts(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	seg := createInitiative(t, env.catalog, "Arepas Segovianas", "Segovia")
	mantecada := marketProduct(t, env, ini, catalog.ProductInput{Name: "Mantecada", Category: "bread_pastry", Unit: "portion", Price: money.Pesos(2500), Stock: stock(5)}, true)
	queso := marketProduct(t, env, ini, catalog.ProductInput{Name: "Queso campesino", Category: "dairy", Unit: "pound", Price: money.Pesos(12500), Stock: stock(3)}, true)
	marketProduct(t, env, seg, catalog.ProductInput{Name: "Arepas de maíz", Category: "prepared_food", Unit: "package", Price: money.Pesos(6000)}, false)

	res, body := env.get(t, "/")
	if res.StatusCode != 200 {
		t.Fatalf("status: got %d, want 200", res.StatusCode)
	}
	tests := []struct {
		name   string
		want   []string
		absent []string
	}{
		{"search box", []string{`action="/buscar"`, `name="q"`}, nil},
		{"municipality chips to the sections", []string{`href="#mongua"`, `href="#segovia"`, `id="mongua"`, `id="segovia"`}, []string{`href="#topaga"`}},
		{"initiatives link to their pages", []string{`href="/iniciativas/panaderia-de-papa"`, `href="/iniciativas/arepas-segovianas"`, "Panadería · En producción"}, nil},
		{"recent products, newest first", []string{"Productos recientes", "Arepas de maíz", "Queso campesino", "Mantecada"}, nil},
		{"prices with their unit", []string{"$ 12.500 <small>/ libra</small>", "$ 2.500 <small>/ porción</small>", "$ 6.000 <small>/ paquete</small>"}, nil},
		{"product links", []string{`href="/productos/` + queso.ID + `"`, `href="/productos/` + mantecada.ID + `"`}, nil},
		{"thumbnails with their size", []string{`width="480" height="360"`, "/files/public/"}, nil},
		{"a product without a photo has a placeholder", []string{`<span class="ph"></span>`}, nil},
		{"towns with products link to the search", []string{`href="/buscar?municipio=mongua"`, "Ver los productos de Mongua"}, nil},
		{"empty state gone", nil, []string{"Todavía no hay iniciativas publicadas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantIn(t, "home", body, tt.want, tt.absent) })
	}
	if i, j := strings.Index(body, "Arepas de maíz"), strings.Index(body, "Mantecada"); i > j {
		t.Error("recent products: the oldest comes first")
	}
}

func TestMarketHomePhotosLoadLazilyAfterTheFirstRow(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	for _, name := range []string{"Pan uno", "Pan dos", "Pan tres", "Pan cuatro", "Pan cinco", "Pan seis", "Pan siete", "Pan ocho", "Pan nueve"} {
		marketProduct(t, env, ini, catalog.ProductInput{Name: name, Price: money.Pesos(1000)}, true)
	}
	_, body := env.get(t, "/")
	imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(body, -1)
	if len(imgs) != pages.HomeProducts {
		t.Fatalf("home shows %d photos, want %d (the strip's length)", len(imgs), pages.HomeProducts)
	}
	for i, img := range imgs {
		if lazy := strings.Contains(img, `loading="lazy"`); lazy != (i >= pages.EagerPhotos) {
			t.Errorf("photo %d: lazy = %v, want lazy after the first %d", i+1, lazy, pages.EagerPhotos)
		}
		if !strings.Contains(img, `width="480"`) || !strings.Contains(img, `height="360"`) {
			t.Errorf("photo %d lacks its size: %s", i+1, img)
		}
	}
}

func TestInitiativePage(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini, err := env.catalog.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Barequeras Artesanas", Kind: "crafts",
		Municipality: "zaragoza", Stage: "marketing", WhatsApp: "310 555 1234",
		Description: "Mujeres barequeras que elaboran bisutería.\nVendemos en ferias."})

	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Yurani Palacios", Role: "lideresa", Sex: "female", AgeGroup: "youth"}); err != nil {
		t.Fatal(err)
	}
	collar := marketProduct(t, env, ini, catalog.ProductInput{Name: "Collar de semillas", Category: "crafts", Price: money.Pesos(25000), Stock: stock(8)}, true)
	archived := marketProduct(t, env, ini, catalog.ProductInput{Name: "Aretes viejos", Category: "crafts", Price: money.Pesos(9000)}, false)
	if err := env.catalog.ArchiveProduct(t.Context(), accounts.System, archived.ID); err != nil {
		t.Fatal(err)
	}
	quiet := createInitiative(t, env.catalog, "Huerta Sin Número", "Tópaga")

	tests := []struct {
		name, path string
		status     int
		want       []string
		absent     []string
	}{
		{"story, place, kind and stage", "/iniciativas/" + ini.Slug, 200,
			[]string{"<h1>Barequeras Artesanas</h1>", "Zaragoza", "Antioquia", `href="/#zaragoza"`, "Artesanías", "Comercializando",
				"Mujeres barequeras que elaboran bisutería.\nVendemos en ferias."}, nil},
		{"WhatsApp button with the greeting", "/iniciativas/" + ini.Slug, 200,
			[]string{`href="https://wa.me/573105551234?text=Hola%2C&#43;vi&#43;su&#43;iniciativa&#43;en&#43;Tesoro`, "Escribir por WhatsApp"}, nil},
		{"its active products", "/iniciativas/" + ini.Slug, 200,
			[]string{`href="/productos/` + collar.ID + `"`, "Collar de semillas", "$ 25.000 <small>/ unidad</small>"}, []string{"Aretes viejos"}},
		{"never its members", "/iniciativas/" + ini.Slug, 200, nil, []string{"Yurani", "Palacios", "lideresa"}},
		{"no number, no button; no products, a note", "/iniciativas/" + quiet.Slug, 200,
			[]string{"Huerta Sin Número", "todavía no tiene productos publicados"}, []string{"wa.me"}},
		{"unknown slug", "/iniciativas/no-existe", 404, []string{`<html lang="es">`, "No encontramos esta página"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.get(t, tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("GET %s: got %d, want %d", tt.path, res.StatusCode, tt.status)
			}
			wantIn(t, tt.path, body, tt.want, tt.absent)
		})
	}
	// Nor anywhere else on the public pages.
	for _, path := range []string{"/", "/productos/" + collar.ID, "/buscar?q=collar"} {
		if _, body := env.get(t, path); strings.Contains(body, "Yurani") {
			t.Errorf("%s shows a member's name", path)
		}
	}
}

func TestProductPage(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini, err := env.catalog.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Panadería de Papa", Kind: "bakery",
		Municipality: "Mongua", WhatsApp: "3005550001"})

	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Rosa Elvira Cárdenas", Sex: "female", AgeGroup: "adult"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stock *int64
		want  string
	}{
		{"in stock", stock(12), "Disponible: 12"},
		{"sold out", stock(0), "Agotado"},
		{"made to order", nil, "Bajo pedido"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marketProduct(t, env, ini, catalog.ProductInput{Name: "Pan de papa " + tt.name, Description: "Suave, horneado cada mañana.",
				Category: "bread_pastry", Unit: "dozen", Price: money.Pesos(12500), Stock: tt.stock}, true)
			res, body := env.get(t, "/productos/"+p.ID)
			if res.StatusCode != 200 {
				t.Fatalf("status: got %d, want 200", res.StatusCode)
			}
			wantIn(t, "product page", body, []string{
				tt.want,
				"<h1>Pan de papa " + tt.name + "</h1>",
				"$ 12.500 <span>/ docena</span>",
				"Suave, horneado cada mañana.",
				"Panadería y repostería", `href="/buscar?categoria=bread_pastry"`,
				`href="/iniciativas/panaderia-de-papa"`, "Mongua",
				`alt="Foto de Pan de papa ` + tt.name + `"`, `width="480" height="360"`,
				`media="(min-width: 40rem)"`, `width="640" height="480"`, // the photo is smaller than the medium size: not upscaled
				`href="https://wa.me/573005550001?text=Hola%2C&#43;quiero&#43;pedir&#43;Pan&#43;de&#43;papa`, "Pedir por WhatsApp",
				`<meta property="og:title" content="Pan de papa ` + tt.name + `">`,
			}, []string{"Rosa Elvira", "⟦"})
		})
	}
	archived := marketProduct(t, env, ini, catalog.ProductInput{Name: "Pan viejo", Price: money.Pesos(1000)}, false)
	if err := env.catalog.ArchiveProduct(t.Context(), accounts.System, archived.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/productos/no-existe", "/productos/" + archived.ID} {
		res, body := env.get(t, path)
		if res.StatusCode != 404 {
			t.Fatalf("GET %s: got %d, want 404", path, res.StatusCode)
		}
		wantIn(t, path, body, []string{`<html lang="es">`, "No encontramos esta página"}, []string{"Pan viejo"})
	}
}

func TestSearchPage(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	mon := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	seg := createInitiative(t, env.catalog, "Arepas Segovianas", "Segovia")
	bag := createInitiative(t, env.catalog, "Piscícola Río Nechí", "El Bagre")
	marketProduct(t, env, mon, catalog.ProductInput{Name: "Pan de papa", Category: "bread_pastry", Price: money.Pesos(1500)}, true)
	marketProduct(t, env, seg, catalog.ProductInput{Name: "Arepas de maíz", Category: "prepared_food", Unit: "package", Price: money.Pesos(6000)}, true)
	marketProduct(t, env, bag, catalog.ProductInput{Name: "Tilapia roja", Category: "fish", Unit: "pound", Price: money.Pesos(9500)}, false)

	all := []string{"Pan de papa", "Arepas de maíz", "Tilapia roja"}
	tests := []struct {
		name, query string
		status      int
		found       []string // in this order
		want        []string
	}{
		{"everything, newest first", "", 200, []string{"Tilapia roja", "Arepas de maíz", "Pan de papa"}, []string{"<h1>Buscar productos</h1>"}},
		{"part of a word", "q=arepa", 200, []string{"Arepas de maíz"}, []string{"Resultados para «arepa»", `value="arepa"`}},
		{"without the accent", "q=maiz", 200, []string{"Arepas de maíz"}, nil},
		{"with accent and capitals", "q=MA%C3%8DZ", 200, []string{"Arepas de maíz"}, nil},
		{"by municipality slug", "municipio=mongua", 200, []string{"Pan de papa"}, []string{"<h1>Productos de Mongua</h1>", `<option value="mongua" selected>`}},
		{"by municipality name", "municipio=El+Bagre", 200, []string{"Tilapia roja"}, []string{`<option value="el-bagre" selected>`}},
		{"by category", "categoria=fish", 200, []string{"Tilapia roja"}, []string{`<option value="fish" selected>Pescado</option>`, `<span class="active">Pescado</span>`}},
		{"cheapest first", "orden=price_asc", 200, []string{"Pan de papa", "Arepas de maíz", "Tilapia roja"}, []string{`<option value="price_asc" selected>`}},
		{"dearest first", "orden=price_desc", 200, []string{"Tilapia roja", "Arepas de maíz", "Pan de papa"}, nil},
		{"text and filters together", "q=pa&municipio=mongua&categoria=bread_pastry&orden=price_desc", 200, []string{"Pan de papa"},
			[]string{`<span class="active">Mongua · Panadería y repostería · Mayor precio</span>`}},
		{"markup typed in the box stays text", "q=%3Cb%3Ehola", 200, nil, []string{"«&lt;b&gt;hola»", `value="&lt;b&gt;hola"`}},
		{"nothing found", "q=zzz", 200, nil, []string{"No encontramos productos con esa búsqueda.", `href="/buscar"`}},
		{"unknown municipality", "municipio=bogota", 422, nil, []string{"No reconocemos ese municipio", `role="alert"`}},
		{"unknown category", "categoria=joyas", 422, nil, []string{"No reconocemos esa categoría"}},
		{"unknown sort", "orden=barato", 422, nil, []string{"No reconocemos ese orden"}},
		{"broken cursor", "q=pan&cursor=xyz", 422, nil, []string{"El enlace «Ver más» ya no sirve", `href="/buscar?q=pan"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.get(t, "/buscar?"+tt.query)
			if res.StatusCode != tt.status {
				t.Fatalf("status: got %d, want %d", res.StatusCode, tt.status)
			}
			wantIn(t, "search", body, tt.want, []string{"⟦"})
			last := -1
			for _, name := range all {
				i := strings.Index(body, `<span class="pname">`+name+`</span>`)
				if want := indexOf(tt.found, name); (i >= 0) != (want >= 0) {
					t.Errorf("found %q: %v, want %v", name, i >= 0, want >= 0)
				}
			}
			for _, name := range tt.found {
				i := strings.Index(body, `<span class="pname">`+name+`</span>`)
				if i < last {
					t.Errorf("%q comes before the product listed ahead of it", name)
				}
				last = i
			}
		})
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// The search and an initiative's page list their products in pages; the "see
// more" link keeps the search's text and filters.
func TestProductListsPageOn(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	mon := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	for i := range pages.ProductsPerPage + 3 {
		marketProduct(t, env, mon, catalog.ProductInput{Name: "Pan número " + itoa(i+1), Category: "bread_pastry", Price: money.Pesos(int64(1000 + 100*i))}, false)
	}
	for _, first := range []string{"/buscar?q=pan&municipio=mongua&orden=price_asc", "/iniciativas/" + mon.Slug} {
		t.Run(first, func(t *testing.T) { walkPages(t, env, first) })
	}
}

func walkPages(t *testing.T, env *testEnv, first string) {
	seen := map[string]bool{}
	next := first
	for page := 1; next != ""; page++ {
		if page > 3 {
			t.Fatal("the pages do not end")
		}
		res, body := env.get(t, next)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: got %d", next, res.StatusCode)
		}
		for _, m := range regexp.MustCompile(`<span class="pname">([^<]+)</span>`).FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("page %d repeats %q", page, m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`class="button secondary" href="([^"]+)"`).FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
			keep := []string{"cursor="}
			if strings.HasPrefix(first, "/buscar") {
				keep = append(keep, "q=pan", "municipio=mongua", "orden=price_asc")
			}
			for _, keep := range keep {
				if !strings.Contains(next, keep) {
					t.Errorf("the next page link %q lacks %q", next, keep)
				}
			}
		}
	}
	if len(seen) != pages.ProductsPerPage+3 {
		t.Fatalf("the pages show %d products, want %d", len(seen), pages.ProductsPerPage+3)
	}
}

// Every marketplace page, in both pages.Languages, has all its messages (no ⟦id⟧),
// and every category and unit has a name in both.
func TestMarketPagesHaveNoMissingMessages(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini, err := env.catalog.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Panadería de Papa", Kind: "bakery",
		Municipality: "Mongua", WhatsApp: "3005550001", Description: "Pan de papa."})

	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/", "/buscar", "/buscar?q=pan", "/buscar?q=zzz", "/buscar?municipio=x&categoria=y&orden=z&cursor=w",
		"/iniciativas/" + ini.Slug, "/iniciativas/no-existe", "/productos/no-existe"}
	for i, s := range []*int64{stock(4), stock(0), nil} {
		p := marketProduct(t, env, ini, catalog.ProductInput{Name: "Producto " + itoa(i), Category: catalog.Categories[i],
			Unit: catalog.Units[i], Price: money.Pesos(1000), Stock: s}, i == 0)
		paths = append(paths, "/productos/"+p.ID)
	}
	for _, path := range paths {
		for _, lang := range pages.Languages {
			_, body := env.get(t, path, "Cookie", "lang="+lang)
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message near %q", path, lang, body[i:min(len(body), i+40)])
			}
		}
	}

}
