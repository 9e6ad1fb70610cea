package programme

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/progress"
	"github.com/tesoro-pact/tesoro/storage"
)

// Training by the programme's partners (issue #15): SENA, CENSA, COMFABOY,
// Pact and Fundación Mi Sangre give courses (gastronomy, beauty,
// electricity, computers…) to members of the initiatives and to youth, and
// the donor counts the people trained by sex and age group.
//
// A course is one document (training_courses/{id}) holding its enrolments
// (at most MaxEnrolments: a course's size bounds it, about 40 KB at worst).
// An enrolment is either a member of a participating initiative (named
// through the catalog: the course keeps the member's id, sex and age group,
// never the name, so a member taken off the initiative takes her name with
// her) or a count line (sex, age group, how many, under 18 or not) with no
// name at all: minors are counted, never named (Ley 1581 de 2012), and a
// named enrolment of someone who may be under 18 is refused.
//
// Lists and counts are period buckets (training_lists, storage.Periods by
// quarter of the course's start, key "<yyyymmdd>-<id>"): owner "all" (every
// course, newest first), "i:<initiative>" (a participating initiative's
// courses) and "run" (the course in every quarter it runs, with a tally of
// its enrolments), so the counts of a quarter or a year read one to four
// buckets by _id and no course. A course being relisted is marked in
// training_work/relist (with its summary as listed before) until its lists
// follow; Repair finishes a change a crash cut.

// Partners who give the courses.
var Partners = []string{"sena", "censa", "comfaboy", "pact", "mi_sangre"}

// Areas of the courses.
var Areas = []string{"gastronomy", "beauty", "electricity", "computers", "crafts", "agriculture", "business", "other"}

// Statuses of an enrolment.
const (
	EnrolEnrolled  = "enrolled"
	EnrolCompleted = "completed"
	EnrolDropped   = "dropped"
)

// EnrolmentStatuses in the order pages show them.
var EnrolmentStatuses = []string{EnrolEnrolled, EnrolCompleted, EnrolDropped}

// Kinds of enrolment.
const (
	KindMember = "member" // a named member of a participating initiative
	KindCount  = "count"  // a count line: no name (minors always)
)

// MaxEnrolments bounds the enrolments of a course (named ones and count
// lines together): a course's document stays within about 40 KB.
const MaxEnrolments = 150

// MaxCount bounds the people of one count line.
const MaxCount = 500

// maxCourseQuarters bounds how long a course runs (two years: nine quarters
// at most), so a course is listed in at most nine "run" buckets.
const maxCourseQuarters = 9

// Course is a partner's course with its enrolments.
type Course struct {
	ID            string      `bson:"_id" json:"id"`
	Partner       string      `bson:"partner" json:"partner"`
	Name          string      `bson:"name" json:"name"`
	Area          string      `bson:"area" json:"area"`
	Hours         int         `bson:"hours" json:"hours"`
	StartsOn      string      `bson:"starts_on" json:"starts_on"` // YYYY-MM-DD
	EndsOn        string      `bson:"ends_on" json:"ends_on"`
	Municipality  string      `bson:"municipality" json:"municipality"`
	Department    string      `bson:"department" json:"department"`
	Venue         string      `bson:"venue" json:"venue"`
	InitiativeIDs []string    `bson:"initiative_ids" json:"initiative_ids"`
	Enrolments    []Enrolment `bson:"enrolments" json:"enrolments"`
	RecordedBy    string      `bson:"recorded_by" json:"recorded_by"`
	RecordedAt    time.Time   `bson:"recorded_at" json:"recorded_at"`
	UpdatedAt     time.Time   `bson:"updated_at" json:"updated_at"`
	Rev           int64       `bson:"rev" json:"-"`
}

// Enrolment is a member's enrolment in a course, or a count line.
type Enrolment struct {
	ID   string `bson:"id" json:"id"`
	Kind string `bson:"kind" json:"kind"`
	// InitiativeID and MemberID name the member (KindMember); MemberID is
	// emptied when the member leaves the initiative (Forgotten).
	InitiativeID string `bson:"initiative_id,omitempty" json:"initiative_id,omitempty"`
	MemberID     string `bson:"member_id,omitempty" json:"member_id,omitempty"`
	Forgotten    bool   `bson:"forgotten,omitempty" json:"forgotten,omitempty"`
	// Name is the member's, read from the catalog when shown; never stored.
	Name     string `bson:"-" json:"name,omitempty"`
	Sex      string `bson:"sex" json:"sex"`             // female, male
	AgeGroup string `bson:"age_group" json:"age_group"` // youth, adult
	// Minors: a count line of people under 18 (KindCount only).
	Minors      bool         `bson:"minors,omitempty" json:"minors"`
	Count       int          `bson:"count" json:"count"` // 1 for a member
	Status      string       `bson:"status" json:"status"`
	Certificate *Certificate `bson:"certificate,omitempty" json:"certificate,omitempty"`
	RecordedBy  string       `bson:"recorded_by" json:"recorded_by"`
	RecordedAt  time.Time    `bson:"recorded_at" json:"recorded_at"`
	UpdatedAt   time.Time    `bson:"updated_at" json:"updated_at"`
}

// Certificate is the file of a member's certificate: a private object,
// streamed only to who sees the enrolment.
type Certificate struct {
	ID          string    `bson:"id" json:"id"`
	Name        string    `bson:"name" json:"name"`
	ContentType string    `bson:"content_type" json:"content_type"`
	Size        int64     `bson:"size" json:"size"`
	Key         string    `bson:"key" json:"-"`
	RecordedBy  string    `bson:"recorded_by" json:"recorded_by"`
	RecordedAt  time.Time `bson:"recorded_at" json:"recorded_at"`
}

// CourseSummary is a course as its lists hold it, with the tally of its
// enrolments ("<status>|<sex>|<age group>|<minors 0/1>|<initiative or ->"
// → people) for the counts.
type CourseSummary struct {
	ID            string      `bson:"id" json:"id"`
	Partner       string      `bson:"partner" json:"partner"`
	Name          string      `bson:"name" json:"name"`
	Area          string      `bson:"area" json:"area"`
	Hours         int         `bson:"hours" json:"hours"`
	StartsOn      string      `bson:"starts_on" json:"starts_on"`
	EndsOn        string      `bson:"ends_on" json:"ends_on"`
	Municipality  string      `bson:"municipality" json:"municipality"`
	Department    string      `bson:"department" json:"department"`
	Venue         string      `bson:"venue" json:"venue"`
	InitiativeIDs []string    `bson:"initiative_ids" json:"initiative_ids"`
	RecordedBy    string      `bson:"recorded_by" json:"-"`
	People        int         `bson:"people" json:"people"` // enrolled, completed and dropped
	Tally         []TallyLine `bson:"tally" json:"-"`       // sorted by key
	Rev           int64       `bson:"rev" json:"-"`
}

// TallyLine is one line of a course's tally.
type TallyLine struct {
	Key string `bson:"k"`
	N   int    `bson:"n"`
}

// TrainingOptions tune the training records.
type TrainingOptions struct {
	Clock func() time.Time
	// Members answers an initiative's members (errs.NotFound for an
	// unknown initiative); nil: no initiative exists.
	Members func(ctx context.Context, initiativeID string) ([]catalog.Member, error)
	Objects storage.ObjectStore
	Audit   *accounts.Audit
}

// Training keeps the courses and their enrolments.
type Training struct {
	courses *mongo.Collection
	lists   storage.Periods[CourseSummary]
	work    storage.Set[CourseSummary]
	clock   func() time.Time
	members func(ctx context.Context, initiativeID string) ([]catalog.Member, error)
	objects storage.ObjectStore
	audit   *accounts.Audit
}

// NewTraining keeps them in db.
func NewTraining(db *mongo.Database, opts TrainingOptions) *Training {
	t := &Training{courses: db.Collection("training_courses"),
		lists: storage.NewPeriods[CourseSummary](db.Collection("training_lists")),
		work:  storage.NewSet[CourseSummary](db.Collection("training_work")),
		clock: opts.Clock, members: opts.Members, objects: opts.Objects, audit: opts.Audit}
	if t.clock == nil {
		t.clock = time.Now
	}
	return t
}

func (t *Training) now() time.Time { return t.clock().UTC().Truncate(time.Millisecond) }

const setRelist = "relist"

// CanRecordTraining: advisers and admins record courses.
func CanRecordTraining(p *accounts.Principal) bool {
	return p.IsAdmin() || p.Has(accounts.RoleAdviser)
}

// CanEditCourse: admins; the adviser who recorded it or advises one of its
// initiatives.
func CanEditCourse(p *accounts.Principal, c *Course) bool {
	if p.IsAdmin() {
		return true
	}
	if !p.Has(accounts.RoleAdviser) {
		return false
	}
	return c.RecordedBy == p.UserID || slices.ContainsFunc(c.InitiativeIDs, p.Advises)
}

// canSeeCourse: advisers and admins every course; producers those of
// their initiatives.
func canSeeCourse(p *accounts.Principal, initiatives []string) bool {
	return CanRecordTraining(p) || slices.ContainsFunc(initiatives, p.MemberOf)
}

// canSeeEnrolment: a member's enrolment to her initiative's producers and
// advisers, and admins; a count line (no names) to advisers and admins.
func canSeeEnrolment(p *accounts.Principal, e *Enrolment) bool {
	if p.IsAdmin() {
		return true
	}
	if e.Kind == KindCount {
		return p.Has(accounts.RoleAdviser)
	}
	return p.Advises(e.InitiativeID) || p.MemberOf(e.InitiativeID)
}

// CanChangeEnrolment: a member's enrolment by admins and her initiative's
// advisers; a count line by who may edit the course.
func CanChangeEnrolment(p *accounts.Principal, c *Course, e *Enrolment) bool {
	if e.Kind == KindMember {
		return p.IsAdmin() || p.Advises(e.InitiativeID)
	}
	return CanEditCourse(p, c)
}

// canAttach: a member's certificate also by her initiative's producers.
func canAttach(p *accounts.Principal, c *Course, e *Enrolment) bool {
	return CanChangeEnrolment(p, c, e) || (e.Kind == KindMember && p.MemberOf(e.InitiativeID))
}

// CourseInput is what advisers and admins write of a course.
type CourseInput struct {
	Partner       string   `json:"partner"`
	Name          string   `json:"name"`
	Area          string   `json:"area"`
	Hours         int      `json:"hours"`
	StartsOn      string   `json:"starts_on"`
	EndsOn        string   `json:"ends_on"`
	Municipality  string   `json:"municipality"`
	Venue         string   `json:"venue"`
	InitiativeIDs []string `json:"initiative_ids"`
}

// CourseUpdate changes a course: absent fields stay.
type CourseUpdate struct {
	Partner       *string   `json:"partner"`
	Name          *string   `json:"name"`
	Area          *string   `json:"area"`
	Hours         *int      `json:"hours"`
	StartsOn      *string   `json:"starts_on"`
	EndsOn        *string   `json:"ends_on"`
	Municipality  *string   `json:"municipality"`
	Venue         *string   `json:"venue"`
	InitiativeIDs *[]string `json:"initiative_ids"`
}

// quarterOf is the quarter of a day "YYYY-MM-DD": "2026-Q3".
func quarterOf(day string) string {
	m, _ := strconv.Atoi(day[5:7])
	return day[:4] + "-Q" + strconv.Itoa((m+2)/3)
}

// quartersOf are the quarters from the day from to the day to.
func quartersOf(from, to string) []string {
	var out []string
	d, err1 := time.Parse(time.DateOnly, from[:8]+"01")
	end, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return nil
	}
	for !d.After(end) && len(out) <= maxCourseQuarters {
		q := quarterOf(d.Format(time.DateOnly))
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
		d = d.AddDate(0, 1, 0)
	}
	return out
}

// check normalises a course's fields and says what is wrong.
func (t *Training) check(ctx context.Context, c *Course, before []string) error {
	var fe errs.Fields
	c.Name, c.Venue = clean.Line(c.Name), clean.Line(c.Venue)
	if !slices.Contains(Partners, c.Partner) {
		fe.Add("partner", errs.CodeUnknown, "must be one of "+strings.Join(Partners, ", "), "allowed", Partners)
	}
	if n := utf8.RuneCountInString(c.Name); n < 3 || n > 120 {
		fe.Add("name", errs.CodeOutOfRange, "must have between 3 and 120 characters", "min", 3, "max", 120)
	}
	if !slices.Contains(Areas, c.Area) {
		fe.Add("area", errs.CodeUnknown, "must be one of "+strings.Join(Areas, ", "), "allowed", Areas)
	}
	if c.Hours < 1 || c.Hours > 2000 {
		fe.Add("hours", errs.CodeOutOfRange, "must be from 1 to 2000 hours", "min", 1, "max", 2000)
	}
	today := t.clock().In(colombia.Zone)
	first, last := "2015-01-01", today.AddDate(2, 0, 0).Format(time.DateOnly)
	day := func(field, v string) bool {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil || v < first || v > last || d.Format(time.DateOnly) != v {
			fe.Add(field, errs.CodeOutOfRange, "must be a day YYYY-MM-DD from "+first+" to "+last, "min", first, "max", last)
			return false
		}
		return true
	}
	if day("starts_on", c.StartsOn) && day("ends_on", c.EndsOn) {
		if c.EndsOn < c.StartsOn {
			fe.Add("ends_on", errs.CodeOutOfRange, "must be on or after starts_on", "min", c.StartsOn)
		} else if len(quartersOf(c.StartsOn, c.EndsOn)) > maxCourseQuarters {
			fe.Add("ends_on", errs.CodeOutOfRange, "a course lasts at most two years")
		}
	}
	if m, ok := catalog.LookupMunicipality(c.Municipality); ok {
		c.Municipality, c.Department = m.Name, m.Department
	} else {
		fe.Add("municipality", errs.CodeUnknown, "must be one of the programme's municipalities: El Bagre, Remedios, Segovia, Zaragoza, Gámeza, Mongua, Sogamoso, Tópaga")
	}
	if utf8.RuneCountInString(c.Venue) > 120 {
		fe.Add("venue", errs.CodeTooLong, "must have at most 120 characters", "max", 120)
	}
	if c.InitiativeIDs == nil {
		c.InitiativeIDs = []string{}
	}
	slices.Sort(c.InitiativeIDs)
	c.InitiativeIDs = slices.Compact(c.InitiativeIDs)
	if len(c.InitiativeIDs) > 50 {
		fe.Add("initiative_ids", errs.CodeTooMany, "at most 50 initiatives", "max", 50)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	for _, ini := range c.InitiativeIDs {
		if slices.Contains(before, ini) {
			continue
		}
		if _, err := t.membersOf(ctx, ini); errors.Is(err, errs.NotFound) {
			fe.Add("initiative_ids", errs.CodeNotFound, "initiative "+ini+" does not exist")
		} else if err != nil {
			return err
		}
	}
	for _, e := range c.Enrolments {
		if e.Kind == KindMember && !e.Forgotten && !slices.Contains(c.InitiativeIDs, e.InitiativeID) {
			fe.Add("initiative_ids", errs.CodeNotAllowed, "initiative "+e.InitiativeID+" has members enrolled: change their enrolments first", "reason", "enrolled")
			break
		}
	}
	return fe.Err()
}

func (t *Training) membersOf(ctx context.Context, ini string) ([]catalog.Member, error) {
	if t.members == nil {
		return nil, fmt.Errorf("initiative %s: %w", ini, errs.NotFound)
	}
	return t.members(ctx, ini)
}

func denyTraining(p *accounts.Principal, what string) error {
	if p == nil {
		return errs.Unauthenticated
	}
	return fmt.Errorf("%s: %w", what, errs.Forbidden)
}

// CreateCourse records a course (advisers and admins); an adviser names
// only initiatives she advises.
func (t *Training) CreateCourse(ctx context.Context, p *accounts.Principal, in CourseInput) (Course, error) {
	if !CanRecordTraining(p) {
		return Course{}, denyTraining(p, "recording courses")
	}
	now := t.now()
	c := Course{ID: storage.NewID(), Partner: in.Partner, Name: in.Name, Area: in.Area, Hours: in.Hours,
		StartsOn: in.StartsOn, EndsOn: in.EndsOn, Municipality: in.Municipality, Venue: in.Venue,
		InitiativeIDs: slices.Clone(in.InitiativeIDs), Enrolments: []Enrolment{}, RecordedBy: p.UserID, RecordedAt: now, UpdatedAt: now, Rev: 1}
	if err := t.check(ctx, &c, nil); err != nil {
		return Course{}, err
	}
	if err := t.adviserNames(p, c.InitiativeIDs, nil); err != nil {
		return Course{}, err
	}
	if err := t.work.Add(ctx, setRelist, c.ID, CourseSummary{}); err != nil {
		return Course{}, err
	}
	if _, err := t.courses.InsertOne(ctx, c); err != nil {
		return Course{}, storage.Err("course", err)
	}
	if err := t.relist(ctx, nil, &c); err != nil {
		return Course{}, err
	}
	t.record(ctx, p, "course_recorded", c.ID)
	return t.view(ctx, p, c), nil
}

// adviserNames refuses an adviser (not an admin) adding initiatives she
// does not advise.
func (t *Training) adviserNames(p *accounts.Principal, after, before []string) error {
	if p.IsAdmin() {
		return nil
	}
	for _, ini := range after {
		if !slices.Contains(before, ini) && !p.Advises(ini) {
			return fmt.Errorf("adding initiative %s to a course: %w", ini, errs.Forbidden)
		}
	}
	return nil
}

func (t *Training) read(ctx context.Context, id string) (*Course, error) {
	var c Course
	if err := t.courses.FindOne(ctx, bson.M{"_id": id}).Decode(&c); err != nil {
		return nil, storage.Err("course "+id, err)
	}
	if c.Enrolments == nil {
		c.Enrolments = []Enrolment{}
	}
	return &c, nil
}

// Course answers a course with the enrolments p may see, members named.
func (t *Training) Course(ctx context.Context, p *accounts.Principal, id string) (Course, error) {
	c, err := t.read(ctx, id)
	if err != nil {
		return Course{}, err
	}
	if !canSeeCourse(p, c.InitiativeIDs) {
		return Course{}, denyTraining(p, "course "+id)
	}
	return t.view(ctx, p, *c), nil
}

// view keeps the enrolments p sees and names the members (one read of
// each initiative's members).
func (t *Training) view(ctx context.Context, p *accounts.Principal, c Course) Course {
	names := map[string]map[string]string{}
	kept := make([]Enrolment, 0, len(c.Enrolments))
	for _, e := range c.Enrolments {
		if !canSeeEnrolment(p, &e) {
			continue
		}
		if e.Kind == KindMember && !e.Forgotten {
			if names[e.InitiativeID] == nil {
				names[e.InitiativeID] = map[string]string{}
				members, err := t.membersOf(ctx, e.InitiativeID)
				if err != nil {
					slog.WarnContext(ctx, "course members not named", "course", c.ID, "initiative", e.InitiativeID, "err", err)
				}
				for _, m := range members {
					names[e.InitiativeID][m.ID] = m.Name
				}
			}
			e.Name = names[e.InitiativeID][e.MemberID]
		}
		kept = append(kept, e)
	}
	c.Enrolments = kept
	return c
}

// CoursePage is a page of courses, newest start first.
type CoursePage struct {
	Items []CourseSummary
	Next  string
}

// Courses lists the courses p sees, newest start first: advisers and
// admins every course; producers their initiatives' (initiative narrows
// the list to one initiative's courses).
func (t *Training) Courses(ctx context.Context, p *accounts.Principal, initiative, cursor string, limit int) (CoursePage, error) {
	var owners []string
	switch {
	case initiative != "":
		if !CanRecordTraining(p) && !p.MemberOf(initiative) {
			return CoursePage{}, denyTraining(p, "the courses of initiative "+initiative)
		}
		owners = []string{"i:" + initiative}
	case CanRecordTraining(p):
		owners = []string{"all"}
	case p != nil && p.Has(accounts.RoleProducer):
		for _, ini := range p.ProducerInitiatives() {
			owners = append(owners, "i:"+ini)
		}
	default:
		return CoursePage{}, denyTraining(p, "the courses")
	}
	page, err := t.lists.Page(ctx, owners, true, cursor, limit, nil)
	if err != nil {
		return CoursePage{}, err
	}
	out := CoursePage{Items: make([]CourseSummary, 0, len(page.Items)), Next: page.Next}
	for _, e := range page.Items {
		out.Items = append(out.Items, e.Value)
	}
	return out, nil
}

// UpdateCourse changes a course (who may edit it).
func (t *Training) UpdateCourse(ctx context.Context, p *accounts.Principal, id string, up CourseUpdate) (Course, error) {
	c, err := t.change(ctx, p, id, func(c *Course) error {
		if !CanEditCourse(p, c) {
			return denyTraining(p, "changing course "+id)
		}
		before := slices.Clone(c.InitiativeIDs)
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&c.Partner, up.Partner)
		set(&c.Name, up.Name)
		set(&c.Area, up.Area)
		set(&c.StartsOn, up.StartsOn)
		set(&c.EndsOn, up.EndsOn)
		set(&c.Municipality, up.Municipality)
		set(&c.Venue, up.Venue)
		if up.Hours != nil {
			c.Hours = *up.Hours
		}
		if up.InitiativeIDs != nil {
			c.InitiativeIDs = slices.Clone(*up.InitiativeIDs)
		}
		if err := t.check(ctx, c, before); err != nil {
			return err
		}
		return t.adviserNames(p, c.InitiativeIDs, before)
	})
	if err == nil {
		t.record(ctx, p, "course_changed", id)
	}
	return c, err
}

// change applies fn to the course in one write guarded on its revision,
// then relists it (marked in the working set meanwhile).
func (t *Training) change(ctx context.Context, p *accounts.Principal, id string, fn func(c *Course) error) (Course, error) {
	for range 8 {
		cur, err := t.read(ctx, id)
		if err != nil {
			return Course{}, err
		}
		before := courseSummaryOf(cur)
		rev := cur.Rev
		if err := fn(cur); err != nil {
			return Course{}, err
		}
		cur.Rev, cur.UpdatedAt = rev+1, t.now()
		if err := t.work.Add(ctx, setRelist, id, before); err != nil {
			return Course{}, err
		}
		res, err := t.courses.ReplaceOne(ctx, bson.M{"_id": id, "rev": rev}, cur)
		if err != nil {
			return Course{}, storage.Err("course "+id, err)
		}
		if res.MatchedCount == 0 {
			continue // changed meanwhile: the mark stays until a relist clears it
		}
		prev := before
		if err := t.relist(ctx, &prev, cur); err != nil {
			return Course{}, err
		}
		return t.view(ctx, p, *cur), nil
	}
	return Course{}, fmt.Errorf("course %s keeps changing: %w", id, errs.Conflict)
}

// summaryOf is the list entry of a course, with the tally of its enrolments.
func courseSummaryOf(c *Course) CourseSummary {
	s := CourseSummary{ID: c.ID, Partner: c.Partner, Name: c.Name, Area: c.Area, Hours: c.Hours, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Municipality: c.Municipality, Department: c.Department, Venue: c.Venue, InitiativeIDs: slices.Clone(c.InitiativeIDs),
		RecordedBy: c.RecordedBy, Rev: c.Rev, Tally: []TallyLine{}}
	// A slice in key order, not a map: the embedded FerretDB was seen to
	// take a $set of a summary whose map differed only in its keys for no
	// change now and then, and a map's order changes from run to run.
	tally := map[string]int{}
	for _, e := range c.Enrolments {
		s.People += e.Count
		tally[tallyKey(e)] += e.Count
	}
	for _, k := range slices.Sorted(maps.Keys(tally)) {
		s.Tally = append(s.Tally, TallyLine{k, tally[k]})
	}
	return s
}

func tallyKey(e Enrolment) string {
	minors, ini := "0", "-"
	if e.Minors {
		minors = "1"
	}
	if e.Kind == KindMember && e.InitiativeID != "" {
		ini = e.InitiativeID
	}
	return e.Status + "|" + e.Sex + "|" + e.AgeGroup + "|" + minors + "|" + ini
}

func listKey(s CourseSummary) string { return strings.ReplaceAll(s.StartsOn, "-", "") + "-" + s.ID }

type placement struct{ owner, period string }

// placesOf are the buckets a course's summary goes in.
func placesOf(s CourseSummary) []placement {
	if s.ID == "" || len(s.StartsOn) != 10 {
		return nil
	}
	q := quarterOf(s.StartsOn)
	out := []placement{{"all", q}}
	for _, ini := range s.InitiativeIDs {
		out = append(out, placement{"i:" + ini, q})
	}
	for _, r := range quartersOf(s.StartsOn, s.EndsOn) {
		out = append(out, placement{"run", r})
	}
	return out
}

// relist puts the course's summary in its buckets and takes the one listed
// before out of those it leaves; then unmarks it. Doing it again is harmless.
func (t *Training) relist(ctx context.Context, before *CourseSummary, c *Course) error {
	after := courseSummaryOf(c)
	newKey, newPlaces := listKey(after), placesOf(after)
	if before != nil {
		oldKey := listKey(*before)
		for _, pl := range placesOf(*before) {
			if oldKey == newKey && slices.Contains(newPlaces, pl) {
				continue
			}
			if err := t.lists.Remove(ctx, pl.owner, pl.period, oldKey); err != nil {
				return err
			}
		}
	}
	for _, pl := range newPlaces {
		if err := t.lists.Put(ctx, pl.owner, pl.period, newKey, after); err != nil {
			return err
		}
	}
	return t.work.Remove(ctx, setRelist, c.ID)
}

// Repair relists the courses a crash left marked (at start, when no change
// can be under way: one read of the working set, then each course by _id).
func (t *Training) Repair(ctx context.Context) error {
	marked, err := t.work.Members(ctx, setRelist)
	if err != nil {
		return err
	}
	for id, before := range marked {
		c, err := t.read(ctx, id)
		if errors.Is(err, errs.NotFound) {
			_ = t.work.Remove(ctx, setRelist, id) // never inserted
			continue
		}
		if err != nil {
			return err
		}
		b := before
		if err := t.relist(ctx, &b, c); err != nil {
			return err
		}
	}
	return nil
}

// EnrolmentInput enrols a member of a participating initiative
// (kind "member": initiative_id, member_id) or adds a count line (kind
// "count": sex, age_group, count, minors). A named enrolment of someone
// under 18 is refused: under_18 says so, and a birth year (the member's,
// or one given) that may be a minor's does too.
type EnrolmentInput struct {
	Kind         string `json:"kind"`
	InitiativeID string `json:"initiative_id"`
	MemberID     string `json:"member_id"`
	Under18      bool   `json:"under_18"`
	BirthYear    int    `json:"birth_year"`
	Sex          string `json:"sex"`
	AgeGroup     string `json:"age_group"`
	Count        int    `json:"count"`
	Minors       bool   `json:"minors"`
	Status       string `json:"status"`
}

// minorsMessage explains the refusal of a named enrolment of a minor.
const minorsMessage = "people under 18 are not enrolled by name: add them to a count line (sex, how many) instead (Ley 1581 de 2012)"

// Enrol adds an enrolment to a course: a member by admins and her
// initiative's advisers, a count line by who may edit the course.
func (t *Training) Enrol(ctx context.Context, p *accounts.Principal, courseID string, in EnrolmentInput) (Enrolment, error) {
	if !CanRecordTraining(p) {
		if _, err := t.Course(ctx, p, courseID); err != nil {
			return Enrolment{}, err
		}
		return Enrolment{}, denyTraining(p, "enrolling in course "+courseID)
	}
	e := Enrolment{ID: storage.NewID(), Kind: in.Kind, Status: in.Status, RecordedBy: p.UserID, RecordedAt: t.now(), UpdatedAt: t.now()}
	if e.Status == "" {
		e.Status = EnrolEnrolled
	}
	var fe errs.Fields
	if !slices.Contains(EnrolmentStatuses, e.Status) {
		fe.Add("status", errs.CodeUnknown, "must be enrolled, completed or dropped", "allowed", EnrolmentStatuses)
	}
	year := t.clock().In(colombia.Zone).Year()
	switch in.Kind {
	case KindMember:
		if in.Under18 || (in.BirthYear != 0 && !catalog.AdultBirthYear(in.BirthYear, year)) {
			fe.Add("under_18", errs.CodeNotAllowed, minorsMessage, "reason", "minor")
			return Enrolment{}, fe.Err()
		}
		if in.InitiativeID == "" || in.MemberID == "" {
			fe.Add("member_id", errs.CodeRequired, "name the member: initiative_id and member_id")
			return Enrolment{}, fe.Err()
		}
		members, err := t.membersOf(ctx, in.InitiativeID)
		if err != nil && !errors.Is(err, errs.NotFound) {
			return Enrolment{}, err
		}
		i := slices.IndexFunc(members, func(m catalog.Member) bool { return m.ID == in.MemberID })
		if i < 0 {
			fe.Add("member_id", errs.CodeNotFound, "is not a member of initiative "+in.InitiativeID)
			return Enrolment{}, fe.Err()
		}
		m := members[i]
		if m.BirthYear != 0 && !catalog.AdultBirthYear(m.BirthYear, year) {
			fe.Add("under_18", errs.CodeNotAllowed, minorsMessage, "reason", "minor")
			return Enrolment{}, fe.Err()
		}
		e.InitiativeID, e.MemberID, e.Sex, e.AgeGroup, e.Count = in.InitiativeID, in.MemberID, m.Sex, m.AgeGroup, 1
	case KindCount:
		if !slices.Contains(catalog.Sexes, in.Sex) {
			fe.Add("sex", errs.CodeUnknown, "must be female or male", "allowed", catalog.Sexes)
		}
		e.AgeGroup, e.Minors = in.AgeGroup, in.Minors
		if e.Minors {
			e.AgeGroup = "youth" // under 18: youth (14–28) for the donor
		}
		if !slices.Contains(catalog.AgeGroups, e.AgeGroup) {
			fe.Add("age_group", errs.CodeUnknown, "must be youth (14–28) or adult", "allowed", catalog.AgeGroups)
		}
		if in.Count < 1 || in.Count > MaxCount {
			fe.Add("count", errs.CodeOutOfRange, "must be from 1 to 500 people", "min", 1, "max", MaxCount)
		}
		e.Sex, e.Count = in.Sex, in.Count
	default:
		fe.Add("kind", errs.CodeUnknown, "must be member or count", "allowed", []string{KindMember, KindCount})
	}
	if err := fe.Err(); err != nil {
		return Enrolment{}, err
	}
	var out Enrolment
	_, err := t.change(ctx, p, courseID, func(c *Course) error {
		if !CanChangeEnrolment(p, c, &e) {
			return denyTraining(p, "enrolling in course "+courseID)
		}
		if e.Kind == KindMember {
			if !slices.Contains(c.InitiativeIDs, e.InitiativeID) {
				var fe errs.Fields
				fe.Add("initiative_id", errs.CodeNotAllowed, "the initiative does not take part in this course: add it to the course first", "reason", "not_participating")
				return fe.Err()
			}
			if slices.ContainsFunc(c.Enrolments, func(x Enrolment) bool { return x.MemberID == e.MemberID && x.InitiativeID == e.InitiativeID }) {
				return fmt.Errorf("member %s is enrolled in course %s: %w", e.MemberID, courseID, errs.Conflict)
			}
		}
		if len(c.Enrolments) >= MaxEnrolments {
			var fe errs.Fields
			fe.Add("enrolments", errs.CodeTooMany, "a course holds at most 150 enrolments and count lines", "max", MaxEnrolments)
			return fe.Err()
		}
		c.Enrolments = append(c.Enrolments, e)
		return nil
	})
	if err != nil {
		return Enrolment{}, err
	}
	out = e
	if out.Kind == KindMember {
		c, err := t.Course(ctx, p, courseID)
		if err == nil {
			if i := slices.IndexFunc(c.Enrolments, func(x Enrolment) bool { return x.ID == e.ID }); i >= 0 {
				out = c.Enrolments[i]
			}
		}
	}
	t.record(ctx, p, "enrolment_recorded", courseID)
	return out, nil
}

// EnrolmentUpdate changes an enrolment's status (and a count line's count).
type EnrolmentUpdate struct {
	Status *string `json:"status"`
	Count  *int    `json:"count"`
}

// UpdateEnrolment changes an enrolment (who may change it).
func (t *Training) UpdateEnrolment(ctx context.Context, p *accounts.Principal, courseID, enrolmentID string, up EnrolmentUpdate) (Enrolment, error) {
	var out Enrolment
	c, err := t.change(ctx, p, courseID, func(c *Course) error {
		e, err := t.changeableEnrolment(p, c, enrolmentID, "changing")
		if err != nil {
			return err
		}
		var fe errs.Fields
		if up.Status != nil {
			if !slices.Contains(EnrolmentStatuses, *up.Status) {
				fe.Add("status", errs.CodeUnknown, "must be enrolled, completed or dropped", "allowed", EnrolmentStatuses)
			}
			e.Status = *up.Status
		}
		if up.Count != nil {
			if e.Kind != KindCount {
				fe.Add("count", errs.CodeNotAllowed, "a member's enrolment counts one person", "reason", "member")
			} else if *up.Count < 1 || *up.Count > MaxCount {
				fe.Add("count", errs.CodeOutOfRange, "must be from 1 to 500 people", "min", 1, "max", MaxCount)
			}
			e.Count = *up.Count
		}
		e.UpdatedAt = t.now()
		return fe.Err()
	})
	if err != nil {
		return Enrolment{}, err
	}
	for _, e := range c.Enrolments {
		if e.ID == enrolmentID {
			out = e
		}
	}
	t.record(ctx, p, "enrolment_changed", courseID)
	return out, nil
}

// RemoveEnrolment takes an enrolment recorded by mistake out of the course
// (who may change it), with its certificate; a person who left the course
// is marked dropped instead, so the donor's counts keep her.
func (t *Training) RemoveEnrolment(ctx context.Context, p *accounts.Principal, courseID, enrolmentID string) error {
	cert := ""
	_, err := t.change(ctx, p, courseID, func(c *Course) error {
		e, err := t.changeableEnrolment(p, c, enrolmentID, "removing")
		if err != nil {
			return err
		}
		cert = ""
		if e.Certificate != nil {
			cert = e.Certificate.Key
		}
		c.Enrolments = slices.DeleteFunc(c.Enrolments, func(x Enrolment) bool { return x.ID == enrolmentID })
		return nil
	})
	if err != nil {
		return err
	}
	if cert != "" && t.objects != nil {
		if err := t.objects.Delete(ctx, cert); err != nil {
			slog.WarnContext(ctx, "certificate of a removed enrolment not deleted", "course", courseID, "enrolment", enrolmentID, "err", err)
		}
	}
	t.record(ctx, p, "enrolment_removed", courseID)
	return nil
}

// changeableEnrolment finds an enrolment p may change (doing names the
// change in a refusal).
func (t *Training) changeableEnrolment(p *accounts.Principal, c *Course, id, doing string) (*Enrolment, error) {
	e, err := t.enrolmentIn(p, c, id)
	if err == nil && !CanChangeEnrolment(p, c, e) {
		err = denyTraining(p, doing+" enrolment "+id)
	}
	return e, err
}

// enrolmentIn finds an enrolment of the course for p (404 for none of that
// id; 403 for one p may not see, or a course p may not see).
func (t *Training) enrolmentIn(p *accounts.Principal, c *Course, id string) (*Enrolment, error) {
	if !canSeeCourse(p, c.InitiativeIDs) {
		return nil, denyTraining(p, "course "+c.ID)
	}
	for i := range c.Enrolments {
		if c.Enrolments[i].ID == id {
			if !canSeeEnrolment(p, &c.Enrolments[i]) {
				return nil, denyTraining(p, "enrolment "+id)
			}
			return &c.Enrolments[i], nil
		}
	}
	return nil, fmt.Errorf("enrolment %s: %w", id, errs.NotFound)
}

// AttachCertificate keeps a member's certificate (a PDF or a photo, already
// checked by the caller) as a private object and names it on the
// enrolment, replacing an earlier one; count lines take none (a list of
// minors' names must not come in through them).
func (t *Training) AttachCertificate(ctx context.Context, p *accounts.Principal, courseID, enrolmentID string, up mentoring.Upload) (Enrolment, error) {
	if t.objects == nil {
		return Enrolment{}, fmt.Errorf("certificates: no object store: %w", errs.Unavailable)
	}
	cur, err := t.read(ctx, courseID)
	if err != nil {
		return Enrolment{}, err
	}
	e, err := t.enrolmentIn(p, cur, enrolmentID)
	if err != nil {
		return Enrolment{}, err
	}
	if !canAttach(p, cur, e) {
		return Enrolment{}, denyTraining(p, "the certificate of enrolment "+enrolmentID)
	}
	if e.Kind != KindMember || e.Forgotten {
		var fe errs.Fields
		fe.Add("file", errs.CodeNotAllowed, "only a member's enrolment takes a certificate: a count line names nobody", "reason", "count_line")
		return Enrolment{}, fe.Err()
	}
	cert := Certificate{ID: storage.NewID(), Name: up.Name, ContentType: up.ContentType, Size: int64(len(up.Data)), RecordedBy: p.UserID, RecordedAt: t.now()}
	cert.Key = "private/training/" + courseID + "/" + enrolmentID + "/" + cert.ID + "." + up.Ext
	if _, err := t.objects.Put(ctx, cert.Key, bytes.NewReader(up.Data), cert.Size, cert.ContentType); err != nil {
		return Enrolment{}, err
	}
	old := ""
	var out Enrolment
	_, err = t.change(ctx, p, courseID, func(c *Course) error {
		e, err := t.enrolmentIn(p, c, enrolmentID)
		if err != nil {
			return err
		}
		if e.Certificate != nil {
			old = e.Certificate.Key
		}
		e.Certificate, e.UpdatedAt = &cert, t.now()
		out = *e
		return nil
	})
	if err != nil {
		_ = t.objects.Delete(context.WithoutCancel(ctx), cert.Key)
		return Enrolment{}, err
	}
	if old != "" && old != cert.Key {
		if err := t.objects.Delete(ctx, old); err != nil {
			slog.WarnContext(ctx, "replaced certificate not deleted", "course", courseID, "enrolment", enrolmentID, "err", err)
		}
	}
	t.record(ctx, p, "certificate_attached", courseID)
	return out, nil
}

// OpenCertificate reads an enrolment's certificate for who sees the
// enrolment; the caller closes the reader.
func (t *Training) OpenCertificate(ctx context.Context, p *accounts.Principal, courseID, enrolmentID string) (Certificate, io.ReadCloser, storage.Object, error) {
	c, err := t.read(ctx, courseID)
	if err != nil {
		return Certificate{}, nil, storage.Object{}, err
	}
	e, err := t.enrolmentIn(p, c, enrolmentID)
	if err != nil {
		return Certificate{}, nil, storage.Object{}, err
	}
	if e.Certificate == nil || t.objects == nil {
		return Certificate{}, nil, storage.Object{}, fmt.Errorf("certificate of enrolment %s: %w", enrolmentID, errs.NotFound)
	}
	r, obj, err := t.objects.Get(ctx, e.Certificate.Key)
	return *e.Certificate, r, obj, err
}

// ForgetMember takes a member who left her initiative out of its courses'
// records: her certificates are deleted and her enrolments keep only what
// the counts need (sex, age group, status), with no id that leads to her.
// Called when the member is removed; doing it again changes nothing.
func (t *Training) ForgetMember(ctx context.Context, initiativeID, memberID string) error {
	periods, err := t.lists.PeriodsOf(ctx, "i:"+initiativeID)
	if err != nil {
		return err
	}
	for _, per := range periods {
		b, err := t.lists.Bucket(ctx, "i:"+initiativeID, per)
		if err != nil {
			return err
		}
		for _, s := range b {
			var keys []string
			_, err := t.change(ctx, accounts.System, s.ID, func(c *Course) error {
				keys = keys[:0]
				for i := range c.Enrolments {
					e := &c.Enrolments[i]
					if e.Kind != KindMember || e.InitiativeID != initiativeID || e.MemberID != memberID {
						continue
					}
					if e.Certificate != nil {
						keys = append(keys, e.Certificate.Key)
					}
					e.MemberID, e.Forgotten, e.Certificate = "", true, nil
				}
				return nil
			})
			if err != nil && !errors.Is(err, errs.NotFound) {
				return err
			}
			for _, k := range keys {
				if t.objects == nil {
					break
				}
				if err := t.objects.Delete(ctx, k); err != nil {
					slog.WarnContext(ctx, "certificate of a forgotten member not deleted", "course", s.ID, "err", err)
				}
			}
		}
	}
	return nil
}

// MemberTraining is a member's enrolment with its course, for her
// initiative's page.
type MemberTraining struct {
	Course    CourseSummary `json:"course"`
	Enrolment Enrolment     `json:"enrolment"`
}

// InitiativeTraining lists the enrolments of an initiative's members, newest
// course first (its producers, advisers, admins): the initiative's course
// buckets, then each course by _id (bounded by the initiative's courses).
func (t *Training) InitiativeTraining(ctx context.Context, p *accounts.Principal, initiativeID string) ([]MemberTraining, error) {
	if !p.IsAdmin() && !p.Advises(initiativeID) && !p.MemberOf(initiativeID) {
		return nil, denyTraining(p, "the training of initiative "+initiativeID)
	}
	all, err := t.lists.Range(ctx, []string{"i:" + initiativeID}, "0000", "9999")
	if err != nil {
		return nil, err
	}
	out := []MemberTraining{}
	for i := len(all) - 1; i >= 0; i-- {
		c, err := t.read(ctx, all[i].Value.ID)
		if errors.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v := t.view(ctx, p, *c)
		for _, e := range v.Enrolments {
			if e.Kind == KindMember && e.InitiativeID == initiativeID {
				out = append(out, MemberTraining{Course: all[i].Value, Enrolment: e})
			}
		}
	}
	return out, nil
}

// Counts are the people of the period's courses (a quarter "2026-Q3" or a
// year "2026", Bogotá days) that p sees — advisers: the members of their
// initiatives and the count lines of the courses they may edit; admins:
// all — by sex, age group, partner, area, municipality and department.
// They come from the "run" buckets of the period's quarters (one to four
// reads by _id, no course read).
func (t *Training) Counts(ctx context.Context, p *accounts.Principal, period string) (progress.TrainedCounts, error) {
	if !CanRecordTraining(p) {
		return progress.TrainedCounts{}, denyTraining(p, "the training counts")
	}
	per, err := progress.ParsePeriod(period)
	if err != nil {
		return progress.TrainedCounts{}, err
	}
	first := per.Start.Format(time.DateOnly)
	last := per.End.AddDate(0, 0, -1).Format(time.DateOnly)
	seen := map[string]bool{}
	out := progress.TrainedCounts{Period: per.Name, Completed: progress.NewTrainedFigures(),
		Enrolled: progress.NewTrainedFigures(), Dropped: progress.NewTrainedFigures()}
	for _, q := range quartersOf(first, last) {
		b, err := t.lists.Bucket(ctx, "run", q)
		if err != nil {
			return progress.TrainedCounts{}, err
		}
		for _, s := range b {
			if seen[s.ID] || s.StartsOn > last || s.EndsOn < first {
				continue
			}
			seen[s.ID] = true
			out.Courses++
			editable := CanEditCourse(p, &Course{RecordedBy: s.RecordedBy, InitiativeIDs: s.InitiativeIDs})
			endedIn := s.EndsOn >= first && s.EndsOn <= last
			for _, line := range s.Tally {
				k, n := line.Key, line.N
				parts := strings.Split(k, "|")
				if len(parts) != 5 || n <= 0 {
					continue
				}
				status, sex, age, minors, ini := parts[0], parts[1], parts[2], parts[3] == "1", parts[4]
				if ini == "-" && !editable && !p.IsAdmin() {
					continue
				}
				if ini != "-" && !p.IsAdmin() && !p.Advises(ini) {
					continue
				}
				cats := map[string]string{progress.DimSex: map[string]string{"female": "women", "male": "men"}[sex],
					progress.DimAgeGroup: map[string]string{"youth": "youth", "adult": "adults"}[age],
					progress.DimPartner:  s.Partner, progress.DimArea: s.Area,
					progress.DimMunicipality: s.Municipality, progress.DimDepartment: s.Department}
				switch status {
				case EnrolCompleted:
					out.Enrolled.Add(int64(n), minors, cats)
					if endedIn {
						out.Completed.Add(int64(n), minors, cats)
					}
				case EnrolEnrolled:
					out.Enrolled.Add(int64(n), minors, cats)
				case EnrolDropped:
					out.Dropped.Add(int64(n), minors, cats)
				}
			}
		}
	}
	return out, nil
}

func (t *Training) record(ctx context.Context, p *accounts.Principal, action, course string) {
	if t.audit != nil && p != nil {
		_ = t.audit.Record(ctx, accounts.AuditEntry{ActorID: p.UserID, Action: action, TargetKind: "course", TargetID: course})
	}
}
