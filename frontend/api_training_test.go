package frontend

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// trainingMember adds a member to the target initiative.
func (f *matrixFixture) trainingMember(t *testing.T, name string) catalog.Member {
	t.Helper()
	m, err := f.env.catalog.AddMember(t.Context(), accounts.System, f.target, catalog.Member{Name: name, Sex: "female", AgeGroup: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// trainingCourse is a course (recorded by the programme) with the target
// initiative taking part and one of its members enrolled.
func (f *matrixFixture) trainingCourse(t *testing.T) (programme.Course, programme.Enrolment) {
	t.Helper()
	c, err := f.env.training.CreateCourse(t.Context(), accounts.System, programme.CourseInput{Partner: "sena", Name: "Manipulación de alimentos",
		Area: "gastronomy", Hours: 40, StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", InitiativeIDs: []string{f.target}})
	if err != nil {
		t.Fatal(err)
	}
	m := f.trainingMember(t, "Rosa Elvira Cárdenas")
	e, err := f.env.training.Enrol(t.Context(), accounts.System, c.ID, programme.EnrolmentInput{Kind: programme.KindMember, InitiativeID: f.target, MemberID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	return c, e
}

// trainingCertificate attaches a PDF certificate to an enrolment.
func (f *matrixFixture) trainingCertificate(t *testing.T, course, enrolment string) {
	t.Helper()
	if _, err := f.env.training.AttachCertificate(t.Context(), accounts.System, course, enrolment,
		mentoring.Upload{Name: "certificado.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 certificado")}); err != nil {
		t.Fatal(err)
	}
}

// The training records through the API: a course recorded by an adviser,
// members enrolled, a named minor refused with 422, a minors' count line,
// statuses, a certificate up and down, and the counts of the period (also
// in the indicators).
func TestTrainingAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	ini := createInitiative(t, env.catalog, "Panadería La Monguana", "Mongua")
	other := createInitiative(t, env.catalog, "Arepas Segovianas", "Segovia")
	rosa, _ := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Rosa Elvira Cárdenas", Sex: "female", AgeGroup: "adult", BirthYear: 1980})
	luz, _ := env.catalog.AddMember(t.Context(), accounts.System, ini.ID, catalog.Member{Name: "Luz Dary Pérez", Sex: "female", AgeGroup: "youth"})
	jorge, _ := env.catalog.AddMember(t.Context(), accounts.System, other.ID, catalog.Member{Name: "Jorge Mesa", Sex: "male", AgeGroup: "adult"})
	_, adviser := env.user(t, "asesora@example.co", []string{accounts.RoleAdviser}, ini.ID)
	_, producer := env.user(t, "rosa@example.co", []string{accounts.RoleProducer}, ini.ID)
	_, admin := env.user(t, "admin@example.co", []string{accounts.RoleAdmin})
	// A member's birth year that may be a minor's is refused by the catalog.
	res, body := env.do(t, request(http.MethodPost, "/api/v1/initiatives/"+ini.ID+"/members", `{"name": "Yurani", "sex": "female", "age_group": "youth", "birth_year": 2012}`, adviser))
	if res.StatusCode != 422 || !strings.Contains(body, "birth_year") {
		t.Fatalf("a minor's birth year: %d %s", res.StatusCode, body)
	}
	res, body = env.do(t, request(http.MethodPost, "/api/v1/courses", `{"partner": "sena", "name": "Manipulación de alimentos", "area": "gastronomy",
		"hours": 40, "starts_on": "2026-07-06", "ends_on": "2026-08-14", "municipality": "mongua", "venue": "Casa de la cultura", "initiative_ids": ["`+ini.ID+`"]}`, adviser))
	if res.StatusCode != 201 {
		t.Fatalf("course: %d %s", res.StatusCode, body)
	}
	var course programme.Course
	_ = json.Unmarshal([]byte(body), &course)
	if course.Municipality != "Mongua" || course.Department != "Boyacá" {
		t.Errorf("the course's place: %+v", course)
	}
	enrol := func(token, b string) (*http.Response, string) {
		return env.do(t, request(http.MethodPost, "/api/v1/courses/"+course.ID+"/enrolments", b, token))
	}
	// Minors are never named.
	for _, b := range []string{
		`{"kind": "member", "initiative_id": "` + ini.ID + `", "member_id": "` + luz.ID + `", "under_18": true}`,
		`{"kind": "member", "initiative_id": "` + ini.ID + `", "member_id": "` + luz.ID + `", "birth_year": 2011}`,
	} {
		res, body = enrol(adviser, b)
		if res.StatusCode != 422 {
			t.Fatalf("a named minor: %d %s", res.StatusCode, body)
		}
		p := decodeProblem(t, res, body)
		if len(p.Errors) == 0 || p.Errors[0].Field != "under_18" || p.Errors[0].Code != errs.CodeNotAllowed || !strings.Contains(p.Errors[0].Message, "count line") {
			t.Errorf("the refusal says %+v", p.Errors)
		}
	}
	if res, body = enrol(adviser, `{"kind": "count", "name": "Camila", "sex": "female", "minors": true, "count": 5}`); res.StatusCode != 400 && res.StatusCode != 422 {
		t.Errorf("a count line with a name: %d %s", res.StatusCode, body)
	}
	if res, body = enrol(adviser, `{"kind": "member", "initiative_id": "`+other.ID+`", "member_id": "`+jorge.ID+`"}`); res.StatusCode != 403 {
		t.Errorf("another initiative's member: %d %s", res.StatusCode, body)
	}
	var rosaEnrolment programme.Enrolment
	for _, b := range []string{
		`{"kind": "member", "initiative_id": "` + ini.ID + `", "member_id": "` + rosa.ID + `"}`,
		`{"kind": "member", "initiative_id": "` + ini.ID + `", "member_id": "` + luz.ID + `", "status": "dropped"}`,
		`{"kind": "count", "sex": "female", "minors": true, "count": 5, "status": "completed"}`,
		`{"kind": "count", "sex": "male", "minors": true, "count": 3, "status": "completed"}`,
	} {
		res, body = enrol(adviser, b)
		if res.StatusCode != 201 {
			t.Fatalf("enrol %s: %d %s", b, res.StatusCode, body)
		}
		if rosaEnrolment.ID == "" {
			_ = json.Unmarshal([]byte(body), &rosaEnrolment)
		}
	}
	if rosaEnrolment.Name != "Rosa Elvira Cárdenas" {
		t.Errorf("Rosa's enrolment %+v", rosaEnrolment)
	}
	res, body = env.do(t, request(http.MethodPatch, "/api/v1/courses/"+course.ID+"/enrolments/"+rosaEnrolment.ID, `{"status": "completed"}`, adviser))
	if res.StatusCode != 200 || !strings.Contains(body, `"completed"`) {
		t.Fatalf("status: %d %s", res.StatusCode, body)
	}
	// The certificate: a PDF up, the same bytes down, to the producer too.
	pdf := []byte("%PDF-1.4\n% certificado SENA\n")
	res, body = env.do(t, uploadRequest(t, "/api/v1/courses/"+course.ID+"/enrolments/"+rosaEnrolment.ID+"/certificate", "certificado.pdf", pdf, producer))
	if res.StatusCode != 201 {
		t.Fatalf("certificate: %d %s", res.StatusCode, body)
	}
	res, body = env.do(t, uploadRequest(t, "/api/v1/courses/"+course.ID+"/enrolments/"+rosaEnrolment.ID+"/certificate", "notas.txt", []byte("hola"), producer))
	if res.StatusCode != 415 {
		t.Errorf("a text file as certificate: %d %s", res.StatusCode, body)
	}
	res, body = env.get(t, "/api/v1/courses/"+course.ID+"/enrolments/"+rosaEnrolment.ID+"/certificate", "Authorization", "Bearer "+producer)
	if res.StatusCode != 200 || body != string(pdf) || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("certificate download: %d %q %v", res.StatusCode, body, res.Header)
	}
	// The producer sees her members, not the count lines.
	res, body = env.get(t, "/api/v1/courses/"+course.ID, "Authorization", "Bearer "+producer)
	var seen programme.Course
	_ = json.Unmarshal([]byte(body), &seen)
	if res.StatusCode != 200 || len(seen.Enrolments) != 2 {
		t.Errorf("the producer's course: %d %s", res.StatusCode, body)
	}
	res, body = env.get(t, "/api/v1/courses?limit=5", "Authorization", "Bearer "+producer)
	if res.StatusCode != 200 || !strings.Contains(body, course.ID) || !strings.Contains(body, `"people":10`) {
		t.Errorf("the producer's courses: %d %s", res.StatusCode, body)
	}
	// The counts, and the indicators that show them.
	res, body = env.get(t, "/api/v1/training/counts?period=2026-Q3", "Authorization", "Bearer "+admin)
	var counts struct {
		Completed struct {
			Total, Minors int64
			By            map[string]map[string]int64
		}
	}
	_ = json.Unmarshal([]byte(body), &counts)
	if res.StatusCode != 200 || counts.Completed.Total != 9 || counts.Completed.Minors != 8 ||
		counts.Completed.By["sex"]["women"] != 6 || counts.Completed.By["sex"]["men"] != 3 || counts.Completed.By["partner"]["sena"] != 9 ||
		counts.Completed.By["area"]["gastronomy"] != 9 || counts.Completed.By["municipality"]["Mongua"] != 9 || counts.Completed.By["age_group"]["youth"] != 8 {
		t.Errorf("counts: %d %s", res.StatusCode, body)
	}
	res, body = env.get(t, "/api/v1/indicators?period=2026-Q3", "Authorization", "Bearer "+admin)
	if res.StatusCode != 200 || !strings.Contains(body, `"code":"people_trained"`) {
		t.Fatalf("indicators: %d %.300s", res.StatusCode, body)
	}
	var report struct {
		Items []struct {
			Code            string
			Actual          *int64
			Disaggregations map[string]map[string]int64
		}
	}
	_ = json.Unmarshal([]byte(body), &report)
	for _, ind := range report.Items {
		if ind.Code == "people_trained" && (ind.Actual == nil || *ind.Actual != 9 || ind.Disaggregations["partner"]["sena"] != 9 || ind.Disaggregations["sex"]["women"] != 6) {
			t.Errorf("people_trained: %+v", ind)
		}
	}
	res, body = env.get(t, "/api/v1/reports/donor?period=2026-Q3&format=csv", "Authorization", "Bearer "+admin)
	if res.StatusCode != 200 || !strings.Contains(body, "people_trained") || !strings.Contains(body, "Aliado,SENA,,,9") {
		t.Errorf("the donor report: %d %.600s", res.StatusCode, body)
	}
}
