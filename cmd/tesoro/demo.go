package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
)

// demoInitiatives are modelled on the programme's own reports (DOMAIN.md).
var demoInitiatives = []catalog.InitiativeInput{
	{Name: "Panadería de Papa La Monguana", Kind: "bakery", Municipality: "Mongua", Stage: "marketing",
		Description: "Pan de papa, almojábanas y mantecadas horneadas cada mañana por madres cabeza de hogar de Mongua. Abrimos cafetería en el parque principal."},
	{Name: "Cafetería El Fogón de Mongua", Kind: "cafeteria", Municipality: "Mongua", Stage: "production",
		Description: "Tinto, aguapanela, caldo de papa y el pan de la panadería, frente a la iglesia."},
	{Name: "Arepas de Maíz Segoviana", Kind: "arepas", Municipality: "Segovia", Stage: "marketing",
		Description: "Fábrica de arepas de maíz pelado y de chócolo. Ya vendemos a tiendas y restaurantes de Segovia."},
	{Name: "Huerta Comunitaria La Esperanza", Kind: "garden", Municipality: "Remedios", Stage: "production",
		Description: "Hortalizas sin químicos: cilantro, cebolla, tomate y ahuyama de la huerta de la vereda."},
	{Name: "Piscícola Río Nechí", Kind: "fish_farming", Municipality: "El Bagre", Stage: "marketing",
		Description: "Tilapia roja y cachama de estanque, entregada fresca los viernes."},
	{Name: "Barequeras Artesanas del Bajo Cauca", Kind: "crafts", Municipality: "Zaragoza", Stage: "production",
		Description: "Mujeres barequeras que elaboran bisutería y artesanías con semillas y materiales de la región."},
	{Name: "Huerta Familiar Los Frailejones", Kind: "garden", Municipality: "Gámeza", Stage: "production",
		Description: "Papa criolla, habas, arveja y hierbas aromáticas cultivadas por tres familias."},
	{Name: "Belleza y Estilo Sogamoso", Kind: "beauty", Municipality: "Sogamoso", Stage: "marketing",
		Description: "Peluquería, manicure y cejas a domicilio. Formadas en cursos del SENA."},
	{Name: "Sistemas y Reparaciones Tópaga", Kind: "computers", Municipality: "Tópaga", Stage: "production",
		Description: "Mantenimiento de computadores y celulares, impresiones y trámites en línea junto al punto wifi."},
	{Name: "Lácteos y Postres La Vereda", Kind: "other", Municipality: "Tópaga", Stage: "idea",
		Description: "Kumis, yogur casero y arequipe de leche de la vereda."},
	{Name: "Piscicultura Los Guayacanes", Kind: "fish_farming", Municipality: "Segovia", Stage: "production",
		Description: "Cachama y bocachico criados en estanques comunitarios."},
	{Name: "Amasijos Doña Rosa", Kind: "bakery", Municipality: "Sogamoso", Stage: "sustainable",
		Description: "Envueltos, garullas y colaciones boyacenses para fiestas y pedidos."},
	{Name: "Huerta Escolar y Familiar El Porvenir", Kind: "garden", Municipality: "Zaragoza", Stage: "idea",
		Description: "Plátano, yuca y hortalizas cultivadas junto a la escuela de la vereda."},
}

// demoUser is a demo account; Initiatives are names of demoInitiatives.
type demoUser struct {
	Email, Name string
	Roles       []string
	Initiatives []string
}

var demoUsers = []demoUser{
	{"admin@tesoro.demo", "Administración Tesoro", []string{accounts.RoleAdmin}, nil},
	{"asesora.boyaca@tesoro.demo", "Luz Marina Pérez (asesora Boyacá)", []string{accounts.RoleAdviser},
		[]string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua", "Huerta Familiar Los Frailejones", "Belleza y Estilo Sogamoso", "Sistemas y Reparaciones Tópaga", "Lácteos y Postres La Vereda", "Amasijos Doña Rosa"}},
	{"asesor.antioquia@tesoro.demo", "Jhon Fredy Restrepo (asesor Antioquia)", []string{accounts.RoleAdviser},
		[]string{"Arepas de Maíz Segoviana", "Huerta Comunitaria La Esperanza", "Piscícola Río Nechí", "Barequeras Artesanas del Bajo Cauca", "Piscicultura Los Guayacanes", "Huerta Escolar y Familiar El Porvenir"}},
	{"panaderia@tesoro.demo", "Rosa Elvira Cárdenas (Panadería La Monguana)", []string{accounts.RoleProducer},
		[]string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua"}},
	{"arepas@tesoro.demo", "Dora Inés Zapata (Arepas Segoviana)", []string{accounts.RoleProducer}, []string{"Arepas de Maíz Segoviana"}},
	{"compradora@tesoro.demo", "Camila Rojas", []string{accounts.RoleBuyer}, nil},
}

// demoDeps are the services the demo loader fills.
type demoDeps struct {
	accounts *accounts.Service
	catalog  *catalog.Service
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
		if _, err := cat.CreateInitiative(ctx, in); err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		added++
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo data loaded (%d initiatives)\n", added)
	}
	return loadDemoUsers(ctx, d, out)
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
