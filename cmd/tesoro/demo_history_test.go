package main

import (
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/colombia"
)

type portfolioItem struct {
	InitiativeID                                 string `json:"initiative_id"`
	Name, Municipality, Department, Light, Stage string
	Signals                                      []string
	Commitment                                   string
}

// demoPortfolio is the coordinator's portfolio of the demo, by the API.
func demoPortfolio(t testing.TB, r *running) (string, []portfolioItem) {
	t.Helper()
	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": demoAdminEmail, "password": demoAdminPassword}, 200, &login)
	var page struct{ Items []portfolioItem }
	producerAPI(t, r, "GET", "/api/v1/portfolio", login.Token, nil, 200, &page)
	return login.Token, page.Items
}

// The demo is a living portfolio on the first start: the 42 initiatives in
// the eight municipalities, a red light with falling sales and overdue
// agreements for each adviser, a sustainable initiative selling for two
// years, months with their expenses and margins.
func TestDemoIsALivingPortfolio(t *testing.T) {
	r, _, _, _ := startFairDemo(t)
	token, items := demoPortfolio(t, r)
	if len(items) != 42 {
		t.Fatalf("portfolio: got %d initiatives, want 42", len(items))
	}
	towns := map[string]bool{}
	for _, it := range items {
		towns[it.Municipality] = true
	}
	if len(towns) != 8 {
		t.Errorf("municipalities: got %v, want the programme's 8", towns)
	}
	commitments := map[string]int{}
	for _, it := range items {
		commitments[it.Commitment]++
	}
	for _, state := range []string{"none", "committed", "verified", "lapsed", "suspended"} {
		if commitments[state] == 0 {
			t.Errorf("no demo initiative's commitment is %s: %v", state, commitments)
		}
	}
	assigned := map[string][]string{}
	for _, du := range demoUsers {
		if du.Email == "asesora.boyaca@tesoro.demo" || du.Email == "asesor.antioquia@tesoro.demo" {
			assigned[du.Email] = du.Initiatives
		}
	}
	for email, names := range assigned {
		red := slices.ContainsFunc(items, func(it portfolioItem) bool {
			return slices.Contains(names, it.Name) && it.Light == "red" &&
				slices.Contains(it.Signals, "sales_falling") && slices.Contains(it.Signals, "overdue_agreements")
		})
		if !red {
			t.Errorf("%s follows no red initiative with falling sales and overdue agreements", email)
		}
	}

	now := time.Now().In(colombia.Zone)
	longAgo := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, colombia.Zone).AddDate(0, -18, 0).Format("2006-01")
	var sustainable, margins, verified bool
	for _, it := range items {
		if it.Stage != "sustainable" {
			continue
		}
		var pr struct {
			Stage      string
			Milestones []struct {
				Code      string
				ReachedOn string `json:"reached_on"`
				Status    string
				Review    *struct{ By string }
			}
			Months []struct {
				Month            string
				Amount, Expenses struct{ Amount int64 }
				Margin           struct{ Amount int64 }
			}
		}
		producerAPI(t, r, "GET", "/api/v1/initiatives/"+it.InitiativeID+"/progress", token, nil, 200, &pr)
		for _, m := range pr.Milestones {
			if m.Code == "first_sale" && m.ReachedOn != "" && m.ReachedOn <= longAgo && pr.Stage == "sustainable" {
				sustainable = true
			}
			if m.Code == "rut" && m.Status == "verified" && m.ReachedOn != "" && m.ReachedOn < now.Format("2006-01") && m.Review != nil && m.Review.By != "" {
				verified = true
			}
		}
		for _, m := range pr.Months {
			if m.Expenses.Amount > 0 && m.Amount.Amount > 0 && m.Margin.Amount == m.Amount.Amount-m.Expenses.Amount {
				margins = true
			}
		}
		if sustainable && margins && verified {
			break
		}
	}
	if !sustainable {
		t.Errorf("no sustainable initiative made its first sale in %s or before", longAgo)
	}
	if !margins {
		t.Error("no month of a sustainable initiative carries expenses and a margin")
	}
	if !verified {
		t.Error("no sustainable initiative has its RUT verified by an adviser in a past month")
	}
	// The logframe has its targets: this quarter's indicators show a percent.
	var ind struct {
		Items []struct {
			Code            string
			Target          *int64
			PercentOfTarget *int64 `json:"percent_of_target"`
		}
	}
	producerAPI(t, r, "GET", "/api/v1/indicators", token, nil, 200, &ind)
	withPercent := 0
	for _, it := range ind.Items {
		if it.Target != nil && it.PercentOfTarget != nil {
			withPercent++
		}
	}
	if withPercent < 6 {
		t.Errorf("%d indicators of this quarter with a target and a percent, want most: %+v", withPercent, ind.Items)
	}
}
