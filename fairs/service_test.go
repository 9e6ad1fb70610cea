package fairs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

var (
	admin    = &accounts.Principal{UserID: "admin", Roles: []string{accounts.RoleAdmin}}
	luz      = &accounts.Principal{UserID: "luz", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"bakery"}}
	otra     = &accounts.Principal{UserID: "otra", Roles: []string{accounts.RoleAdviser}}
	rosa     = &accounts.Principal{UserID: "rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"bakery"}}
	stranger = &accounts.Principal{UserID: "ana", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"farm"}}
)

func newFairs(t *testing.T) *fairs.Service {
	t.Helper()
	known := map[string]bool{"bakery": true, "farm": true}
	return fairs.NewService(storagetest.DB(t), fairs.Options{
		Clock: func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) },
		Initiatives: func(_ context.Context, ids []string) ([]string, error) {
			var missing []string
			for _, id := range ids {
				if !known[id] {
					missing = append(missing, id)
				}
			}
			return missing, nil
		},
	})
}

var mongua = fairs.Input{Name: "Feria de emprendimiento de Mongua", Municipality: "mongua", Venue: "Parque principal",
	StartsOn: "2026-12-12", EndsOn: "2026-12-13"}

func TestCreateChecksTheFair(t *testing.T) {
	svc := newFairs(t)
	f, err := svc.Create(t.Context(), luz, mongua)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != fairs.StatusPlanned || f.Municipality != "Mongua" || f.Department != "Boyacá" || f.OrganizedBy != "luz" {
		t.Fatalf("got %+v, want a planned fair in Mongua, Boyacá, organised by luz", f)
	}
	elsewhere := fairs.Input{Name: "Feria campesina", Municipality: "Duitama", Department: "boyaca", StartsOn: "2027-01-10", EndsOn: "2027-01-10"}
	if f, err := svc.Create(t.Context(), admin, elsewhere); err != nil || f.Department != "Boyacá" {
		t.Fatalf("a fair outside the programme's towns: %+v %v", f, err)
	}
	for name, in := range map[string]fairs.Input{
		"no department": {Name: "Feria", Municipality: "Duitama", StartsOn: "2027-01-10", EndsOn: "2027-01-10"},
		"ends before":   {Name: "Feria", Municipality: "Mongua", StartsOn: "2027-01-10", EndsOn: "2027-01-09"},
		"too long":      {Name: "Feria", Municipality: "Mongua", StartsOn: "2027-01-01", EndsOn: "2027-02-01"},
		"not a date":    {Name: "Feria", Municipality: "Mongua", StartsOn: "10/01/2027", EndsOn: "2027-01-10"},
		"years off":     {Name: "Feria", Municipality: "Mongua", StartsOn: "2031-01-10", EndsOn: "2031-01-10"},
		"no name":       {Name: "F", Municipality: "Mongua", StartsOn: "2027-01-10", EndsOn: "2027-01-10"},
	} {
		if _, err := svc.Create(t.Context(), admin, in); !errors.Is(err, errs.Invalid) {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	for _, p := range []*accounts.Principal{rosa, nil} {
		if _, err := svc.Create(t.Context(), p, mongua); err == nil {
			t.Errorf("%v created a fair", p)
		}
	}
}

func TestFairGoesPlannedOpenClosed(t *testing.T) {
	svc := newFairs(t)
	f, err := svc.Create(t.Context(), luz, mongua)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(t.Context(), otra, f.ID, fairs.StatusOpen); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another adviser opened the fair: %v", err)
	}
	if _, err := svc.Transition(t.Context(), luz, f.ID, fairs.StatusClosed); !errors.Is(err, errs.Conflict) {
		t.Fatalf("planned → closed: got %v, want conflict", err)
	}
	if f, err = svc.Transition(t.Context(), luz, f.ID, fairs.StatusOpen); err != nil || f.Status != fairs.StatusOpen {
		t.Fatalf("open: %+v %v", f, err)
	}
	if again, err := svc.Transition(t.Context(), luz, f.ID, fairs.StatusOpen); err != nil || again.Status != fairs.StatusOpen {
		t.Fatalf("open twice: %+v %v, want the fair as it is", again, err)
	}
	current, _ := svc.Current(t.Context())
	if len(current) != 1 || current[0].Status != fairs.StatusOpen {
		t.Fatalf("current fairs: %+v, want the open one", current)
	}
	if f, err = svc.Transition(t.Context(), admin, f.ID, fairs.StatusClosed); err != nil || f.Status != fairs.StatusClosed {
		t.Fatalf("close: %+v %v", f, err)
	}
	if _, err := svc.Transition(t.Context(), luz, f.ID, fairs.StatusOpen); !errors.Is(err, errs.Conflict) {
		t.Fatalf("closed → open: got %v, want conflict", err)
	}
	current, _ = svc.Current(t.Context())
	closed, err := svc.Closed(t.Context(), "", 10)
	if len(current) != 0 || err != nil || len(closed.Items) != 1 || closed.Items[0].Value.Status != fairs.StatusClosed {
		t.Fatalf("after closing: current %+v, closed %+v (%v)", current, closed, err)
	}
	if _, err := svc.Transition(t.Context(), admin, "no-such-fair", fairs.StatusOpen); !errors.Is(err, errs.NotFound) {
		t.Fatalf("unknown fair: %v", err)
	}
}

func TestInitiativesAreInvitedAndAccept(t *testing.T) {
	svc := newFairs(t)
	f, err := svc.Create(t.Context(), luz, mongua)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(t.Context(), otra, f.ID, "bakery"); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another adviser invited: %v", err)
	}
	if _, err := svc.Invite(t.Context(), luz, f.ID, "nowhere"); !errors.Is(err, errs.Invalid) {
		t.Fatalf("an unknown initiative: %v, want invalid", err)
	}
	pt, err := svc.Invite(t.Context(), luz, f.ID, "bakery")
	if err != nil || pt.Status != fairs.Invited || pt.InvitedBy != "luz" {
		t.Fatalf("invite: %+v %v", pt, err)
	}
	if again, err := svc.Invite(t.Context(), luz, f.ID, "bakery"); err != nil || again != pt {
		t.Fatalf("invite twice: %+v %v, want the same invitation", again, err)
	}
	if _, err := svc.Accept(t.Context(), stranger, f.ID, "bakery"); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another initiative's producer accepted: %v", err)
	}
	if _, err := svc.Accept(t.Context(), stranger, f.ID, "farm"); !errors.Is(err, errs.NotFound) {
		t.Fatalf("accepting an invitation never made: %v, want not found", err)
	}
	pt, err = svc.Accept(t.Context(), rosa, f.ID, "bakery")
	if err != nil || pt.Status != fairs.Accepted || pt.AcceptedBy != "rosa" || pt.AcceptedAt == nil {
		t.Fatalf("accept: %+v %v", pt, err)
	}
	got, err := svc.Fair(t.Context(), f.ID)
	if err != nil || !got.Accepts("bakery") || got.Accepts("farm") || len(got.List()) != 1 {
		t.Fatalf("the fair after accepting: %+v %v", got, err)
	}
	mine, err := svc.OfInitiative(t.Context(), rosa, "bakery")
	if err != nil || len(mine) != 1 || mine[0].ID != f.ID {
		t.Fatalf("the bakery's fairs: %+v %v", mine, err)
	}
	if _, err := svc.OfInitiative(t.Context(), stranger, "bakery"); !errors.Is(err, errs.Forbidden) {
		t.Fatalf("another initiative's fairs: %v", err)
	}
}
