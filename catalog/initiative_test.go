package catalog_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/storage"
	"github.com/tesoro-pact/tesoro/storage/storagetest"
)

// newCatalog is a catalog on a fresh database and a local object store.
func newCatalog(t testing.TB) *catalog.Service {
	t.Helper()
	objects, err := storage.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewService(storagetest.DB(t), objects)
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestCreateInitiativeValidation(t *testing.T) {
	svc := newCatalog(t)
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	ok := catalog.InitiativeInput{Name: "Arepas de Maíz", Kind: "arepas", Municipality: "Segovia"}
	tests := []struct {
		name      string
		mutate    func(*catalog.InitiativeInput)
		wantField string // empty: valid
	}{
		{"valid", func(*catalog.InitiativeInput) {}, ""},
		{"accentless municipality", func(in *catalog.InitiativeInput) { in.Municipality = "topaga" }, ""},
		{"department matches", func(in *catalog.InitiativeInput) { in.Department = "antioquia" }, ""},
		{"municipality outside the programme", func(in *catalog.InitiativeInput) { in.Municipality = "Medellín" }, "municipality"},
		{"empty municipality", func(in *catalog.InitiativeInput) { in.Municipality = "" }, "municipality"},
		{"wrong department", func(in *catalog.InitiativeInput) { in.Department = "Boyacá" }, "department"},
		{"short name", func(in *catalog.InitiativeInput) { in.Name = " ab " }, "name"},
		{"long name", func(in *catalog.InitiativeInput) { in.Name = strings.Repeat("a", 121) }, "name"},
		{"unknown kind", func(in *catalog.InitiativeInput) { in.Kind = "mining" }, "kind"},
		{"unknown stage", func(in *catalog.InitiativeInput) { in.Stage = "done" }, "stage"},
		{"long description", func(in *catalog.InitiativeInput) { in.Description = strings.Repeat("x", 4001) }, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.mutate(&in)
			got, err := svc.CreateInitiative(t.Context(), accounts.System, in)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				if m, _ := catalog.LookupMunicipality(in.Municipality); got.Municipality != m.Name || got.Department != m.Department {
					t.Fatalf("got %s/%s, want canonical %s/%s", got.Municipality, got.Department, m.Name, m.Department)
				}
				return
			}
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want a validation error", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != tt.wantField {
				t.Fatalf("fields: got %+v, want one on %s", ve.Fields, tt.wantField)
			}
		})
	}
}

func TestSlugsAreUnique(t *testing.T) {
	svc := newCatalog(t)
	if err := svc.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for range 3 {
		in, err := svc.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Panadería Mongua", Municipality: "Mongua"})
		if err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, in.Slug)
	}
	want := []string{"panaderia-mongua", "panaderia-mongua-2", "panaderia-mongua-3"}
	if strings.Join(slugs, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v, want %v", slugs, want)
	}
	got, err := svc.InitiativeBySlug(t.Context(), "panaderia-mongua-2")
	if err != nil || got.Slug != "panaderia-mongua-2" {
		t.Fatalf("by slug: got %+v %v", got, err)
	}
	if _, err := svc.Initiative(t.Context(), "missing"); !errors.Is(err, errs.NotFound) {
		t.Fatalf("missing: got %v, want NotFound", err)
	}
}

func TestFoldAndSlugify(t *testing.T) {
	tests := []struct{ in, fold, slug string }{
		{"Arepas de MAÍZ", "arepas de maiz", "arepas-de-maiz"},
		{"Gámeza", "gameza", "gameza"},
		{"Piscícola Río Nechí", "piscicola rio nechi", "piscicola-rio-nechi"},
		{"  Niño & Señora!! ", "  nino & senora!! ", "nino-senora"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := catalog.Fold(tt.in); got != tt.fold {
			t.Errorf("Fold(%q): got %q, want %q", tt.in, got, tt.fold)
		}
		if got := catalog.Slugify(tt.in); got != tt.slug {
			t.Errorf("Slugify(%q): got %q, want %q", tt.in, got, tt.slug)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Panadería de Papa", "Tópaga", "a--b", "ñ", "\xff\xfe", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := catalog.Slugify(s)
		if !utf8.ValidString(slug) || strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
			t.Fatalf("Slugify(%q) = %q: not a clean slug", s, slug)
		}
		for _, r := range slug {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Slugify(%q) = %q: has %q", s, slug, r)
			}
		}
	})
}

// A member's name keeps no control or bidi characters (item 11 of the
// security review).
func TestMemberNameIsCleaned(t *testing.T) {
	svc := newCatalog(t)
	in, err := svc.CreateInitiative(t.Context(), accounts.System, catalog.InitiativeInput{Name: "Panadería\u202E de papa", Municipality: "Mongua"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "Panadería de papa" {
		t.Errorf("initiative name %q", in.Name)
	}
	m, err := svc.AddMember(t.Context(), accounts.System, in.ID, catalog.Member{Name: "Rosa\x07 Elvira\x00", Role: "socia", Sex: "female", AgeGroup: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Rosa Elvira" {
		t.Errorf("member name %q, want %q", m.Name, "Rosa Elvira")
	}
}
