// Package clean is the one rule for text that people type into Tesoro
// (names, descriptions, notes, reasons, file names): valid UTF-8, no control
// characters (a newline and a tab only in multi-line text), no bidirectional
// overrides or isolates (which make "exe.pdf" look like "fdp.exe"), Unicode
// NFC (so "é" typed two ways is one name), trimmed. Services apply it before
// checking lengths; it removes what it refuses rather than failing, so a
// name pasted with a stray zero-width mark still saves.
package clean

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Line is one line of text: newlines and tabs become spaces, runs of spaces
// one, other control and bidi characters are dropped.
func Line(s string) string {
	s = prepare(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == '\n' || r == '\t' || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		if dropped(r) {
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}

// Text is multi-line text: line breaks kept (as "\n") and tabs, other
// control and bidi characters dropped, trailing spaces of each line and
// blank lines at either end trimmed.
func Text(s string) string {
	s = strings.ReplaceAll(prepare(s), "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			b.WriteByte('\n')
		case dropped(r):
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// MaxFileName is the longest file name kept, in bytes (what file systems allow).
const MaxFileName = 255

// FileName is a file name as uploaded, made safe to show and to send back in
// a Content-Disposition: its last path element, Line's rule, no characters
// that file systems or shells treat specially, no leading dots, at most
// MaxFileName bytes (cut before the extension, on a character boundary);
// "archivo" when nothing is left.
func FileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = Line(s)
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.TrimLeft(s, ". ")
	if len(s) > MaxFileName {
		ext := path.Ext(s)
		if len(ext) > 16 || !utf8.ValidString(ext) {
			ext = ""
		}
		s = cut(s[:len(s)-len(ext)], MaxFileName-len(ext)) + ext
	}
	if s == "" {
		return "archivo"
	}
	return s
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func prepare(s string) string { return norm.NFC.String(strings.ToValidUTF8(s, "")) }

// dropped reports the characters text never keeps: controls (C0, DEL, C1),
// bidirectional marks, embeddings, overrides and isolates, and the byte
// order mark.
func dropped(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0xfeff:
		return true
	}
	return false
}
