package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserCommitmentVerifiedAtAVisit: on a phone, in Spanish, the
// Boyacá adviser records a visit to an initiative that signed the
// commitment and ticks "Verificado: sin trabajo infantil" with a private
// note; a buyer then sees the badge on the initiative's page, with the
// day, and never the note.
func TestBrowserCommitmentVerifiedAtAVisit(t *testing.T) {
	r, _, _, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	token, items := demoPortfolio(t, r)
	i := slices.IndexFunc(items, func(it portfolioItem) bool { return it.Department == "Boyacá" && it.Commitment == "committed" })
	if i < 0 {
		t.Fatal("the demo has no Boyacá initiative whose commitment waits for its first visit")
	}
	target := items[i]
	var in struct{ Slug string }
	producerAPI(t, r, "GET", "/api/v1/initiatives/"+target.InitiativeID, token, nil, 200, &in)
	public := r.URL + "/iniciativas/" + in.Slug
	const note = "La hija mayor estaba en el colegio; nadie menor en la huerta"

	buyer := browsertest.NewTab(t)
	openOnPhone(t, buyer, public)
	if n := evaluate[int](t, buyer, `document.querySelectorAll(".commitment-badge").length`); n != 0 {
		t.Fatalf("a badge before any verification")
	}

	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	passwords := demoPasswords(t, r)
	signInOnPhone(t, tab, r, "asesora.boyaca@tesoro.demo", passwords["asesora.boyaca@tesoro.demo"])
	openOnPhone(t, tab, r.URL+"/asesoria/sesiones/nueva")
	checkPage(t, tab, "es", "Registrar una sesión")
	for _, sel := range []string{`input[name="initiative"][value="` + target.InitiativeID + `"]`, `input[name="child_labour"]`} {
		if err := chromedp.Do(tab, chromedp.Tap(chromedp.CSS(sel))); err != nil {
			t.Fatalf("tapping %s: %v", sel, err)
		}
	}
	for _, chip := range []string{"Visita", "Prevención del trabajo infantil"} {
		if err := chromedp.Do(tab, chromedp.Tap(chromedp.Search(`//label[contains(@class, "ad-chip")]/span[normalize-space()="`+chip+`"]`))); err != nil {
			t.Fatalf("tapping the chip %s: %v", chip, err)
		}
	}
	if err := chromedp.Do(tab, chromedp.Clear(chromedp.CSS("#duration"))); err != nil {
		t.Fatal(err)
	}
	typeInto(t, tab, map[string]string{"#duration": "45", "#child_labour_note": note})
	saveShot(t, tab, shots, "visita-compromiso-phone.png")
	tapToSubmit(t, tab, `main form button[type=submit]:not(.sr-only):not([name="step"])`, "/asesoria/iniciativas/"+target.InitiativeID, 200)
	wantVisible(t, tab, "the session saved", `//p[@class="notice"][contains(., "La sesión quedó registrada")]`)

	openOnPhone(t, buyer, public)
	checkPage(t, buyer, "es", target.Name)
	wantVisible(t, buyer, "the badge", `//p[contains(@class, "commitment-badge")]/a[starts-with(normalize-space(), "Todo tiene su tiempo · compromiso verificado el")]`)
	if got := evaluate[string](t, buyer, `document.body.innerText`); strings.Contains(got, note) || strings.Contains(got, "hija mayor") {
		t.Error("the public page shows the visit's note")
	}
	saveShot(t, buyer, shots, "sello-iniciativa-phone.png")
	if _, err := chromedp.RunResponse(buyer, chromedp.Tap(chromedp.CSS(".commitment-badge a"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, buyer, "es", "Todo tiene su tiempo")
	saveShot(t, buyer, shots, "todo-tiene-su-tiempo-phone.png")
}
