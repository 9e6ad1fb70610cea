package pages

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// The advisers' pages (/asesoria): their initiatives, follow-ups coming up,
// overdue agreements, a quick form to log a session in the field (topic
// chips, participant counters, agreements, a photo from the camera) and each
// initiative's timeline. Producers see their initiative's sessions and
// agreements under /mi-iniciativa/{id}/asesoria. Every read and write goes
// through mentoring.Service, which decides who may do what.

func (s *Pages) routesMentoringPages(app fiber.Router) {
	app.Get("/asesoria", noStore, s.adviceHomePage)
	app.Get("/asesoria/sesiones/nueva", noStore, s.newSessionPage)
	app.Post("/asesoria/sesiones/nueva", noStore, shows("/asesoria/sesiones/nueva"), s.createSessionFromPage)
	app.Get("/asesoria/iniciativas/:id", noStore, s.adviceTimelinePage)
	app.Post("/asesoria/iniciativas/:id/compromisos/:agreement", noStore, s.setAgreementFromPage)
	app.Post("/asesoria/iniciativas/:id/sesiones/:session/adjuntos/:attachment/quitar", noStore, s.removeAttachmentFromPage)
	app.Get("/mi-iniciativa/:id/asesoria", noStore, s.adviceTimelinePage)
	app.Post("/mi-iniciativa/:id/asesoria/compromisos/:agreement", noStore, s.setAgreementFromPage)
}

// advises says whether the visitor may use the advisers' pages at all; what
// each one may see and record is the mentoring service's to decide.
func advises(p *accounts.Principal) bool { return p.IsAdmin() || p.Has(accounts.RoleAdviser) }

// Days on these pages: mentoring stores a day as the UTC midnight of its date.
const (
	dayLayout    = "02/01/2006"
	followUpDays = 14 // how far ahead the home page looks for follow-ups
	maxFormRows  = 3  // agreements on the quick form
)

func dayText(t time.Time) string { return t.UTC().Format(dayLayout) }

// agreementItem is an agreement with what the page shows of it.
type agreementItem struct {
	mentoring.Agreement
	Initiative string // its initiative's name
	Overdue    bool
	// Actions are the statuses the visitor may move it to now.
	Actions []string
}

// DueText is the due date as 25/11/2026.
func (a agreementItem) DueText() string { return dayText(a.Due) }

// ByAdviser says whether the adviser owns the agreement.
func (a agreementItem) ByAdviser() bool { return a.Owner == mentoring.OwnerAdviser }

// sessionItem is a session with its agreements and photos for the timeline.
type sessionItem struct {
	mentoring.Session
	Initiatives []string // names of its initiatives
	Agreements  []agreementItem
	Files       []attachmentLink
	// CanEditFiles: the visitor may remove its attachments (not after the lock).
	CanEditFiles bool
}

type attachmentLink struct {
	ID, URL, Thumb, Name string
	Photo                bool
}

// DateText is the session's day as 25/11/2026.
func (s sessionItem) DateText() string { return dayText(s.Date) }

// FollowUpText is the next follow-up's day, or "".
func (s sessionItem) FollowUpText() string {
	if s.NextFollowUp == nil {
		return ""
	}
	return dayText(*s.NextFollowUp)
}

// Workshop says whether the session covered several initiatives.
func (s sessionItem) Workshop() bool { return len(s.InitiativeIDs) > 1 }

// Total is everyone counted, by sex.
func (s sessionItem) Total() int { return s.Participants.Women + s.Participants.Men }

func attachmentLinks(sess mentoring.Session) []attachmentLink {
	out := []attachmentLink{}
	for _, a := range sess.Attachments {
		u := kit.AttachmentURL(sess.ID, a.ID)
		l := attachmentLink{ID: a.ID, URL: u, Name: a.Name, Photo: a.ThumbKey != ""}
		if l.Photo {
			l.Thumb = u + "?size=thumb"
		}
		out = append(out, l)
	}
	return out
}

// agreementItems dresses agreements for a page at today.
func agreementItems(p *accounts.Principal, list []mentoring.Agreement, names map[string]string, today time.Time) []agreementItem {
	out := make([]agreementItem, 0, len(list))
	for _, a := range list {
		it := agreementItem{Agreement: a, Initiative: names[a.InitiativeID],
			Overdue: a.Status == mentoring.StatusOpen && a.Due.Before(today)}
		next := []string{mentoring.StatusOpen}
		if a.Status == mentoring.StatusOpen {
			next = []string{mentoring.StatusDone, mentoring.StatusDropped}
		}
		for _, st := range next {
			if mentoring.CanSetAgreementStatus(p, a, st) {
				it.Actions = append(it.Actions, st)
			}
		}
		out = append(out, it)
	}
	return out
}

// myInitiatives is the initiatives the visitor advises (all, for admins), by name.
func (s *Pages) myInitiatives(c *fiber.Ctx, p *accounts.Principal) ([]catalog.Initiative, error) {
	ctx := c.UserContext()
	var list []catalog.Initiative
	if p.IsAdmin() {
		all, err := s.Catalog.Initiatives(ctx, catalog.InitiativeFilter{})
		if err != nil {
			return nil, err
		}
		list = all
	} else {
		for _, id := range p.InitiativeIDs {
			if !p.Advises(id) {
				continue
			}
			in, err := s.Catalog.Initiative(ctx, id)
			if errors.Is(err, errs.NotFound) {
				continue // an assignment to an initiative since removed
			} else if err != nil {
				return nil, err
			}
			list = append(list, in)
		}
	}
	slices.SortFunc(list, func(a, b catalog.Initiative) int {
		return strings.Compare(catalog.Fold(a.Name), catalog.Fold(b.Name))
	})
	return list, nil
}

// names maps initiative ids to names, asking the catalog for those not in known.
func (s *Pages) initiativeNames(c *fiber.Ctx, known []catalog.Initiative, ids ...string) map[string]string {
	out := map[string]string{}
	for _, in := range known {
		out[in.ID] = in.Name
	}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		if in, err := s.Catalog.Initiative(c.UserContext(), id); err == nil {
			out[id] = in.Name
		} else {
			out[id] = ""
		}
	}
	return out
}

// --- home ---

type adviceHomeData struct {
	Admin       bool
	Initiatives []catalog.Initiative
	FollowUps   []sessionItem
	Overdue     []agreementItem
}

func (s *Pages) adviceHomePage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	if !advises(p) {
		return fmt.Errorf("adviser pages: %w", errs.Forbidden)
	}
	ctx := c.UserContext()
	mine, err := s.myInitiatives(c, p)
	if err != nil {
		return err
	}
	sessions, err := s.Mentoring.Sessions(ctx, p, mentoring.SessionFilter{})
	if err != nil {
		return err
	}
	overdue, err := s.Mentoring.ListAgreements(ctx, p, mentoring.AgreementFilter{Overdue: true})
	if err != nil {
		return err
	}
	today := mentoring.Today(s.Mentoring.Now())
	until := today.AddDate(0, 0, followUpDays)
	d := adviceHomeData{Admin: p.IsAdmin(), Initiatives: mine}
	var ids []string
	for _, sess := range sessions {
		if f := sess.NextFollowUp; f != nil && !f.Before(today) && !f.After(until) {
			d.FollowUps = append(d.FollowUps, sessionItem{Session: sess})
			ids = append(ids, sess.InitiativeIDs...)
		}
	}
	for _, a := range overdue {
		ids = append(ids, a.InitiativeID)
	}
	names := s.initiativeNames(c, mine, ids...)
	slices.SortStableFunc(d.FollowUps, func(a, b sessionItem) int { return a.NextFollowUp.Compare(*b.NextFollowUp) })
	for i := range d.FollowUps {
		for _, id := range d.FollowUps[i].InitiativeIDs {
			d.FollowUps[i].Initiatives = append(d.FollowUps[i].Initiatives, names[id])
		}
	}
	d.Overdue = agreementItems(p, overdue, names, today)
	return s.render(c, fiber.StatusOK, "advice_home", "advice.home.title", d)
}

// --- an initiative's timeline ---

type adviceTimelineData struct {
	Initiative catalog.Initiative
	Sessions   []sessionItem
	// Standalone are the agreements taken outside sessions ("Lo quiero aplicar").
	Standalone []agreementItem
	Open       int // open agreements
	// Base is this page's path; agreement forms post under it.
	Base string
	// Producer: the page under /mi-iniciativa (back to the profile).
	Producer bool
	// CanRecord shows the link to log a session for this initiative.
	CanRecord bool
}

func (s *Pages) adviceTimelinePage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	ctx := c.UserContext()
	in, err := s.Catalog.Initiative(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	sessions, err := s.Mentoring.Sessions(ctx, p, mentoring.SessionFilter{InitiativeID: in.ID})
	if err != nil {
		return err
	}
	agreements, err := s.Mentoring.ListAgreements(ctx, p, mentoring.AgreementFilter{InitiativeID: in.ID})
	if err != nil {
		return err
	}
	d := adviceTimelineData{Initiative: in, Producer: strings.HasPrefix(c.Path(), "/mi-iniciativa/"),
		CanRecord: mentoring.CanRecord(p, []string{in.ID})}
	d.Base = "/asesoria/iniciativas/" + url.PathEscape(in.ID)
	if d.Producer {
		d.Base = myInitiativePath(in.ID) + "/asesoria"
	}
	var ids []string
	for _, sess := range sessions {
		ids = append(ids, sess.InitiativeIDs...)
	}
	names := s.initiativeNames(c, []catalog.Initiative{in}, ids...)
	items := agreementItems(p, agreements, names, mentoring.Today(s.Mentoring.Now()))
	bySession := map[string][]agreementItem{}
	for _, a := range items {
		bySession[a.SessionID] = append(bySession[a.SessionID], a)
		if a.Status == mentoring.StatusOpen {
			d.Open++
		}
	}
	for _, sess := range sessions { // newest first
		it := sessionItem{Session: sess, Agreements: bySession[sess.ID], Files: attachmentLinks(sess),
			CanEditFiles: !d.Producer && mentoring.CanRecord(p, sess.InitiativeIDs) && !s.Mentoring.Locked(sess, s.Mentoring.Now())}
		for _, id := range sess.InitiativeIDs {
			if id != in.ID {
				it.Initiatives = append(it.Initiatives, names[id])
			}
		}
		slices.SortStableFunc(it.Agreements, newestFirst)
		d.Sessions = append(d.Sessions, it)
	}
	d.Standalone = bySession[""]
	slices.SortStableFunc(d.Standalone, newestFirst)
	c.Locals(pageKey, d.Base)
	return s.render(c, fiber.StatusOK, "advice_timeline", "advice.timeline.title", d)
}

func newestFirst(a, b agreementItem) int { return b.CreatedAt.Compare(a.CreatedAt) }

// setAgreementFromPage moves an agreement of the initiative in the path to
// the status sent, then shows the page it was sent from.
func (s *Pages) setAgreementFromPage(c *fiber.Ctx) error {
	base := "/asesoria/iniciativas/" + url.PathEscape(c.Params("id"))
	if strings.HasPrefix(c.Path(), "/mi-iniciativa/") {
		base = myInitiativePath(c.Params("id")) + "/asesoria"
	}
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, base)
	}
	ctx := c.UserContext()
	a, err := s.Mentoring.Agreement(ctx, p, c.Params("agreement"))
	if err != nil {
		return err
	}
	if a.InitiativeID != c.Params("id") {
		return fmt.Errorf("agreement %s of initiative %s: %w", a.ID, c.Params("id"), errs.NotFound)
	}
	status := c.FormValue("status")
	notice := "compromiso-" + status
	if status == a.Status {
		notice = "compromiso-sin-cambio"
	}
	if _, err := s.Mentoring.SetAgreementStatus(ctx, p, a.ID, status); err != nil {
		return err
	}
	return c.Redirect(base+"?aviso="+notice+"#compromiso-"+a.ID, fiber.StatusSeeOther)
}

// removeAttachmentFromPage takes a photo or document off a session shown on
// the initiative's timeline.
func (s *Pages) removeAttachmentFromPage(c *fiber.Ctx) error {
	base := "/asesoria/iniciativas/" + url.PathEscape(c.Params("id"))
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, base)
	}
	ctx := c.UserContext()
	sess, err := s.Mentoring.Session(ctx, p, c.Params("session"))
	if err != nil {
		return err
	}
	if !slices.Contains(sess.InitiativeIDs, c.Params("id")) {
		return fmt.Errorf("session %s of initiative %s: %w", sess.ID, c.Params("id"), errs.NotFound)
	}
	if _, err := s.Mentoring.Detach(ctx, p, sess.ID, c.Params("attachment")); err != nil {
		return err
	}
	return c.Redirect(base+"?aviso=adjunto-quitado#sesion-"+sess.ID, fiber.StatusSeeOther)
}

// --- logging a session ---

type sessionFormData struct {
	Form        *form
	Initiatives []catalog.Initiative
	Topics      []string
	Modalities  []string
	Counters    []string
	Rows        []int
	Today       string // YYYY-MM-DD, for the date inputs' max
}

var counters = []string{"women", "men", "youth", "adults"}

func (s *Pages) renderSessionForm(c *fiber.Ctx, status int, p *accounts.Principal, f *form) error {
	mine, err := s.myInitiatives(c, p)
	if err != nil {
		return err
	}
	d := sessionFormData{Form: f, Initiatives: mine, Topics: mentoring.Topics, Modalities: mentoring.Modalities,
		Counters: counters, Today: mentoring.Today(s.Mentoring.Now()).Format(time.DateOnly)}
	for i := 1; i <= maxFormRows; i++ {
		d.Rows = append(d.Rows, i)
	}
	return s.render(c, status, "advice_session", "advice.new.title", d)
}

func (s *Pages) newSessionPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, c.OriginalURL())
	}
	if !advises(p) {
		return fmt.Errorf("adviser pages: %w", errs.Forbidden)
	}
	f := newForm()
	f.Values["date"] = mentoring.Today(s.Mentoring.Now()).Format(time.DateOnly)
	f.Values["duration"] = "60"
	f.Values["modality"] = "visit"
	for _, k := range counters {
		f.Values[k] = "0"
	}
	if id := c.Query("iniciativa"); id != "" {
		f.Multi["initiative"] = []string{id}
	} else if !p.IsAdmin() && len(p.AdviserInitiatives()) == 1 {
		f.Multi["initiative"] = []string{p.AdviserInitiatives()[0]}
	}
	return s.renderSessionForm(c, fiber.StatusOK, p, f)
}

// readSessionForm reads the form as typed.
func readSessionForm(c *fiber.Ctx) *form {
	f := newForm()
	for _, k := range []string{"date", "duration", "modality", "notes", "follow_up", "child_labour", "child_labour_note"} {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	for _, k := range counters {
		f.Values[k] = strings.TrimSpace(c.FormValue(k))
	}
	for i := 1; i <= maxFormRows; i++ {
		for _, k := range []string{"text", "owner", "due", "initiative"} {
			name := fmt.Sprintf("agreement_%s_%d", k, i)
			f.Values[name] = strings.TrimSpace(c.FormValue(name))
		}
	}
	f.Multi["initiative"] = formValues(c, "initiative")
	f.Multi["topic"] = formValues(c, "topic")
	return f
}

var stepValue = regexp.MustCompile(`^(women|men|youth|adults)([+-])$`)

// step applies a − or + of a participant counter (sent by the buttons when
// the page runs without JavaScript) and reports whether there was one.
func step(f *form, v string) bool {
	m := stepValue.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	n, msg := parseWhole(f.Val(m[1]))
	if msg != "" {
		n = 0
	}
	if m[2] == "+" {
		n++
	} else if n > 0 {
		n--
	}
	f.Values[m[1]] = strconv.FormatInt(n, 10)
	return true
}

// parseDay reads a day from a date input (2026-11-25) or as people write it (25/11/2026).
func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, dayLayout, "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// adviserOwner are the ways of writing that the adviser owns an agreement.
var adviserOwner = []string{"asesor", "asesora", "asesor(a)", "adviser", "yo"}

func (s *Pages) createSessionFromPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, "/asesoria/sesiones/nueva")
	}
	if !advises(p) {
		return fmt.Errorf("adviser pages: %w", errs.Forbidden)
	}
	l := s.tmpl.localizer(c)
	f := readSessionForm(c)
	photo, _ := c.FormFile("photo")
	if photo != nil && photo.Size == 0 && photo.Filename == "" {
		photo = nil // the field was left empty
	}
	if step(f, c.FormValue("step")) {
		if photo != nil {
			f.Errors["photo"] = l.T("producer.photo.choose_again")
		}
		return s.renderSessionForm(c, fiber.StatusOK, p, f)
	}

	in := mentoring.SessionInput{InitiativeIDs: f.Multi["initiative"], Modality: f.Val("modality"),
		Topics: f.Multi["topic"], Notes: f.Val("notes")}
	if f.Val("date") != "" {
		if t, ok := parseDay(f.Val("date")); ok {
			in.Date = t
		} else {
			f.Errors["date"] = l.T("advice.error.date_format")
		}
	}
	if f.Val("follow_up") != "" {
		if t, ok := parseDay(f.Val("follow_up")); ok {
			in.NextFollowUp = &t
		} else {
			f.Errors["follow_up"] = l.T("advice.error.date_format")
		}
	}
	if n, msg := parseWhole(f.Val("duration")); msg != "" || n > mentoring.MaxDurationMinutes {
		f.Errors["duration"] = l.T("advice.error.duration", "Max", mentoring.MaxDurationMinutes)
	} else {
		in.DurationMinutes = int(n)
	}
	counts := map[string]*int{"women": &in.Participants.Women, "men": &in.Participants.Men,
		"youth": &in.Participants.Youth, "adults": &in.Participants.Adults}
	for _, k := range counters {
		n, msg := parseWhole(f.Val(k))
		switch {
		case msg == "empty":
		case msg != "" || n > 100000:
			f.Errors[k] = l.T("advice.error.count")
		default:
			*counts[k] = int(n)
		}
	}
	var rows []int // form row of each agreement sent
	for i := 1; i <= maxFormRows; i++ {
		v := func(k string) string { return f.Val(fmt.Sprintf("agreement_%s_%d", k, i)) }
		if v("text") == "" && v("owner") == "" && v("due") == "" {
			continue
		}
		a := mentoring.AgreementInput{Text: v("text"), Owner: v("owner"), InitiativeID: v("initiative")}
		if slices.Contains(adviserOwner, strings.ToLower(a.Owner)) {
			a.Owner = mentoring.OwnerAdviser
		}
		if v("due") != "" {
			if t, ok := parseDay(v("due")); ok {
				a.Due = t
			} else {
				f.Errors[fmt.Sprintf("agreement_due_%d", i)] = l.T("advice.error.date_format")
			}
		}
		in.Agreements = append(in.Agreements, a)
		rows = append(rows, i)
	}
	if err := s.Mentoring.Check(in); err != nil && !sessionFormErrors(l, f, err, rows) {
		return err
	}
	var prep *mentoring.Upload
	if photo != nil && len(f.Errors) == 0 {
		var err error
		if prep, err = kit.PrepareAttachment(photo); err != nil {
			switch {
			case errors.Is(err, errs.TooLarge):
				f.Errors["photo"] = l.T("advice.error.photo_large")
			case errors.Is(err, errs.Unsupported):
				f.Errors["photo"] = l.T("advice.error.photo_type")
			default:
				return err
			}
		}
	}
	if f.Failed() {
		if f.Error == "" {
			f.Error = l.T("form.error.summary")
		}
		if photo != nil && f.Errors["photo"] == "" {
			f.Errors["photo"] = l.T("producer.photo.choose_again")
		}
		return s.renderSessionForm(c, fiber.StatusUnprocessableEntity, p, f)
	}
	ctx := c.UserContext()
	sess, _, err := s.Mentoring.Create(ctx, p, in)
	if err != nil {
		var ve *errs.ValidationError
		if errors.As(err, &ve) && sessionFormErrors(l, f, err, rows) { // the day changed since Check
			f.Error = l.T("form.error.summary")
			return s.renderSessionForm(c, fiber.StatusUnprocessableEntity, p, f)
		}
		return err
	}
	notice := "sesion-registrada"
	if f.Val("child_labour") == "on" && s.Commitments != nil {
		// Verified at this visit: each initiative that signed the commitment.
		for _, ini := range sess.InitiativeIDs {
			_, err := s.Commitments.Verify(ctx, p, ini, sess.Date.Format(time.DateOnly), sess.ID, f.Val("child_labour_note"))
			switch {
			case errors.Is(err, errs.Conflict):
				notice = "sesion-sin-compromiso" // not signed yet: the session stays
			case err != nil:
				return err
			}
		}
	}
	if prep != nil {
		if _, err := s.Mentoring.Attach(ctx, p, sess.ID, *prep); err != nil {
			s.log.ErrorContext(ctx, "session photo not stored", "request_id", kit.RequestID(c), "session", sess.ID, "error", err)
			notice = "sesion-sin-foto"
		}
	}
	return c.Redirect("/asesoria/iniciativas/"+url.PathEscape(sess.InitiativeIDs[0])+"?aviso="+notice, fiber.StatusSeeOther)
}

var agreementField = regexp.MustCompile(`^agreements\[(\d+)\]\.(\w+)$`)

// sessionFormErrors puts the mentoring service's field errors on f, in the
// visitor's language; rows maps the agreements sent to the form's rows. It
// reports false for errors that are not about the form.
func sessionFormErrors(l *loc, f *form, err error, rows []int) bool {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Fields {
		field, id := "", "form.error.generic"
		switch name := fe.Field; {
		case name == "initiative_ids":
			field, id = "initiative", "advice.error.initiative"
		case name == "date":
			field, id = "date", "advice.error.date"
			if fe.Code == errs.CodeNotAllowed { // a day still to come
				id = "advice.error.date_future"
			}
		case name == "duration_minutes":
			field, id = "duration", "advice.error.duration"
		case name == "modality":
			field, id = "modality", "advice.error.modality"
		case name == "topics":
			field, id = "topic", "advice.error.topics"
		case strings.HasPrefix(name, "participants."):
			field, id = strings.TrimPrefix(name, "participants."), "advice.error.count"
		case name == "notes":
			field, id = "notes", "advice.error.notes"
		case agreementField.MatchString(name):
			m := agreementField.FindStringSubmatch(name)
			i, _ := strconv.Atoi(m[1])
			if i >= len(rows) {
				continue
			}
			field = fmt.Sprintf("agreement_%s_%d", m[2], rows[i])
			switch m[2] {
			case "initiative_id":
				field, id = fmt.Sprintf("agreement_initiative_%d", rows[i]), "advice.error.agreement_initiative"
			case "text", "owner", "due":
				id = "advice.error.agreement_" + m[2]
			}
		}
		if field == "" {
			f.Error = l.T("form.error.summary") + " " + l.T("form.error.generic")
			continue
		}
		if f.Errors[field] == "" {
			f.Errors[field] = l.T(id, "Max", mentoring.MaxDurationMinutes, "N", mentoring.MaxNotes,
				"Min", mentoring.MinAgreementText)
		}
	}
	return true
}
