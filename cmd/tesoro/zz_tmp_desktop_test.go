package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tesoro-pact/tesoro/frontend/browsertest"
)

func TestZZTmpDesktop(t *testing.T) {
	r := startRun(t, "", map[string]string{"TESORO_ADMIN_EMAIL": "a@tesoro.test", "TESORO_ADMIN_PASSWORD": "clave-larga-123"}, "--demo")
	ctx := browsertest.NewTab(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 800), chromedp.Navigate(r.URL+"/entrar?next=/admin/usuarios")); err != nil {
		t.Fatal(err)
	}
	typeInto(t, ctx, map[string]string{"#email": "a@tesoro.test", "#password": "clave-larga-123"})
	tapToSubmit(t, ctx, "main form button[type=submit]", "/admin/usuarios", 200)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#crear form button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Tap(chromedp.CSS("#crear > summary"))); err != nil {
		t.Fatal(err)
	}
	saveShot(t, ctx, "/tmp/shots", "desk-admin.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/idioma/en?next=/perfil")); err != nil {
		t.Fatal(err)
	}
	saveShot(t, ctx, "/tmp/shots", "desk-profile-en.png")
}
