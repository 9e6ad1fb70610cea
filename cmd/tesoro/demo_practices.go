package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// The demo's experience exchange: Sogamoso, two months ago, five
// initiatives of both departments, and the three good practices shared
// there, one of them already taken up by another initiative.

var demoExchange = struct {
	Venue, Municipality, Notes string
	Participants               mentoring.Participants
	Initiatives                []string
}{
	Venue: "Casa de la Cultura de Sogamoso", Municipality: "Sogamoso",
	Notes: "Encuentro de iniciativas de Boyacá y Antioquia. Cada una contó en diez minutos qué le funcionó y qué no; " +
		"después recorrimos los puestos y probamos los productos. Quedó pendiente un segundo encuentro en Segovia.",
	Participants: mentoring.Participants{Women: 19, Men: 7, Youth: 9, Adults: 17},
	Initiatives: []string{"Panadería de Papa La Monguana", "Arepas de Maíz Segoviana", "Amasijos Doña Rosa",
		"Cafetería El Fogón de Mongua", "Belleza y Estilo Sogamoso"},
}

var demoPractices = []struct {
	programme.PracticeInput
	Initiative string
	AppliedBy  []string
}{
	{PracticeInput: programme.PracticeInput{Title: "Costeo del pan de papa", Topic: "accounting",
		Done: "Anotamos en una hoja todo lo que entra en cada horneada: harina, papa, mantequilla, gas y las bolsas. " +
			"Dividimos por los panes que salen y le sumamos lo que vale nuestra hora de trabajo.",
		Changed: "Supimos que vendíamos a pérdida el pan grande. Subimos el precio a $ 1.500 y dejamos de hacer el que no dejaba nada; " +
			"ahora cada horneada deja ganancia."},
		Initiative: "Panadería de Papa La Monguana", AppliedBy: []string{"Cafetería El Fogón de Mongua"}},
	{PracticeInput: programme.PracticeInput{Title: "Cuaderno de ventas y fiado", Topic: "accounting",
		Done:    "Un cuaderno con las ventas de cada día y, atrás, una página por cada cliente que compra fiado, con la fecha en que promete pagar.",
		Changed: "Cobramos a tiempo y el fiado bajó a la mitad. A fin de mes sabemos cuánto vendimos sin adivinar."},
		Initiative: "Arepas de Maíz Segoviana"},
	{PracticeInput: programme.PracticeInput{Title: "Empaques con marca", Topic: "marketing",
		Done:    "Mandamos a hacer un sello con el nombre y el WhatsApp, y sellamos las bolsas de papel de los amasijos.",
		Changed: "La gente nos reconoce en la feria y nos escribe para hacer pedidos; los pedidos por WhatsApp se duplicaron."},
		Initiative: "Amasijos Doña Rosa"},
}

// loadDemoPractices records the exchange and its practices when missing.
func loadDemoPractices(ctx context.Context, d demoDeps, out io.Writer) error {
	if d.practices == nil {
		return nil
	}
	ids := map[string]string{}
	for _, name := range append(slices.Clone(demoExchange.Initiatives), "Cafetería El Fogón de Mongua") {
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ids[name] = ini.ID
	}
	list, _, err := d.practices.Exchanges(ctx, accounts.System, "", 100)
	if err != nil {
		return err
	}
	var ex programme.Exchange
	for _, e := range list {
		if e.Venue == demoExchange.Venue {
			ex = e
		}
	}
	if ex.ID == "" {
		in := programme.ExchangeInput{Date: time.Now().In(colombia.Zone).AddDate(0, -2, 0).Format(time.DateOnly),
			Municipality: demoExchange.Municipality, Venue: demoExchange.Venue, Participants: demoExchange.Participants, Notes: demoExchange.Notes}
		for _, name := range demoExchange.Initiatives {
			in.InitiativeIDs = append(in.InitiativeIDs, ids[name])
		}
		if ex, err = d.practices.RecordExchange(ctx, accounts.System, in); err != nil {
			return fmt.Errorf("demo exchange: %w", err)
		}
	}
	added := 0
	for _, dp := range demoPractices {
		found, err := d.practices.Library(ctx, accounts.System, programme.PracticeFilter{Q: dp.Title})
		if err != nil {
			return err
		}
		var pr programme.Practice
		if i := slices.IndexFunc(found, func(s programme.PracticeSummary) bool { return s.Title == dp.Title }); i >= 0 {
			pr.ID = found[i].ID
		} else {
			in := dp.PracticeInput
			in.InitiativeID, in.ExchangeID = ids[dp.Initiative], ex.ID
			if pr, err = d.practices.Share(ctx, accounts.System, in); err != nil {
				return fmt.Errorf("%s: %w", dp.Title, err)
			}
			added++
		}
		for _, name := range dp.AppliedBy {
			if _, _, err := d.practices.Apply(ctx, accounts.System, pr.ID, ids[name]); err != nil {
				return fmt.Errorf("%s applies %s: %w", name, dp.Title, err)
			}
		}
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo exchange and %d good practices loaded\n", added)
	}
	return nil
}
