package progress

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// A manual milestone goes from evidence to verification by the adviser,
// who is kept with it; a target set by the adviser shows in the progress;
// each step is refused to who may not take it, and nothing reads but by _id.
func TestManualMilestonesAndTargets(t *testing.T) {
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 20, 15, 0, 0, 0, colombia.Zone)
	s := NewService(db, Options{Objects: objects, Clock: func() time.Time { return now }})
	ctx := t.Context()
	producer := &accounts.Principal{UserID: "u-prod", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-a"}}
	adviser := &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-a"}}
	other := &accounts.Principal{UserID: "u-other", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-b"}}
	admin := &accounts.Principal{UserID: "u-admin", Roles: []string{accounts.RoleAdmin}}
	pdf := mentoring.Upload{Name: "rut.pdf", ContentType: "application/pdf", Ext: "pdf", Data: []byte("%PDF-1.4 rut")}
	milestone := func(who *accounts.Principal, code string) Milestone {
		t.Helper()
		pr, err := s.Progress(ctx, who, "ini-a", "", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pr.Milestones {
			if m.Code == code {
				return m
			}
		}
		t.Fatalf("no milestone %s", code)
		return Milestone{}
	}
	var first Milestone
	scans := storagetest.ScansDuring(db, func() {
		if _, err := s.SubmitEvidence(ctx, other, "ini-a", "rut", "2026-04-02", pdf); !errors.Is(err, errs.Forbidden) {
			t.Errorf("another initiative's adviser submitting: %v, want forbidden", err)
		}
		if _, err := s.SubmitEvidence(ctx, producer, "ini-a", "first_sale", "2026-04-02", pdf); !isInvalid(err) {
			t.Errorf("evidence for an automatic milestone: %v, want invalid", err)
		}
		if _, err := s.SubmitEvidence(ctx, producer, "ini-a", "rut", "2026-06-01", pdf); !isInvalid(err) {
			t.Errorf("evidence dated tomorrow or later: %v, want invalid", err)
		}
		if first, err = s.SubmitEvidence(ctx, producer, "ini-a", "rut", "2026-04-02", pdf); err != nil || first.Status != StatusSubmitted || first.ReachedOn != "" {
			t.Fatalf("submitting the RUT: %+v %v", first, err)
		}
		if _, err := s.ReviewEvidence(ctx, producer, "ini-a", "rut", first.Evidence.ID, StatusVerified, ""); !errors.Is(err, errs.Forbidden) {
			t.Errorf("the producer verifying her own evidence: %v, want forbidden", err)
		}
		if _, err := s.ReviewEvidence(ctx, adviser, "ini-a", "rut", first.Evidence.ID, StatusRejected, ""); !isInvalid(err) {
			t.Errorf("a rejection without a note: %v, want invalid", err)
		}
		// Replaced meanwhile: the review of the first file is a conflict.
		second, err := s.SubmitEvidence(ctx, producer, "ini-a", "rut", "2026-04-03", pdf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReviewEvidence(ctx, adviser, "ini-a", "rut", first.Evidence.ID, StatusVerified, ""); !errors.Is(err, errs.Conflict) {
			t.Errorf("verifying replaced evidence: %v, want a conflict", err)
		}
		if _, err := s.ReviewEvidence(ctx, adviser, "ini-a", "rut", second.Evidence.ID, StatusVerified, "RUT vigente"); err != nil {
			t.Fatal(err)
		}
		m := milestone(producer, "rut")
		if m.Status != StatusVerified || m.ReachedOn != "2026-04" || m.Review == nil || m.Review.By != adviser.UserID || !m.Review.At.Equal(now) {
			t.Errorf("the verified RUT: %+v (review %+v), want reached in April 2026, verified by the adviser now", m, m.Review)
		}
		ev, r, _, err := s.OpenEvidence(ctx, producer, "ini-a", "rut")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		r.Close()
		if string(body) != string(pdf.Data) || ev.Date != "2026-04-03" {
			t.Errorf("the evidence read back: %q dated %s", body, ev.Date)
		}
		if _, _, _, err := s.OpenEvidence(ctx, other, "ini-a", "rut"); !errors.Is(err, errs.Forbidden) {
			t.Errorf("another adviser reading the evidence: %v, want forbidden", err)
		}
		// Targets: the adviser's, not the producer's.
		if _, err := s.SetTarget(ctx, producer, "ini-a", money.Pesos(500_000)); !errors.Is(err, errs.Forbidden) {
			t.Errorf("the producer setting her target: %v, want forbidden", err)
		}
		if _, err := s.SetTarget(ctx, adviser, "ini-a", money.Money{Amount: -1, Currency: money.COP}); !isInvalid(err) {
			t.Errorf("a negative target: %v, want invalid", err)
		}
		for _, pesos := range []int64{400_000, 500_000} { // the second replaces the first: same month
			if _, err := s.SetTarget(ctx, adviser, "ini-a", money.Pesos(pesos)); err != nil {
				t.Fatal(err)
			}
		}
	})
	if len(scans) > 0 {
		t.Fatalf("milestones scanned collections: %+v", scans)
	}
	pr, err := s.Progress(ctx, adviser, "ini-a", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Targets) != 1 || pr.Targets[0].From != "2026-05" || pr.Targets[0].Amount != money.Pesos(500_000) || pr.Targets[0].SetBy != adviser.UserID {
		t.Errorf("targets %+v, want 500,000 from May 2026 by the adviser", pr.Targets)
	}
	// The first file was deleted when replaced.
	if _, err := objects.Stat(ctx, "private/milestones/ini-a/rut/"+first.Evidence.ID+".pdf"); !errors.Is(err, errs.NotFound) {
		t.Errorf("the replaced evidence's object: %v, want not found", err)
	}

	// Admins edit the definitions: a new manual milestone, a number changed, one retired.
	name := func(s string) *string { return &s }
	n, off := 6, false
	if _, err := s.AddDefinition(ctx, adviser, DefinitionInput{Code: "bpm", NameES: name("Buenas prácticas"), NameEN: name("Good practices")}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an adviser adding a milestone: %v, want forbidden", err)
	}
	if _, err := s.AddDefinition(ctx, admin, DefinitionInput{Code: "rut", NameES: name("RUT"), NameEN: name("RUT")}); !errors.Is(err, errs.Conflict) {
		t.Errorf("adding an existing code: %v, want a conflict", err)
	}
	if _, err := s.AddDefinition(ctx, admin, DefinitionInput{Code: "bpm", NameES: name("Buenas prácticas de manufactura"), NameEN: name("Good manufacturing practices")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDefinition(ctx, admin, "first_sale", DefinitionInput{N: &n}); !isInvalid(err) {
		t.Errorf("a number for the first sale: %v, want invalid", err)
	}
	if _, err := s.UpdateDefinition(ctx, admin, "repeat_buyers", DefinitionInput{N: &n}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDefinition(ctx, admin, "invima", DefinitionInput{Active: &off}); err != nil {
		t.Fatal(err)
	}
	got := map[string]Milestone{}
	if pr, err = s.Progress(ctx, admin, "ini-a", "", ""); err != nil {
		t.Fatal(err)
	}
	for _, m := range pr.Milestones {
		got[m.Code] = m
	}
	if _, ok := got["invima"]; ok {
		t.Error("a retired milestone still shown")
	}
	if got["repeat_buyers"].N != 6 || got["bpm"].Kind != KindManual || got["bpm"].NameES != "Buenas prácticas de manufactura" {
		t.Errorf("edited definitions: %+v %+v", got["repeat_buyers"], got["bpm"])
	}
	if _, err := s.SubmitEvidence(ctx, producer, "ini-a", "invima", "2026-04-02", pdf); !errors.Is(err, errs.NotFound) {
		t.Errorf("evidence for a retired milestone: %v, want not found", err)
	}
}

func isInvalid(err error) bool {
	var ve *errs.ValidationError
	return errors.As(err, &ve)
}
