package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/progress"
)

// The demo's milestones beyond what the history implies: each sustainable
// initiative's RUT verified by its adviser (dated the month after its first
// sale), a bank or Nequi account verified for some, a Chamber of Commerce
// registration waiting for review, an INVIMA registration rejected; a
// monthly sales target set for those that sell; and the logframe's
// baselines and targets for this year and quarter.

// demoEvidence is a one-page PDF standing for a scanned document.
func demoEvidence(name string) mentoring.Upload {
	body := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	return mentoring.Upload{Name: name, ContentType: "application/pdf", Ext: "pdf", Data: []byte(body)}
}

func loadDemoMilestones(ctx context.Context, d demoDeps, out io.Writer) error {
	ids, advisers, err := demoAdvisers(ctx, d)
	if err != nil {
		return err
	}
	now := time.Now().In(colombia.Zone)
	added := 0
	for i, in := range demoInitiatives {
		tr, ok := demoTrajectories[in.Name]
		adviser := advisers[in.Name]
		if !ok || adviser == nil || tr.Kind == trIdea {
			continue
		}
		pr, err := d.progress.Progress(ctx, adviser, ids[in.Name], "", "")
		if err != nil {
			return err
		}
		if len(pr.Targets) > 0 || slices.ContainsFunc(pr.Milestones, func(m progress.Milestone) bool { return m.Status != "" }) {
			continue // loaded before
		}
		// A target near a good month's sales.
		if _, err := d.progress.SetTarget(ctx, adviser, ids[in.Name], money.Pesos(int64(tr.Orders)*12_000)); err != nil {
			return fmt.Errorf("demo target of %s: %w", in.Name, err)
		}
		dated := func(monthsAgo int) string { return now.AddDate(0, -monthsAgo, 0).Format(time.DateOnly) }
		type step struct {
			code, file, date, decision, note string
		}
		var steps []step
		switch {
		case tr.Kind == trSustainable:
			steps = append(steps, step{"rut", "RUT.pdf", dated(max(1, tr.Since-2)), progress.StatusVerified, ""})
			if i%2 == 0 {
				steps = append(steps, step{"account", "Certificado Nequi.pdf", dated(max(1, tr.Since-6)), progress.StatusVerified, ""})
			}
			if i%3 == 0 {
				steps = append(steps, step{"chamber_of_commerce", "Matrícula mercantil.pdf", dated(1), "", ""})
			}
		case tr.Kind == trSelling && i%3 == 1:
			steps = append(steps, step{"rut", "RUT.pdf", dated(2), "", ""})
		case tr.Kind == trFalling && slices.Contains([]string{"bakery", "cafeteria", "arepas", "dairy"}, in.Kind):
			steps = append(steps, step{"invima", "Registro INVIMA.pdf", dated(3), progress.StatusRejected, "El documento está vencido: pida la renovación al INVIMA."})
		}
		for _, st := range steps {
			m, err := d.progress.SubmitEvidence(ctx, accounts.System, ids[in.Name], st.code, st.date, demoEvidence(st.file))
			if err != nil {
				return fmt.Errorf("demo evidence %s of %s: %w", st.code, in.Name, err)
			}
			if st.decision != "" {
				if _, err := d.progress.ReviewEvidence(ctx, adviser, ids[in.Name], st.code, m.Evidence.ID, st.decision, st.note); err != nil {
					return fmt.Errorf("demo review %s of %s: %w", st.code, in.Name, err)
				}
			}
			added++
		}
	}
	if err := loadDemoLogframe(ctx, d, now); err != nil {
		return err
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo milestones loaded (%d with evidence, targets set)\n", added)
	}
	return nil
}

// loadDemoLogframe gives the indicators a baseline (the programme's start)
// and targets for this year and quarter, once.
func loadDemoLogframe(ctx context.Context, d demoDeps, now time.Time) error {
	defs, err := d.progress.IndicatorDefinitions(ctx, accounts.System)
	if err != nil || len(defs) == 0 || defs[0].Baseline != nil {
		return err
	}
	year, quarter := fmt.Sprint(now.Year()), progress.CurrentQuarter(now)
	start := now.AddDate(-2, 0, 0).Format(time.DateOnly)
	plan := map[string][2]int64{ // code → year, quarter targets (amounts in pesos)
		"initiatives_with_sales":    {36, 34},
		"total_sales":               {60_000_000, 15_000_000},
		"average_monthly_sales":     {150_000, 150_000},
		"initiatives_selling_stage": {30, 30},
		"milestones_reached":        {80, 20},
		"sessions_held":             {200, 50},
		"participants":              {900, 250},
		"families_saving":           {60, 50},
	}
	for _, def := range defs {
		t, ok := plan[def.Code]
		if !ok {
			continue
		}
		scale := int64(1)
		if def.Unit == progress.UnitCOP {
			scale = 100
		}
		y, q := t[0]*scale, t[1]*scale
		if _, err := d.progress.UpdateIndicator(ctx, accounts.System, def.Code, progress.IndicatorInput{
			Baseline: &progress.Baseline{Value: 0, Date: start}, Targets: map[string]*int64{year: &y, quarter: &q}}); err != nil {
			return fmt.Errorf("demo indicator %s: %w", def.Code, err)
		}
	}
	_, err = d.progress.SetIndicatorValue(ctx, accounts.System, "families_saving", quarter, 41, "Encuesta de economía familiar en las visitas del trimestre")
	return err
}
