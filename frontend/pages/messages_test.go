package pages

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/mentoring"
	"github.com/tesoro-pact/tesoro/money"
)

func TestLocalPathRefusesOtherSites(t *testing.T) {
	tests := map[string]string{
		"/productos?q=pan":      "/productos?q=pan",
		"":                      "/",
		"https://evil.example/": "/",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"javascript:alert(1)":   "/",
		"relative":              "/",
	}
	for in, want := range tests {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestLocalesAreComplete(t *testing.T) {
	// A language's messages may be split over several files: es.json, marketplace.es.json…
	read := func(lang string) map[string]string {
		files, err := fs.Glob(localesFS, "locales/*"+lang+".json")
		if err != nil || len(files) == 0 {
			t.Fatalf("no locale files for %s: %v", lang, err)
		}
		m := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(localesFS, f)
			if err != nil {
				t.Fatal(err)
			}
			var part map[string]string
			if err := json.Unmarshal(b, &part); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					t.Errorf("%s repeats %q", f, k)
				}
				m[k] = v
			}
		}
		return m
	}
	es, en := read("es"), read("en")
	for k := range es {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := es[k]; !ok {
			t.Errorf("es.json lacks %q", k)
		}
	}
	var want []string
	for _, k := range catalog.InitiativeKinds {
		want = append(want, "kind."+k)
	}
	for _, s := range catalog.Stages {
		want = append(want, "stage."+s)
	}
	for id := range errorMessages {
		want = append(want, id)
	}
	for _, k := range want {
		if es[k] == "" {
			t.Errorf("es.json lacks %q", k)
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Pan de papa.", "Pan de papa."},
		{"  Pan   de\npapa ", "Pan de papa"},
		{"Tinto, aguapanela, caldo de papa y el pan", "Tinto, aguapanela…"},
		{"Supercalifragilísticoespialidoso", "Supercalifragilístic…"}, // one long word: cut inside it
	}
	for _, tt := range tests {
		if got := shorten(tt.in, 20); got != tt.want {
			t.Errorf("shorten(%q, 20) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePesos(t *testing.T) {
	tests := []struct {
		in      string
		want    int64 // minor units
		wantErr string
	}{
		{"12500", 1250000, ""},
		{"12.500", 1250000, ""},
		{" 12.500 ", 1250000, ""},
		{"$ 12.500", 1250000, ""},
		{"1.250.000", 125000000, ""},
		{"800", 80000, ""},
		{"12,5", 0, "producer.error.price_cents"},
		{"12.500,50", 0, "producer.error.price_cents"},
		{"-3", 0, "producer.error.price_positive"},
		{"0", 0, "producer.error.price_positive"},
		{"abc", 0, "producer.error.price_format"},
		{"12.5", 0, "producer.error.price_format"},
		{"1.2500", 0, "producer.error.price_format"},
		{"12..500", 0, "producer.error.price_format"},
		{".500", 0, "producer.error.price_format"},
		{"1e5", 0, "producer.error.price_format"},
		{"", 0, "producer.error.price_empty"},
		{"99999999999999999999", 0, "producer.error.price_large"},
	}
	for _, tt := range tests {
		n, msg := parsePesos(tt.in)
		if msg != tt.wantErr || (msg == "" && money.Pesos(n).Amount != tt.want) {
			t.Errorf("parsePesos(%q): got %d pesos, %q; want %d minor units, %q", tt.in, n, msg, tt.want, tt.wantErr)
		}
	}
}

func TestFieldMessages(t *testing.T) {
	tests := []struct {
		fe     errs.FieldError
		wantID string
	}{
		{errs.FieldError{Field: "email", Code: errs.CodeInvalid}, "form.error.email"},
		{errs.FieldError{Field: "email", Code: errs.CodeTaken}, "form.error.email_taken"},
		{errs.FieldError{Field: "password", Code: errs.CodeTooShort, Params: map[string]any{"min": 10}}, "form.error.password_short"},
		{errs.FieldError{Field: "new_password", Code: errs.CodeTooLong, Params: map[string]any{"max": 256}}, "form.error.password_long"},
		{errs.FieldError{Field: "password", Code: errs.CodeWeak, Params: map[string]any{"reason": "email"}}, "form.error.password_email"},
		{errs.FieldError{Field: "roles", Code: errs.CodeNotAllowed}, "form.error.roles_self"},
		{errs.FieldError{Field: "roles", Code: errs.CodeUnknown}, "form.error.roles"},
		{errs.FieldError{Field: "active", Code: errs.CodeNotAllowed, Params: map[string]any{"reason": "self"}}, "form.error.active_self"},
		{errs.FieldError{Field: "initiative_ids", Code: errs.CodeNotAllowed}, "form.error.initiatives_split"},
		{errs.FieldError{Field: "nickname", Code: errs.CodeInvalid}, "form.error.generic"},
	}
	bundle, err := loadBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		id, args := fieldMessage(tt.fe)
		if id != tt.wantID {
			t.Errorf("%s %s: got %s, want %s", tt.fe.Field, tt.fe.Code, id, tt.wantID)
		}
		for _, lang := range Languages {
			l := &loc{Lang: lang, l: i18n.NewLocalizer(bundle, lang)}
			if msg := l.T(id, args...); strings.Contains(msg, "⟦") || strings.Contains(msg, "<no value>") {
				t.Errorf("%s in %s: got %q", id, lang, msg)
			}
		}
	}
}

// Every category, unit and sort of the market has a name in both Languages.
func TestMarketCodesHaveNames(t *testing.T) {
	bundle, err := loadBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		l := &loc{Lang: lang, l: i18n.NewLocalizer(bundle, lang)}
		for _, prefix := range []struct {
			prefix string
			codes  []string
		}{{"category.", catalog.Categories}, {"unit.", catalog.Units}, {"market.sort.", searchSorts}} {
			for _, code := range prefix.codes {
				if got := l.T(prefix.prefix + code); strings.HasPrefix(got, "⟦") {
					t.Errorf("%s has no %s", lang, prefix.prefix+code)
				}
			}
		}
	}
}

// Every topic, modality and status of the advice pages has a name in both Languages.
func TestAdviceCodesHaveNames(t *testing.T) {
	bundle, err := loadBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		l := &loc{Lang: lang, l: i18n.NewLocalizer(bundle, lang)}
		var ids []string
		for _, code := range mentoring.Topics {
			ids = append(ids, "advice.topic."+code)
		}
		for _, code := range mentoring.Modalities {
			ids = append(ids, "advice.modality."+code)
		}
		for _, code := range mentoring.Statuses {
			ids = append(ids, "advice.status."+code, "advice.action."+code)
		}
		for _, id := range ids {
			if got := l.T(id); strings.HasPrefix(got, "⟦") {
				t.Errorf("%s has no %s", lang, id)
			}
		}
	}
}
