package frontend

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/frontend/kit"
	"github.com/tesoro-pact/tesoro/mentoring"
)

func TestMentoringAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	own := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	other := createInitiative(t, env.catalog, "Arepas de Segovia", "Segovia")
	_, adviser := env.user(t, "asesora@tesoro.demo", []string{accounts.RoleAdviser}, own.ID)
	_, producer := env.user(t, "rosa@tesoro.demo", []string{accounts.RoleProducer}, own.ID)
	_, stranger := env.user(t, "otro@tesoro.demo", []string{accounts.RoleProducer}, other.ID)
	_, admin := env.user(t, "admin@tesoro.demo", []string{accounts.RoleAdmin})

	today := time.Now().UTC().Format(time.DateOnly)
	res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(today, own.ID), adviser))
	if res.StatusCode != 201 {
		t.Fatalf("create: got %d %s", res.StatusCode, body)
	}
	var created sessionCreated
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if created.Session.ID == "" || len(created.Agreements) != 1 || created.Session.Participants.Women != 3 {
		t.Fatalf("create: unexpected body %s", body)
	}
	sessID := created.Session.ID

	t.Run("RFC 3339 date", func(t *testing.T) {
		res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(time.Now().UTC().Format(time.RFC3339), own.ID), adviser))
		if res.StatusCode != 201 {
			t.Fatalf("got %d %s", res.StatusCode, body)
		}
	})
	t.Run("unknown topic", func(t *testing.T) {
		res, body := env.do(t, request("POST", "/api/v1/sessions", `{"initiative_ids": ["`+own.ID+`"], "date": "`+today+`",
			"duration_minutes": 60, "modality": "visit", "topics": ["astrology"], "participants": {"women": 1, "men": 0, "youth": 0}, "notes": ""}`, adviser))
		if res.StatusCode != 422 {
			t.Fatalf("got %d %s, want 422", res.StatusCode, body)
		}
		p := decodeProblem(t, res, body)
		found := false
		for _, e := range p.Errors {
			found = found || e.Field == "topics"
		}
		if !found {
			t.Fatalf("no error for topics: %s", body)
		}
	})
	t.Run("not a date", func(t *testing.T) {
		res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON("14/03/2026", own.ID), adviser))
		if res.StatusCode != 422 {
			t.Fatalf("got %d %s, want 422", res.StatusCode, body)
		}
		fields := map[string]bool{}
		for _, e := range decodeProblem(t, res, body).Errors {
			fields[e.Field] = true
		}
		if !fields["date"] || !fields["agreements[0].due"] {
			t.Fatalf("want errors for date and agreements[0].due: %s", body)
		}
	})
	t.Run("adviser not assigned to one of two", func(t *testing.T) {
		res, body := env.do(t, request("POST", "/api/v1/sessions", sessionJSON(today, own.ID, other.ID), adviser))
		if res.StatusCode != 403 {
			t.Fatalf("got %d %s, want 403", res.StatusCode, body)
		}
	})
	t.Run("producer lists and sees notes", func(t *testing.T) {
		res, body := env.do(t, request("GET", "/api/v1/initiatives/"+own.ID+"/sessions", "", producer))
		if res.StatusCode != 200 {
			t.Fatalf("got %d %s", res.StatusCode, body)
		}
		var page kit.List[mentoring.Session]
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 || page.Items[len(page.Items)-1].Notes == "" && page.Items[0].Notes == "" {
			t.Fatalf("sessions without notes: %s", body)
		}
		res, body = env.do(t, request("GET", "/api/v1/sessions/"+sessID, "", producer))
		if res.StatusCode != 200 {
			t.Fatalf("get: got %d %s", res.StatusCode, body)
		}
	})
	t.Run("producer of another initiative", func(t *testing.T) {
		res, body := env.do(t, request("GET", "/api/v1/initiatives/"+own.ID+"/sessions", "", stranger))
		if res.StatusCode != 403 {
			t.Fatalf("list: got %d %s, want 403", res.StatusCode, body)
		}
		res, body = env.do(t, request("GET", "/api/v1/sessions/"+sessID, "", stranger))
		if res.StatusCode != 403 {
			t.Fatalf("get: got %d %s, want 403", res.StatusCode, body)
		}
		res, body = env.do(t, request("GET", "/api/v1/sessions/nonexistent", "", stranger))
		if res.StatusCode != 404 {
			t.Fatalf("get missing: got %d %s, want 404", res.StatusCode, body)
		}
	})
	t.Run("patch, lock, unlock, versions", func(t *testing.T) {
		res, body := env.do(t, request("PATCH", "/api/v1/sessions/"+sessID, `{"notes": "Cuentas al día"}`, adviser))
		if res.StatusCode != 200 {
			t.Fatalf("patch: got %d %s", res.StatusCode, body)
		}
		old := time.Now().UTC().AddDate(0, 0, -40).Format(time.DateOnly)
		res, body = env.do(t, request("POST", "/api/v1/sessions", sessionJSON(old, own.ID), adviser))
		if res.StatusCode != 201 {
			t.Fatalf("create old: got %d %s", res.StatusCode, body)
		}
		var locked sessionCreated
		_ = json.Unmarshal([]byte(body), &locked)
		path := "/api/v1/sessions/" + locked.Session.ID
		res, body = env.do(t, request("PATCH", path, `{"duration_minutes": 120}`, adviser))
		if res.StatusCode != 423 {
			t.Fatalf("patch locked: got %d %s, want 423", res.StatusCode, body)
		}
		decodeProblem(t, res, body)
		res, body = env.do(t, request("POST", path+"/unlock", `{"reason": "Corregir asistentes"}`, adviser))
		if res.StatusCode != 403 {
			t.Fatalf("unlock as adviser: got %d %s, want 403", res.StatusCode, body)
		}
		res, body = env.do(t, request("POST", path+"/unlock", `{"reason": "Corregir asistentes"}`, admin))
		if res.StatusCode != 200 {
			t.Fatalf("unlock: got %d %s", res.StatusCode, body)
		}
		res, body = env.do(t, request("PATCH", path, `{"duration_minutes": 120}`, adviser))
		if res.StatusCode != 200 {
			t.Fatalf("patch unlocked: got %d %s", res.StatusCode, body)
		}
		res, body = env.do(t, request("GET", path+"/versions", "", producer))
		var versions kit.List[mentoring.Version]
		_ = json.Unmarshal([]byte(body), &versions)
		if res.StatusCode != 200 || len(versions.Items) != 2 {
			t.Fatalf("versions: got %d %s, want 2 versions", res.StatusCode, body)
		}
	})
	t.Run("agreements", func(t *testing.T) {
		res, body := env.do(t, request("GET", "/api/v1/agreements?initiative="+own.ID+"&overdue=true", "", producer))
		if res.StatusCode != 200 {
			t.Fatalf("list: got %d %s", res.StatusCode, body)
		}
		var page kit.List[mentoring.Agreement]
		_ = json.Unmarshal([]byte(body), &page)
		if len(page.Items) != 1 {
			t.Fatalf("overdue: got %d agreements, want 1 (the one of 40 days ago): %s", len(page.Items), body)
		}
		overdue := page.Items[0]
		res, body = env.do(t, request("GET", "/api/v1/agreements?initiative="+own.ID+"&overdue=maybe", "", producer))
		if res.StatusCode != 422 {
			t.Fatalf("bad overdue: got %d %s, want 422", res.StatusCode, body)
		}
		res, body = env.do(t, request("PATCH", "/api/v1/agreements/"+overdue.ID, `{"status": "dropped"}`, producer))
		if res.StatusCode != 403 {
			t.Fatalf("producer drops: got %d %s, want 403", res.StatusCode, body)
		}
		res, body = env.do(t, request("PATCH", "/api/v1/agreements/"+overdue.ID, `{"status": "done"}`, producer))
		if res.StatusCode != 200 {
			t.Fatalf("producer done: got %d %s", res.StatusCode, body)
		}
		var a mentoring.Agreement
		_ = json.Unmarshal([]byte(body), &a)
		if a.Status != mentoring.StatusDone {
			t.Fatalf("status: got %q, want done", a.Status)
		}
		res, body = env.do(t, request("PATCH", "/api/v1/agreements/"+overdue.ID, `{"status": "done"}`, stranger))
		if res.StatusCode != 403 {
			t.Fatalf("stranger: got %d %s, want 403", res.StatusCode, body)
		}
	})
}
