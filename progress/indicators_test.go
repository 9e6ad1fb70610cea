package progress

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/orders"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// identityWords names everything by its key, so the test reads cells by key.
var identityWords = ReportWords{Lang: "es", T: func(k string) string { return k },
	Stage: func(v string) string { return "stage:" + v }, Topic: func(v string) string { return "topic:" + v }}

// indicatorFixture: three initiatives in two departments, their sales of
// the second quarter of 2026 (and one in March, outside it), a workshop for
// two of them and a visit to the third, seen on 15 July 2026.
func indicatorFixture(t *testing.T) (*Service, map[string]string) {
	t.Helper()
	db := storagetest.DB(t)
	cat := catalog.NewService(db, nil)
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, colombia.Zone)
	ids := map[string]string{}
	s := NewService(db, Options{Catalog: cat, Mentoring: mentoring.NewService(db, mentoring.Options{}), Clock: func() time.Time { return now },
		Commitments: func(_ context.Context, day string) (map[string]string, error) {
			if day != "2026-06-30" && day != "2026-12-31" && day != "2026-07-15" {
				return nil, fmt.Errorf("commitments asked at %s", day)
			}
			return map[string]string{ids["Arepas"]: "verified", ids["Huerta"]: "lapsed"}, nil
		}})
	for _, in := range []catalog.InitiativeInput{
		{Name: "Panadería", Kind: "bakery", Municipality: "Mongua", Description: "Pan de papa"},
		{Name: "Huerta", Kind: "garden", Municipality: "Sogamoso", Description: "Hortalizas"},
		{Name: "Arepas", Kind: "arepas", Municipality: "Segovia", Description: "Arepas de maíz"},
	} {
		created, err := cat.CreateInitiative(t.Context(), accounts.System, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[in.Name] = created.ID
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, colombia.Zone) }
	sale := func(i int, ini string, at time.Time, pesos int64) orders.Order {
		price := money.Pesos(pesos)
		return orders.Order{ID: fmt.Sprintf("o%d", i), InitiativeID: ids[ini], Status: orders.StatusDelivered, Channel: orders.ChannelOnline,
			PaymentMethod: "cash", CreatedAt: at, Lines: []orders.Line{{ProductID: "p", Quantity: 1, UnitPrice: price, Subtotal: price}}, Total: price}
	}
	if err := s.Count(t.Context(), []orders.Order{
		sale(1, "Panadería", day(4, 10), 100_000), sale(2, "Panadería", day(5, 3), 200_000),
		sale(3, "Huerta", day(3, 20), 50_000), // March: before the quarter
		sale(4, "Arepas", day(6, 28), 300_000),
	}); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []mentoring.Session{
		{ID: "s1", InitiativeIDs: []string{ids["Panadería"], ids["Huerta"]}, Date: day(5, 5), Topics: []string{"accounting", "marketing"},
			Participants: mentoring.Participants{Women: 6, Men: 2, Youth: 3, Adults: 5}},
		{ID: "s2", InitiativeIDs: []string{ids["Arepas"]}, Date: day(6, 1), Topics: []string{"accounting"},
			Participants: mentoring.Participants{Women: 1, Men: 3, Youth: 4, Adults: 0}},
		{ID: "s3", InitiativeIDs: []string{ids["Panadería"]}, Date: day(3, 2), Topics: []string{"savings"},
			Participants: mentoring.Participants{Women: 9, Men: 9, Youth: 9, Adults: 9}}, // March: outside
	} {
		if err := s.SessionListed(t.Context(), nil, sess); err != nil {
			t.Fatal(err)
		}
	}
	admin := accounts.System
	four, zero := int64(4), int64(0)
	if _, err := s.UpdateIndicator(t.Context(), admin, "initiatives_with_sales", IndicatorInput{
		Baseline: &Baseline{Value: 0, Date: "2025-12-31"}, Targets: map[string]*int64{"2026-Q2": &four, "2026-Q3": &zero}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetIndicatorValue(t.Context(), admin, "families_saving", "2026-Q2", 12, "Encuesta de ahorro de junio"); err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// Each indicator of the quarter, its total and every disaggregation.
func TestIndicatorsOfAQuarter(t *testing.T) {
	s, _ := indicatorFixture(t)
	r, err := s.Indicators(t.Context(), accounts.System, "2026-Q2")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Indicator{}
	for _, ind := range r.Indicators {
		got[ind.Code] = ind
	}
	peso := int64(100) // minor units
	want := []struct {
		code  string
		total int64
		dis   map[string]map[string]int64
	}{
		{"initiatives_with_sales", 2, map[string]map[string]int64{DimDepartment: {"Boyacá": 1, "Antioquia": 1}, DimMunicipality: {"Mongua": 1, "Sogamoso": 0, "Segovia": 1}}},
		{"total_sales", 600_000 * peso, map[string]map[string]int64{DimDepartment: {"Boyacá": 300_000 * peso, "Antioquia": 300_000 * peso},
			DimMunicipality: {"Mongua": 300_000 * peso, "Sogamoso": 0, "Segovia": 300_000 * peso}}},
		// 600,000 over 3 initiatives × 3 months; Boyacá: 300,000 over 2 × 3
		{"average_monthly_sales", 6_666_700, map[string]map[string]int64{DimDepartment: {"Boyacá": 50_000 * peso, "Antioquia": 100_000 * peso},
			DimMunicipality: {"Mongua": 100_000 * peso, "Sogamoso": 0, "Segovia": 100_000 * peso}}},
		// the bakery sold in May, the arepas in June; the garden last in March
		{"initiatives_selling_stage", 2, map[string]map[string]int64{DimDepartment: {"Boyacá": 1, "Antioquia": 1}, DimMunicipality: {"Mongua": 1, "Sogamoso": 0, "Segovia": 1}}},
		// first sales of the bakery (April) and the arepas (June); the garden's was in March
		{"milestones_reached", 2, map[string]map[string]int64{DimDepartment: {"Boyacá": 1, "Antioquia": 1}, DimMunicipality: {"Mongua": 1, "Sogamoso": 0, "Segovia": 1}}},
		// the workshop counts once in the total, in each of its places
		{"sessions_held", 2, map[string]map[string]int64{DimDepartment: {"Boyacá": 1, "Antioquia": 1}, DimMunicipality: {"Mongua": 1, "Sogamoso": 1, "Segovia": 1}}},
		{"participants", 12, map[string]map[string]int64{DimDepartment: {"Boyacá": 8, "Antioquia": 4}, DimMunicipality: {"Mongua": 8, "Sogamoso": 8, "Segovia": 4},
			DimSex: {"women": 7, "men": 5}, DimAgeGroup: {"youth": 7, "adults": 5}}},
		{"families_saving", 12, map[string]map[string]int64{}},
		{"initiatives_commitment_verified", 1, map[string]map[string]int64{DimDepartment: {"Antioquia": 1, "Boyacá": 0}, DimMunicipality: {"Segovia": 1, "Sogamoso": 0}}},
	}
	for _, w := range want {
		ind := got[w.code]
		if ind.Actual == nil || *ind.Actual != w.total {
			t.Errorf("%s: actual %v, want %d", w.code, ind.Actual, w.total)
		}
		for dim, cats := range w.dis {
			for c, v := range cats {
				if g := ind.Disaggregations[dim][c]; g != v {
					t.Errorf("%s by %s, %s: %d, want %d", w.code, dim, c, g, v)
				}
			}
		}
		for dim := range ind.Disaggregations {
			if _, ok := w.dis[dim]; !ok {
				t.Errorf("%s: unexpected disaggregation by %s", w.code, dim)
			}
		}
	}
	ws := got["initiatives_with_sales"]
	if ws.Target == nil || *ws.Target != 4 || ws.PercentOfTarget == nil || *ws.PercentOfTarget != 50 || ws.Baseline == nil || ws.Baseline.Date != "2025-12-31" {
		t.Errorf("initiatives with sales: target %v, %% %v, baseline %+v; want 4, 50 %%, from 2025-12-31", ws.Target, ws.PercentOfTarget, ws.Baseline)
	}
	if n := got["families_saving"].Note; n != "Encuesta de ahorro de junio" {
		t.Errorf("the manual value's note: %q", n)
	}
	// The third quarter has started: computed; the fourth has not.
	q4, err := s.Indicators(t.Context(), accounts.System, "2026-Q4")
	if err != nil || q4.Indicators[0].Actual != nil {
		t.Errorf("a quarter not started: %+v %v, want no actual", q4.Indicators[0].Actual, err)
	}
	if _, err := s.Indicators(t.Context(), accounts.System, "2026-Q5"); !isInvalid(err) {
		t.Errorf("period 2026-Q5: %v, want invalid", err)
	}
	producer := &accounts.Principal{UserID: "p", Roles: []string{accounts.RoleProducer}}
	if _, err := s.Indicators(t.Context(), producer, "2026-Q2"); err == nil {
		t.Error("a producer read the indicators")
	}
}

// The donor report holds the page's numbers, cell by cell, one sheet per
// disaggregation; its CSV the same in one long table.
func TestDonorReportCells(t *testing.T) {
	s, _ := indicatorFixture(t)
	r, err := s.Indicators(t.Context(), accounts.System, "2026-Q2")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteDonorXLSX(&buf, r, identityWords); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != strings.Join(reportSheets, ",") {
		t.Fatalf("sheets %s", got)
	}
	cells := func(sheet string) map[string]map[string]string { // row's first cell → header → value
		rows, err := f.GetRows(sheet)
		if err != nil || len(rows) == 0 {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		out := map[string]map[string]string{}
		for _, row := range rows[1:] {
			m := map[string]string{}
			for i, v := range row {
				m[rows[0][i]] = v
			}
			out[row[0]] = m
		}
		return out
	}
	for _, c := range []struct{ sheet, row, col, want string }{
		{"report.sheet.indicators", "initiatives_with_sales", "report.col.actual", "2"},
		{"report.sheet.indicators", "initiatives_with_sales", "report.col.target", "4"},
		{"report.sheet.indicators", "initiatives_with_sales", "report.col.percent", "50"},
		{"report.sheet.indicators", "initiatives_with_sales", "report.col.baseline", "0"},
		{"report.sheet.indicators", "initiatives_with_sales", "report.col.baseline_date", "2025-12-31"},
		{"report.sheet.indicators", "total_sales", "report.col.actual", "600000"}, // pesos
		{"report.sheet.indicators", "average_monthly_sales", "report.col.actual", "66667"},
		{"report.sheet.indicators", "participants", "report.col.actual", "12"},
		{"report.sheet.indicators", "families_saving", "report.col.actual", "12"},
		{"report.sheet.indicators", "families_saving", "report.col.note", "Encuesta de ahorro de junio"},
		{"report.sheet.department", "total_sales", "Boyacá", "300000"},
		{"report.sheet.department", "total_sales", "Antioquia", "300000"},
		{"report.sheet.department", "average_monthly_sales", "Boyacá", "50000"},
		{"report.sheet.department", "participants", "Boyacá", "8"},
		{"report.sheet.municipality", "sessions_held", "Sogamoso", "1"},
		{"report.sheet.municipality", "initiatives_with_sales", "Sogamoso", "0"},
		{"report.sheet.municipality", "participants", "Segovia", "4"},
		{"report.sheet.sex", "participants", "report.category.women", "7"},
		{"report.sheet.sex", "participants", "report.category.men", "5"},
		{"report.sheet.age_group", "participants", "report.category.youth", "7"},
		{"report.sheet.age_group", "participants", "report.category.adults", "5"},
		{"report.sheet.initiatives", "Panadería", "report.col.stage", "stage:selling"},
		{"report.sheet.initiatives", "Huerta", "report.col.stage", "stage:producing"},
		{"report.sheet.initiatives", "Arepas", "report.col.sales", "300000"},
		{"report.sheet.initiatives", "Panadería", "report.col.milestones", "Primera venta (2026-04)"},
		{"report.sheet.sessions", "topic:accounting", "report.col.sessions", "2"},
		{"report.sheet.sessions", "report.sessions.total", "report.col.sessions", "2"},
		{"report.sheet.sessions", "report.category.women", "report.col.sessions", "7"},
	} {
		if got := cells(c.sheet)[c.row][c.col]; got != c.want {
			t.Errorf("%s, %s, %s: %q, want %q", c.sheet, c.row, c.col, got, c.want)
		}
	}
	// Only the indicators with a disaggregation have its row.
	if _, ok := cells("report.sheet.sex")["total_sales"]; ok {
		t.Error("sales have no sex, yet a row by sex")
	}
	buf.Reset()
	if err := WriteDonorCSV(&buf, r, identityWords); err != nil {
		t.Fatal(err)
	}
	csv := buf.String()
	for _, line := range []string{
		"total_sales,Ventas totales de las iniciativas,report.unit.COP,report.dimension.total,,,,600000,",
		"total_sales,Ventas totales de las iniciativas,report.unit.COP,report.dimension.department,Boyacá,,,300000,",
		"participants,Participantes en asesorías,report.unit.people,report.dimension.sex,report.category.women,,,7,",
		"initiatives_with_sales,Iniciativas con ventas en el periodo,report.unit.count,report.dimension.total,,0,4,2,50",
	} {
		if !strings.Contains(csv, line+"\n") {
			t.Errorf("the CSV has no line %q:\n%s", line, csv)
		}
	}
}
