package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// demoAgreement is a commitment of a demo session; Due is in days from today
// (negative: already due). Initiative is needed only in workshops.
type demoAgreement struct {
	Text, Owner string
	Due         int
	Done        bool
	Initiative  string
}

// demoSession is a past advisory session; Ago is in days before today.
type demoSession struct {
	Ago, Minutes      int
	Modality          string
	Topics            []string
	Women, Men, Youth int
	Notes             string
	Agreements        []demoAgreement
}

const demoAdv = mentoring.OwnerAdviser

// demoSessions is about four months of advisory history per demo initiative.
var demoSessions = map[string][]demoSession{
	"Panadería de Papa La Monguana": {
		{118, 120, "visit", []string{"production_processes"}, 5, 0, 1, "Revisamos el horno y el orden de la producción de pan de papa. Se pierde masa los lunes por falta de planeación.",
			[]demoAgreement{{"Llevar un registro diario de unidades horneadas y sobrantes", "Rosa Elvira Cárdenas", -90, true, ""}}},
		{84, 90, "visit", []string{"accounting"}, 4, 0, 1, "Calculamos el costo real de la almojábana con la cuajada a precio de hoy; el precio de venta no cubría la mano de obra.",
			[]demoAgreement{{"Ajustar el precio de la almojábana a $1.200", "Rosa Elvira Cárdenas", -70, true, ""}, {"Enviar plantilla de costos en hoja de cálculo", demoAdv, -80, true, ""}}},
		{30, 60, "phone", []string{"marketing", "customer_service"}, 2, 0, 0, "La cafetería del parque ya abrió; conversamos sobre cómo atender pedidos por WhatsApp sin descuidar el horno.",
			[]demoAgreement{{"Publicar el menú con precios en el estado de WhatsApp cada mañana", "Rosa Elvira Cárdenas", -10, false, ""}}},
		{8, 120, "visit", []string{"formalization"}, 5, 1, 2, "Explicamos los pasos para sacar el RUT y el concepto sanitario para alimentos (INVIMA). El grupo quiere formalizarse antes de fin de año.",
			[]demoAgreement{{"Sacar el RUT de la asociación en la DIAN", "Rosa Elvira Cárdenas", 20, false, ""}, {"Averiguar requisitos del registro INVIMA para panadería", demoAdv, 12, false, ""}}},
	},
	"Cafetería El Fogón de Mongua": {
		{100, 60, "visit", []string{"customer_service"}, 3, 1, 1, "Observamos la atención en la hora del desayuno; los clientes esperan mucho por el caldo.",
			[]demoAgreement{{"Preparar el caldo desde las 5 a. m. y servir en turnos", "Rosa Elvira Cárdenas", -80, true, ""}}},
		{22, 45, "phone", []string{"accounting"}, 2, 0, 0, "Separar la caja de la cafetería de la de la panadería sigue pendiente; se mezclan las ventas.",
			[]demoAgreement{{"Usar un cuaderno de caja solo para la cafetería", "Rosa Elvira Cárdenas", -5, false, ""}}},
	},
	"Arepas de Maíz Segoviana": {
		{110, 120, "visit", []string{"production_processes"}, 3, 2, 2, "Revisamos el molino y la cocción del maíz pelado; el producto sale disparejo de grosor.",
			[]demoAgreement{{"Marcar la prensa para un grosor único de arepa", "Dora Inés Zapata", -95, true, ""}}},
		{62, 90, "visit", []string{"marketing"}, 3, 1, 1, "Las tiendas de Segovia piden empaque con etiqueta; diseñamos una etiqueta sencilla con teléfono y fecha de elaboración.",
			[]demoAgreement{{"Cotizar bolsas con etiqueta impresa en Medellín", "Dora Inés Zapata", -30, false, ""}, {"Llevar tres diseños de etiqueta", demoAdv, -50, true, ""}}},
		{12, 60, "virtual", []string{"formalization", "accounting"}, 2, 1, 1, "Hablamos del registro sanitario INVIMA para alimentos de bajo riesgo y del RUT para facturar a restaurantes.",
			[]demoAgreement{{"Reunir documentos para el RUT", "Dora Inés Zapata", 15, false, ""}}},
	},
	"Huerta Comunitaria La Esperanza": {
		{95, 150, "visit", []string{"production_processes"}, 4, 3, 2, "Se perdió parte del tomate por exceso de lluvia; planeamos camas altas y un calendario de siembra escalonada.",
			[]demoAgreement{{"Construir dos camas altas para el tomate", "Marleny Quintero", -60, true, ""}}},
		{40, 60, "phone", []string{"marketing"}, 2, 1, 0, "Las ventas en la vereda no alcanzan; buscamos vender el cilantro y la ahuyama a los restaurantes de Remedios.",
			[]demoAgreement{{"Visitar tres restaurantes con muestras", "Marleny Quintero", -15, false, ""}}},
	},
	"Piscícola Río Nechí": {
		{105, 120, "visit", []string{"production_processes", "occupational_safety"}, 2, 4, 2, "Revisamos el oxígeno y la alimentación de los estanques; hubo mortandad de tilapia en la última siembra.",
			[]demoAgreement{{"Anotar a diario la temperatura del agua y el alimento", "Edilberto Mena", -85, true, ""}}},
		{55, 90, "visit", []string{"accounting"}, 2, 3, 1, "Calculamos cuánto cuesta producir una libra de tilapia; el alimento concentrado es el 70 % del costo.",
			[]demoAgreement{{"Comparar precios de concentrado con la cooperativa", "Edilberto Mena", -35, false, ""}}},
		{15, 45, "phone", []string{"customer_service"}, 1, 1, 0, "La entrega de los viernes funciona bien; algunos clientes piden el pescado limpio y en porciones.",
			[]demoAgreement{{"Ofrecer tilapia fileteada por encargo", "Edilberto Mena", 10, false, ""}}},
	},
	"Barequeras Artesanas del Bajo Cauca": {
		{98, 120, "workshop", []string{"child_labour_prevention"}, 9, 0, 3, "Taller «Todo tiene su tiempo»: las niñas y niños van a la escuela y no al barequeo; las madres compartieron cómo organizan el cuidado.",
			[]demoAgreement{{"Organizar turnos de cuidado de los niños durante la jornada", "Yeimi Palacios", -70, true, ""}}},
		{60, 90, "visit", []string{"production_processes", "marketing"}, 7, 0, 2, "Clasificamos las semillas por color y tamaño; los collares se venden mejor en juegos con aretes.",
			[]demoAgreement{{"Armar 10 juegos de collar y aretes para la feria", "Yeimi Palacios", -40, false, ""}}},
		{20, 60, "virtual", []string{"associative_practices"}, 6, 0, 1, "Discutimos el reglamento interno y cómo repartir las ganancias de la feria.",
			[]demoAgreement{{"Redactar el reglamento con las socias", demoAdv, 10, false, ""}}},
	},
	"Huerta Familiar Los Frailejones": {
		{90, 120, "visit", []string{"production_processes"}, 3, 3, 2, "Las heladas dañaron la arveja; revisamos cobertura con plástico y rotación con habas.",
			[]demoAgreement{{"Cubrir las eras de arveja en las noches de helada", "Gloria Sandoval", -75, true, ""}}},
		{18, 60, "phone", []string{"marketing"}, 2, 1, 0, "Las tres familias venden la papa criolla por separado; conviene ofrecerla juntas en el mercado de Sogamoso.",
			[]demoAgreement{{"Acordar un precio común para la papa criolla", "Gloria Sandoval", -3, false, ""}}},
	},
	"Belleza y Estilo Sogamoso": {
		{80, 60, "visit", []string{"customer_service", "occupational_safety"}, 3, 0, 2, "Revisamos la higiene de los implementos de manicure y la agenda de citas a domicilio.",
			[]demoAgreement{{"Comprar un esterilizador para los implementos", "Paola Rincón", -50, true, ""}}},
		{25, 45, "virtual", []string{"marketing", "computer_systems"}, 2, 0, 2, "Creamos el perfil del negocio en redes con fotos de trabajos anteriores.",
			[]demoAgreement{{"Publicar dos fotos de trabajos por semana", "Paola Rincón", 5, false, ""}}},
	},
	"Sistemas y Reparaciones Tópaga": {
		{75, 90, "visit", []string{"accounting", "customer_service"}, 0, 2, 2, "Los equipos de los clientes se acumulan sin fecha de entrega; diseñamos un recibo de ingreso con número y fecha.",
			[]demoAgreement{{"Usar recibos numerados para cada equipo recibido", "Andrés Camargo", -55, true, ""}}},
		{10, 45, "phone", []string{"formalization"}, 0, 1, 1, "Les interesa facturar a la alcaldía; revisamos qué se necesita para el RUT y la factura electrónica.",
			[]demoAgreement{{"Enviar la guía de inscripción en el RUT", demoAdv, 4, false, ""}}},
	},
	"Lácteos y Postres La Vereda": {
		{70, 90, "visit", []string{"project_design", "production_processes"}, 3, 1, 1, "El kumis y el arequipe se hacen en la cocina de la casa; hablamos de cadena de frío y pasteurización.",
			[]demoAgreement{{"Medir la temperatura de la leche al recibirla", "Nubia Fonseca", -45, false, ""}}},
		{14, 60, "visit", []string{"formalization"}, 2, 1, 0, "Explicamos el registro INVIMA para lácteos; hay que adecuar el espacio antes de solicitarlo.",
			[]demoAgreement{{"Hacer la lista de adecuaciones de la cocina", "Nubia Fonseca", 21, false, ""}}},
	},
	"Piscicultura Los Guayacanes": {
		{88, 120, "visit", []string{"associative_practices", "production_processes"}, 3, 5, 3, "Los estanques comunitarios necesitan turnos de alimentación; se acordó un horario entre las familias.",
			[]demoAgreement{{"Publicar el horario de turnos en la caseta", "Wilmar Ospina", -70, true, ""}}},
		{28, 60, "phone", []string{"conflict_resolution"}, 2, 3, 1, "Hubo desacuerdo sobre el reparto de la última cosecha de cachama; conversamos un criterio por horas trabajadas.",
			[]demoAgreement{{"Llevar registro de horas trabajadas por familia", "Wilmar Ospina", -8, false, ""}}},
	},
	"Amasijos Doña Rosa": {
		{115, 90, "visit", []string{"production_processes"}, 2, 0, 0, "Los envueltos salen bien, pero la producción para pedidos grandes depende de una sola persona.",
			[]demoAgreement{{"Enseñar la receta de envueltos a la hija", "Rosa Tibaduiza", -80, true, ""}}},
		{65, 60, "visit", []string{"accounting"}, 2, 0, 1, "Calculamos el costo de la docena de envueltos; el anticipo del 50 % cubre los insumos.",
			[]demoAgreement{{"Pedir anticipo en todos los encargos de fiesta", "Rosa Tibaduiza", -40, true, ""}}},
		{5, 45, "phone", []string{"marketing"}, 1, 0, 0, "Se acercan las fiestas de diciembre; preparamos un mensaje de pedidos anticipados.",
			[]demoAgreement{{"Enviar el mensaje de pedidos a los clientes del año pasado", "Rosa Tibaduiza", 7, false, ""}}},
	},
	"Huerta Escolar y Familiar El Porvenir": {
		{85, 120, "workshop", []string{"child_labour_prevention"}, 6, 4, 5, "Taller «Todo tiene su tiempo» con padres y docentes: la huerta escolar es para aprender, no para reemplazar la jornada de estudio.",
			[]demoAgreement{{"Limitar las labores de los niños en la huerta al horario de clase de ciencias", "Luz Dary Mosquera", -60, true, ""}}},
		{35, 90, "visit", []string{"project_design"}, 4, 2, 2, "Definimos qué sembrar para vender: plátano y yuca para el mercado de Zaragoza, hortalizas para el restaurante escolar.",
			[]demoAgreement{{"Hacer el plano de siembra de la huerta", "Luz Dary Mosquera", -12, false, ""}, {"Conseguir semillas de hortalizas con la UMATA", demoAdv, 6, false, ""}}},
	},
}

// demoWorkshop is a savings workshop the Boyacá adviser held for several initiatives.
var demoWorkshop = struct {
	Initiatives []string
	Session     demoSession
}{
	[]string{"Panadería de Papa La Monguana", "Cafetería El Fogón de Mongua", "Huerta Familiar Los Frailejones", "Lácteos y Postres La Vereda", "Amasijos Doña Rosa"},
	demoSession{45, 180, "workshop", []string{"family_economy_savings"}, 14, 4, 5,
		"Taller de economía familiar en Mongua: separar el dinero del hogar y el del negocio, y ahorrar una parte fija de cada venta.",
		[]demoAgreement{
			{"Abrir una alcancía del negocio y ahorrar $2.000 diarios", "Rosa Elvira Cárdenas", -15, true, "Panadería de Papa La Monguana"},
			{"Llevar el cuaderno de gastos del hogar durante un mes", "Rosa Tibaduiza", -10, false, "Amasijos Doña Rosa"},
		}},
}

// loadDemoSessions records the advisory history of demo initiatives that have
// no session yet, in the name of their assigned adviser.
// demoAdvisers answers, by initiative name, its id and its adviser.
func demoAdvisers(ctx context.Context, d demoDeps) (ids map[string]string, advisers map[string]*accounts.Principal, err error) {
	ids, advisers = map[string]string{}, map[string]*accounts.Principal{}
	for _, du := range demoUsers {
		if !slices.Contains(du.Roles, accounts.RoleAdviser) {
			continue
		}
		u, err := d.accounts.UserByEmail(ctx, du.Email)
		if err != nil {
			return nil, nil, fmt.Errorf("demo adviser %s: %w", du.Email, err)
		}
		p := &accounts.Principal{UserID: u.ID, Name: u.Name, Roles: []string{accounts.RoleAdviser}, InitiativeIDs: u.InitiativeIDs}
		for _, name := range du.Initiatives {
			in, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
			if err != nil {
				return nil, nil, err
			}
			ids[name], advisers[name] = in.ID, p
		}
	}
	return ids, advisers, nil
}

func loadDemoSessions(ctx context.Context, d demoDeps, out io.Writer) error {
	ids, advisers, err := demoAdvisers(ctx, d)
	if err != nil {
		return err
	}
	empty := map[string]bool{} // initiative name → has no session yet
	for name, p := range advisers {
		have, err := d.mentoring.Sessions(ctx, p, mentoring.SessionFilter{InitiativeID: ids[name]})
		if err != nil {
			return err
		}
		empty[name] = len(have) == 0
	}
	today := mentoring.Day(time.Now())
	added := 0
	record := func(p *accounts.Principal, names []string, ds demoSession) error {
		in := mentoring.SessionInput{Date: today.AddDate(0, 0, -ds.Ago), DurationMinutes: ds.Minutes, Modality: ds.Modality,
			Topics: ds.Topics, Notes: ds.Notes, Participants: mentoring.Participants{Women: ds.Women, Men: ds.Men, Youth: ds.Youth,
				Adults: max(ds.Women+ds.Men-ds.Youth, 0)}}
		for _, n := range names {
			in.InitiativeIDs = append(in.InitiativeIDs, ids[n])
		}
		for _, a := range ds.Agreements {
			in.Agreements = append(in.Agreements, mentoring.AgreementInput{Text: a.Text, Owner: a.Owner,
				Due: today.AddDate(0, 0, a.Due), InitiativeID: ids[a.Initiative]})
		}
		_, agreements, err := d.mentoring.Create(ctx, p, in)
		if err != nil {
			return fmt.Errorf("demo session for %v: %w", names, err)
		}
		for i, a := range ds.Agreements {
			if a.Done {
				if _, err := d.mentoring.SetAgreementStatus(ctx, p, agreements[i].ID, mentoring.StatusDone); err != nil {
					return err
				}
			}
		}
		added++
		return nil
	}
	// First the two years before (in bulk), then the recent sessions.
	var past []mentoring.PastSession
	for i, ini := range demoInitiatives {
		if p := advisers[ini.Name]; p != nil && empty[ini.Name] {
			in := catalog.Initiative{ID: ids[ini.Name], Name: ini.Name}
			past = append(past, demoSessionsOf(uint64(i+1), ini.Name, in, p.UserID, len(demoSessions[ini.Name]) > 0, time.Now())...)
		}
	}
	if len(past) > 0 {
		if _, err := d.mentoring.ImportHistory(ctx, past); err != nil {
			return fmt.Errorf("demo sessions: %w", err)
		}
		added += len(past)
	}
	for _, ini := range demoInitiatives {
		p := advisers[ini.Name]
		if p == nil || !empty[ini.Name] {
			continue
		}
		for _, ds := range demoSessions[ini.Name] {
			if err := record(p, []string{ini.Name}, ds); err != nil {
				return err
			}
		}
	}
	w := demoWorkshop
	if !slices.ContainsFunc(w.Initiatives, func(n string) bool { return !empty[n] }) {
		if err := record(advisers[w.Initiatives[0]], w.Initiatives, w.Session); err != nil {
			return err
		}
	}
	if added > 0 {
		// The imported sessions told no one: progress recounts its markers.
		if err := d.progress.RebuildSessions(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "tesoro: demo sessions loaded (%d)\n", added)
	}
	return nil
}
