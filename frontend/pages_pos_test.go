package frontend

import (
	"bytes"
	"encoding/json"
	"html"
	"image/jpeg"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/fairs"
)

// openTill opens a fair today where the bakery sells the bread it brought
// (a photo on it), and answers the till's path.
func openTill(t *testing.T, env *producerEnv) (fairs.Fair, string) {
	t.Helper()
	ctx := t.Context()
	today := time.Now().In(colombia.Zone).Format(time.DateOnly)
	f, err := env.fairs.Create(ctx, accounts.System, fairs.Input{Name: "Feria de Mongua", Municipality: "Mongua", Venue: "Parque principal", StartsOn: today, EndsOn: today})
	if err == nil {
		_, err = env.fairs.Invite(ctx, accounts.System, f.ID, env.bakery.ID)
	}
	if err == nil {
		_, err = env.fairs.Accept(ctx, accounts.System, f.ID, env.bakery.ID)
	}
	if err == nil {
		_, err = env.fairs.SetStock(ctx, accounts.System, f.ID, env.bread.ID, 12)
	}
	if err == nil {
		f, err = env.fairs.Transition(ctx, accounts.System, f.ID, fairs.StatusOpen)
	}
	if err == nil {
		_, err = env.catalog.AddProductImage(ctx, accounts.System, env.bread.ID, bytes.NewReader(testJPEG(t, 640, 480)))
	}
	if err != nil {
		t.Fatal(err)
	}
	return f, "/feria/" + f.ID + "/caja"
}

// The till page: its seller sees the products with units left and a
// miniature photo, the script's state carries a token for this session;
// anyone else is sent to sign in or refused; the miniature is a small
// square JPEG, cached for good.
func TestPointOfSalePage(t *testing.T) {
	env := newProducerEnv(t)
	_, page := openTill(t, env)
	if res, _ := newVisitor(env.testEnv).get(t, page); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/entrar") {
		t.Fatalf("anonymous: %d %s, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := env.signedIn(t, "dora@tesoro.test").get(t, page); res.StatusCode != 403 {
		t.Fatalf("a producer not at the fair: %d, want 403 (%s)", res.StatusCode, body)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	res, body := v.get(t, page)
	wantStatus(t, "till", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "till", text, "Feria de Mongua", "Pan de papa", "Quedan 12", "Cobrar", "Efectivo", "Fiado", "Nequi", "Transferencia", "ventas", `id="pos-queue"`)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("till page Cache-Control %q: the service worker keeps it, no HTTP cache should", cc)
	}
	_, data := v.get(t, page+"/datos")
	var st struct {
		CSRF string     `json:"csrf"`
		Till fairs.Till `json:"till"`
	}
	if err := json.Unmarshal([]byte(data), &st); err != nil || st.CSRF == "" || len(st.Till.Initiatives) != 1 {
		t.Fatalf("till data: %v %s", err, data)
	}
	bread := st.Till.Initiatives[0].Products[0]
	if bread.Left == nil || *bread.Left != 12 || !strings.HasPrefix(bread.Photo, "/mini/public/") || !strings.Contains(body, bread.Photo) {
		t.Fatalf("bread on the till: %+v", bread)
	}
	res, img := v.get(t, bread.Photo)
	wantStatus(t, "miniature", res, 200, "")
	cfg, err := jpeg.DecodeConfig(strings.NewReader(img))
	if err != nil || cfg.Width != 112 || cfg.Height != 112 || len(img) > 6000 {
		t.Fatalf("miniature: %v %dx%d, %d bytes; want a 112-pixel square under 6 KB", err, cfg.Width, cfg.Height, len(img))
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("miniature Cache-Control %q, want immutable", res.Header.Get("Cache-Control"))
	}
	if res, _ := v.get(t, "/mini/private/x.jpg"); res.StatusCode != 404 {
		t.Errorf("a private key as miniature: %d, want 404", res.StatusCode)
	}
	_, sw := v.get(t, "/sw.js")
	wantText(t, "service worker", sw, `const TILL = "caja"`, "/mini/")
	wantEveryMessage(t, v, page)
}

// The cash closing page counts the cash by bills (a bad count is told in
// Spanish and changes nothing), then shows the closing; the credit page
// lists the sale on credit with its WhatsApp reminder and records a
// partial payment; another initiative's producer sees neither.
func TestClosingAndCreditPages(t *testing.T) {
	env := newProducerEnv(t)
	f, _ := openTill(t, env)
	rosa := &accounts.Principal{UserID: env.rosa.ID, Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{env.bakery.ID}}
	at := time.Now().Add(-time.Minute).Format(time.RFC3339)
	dueDay := time.Now().In(colombia.Zone)
	due := dueDay.Format(time.DateOnly)
	bread := func(n int64) []fairs.SaleLine {
		return []fairs.SaleLine{{ProductID: env.bread.ID, Quantity: n, UnitPrice: env.bread.Price}}
	}
	res, err := env.fairs.SyncSales(t.Context(), rosa, f.ID, []fairs.SaleInput{
		{ClientID: newUUID(), SoldAt: at, PaymentMethod: "cash", Lines: bread(2)},
		{ClientID: newUUID(), SoldAt: at, PaymentMethod: "credit", Lines: bread(1), DueOn: due, Buyer: &fairs.SaleBuyer{Name: "Marta Lucía Pérez", Phone: "310 123 4567"}},
	})
	if err != nil || res[0].Status != fairs.SaleCreated || res[1].Status != fairs.SaleCreated {
		t.Fatalf("sales: %+v %v", res, err)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	page := "/mi-iniciativa/" + env.bakery.ID + "/ferias/" + f.ID + "/cierre"
	if res, body := env.signedIn(t, "dora@tesoro.test").get(t, page); res.StatusCode != 403 {
		t.Fatalf("another initiative's producer on the closing: %d (%s)", res.StatusCode, body)
	}
	resp, body := v.get(t, page)
	wantStatus(t, "closing", resp, 200, body)
	wantText(t, "closing", html.UnescapeString(body), "Cierre de caja", "Efectivo recibido", "$ 3.000", "$ 1.500", "Cerrar la caja")
	resp, body = v.post(t, page, url.Values{"opening_float": {"10.000"}, "d_1000": {"tres"}})
	wantStatus(t, "a bad count", resp, 422, body)
	wantText(t, "a bad count", html.UnescapeString(body), "Escriba cuántos, en números.")
	if c, _ := env.fairs.Closings(t.Context(), rosa, f.ID); len(c) != 0 {
		t.Fatalf("a refused closing was recorded: %+v", c)
	}
	resp, _ = v.post(t, page, url.Values{"opening_float": {"10.000"}, "d_10000": {"1"}, "d_1000": {"2"}, "notes": {"Faltó un billete de mil"}})
	wantRedirect(t, "closing", resp, page+"?aviso=caja-cerrada")
	_, body = v.get(t, page+"?aviso=caja-cerrada")
	wantText(t, "closed", html.UnescapeString(body), "Caja cerrada", "$ 13.000", "$ 12.000", "faltan", "Faltó un billete de mil")

	credits := "/mi-iniciativa/" + env.bakery.ID + "/fiados"
	if res, _ := env.signedIn(t, "dora@tesoro.test").get(t, credits); res.StatusCode != 403 {
		t.Fatalf("another initiative's producer on the credits: %d", res.StatusCode)
	}
	_, body = v.get(t, credits)
	text := html.UnescapeString(body)
	wantText(t, "credits", text, "Marta Lucía Pérez", "$ 1.500", "Paga el "+dueDay.Format("02/01/2006"), "Feria de Mongua", "https://wa.me/573101234567?text=", "Cobrar por WhatsApp")
	if !strings.Contains(text, url.QueryEscape("Le saluda Panadería de Papa")) {
		t.Errorf("the reminder does not name the initiative: %s", text)
	}
	order := res[1].OrderIDs[0]
	resp, body = v.post(t, credits+"/"+order+"/pago", url.Values{"amount": {"5.000"}, "method": {"cash"}, "key": {"k1"}})
	wantStatus(t, "paying more than owed", resp, 422, body)
	resp, _ = v.post(t, credits+"/"+order+"/pago", url.Values{"amount": {"1.000"}, "method": {"nequi"}, "key": {"k2"}})
	wantRedirect(t, "partial payment", resp, credits+"?aviso=pago-registrado")
	_, body = v.get(t, credits)
	wantText(t, "after paying", html.UnescapeString(body), "$ 500", "de $ 1.500")
	wantEveryMessage(t, v, page, credits)
}

// The fair's report page: totals, an SVG bar per hour with sales (and the
// empty hours between), each initiative with its cash closing, and the
// download links; a producer not at the fair is refused.
func TestFairReportPage(t *testing.T) {
	env := newProducerEnv(t)
	f, _ := openTill(t, env)
	rosa := &accounts.Principal{UserID: env.rosa.ID, Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{env.bakery.ID}}
	var sales []fairs.SaleInput
	// Two sales early two hours ago and one at the start of this hour: three
	// hours on the chart whatever the minute (Bogotá's hours are whole UTC ones).
	hour := time.Now().Truncate(time.Hour)
	for _, at := range []time.Time{hour.Add(-2*time.Hour + time.Minute), hour.Add(-2*time.Hour + 2*time.Minute), hour} {
		sales = append(sales, fairs.SaleInput{ClientID: newUUID(), SoldAt: at.Format(time.RFC3339), PaymentMethod: "nequi",
			Lines: []fairs.SaleLine{{ProductID: env.bread.ID, Quantity: 1, UnitPrice: env.bread.Price}}})
	}
	if _, err := env.fairs.SyncSales(t.Context(), rosa, f.ID, sales); err != nil {
		t.Fatal(err)
	}
	page := "/ferias/" + f.ID + "/informe"
	if res, _ := env.signedIn(t, "dora@tesoro.test").get(t, page); res.StatusCode != 403 {
		t.Fatalf("a producer not at the fair: %d, want 403", res.StatusCode)
	}
	v := env.signedIn(t, "rosa@tesoro.test")
	res, body := v.get(t, page)
	wantStatus(t, "report", res, 200, body)
	text := html.UnescapeString(body)
	wantText(t, "report", text, "Informe de la feria", "Panadería de Papa", "$ 4.500", "La caja aún no se ha cerrado.",
		`aria-label="3 ventas en 3 horas"`, `href="/api/v1/fairs/`+f.ID+`/report?format=xlsx"`)
	if n := strings.Count(body, "<rect"); n != 3 {
		t.Errorf("the chart has %d bars, want 3 (two hours with sales and the empty one between)", n)
	}
	wantEveryMessage(t, v, page)
}

// A shared table on the pages: its cashier's till is the table's, she
// hands the bakery its cash (a bad amount is told), the bakery's producer
// confirms on her closing page, and then the hand-over is final.
func TestSharedTablePages(t *testing.T) {
	env := newProducerEnv(t)
	f, till := openTill(t, env)
	tb, err := env.fairs.AddTable(t.Context(), accounts.System, f.ID, fairs.TableInput{Name: "Mesa común", CashierID: env.dora.ID, Initiatives: []string{env.bakery.ID}})
	if err != nil {
		t.Fatal(err)
	}
	dora := env.signedIn(t, "dora@tesoro.test")
	res, body := dora.get(t, till)
	wantStatus(t, "the cashier's till", res, 200, body)
	wantText(t, "the cashier's till", html.UnescapeString(body), "Caja común: Mesa común", `data-table="`+tb.ID+`"`, "Pan de papa")
	cashier := &accounts.Principal{UserID: env.dora.ID, Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{env.farm.ID}}
	if r, err := env.fairs.SyncSales(t.Context(), cashier, f.ID, []fairs.SaleInput{{ClientID: newUUID(), SoldAt: time.Now().Add(-time.Minute).Format(time.RFC3339),
		PaymentMethod: "cash", TableID: tb.ID, Lines: []fairs.SaleLine{{ProductID: env.bread.ID, Quantity: 2, UnitPrice: env.bread.Price}}}}); err != nil || r[0].Status != fairs.SaleCreated {
		t.Fatalf("a sale at the table: %+v %v", r, err)
	}
	page := "/feria/" + f.ID + "/mesa/" + tb.ID + "/entrega"
	_, body = dora.get(t, page)
	wantText(t, "hand-over", html.UnescapeString(body), "Entregar el efectivo de la caja común", "Panadería de Papa", "$ 3.000", "Entregar")
	res, body = dora.post(t, page, url.Values{"initiative_id": {env.bakery.ID}, "amount": {"tres mil"}})
	wantStatus(t, "a bad amount", res, 422, body)
	res, _ = dora.post(t, page, url.Values{"initiative_id": {env.bakery.ID}, "amount": {"3.000"}})
	wantRedirect(t, "hand-over", res, page+"?aviso=efectivo-entregado#entrega-"+env.bakery.ID)
	rosa := env.signedIn(t, "rosa@tesoro.test")
	if res, _ := rosa.get(t, page); res.StatusCode != 403 {
		t.Fatalf("the producer on the cashier's page: %d, want 403", res.StatusCode)
	}
	closing := "/mi-iniciativa/" + env.bakery.ID + "/ferias/" + f.ID + "/cierre"
	_, body = rosa.get(t, closing)
	wantText(t, "to confirm", html.UnescapeString(body), "Entregas de cajas comunes", "Mesa común", "Confirmo que recibí $ 3.000")
	res, _ = rosa.post(t, closing[:len(closing)-len("/cierre")]+"/mesas/"+tb.ID+"/recibi", nil)
	wantRedirect(t, "confirm", res, closing+"?aviso=entrega-recibida")
	_, body = rosa.get(t, closing)
	wantText(t, "confirmed", html.UnescapeString(body), "Recibido y confirmado el", "Recibido de la caja común")
	_, body = dora.get(t, page)
	res, body = dora.post(t, page, url.Values{"initiative_id": {env.bakery.ID}, "amount": {"2.000"}})
	wantStatus(t, "changing a confirmed hand-over", res, 409, body)
	wantText(t, "changing a confirmed hand-over", html.UnescapeString(body), "ya confirmó esta entrega")
}
