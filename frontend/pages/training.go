package pages

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/programme"
)

// The partners' courses on a phone (issue #15): advisers and admins list
// them and record new ones (/asesoria/formacion), enrol members of the
// participating initiatives, add count lines (minors are only ever
// counted: Ley 1581 de 2012), change statuses and upload certificates on a
// course's page; producers see their members' training on their
// initiative (/mi-iniciativa/{id}/formacion).

func (s *Pages) routesTraining(app fiber.Router) {
	app.Get("/asesoria/formacion", noStore, s.trainingPage)
	app.Post("/asesoria/formacion", noStore, s.createCourseFromPage)
	app.Get("/asesoria/formacion/:id", noStore, s.coursePage)
	app.Get("/asesoria/formacion/:id/editar", noStore, s.courseEditPage)
	app.Post("/asesoria/formacion/:id/editar", noStore, s.updateCourseFromPage)
	app.Post("/asesoria/formacion/:id/inscripciones", noStore, s.enrolMembersFromPage)
	app.Post("/asesoria/formacion/:id/conteos", noStore, s.addCountLineFromPage)
	app.Post("/asesoria/formacion/:id/inscripciones/:enrolment", noStore, s.enrolmentStatusFromPage)
	app.Post("/asesoria/formacion/:id/inscripciones/:enrolment/certificado", noStore, s.certificateFromPage)
	app.Post("/asesoria/formacion/:id/inscripciones/:enrolment/quitar", noStore, s.removeEnrolmentFromPage)
	app.Get("/mi-iniciativa/:id/formacion", noStore, s.myTrainingPage)
}

func coursePath(id string) string { return "/asesoria/formacion/" + url.PathEscape(id) }

type trainingData struct {
	Courses      []programme.CourseSummary
	Next         string
	Form         *form
	Partners     []string
	Areas        []string
	Places       []catalog.Municipality
	Initiatives  []catalog.Initiative // the ones the visitor may name
	InitiativeOf map[string]string    // id → name
}

// trainingUser is an adviser or an admin, or the sign-in page / 403.
func trainingUser(c *fiber.Ctx) (*accounts.Principal, error) {
	p := kit.Principal(c)
	if p == nil {
		back := c.Path()
		if c.Method() == fiber.MethodGet {
			back = c.OriginalURL()
		}
		return nil, toSignIn(c, back)
	}
	if !programme.CanRecordTraining(p) {
		return nil, fiber.ErrForbidden
	}
	return p, nil
}

func (s *Pages) trainingPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	return s.renderTraining(c, fiber.StatusOK, p, nil)
}

func (s *Pages) renderTraining(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	if s.Training == nil {
		return fiber.ErrServiceUnavailable
	}
	page, err := s.Training.Courses(c.UserContext(), p, "", c.Query("desde"), 20)
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	all, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{})
	if err != nil {
		return err
	}
	d := trainingData{Courses: page.Items, Next: page.Next, Form: f, Partners: programme.Partners, Areas: programme.Areas,
		Places: catalog.Municipalities, InitiativeOf: map[string]string{}}
	for _, in := range all {
		d.InitiativeOf[in.ID] = in.Name
		if p.IsAdmin() || p.Advises(in.ID) {
			d.Initiatives = append(d.Initiatives, in)
		}
	}
	if d.Form == nil {
		d.Form = newForm()
	}
	c.Locals(pageKey, "/asesoria/formacion")
	return s.render(c, status, "training", "training.title", d)
}

var courseFields = map[string]string{"partner": "training.error.partner", "name": "training.error.name", "area": "training.error.area",
	"hours": "training.error.hours", "starts_on": "training.error.starts_on", "ends_on": "training.error.ends_on",
	"municipality": "training.error.municipality", "venue": "training.error.venue", "initiative_ids": "training.error.initiative_ids"}

func (s *Pages) createCourseFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	f, in := courseForm(c)
	course, err := s.Training.CreateCourse(c.UserContext(), p, in)
	if err != nil {
		l := s.tmpl.localizer(c)
		if errors.Is(err, errs.Forbidden) {
			f.Error = l.T("training.error.initiative_ids")
			return s.renderTraining(c, fiber.StatusForbidden, p, f)
		}
		if formFieldErrors(l, f, err, courseFields) {
			return s.renderTraining(c, fiber.StatusUnprocessableEntity, p, f)
		}
		return err
	}
	return c.Redirect(coursePath(course.ID)+"?aviso=curso-guardado", fiber.StatusSeeOther)
}

// courseForm reads the course form: the form to show again, the course sent.
func courseForm(c *fiber.Ctx) (*form, programme.CourseInput) {
	f := newForm()
	for _, k := range []string{"partner", "name", "area", "hours", "starts_on", "ends_on", "municipality", "venue"} {
		f.Values[k] = c.FormValue(k)
	}
	f.Multi["initiative_ids"] = formValues(c, "initiative_ids")
	hours, err := strconv.Atoi(strings.TrimSpace(f.Values["hours"]))
	if err != nil {
		hours = -1 // not a number: the service refuses it with its message
	}
	return f, programme.CourseInput{Partner: f.Values["partner"], Name: f.Values["name"],
		Area: f.Values["area"], Hours: hours, StartsOn: f.Values["starts_on"], EndsOn: f.Values["ends_on"],
		Municipality: f.Values["municipality"], Venue: f.Values["venue"], InitiativeIDs: f.Multi["initiative_ids"]}
}

// courseEditData is the page that corrects a course's details.
type courseEditData struct {
	trainingData
	Course programme.Course
}

func (s *Pages) courseEditPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	return s.renderCourseEdit(c, fiber.StatusOK, p, nil)
}

// renderCourseEdit shows the course's form (f nil: its details as they
// are); the initiatives offered are the visitor's and the course's own.
func (s *Pages) renderCourseEdit(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	if s.Training == nil {
		return fiber.ErrServiceUnavailable
	}
	course, err := s.Training.Course(c.UserContext(), p, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if !programme.CanEditCourse(p, &course) {
		return fiber.ErrForbidden
	}
	all, err := s.Catalog.Initiatives(c.UserContext(), catalog.InitiativeFilter{})
	if err != nil {
		return err
	}
	d := courseEditData{Course: course, trainingData: trainingData{Partners: programme.Partners, Areas: programme.Areas, Places: catalog.Municipalities}}
	for _, in := range all {
		if p.IsAdmin() || p.Advises(in.ID) || slices.Contains(course.InitiativeIDs, in.ID) {
			d.Initiatives = append(d.Initiatives, in)
		}
	}
	if d.Form = f; f == nil {
		d.Form = newForm()
		d.Form.Values = map[string]string{"partner": course.Partner, "name": course.Name, "area": course.Area, "hours": strconv.Itoa(course.Hours),
			"starts_on": course.StartsOn, "ends_on": course.EndsOn, "municipality": course.Municipality, "venue": course.Venue}
		d.Form.Multi["initiative_ids"] = course.InitiativeIDs
	}
	c.Locals(pageKey, coursePath(course.ID))
	return s.render(c, status, "training_course_edit", "training.edit.title", d)
}

func (s *Pages) updateCourseFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	f, in := courseForm(c)
	_, err = s.Training.UpdateCourse(c.UserContext(), p, c.Params("id"), programme.CourseUpdate{Partner: &in.Partner, Name: &in.Name,
		Area: &in.Area, Hours: &in.Hours, StartsOn: &in.StartsOn, EndsOn: &in.EndsOn, Municipality: &in.Municipality, Venue: &in.Venue,
		InitiativeIDs: &in.InitiativeIDs})
	switch {
	case errors.Is(err, errs.NotFound):
		return fiber.ErrNotFound
	case err != nil:
		l := s.tmpl.localizer(c)
		if errors.Is(err, errs.Forbidden) {
			f.Error = l.T("training.error.initiative_ids")
			return s.renderCourseEdit(c, fiber.StatusForbidden, p, f)
		}
		if formFieldErrors(l, f, err, courseFields) {
			var ve *errs.ValidationError
			if errors.As(err, &ve) && slices.ContainsFunc(ve.Fields, func(fe errs.FieldError) bool { return fe.Code == errs.CodeNotAllowed }) {
				f.Errors["initiative_ids"] = l.T("training.error.initiative_enrolled")
			}
			return s.renderCourseEdit(c, fiber.StatusUnprocessableEntity, p, f)
		}
		return err
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=curso-guardado", fiber.StatusSeeOther)
}

type courseData struct {
	Course     programme.Course
	Editable   bool
	Statuses   []string
	Candidate  []candidateMember // members the visitor may enrol, not enrolled yet
	Enrol      *form
	Count      *form
	Problem    string
	Initiative map[string]string
	People     int
	Changeable map[string]bool // enrolment id → the visitor may change or remove it
}

type candidateMember struct {
	InitiativeID, Initiative string
	catalog.Member
}

func (s *Pages) coursePage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	return s.renderCourse(c, fiber.StatusOK, p, courseData{})
}

func (s *Pages) renderCourse(c *fiber.Ctx, status int, p *accounts.Principal, d courseData) error {
	if s.Training == nil {
		return fiber.ErrServiceUnavailable
	}
	course, err := s.Training.Course(c.UserContext(), p, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	d.Course, d.Statuses, d.Initiative = course, programme.EnrolmentStatuses, map[string]string{}
	d.Editable = programme.CanEditCourse(p, &course)
	enrolled := map[string]bool{}
	d.Changeable = map[string]bool{}
	for _, e := range course.Enrolments {
		enrolled[e.InitiativeID+"/"+e.MemberID] = true
		d.People += e.Count
		d.Changeable[e.ID] = programme.CanChangeEnrolment(p, &course, &e)
	}
	for _, ini := range course.InitiativeIDs {
		in, err := s.Catalog.Initiative(c.UserContext(), ini)
		if err != nil {
			continue
		}
		d.Initiative[ini] = in.Name
		if !p.IsAdmin() && !p.Advises(ini) {
			continue
		}
		for _, m := range in.Members {
			if !enrolled[ini+"/"+m.ID] {
				d.Candidate = append(d.Candidate, candidateMember{InitiativeID: ini, Initiative: in.Name, Member: m})
			}
		}
	}
	for _, f := range []**form{&d.Enrol, &d.Count} {
		if *f == nil {
			*f = newForm()
		}
	}
	c.Locals(pageKey, coursePath(course.ID))
	return s.render(c, status, "training_course", "training.course.title", d)
}

// enrolMembersFromPage enrols the members picked; the form asks to confirm
// they are 18 or more (minors are counted, not named).
func (s *Pages) enrolMembersFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	picked := formValues(c, "member")
	f.Multi["member"] = picked
	if len(picked) == 0 {
		f.Error = l.T("training.error.pick")
		return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Enrol: f})
	}
	adults := c.FormValue("adults") == "yes"
	for _, v := range picked {
		ini, member, _ := strings.Cut(v, "/")
		_, err := s.Training.Enrol(c.UserContext(), p, c.Params("id"), programme.EnrolmentInput{Kind: programme.KindMember,
			InitiativeID: ini, MemberID: member, Under18: !adults, Status: c.FormValue("status")})
		if err != nil && !errors.Is(err, errs.Conflict) {
			if msg := s.trainingError(l, err); msg != "" {
				f.Error = msg
				return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Enrol: f})
			}
			return err
		}
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=inscripcion-guardada", fiber.StatusSeeOther)
}

// trainingError words a field error of the training service ("" for
// errors that are not about the form).
func (s *Pages) trainingError(l *loc, err error) string {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return ""
	}
	fe := ve.Fields[0]
	switch fe.Field {
	case "under_18":
		return l.T("training.error.minor")
	case "enrolments":
		return l.T("training.error.full", "Max", programme.MaxEnrolments)
	case "count", "sex", "age_group", "status", "file":
		return l.T("training.error." + fe.Field)
	}
	return l.T("form.error.generic")
}

func (s *Pages) addCountLineFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	f := newForm()
	for _, k := range []string{"sex", "group", "count", "status"} {
		f.Values[k] = c.FormValue(k)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(f.Values["count"]))
	in := programme.EnrolmentInput{Kind: programme.KindCount, Sex: f.Values["sex"], Count: n, Status: f.Values["status"]}
	switch f.Values["group"] {
	case "minors":
		in.Minors = true
	default:
		in.AgeGroup = f.Values["group"]
	}
	if _, err := s.Training.Enrol(c.UserContext(), p, c.Params("id"), in); err != nil {
		if msg := s.trainingError(l, err); msg != "" {
			f.Error = msg
			return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Count: f})
		}
		return err
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=inscripcion-guardada", fiber.StatusSeeOther)
}

func (s *Pages) enrolmentStatusFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	st := c.FormValue("status")
	up := programme.EnrolmentUpdate{Status: &st}
	if v := strings.TrimSpace(c.FormValue("count")); v != "" {
		n, _ := strconv.Atoi(v)
		up.Count = &n
	}
	if _, err := s.Training.UpdateEnrolment(c.UserContext(), p, c.Params("id"), c.Params("enrolment"), up); err != nil {
		if msg := s.trainingError(s.tmpl.localizer(c), err); msg != "" {
			return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Problem: msg})
		}
		return err
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=inscripcion-guardada#i-"+c.Params("enrolment"), fiber.StatusSeeOther)
}

// removeEnrolmentFromPage takes an enrolment recorded by mistake out of
// the course (the page says to mark a dropout "Retirado" instead).
func (s *Pages) removeEnrolmentFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	err = s.Training.RemoveEnrolment(c.UserContext(), p, c.Params("id"), c.Params("enrolment"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=inscripcion-quitada", fiber.StatusSeeOther)
}

func (s *Pages) certificateFromPage(c *fiber.Ctx) error {
	p, err := trainingUser(c)
	if p == nil {
		return err
	}
	l := s.tmpl.localizer(c)
	fh, ferr := c.FormFile("file")
	if ferr != nil || fh.Size == 0 {
		return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Problem: l.T("training.error.file")})
	}
	up, err := kit.PrepareAttachment(fh)
	if err == nil {
		_, err = s.Training.AttachCertificate(c.UserContext(), p, c.Params("id"), c.Params("enrolment"), *up)
	}
	switch {
	case errors.Is(err, errs.TooLarge), errors.Is(err, errs.Unsupported):
		return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Problem: l.T("training.error.file")})
	case err != nil:
		if msg := s.trainingError(l, err); msg != "" {
			return s.renderCourse(c, fiber.StatusUnprocessableEntity, p, courseData{Problem: msg})
		}
		return err
	}
	return c.Redirect(coursePath(c.Params("id"))+"?aviso=certificado-guardado#i-"+c.Params("enrolment"), fiber.StatusSeeOther)
}

type myTrainingData struct {
	Initiative catalog.Initiative
	Items      []programme.MemberTraining
}

// myTrainingPage shows an initiative's members' courses to its producers,
// advisers and admins.
func (s *Pages) myTrainingPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	if s.Training == nil {
		return fiber.ErrServiceUnavailable
	}
	in, err := s.Catalog.Initiative(c.UserContext(), c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	items, err := s.Training.InitiativeTraining(c.UserContext(), p, in.ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "training_mine", "training.mine.title", myTrainingData{Initiative: in, Items: items})
}

// isoDayText writes a day "2026-07-06" as 06/07/2026 (as it came when it is not a day).
func isoDayText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}
