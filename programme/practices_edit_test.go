package programme

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
)

// A practice is corrected by who may share it (the library finds the new
// words, not the old ones), refuses bad texts keeping the old, loses a photo
// (the library's photo follows), and is withdrawn with its photos and its
// place at the exchange, except once another initiative applies it.
func TestPracticeCorrectAndRemove(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	costeo, cuaderno, _ := f.threePractices(t)

	title, topic := "Costeo de la arepa y del pan", "marketing"
	if _, err := f.s.UpdatePractice(ctx, f.luz, costeo.ID, PracticeUpdate{Title: &title}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative's producer corrects it: %v", err)
	}
	empty := " "
	if _, err := f.s.UpdatePractice(ctx, f.rosa, costeo.ID, PracticeUpdate{Title: &title, Done: &empty}); !errors.Is(err, errs.Invalid) {
		t.Errorf("an empty text: %v", err)
	}
	pr, err := f.s.UpdatePractice(ctx, f.rosa, costeo.ID, PracticeUpdate{Title: &title, Topic: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Title != title || pr.Topic != topic || pr.Done != costeo.Done || pr.InitiativeID != "ini-pan" {
		t.Errorf("corrected: %+v", pr)
	}
	if lib, _ := f.s.Library(ctx, f.luz, PracticeFilter{Q: "AREPA pan", Topic: "marketing"}); len(lib) != 1 || lib[0].Title != title {
		t.Errorf("the library after the correction: %v", titles(lib))
	}
	if lib, _ := f.s.Library(ctx, f.luz, PracticeFilter{Topic: "accounting"}); !slices.Equal(titles(lib), []string{cuaderno.Title}) {
		t.Errorf("the old topic still lists it: %v", titles(lib))
	}

	// Photos: the first one removed, the library shows the second.
	var photos []Photo
	for range 2 {
		ph, err := f.s.AddPhoto(ctx, f.rosa, costeo.ID, bytes.NewReader(testJPEG(t)))
		if err != nil {
			t.Fatal(err)
		}
		photos = append(photos, ph)
	}
	if err := f.s.RemovePhoto(ctx, f.luz, costeo.ID, photos[0].ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative removes a photo: %v", err)
	}
	if err := f.s.RemovePhoto(ctx, f.rosa, costeo.ID, "nada"); !errors.Is(err, errs.NotFound) {
		t.Errorf("an unknown photo: %v", err)
	}
	if err := f.s.RemovePhoto(ctx, f.rosa, costeo.ID, photos[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.objects.Stat(ctx, photos[0].Key); !errors.Is(err, errs.NotFound) {
		t.Errorf("the removed photo's file: %v", err)
	}
	if lib, _ := f.s.Library(ctx, f.rosa, PracticeFilter{Q: "arepa pan"}); len(lib) != 1 || lib[0].Photo != photos[1].ID {
		t.Errorf("the library's photo: %+v, want %s", lib, photos[1].ID)
	}

	// Applied by the bakery: the arepas' practice stays.
	if _, _, err := f.s.Apply(ctx, f.rosa, cuaderno.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.RemovePractice(ctx, f.adviser, cuaderno.ID); !errors.Is(err, errs.Conflict) {
		t.Errorf("removing an applied practice: %v, want conflict", err)
	}

	// Withdrawn: the practice, its photos and its library entry go.
	if err := f.s.RemovePractice(ctx, f.luz, costeo.ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("another initiative withdraws it: %v", err)
	}
	if scans := f.scanning(func() { err = f.s.RemovePractice(ctx, f.rosa, costeo.ID) }); len(scans) > 0 {
		t.Errorf("the withdrawal's queries not by _id: %+v", scans)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Practice(ctx, f.rosa, costeo.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("the withdrawn practice: %v", err)
	}
	if _, err := f.objects.Stat(ctx, photos[1].Key); !errors.Is(err, errs.NotFound) {
		t.Errorf("the withdrawn practice's photo: %v", err)
	}
	if lib, _ := f.s.Library(ctx, f.rosa, PracticeFilter{}); len(lib) != 2 || slices.Contains(titles(lib), title) {
		t.Errorf("the library after the withdrawal: %v", titles(lib))
	}
	if err := f.s.RemovePractice(ctx, f.rosa, costeo.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("withdrawn twice: %v", err)
	}
}

// An exchange is corrected by who may record it: a new day moves it in the
// list (listed once) with its practices' day; an initiative that shared a
// practice there stays; an adviser adds only initiatives she advises; a
// photo leaves it and its list entry.
func TestExchangeCorrect(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	in := ExchangeInput{Date: "2026-03-14", Municipality: "Sogamoso", Venue: "Casa de la Cultura",
		InitiativeIDs: []string{"ini-pan", "ini-arepa"}, Participants: mentoring.Participants{Women: 8, Men: 2, Youth: 3, Adults: 7}}
	ex, err := f.s.RecordExchange(ctx, f.adviser, in)
	if err != nil {
		t.Fatal(err)
	}
	pr := f.share(t, f.rosa, PracticeInput{Title: "Empaques con marca", Topic: "marketing", InitiativeID: "ini-pan", ExchangeID: ex.ID, Done: "Bolsas con logo.", Changed: "Nos reconocen."})
	ph, err := f.s.AddExchangePhoto(ctx, f.adviser, ex.ID, bytes.NewReader(testJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}

	day, venue, notes := "2026-04-02", "Salón comunal", "Corregido: fue en abril."
	people := in.Participants
	people.Women = 9
	moved := ExchangeUpdate{Date: &day, Venue: &venue, Notes: &notes, Participants: &people}
	if _, err := f.s.UpdateExchange(ctx, f.rosa, ex.ID, moved); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer corrects an exchange: %v", err)
	}
	wrong := moved
	bad := "2026-13-01"
	wrong.Date = &bad
	if _, err := f.s.UpdateExchange(ctx, f.adviser, ex.ID, wrong); !errors.Is(err, errs.Invalid) {
		t.Errorf("a wrong day: %v", err)
	}
	without := moved
	without.InitiativeIDs = &[]string{"ini-arepa"}
	if _, err := f.s.UpdateExchange(ctx, f.adviser, ex.ID, without); !errors.Is(err, errs.Invalid) {
		t.Errorf("without the initiative that shared a practice: %v", err)
	}
	more := moved
	more.InitiativeIDs = &[]string{"ini-pan", "ini-arepa", "ini-huerta"}
	if _, err := f.s.UpdateExchange(ctx, f.adviser, ex.ID, more); !errors.Is(err, errs.Forbidden) {
		t.Errorf("adding an initiative she does not advise: %v", err)
	}
	var got Exchange
	if scans := f.scanning(func() { got, err = f.s.UpdateExchange(ctx, f.adviser, ex.ID, moved) }); len(scans) > 0 {
		t.Errorf("the correction's queries not by _id: %+v", scans)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got.Date != "2026-04-02" || got.Venue != "Salón comunal" || got.Participants.Women != 9 || len(got.Photos) != 1 || len(got.PracticeIDs) != 1 {
		t.Errorf("corrected: %+v", got)
	}
	list, _, err := f.s.Exchanges(ctx, f.admin, "", 10)
	if err != nil || len(list) != 1 || list[0].Date != "2026-04-02" || list[0].Venue != "Salón comunal" {
		t.Fatalf("the list after the move: %+v %v (want it once, on its new day)", list, err)
	}
	if p, _ := f.s.Practice(ctx, f.admin, pr.ID); p.Date != "2026-04-02" {
		t.Errorf("the practice shared there keeps the old day: %s", p.Date)
	}
	if lib, _ := f.s.Library(ctx, f.admin, PracticeFilter{}); len(lib) != 1 || lib[0].Date != "2026-04-02" {
		t.Errorf("the library's day: %+v", lib)
	}

	if err := f.s.RemoveExchangePhoto(ctx, f.rosa, ex.ID, ph.ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("a producer removes an exchange's photo: %v", err)
	}
	if err := f.s.RemoveExchangePhoto(ctx, f.adviser, ex.ID, ph.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.objects.Stat(ctx, ph.ThumbKey); !errors.Is(err, errs.NotFound) {
		t.Errorf("the removed photo's thumbnail: %v", err)
	}
	if list, _, _ := f.s.Exchanges(ctx, f.admin, "", 10); len(list) != 1 || len(list[0].Photos) != 0 {
		t.Errorf("the list after the photo left: %+v", list)
	}

	// Withdrawing the practice shared there takes it off the exchange.
	if err := f.s.RemovePractice(ctx, f.rosa, pr.ID); err != nil {
		t.Fatal(err)
	}
	if e, _ := f.s.Exchange(ctx, f.admin, ex.ID); len(e.PracticeIDs) != 0 {
		t.Errorf("the exchange keeps the withdrawn practice: %v", e.PracticeIDs)
	}
}

// A change of an exchange cut by a crash after its document was written is
// finished by RepairExchanges once its mark has settled: a new day listed
// once with its practices' day, a new exchange listed; a change still under
// way is left to itself.
func TestExchangeRepair(t *testing.T) {
	f := newPracticesFixture(t)
	ctx := t.Context()
	ex, err := f.s.RecordExchange(ctx, f.adviser, ExchangeInput{Date: "2026-03-14", Municipality: "Sogamoso", Venue: "Casa de la Cultura",
		InitiativeIDs: []string{"ini-pan", "ini-arepa"}})
	if err != nil {
		t.Fatal(err)
	}
	pr := f.share(t, f.rosa, PracticeInput{Title: "Empaques con marca", Topic: "marketing", InitiativeID: "ini-pan", ExchangeID: ex.ID, Done: "Bolsas con logo.", Changed: "Nos reconocen."})
	if m, _ := f.s.exchangeMoves.Members(ctx, setExchangeMoves); len(m) != 0 {
		t.Fatalf("marks left by changes that finished: %v", m)
	}

	// The day moves to April and the process dies before the list follows.
	period, key := exchangeListKey(ex)
	if err := f.s.exchangeMoves.Add(ctx, setExchangeMoves, ex.ID+"-cut", exchangeMark{ExchangeID: ex.ID, Period: period, Key: key, At: f.s.now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.exchanges.UpdateOne(ctx, map[string]any{"_id": ex.ID}, map[string]any{"$set": map[string]any{"date": "2026-04-02"}}); err != nil {
		t.Fatal(err)
	}
	// A new exchange is stored, and the process dies before listing it.
	fresh := Exchange{ID: "ex-fresh", Date: "2026-05-01", Municipality: "Mongua", Department: "Boyacá", InitiativeIDs: []string{"ini-pan"},
		Photos: []Photo{}, PracticeIDs: []string{}, RecordedBy: "u-adv", RecordedAt: f.s.now()}
	if err := f.s.exchangeMoves.Add(ctx, setExchangeMoves, fresh.ID+"-cut", exchangeMark{ExchangeID: fresh.ID, At: f.s.now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.exchanges.InsertOne(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	// One more was marked but never stored.
	if err := f.s.exchangeMoves.Add(ctx, setExchangeMoves, "ex-never-cut", exchangeMark{ExchangeID: "ex-never", At: f.s.now()}); err != nil {
		t.Fatal(err)
	}
	days := func() []string {
		list, _, err := f.s.Exchanges(ctx, f.admin, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range list {
			out = append(out, e.ID+" "+e.Date)
		}
		return out
	}
	if n, err := f.s.RepairExchanges(ctx, time.Minute); err != nil || n != 0 {
		t.Errorf("repaired changes that may still be under way: %d %v", n, err)
	}
	if got := days(); !slices.Equal(got, []string{ex.ID + " 2026-03-14"}) {
		t.Fatalf("before the repair: %v", got)
	}

	f.now = f.now.Add(2 * time.Minute)
	var n int
	if scans := f.scanning(func() { n, err = f.s.RepairExchanges(ctx, time.Minute) }); len(scans) > 0 {
		t.Errorf("the repair's queries not by _id: %+v", scans)
	}
	if err != nil || n != 3 {
		t.Fatalf("repaired %d: %v, want 3", n, err)
	}
	if got, want := days(), []string{"ex-fresh 2026-05-01", ex.ID + " 2026-04-02"}; !slices.Equal(got, want) {
		t.Errorf("after the repair: %v, want %v (each once, on its day)", got, want)
	}
	if p, _ := f.s.Practice(ctx, f.admin, pr.ID); p.Date != "2026-04-02" {
		t.Errorf("the practice shared there keeps the old day: %s", p.Date)
	}
	if lib, _ := f.s.Library(ctx, f.admin, PracticeFilter{}); len(lib) != 1 || lib[0].Date != "2026-04-02" {
		t.Errorf("the library's day: %+v", lib)
	}
	if m, _ := f.s.exchangeMoves.Members(ctx, setExchangeMoves); len(m) != 0 {
		t.Errorf("still marked: %v", m)
	}
	if n, err := f.s.RepairExchanges(ctx, 0); err != nil || n != 0 {
		t.Errorf("a second repair: %d %v", n, err)
	}
}
