package frontend

import (
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/progress"
)

// The indicators page, its API and the donor report tell the same numbers:
// a fair sale and a workshop of this quarter show on the page, in the JSON
// and in the workbook's cells; the admin sets a target on the page and sees
// the percent; a producer may see none of it.
func TestIndicatorsPageAndDonorReport(t *testing.T) {
	env := newProducerEnv(t)
	sellBreadAtAFair(t, env, 4)
	if _, _, err := env.mentoring.Create(t.Context(), accounts.System, mentoring.SessionInput{InitiativeIDs: []string{env.bakery.ID}, Date: time.Now(),
		DurationMinutes: 90, Modality: "workshop", Topics: []string{"accounting", "marketing"},
		Participants: mentoring.Participants{Women: 9, Men: 3, Youth: 5, Adults: 7}}); err != nil {
		t.Fatal(err)
	}
	env.person(t, "coordinacion@tesoro.test", "Coordinación", accounts.RoleAdmin)
	admin := env.signedIn(t, "coordinacion@tesoro.test")
	period := progress.CurrentQuarter(time.Now())

	res, body := admin.get(t, "/api/v1/indicators?period="+period)
	wantStatus(t, "indicators", res, 200, body)
	var r progress.IndicatorReport
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	actual := map[string]int64{}
	for _, ind := range r.Indicators {
		if ind.Actual != nil {
			actual[ind.Code] = *ind.Actual
		}
	}
	if actual["total_sales"] != env.bread.Price.Amount*4 || actual["participants"] != 12 || actual["sessions_held"] != 1 || actual["initiatives_with_sales"] != 1 {
		t.Fatalf("this quarter's actuals %v", actual)
	}

	res, body = admin.get(t, "/asesoria/indicadores?periodo="+period)
	wantStatus(t, "the page", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "the page", text, "Indicadores del programa", "Ventas totales de las iniciativas", "$ 6.000", "Participantes en asesorías",
		"Mujeres", "Jóvenes (14 a 28)", "Descargar informe (Excel)", "Iniciativas al cierre del periodo", "Vendiendo")

	res, xlsx := admin.get(t, "/api/v1/reports/donor?period="+period+"&format=xlsx")
	wantStatus(t, "the workbook", res, 200, "")
	wb, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Indicadores")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Código", "Indicador", "Unidad", "Sentido", "Línea base", "Fecha línea base", "Meta", "Real", "% de la meta", "Nota"}; strings.Join(rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("the header %v", rows[0])
	}
	for _, row := range rows[1:] {
		ind := r.Indicators[slicesIndex(r.Indicators, row[0])]
		want := ""
		if ind.Actual != nil {
			want = strconv.FormatInt(progress.ReportValue(ind.Unit, *ind.Actual), 10)
		}
		if got := cell(row, 7); got != want {
			t.Errorf("%s: the workbook says %q, the API %q", row[0], got, want)
		}
	}
	sex, _ := wb.GetRows("Por sexo")
	// The participants, then the people trained and in training (none here).
	if len(sex) != 4 || strings.Join(sex[1], "|") != "participants|Participantes en asesorías|9|3" || sex[2][0] != "people_trained" {
		t.Errorf("by sex: %v", sex)
	}

	// A target set on the page shows as a percent.
	res, _ = admin.post(t, "/asesoria/indicadores/initiatives_with_sales", url.Values{"period": {period}, "unit": {"count"}, "target": {"4"}})
	wantRedirect(t, "a target", res, "/asesoria/indicadores?periodo="+period+"&aviso=indicador-guardado")
	_, body = admin.get(t, "/asesoria/indicadores?periodo="+period+"&aviso=indicador-guardado")
	wantText(t, "with a target", html.UnescapeString(body), "Guardamos el indicador.", "de 4 (meta)", "25 %")
	admin.get(t, "/asesoria/indicadores?periodo="+period)
	res, body = admin.post(t, "/asesoria/indicadores/families_saving", url.Values{"period": {period}, "unit": {"count"}, "actual": {"12"}})
	wantStatus(t, "a manual value without its source", res, 422, body)
	wantText(t, "a manual value without its source", html.UnescapeString(body), "Diga de dónde sale el valor")

	if res, _ := env.signedIn(t, "rosa@tesoro.test").get(t, "/asesoria/indicadores"); res.StatusCode != 403 {
		t.Errorf("a producer on the indicators: %d, want 403", res.StatusCode)
	}
	wantEveryMessage(t, admin, "/asesoria/indicadores")
}

func slicesIndex(list []progress.Indicator, code string) int {
	for i, ind := range list {
		if ind.Code == code {
			return i
		}
	}
	return -1
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}
