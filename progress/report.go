package progress

import (
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tesoro-pact/tesoro/sheets"
)

// The donor report: a period's indicators with baseline, target, actual
// and percent of the target; one sheet per disaggregation; the initiatives
// with their stage and milestones; the sessions by topic. It is written
// from the same IndicatorReport the indicators page shows, so its numbers
// are the page's; amounts are in whole pesos.

// ReportWords name the report's headers and things in the reader's
// language (the pages' wording).
type ReportWords struct {
	Lang  string
	T     func(key string) string // report.* headers and dimension categories
	Stage func(stage string) string
	Topic func(topic string) string
}

// Sheet names (keys of ReportWords.T).
// One per dimension follows the indicators, in the order of Dimensions.
var reportSheets = []string{"report.sheet.indicators", "report.sheet.department", "report.sheet.municipality",
	"report.sheet.sex", "report.sheet.age_group", "report.sheet.partner", "report.sheet.area", "report.sheet.initiatives", "report.sheet.sessions"}

func (w ReportWords) name(es, en string) string {
	if w.Lang == "en" && en != "" {
		return en
	}
	return es
}

// ReportValue is a value as the report writes it: pesos for amounts.
func ReportValue(unit string, v int64) int64 {
	if unit == UnitCOP {
		return (v + 50) / 100
	}
	return v
}

func optional(unit string, v *int64) any {
	if v == nil {
		return ""
	}
	return ReportValue(unit, *v)
}

// DonorSheets lays the report out as sheets.
func DonorSheets(r IndicatorReport, w ReportWords) []sheets.Sheet {
	h := func(keys ...string) []any {
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = w.T("report.col." + k)
		}
		return out
	}
	main := [][]any{h("code", "indicator", "unit", "direction", "baseline", "baseline_date", "target", "actual", "percent", "note")}
	for _, ind := range r.Indicators {
		base, baseDate := any(""), ""
		if ind.Baseline != nil {
			base, baseDate = ReportValue(ind.Unit, ind.Baseline.Value), ind.Baseline.Date
		}
		main = append(main, []any{ind.Code, w.name(ind.NameES, ind.NameEN), w.T("report.unit." + ind.Unit), w.T("report.direction." + ind.Direction),
			base, baseDate, optional(ind.Unit, ind.Target), optional(ind.Unit, ind.Actual), optional(UnitCount, ind.PercentOfTarget), ind.Note})
	}
	list := []sheets.Sheet{{Name: w.T(reportSheets[0]), Rows: main}}
	for i, dim := range Dimensions {
		cats := DimensionCategories(r, dim)
		head := h("code", "indicator")
		for _, c := range cats {
			head = append(head, CategoryName(w, dim, c))
		}
		rows := [][]any{head}
		for _, ind := range r.Indicators {
			d, ok := ind.Disaggregations[dim]
			if !ok {
				continue
			}
			row := []any{ind.Code, w.name(ind.NameES, ind.NameEN)}
			for _, c := range cats {
				row = append(row, ReportValue(ind.Unit, d[c]))
			}
			rows = append(rows, row)
		}
		list = append(list, sheets.Sheet{Name: w.T(reportSheets[1+i]), Rows: rows})
	}
	inis := [][]any{h("initiative", "municipality", "department", "stage", "sales", "milestones")}
	for _, st := range r.Initiatives {
		var names []string
		for _, m := range st.Reached {
			names = append(names, m.Name(w.Lang)+" ("+m.ReachedOn+")")
		}
		inis = append(inis, []any{st.Name, st.Municipality, st.Department, w.Stage(st.Stage), ReportValue(UnitCOP, st.Sales), strings.Join(names, "; ")})
	}
	list = append(list, sheets.Sheet{Name: w.T(reportSheets[1+len(Dimensions)]), Rows: inis})
	sess := [][]any{h("topic", "sessions")}
	for _, t := range slices.Sorted(maps.Keys(r.Sessions.ByTopic)) {
		sess = append(sess, []any{w.Topic(t), r.Sessions.ByTopic[t]})
	}
	sess = append(sess, []any{w.T("report.sessions.total"), r.Sessions.Held})
	for _, k := range []string{"women", "men", "youth", "adults"} {
		sess = append(sess, []any{w.T("report.category." + k), r.Sessions.Participants[k]})
	}
	return append(list, sheets.Sheet{Name: w.T(reportSheets[2+len(Dimensions)]), Rows: sess})
}

// DimensionCategories are the categories of a dimension any indicator has,
// in order (sex and age group in their fixed order, places by name).
func DimensionCategories(r IndicatorReport, dim string) []string {
	switch dim {
	case DimSex:
		return []string{"women", "men"}
	case DimAgeGroup:
		return []string{"youth", "adults"}
	}
	seen := map[string]bool{}
	for _, ind := range r.Indicators {
		for c := range ind.Disaggregations[dim] {
			seen[c] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// CategoryName names a category: places by their own name, the rest in
// words (partners and areas as the training pages name them).
func CategoryName(w ReportWords, dim, c string) string {
	switch dim {
	case DimSex, DimAgeGroup:
		return w.T("report.category." + c)
	case DimPartner:
		return w.T("training.partner." + c)
	case DimArea:
		return w.T("training.area." + c)
	}
	return c
}

// WriteDonorXLSX writes the report as a workbook.
func WriteDonorXLSX(out io.Writer, r IndicatorReport, w ReportWords) error {
	return sheets.WriteXLSX(out, DonorSheets(r, w))
}

// WriteDonorCSV writes the report as one long table: each indicator's
// total and each of its disaggregations on a row.
func WriteDonorCSV(out io.Writer, r IndicatorReport, w ReportWords) error {
	col := func(k string) any { return w.T("report.col." + k) }
	rows := [][]any{{col("code"), col("indicator"), col("unit"), col("dimension"), col("category"), col("baseline"), col("target"), col("actual"), col("percent")}}
	for _, ind := range r.Indicators {
		base := any("")
		if ind.Baseline != nil {
			base = ReportValue(ind.Unit, ind.Baseline.Value)
		}
		name := w.name(ind.NameES, ind.NameEN)
		rows = append(rows, []any{ind.Code, name, w.T("report.unit." + ind.Unit), w.T("report.dimension.total"), "", base,
			optional(ind.Unit, ind.Target), optional(ind.Unit, ind.Actual), optional(UnitCount, ind.PercentOfTarget)})
		for _, dim := range Dimensions {
			d, ok := ind.Disaggregations[dim]
			if !ok {
				continue
			}
			for _, c := range DimensionCategories(r, dim) {
				rows = append(rows, []any{ind.Code, name, w.T("report.unit." + ind.Unit), w.T("report.dimension." + dim), CategoryName(w, dim, c), "", "", ReportValue(ind.Unit, d[c]), ""})
			}
		}
	}
	return sheets.WriteCSV(out, rows)
}
