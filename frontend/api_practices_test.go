package frontend

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/programme"
)

// practice shares a practice of initiative ini, as an admin.
func (f *matrixFixture) practiceOf(t *testing.T, ini string) programme.Practice {
	t.Helper()
	pr, err := f.env.practices.Share(t.Context(), accounts.System, programme.PracticeInput{Title: "Costeo del pan de papa", Topic: "accounting",
		InitiativeID: ini, Done: "Anotamos los costos de cada horneada.", Changed: "Ahora cada pan deja ganancia."})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// practice is a practice of the target initiative.
func (f *matrixFixture) practice(t *testing.T) programme.Practice { return f.practiceOf(t, f.target) }

// foreignPractice is a practice of the initiative that is not the target
// (what the target's producers may take up).
func (f *matrixFixture) foreignPractice(t *testing.T) programme.Practice {
	if f.target == f.own {
		return f.practiceOf(t, f.other)
	}
	return f.practiceOf(t, f.own)
}

// practicePhoto is a practice of the target with a photo.
func (f *matrixFixture) practicePhoto(t *testing.T) (programme.Practice, programme.Photo) {
	t.Helper()
	pr := f.practice(t)
	ph, err := f.env.practices.AddPhoto(t.Context(), accounts.System, pr.ID, bytes.NewReader(testJPEG(t, 64, 48)))
	if err != nil {
		t.Fatal(err)
	}
	return pr, ph
}

// exchange is an exchange the target initiative took part in, last week.
func (f *matrixFixture) exchange(t *testing.T) programme.Exchange {
	t.Helper()
	ex, err := f.env.practices.RecordExchange(t.Context(), accounts.System, programme.ExchangeInput{
		Date: time.Now().In(colombia.Zone).AddDate(0, 0, -7).Format(time.DateOnly), Municipality: "Sogamoso", Venue: "Casa de la Cultura",
		InitiativeIDs: []string{f.target}, Participants: mentoring.Participants{Women: 6, Men: 2, Youth: 3, Adults: 5}})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func (f *matrixFixture) exchangePhoto(t *testing.T) (programme.Exchange, programme.Photo) {
	t.Helper()
	ex := f.exchange(t)
	ph, err := f.env.practices.AddExchangePhoto(t.Context(), accounts.System, ex.ID, bytes.NewReader(testJPEG(t, 64, 48)))
	if err != nil {
		t.Fatal(err)
	}
	return ex, ph
}

func exchangeJSON(date string, initiatives ...string) string {
	ids, _ := json.Marshal(initiatives)
	return `{"date": "` + date + `", "municipality": "sogamoso", "venue": "Casa de la Cultura", "initiative_ids": ` + string(ids) +
		`, "participants": {"women": 12, "men": 4, "youth": 5, "adults": 11}, "notes": "Cada iniciativa contó qué le funcionó."}`
}

// The practices API end to end: share, search without accents, apply twice
// (201 then 200 with the same agreement, listed with the initiative's
// agreements), another initiative applies (another agreement), an exchange
// with its practice and photo.
func TestPracticesAPI(t *testing.T) {
	env := newTestEnv(t, nil, nil)
	bakery := createInitiative(t, env.catalog, "Panadería de Papa", "Mongua")
	arepas := createInitiative(t, env.catalog, "Arepas Segovianas", "Segovia")
	garden := createInitiative(t, env.catalog, "Huerta La Esperanza", "Sogamoso")
	_, adviser := env.user(t, "asesora@practicas.co", []string{accounts.RoleAdviser}, bakery.ID, arepas.ID)
	_, rosa := env.user(t, "rosa@practicas.co", []string{accounts.RoleProducer}, bakery.ID)
	_, luz := env.user(t, "luz@practicas.co", []string{accounts.RoleProducer}, arepas.ID)
	_, nubia := env.user(t, "nubia@practicas.co", []string{accounts.RoleProducer}, garden.ID)
	_, buyer := env.user(t, "compra@practicas.co", []string{accounts.RoleBuyer})

	day := time.Now().In(colombia.Zone).AddDate(0, -2, 0).Format(time.DateOnly)
	res, body := env.do(t, request("POST", "/api/v1/exchanges", exchangeJSON(day, bakery.ID, arepas.ID, garden.ID), adviser))
	wantStatus(t, "record an exchange", res, 201, body)
	var ex programme.Exchange
	json.Unmarshal([]byte(body), &ex)

	res, body = env.do(t, request("POST", "/api/v1/practices", `{"title": "Costeo del pan de papa", "topic": "accounting", "initiative_id": "`+bakery.ID+
		`", "exchange_id": "`+ex.ID+`", "done": "Anotamos los costos de cada horneada.", "changed": "Subimos el precio y ahora ganamos."}`, rosa))
	wantStatus(t, "share a practice", res, 201, body)
	var pr programme.Practice
	json.Unmarshal([]byte(body), &pr)
	if pr.Date != day || pr.Municipality != "Mongua" || pr.InitiativeName != "Panadería de Papa" {
		t.Errorf("the practice: %+v", pr)
	}
	res, body = env.do(t, uploadRequest(t, "/api/v1/practices/"+pr.ID+"/photos", "horno.jpg", testJPEG(t, 200, 150), rosa))
	wantStatus(t, "a photo", res, 201, body)

	for q, want := range map[string]int{"panaderia": 1, "COSTOS": 1, "fiado": 0} {
		res, body = env.do(t, request("GET", "/api/v1/practices?q="+q+"&topic=accounting&municipality=mongua", "", luz))
		wantStatus(t, "search "+q, res, 200, body)
		var page struct{ Items []map[string]any }
		json.Unmarshal([]byte(body), &page)
		if len(page.Items) != want {
			t.Errorf("search %q: %d practices, want %d (%s)", q, len(page.Items), want, body)
		}
		if want == 1 && page.Items[0]["photo_url"] == nil {
			t.Errorf("search %q: no photo url (%s)", q, body)
		}
	}
	res, body = env.do(t, request("GET", "/api/v1/practices", "", buyer))
	wantStatus(t, "a buyer browses", res, 403, body)

	apply := func(token, body string, want int) mentoring.Agreement {
		t.Helper()
		res, b := env.do(t, request("POST", "/api/v1/practices/"+pr.ID+"/apply", body, token))
		wantStatus(t, "apply", res, want, b)
		var a mentoring.Agreement
		json.Unmarshal([]byte(b), &a)
		return a
	}
	first := apply(luz, "", 201)
	again := apply(luz, `{"initiative_id": "`+arepas.ID+`"}`, 200)
	other := apply(nubia, `{}`, 201)
	if again.ID != first.ID || other.ID == first.ID || first.PracticeID != pr.ID || first.InitiativeID != arepas.ID {
		t.Errorf("agreements: first %+v, again %s, other %s", first, again.ID, other.ID)
	}
	apply(rosa, "", 409)
	res, body = env.do(t, request("GET", "/api/v1/agreements?initiative="+arepas.ID+"&status=open", "", luz))
	wantStatus(t, "agreements", res, 200, body)
	var list struct{ Items []mentoring.Agreement }
	json.Unmarshal([]byte(body), &list)
	if len(list.Items) != 1 || list.Items[0].ID != first.ID {
		t.Errorf("the initiative's open agreements: %s", body)
	}

	res, body = env.do(t, uploadRequest(t, "/api/v1/exchanges/"+ex.ID+"/photos", "encuentro.jpg", testJPEG(t, 120, 90), adviser))
	wantStatus(t, "an exchange photo", res, 201, body)
	var ph struct {
		ThumbURL string `json:"thumb_url"`
	}
	json.Unmarshal([]byte(body), &ph)
	res, body = env.do(t, request("GET", "/api/v1/exchanges/"+ex.ID, "", nubia))
	wantStatus(t, "the exchange", res, 200, body)
	var got struct {
		programme.Exchange
		Practices []programme.PracticeSummary
	}
	json.Unmarshal([]byte(body), &got)
	if len(got.Practices) != 1 || got.Practices[0].Title != "Costeo del pan de papa" || len(got.Photos) != 1 || got.Participants.Women != 12 {
		t.Errorf("the exchange: %s", body)
	}
	res, _ = env.do(t, request("GET", ph.ThumbURL, "", nubia))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the exchange's thumbnail: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, body = env.do(t, request("GET", "/api/v1/exchanges?limit=1", "", luz))
	wantStatus(t, "the exchanges", res, 200, body)
	res, body = env.do(t, request("POST", "/api/v1/exchanges", exchangeJSON(day, garden.ID), adviser))
	wantStatus(t, "an exchange of none of hers", res, http.StatusForbidden, body)

	// Corrections: a practice's texts (a bad one a problem naming the
	// field), an applied practice kept with 409, an exchange's venue and an
	// initiative that shared there kept.
	res, body = env.do(t, request("PATCH", "/api/v1/practices/"+pr.ID, `{"title": "x"}`, rosa))
	wantStatus(t, "a short title", res, 422, body)
	wantText(t, "a short title", body, `"field":"title"`)
	res, body = env.do(t, request("PATCH", "/api/v1/practices/"+pr.ID, `{"title": "Costeo de cada horneada", "color": "rojo"}`, rosa))
	wantStatus(t, "an unknown field", res, 400, body)
	res, body = env.do(t, request("PATCH", "/api/v1/practices/"+pr.ID, `{"title": "Costeo de cada horneada"}`, rosa))
	wantStatus(t, "corrected", res, 200, body)
	wantText(t, "corrected", body, `"title":"Costeo de cada horneada"`, `"changed":"Subimos el precio y ahora ganamos."`)
	res, body = env.do(t, request("DELETE", "/api/v1/practices/"+pr.ID, "", rosa))
	wantStatus(t, "withdraw an applied practice", res, 409, body)
	res, body = env.do(t, request("PATCH", "/api/v1/exchanges/"+ex.ID, `{"initiative_ids": ["`+arepas.ID+`"]}`, adviser))
	wantStatus(t, "without the initiative that shared", res, 422, body)
	wantText(t, "without the initiative that shared", body, `"field":"initiative_ids"`, `"reason":"shared"`)
	res, body = env.do(t, request("PATCH", "/api/v1/exchanges/"+ex.ID, `{"venue": "Salón comunal"}`, adviser))
	wantStatus(t, "the exchange corrected", res, 200, body)
	wantText(t, "the exchange corrected", body, `"venue":"Salón comunal"`, `"women":12`)
	res, body = env.do(t, request("DELETE", "/api/v1/exchanges/"+ex.ID+"/photos/nada", "", adviser))
	wantStatus(t, "an unknown photo", res, 404, body)
}
