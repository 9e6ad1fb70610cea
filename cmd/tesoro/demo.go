package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/programme"
	"github.com/tesoro-pact/tesoro/progress"
)

// demoInitiatives are modelled on the programme's own reports (DOMAIN.md):
// these 13 and the 29 of moreDemoInitiatives.
var demoInitiatives = append([]catalog.InitiativeInput{
	{Name: "Panadería de Papa La Monguana", Kind: "bakery", Municipality: "Mongua", Stage: "marketing", WhatsApp: "300 000 0001",
		Description: "Pan de papa, almojábanas y mantecadas horneadas cada mañana por madres cabeza de hogar de Mongua. Abrimos cafetería en el parque principal."},
	{Name: "Cafetería El Fogón de Mongua", Kind: "cafeteria", Municipality: "Mongua", Stage: "production", WhatsApp: "300 000 0002",
		Description: "Tinto, aguapanela, caldo de papa y el pan de la panadería, frente a la iglesia."},
	{Name: "Arepas de Maíz Segoviana", Kind: "arepas", Municipality: "Segovia", Stage: "marketing", WhatsApp: "300 000 0003",
		Description: "Fábrica de arepas de maíz pelado y de chócolo. Ya vendemos a tiendas y restaurantes de Segovia."},
	{Name: "Huerta Comunitaria La Esperanza", Kind: "garden", Municipality: "Remedios", Stage: "production", WhatsApp: "300 000 0004",
		Description: "Hortalizas sin químicos: cilantro, cebolla, tomate y ahuyama de la huerta de la vereda."},
	{Name: "Piscícola Río Nechí", Kind: "fish_farming", Municipality: "El Bagre", Stage: "marketing", WhatsApp: "300 000 0005",
		Description: "Tilapia roja y cachama de estanque, entregada fresca los viernes."},
	{Name: "Barequeras Artesanas del Bajo Cauca", Kind: "crafts", Municipality: "Zaragoza", Stage: "production", WhatsApp: "300 000 0006",
		Description: "Mujeres barequeras que elaboran bisutería y artesanías con semillas y materiales de la región."},
	{Name: "Huerta Familiar Los Frailejones", Kind: "garden", Municipality: "Gámeza", Stage: "production", WhatsApp: "300 000 0007",
		Description: "Papa criolla, habas, arveja y hierbas aromáticas cultivadas por tres familias."},
	{Name: "Belleza y Estilo Sogamoso", Kind: "beauty", Municipality: "Sogamoso", Stage: "marketing", WhatsApp: "300 000 0008",
		Description: "Peluquería, manicure y cejas a domicilio. Formadas en cursos del SENA."},
	{Name: "Sistemas y Reparaciones Tópaga", Kind: "computers", Municipality: "Tópaga", Stage: "production", WhatsApp: "300 000 0009",
		Description: "Mantenimiento de computadores y celulares, impresiones y trámites en línea junto al punto wifi."},
	{Name: "Lácteos y Postres La Vereda", Kind: "other", Municipality: "Tópaga", Stage: "idea", WhatsApp: "300 000 0010",
		Description: "Kumis, yogur casero y arequipe de leche de la vereda."},
	{Name: "Piscicultura Los Guayacanes", Kind: "fish_farming", Municipality: "Segovia", Stage: "production", WhatsApp: "300 000 0011",
		Description: "Cachama y bocachico criados en estanques comunitarios."},
	{Name: "Amasijos Doña Rosa", Kind: "bakery", Municipality: "Sogamoso", Stage: "sustainable", WhatsApp: "300 000 0012",
		Description: "Envueltos, garullas y colaciones boyacenses para fiestas y pedidos."},
	{Name: "Huerta Escolar y Familiar El Porvenir", Kind: "garden", Municipality: "Zaragoza", Stage: "idea", WhatsApp: "300 000 0013",
		Description: "Plátano, yuca y hortalizas cultivadas junto a la escuela de la vereda."},
}, moreDemoInitiatives...)

// demoUser is a demo account; Initiatives are names of demoInitiatives.
type demoUser struct {
	Email, Name string
	Roles       []string
	Initiatives []string
}

var demoUsers = []demoUser{
	{"admin@tesoro.demo", "Administración Tesoro", []string{accounts.RoleAdmin}, nil},
	{"asesora.boyaca@tesoro.demo", "Luz Marina Pérez (asesora Boyacá)", []string{accounts.RoleAdviser},
		append([]string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua", "Huerta Familiar Los Frailejones", "Belleza y Estilo Sogamoso", "Sistemas y Reparaciones Tópaga", "Lácteos y Postres La Vereda", "Amasijos Doña Rosa"}, moreBoyaca...)},
	{"asesor.antioquia@tesoro.demo", "Jhon Fredy Restrepo (asesor Antioquia)", []string{accounts.RoleAdviser},
		append([]string{"Arepas de Maíz Segoviana", "Huerta Comunitaria La Esperanza", "Piscícola Río Nechí", "Barequeras Artesanas del Bajo Cauca", "Piscicultura Los Guayacanes", "Huerta Escolar y Familiar El Porvenir"}, moreAntioquia...)},
	{"panaderia@tesoro.demo", "Rosa Elvira Cárdenas (Panadería La Monguana)", []string{accounts.RoleProducer},
		[]string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua"}},
	{"arepas@tesoro.demo", "Dora Inés Zapata (Arepas Segoviana)", []string{accounts.RoleProducer}, []string{"Arepas de Maíz Segoviana"}},
	{"compradora@tesoro.demo", "Camila Rojas", []string{accounts.RoleBuyer}, nil},
}

// demoDeps are the services the demo loader fills.
type demoDeps struct {
	accounts  *accounts.Service
	catalog   *catalog.Service
	mentoring *mentoring.Service
	fairs     *fairs.Service
	orders    *orders.Service
	progress  *progress.Service
	// commitments are the child-labour-free commitments.
	commitments *programme.Commitments
	practices   *programme.Practices
	training    *programme.Training
}

// loadDemo adds the demo records that are missing; running it again changes
// nothing. Demo users get random passwords, printed once when created.
func loadDemo(ctx context.Context, d demoDeps, out io.Writer) error {
	cat := d.catalog
	added := 0
	for _, in := range demoInitiatives {
		_, err := cat.InitiativeBySlug(ctx, catalog.Slugify(in.Name))
		if err == nil {
			continue
		}
		if !errors.Is(err, errs.NotFound) {
			return err
		}
		if _, err := cat.CreateInitiative(ctx, accounts.System, in); err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		added++
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo data loaded (%d initiatives)\n", added)
	}
	if err := loadDemoProducts(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoUsers(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoSessions(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoHistory(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoMilestones(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoCommitments(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoPractices(ctx, d, out); err != nil {
		return err
	}
	if err := loadDemoTraining(ctx, d, out); err != nil {
		return err
	}
	return loadDemoFairs(ctx, d, out)
}

// demoFair is a demo fair: days from today, its initiatives (all accepted),
// and whether it is open now.
type demoFair struct {
	fairs.Input
	FromToday, Days int
	Open            bool
	Initiatives     []string
}

var demoFairs = []demoFair{
	{Input: fairs.Input{Name: "Feria de Emprendimiento de Mongua", Municipality: "Mongua", Venue: "Parque principal"},
		FromToday: 0, Days: 2, Open: true,
		Initiatives: []string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua", "Huerta Familiar Los Frailejones", "Lácteos y Postres La Vereda"}},
	{Input: fairs.Input{Name: "Mercado Campesino de Segovia", Municipality: "Segovia", Venue: "Coliseo municipal"},
		FromToday: 12, Days: 1,
		Initiatives: []string{"Arepas de Maíz Segoviana", "Huerta Comunitaria La Esperanza", "Barequeras Artesanas del Bajo Cauca"}},
}

// loadDemoFairs plans the demo fairs when there are none yet.
func loadDemoFairs(ctx context.Context, d demoDeps, out io.Writer) error {
	current, err := d.fairs.Current(ctx)
	if err != nil || len(current) > 0 {
		return err
	}
	today := time.Now().In(colombia.Zone)
	for _, df := range demoFairs {
		in := df.Input
		in.StartsOn = today.AddDate(0, 0, df.FromToday).Format(time.DateOnly)
		in.EndsOn = today.AddDate(0, 0, df.FromToday+df.Days-1).Format(time.DateOnly)
		f, err := d.fairs.Create(ctx, accounts.System, in)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		for _, name := range df.Initiatives {
			ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if _, err := d.fairs.Invite(ctx, accounts.System, f.ID, ini.ID); err != nil {
				return err
			}
			if _, err := d.fairs.Accept(ctx, accounts.System, f.ID, ini.ID); err != nil {
				return err
			}
			if !df.Open {
				continue
			}
			// The open fair has a share of every stocked product on its tables.
			products, err := d.catalog.InitiativeProducts(ctx, accounts.System, ini.ID)
			if err != nil {
				return err
			}
			for _, p := range products {
				if p.Stock != nil && *p.Stock >= 4 {
					if _, err := d.fairs.SetStock(ctx, accounts.System, f.ID, p.ID, *p.Stock/4); err != nil {
						return fmt.Errorf("%s at %s: %w", p.Name, in.Name, err)
					}
				}
			}
		}
		if df.Open {
			if _, err := d.fairs.Transition(ctx, accounts.System, f.ID, fairs.StatusOpen); err != nil {
				return err
			}
			if err := loadDemoTable(ctx, d, f.ID, df.Initiatives[2:]); err != nil {
				return err
			}
		}
	}
	if err := loadPastFair(ctx, d, today); err != nil {
		return fmt.Errorf("the past demo fair: %w", err)
	}
	fmt.Fprintf(out, "tesoro: demo fairs planned (%d, and a past one with its sales)\n", len(demoFairs))
	return nil
}

// loadDemoTable sets up a shared table at the open fair for the garden and
// the dairy, kept by the Boyacá adviser.
func loadDemoTable(ctx context.Context, d demoDeps, fairID string, names []string) error {
	cashier, err := d.accounts.UserByEmail(ctx, "asesora.boyaca@tesoro.demo")
	if err != nil {
		return fmt.Errorf("the shared table's cashier: %w", err)
	}
	var ids []string
	for _, name := range names {
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ids = append(ids, ini.ID)
	}
	_, err = d.fairs.AddTable(ctx, accounts.System, fairID, fairs.TableInput{Name: "Mesa común del campo", CashierID: cashier.ID, Initiatives: ids})
	return err
}

// pastFair is a fair held nine days ago: sales in every way of paying, two
// on credit still owed, the bakery's cash closed 500 pesos short, the fair closed.
var pastFair = demoFair{Input: fairs.Input{Name: "Feria Navideña de Sogamoso", Municipality: "Sogamoso", Venue: "Plaza de la Villa"},
	FromToday: -9, Days: 1, Initiatives: []string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua"}}

func loadPastFair(ctx context.Context, d demoDeps, today time.Time) error {
	day := today.AddDate(0, 0, pastFair.FromToday)
	in := pastFair.Input
	in.StartsOn, in.EndsOn = day.Format(time.DateOnly), day.Format(time.DateOnly)
	f, err := d.fairs.Create(ctx, accounts.System, in)
	if err != nil {
		return err
	}
	opening := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, colombia.Zone)
	methods := []string{orders.MethodCash, orders.MethodNequi, orders.MethodCash, orders.MethodTransfer, orders.MethodCredit, orders.MethodCash}
	buyers := []fairs.SaleBuyer{{Name: "Doña Marta Pérez", Phone: "3101234567"}, {Name: "Jorge Niño", Phone: "3129876543"}}
	var sales []fairs.SaleInput
	cash := map[string]int64{}
	var bakery string
	for n, name := range pastFair.Initiatives {
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if n == 0 {
			bakery = ini.ID
		}
		if _, err := d.fairs.Invite(ctx, accounts.System, f.ID, ini.ID); err != nil {
			return err
		}
		if _, err := d.fairs.Accept(ctx, accounts.System, f.ID, ini.ID); err != nil {
			return err
		}
		products, err := d.catalog.InitiativeProducts(ctx, accounts.System, ini.ID)
		if err != nil {
			return err
		}
		for _, p := range products {
			if p.Stock != nil && *p.Stock >= 8 {
				if _, err := d.fairs.SetStock(ctx, accounts.System, f.ID, p.ID, 6); err != nil {
					return err
				}
			}
		}
		for i, m := range methods {
			p := products[i%min(2, len(products))]
			if p.Stock != nil && *p.Stock < 8 {
				continue
			}
			s := fairs.SaleInput{ClientID: demoUUID(f.ID, n, i), SoldAt: opening.Add(time.Duration(n*25+i*70) * time.Minute).Format(time.RFC3339),
				PaymentMethod: m, Lines: []fairs.SaleLine{{ProductID: p.ID, Quantity: int64(1 + i%2), UnitPrice: p.Price}}}
			if m == orders.MethodCredit {
				b := buyers[n%len(buyers)]
				s.Buyer, s.DueOn = &b, day.AddDate(0, 0, 7).Format(time.DateOnly)
			}
			if m == orders.MethodCash {
				cash[ini.ID] += p.Price.Amount * int64(1+i%2)
			}
			sales = append(sales, s)
		}
	}
	if _, err := d.fairs.Transition(ctx, accounts.System, f.ID, fairs.StatusOpen); err != nil {
		return err
	}
	res, err := d.fairs.SyncSales(ctx, accounts.System, f.ID, sales)
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Status != fairs.SaleCreated {
			return fmt.Errorf("demo sale %s: %s %s", r.ClientID, r.Code, r.Reason)
		}
	}
	float := money.Pesos(50_000)
	counted := money.Money{Amount: float.Amount + cash[bakery] - 50_000, Currency: money.COP}
	if _, err := d.fairs.Close(ctx, accounts.System, f.ID, fairs.ClosingInput{InitiativeID: bakery, OpeningFloat: float, CountedCash: &counted,
		Notes: "Faltaron 500 pesos: vueltas mal dadas a media tarde."}); err != nil {
		return err
	}
	_, err = d.fairs.Transition(ctx, accounts.System, f.ID, fairs.StatusClosed)
	return err
}

// demoUUID is a stable sale id for the demo (a phone makes a random one).
func demoUUID(fairID string, initiative, sale int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d", fairID, initiative, sale))
	h[6], h[8] = h[6]&0x0f|0x40, h[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// demoProduct is a demo listing; Stock -1 means made to order.
type demoProduct struct {
	Name, Description, Category, Unit string
	Pesos, Stock                      int64
}

var demoProducts = map[string][]demoProduct{
	"Panadería de Papa La Monguana": {
		{"Pan de papa", "Suave, horneado cada mañana con papa de la región.", "bread_pastry", "unit", 1500, 40},
		{"Almojábanas", "Con cuajada fresca de Mongua.", "bread_pastry", "unit", 1200, 30},
		{"Mantecada boyacense", "Porción generosa, ideal con tinto.", "bread_pastry", "portion", 2500, 20},
	},
	"Cafetería El Fogón de Mongua": {
		{"Caldo de papa", "Con costilla y cilantro, servido de 6 a 10 a. m.", "prepared_food", "portion", 7000, -1},
		{"Aguapanela con queso", "Caliente, con queso campesino.", "prepared_food", "portion", 3500, -1},
	},
	"Arepas de Maíz Segoviana": {
		{"Arepas de maíz pelado", "Paquete de 10 arepas delgadas para asar.", "prepared_food", "package", 6000, 50},
		{"Arepas de chócolo", "Dulces, de maíz tierno; paquete de 5.", "prepared_food", "package", 8000, 25},
		{"Arepa rellena de queso", "Grande, para el desayuno.", "prepared_food", "unit", 3500, 15},
	},
	"Huerta Comunitaria La Esperanza": {
		{"Tomate chonto", "Cosechado en la vereda, sin químicos.", "produce", "pound", 2800, 60},
		{"Cilantro", "Atado fresco.", "produce", "unit", 1000, 40},
		{"Ahuyama", "Entera, de 2 a 3 kilos.", "produce", "unit", 5000, 12},
	},
	"Piscícola Río Nechí": {
		{"Tilapia roja", "Fresca, limpia y lista para freír.", "fish", "pound", 9500, 35},
		{"Cachama", "Entera, de estanque.", "fish", "pound", 8500, 20},
	},
	"Barequeras Artesanas del Bajo Cauca": {
		{"Collar de semillas", "Tejido a mano con semillas de la región.", "crafts", "unit", 25000, 8},
		{"Aretes de tagua", "Livianos y coloridos.", "crafts", "unit", 15000, 12},
	},
	"Huerta Familiar Los Frailejones": {
		{"Papa criolla", "Amarilla y cremosa.", "produce", "pound", 2200, 80},
		{"Habas verdes", "Desgranadas.", "produce", "pound", 3000, 25},
	},
	"Belleza y Estilo Sogamoso": {
		{"Manicure a domicilio", "Con esmaltes de larga duración.", "beauty", "service", 18000, -1},
		{"Corte de cabello", "Dama, caballero o niño.", "beauty", "service", 12000, -1},
	},
	"Sistemas y Reparaciones Tópaga": {
		{"Mantenimiento de computador", "Limpieza, antivirus y revisión general.", "services", "service", 45000, -1},
		{"Impresión a color", "Por hoja, tamaño carta.", "services", "unit", 1000, -1},
	},
	"Lácteos y Postres La Vereda": {
		{"Kumis casero", "Botella de un litro.", "dairy", "liter", 7000, 10},
		{"Arequipe", "Frasco de 250 g.", "dairy", "unit", 9000, 10},
	},
	"Piscicultura Los Guayacanes": {
		{"Bocachico", "Fresco, por libra.", "fish", "pound", 9000, 15},
	},
	"Amasijos Doña Rosa": {
		{"Envueltos de mazorca", "Docena, por encargo para fiestas.", "bread_pastry", "dozen", 24000, -1},
		{"Garullas", "Paquete de 6.", "bread_pastry", "package", 6000, 18},
	},
	"Huerta Escolar y Familiar El Porvenir": {
		{"Plátano hartón", "Racimo pequeño.", "produce", "unit", 6000, 10},
	},
}

// loadDemoProducts lists products (with a photo drawn in code) for demo
// initiatives that have none yet. The photos are drawn first, on every CPU.
func loadDemoProducts(ctx context.Context, d demoDeps, out io.Writer) error {
	type todo struct {
		ini    catalog.Initiative
		list   []demoProduct
		photos []demoPhotoKey
	}
	var work []todo
	var keys []demoPhotoKey
	for _, in := range demoInitiatives {
		list := demoProducts[in.Name]
		if len(list) == 0 {
			continue
		}
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(in.Name))
		if err != nil {
			return err
		}
		existing, err := d.catalog.InitiativeProducts(ctx, accounts.System, ini.ID)
		if err != nil || len(existing) > 0 {
			continue
		}
		t := todo{ini: ini, list: list}
		for j := range list {
			t.photos = append(t.photos, demoPhotoFor(in.Name, ini.Kind, list, j))
		}
		keys = append(keys, t.photos...)
		work = append(work, t)
	}
	warmDemoPhotos(keys)
	added := 0
	for _, t := range work {
		for j, dp := range t.list {
			var stock *int64
			if dp.Stock >= 0 {
				stock = &dp.Stock
			}
			p, err := d.catalog.CreateProduct(ctx, accounts.System, t.ini.ID, catalog.ProductInput{Name: dp.Name, Description: dp.Description,
				Category: dp.Category, Unit: dp.Unit, Price: money.Pesos(dp.Pesos), Stock: stock})

			if err != nil {
				return fmt.Errorf("demo product %s: %w", dp.Name, err)
			}
			photo, err := demoPhoto(t.photos[j].kind, t.photos[j].seed)
			if err != nil {
				return err
			}
			if _, err := d.catalog.AddProcessedImage(ctx, accounts.System, p.ID, photo); err != nil {
				return fmt.Errorf("demo photo for %s: %w", dp.Name, err)
			}
			added++
		}
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo products loaded (%d, with photos)\n", added)
	}
	return nil
}

type demoPhotoKey struct {
	kind string
	seed int
}

// demoPhotoFor picks the drawing of product j of a demo initiative: its
// scene (demoSceneOf), each of the first 13 initiatives with photos of its
// own, the others sharing three drawings of each scene (drawing and
// processing a photo costs a third of a second).
func demoPhotoFor(name, kind string, list []demoProduct, j int) demoPhotoKey {
	scene := demoSceneOf(kind, list[j])
	i := slices.IndexFunc(demoInitiatives, func(in catalog.InitiativeInput) bool { return in.Name == name })
	if i < 13 {
		return demoPhotoKey{scene, i*10 + j}
	}
	n := 0 // products of this scene among the later initiatives before this one
	for _, in := range demoInitiatives[13:i] {
		for _, dp := range demoProducts[in.Name] {
			if demoSceneOf(in.Kind, dp) == scene {
				n++
			}
		}
	}
	for _, dp := range list[:j] {
		if demoSceneOf(kind, dp) == scene {
			n++
		}
	}
	return demoPhotoKey{scene, 1000 + n%3}
}

// demoSceneOf is the scene drawn for a demo product of an initiative of
// kind: its own (demoProductScenes), a dairy's for dairy products, else
// its kind's.
func demoSceneOf(kind string, dp demoProduct) string {
	if s, ok := demoProductScenes[dp.Name]; ok {
		return s
	}
	if dp.Category == "dairy" {
		return "dairy"
	}
	return kind
}

// warmDemoPhotos draws and processes photos on every CPU, for demoPhoto to find.
func warmDemoPhotos(keys []demoPhotoKey) {
	jobs := make(chan demoPhotoKey)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				_, _ = demoPhoto(k.kind, k.seed) // an error shows again when the product asks
			}
		}()
	}
	seen := map[demoPhotoKey]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			jobs <- k
		}
	}
	close(jobs)
	wg.Wait()
}

func loadDemoUsers(ctx context.Context, d demoDeps, out io.Writer) error {
	system := &accounts.Principal{UserID: "demo-loader", Roles: []string{accounts.RoleAdmin}}
	for _, du := range demoUsers {
		_, err := d.accounts.UserByEmail(ctx, du.Email)
		if err == nil {
			continue
		}
		if !errors.Is(err, errs.NotFound) {
			return err
		}
		var ids []string
		for _, name := range du.Initiatives {
			in, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
			if err != nil {
				return fmt.Errorf("demo user %s: %w", du.Email, err)
			}
			ids = append(ids, in.ID)
		}
		password := demoPassword()
		_, err = d.accounts.CreateUser(ctx, system, accounts.NewUser{Email: du.Email, Name: du.Name, Password: password,
			Roles: du.Roles, InitiativeIDs: ids}, accounts.Meta{IP: "127.0.0.1"})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", du.Email, err)
		}
		fmt.Fprintf(out, "tesoro: demo user %-30s %-9s password %s\n", du.Email, du.Roles[0], password)
	}
	return nil
}

// demoPassword is random, so a demo left on a public address is not an open door.
func demoPassword() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "tesoro-" + base64.RawURLEncoding.EncodeToString(b)
}

// demoPhotos memoizes processed demo drawings: a test binary starts the demo
// many times, and drawing and processing 27 photos each time (under the race
// detector) would cost more than the tests themselves.
var demoPhotos sync.Map // "kind/seed" → catalog.ProcessedImage

func demoPhoto(kind string, seed int) (catalog.ProcessedImage, error) {
	key := fmt.Sprintf("%s/%d", kind, seed)
	if pi, ok := demoPhotos.Load(key); ok {
		return pi.(catalog.ProcessedImage), nil
	}
	pi, err := catalog.ProcessImage(bytes.NewReader(drawDemoPhoto(kind, seed)))
	if err != nil {
		return catalog.ProcessedImage{}, fmt.Errorf("demo photo %s: %w", key, err)
	}
	demoPhotos.Store(key, pi)
	return pi, nil
}
