package progress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/clean"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
)

// What an initiative's milestones need besides its sales: the monthly
// sales target its adviser sets (every change kept, each from its month
// on, so a target changed mid-streak judges each month by the target of
// that month) and the evidence of its manual milestones with their review.
// One document per initiative (progress_records/{initiative}), read with
// the progress by _id; evidence files are private objects
// (private/milestones/<initiative>/<code>/<id>.<ext>) streamed only to who
// sees the progress.

// Target is a monthly sales target from a month on.
type Target struct {
	From   string      `bson:"from" json:"from"` // YYYY-MM
	Amount money.Money `bson:"amount" json:"amount"`
	SetBy  string      `bson:"set_by" json:"set_by"`
	SetAt  time.Time   `bson:"set_at" json:"set_at"`
}

// Evidence is the file that supports a manual milestone.
type Evidence struct {
	ID          string    `bson:"id" json:"id"`
	Name        string    `bson:"name" json:"name"`
	ContentType string    `bson:"content_type" json:"content_type"`
	Size        int64     `bson:"size" json:"size"`
	Key         string    `bson:"key" json:"-"`
	Date        string    `bson:"date" json:"date"` // the day the document is dated, YYYY-MM-DD
	By          string    `bson:"by" json:"submitted_by"`
	At          time.Time `bson:"at" json:"submitted_at"`
}

// Review is an adviser's verdict on the evidence.
type Review struct {
	Decision string    `bson:"decision" json:"decision"` // verified or rejected
	Note     string    `bson:"note,omitempty" json:"note,omitempty"`
	By       string    `bson:"by" json:"by"`
	At       time.Time `bson:"at" json:"at"`
}

// Statuses of a manual milestone.
const (
	StatusSubmitted = "submitted"
	StatusVerified  = "verified"
	StatusRejected  = "rejected"
)

// ManualRecord is a manual milestone's evidence and review.
type ManualRecord struct {
	Evidence Evidence `bson:"evidence"`
	Review   *Review  `bson:"review,omitempty"`
}

func (m *Milestone) manual(r ManualRecord) {
	if r.Evidence.ID == "" {
		return
	}
	m.Evidence, m.Review, m.Status = &r.Evidence, r.Review, StatusSubmitted
	if r.Review != nil {
		m.Status = r.Review.Decision
		if r.Review.Decision == StatusVerified {
			m.ReachedOn = r.Evidence.Date[:7]
		}
	}
}

type recordDoc struct {
	ID      string                  `bson:"_id"`
	Targets map[string]Target       `bson:"targets,omitempty"` // by the month it starts
	Manual  map[string]ManualRecord `bson:"manual,omitempty"`
}

func (s *Service) record(ctx context.Context, ini string) (recordDoc, error) {
	var doc recordDoc
	err := s.records.FindOne(ctx, bson.M{"_id": ini}).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return doc, storage.Err("progress record "+ini, err)
	}
	return doc, nil
}

// CanGuide says who sets targets and reviews evidence: the initiative's
// advisers and admins.
func CanGuide(p *accounts.Principal, initiativeID string) bool {
	return p.IsAdmin() || p.Advises(initiativeID)
}

// maxTarget bounds a monthly target: 1,000 million pesos.
const maxTarget = 1_000_000_000 * 100

// SetTarget sets the initiative's monthly sales target from this month on
// (its advisers, admins). A second change in the same month replaces the
// first; earlier months keep theirs.
func (s *Service) SetTarget(ctx context.Context, p *accounts.Principal, initiativeID string, amount money.Money) ([]Target, error) {
	if !CanGuide(p, initiativeID) {
		return nil, denied(p, "the sales target of initiative "+initiativeID)
	}
	if amount.Currency == "" {
		amount.Currency = money.COP
	}
	if amount.Currency != money.COP || amount.Amount <= 0 || amount.Amount > maxTarget {
		var fe errs.Fields
		fe.Add("amount", errs.CodeOutOfRange, "must be an amount in COP above 0", "min", 1, "max", maxTarget)
		return nil, fe.Err()
	}
	t := Target{From: Month(s.now()), Amount: amount, SetBy: p.UserID, SetAt: s.now()}
	if _, err := s.records.UpdateOne(ctx, bson.M{"_id": initiativeID}, bson.M{"$set": bson.M{"targets." + t.From: t}},
		options.Update().SetUpsert(true)); err != nil {
		return nil, storage.Err("progress record "+initiativeID, err)
	}
	if err := s.milestonesChanged(ctx, initiativeID); err != nil {
		return nil, err
	}
	doc, err := s.record(ctx, initiativeID)
	return doc.targets(), err
}

// targets are the record's targets, the first set first.
func (r recordDoc) targets() []Target {
	out := make([]Target, 0, len(r.Targets))
	for _, from := range slices.Sorted(maps.Keys(r.Targets)) {
		out = append(out, r.Targets[from])
	}
	return out
}

// manualDefinition finds an active manual milestone by code.
func (s *Service) manualDefinition(ctx context.Context, code string) (Definition, error) {
	defs, err := s.Definitions(ctx)
	if err != nil {
		return Definition{}, err
	}
	i := slices.IndexFunc(defs, func(d Definition) bool { return d.Code == code })
	if i < 0 || !defs[i].Active {
		return Definition{}, fmt.Errorf("milestone %s: %w", code, errs.NotFound)
	}
	if defs[i].Kind != KindManual {
		var fe errs.Fields
		fe.Add("code", errs.CodeInvalid, "an automatic milestone is reached by what happens, not by evidence")
		return Definition{}, fe.Err()
	}
	return defs[i], nil
}

// SubmitEvidence keeps the file that supports a manual milestone (its
// producers, advisers and admins) dated date (YYYY-MM-DD, the day on the
// document; empty: today). It replaces earlier evidence and waits for review again. The
// object is stored first and the record then names it; a replaced object
// is deleted after.
func (s *Service) SubmitEvidence(ctx context.Context, p *accounts.Principal, initiativeID, code, date string, up mentoring.Upload) (Milestone, error) {
	if !CanSeeProgress(p, initiativeID) {
		return Milestone{}, denied(p, "the milestones of initiative "+initiativeID)
	}
	if s.objects == nil {
		return Milestone{}, fmt.Errorf("evidence: no object store: %w", errs.Unavailable)
	}
	d, err := s.manualDefinition(ctx, code)
	if err != nil {
		return Milestone{}, err
	}
	today := s.now().In(colombia.Zone)
	if date == "" {
		date = today.Format(time.DateOnly)
	}
	if day, err := time.ParseInLocation(time.DateOnly, date, colombia.Zone); err != nil || day.After(today) || day.Before(today.AddDate(-30, 0, 0)) {
		var fe errs.Fields
		fe.Add("date", errs.CodeOutOfRange, "must be the day on the document, YYYY-MM-DD, not after today")
		return Milestone{}, fe.Err()
	}
	e := Evidence{ID: storage.NewID(), Name: up.Name, ContentType: up.ContentType, Size: int64(len(up.Data)), Date: date, By: p.UserID, At: s.now()}
	e.Key = "private/milestones/" + initiativeID + "/" + code + "/" + e.ID + "." + up.Ext
	if _, err := s.objects.Put(ctx, e.Key, bytes.NewReader(up.Data), e.Size, e.ContentType); err != nil {
		return Milestone{}, err
	}
	before, err := s.record(ctx, initiativeID)
	if err == nil {
		_, err = s.records.UpdateOne(ctx, bson.M{"_id": initiativeID}, bson.M{"$set": bson.M{"manual." + code: ManualRecord{Evidence: e}}},
			options.Update().SetUpsert(true))
		err = storage.Err("progress record "+initiativeID, err)
	}
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), e.Key)
		return Milestone{}, err
	}
	if old := before.Manual[code].Evidence.Key; old != "" && old != e.Key {
		if err := s.objects.Delete(ctx, old); err != nil {
			slog.WarnContext(ctx, "replaced evidence not deleted", "initiative", initiativeID, "milestone", code, "err", err)
		}
	}
	m := Milestone{Definition: d}
	m.manual(ManualRecord{Evidence: e})
	return m, s.milestonesChanged(ctx, initiativeID)
}

// ReviewEvidence verifies or rejects the evidence of a manual milestone
// (the initiative's advisers, admins); note says why, required to reject.
// The review names the evidence it judged: evidence replaced meanwhile is
// a conflict.
func (s *Service) ReviewEvidence(ctx context.Context, p *accounts.Principal, initiativeID, code, evidenceID, decision, note string) (Milestone, error) {
	if !CanGuide(p, initiativeID) {
		return Milestone{}, denied(p, "reviewing the milestones of initiative "+initiativeID)
	}
	d, err := s.manualDefinition(ctx, code)
	if err != nil {
		return Milestone{}, err
	}
	var fe errs.Fields
	note = clean.Text(note)
	if decision != StatusVerified && decision != StatusRejected {
		fe.Add("decision", errs.CodeUnknown, "must be verified or rejected", "allowed", []string{StatusVerified, StatusRejected})
	}
	if decision == StatusRejected && note == "" {
		fe.Add("note", errs.CodeRequired, "say why the evidence is rejected")
	}
	if utf8.RuneCountInString(note) > 300 {
		fe.Add("note", errs.CodeTooLong, "must have at most 300 characters", "max", 300)
	}
	if err := fe.Err(); err != nil {
		return Milestone{}, err
	}
	doc, err := s.record(ctx, initiativeID)
	if err != nil {
		return Milestone{}, err
	}
	rec, ok := doc.Manual[code]
	if !ok {
		return Milestone{}, fmt.Errorf("evidence of milestone %s: %w", code, errs.NotFound)
	}
	if evidenceID != "" && rec.Evidence.ID != evidenceID {
		return Milestone{}, fmt.Errorf("the evidence of milestone %s was replaced: %w", code, errs.Conflict)
	}
	rec.Review = &Review{Decision: decision, Note: note, By: p.UserID, At: s.now()}
	res, err := s.records.UpdateOne(ctx, bson.M{"_id": initiativeID, "manual." + code + ".evidence.id": rec.Evidence.ID},
		bson.M{"$set": bson.M{"manual." + code + ".review": rec.Review}})
	if err != nil {
		return Milestone{}, storage.Err("progress record "+initiativeID, err)
	}
	if res.MatchedCount == 0 {
		return Milestone{}, fmt.Errorf("the evidence of milestone %s was replaced: %w", code, errs.Conflict)
	}
	m := Milestone{Definition: d}
	m.manual(rec)
	return m, s.milestonesChanged(ctx, initiativeID)
}

// OpenEvidence reads the evidence of a manual milestone for who sees the
// initiative's progress; the caller closes the reader.
func (s *Service) OpenEvidence(ctx context.Context, p *accounts.Principal, initiativeID, code string) (Evidence, io.ReadCloser, storage.Object, error) {
	if !CanSeeProgress(p, initiativeID) {
		return Evidence{}, nil, storage.Object{}, denied(p, "the milestones of initiative "+initiativeID)
	}
	doc, err := s.record(ctx, initiativeID)
	if err != nil {
		return Evidence{}, nil, storage.Object{}, err
	}
	rec, ok := doc.Manual[code]
	if !ok || s.objects == nil {
		return Evidence{}, nil, storage.Object{}, fmt.Errorf("evidence of milestone %s: %w", code, errs.NotFound)
	}
	r, obj, err := s.objects.Get(ctx, rec.Evidence.Key)
	return rec.Evidence, r, obj, err
}
