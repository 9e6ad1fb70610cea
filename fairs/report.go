package fairs

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/money"
)

// Report is what a fair sold, per initiative and in all: read from the
// tallies (a few documents per initiative) and, for the distinct buyers,
// their entries (bounded by the fair's sales).
type Report struct {
	FairID      string             `json:"fair_id"`
	Name        string             `json:"name"`
	Status      string             `json:"status"`
	Initiatives []InitiativeReport `json:"initiatives"`
	Total       InitiativeReport   `json:"total"`
	// Hours are the sales per hour (Bogotá) of the initiatives reported.
	Hours []HourSales `json:"hours"`
}

// InitiativeReport is one initiative's sales at a fair.
type InitiativeReport struct {
	InitiativeID      string                 `json:"initiative_id"`
	Name              string                 `json:"name"`
	Sales             int64                  `json:"sales"`
	Units             int64                  `json:"units"`
	Amount            money.Money            `json:"amount"`
	ByMethod          map[string]money.Money `json:"by_method"`
	TopProducts       []ProductSales         `json:"top_products"`
	Buyers            int                    `json:"buyers"` // distinct phones given
	CreditOutstanding money.Money            `json:"credit_outstanding"`
	Flagged           int64                  `json:"flagged"`
	Closing           *Closing               `json:"closing,omitempty"`
}

// ProductSales is a product's sales at a fair.
type ProductSales struct {
	ProductID string      `json:"product_id"`
	Name      string      `json:"name"`
	Units     int64       `json:"units"`
	Amount    money.Money `json:"amount"`
}

// HourSales is the sales of one hour.
type HourSales struct {
	Hour  time.Time `json:"hour"`
	Sales int64     `json:"sales"`
}

// topProducts is how many products a report names per initiative.
const topProducts = 5

// Initiative is the report of one initiative (empty if not reported).
func (r Report) Initiative(id string) InitiativeReport {
	for _, i := range r.Initiatives {
		if i.InitiativeID == id {
			return i
		}
	}
	return InitiativeReport{}
}

// canReport says whose sales p sees in a fair's report: the organiser and
// admins all, producers and cashiers those they sell for.
func canReport(p *accounts.Principal, f Fair, initiativeID string) bool {
	return canManage(p, f) || canSellFor(p, f, initiativeID) || accounts.CanSeeInitiativePrivate(p, initiativeID)
}

// Report sums the fair's sales for p: every initiative p may see.
func (s *Service) Report(ctx context.Context, p *accounts.Principal, fairID string) (Report, error) {
	f, err := s.Fair(ctx, fairID)
	if err != nil {
		return Report{}, err
	}
	if p == nil {
		return Report{}, denied(p, "the report of fair "+fairID)
	}
	r := Report{FairID: f.ID, Name: f.Name, Status: f.Status, Initiatives: []InitiativeReport{}, Hours: []HourSales{},
		Total: InitiativeReport{Name: "Total", ByMethod: zeroMethods(), Amount: pesos(0), CreditOutstanding: pesos(0), TopProducts: []ProductSales{}}}
	hours := map[string]int64{}
	buyers := map[string]bool{}
	for _, pt := range f.List() {
		if pt.Status != Accepted || !canReport(p, f, pt.InitiativeID) {
			continue
		}
		ir, err := s.initiativeReport(ctx, f, pt.InitiativeID, hours, buyers)
		if err != nil {
			return Report{}, err
		}
		r.Initiatives = append(r.Initiatives, ir)
		r.Total.Sales += ir.Sales
		r.Total.Units += ir.Units
		r.Total.Flagged += ir.Flagged
		r.Total.Amount.Amount += ir.Amount.Amount
		r.Total.CreditOutstanding.Amount += ir.CreditOutstanding.Amount
		for m, a := range ir.ByMethod {
			r.Total.ByMethod[m] = money.Money{Amount: r.Total.ByMethod[m].Amount + a.Amount, Currency: money.COP}
		}
	}
	if len(r.Initiatives) == 0 && !canManage(p, f) {
		return Report{}, denied(p, "the report of fair "+fairID)
	}
	r.Total.Buyers = len(buyers)
	for _, h := range sortedKeys(hours) {
		t, err := time.ParseInLocation("2006010215", h, colombia.Zone)
		if err == nil {
			r.Hours = append(r.Hours, HourSales{Hour: t, Sales: hours[h]})
		}
	}
	return r, nil
}

func pesos(minor int64) money.Money { return money.Money{Amount: minor, Currency: money.COP} }

func zeroMethods() map[string]money.Money {
	m := map[string]money.Money{}
	for _, k := range Methods {
		m[k] = pesos(0)
	}
	return m
}

func (s *Service) initiativeReport(ctx context.Context, f Fair, id string, hours map[string]int64, allBuyers map[string]bool) (InitiativeReport, error) {
	t, err := s.totals(ctx, f.ID, id)
	if err != nil {
		return InitiativeReport{}, err
	}
	ir := InitiativeReport{InitiativeID: id, Sales: t[sumSales], Units: t[sumUnits], Amount: pesos(t[sumAmount]),
		ByMethod: zeroMethods(), TopProducts: []ProductSales{}, Flagged: t[sumFlagged], CreditOutstanding: pesos(0)}
	if c := f.Closings[id]; c != nil && !c.Pending {
		ir.Closing = c
	}
	for _, m := range Methods {
		ir.ByMethod[m] = pesos(t[methodSum(m)])
	}
	for name, n := range t {
		if h, ok := strings.CutPrefix(name, "h_"); ok {
			hours[h] += n
		}
		if pid, ok := strings.CutPrefix(name, "sold_"); ok {
			ir.TopProducts = append(ir.TopProducts, ProductSales{ProductID: pid, Units: n, Amount: pesos(t[amountSum(pid)])})
		}
	}
	slices.SortFunc(ir.TopProducts, func(a, b ProductSales) int {
		return cmp.Or(cmp.Compare(b.Amount.Amount, a.Amount.Amount), cmp.Compare(a.ProductID, b.ProductID))
	})
	ir.TopProducts = ir.TopProducts[:min(topProducts, len(ir.TopProducts))]
	for i, ps := range ir.TopProducts {
		if pr, err := s.catalog.Product(ctx, ps.ProductID); err == nil {
			ir.TopProducts[i].Name = pr.Name
			ir.Name = pr.InitiativeName
		}
	}
	if ir.Sales > 0 {
		entries, err := s.entries(ctx, f.ID, id)
		if err != nil {
			return InitiativeReport{}, err
		}
		buyers := map[string]bool{}
		for _, e := range entries {
			if e.Buyer != "" {
				buyers[e.Buyer], allBuyers[e.Buyer] = true, true
			}
		}
		ir.Buyers = len(buyers)
	}
	if s.orders != nil {
		credits, err := s.orders.Credits(ctx, accounts.System, id)
		if err != nil {
			return InitiativeReport{}, err
		}
		for _, c := range credits {
			if c.FairID == f.ID {
				ir.CreditOutstanding.Amount += c.Outstanding()
			}
		}
	}
	if ir.Name == "" && s.catalog != nil {
		if ini, err := s.catalog.Initiative(ctx, id); err == nil {
			ir.Name = ini.Name
		}
	}
	return ir, nil
}
