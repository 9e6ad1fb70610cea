package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
)

// The demo's members and child-labour-free commitments: every initiative
// past the idea has two or three members, and a commitment in each state —
// verified at a recent visit (the sustainable ones), signed and waiting for
// its first visit, lapsed (the last visit eight months ago), suspended by
// the adviser — while the ideas have signed nothing yet.

var demoRoles = []string{"lideresa", "tesorera", "productora", "vendedora", "socio"}

func loadDemoCommitments(ctx context.Context, d demoDeps, out io.Writer) error {
	_, advisers, err := demoAdvisers(ctx, d)
	if err != nil {
		return err
	}
	now := time.Now().In(colombia.Zone)
	day := func(monthsAgo, days int) string { return now.AddDate(0, -monthsAgo, -days).Format(time.DateOnly) }
	added := 0
	for i, in := range demoInitiatives {
		tr, ok := demoTrajectories[in.Name]
		adviser := advisers[in.Name]
		if !ok || adviser == nil || tr.Kind == trIdea {
			continue
		}
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(in.Name))
		if err != nil {
			return err
		}
		members, err := d.catalog.Members(ctx, accounts.System, ini.ID)
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(uint64(i+1), 77))
		for k := len(members); k < 2+i%2; k++ {
			woman := k == 0 || rng.IntN(3) > 0 // the women lead most
			first := demoFirstNames[rng.IntN(12)]
			if !woman {
				first = demoFirstNames[12+rng.IntN(10)]
			}
			sex, age := "female", "adult"
			if !woman {
				sex = "male"
			}
			if rng.IntN(3) == 0 {
				age = "youth"
			}
			m, err := d.catalog.AddMember(ctx, accounts.System, ini.ID, catalog.Member{Name: first + " " + demoSurnames[rng.IntN(len(demoSurnames))],
				Role: demoRoles[min(k, len(demoRoles)-1)], Sex: sex, AgeGroup: age})
			if err != nil {
				return fmt.Errorf("demo member of %s: %w", in.Name, err)
			}
			members = append(members, m)
		}
		cm, err := d.commitments.Get(ctx, adviser, ini.ID)
		if err != nil || cm != nil {
			if err != nil {
				return err
			}
			continue // signed before
		}
		signer := members[0].ID
		switch {
		case tr.Kind == trSustainable || (tr.Kind == trSelling && i%2 == 0):
			if _, err = d.commitments.Sign(ctx, adviser, ini.ID, signer, day(min(20, tr.Since), 0)); err == nil {
				_, err = d.commitments.Verify(ctx, adviser, ini.ID, day(min(4, tr.Since), 3), "", "Visita: sin menores trabajando")
			}
			if err == nil {
				_, err = d.commitments.Verify(ctx, adviser, ini.ID, day(0, 5+i%20), "", "Visita: los niños en el colegio")
			}
		case tr.Kind == trSelling || tr.Kind == trNew:
			_, err = d.commitments.Sign(ctx, adviser, ini.ID, signer, day(0, 12))
		case tr.Kind == trFalling && i%2 == 0:
			_, err = d.commitments.Sign(ctx, adviser, ini.ID, signer, day(14, 0))
			if err == nil {
				_, err = d.commitments.Verify(ctx, adviser, ini.ID, day(8, 0), "", "Visita de seguimiento")
			}
		default: // the other falling and stopped ones: suspended
			_, err = d.commitments.Sign(ctx, adviser, ini.ID, signer, day(12, 0))
			if err == nil {
				_, err = d.commitments.Verify(ctx, adviser, ini.ID, day(3, 0), "", "Visita")
			}
			if err == nil {
				_, err = d.commitments.Suspend(ctx, adviser, ini.ID, "Un adolescente ayudaba en horario escolar; se acordó con la familia")
			}
		}
		if err != nil {
			return fmt.Errorf("demo commitment of %s: %w", in.Name, err)
		}
		added++
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo commitments loaded (%d, with their members)\n", added)
	}
	return nil
}
