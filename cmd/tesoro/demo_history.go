package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/progress"
)

// The demo's two years: each initiative follows a trajectory (its sales,
// its cashbook, its advisers' visits), drawn from a seeded generator so every
// machine loads the same history, and written through the bulk imports of
// orders, mentoring and progress (a write per bucket, not per record).

// Trajectories of the demo's initiatives.
const (
	trSustainable = "sustainable" // sells every month since it began
	trSelling     = "selling"     // sells most months
	trFalling     = "falling"     // sold well; the last three months fell, an agreement is overdue
	trStopped     = "stopped"     // sold, then nothing in the last four months
	trNew         = "new"         // began selling two or three months ago
	trIdea        = "idea"        // no sales yet
)

// demoTrajectory is how an initiative's history goes: its trajectory,
// since how many months ago, and how many orders a good month has.
type demoTrajectory struct {
	Kind   string
	Since  int
	Orders int
}

var demoTrajectories = map[string]demoTrajectory{
	"Panadería de Papa La Monguana":         {trSustainable, 24, 14},
	"Cafetería El Fogón de Mongua":          {trSelling, 9, 6},
	"Arepas de Maíz Segoviana":              {trSustainable, 22, 12},
	"Huerta Comunitaria La Esperanza":       {trFalling, 18, 10},
	"Piscícola Río Nechí":                   {trSustainable, 21, 9},
	"Barequeras Artesanas del Bajo Cauca":   {trSelling, 14, 4},
	"Huerta Familiar Los Frailejones":       {trFalling, 16, 11},
	"Belleza y Estilo Sogamoso":             {trSustainable, 20, 10},
	"Sistemas y Reparaciones Tópaga":        {trSelling, 12, 5},
	"Lácteos y Postres La Vereda":           {trIdea, 8, 0},
	"Piscicultura Los Guayacanes":           {trSelling, 11, 5},
	"Amasijos Doña Rosa":                    {trSustainable, 24, 8},
	"Huerta Escolar y Familiar El Porvenir": {trIdea, 6, 0},
	"Panadería El Trigal de Remedios":       {trSustainable, 23, 12},
	"Arepas Doña Chava":                     {trSelling, 10, 6},
	"Sabores del Nechí":                     {trSustainable, 19, 10},
	"Belleza Zaragozana":                    {trSelling, 9, 5},
	"Piscícola La Cienaguita":               {trFalling, 20, 9},
	"Huerta Las Mercedes":                   {trSelling, 13, 5},
	"Artesanías de Oro y Semilla":           {trSustainable, 18, 6},
	"El Bagre Digital":                      {trSelling, 8, 4},
	"Lácteos La Palmera":                    {trSustainable, 21, 11},
	"Confecciones Mujeres de Remedios":      {trFalling, 15, 7},
	"Huerta Escolar San José":               {trIdea, 5, 0},
	"Dulces de Cacao Segovia":               {trSelling, 7, 4},
	"Celulares y Electricidad Zaragoza":     {trStopped, 14, 5},
	"Amasijos La Antioqueña":                {trNew, 3, 6},
	"Miel del Nordeste":                     {trIdea, 4, 0},
	"Quesos y Cuajadas de Mongua":           {trSustainable, 24, 13},
	"Panadería Santa Bárbara":               {trSelling, 11, 6},
	"Tejidos de Lana Tópaga":                {trSelling, 15, 3},
	"Huerta Orgánica El Cerezo":             {trSustainable, 20, 10},
	"Truchas Laguna Negra":                  {trFalling, 19, 9},
	"Arepas Boyacenses Don Chepe":           {trSustainable, 22, 12},
	"Peluquería Mujer Minera":               {trSelling, 8, 5},
	"Café y Postres El Mirador":             {trFalling, 17, 10},
	"Computadores Sugamuxi":                 {trSustainable, 18, 8},
	"Huerta Familiar Las Hortensias":        {trIdea, 5, 0},
	"Cerámica y Carbón Artesanal":           {trNew, 2, 4},
	"Lácteos El Páramo":                     {trStopped, 13, 5},
	"Sabor Boyacense Cocina Tradicional":    {trSelling, 10, 4},
	"Aromáticas de Mongua":                  {trSelling, 7, 4},
}

// recentSessionDays: the sessions of demo_sessions.go cover the last four
// months of the first 13 initiatives; their history stops before.
const recentSessionDays = 125

var (
	demoFirstNames = []string{"María", "Luz Dary", "Gloria", "Marleny", "Yeimi", "Nubia", "Blanca", "Rosa", "Sandra", "Diana", "Paola", "Carmen",
		"Jorge", "Luis Alberto", "Wilmar", "Edilberto", "Andrés", "José", "Fabio", "Hernán", "Jhon Jairo", "Camilo", "Yuliana", "Leidy"}
	demoSurnames = []string{"Pérez", "Gómez", "Rodríguez", "Quintero", "Mosquera", "Cárdenas", "Tibaduiza", "Fonseca", "Ospina", "Zapata",
		"Palacios", "Sandoval", "Rincón", "Camargo", "Restrepo", "Mena", "Niño", "Barrera", "Suárez", "Holguín"}
)

type demoBuyer struct{ Name, Phone string }

// demoHistory is what the generator makes of one initiative.
type demoHistory struct {
	Orders   []orders.Order
	Expenses []progress.PastExpense
}

// monthlyOrders is how many orders the initiative had back months ago (0:
// this month, to today).
func (tr demoTrajectory) monthlyOrders(rng *rand.Rand, back int) int {
	if back >= tr.Since || tr.Kind == trIdea {
		return 0
	}
	age := tr.Since - back // months selling
	n := float64(tr.Orders)
	switch tr.Kind {
	case trSustainable:
		n *= 0.55 + 0.45*min(float64(age)/12, 1) // it grew into it
		return max(1, int(n*(0.8+0.4*rng.Float64())))
	case trSelling:
		if back > 2 && rng.IntN(10) < 3 {
			return 0
		}
		return max(1, int(n*(0.5+0.7*rng.Float64())))
	case trFalling:
		if back <= 3 {
			return max(1, int(n*(0.25+0.15*rng.Float64())))
		}
		return max(1, int(n*(0.85+0.3*rng.Float64())))
	case trStopped:
		if back <= 4 {
			return 0
		}
		return max(1, int(n*(0.5+0.5*rng.Float64())))
	case trNew:
		return 1 + rng.IntN(tr.Orders)
	}
	return 0
}

// demoHistoryOf draws an initiative's history up to now: orders from its
// products, a cashbook that costs about two thirds of what it sells, and a
// session every month or two (only before the recent ones for the first 13).
func demoHistoryOf(seed uint64, name string, ini catalog.Initiative, products []catalog.Product, now time.Time) demoHistory {
	tr := demoTrajectories[name]
	rng := rand.New(rand.NewPCG(seed, 0x7e50))
	now = now.In(colombia.Zone)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, colombia.Zone)
	var h demoHistory
	person := func() string {
		return demoFirstNames[rng.IntN(len(demoFirstNames))] + " " + demoSurnames[rng.IntN(len(demoSurnames))]
	}
	phone := func() string { return fmt.Sprintf("3%02d%07d", 10+rng.IntN(15), rng.IntN(10_000_000)) }
	regulars := make([]demoBuyer, 5+rng.IntN(10))
	for i := range regulars {
		regulars[i] = demoBuyer{person(), phone()}
	}
	n := 0
	for back := min(tr.Since, 24) - 1; back >= 0 && len(products) > 0; back-- {
		month := thisMonth.AddDate(0, -back, 0)
		days := month.AddDate(0, 1, -1).Day()
		if back == 0 {
			days = now.Day()
		}
		var sold int64
		for range tr.monthlyOrders(rng, back) {
			day := 1 + rng.IntN(days)
			at := time.Date(month.Year(), month.Month(), day, 7+rng.IntN(12), rng.IntN(60), 0, 0, colombia.Zone)
			if !at.Before(now.Add(-2 * time.Hour)) {
				continue
			}
			channel := []string{orders.ChannelOnline, orders.ChannelPhone, orders.ChannelFair}[rng.IntN(3)]
			method := []string{orders.MethodCash, orders.MethodNequi, orders.MethodTransfer}[rng.IntN(3)]
			p := orders.Past{Key: strconv.Itoa(n), InitiativeID: ini.ID, Initiative: ini.Name, Channel: channel, Method: method, PlacedAt: at, ActorID: "demo-loader"}
			n++
			switch b := regulars[min(rng.IntN(len(regulars)), rng.IntN(len(regulars)))]; { // the first regulars buy most
			case channel == orders.ChannelFair && rng.IntN(2) == 0: // a walk-in buyer
			case rng.IntN(5) == 0:
				p.Buyer = orders.Buyer{Name: person(), Phone: phone()}
			default:
				p.Buyer = orders.Buyer{Name: b.Name, Phone: b.Phone}
			}
			if channel == orders.ChannelFair && p.Buyer.Phone != "" && rng.IntN(6) == 0 && now.Sub(at) > 30*24*time.Hour {
				paid := at.Add(time.Duration(3+rng.IntN(15)) * 24 * time.Hour)
				p.Method, p.PaidAt, p.PaidMethod = orders.MethodCredit, &paid, []string{orders.MethodCash, orders.MethodNequi}[rng.IntN(2)]
			}
			for k, prod := range products {
				if k > 0 && rng.IntN(3) != 0 {
					continue
				}
				if k == 0 && len(products) > 1 && rng.IntN(3) == 0 {
					prod = products[1+rng.IntN(len(products)-1)]
				}
				q := int64(1)
				switch prod.Unit {
				case "unit":
					if prod.Price.Amount < 500_000 {
						q = int64(2 + rng.IntN(10))
					}
				case "pound", "kilo", "package", "portion", "dozen", "liter":
					q = int64(1 + rng.IntN(4))
				}
				if prod.Unit == "unit" && prod.Price.Amount <= 100_000 && prod.Category == "services" {
					q = int64(5 + rng.IntN(40)) // copies
				}
				if slices.ContainsFunc(p.Lines, func(l orders.Line) bool { return l.ProductID == prod.ID }) {
					continue
				}
				p.Lines = append(p.Lines, orders.Line{ProductID: prod.ID, Name: prod.Name, Unit: prod.Unit, Quantity: q, UnitPrice: prod.Price})
			}
			switch r := rng.IntN(100); {
			case r < 3 && channel != orders.ChannelFair:
				p.Cancelled = true
			case r < 5 && p.Method != orders.MethodCredit:
				p.Refund, p.RefundReason = p.Lines[0].UnitPrice.Amount, []string{"Producto en mal estado", "Se cobró de más", "Llegó incompleto"}[rng.IntN(3)]
			}
			o := orders.PastOrder(p)
			if !p.Cancelled {
				sold += o.Total.Amount - p.Refund
			}
			h.Orders = append(h.Orders, o)
		}
		// The cashbook: supplies, transport, packaging and the rest, about
		// two thirds of the month's sales (a fixed floor in months that sold
		// little, so a falling initiative loses money).
		if back < tr.Since && (tr.Kind != trIdea || back < 4) {
			spend := max(sold*(55+int64(rng.IntN(20)))/100, int64(40_000+rng.IntN(60_000))*100)
			if tr.Kind == trIdea {
				spend = int64(20_000+rng.IntN(50_000)) * 100
			}
			split := []struct {
				cat  string
				part int64
				note string
			}{{"supplies", 55, "Insumos del mes"}, {"transport", 12, "Pasajes al pueblo"}, {"packaging", 8, "Bolsas y etiquetas"},
				{[]string{"rent", "utilities", "labour", "other"}[rng.IntN(4)], 25, ""}}
			for k, sp := range split {
				amount := spend * sp.part / 100 / 10_000 * 10_000 // whole hundreds of pesos
				day := 1 + rng.IntN(days)
				date := time.Date(month.Year(), month.Month(), day, 0, 0, 0, 0, colombia.Zone)
				if amount <= 0 || (tr.Kind == trIdea && k > 1) || date.After(now) {
					continue
				}
				h.Expenses = append(h.Expenses, progress.PastExpense{Key: fmt.Sprintf("%d-%d", back, k), ExpenseInput: progress.ExpenseInput{
					Date: date.Format(time.DateOnly), Category: sp.cat, Amount: money.Money{Amount: amount, Currency: money.COP}, Note: sp.note}})
			}
		}
	}
	return h
}

// demoTopicNotes are a session's notes and agreement for each topic.
var demoTopicNotes = map[string]struct{ Notes, Agreement string }{
	"associative_practices":   {"Revisamos cómo se reparten las tareas y las ganancias entre las socias; se acordó una reunión mensual.", "Escribir el acta de la reunión mensual"},
	"computer_systems":        {"Practicamos en el celular cómo registrar ventas y gastos en Tesoro y cómo responder pedidos.", "Registrar todas las ventas de la semana en Tesoro"},
	"project_design":          {"Definimos el objetivo del negocio, los clientes y lo que hace falta para empezar a vender.", "Hacer la lista de lo que falta para producir"},
	"production_processes":    {"Revisamos el proceso de producción paso a paso y dónde se pierde producto o tiempo.", "Anotar las pérdidas de producto cada día"},
	"accounting":              {"Calculamos el costo de cada producto y revisamos el cuaderno de gastos del mes.", "Anotar cada gasto en el libro de gastos"},
	"marketing":               {"Buscamos nuevos clientes: tiendas, restaurantes y el mercado del domingo; ensayamos cómo ofrecer.", "Visitar dos tiendas con muestras"},
	"customer_service":        {"Conversamos sobre cómo atender por WhatsApp, cumplir los tiempos de entrega y resolver reclamos.", "Responder los pedidos el mismo día"},
	"conflict_resolution":     {"Hubo un desacuerdo en el grupo sobre los turnos; cada una explicó su punto y se acordó una regla.", "Publicar la regla de turnos acordada"},
	"family_economy_savings":  {"Separamos el dinero del hogar y el del negocio; cada familia fijó una meta de ahorro.", "Ahorrar una parte fija de cada venta"},
	"formalization":           {"Explicamos los pasos del RUT, la Cámara de Comercio y, para alimentos, el registro INVIMA.", "Averiguar los requisitos del RUT en la DIAN"},
	"occupational_safety":     {"Revisamos riesgos del trabajo diario: quemaduras, cortes, cargas pesadas; y los elementos de protección.", "Comprar guantes y un botiquín"},
	"child_labour_prevention": {"Taller «Todo tiene su tiempo»: los niños estudian y juegan; el negocio es de los adultos.", "Organizar el cuidado de los niños en horas de trabajo"},
}

// demoSessionsOf draws an initiative's advisory history: a session every
// 30 to 55 days since two months before it began, closed agreements behind
// it, and — for a falling or stopped one — an agreement still open weeks
// after its due day. With recent, it stops where demoSessions begin.
func demoSessionsOf(seed uint64, name string, ini catalog.Initiative, adviserID string, recent bool, now time.Time) []mentoring.PastSession {
	tr := demoTrajectories[name]
	rng := rand.New(rand.NewPCG(seed, 0x5e55))
	member := demoFirstNames[rng.IntN(12)] + " " + demoSurnames[rng.IntN(len(demoSurnames))] // the women lead most
	for _, ds := range demoSessions[name] {
		for _, a := range ds.Agreements {
			if a.Owner != demoAdv {
				member = a.Owner
			}
		}
	}
	today := mentoring.Today(now)
	start := today.AddDate(0, -min(tr.Since+2, 24), 0)
	end := today.AddDate(0, 0, -3)
	if recent {
		end = today.AddDate(0, 0, -recentSessionDays)
	}
	if tr.Kind == trStopped {
		end = today.AddDate(0, 0, -75) // no visit lately either
	}
	var out []mentoring.PastSession
	for d, i := start.AddDate(0, 0, rng.IntN(20)), 0; !d.After(end); d, i = d.AddDate(0, 0, 30+rng.IntN(26)), i+1 {
		topics := []string{mentoring.Topics[rng.IntN(len(mentoring.Topics))]}
		if t := mentoring.Topics[rng.IntN(len(mentoring.Topics))]; rng.IntN(3) == 0 && t != topics[0] {
			topics = append(topics, t)
		}
		women, men := 1+rng.IntN(6), rng.IntN(4)
		youth := rng.IntN(min(women+men, 3) + 1)
		ps := mentoring.PastSession{Key: ini.ID + "/" + strconv.Itoa(i), AdviserID: adviserID, SessionInput: mentoring.SessionInput{
			InitiativeIDs: []string{ini.ID}, Date: d, DurationMinutes: 45 + 15*rng.IntN(8),
			Modality: []string{"visit", "visit", "phone", "virtual", "workshop"}[rng.IntN(5)], Topics: topics,
			Participants: mentoring.Participants{Women: women, Men: men, Youth: youth, Adults: women + men - youth},
			Notes:        demoTopicNotes[topics[0]].Notes}}
		if rng.IntN(4) != 0 {
			due := d.AddDate(0, 0, 10+rng.IntN(25))
			owner := member
			if rng.IntN(4) == 0 {
				owner = demoAdv
			}
			status := mentoring.StatusDone
			switch {
			case !due.Before(today):
				status = mentoring.StatusOpen
			case rng.IntN(12) == 0:
				status = mentoring.StatusDropped
			}
			ps.Agreements = []mentoring.AgreementInput{{Text: demoTopicNotes[topics[0]].Agreement, Owner: owner, Due: due}}
			ps.Statuses = []string{status}
		}
		out = append(out, ps)
	}
	if (tr.Kind == trFalling || tr.Kind == trStopped) && len(out) > 0 {
		// The last visit's commitment is still open, well past its day.
		last := &out[len(out)-1]
		last.Agreements = []mentoring.AgreementInput{{Text: "Llamar a los clientes que dejaron de comprar y preguntarles por qué", Owner: member,
			Due: last.Date.AddDate(0, 0, 12)}}
		last.Statuses = []string{mentoring.StatusOpen}
		if !last.Agreements[0].Due.Before(today) {
			last.Agreements[0].Due = today.AddDate(0, 0, -6)
		}
	}
	return out
}

// loadDemoHistory writes the orders and cashbooks of the initiatives that
// have none yet (before any live order: history comes first), and recounts
// the sales counters from them.
func loadDemoHistory(ctx context.Context, d demoDeps, out io.Writer) error {
	now := time.Now()
	var all []orders.Order
	expenses := 0
	for i, in := range demoInitiatives {
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(in.Name))
		if err != nil {
			return err
		}
		have, err := d.orders.InitiativeOrders(ctx, accounts.System, ini.ID, orders.ListFilter{Limit: 1})
		if err != nil {
			return err
		}
		book, err := d.progress.Expenses(ctx, accounts.System, ini.ID, "", 1)
		if err != nil {
			return err
		}
		if len(have.Items) > 0 || len(book.Items) > 0 {
			continue
		}
		products, err := d.catalog.InitiativeProducts(ctx, accounts.System, ini.ID)
		if err != nil {
			return err
		}
		h := demoHistoryOf(uint64(i+1), in.Name, ini, products, now)
		all = append(all, h.Orders...)
		if err := d.progress.ImportExpenses(ctx, ini.ID, "demo-loader", h.Expenses); err != nil {
			return fmt.Errorf("demo cashbook of %s: %w", in.Name, err)
		}
		expenses += len(h.Expenses)
	}
	if len(all) == 0 && expenses == 0 {
		return nil
	}
	if err := d.orders.ImportHistory(ctx, all); err != nil {
		return fmt.Errorf("demo orders: %w", err)
	}
	if err := d.progress.Rebuild(ctx, d.orders.ScanAll); err != nil {
		return err
	}
	fmt.Fprintf(out, "tesoro: demo history loaded (%d orders, %d expenses over 24 months)\n", len(all), expenses)
	return nil
}
