package mentoring_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// exportFixture records three sessions in March 2026 (and one in February)
// for ini-a in Mongua and ini-b in Segovia.
func exportFixture(t *testing.T) *mentoring.Service {
	t.Helper()
	svc, _ := newService(t)
	day := func(d int, m time.Month) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	inputs := []mentoring.SessionInput{
		{InitiativeIDs: []string{"ini-a"}, Date: day(2, time.March), DurationMinutes: 90, Modality: "visit",
			Topics: []string{"accounting", "marketing"}, Participants: mentoring.Participants{Women: 5, Men: 2, Youth: 3, Adults: 4},
			Agreements: []mentoring.AgreementInput{{Text: "Llevar el registro de ventas", Owner: "Rosa", Due: day(20, time.March)}}},
		{InitiativeIDs: []string{"ini-a", "ini-b"}, Date: day(5, time.March), DurationMinutes: 120, Modality: "workshop",
			Topics: []string{"accounting"}, Participants: mentoring.Participants{Women: 4, Men: 4, Youth: 2, Adults: 6}},
		{InitiativeIDs: []string{"ini-b"}, Date: day(8, time.March), DurationMinutes: 45, Modality: "virtual",
			Topics: []string{"marketing"}, Participants: mentoring.Participants{Women: 1, Men: 1, Youth: 0, Adults: 2}},
		{InitiativeIDs: []string{"ini-a"}, Date: day(1, time.February), DurationMinutes: 30, Modality: "phone",
			Topics: []string{"formalization"}, Participants: mentoring.Participants{Women: 9, Men: 9, Youth: 9, Adults: 9}},
	}
	for _, in := range inputs {
		if _, _, err := svc.Create(t.Context(), adviser, in); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

func municipalities(id string) (string, string, error) {
	switch id {
	case "ini-a":
		return "Mongua", "Boyacá", nil
	case "ini-b":
		return "Segovia", "Antioquia", nil
	}
	return "", "", fmt.Errorf("initiative %s: %w", id, errs.NotFound)
}

var (
	marchFrom = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	marchTo   = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
)

func TestExportCSV(t *testing.T) {
	svc := exportFixture(t)
	r, err := svc.Export(t.Context(), adviser, marchFrom, marchTo, municipalities)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := mentoring.WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"\uFEFFFecha,Municipio,Departamento,Iniciativa,Modalidad,Temas,Mujeres,Hombres,Jóvenes,Adultos,Minutos",
		"02/03/2026,Mongua,Boyacá,ini-a,visit,accounting;marketing,5,2,3,4,90",
		"05/03/2026,Mongua,Boyacá,ini-a,workshop,accounting,4,4,2,6,120",
		"05/03/2026,Segovia,Antioquia,ini-b,workshop,accounting,4,4,2,6,120",
		"08/03/2026,Segovia,Antioquia,ini-b,virtual,marketing,1,1,0,2,45",
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %q, want %q", i+1, got[i], want[i])
		}
	}
}

func TestExportXLSX(t *testing.T) {
	svc := exportFixture(t)
	r, err := svc.Export(t.Context(), admin, marchFrom, marchTo, municipalities)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := mentoring.WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), "|"), "Sesiones|Resumen por tema y municipio|Compromisos"; got != want {
		t.Fatalf("sheets: got %q, want %q", got, want)
	}
	cells := []struct{ sheet, cell, want string }{
		{"Sesiones", "A1", "Fecha"},
		{"Sesiones", "I1", "Jóvenes"},
		{"Sesiones", "K1", "Minutos"},
		{"Sesiones", "A2", "02/03/2026"},
		{"Sesiones", "B2", "Mongua"},
		{"Sesiones", "C2", "Boyacá"},
		{"Sesiones", "D2", "ini-a"},
		{"Sesiones", "F2", "accounting;marketing"},
		{"Sesiones", "G2", "5"},
		{"Sesiones", "J2", "4"},
		{"Sesiones", "K2", "90"},
		{"Sesiones", "B4", "Segovia"},
		{"Sesiones", "A6", ""},
		{"Resumen por tema y municipio", "A1", "Tema"},
		{"Resumen por tema y municipio", "D1", "Sesiones"},
		{"Resumen por tema y municipio", "A2", "accounting"},
		{"Resumen por tema y municipio", "B2", "Mongua"},
		{"Resumen por tema y municipio", "D2", "2"},
		{"Resumen por tema y municipio", "E2", "9"},
		{"Resumen por tema y municipio", "F2", "6"},
		{"Resumen por tema y municipio", "G2", "5"},
		{"Resumen por tema y municipio", "H2", "10"},
		{"Resumen por tema y municipio", "B3", "Segovia"},
		{"Resumen por tema y municipio", "D3", "1"},
		{"Resumen por tema y municipio", "A5", "marketing"},
		{"Resumen por tema y municipio", "B5", "Segovia"},
		{"Resumen por tema y municipio", "E5", "1"},
		{"Resumen por tema y municipio", "A6", ""},
		{"Compromisos", "A1", "Sesión"},
		{"Compromisos", "C1", "Compromiso"},
		{"Compromisos", "B2", "ini-a"},
		{"Compromisos", "C2", "Llevar el registro de ventas"},
		{"Compromisos", "D2", "Rosa"},
		{"Compromisos", "E2", "20/03/2026"},
		{"Compromisos", "F2", "open"},
		{"Compromisos", "A3", ""},
	}
	for _, c := range cells {
		got, err := f.GetCellValue(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s!%s: got %q, want %q", c.sheet, c.cell, got, c.want)
		}
	}
	if got, _ := f.GetCellValue("Compromisos", "A2"); got == "" || got != r.Sessions[0].SessionID {
		t.Errorf("Compromisos!A2: got %q, want the first session's id", got)
	}
}

func TestExportReadRules(t *testing.T) {
	svc := exportFixture(t)
	r, err := svc.Export(t.Context(), adviserA, marchFrom, marchTo, municipalities)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sessions) != 2 || r.Sessions[0].InitiativeID != "ini-a" || r.Sessions[1].InitiativeID != "ini-a" {
		t.Fatalf("adviser of ini-a: got %+v, want its two sessions", r.Sessions)
	}
	if _, err := svc.Export(t.Context(), producA, marchFrom, marchTo, municipalities); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("producer: got %v, want forbidden", err)
	}
	if _, err := svc.Export(t.Context(), nil, marchFrom, marchTo, municipalities); !errors.Is(err, errs.Unauthenticated) {
		t.Fatalf("anonymous: got %v, want unauthenticated", err)
	}
}
