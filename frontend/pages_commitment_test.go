package frontend

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/colombia"
)

// The commitment from signing to the public badge: the producer signs it
// for a member; the adviser verifies it at a visit (the session form's
// box, with a private note) and the buyer sees the badge with its date on
// the initiative and product pages, and in the API, never the note; a
// suspension with a reason takes the badge away, and neither the reason
// nor the note reaches the producer or the public.
func TestCommitmentFromSigningToTheBadge(t *testing.T) {
	env := newProducerEnv(t)
	member, err := env.catalog.AddMember(t.Context(), accounts.System, env.bakery.ID, catalog.Member{Name: "Rosa Elvira Cárdenas", Role: "lideresa", Sex: "female", AgeGroup: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	env.person(t, "lucia@tesoro.test", "Lucía Rojas", accounts.RoleAdviser, env.bakery.ID)
	rosa, lucia, buyer := env.signedIn(t, "rosa@tesoro.test"), env.signedIn(t, "lucia@tesoro.test"), newVisitor(env.testEnv)
	mine := "/mi-iniciativa/" + env.bakery.ID + "/compromiso"
	publicPages := []string{"/iniciativas/" + env.bakery.Slug, "/productos/" + env.bread.ID}
	const note, reason = "Los hijos de Rosa estaban en el colegio", "Una niña atendía el puesto en la feria"
	badge := "Todo tiene su tiempo · compromiso verificado el"
	public := func(want string) {
		t.Helper()
		for _, page := range publicPages {
			res, body := buyer.get(t, page)
			wantStatus(t, page, res, 200, body)
			text := html.UnescapeString(body)
			if (want != "") != strings.Contains(text, badge) || (want != "" && !strings.Contains(text, badge+" "+want)) {
				t.Errorf("%s: badge %q expected, page says %q", page, want, between(text, `class="commitment-badge"`, `</p>`))
			}
			for _, secret := range []string{note, reason, "Rosa Elvira"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s shows %q", page, secret)
				}
			}
		}
	}

	res, body := rosa.get(t, mine)
	wantStatus(t, "the producer's commitment", res, 200, body)
	wantText(t, "before signing", html.UnescapeString(body), "Sin firmar", "Todo tiene su tiempo", "ningún menor de edad trabaje")
	res, _ = rosa.post(t, mine, url.Values{"member_id": {member.ID}, "signed_on": {bogotaDay(-10)}})
	wantRedirect(t, "signing", res, mine+"?aviso=compromiso-firmado")
	public("")

	// The visit: the session form's box.
	lucia.get(t, "/asesoria/sesiones/nueva")
	res, body = lucia.post(t, "/asesoria/sesiones/nueva", url.Values{"initiative": {env.bakery.ID}, "date": {bogotaDay(0)}, "duration": {"60"},
		"modality": {"visit"}, "topic": {"child_labour_prevention"}, "child_labour": {"on"}, "child_labour_note": {note}})
	if res.StatusCode != 303 {
		t.Fatalf("the visit: %d %s", res.StatusCode, body)
	}
	today := time.Now().In(colombia.Zone).Format("02/01/2006")
	public(today)
	res, body = buyer.get(t, "/api/v1/initiatives/"+env.bakery.ID)
	var api struct{ Commitment map[string]string }
	if err := json.Unmarshal([]byte(body), &api); err != nil || res.StatusCode != 200 {
		t.Fatal(res.StatusCode, err)
	}
	if len(api.Commitment) != 2 || api.Commitment["state"] != "verified" || api.Commitment["verified_on"] != time.Now().In(colombia.Zone).Format(time.DateOnly) {
		t.Errorf("the public API's commitment: %v, want its state and day only", api.Commitment)
	}
	if strings.Contains(body, note) {
		t.Error("the public API shows the visit's note")
	}
	adviserPage := "/asesoria/iniciativas/" + env.bakery.ID + "/compromiso"
	_, body = lucia.get(t, adviserPage)
	wantText(t, "the adviser's view", html.UnescapeString(body), "Verificado", note)

	lucia.get(t, adviserPage)
	res, body = lucia.post(t, adviserPage+"/suspender", url.Values{"reason": {""}})
	wantStatus(t, "a suspension without a reason", res, 422, body)
	res, _ = lucia.post(t, adviserPage+"/suspender", url.Values{"reason": {reason}})
	wantRedirect(t, "suspended", res, adviserPage+"?aviso=compromiso-suspendido")
	public("")
	_, body = rosa.get(t, mine)
	text := html.UnescapeString(body)
	wantText(t, "the producer's view", text, "Suspendido")
	if strings.Contains(text, reason) || strings.Contains(text, note) {
		t.Error("the producer sees the adviser's note or reason")
	}
	if res, _ := rosa.post(t, mine+"/verificar", url.Values{"date": {bogotaDay(0)}}); res.StatusCode != 403 {
		t.Errorf("the producer verifying her own commitment: %d, want 403", res.StatusCode)
	}
	res, body = buyer.get(t, "/todo-tiene-su-tiempo")
	wantStatus(t, "the explanation", res, 200, body)
	wantEveryMessage(t, lucia, adviserPage, "/todo-tiene-su-tiempo")
	wantEveryMessage(t, rosa, mine)
}
