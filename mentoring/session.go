package mentoring

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
)

// Topics are the codes of the subjects a session may cover.
var Topics = []string{
	"associative_practices", "computer_systems", "project_design", "production_processes",
	"accounting", "marketing", "customer_service", "conflict_resolution",
	"family_economy_savings", "formalization", "occupational_safety", "child_labour_prevention",
}

// Modalities are the ways a session may be held.
var Modalities = []string{"visit", "virtual", "workshop", "phone"}

// Limits of a session's fields.
const (
	MaxDurationMinutes = 600
	MaxNotes           = 4000
	// MaxParticipants bounds each count of a session (a whole town's
	// workshop stays below it; a typo of a huge number does not).
	MaxParticipants = 10000
	YouthMinAge     = 14 // youth is 14–28 years old
	YouthMaxAge     = 28
)

// Participants counts who attended, by sex and by age group (youth 14–28, adults).
type Participants struct {
	Women  int `bson:"women" json:"women"`
	Men    int `bson:"men" json:"men"`
	Youth  int `bson:"youth" json:"youth"`
	Adults int `bson:"adults" json:"adults"`
}

// UnlockRecord says which admin reopened a locked session, when and why.
type UnlockRecord struct {
	By     string    `bson:"by" json:"unlocked_by"`
	At     time.Time `bson:"at" json:"unlocked_at"`
	Reason string    `bson:"reason" json:"reason"`
	// Until is when the session locks again (records made before it was
	// kept: At plus DefaultUnlockFor).
	Until time.Time `bson:"until,omitempty" json:"until"`
}

// until is when an unlock ends.
func (u UnlockRecord) until() time.Time {
	if u.Until.IsZero() {
		return u.At.Add(DefaultUnlockFor)
	}
	return u.Until
}

// Session is one advisory session with one or more initiatives.
type Session struct {
	ID              string        `bson:"_id" json:"id"`
	AdviserID       string        `bson:"adviser_id" json:"adviser_id"`
	InitiativeIDs   []string      `bson:"initiative_ids" json:"initiative_ids"`
	Date            time.Time     `bson:"date" json:"date"` // midnight UTC of the day
	DurationMinutes int           `bson:"duration_minutes" json:"duration_minutes"`
	Modality        string        `bson:"modality" json:"modality"`
	Topics          []string      `bson:"topics" json:"topics"`
	Participants    Participants  `bson:"participants" json:"participants"`
	MemberIDs       []string      `bson:"member_ids" json:"member_ids"`
	Notes           string        `bson:"notes" json:"notes"`
	NextFollowUp    *time.Time    `bson:"next_follow_up,omitempty" json:"next_follow_up,omitempty"`
	Agreements      []string      `bson:"agreements" json:"agreements"` // agreement ids
	CreatedAt       time.Time     `bson:"created_at" json:"created_at"`
	UpdatedAt       time.Time     `bson:"updated_at" json:"updated_at"`
	Rev             int64         `bson:"rev" json:"rev"`
	Unlocked        *UnlockRecord `bson:"unlocked,omitempty" json:"unlocked,omitempty"`
	// LocksAt is when the session becomes read-only: LockAfter after the
	// day it was first recorded for; moving the date later never moves it
	// (records made before it was kept count from their date).
	LocksAt     *time.Time   `bson:"locks_at,omitempty" json:"locks_at,omitempty"`
	Attachments []Attachment `bson:"attachments,omitempty" json:"attachments,omitempty"`
	// Versions are the session's edits, pushed in the update that makes
	// each one; read them with Service.Versions.
	Versions []Version `bson:"versions,omitempty" json:"-"`
}

// Change is one field's value before and after an edit.
type Change struct {
	From any `bson:"from" json:"from"`
	To   any `bson:"to" json:"to"`
}

// Version is one edit of a session: who made it, when, and what it changed.
// Rev is the session's revision after the edit.
type Version struct {
	ID        string            `bson:"_id" json:"id"`
	SessionID string            `bson:"session_id" json:"session_id"`
	Rev       int64             `bson:"rev" json:"rev"`
	At        time.Time         `bson:"at" json:"recorded_at"`
	By        string            `bson:"by" json:"recorded_by"`
	Changes   map[string]Change `bson:"changes" json:"changes"`
}

// SessionInput is a new session with the agreements taken in it.
type SessionInput struct {
	InitiativeIDs   []string         `json:"initiative_ids"`
	Date            time.Time        `json:"date"`
	DurationMinutes int              `json:"duration_minutes"`
	Modality        string           `json:"modality"`
	Topics          []string         `json:"topics"`
	Participants    Participants     `json:"participants"`
	MemberIDs       []string         `json:"member_ids,omitempty"`
	Notes           string           `json:"notes"`
	NextFollowUp    *time.Time       `json:"next_follow_up,omitempty"`
	Agreements      []AgreementInput `json:"agreements,omitempty"`
}

// SessionUpdate changes a session; nil fields stay. The initiatives of a
// session do not change (they decide who may see and edit it).
type SessionUpdate struct {
	Date            *time.Time    `json:"date,omitempty"`
	DurationMinutes *int          `json:"duration_minutes,omitempty"`
	Modality        *string       `json:"modality,omitempty"`
	Topics          []string      `json:"topics,omitempty"`
	Participants    *Participants `json:"participants,omitempty"`
	MemberIDs       []string      `json:"member_ids,omitempty"`
	Notes           *string       `json:"notes,omitempty"`
	NextFollowUp    *time.Time    `json:"next_follow_up,omitempty"`
}

// Zone is the programme's time zone: its days begin and end in Bogotá, so
// "today", "overdue", "in the future" and the record lock are counted there.
var Zone = colombia.Zone

// Day returns midnight UTC of t's calendar day (in t's own location): a day
// is stored as the UTC midnight of its date.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today returns the day it is in Bogotá at now, stored as Day stores days.
func Today(now time.Time) time.Time { return Day(now.In(Zone)) }

// dayStart is the instant a stored day begins in Bogotá.
func dayStart(day time.Time) time.Time {
	y, m, d := day.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Zone)
}

// sessionFields is the editable part of a session, validated as a whole.
type sessionFields struct {
	InitiativeIDs   []string
	Date            time.Time
	DurationMinutes int
	Modality        string
	Topics          []string
	Participants    Participants
	MemberIDs       []string
	Notes           string
	NextFollowUp    *time.Time
}

// normalize cleans f and reports every invalid field; now is the current time.
func (f *sessionFields) normalize(now time.Time, fe *errs.Fields) {
	f.InitiativeIDs = cleanIDs(f.InitiativeIDs)
	if len(f.InitiativeIDs) == 0 {
		fe.Add("initiative_ids", errs.CodeRequired, "at least one initiative is required")
	}
	if f.Date.IsZero() {
		fe.Add("date", errs.CodeRequired, "required")
	} else {
		f.Date = Day(f.Date)
		if f.Date.After(Today(now).AddDate(0, 0, 1)) {
			fe.Add("date", errs.CodeNotAllowed, "date is in the future")
		}
	}
	if f.DurationMinutes < 1 || f.DurationMinutes > MaxDurationMinutes {
		fe.Add("duration_minutes", errs.CodeOutOfRange, fmt.Sprintf("must be between 1 and %d minutes", MaxDurationMinutes), "min", 1, "max", MaxDurationMinutes)
	}
	f.Modality = strings.TrimSpace(f.Modality)
	if !slices.Contains(Modalities, f.Modality) {
		fe.Add("modality", errs.CodeUnknown, "unknown modality")
	}
	topics := make([]string, 0, len(f.Topics))
	switch {
	case len(f.Topics) == 0:
		fe.Add("topics", errs.CodeRequired, "at least one topic is required")
	default:
		for _, t := range f.Topics {
			t = strings.TrimSpace(t)
			if !slices.Contains(Topics, t) {
				fe.Add("topics", errs.CodeUnknown, "unknown topic "+t)
				break
			}
			if slices.Contains(topics, t) {
				fe.Add("topics", errs.CodeDuplicate, "duplicate topic "+t)
				break
			}
			topics = append(topics, t)
		}
	}
	f.Topics = topics
	for name, n := range map[string]int{"women": f.Participants.Women, "men": f.Participants.Men, "youth": f.Participants.Youth, "adults": f.Participants.Adults} {
		if n < 0 || n > MaxParticipants {
			fe.Add("participants."+name, errs.CodeOutOfRange, fmt.Sprintf("must be a count from 0 to %d", MaxParticipants), "min", 0, "max", MaxParticipants)
		}
	}
	f.MemberIDs = cleanIDs(f.MemberIDs)
	f.Notes = clean.Text(f.Notes)
	if utf8.RuneCountInString(f.Notes) > MaxNotes {
		fe.Add("notes", errs.CodeTooLong, fmt.Sprintf("at most %d characters", MaxNotes), "max", MaxNotes)
	}
	if f.NextFollowUp != nil {
		if f.NextFollowUp.IsZero() {
			f.NextFollowUp = nil
		} else {
			d := Day(*f.NextFollowUp)
			f.NextFollowUp = &d
		}
	}
	slices.SortStableFunc(*fe, func(a, b errs.FieldError) int { return strings.Compare(a.Field, b.Field) })
}

// cleanIDs trims ids and drops empty ones and duplicates; never nil.
func cleanIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (s Session) fields() sessionFields {
	return sessionFields{
		InitiativeIDs: s.InitiativeIDs, Date: s.Date, DurationMinutes: s.DurationMinutes, Modality: s.Modality,
		Topics: s.Topics, Participants: s.Participants, MemberIDs: s.MemberIDs, Notes: s.Notes, NextFollowUp: s.NextFollowUp,
	}
}

// lockedAt is when the session becomes read-only: LocksAt, or for records
// made before it was kept, lockAfter after its day began in Bogotá.
func (s Session) lockedAt(lockAfter time.Duration) time.Time {
	if s.LocksAt != nil {
		return *s.LocksAt
	}
	return dayStart(s.Date).Add(lockAfter)
}
