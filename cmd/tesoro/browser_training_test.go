package main

import (
	"os"
	"testing"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

// TestBrowserTraining looks, on a phone and in Spanish, at the partners'
// courses of the demo: the list with the new-course form, a course's page
// with its enrolments and the minors' count line, and a producer's view of
// her members' training.
func TestBrowserTraining(t *testing.T) {
	r, email, password, _ := startFairDemo(t)
	shots := os.Getenv("TESORO_TEST_SCREENSHOTS")
	tab := browsertest.NewTab(t)
	t.Cleanup(func() {
		if t.Failed() {
			shot(t, tab)
		}
	})
	var login struct{ Token string }
	producerAPI(t, r, "POST", "/api/v1/auth/login", "", map[string]string{"email": demoAdminEmail, "password": demoAdminPassword}, 200, &login)
	var courses struct {
		Items []struct{ ID, Name string }
	}
	producerAPI(t, r, "GET", "/api/v1/courses", login.Token, nil, 200, &courses)
	food := ""
	for _, c := range courses.Items {
		if c.Name == "Manipulación de alimentos" {
			food = c.ID
		}
	}
	if food == "" {
		t.Fatalf("demo: no SENA course in %+v", courses.Items)
	}
	signInOnPhone(t, tab, r, demoAdminEmail, demoAdminPassword)
	openOnPhone(t, tab, r.URL+"/asesoria/formacion")
	checkPage(t, tab, "es", "Formación con aliados")
	wantVisible(t, tab, "the courses", `//span[contains(@class, "mp-name")][contains(., "Belleza y peluquería")]`, `//form[@id="nuevo"]`)
	saveShot(t, tab, shots, "formacion-phone.png")

	openOnPhone(t, tab, r.URL+"/asesoria/formacion/"+food)
	checkPage(t, tab, "es", "Manipulación de alimentos")
	wantVisible(t, tab, "the enrolments", `//strong[contains(., "Rosa Elvira Cárdenas")]`, `//strong[contains(., "menores de 18 años")]`)
	saveShot(t, tab, shots, "curso-phone.png")
	tapToSubmit(t, tab, `a[href$="/editar"]`, "/asesoria/formacion/"+food+"/editar", 200)
	checkPage(t, tab, "es", "Corregir el curso")
	if got := evaluate[string](t, tab, `document.querySelector("#name").value`); got != "Manipulación de alimentos" {
		t.Errorf("the correction form's name: %q", got)
	}
	saveShot(t, tab, shots, "curso-corregir-phone.png")

	bakery := demoInitiative(t, r, "Mongua", "Panadería de Papa La Monguana")
	producer := browsertest.NewTab(t)
	signInOnPhone(t, producer, r, email, password)
	openOnPhone(t, producer, r.URL+"/mi-iniciativa/"+bakery+"/formacion")
	checkPage(t, producer, "es", "Formación de las integrantes")
	wantVisible(t, producer, "her members", `//strong[contains(., "Luz Dary Pérez")]`)
	saveShot(t, producer, shots, "formacion-productora-phone.png")

	// Her initiative's members: each with her data to download, and the
	// birth year asked only of adults.
	openOnPhone(t, producer, r.URL+"/mi-iniciativa/"+bakery+"#integrantes")
	wantVisible(t, producer, "the members' rights", `//a[@download][normalize-space()="Descargar sus datos"]`, `//input[@id="member-born"]`,
		`//p[contains(., "De menores de 18 años no se guarda el año de nacimiento")]`)
	saveShot(t, producer, shots, "integrantes-phone.png")
}
