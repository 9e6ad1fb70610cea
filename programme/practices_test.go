package programme

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// practicesFixture is the practices service over a fresh database, with
// three initiatives and who acts on them.
type practicesFixture struct {
	s        *Practices
	men      *mentoring.Service
	now      time.Time
	adviser  *accounts.Principal // advises the bakery and the arepas
	rosa     *accounts.Principal // producer of the bakery
	luz      *accounts.Principal // producer of the arepas
	nubia    *accounts.Principal // producer of the garden
	buyer    *accounts.Principal
	admin    *accounts.Principal
	objects  storage.ObjectStore
	scanning func(fn func()) []storage.Scan
}

var testInitiatives = map[string]InitiativeRef{
	"ini-pan":    {Name: "Panadería de Papa Mongua", Municipality: "Mongua", Department: "Boyacá"},
	"ini-arepa":  {Name: "Arepas de Segovia", Municipality: "Segovia", Department: "Antioquia"},
	"ini-huerta": {Name: "Huerta La Esperanza", Municipality: "Sogamoso", Department: "Boyacá"},
}

func newPracticesFixture(t *testing.T) *practicesFixture {
	t.Helper()
	db := storagetest.DB(t)
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &practicesFixture{now: time.Date(2026, 5, 12, 10, 0, 0, 0, colombia.Zone), objects: objects}
	clock := func() time.Time { return f.now }
	f.men = mentoring.NewService(db, mentoring.Options{Clock: clock})
	f.s = NewPractices(db, PracticesOptions{Clock: clock, Mentoring: f.men, Objects: objects,
		Initiative: func(_ context.Context, id string) (InitiativeRef, error) {
			ref, ok := testInitiatives[id]
			if !ok {
				return ref, errs.NotFound
			}
			return ref, nil
		}})
	f.adviser = &accounts.Principal{UserID: "u-adv", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-pan", "ini-arepa"}}
	f.rosa = &accounts.Principal{UserID: "u-rosa", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-pan"}}
	f.luz = &accounts.Principal{UserID: "u-luz", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-arepa"}}
	f.nubia = &accounts.Principal{UserID: "u-nubia", Roles: []string{accounts.RoleProducer}, InitiativeIDs: []string{"ini-huerta"}}
	f.buyer = &accounts.Principal{UserID: "u-buyer", Roles: []string{accounts.RoleBuyer}}
	f.admin = &accounts.Principal{UserID: "u-admin", Roles: []string{accounts.RoleAdmin}}
	f.scanning = func(fn func()) []storage.Scan { return storagetest.ScansDuring(db, fn) }
	return f
}

func (f *practicesFixture) share(t *testing.T, p *accounts.Principal, in PracticeInput) Practice {
	t.Helper()
	pr, err := f.s.Share(t.Context(), p, in)
	if err != nil {
		t.Fatalf("share %q: %v", in.Title, err)
	}
	return pr
}

func (f *practicesFixture) threePractices(t *testing.T) (costeo, cuaderno, huerta Practice) {
	t.Helper()
	costeo = f.share(t, f.rosa, PracticeInput{Title: "Costeo del pan de papa", Topic: "accounting", InitiativeID: "ini-pan",
		Done: "Anotamos los costos de cada horneada: harina, papa, gas y empaque.", Changed: "Subimos el precio a $ 1.500 y ahora ganamos en cada pan."})
	f.now = f.now.Add(time.Hour)
	cuaderno = f.share(t, f.adviser, PracticeInput{Title: "Cuaderno de ventas y fiado", Topic: "accounting", InitiativeID: "ini-arepa",
		Done: "Un cuaderno con una página por cliente que compra fiado.", Changed: "Cobramos a tiempo; el fiado bajó a la mitad."})
	f.now = f.now.Add(time.Hour)
	huerta = f.share(t, f.nubia, PracticeInput{Title: "Venta de canastas semanales", Topic: "marketing", InitiativeID: "ini-huerta",
		Done: "Armamos canastas de hortalizas por encargo.", Changed: "Vendemos todas las semanas a doce familias."})
	return
}

func titles(list []PracticeSummary) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.Title)
	}
	return out
}

// The library finds practices whatever the accents and the case, each word
// anywhere in the title, the initiative or the texts, and filters by topic
// and by the sharing initiative's municipality; newest first.
func TestPracticeLibrarySearch(t *testing.T) {
	f := newPracticesFixture(t)
	f.threePractices(t)
	for _, c := range []struct {
		name string
		f    PracticeFilter
		want []string
	}{
		{"everything, newest first", PracticeFilter{}, []string{"Venta de canastas semanales", "Cuaderno de ventas y fiado", "Costeo del pan de papa"}},
		{"panaderia finds Panadería", PracticeFilter{Q: "panaderia"}, []string{"Costeo del pan de papa"}},
		{"COSTOS finds costos", PracticeFilter{Q: "COSTOS"}, []string{"Costeo del pan de papa"}},
		{"every word counts", PracticeFilter{Q: "cuaderno FIADO"}, []string{"Cuaderno de ventas y fiado"}},
		{"words in any field", PracticeFilter{Q: "ventas"}, []string{"Cuaderno de ventas y fiado"}},
		{"no match", PracticeFilter{Q: "piscicultura"}, []string{}},
		{"by topic", PracticeFilter{Topic: "accounting"}, []string{"Cuaderno de ventas y fiado", "Costeo del pan de papa"}},
		{"by municipality, any spelling", PracticeFilter{Municipality: "SOGAMOSO"}, []string{"Venta de canastas semanales"}},
		{"topic and words", PracticeFilter{Topic: "marketing", Q: "pan"}, []string{}},
	} {
		got, err := f.s.Library(t.Context(), f.luz, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(titles(got), c.want) {
			t.Errorf("%s: got %q, want %q", c.name, titles(got), c.want)
		}
	}
	for _, bad := range []PracticeFilter{{Topic: "gardening"}, {Municipality: "Medellín"}} {
		if _, err := f.s.Library(t.Context(), f.luz, bad); !errors.Is(err, errs.Invalid) {
			t.Errorf("filter %+v: got %v, want invalid", bad, err)
		}
	}
	if _, err := f.s.Library(t.Context(), f.buyer, PracticeFilter{}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a buyer browses: got %v, want forbidden", err)
	}
	if _, err := f.s.Library(t.Context(), nil, PracticeFilter{}); !errors.Is(err, errs.Unauthenticated) {
		t.Errorf("anonymous browses: got %v, want unauthenticated", err)
	}
}

// Who may share a practice, and what a practice must say.
func TestPracticeShareRules(t *testing.T) {
	f := newPracticesFixture(t)
	ok := PracticeInput{Title: "Empaques con marca", Topic: "marketing", InitiativeID: "ini-pan", Done: "Bolsas con el logo.", Changed: "Nos reconocen en la feria."}
	for _, c := range []struct {
		who  *accounts.Principal
		want error
	}{
		{f.rosa, nil}, {f.adviser, nil}, {f.admin, nil},
		{f.luz, errs.Forbidden}, {f.nubia, errs.Forbidden}, {f.buyer, errs.Forbidden}, {nil, errs.Unauthenticated},
	} {
		_, err := f.s.Share(t.Context(), c.who, ok)
		if (c.want == nil && err != nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%v shares: got %v, want %v", c.who, err, c.want)
		}
	}
	bad := PracticeInput{Title: "x", Topic: "gardening", InitiativeID: "ini-pan"}
	_, err := f.s.Share(t.Context(), f.rosa, bad)
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 4 {
		t.Fatalf("a bad practice: got %v, want 4 field errors (title, done, changed, topic)", err)
	}
	missing := ok
	missing.InitiativeID = "ini-none"
	if _, err := f.s.Share(t.Context(), f.admin, missing); !errors.Is(err, errs.Invalid) {
		t.Errorf("an unknown initiative: got %v, want invalid", err)
	}
}

// "Lo quiero aplicar" makes exactly one agreement per initiative and
// practice: tapped twice by one initiative, once by another, two agreements,
// listed like any other (the initiative's list, the open ones, overdue after
// their day); never for the practice's own initiative nor by a stranger.
func TestPracticeApplyMakesOneAgreementPerInitiative(t *testing.T) {
	f := newPracticesFixture(t)
	costeo, _, _ := f.threePractices(t)
	ctx := t.Context()
	first, created, err := f.s.Apply(ctx, f.luz, costeo.ID, "")
	if err != nil || !created {
		t.Fatalf("first tap: %v (created %t)", err, created)
	}
	again, created, err := f.s.Apply(ctx, f.luz, costeo.ID, "ini-arepa")
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("second tap: %v (created %t, id %s, want the first %s)", err, created, again.ID, first.ID)
	}
	other, created, err := f.s.Apply(ctx, f.nubia, costeo.ID, "")
	if err != nil || !created || other.ID == first.ID {
		t.Fatalf("another initiative: %v (created %t)", err, created)
	}
	if first.PracticeID != costeo.ID || first.SessionID != "" || first.InitiativeID != "ini-arepa" || first.Status != mentoring.StatusOpen ||
		first.Owner != "Arepas de Segovia" || !first.Due.Equal(time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the agreement: %+v", first)
	}
	for ini, want := range map[string]string{"ini-arepa": first.ID, "ini-huerta": other.ID} {
		list, err := f.men.ListAgreements(ctx, f.admin, mentoring.AgreementFilter{InitiativeID: ini})
		if err != nil || len(list) != 1 || list[0].ID != want {
			t.Errorf("agreements of %s: %v %+v, want just %s", ini, err, list, want)
		}
	}
	pr, err := f.s.Practice(ctx, f.rosa, costeo.ID)
	if err != nil || !slices.Equal(pr.AppliedBy, []string{"ini-arepa", "ini-huerta"}) {
		t.Errorf("applied by: %v %v", pr.AppliedBy, err)
	}
	lib, _ := f.s.Library(ctx, f.rosa, PracticeFilter{Q: "costeo"})
	if len(lib) != 1 || lib[0].Applied != 2 {
		t.Errorf("the library counts %+v, want 2 initiatives applying", lib)
	}
	f.now = f.now.AddDate(0, 0, 31)
	overdue, err := f.men.ListAgreements(ctx, f.admin, mentoring.AgreementFilter{Overdue: true})
	if err != nil || len(overdue) != 2 {
		t.Errorf("overdue after 31 days: %v %d, want 2", err, len(overdue))
	}
	for _, c := range []struct {
		who  *accounts.Principal
		ini  string
		want error
	}{
		{f.rosa, "", errs.Conflict},              // her own initiative's practice
		{f.rosa, "ini-arepa", errs.Forbidden},    // not hers
		{f.adviser, "ini-arepa", errs.Forbidden}, // producers apply, advisers do not
		{f.buyer, "ini-arepa", errs.Forbidden},
		{f.admin, "", errs.Invalid}, // which initiative?
		{nil, "", errs.Unauthenticated},
	} {
		if _, _, err := f.s.Apply(ctx, c.who, costeo.ID, c.ini); !errors.Is(err, c.want) {
			t.Errorf("%v applies for %q: got %v, want %v", c.who, c.ini, err, c.want)
		}
	}
	if _, _, err := f.s.Apply(ctx, f.luz, "nope", ""); !errors.Is(err, errs.NotFound) {
		t.Errorf("an unknown practice: got %v, want not found", err)
	}
}

// An exchange is recorded by an adviser of an initiative taking part (or
// an admin), listed newest first, and holds the practices shared there.
func TestExchangesRecordListAndPractices(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	in := ExchangeInput{Date: "2026-03-14", Municipality: "sogamoso", Venue: "Casa de la Cultura", InitiativeIDs: []string{"ini-pan", "ini-huerta"},
		Participants: mentoring.Participants{Women: 14, Men: 5, Youth: 6, Adults: 13}, Notes: "Cada iniciativa mostró su cuaderno."}
	if _, err := f.s.RecordExchange(ctx, f.rosa, in); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer records: got %v, want forbidden", err)
	}
	outsider := &accounts.Principal{UserID: "u-adv2", Roles: []string{accounts.RoleAdviser}, InitiativeIDs: []string{"ini-otra"}}
	if _, err := f.s.RecordExchange(ctx, outsider, in); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an adviser of none of them records: got %v, want forbidden", err)
	}
	ex, err := f.s.RecordExchange(ctx, f.adviser, in) // advises the bakery only
	if err != nil {
		t.Fatal(err)
	}
	if ex.Municipality != "Sogamoso" || ex.Department != "Boyacá" {
		t.Errorf("place: %s, %s", ex.Municipality, ex.Department)
	}
	older := in
	older.Date = "2025-11-02"
	if _, err := f.s.RecordExchange(ctx, f.admin, older); err != nil {
		t.Fatal(err)
	}
	future := in
	future.Date = "2026-06-01"
	if _, err := f.s.RecordExchange(ctx, f.admin, future); !errors.Is(err, errs.Invalid) {
		t.Errorf("an exchange in the future: got %v, want invalid", err)
	}
	pr := f.share(t, f.nubia, PracticeInput{Title: "Canastas", Topic: "marketing", InitiativeID: "ini-huerta", ExchangeID: ex.ID, Done: "Canastas por encargo.", Changed: "Ventas cada semana."})
	if pr.Date != "2026-03-14" {
		t.Errorf("a practice shared at the exchange is dated %s, want its day", pr.Date)
	}
	if _, err := f.s.Share(ctx, f.luz, PracticeInput{Title: "Arepas", Topic: "marketing", InitiativeID: "ini-arepa", ExchangeID: ex.ID, Done: "Algo hicimos.", Changed: "Algo cambió."}); !errors.Is(err, errs.Invalid) {
		t.Errorf("a practice of an initiative not at the exchange: got %v, want invalid", err)
	}
	list, next, err := f.s.Exchanges(ctx, f.luz, "", 1)
	if err != nil || len(list) != 1 || list[0].ID != ex.ID || next == "" || !slices.Equal(list[0].PracticeIDs, []string{pr.ID}) {
		t.Fatalf("first page: %v %+v %q", err, list, next)
	}
	rest, next, err := f.s.Exchanges(ctx, f.luz, next, 10)
	if err != nil || len(rest) != 1 || rest[0].Date != "2025-11-02" || next != "" {
		t.Fatalf("second page: %v %+v %q", err, rest, next)
	}
	if _, _, err := f.s.Exchanges(ctx, f.buyer, "", 10); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a buyer lists exchanges: got %v", err)
	}
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 3), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Photos of a practice and of an exchange are re-encoded, private, at most
// MaxPhotos each; the library shows a practice's first one.
func TestPracticeAndExchangePhotos(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	costeo, _, _ := f.threePractices(t)
	if _, err := f.s.AddPhoto(ctx, f.luz, costeo.ID, bytes.NewReader(testJPEG(t))); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative's producer adds a photo: got %v", err)
	}
	if _, err := f.s.AddPhoto(ctx, f.rosa, costeo.ID, bytes.NewReader([]byte("not an image"))); !errors.Is(err, errs.Unsupported) {
		t.Errorf("not an image: got %v", err)
	}
	var first Photo
	for i := range MaxPhotos {
		ph, err := f.s.AddPhoto(ctx, f.rosa, costeo.ID, bytes.NewReader(testJPEG(t)))
		if err != nil {
			t.Fatalf("photo %d: %v", i, err)
		}
		if i == 0 {
			first = ph
		}
	}
	if _, err := f.s.AddPhoto(ctx, f.rosa, costeo.ID, bytes.NewReader(testJPEG(t))); !errors.Is(err, errs.Invalid) {
		t.Errorf("one photo too many: got %v", err)
	}
	lib, _ := f.s.Library(ctx, f.luz, PracticeFilter{Q: "costeo"})
	if len(lib) != 1 || lib[0].Photo != first.ID {
		t.Errorf("the library's photo: %+v, want %s", lib, first.ID)
	}
	r, obj, err := f.s.OpenPhoto(ctx, f.luz, costeo.ID, first.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if obj.ContentType != "image/jpeg" || len(b) == 0 || first.Key[:8] != "private/" {
		t.Errorf("thumbnail: %s, %d bytes, key %s", obj.ContentType, len(b), first.Key)
	}
	ex, err := f.s.RecordExchange(ctx, f.admin, ExchangeInput{Date: "2026-03-14", Municipality: "Mongua", Venue: "Salón comunal",
		InitiativeIDs: []string{"ini-pan"}, Participants: mentoring.Participants{Women: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddExchangePhoto(ctx, f.rosa, ex.ID, bytes.NewReader(testJPEG(t))); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer adds a photo to an exchange: got %v", err)
	}
	ph, err := f.s.AddExchangePhoto(ctx, f.adviser, ex.ID, bytes.NewReader(testJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err := f.s.OpenExchangePhoto(ctx, f.nubia, ex.ID, ph.ID, false); err != nil {
		t.Errorf("a producer sees the exchange's photo: %v", err)
	} else {
		r.Close()
	}
	list, _, _ := f.s.Exchanges(ctx, f.admin, "", 10)
	if len(list) != 1 || len(list[0].Photos) != 1 {
		t.Errorf("the list shows the photo: %+v", list)
	}
}

// Every read and write of practices and exchanges goes by _id: the
// library, a practice, applying it, an exchange and the list.
func TestPracticesReadByID(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	var costeo Practice
	var ex Exchange
	scans := f.scanning(func() {
		costeo, _, _ = f.threePractices(t)
		var err error
		ex, err = f.s.RecordExchange(ctx, f.adviser, ExchangeInput{Date: "2026-03-14", Municipality: "Sogamoso", Venue: "Casa de la Cultura",
			InitiativeIDs: []string{"ini-pan", "ini-arepa"}, Participants: mentoring.Participants{Women: 8, Men: 2, Youth: 3, Adults: 7}})
		if err != nil {
			t.Fatal(err)
		}
		f.share(t, f.rosa, PracticeInput{Title: "Empaques con marca", Topic: "marketing", InitiativeID: "ini-pan", ExchangeID: ex.ID, Done: "Bolsas con logo.", Changed: "Nos reconocen."})
		if _, err := f.s.Library(ctx, f.luz, PracticeFilter{Q: "panaderia", Topic: "accounting", Municipality: "Mongua"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Practice(ctx, f.luz, costeo.ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, _, err := f.s.Apply(ctx, f.luz, costeo.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.s.AddPhoto(ctx, f.rosa, costeo.ID, bytes.NewReader(testJPEG(t))); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Exchange(ctx, f.luz, ex.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.Exchanges(ctx, f.luz, "", 20); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Summaries(ctx, f.luz, ex.PracticeIDs); err != nil {
			t.Fatal(err)
		}
	})
	if len(scans) > 0 {
		t.Errorf("queries not by _id: %+v", scans)
	}
}

// The library is rebuilt from the practices (a crash between a practice and
// its entry), and refuses a practice beyond its bound.
func TestPracticeIndexRebuildAndBound(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	costeo, _, _ := f.threePractices(t)
	if _, err := f.s.index.DeleteMany(ctx, map[string]any{"_id": indexID}); err != nil {
		t.Fatal(err)
	}
	if lib, _ := f.s.Library(ctx, f.rosa, PracticeFilter{}); len(lib) != 0 {
		t.Fatalf("library without its index: %d", len(lib))
	}
	if err := f.s.RebuildIndex(ctx); err != nil {
		t.Fatal(err)
	}
	lib, _ := f.s.Library(ctx, f.rosa, PracticeFilter{Q: "pan de papa"})
	if len(lib) != 1 || lib[0].ID != costeo.ID {
		t.Fatalf("rebuilt library: %+v", lib)
	}
	if _, err := f.s.index.UpdateOne(ctx, map[string]any{"_id": indexID}, map[string]any{"$set": map[string]any{"n": MaxPractices}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Share(ctx, f.rosa, PracticeInput{Title: "Una más", Topic: "marketing", InitiativeID: "ini-pan", Done: "Algo.", Changed: "Algo más."})
	if !errors.Is(err, errs.Conflict) {
		t.Fatalf("a full library: got %v, want conflict", err)
	}
	if n, _ := f.s.practices.CountDocuments(ctx, map[string]any{}); n != 3 {
		t.Errorf("practices stored after a refusal: %d, want 3", n)
	}
}
