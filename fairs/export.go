package fairs

import (
	"fmt"
	"io"

	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/sheets"
)

// The report as a download: one row per initiative and the total, and the
// sales per hour; Spanish headers, amounts in pesos.

var reportHeader = []string{"Iniciativa", "Ventas", "Unidades", "Monto (COP)", "Efectivo", "Nequi", "Transferencia",
	"Fiado", "Fiado por cobrar", "Compradores", "Ventas por revisar", "Producto más vendido"}

var hoursHeader = []string{"Hora", "Ventas"}

// pesosCell writes minor units as pesos ("1500", or "1500.50" with cents).
func pesosCell(m money.Money) string {
	if m.Amount%100 == 0 {
		return fmt.Sprint(m.Amount / 100)
	}
	return fmt.Sprintf("%d.%02d", m.Amount/100, abs(m.Amount%100))
}

func abs(n int64) int64 { return max(n, -n) }

func (ir InitiativeReport) cells() []string {
	top := ""
	if len(ir.TopProducts) > 0 {
		top = ir.TopProducts[0].Name
	}
	return []string{ir.Name, fmt.Sprint(ir.Sales), fmt.Sprint(ir.Units), pesosCell(ir.Amount),
		pesosCell(ir.ByMethod["cash"]), pesosCell(ir.ByMethod["nequi"]), pesosCell(ir.ByMethod["transfer"]),
		pesosCell(ir.ByMethod["credit"]), pesosCell(ir.CreditOutstanding), fmt.Sprint(ir.Buyers), fmt.Sprint(ir.Flagged), top}
}

func (r Report) rows() [][]string {
	out := [][]string{reportHeader}
	for _, ir := range r.Initiatives {
		out = append(out, ir.cells())
	}
	return append(out, r.Total.cells())
}

func (r Report) hourRows() [][]string {
	out := [][]string{hoursHeader}
	for _, h := range r.Hours {
		out = append(out, []string{h.Hour.Format("2006-01-02 15:04"), fmt.Sprint(h.Sales)})
	}
	return out
}

// WriteCSV writes the per-initiative table as CSV.
func (r Report) WriteCSV(w io.Writer) error { return sheets.WriteCSV(w, anyRows(r.rows())) }

// WriteXLSX writes the report as a workbook: the initiatives, and the hours.
func (r Report) WriteXLSX(w io.Writer) error {
	return sheets.WriteXLSX(w, []sheets.Sheet{{Name: "Iniciativas", Rows: anyRows(r.rows())}, {Name: "Por hora", Rows: anyRows(r.hourRows())}})
}

func anyRows(rows [][]string) [][]any {
	out := make([][]any, len(rows))
	for i, row := range rows {
		out[i] = make([]any, len(row))
		for j, v := range row {
			out[i][j] = v
		}
	}
	return out
}
