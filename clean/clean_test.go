package clean

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"  Rosa   Elvira ":              "Rosa Elvira",
		"Rosa\x00 Elvira\a":             "Rosa Elvira",
		"evil\u202Efdp.exe":             "evilfdp.exe",
		"Mar\u200Fía":                   "María",
		"Mari\u0301a":                   "María", // decomposed í becomes one character
		"línea uno\nlínea dos\tfin":     "línea uno línea dos fin",
		"bad \xff\xfe bytes":            "bad bytes",
		"\uFEFFPanadería":               "Panadería",
		"\u2066aislado\u2069 y \u061Cx": "aislado y x",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	in := "\n\nPrimera línea  \r\nSegunda\tcon tab\u202E\x07\n\n\n"
	if got, want := Text(in), "Primera línea\nSegunda\tcon tab"; got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\ana\acta.pdf`:     "acta.pdf",
		"../../etc/passwd":          "passwd",
		"..":                        "archivo",
		"":                          "archivo",
		"foto\u202Egpj.exe":         "fotogpj.exe",
		"acta: \"final\" <v2>?.pdf": "acta_ _final_ _v2__.pdf",
		"...oculto.txt":             "oculto.txt",
		"acta\x00\nde reunión.pdf":  "acta de reunión.pdf",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := FileName(strings.Repeat("ñ", 200_000) + ".pdf")
	if len(long) > MaxFileName || !strings.HasSuffix(long, ".pdf") || !utf8.ValidString(long) {
		t.Errorf("a 200,000-character name: %d bytes, valid %v, ends %q", len(long), utf8.ValidString(long), long[len(long)-8:])
	}
}
