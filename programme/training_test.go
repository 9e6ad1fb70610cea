package programme

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// trainingFixture: two initiatives with members, an adviser of each, a
// producer of the first, the service on a fresh database.
type trainingFixture struct {
	t                        *Training
	db                       any
	members                  map[string][]catalog.Member
	admin, advA, advB, prodA *accounts.Principal
	objects                  storage.ObjectStore
}

func newTrainingFixture(t *testing.T) *trainingFixture {
	t.Helper()
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &trainingFixture{objects: objects, members: map[string][]catalog.Member{
		"ini-a": {
			{ID: "rosa", Name: "Rosa Elvira Cárdenas", Sex: "female", AgeGroup: "adult", BirthYear: 1980},
			{ID: "luz", Name: "Luz Dary Pérez", Sex: "female", AgeGroup: "youth"},
			{ID: "jorge", Name: "Jorge Mesa", Sex: "male", AgeGroup: "adult"},
			{ID: "old", Name: "Registro antiguo", Sex: "male", AgeGroup: "youth", BirthYear: 2011}, // before the rule
		},
		"ini-b": {
			{ID: "ana", Name: "Ana Milena Ruiz", Sex: "female", AgeGroup: "youth"},
			{ID: "pedro", Name: "Pedro Gil", Sex: "male", AgeGroup: "youth"},
		},
	}}
	now := time.Date(2026, 8, 20, 10, 0, 0, 0, colombia.Zone)
	f.t = NewTraining(db, TrainingOptions{Clock: func() time.Time { return now }, Objects: objects,
		Members: func(_ context.Context, ini string) ([]catalog.Member, error) {
			m, ok := f.members[ini]
			if !ok {
				return nil, fmt.Errorf("initiative %s: %w", ini, errs.NotFound)
			}
			return m, nil
		}})
	f.db = db
	f.admin = &accounts.Principal{UserID: "u-admin", Roles: []string{accounts.RoleAdmin}}
	f.advA = &accounts.Principal{UserID: "u-adv-a", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a"}}
	f.advB = &accounts.Principal{UserID: "u-adv-b", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-b"}}
	f.prodA = &accounts.Principal{UserID: "u-prod-a", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-a"}}
	return f
}

func (f *trainingFixture) course(t *testing.T, p *accounts.Principal, in CourseInput) Course {
	t.Helper()
	c, err := f.t.CreateCourse(t.Context(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *trainingFixture) enrol(t *testing.T, p *accounts.Principal, course string, in EnrolmentInput) Enrolment {
	t.Helper()
	e, err := f.t.Enrol(t.Context(), p, course, in)
	if err != nil {
		t.Fatalf("enrol %+v: %v", in, err)
	}
	return e
}

func fieldCode(err error, field string) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			if fe.Field == field {
				return fe.Code
			}
		}
	}
	return ""
}

// The counts of a fixture of three courses: people completed (courses
// ended in the period) and enrolled (courses running then) by sex, age
// group, partner, area, municipality and department; minors counted in a
// line with no name; nothing read but by _id.
func TestTrainingCounts(t *testing.T) {
	f := newTrainingFixture(t)
	ctx := t.Context()
	var q3, year, q2 progress.TrainedCounts
	scans := storagetest.ScansDuring(f.t.courses.Database(), func() {
		food := f.course(t, f.advA, CourseInput{Partner: "sena", Name: "Manipulación de alimentos", Area: "gastronomy", Hours: 40,
			StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "mongua", Venue: "Casa de la cultura", InitiativeIDs: []string{"ini-a"}})
		beauty := f.course(t, f.advB, CourseInput{Partner: "comfaboy", Name: "Belleza y peluquería", Area: "beauty", Hours: 120,
			StartsOn: "2026-05-04", EndsOn: "2026-09-25", Municipality: "Sogamoso", Venue: "Sede COMFABOY", InitiativeIDs: []string{"ini-b"}})
		computers := f.course(t, f.admin, CourseInput{Partner: "censa", Name: "Sistemas básicos", Area: "computers", Hours: 60,
			StartsOn: "2026-04-06", EndsOn: "2026-06-30", Municipality: "Segovia", InitiativeIDs: []string{"ini-a", "ini-b"}})
		// Food (Q3, Mongua): Rosa and Jorge completed, Luz dropped, 6 girls under 18 completed.
		for _, m := range []struct{ id, status string }{{"rosa", "completed"}, {"jorge", "completed"}, {"luz", "dropped"}} {
			f.enrol(t, f.advA, food.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: m.id, Status: m.status})
		}
		f.enrol(t, f.advA, food.ID, EnrolmentInput{Kind: KindCount, Sex: "female", Minors: true, Count: 6, Status: "completed"})
		// Beauty (Q2 to Q3, ends in September): Ana and Pedro enrolled, 3 adult women counted.
		ana := f.enrol(t, f.advB, beauty.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-b", MemberID: "ana"})
		f.enrol(t, f.advB, beauty.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-b", MemberID: "pedro"})
		line := f.enrol(t, f.advB, beauty.ID, EnrolmentInput{Kind: KindCount, Sex: "female", AgeGroup: "adult", Count: 3})
		// Ana completes; the line grows to 4.
		done, completed4 := EnrolCompleted, 4
		if _, err := f.t.UpdateEnrolment(ctx, f.advB, beauty.ID, ana.ID, EnrolmentUpdate{Status: &done}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.t.UpdateEnrolment(ctx, f.advB, beauty.ID, line.ID, EnrolmentUpdate{Count: &completed4}); err != nil {
			t.Fatal(err)
		}
		// Computers (Q2, Segovia): Luz and Pedro completed.
		f.enrol(t, f.admin, computers.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "luz", Status: "completed"})
		f.enrol(t, f.admin, computers.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-b", MemberID: "pedro", Status: "completed"})
		var err error
		if q3, err = f.t.Counts(ctx, f.admin, "2026-Q3"); err != nil {
			t.Fatal(err)
		}
		if q2, err = f.t.Counts(ctx, f.admin, "2026-Q2"); err != nil {
			t.Fatal(err)
		}
		if year, err = f.t.Counts(ctx, f.admin, "2026"); err != nil {
			t.Fatal(err)
		}
	})
	if len(scans) > 0 {
		t.Fatalf("training scanned collections: %+v", scans)
	}
	check := func(name string, got progress.TrainedFigures, total, minors int64, want map[string]map[string]int64) {
		t.Helper()
		if got.Total != total || got.Minors != minors {
			t.Errorf("%s: total %d (minors %d), want %d (%d)", name, got.Total, got.Minors, total, minors)
		}
		for dim, cats := range want {
			for c, n := range cats {
				if got.By[dim][c] != n {
					t.Errorf("%s by %s: %s = %d, want %d (all: %v)", name, dim, c, got.By[dim][c], n, got.By[dim])
				}
			}
		}
	}
	// Q3: food ended (Rosa, Jorge, 6 girls completed); beauty ends in
	// September (Ana completed): 8 women (Rosa, the girls, Ana), Jorge.
	check("Q3 completed", q3.Completed, 9, 6, map[string]map[string]int64{
		progress.DimSex:          {"women": 8, "men": 1},
		progress.DimAgeGroup:     {"youth": 7, "adults": 2},
		progress.DimPartner:      {"sena": 8, "comfaboy": 1},
		progress.DimArea:         {"gastronomy": 8, "beauty": 1},
		progress.DimMunicipality: {"Mongua": 8, "Sogamoso": 1},
		progress.DimDepartment:   {"Boyacá": 9},
	})
	// Enrolled in Q3: food 8 (Luz dropped), beauty Ana, Pedro and 4 women = 14.
	check("Q3 enrolled", q3.Enrolled, 14, 6, map[string]map[string]int64{
		progress.DimSex:      {"women": 12, "men": 2},
		progress.DimAgeGroup: {"youth": 8, "adults": 6},
		progress.DimPartner:  {"sena": 8, "comfaboy": 6},
	})
	check("Q3 dropped", q3.Dropped, 1, 0, map[string]map[string]int64{progress.DimSex: {"women": 1}})
	if q3.Courses != 2 {
		t.Errorf("Q3 courses %d, want 2", q3.Courses)
	}
	// Q2: computers ended in Segovia (Luz, Pedro); beauty ran but did not end.
	check("Q2 completed", q2.Completed, 2, 0, map[string]map[string]int64{
		progress.DimMunicipality: {"Segovia": 2}, progress.DimDepartment: {"Antioquia": 2},
		progress.DimPartner: {"censa": 2}, progress.DimArea: {"computers": 2}, progress.DimSex: {"women": 1, "men": 1},
	})
	// The year counts each course once.
	check("2026 completed", year.Completed, 11, 6, map[string]map[string]int64{
		progress.DimDepartment: {"Boyacá": 9, "Antioquia": 2}, progress.DimAgeGroup: {"youth": 9, "adults": 2},
	})
	if year.Courses != 3 {
		t.Errorf("2026 courses %d, want 3", year.Courses)
	}
	// An adviser counts her initiatives' members and the count lines of
	// the courses she may edit: advA sees food (all of it) and Luz in computers.
	mine, err := f.t.Counts(ctx, f.advA, "2026")
	if err != nil {
		t.Fatal(err)
	}
	check("advA 2026 completed", mine.Completed, 9, 6, nil)
	if _, err := f.t.Counts(ctx, f.prodA, "2026"); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer's counts: %v, want forbidden", err)
	}
	if _, err := f.t.Counts(ctx, f.admin, "2026-Q5"); fieldCode(err, "period") == "" {
		t.Errorf("a bad period: %v", err)
	}
}

// Minors are counted, never named: a named enrolment flagged under 18, or
// with a birth year that may be a minor's (given, or the member's), is
// refused with a field error; a count line holds no name.
func TestTrainingRefusesMinorsNamed(t *testing.T) {
	f := newTrainingFixture(t)
	ctx := t.Context()
	c := f.course(t, f.advA, CourseInput{Partner: "sena", Name: "Manipulación de alimentos", Area: "gastronomy", Hours: 40,
		StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", InitiativeIDs: []string{"ini-a"}})
	for _, in := range []EnrolmentInput{
		{Kind: KindMember, InitiativeID: "ini-a", MemberID: "luz", Under18: true},
		{Kind: KindMember, InitiativeID: "ini-a", MemberID: "luz", BirthYear: 2010},
		{Kind: KindMember, InitiativeID: "ini-a", MemberID: "luz", BirthYear: 2008}, // 17 or 18 this year: may be a minor
		{Kind: KindMember, InitiativeID: "ini-a", MemberID: "old"},                  // the member's own birth year
	} {
		_, err := f.t.Enrol(ctx, f.advA, c.ID, in)
		if fieldCode(err, "under_18") != errs.CodeNotAllowed || errs.KindOf(err) != errs.Invalid {
			t.Errorf("named minor %+v: %v, want under_18 not_allowed", in, err)
		}
	}
	line := f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindCount, Sex: "male", Minors: true, Count: 4})
	if line.Name != "" || line.MemberID != "" || line.AgeGroup != "youth" || !line.Minors {
		t.Errorf("minors' line %+v", line)
	}
	if _, err := f.t.AttachCertificate(ctx, f.advA, c.ID, line.ID, mentoring.Upload{Name: "lista.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4")}); fieldCode(err, "file") != errs.CodeNotAllowed {
		t.Errorf("a certificate on a count line: %v, want refused", err)
	}
	adult := f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "rosa", BirthYear: 1980})
	if adult.Name != "Rosa Elvira Cárdenas" {
		t.Errorf("the adult's enrolment %+v", adult)
	}
	got, err := f.t.Course(ctx, f.admin, c.ID)
	if err != nil || len(got.Enrolments) != 2 {
		t.Fatalf("course %+v %v", got, err)
	}
}

// Who may do what; producers see their own members' enrolments only; the
// lists follow a course moved to another quarter; a member who leaves is
// forgotten with her certificate.
func TestTrainingAccessListsAndForgetting(t *testing.T) {
	f := newTrainingFixture(t)
	ctx := t.Context()
	if _, err := f.t.CreateCourse(ctx, f.prodA, CourseInput{}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer recording a course: %v", err)
	}
	if _, err := f.t.CreateCourse(ctx, f.advA, CourseInput{Partner: "sena", Name: "Electricidad", Area: "electricity", Hours: 80,
		StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Tópaga", InitiativeIDs: []string{"ini-b"}}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an adviser naming another's initiative: %v", err)
	}
	_, err := f.t.CreateCourse(ctx, f.advA, CourseInput{Partner: "nadie", Name: "x", Area: "magic", StartsOn: "2026-09-01", EndsOn: "2026-08-01", Municipality: "Bogotá"})
	for _, field := range []string{"partner", "name", "area", "hours", "ends_on", "municipality"} {
		if fieldCode(err, field) == "" {
			t.Errorf("no error for %s: %v", field, err)
		}
	}
	c := f.course(t, f.admin, CourseInput{Partner: "pact", Name: "Contabilidad básica", Area: "business", Hours: 20,
		StartsOn: "2026-07-06", EndsOn: "2026-07-31", Municipality: "Gámeza", InitiativeIDs: []string{"ini-a", "ini-b"}})
	rosa := f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "rosa"})
	f.enrol(t, f.advB, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-b", MemberID: "ana"})
	f.enrol(t, f.admin, c.ID, EnrolmentInput{Kind: KindCount, Sex: "female", AgeGroup: "adult", Count: 2})
	if _, err := f.t.Enrol(ctx, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "rosa"}); !errors.Is(err, errs.Conflict) {
		t.Errorf("enrolling Rosa twice: %v", err)
	}
	if _, err := f.t.Enrol(ctx, f.advB, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "jorge"}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative's adviser enrolling: %v", err)
	}
	if _, err := f.t.Enrol(ctx, f.prodA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "jorge"}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer enrolling: %v", err)
	}
	mine, err := f.t.Course(ctx, f.prodA, c.ID)
	if err != nil || len(mine.Enrolments) != 1 || mine.Enrolments[0].Name != "Rosa Elvira Cárdenas" {
		t.Errorf("the producer sees %+v (%v), want Rosa only", mine.Enrolments, err)
	}
	adv, _ := f.t.Course(ctx, f.advB, c.ID)
	if len(adv.Enrolments) != 2 { // Ana and the count line
		t.Errorf("adviser B sees %+v", adv.Enrolments)
	}
	// The producer attaches Rosa's certificate and reads it back.
	if _, err := f.t.AttachCertificate(ctx, f.prodA, c.ID, rosa.ID, mentoring.Upload{Name: "certificado.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 Rosa")}); err != nil {
		t.Fatal(err)
	}
	cert, r, _, err := f.t.OpenCertificate(ctx, f.prodA, c.ID, rosa.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, _, _, err := f.t.OpenCertificate(ctx, f.advB, c.ID, rosa.ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative's adviser reading Rosa's certificate: %v", err)
	}
	// Lists: newest first; the producer's list has her initiatives' courses.
	older := f.course(t, f.admin, CourseInput{Partner: "mi_sangre", Name: "Artesanías en fique", Area: "crafts", Hours: 30,
		StartsOn: "2026-02-02", EndsOn: "2026-03-20", Municipality: "Zaragoza"})
	var page CoursePage
	scans := storagetest.ScansDuring(f.t.courses.Database(), func() {
		page, err = f.t.Courses(ctx, f.advA, "", "", 10)
	})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != c.ID || page.Items[0].People != 4 {
		t.Fatalf("the courses %+v (%v)", page.Items, err)
	}
	if len(scans) > 0 {
		t.Errorf("the list scanned: %+v", scans)
	}
	prodPage, _ := f.t.Courses(ctx, f.prodA, "", "", 10)
	if len(prodPage.Items) != 1 {
		t.Errorf("the producer's courses %+v", prodPage.Items)
	}
	// Moved to the next year's first quarter, the course leaves Q3's counts.
	start, end := "2027-01-11", "2027-02-26"
	if _, err := f.t.UpdateCourse(ctx, f.advB, older.ID, CourseUpdate{StartsOn: &start}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an adviser editing a course of none of hers: %v", err)
	}
	if _, err := f.t.UpdateCourse(ctx, f.advA, c.ID, CourseUpdate{StartsOn: &start, EndsOn: &end}); err != nil {
		t.Fatal(err)
	}
	q3, _ := f.t.Counts(ctx, f.admin, "2026-Q3")
	q1, _ := f.t.Counts(ctx, f.admin, "2027-Q1")
	if q3.Enrolled.Total != 0 || q1.Enrolled.Total != 4 {
		t.Errorf("after the move: Q3 %d, 2027-Q1 %d enrolled, want 0 and 4", q3.Enrolled.Total, q1.Enrolled.Total)
	}
	// Rosa leaves the initiative: her enrolment keeps only the counts.
	if err := f.t.ForgetMember(ctx, "ini-a", "rosa"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.t.Course(ctx, f.admin, c.ID)
	for _, e := range got.Enrolments {
		if e.ID == rosa.ID && (e.MemberID != "" || e.Name != "" || e.Certificate != nil || !e.Forgotten) {
			t.Errorf("Rosa's enrolment after she left: %+v", e)
		}
	}
	if _, _, err := f.objects.Get(ctx, "private/training/"+c.ID+"/"+rosa.ID+"/"+cert.ID+".pdf"); !errors.Is(err, errs.NotFound) {
		t.Errorf("her certificate is still stored: %v", err)
	}
	q1, _ = f.t.Counts(ctx, f.admin, "2027-Q1")
	if q1.Enrolled.Total != 4 {
		t.Errorf("the counts lost her: %d", q1.Enrolled.Total)
	}
}

// A change cut by a crash after the course was written is relisted by Repair.
func TestTrainingRepair(t *testing.T) {
	f := newTrainingFixture(t)
	ctx := t.Context()
	c := f.course(t, f.admin, CourseInput{Partner: "sena", Name: "Panadería", Area: "gastronomy", Hours: 40,
		StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", InitiativeIDs: []string{"ini-a"}})
	before := courseSummaryOf(&c)
	c.Enrolments = append(c.Enrolments, Enrolment{ID: "e1", Kind: KindCount, Sex: "female", AgeGroup: "adult", Count: 5, Status: EnrolCompleted})
	c.Rev++
	if err := f.t.work.Add(ctx, setRelist, c.ID, before); err != nil {
		t.Fatal(err)
	}
	if _, err := f.t.courses.ReplaceOne(ctx, map[string]any{"_id": c.ID}, c); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.t.Counts(ctx, f.admin, "2026-Q3"); n.Completed.Total != 0 {
		t.Fatalf("counted before the repair: %d", n.Completed.Total)
	}
	if err := f.t.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.t.Counts(ctx, f.admin, "2026-Q3"); n.Completed.Total != 5 {
		t.Errorf("after the repair: %d, want 5", n.Completed.Total)
	}
	if m, _ := f.t.work.Members(ctx, setRelist); len(m) != 0 {
		t.Errorf("still marked: %v", m)
	}
}

// An enrolment recorded by mistake is removed by who may change it: it
// leaves the course, its list entry and the counts, its certificate is
// deleted, and the member can be enrolled again.
func TestTrainingRemoveEnrolment(t *testing.T) {
	f := newTrainingFixture(t)
	ctx := t.Context()
	c := f.course(t, f.admin, CourseInput{Partner: "sena", Name: "Manipulación de alimentos", Area: "gastronomy", Hours: 40,
		StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", InitiativeIDs: []string{"ini-a", "ini-b"}})
	jorge := f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "jorge"})
	f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "rosa"})
	line := f.enrol(t, f.admin, c.ID, EnrolmentInput{Kind: KindCount, Sex: "male", Minors: true, Count: 3})
	cert, err := f.t.AttachCertificate(ctx, f.advA, c.ID, jorge.ID, mentoring.Upload{Name: "c.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 Jorge")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who  *accounts.Principal
		id   string
		want error
	}{
		{f.prodA, jorge.ID, errs.Forbidden}, // a producer only reads and attaches
		{f.advB, jorge.ID, errs.Forbidden},  // another initiative's adviser
		{f.advA, "no-such", errs.NotFound},
	} {
		if err := f.t.RemoveEnrolment(ctx, tc.who, c.ID, tc.id); !errors.Is(err, tc.want) {
			t.Errorf("%s removing %s: %v, want %v", tc.who.UserID, tc.id, err, tc.want)
		}
	}
	if got, _ := f.t.Course(ctx, f.admin, c.ID); len(got.Enrolments) != 3 {
		t.Fatalf("refused removals changed the course: %+v", got.Enrolments)
	}
	if err := f.t.RemoveEnrolment(ctx, f.advA, c.ID, jorge.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.t.RemoveEnrolment(ctx, f.admin, c.ID, line.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := f.t.Course(ctx, f.admin, c.ID)
	if len(got.Enrolments) != 1 || got.Enrolments[0].MemberID != "rosa" {
		t.Errorf("after removing Jorge and the line: %+v, want Rosa only", got.Enrolments)
	}
	if _, _, err := f.objects.Get(ctx, cert.Certificate.Key); !errors.Is(err, errs.NotFound) {
		t.Errorf("Jorge's certificate is still stored: %v", err)
	}
	page, _ := f.t.Courses(ctx, f.admin, "", "", 10)
	if len(page.Items) != 1 || page.Items[0].People != 1 {
		t.Errorf("the list after the removals: %+v, want 1 person", page.Items)
	}
	q3, _ := f.t.Counts(ctx, f.admin, "2026-Q3")
	if q3.Enrolled.Total != 1 {
		t.Errorf("Q3 counts %d enrolled, want 1 (Rosa)", q3.Enrolled.Total)
	}
	if err := f.t.RemoveEnrolment(ctx, f.advA, c.ID, jorge.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("removing Jorge twice: %v", err)
	}
	f.enrol(t, f.advA, c.ID, EnrolmentInput{Kind: KindMember, InitiativeID: "ini-a", MemberID: "jorge"})
}
