package app

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"

	"teamsbot/bot"
)

// bareLTR returns the first left-to-right character of s outside an
// isolate, or "" when there is none.
func bareLTR(s string) string {
	depth := 0
	for _, r := range s {
		switch r {
		case '\u2066', '\u2067', '\u2068':
			depth++
			continue
		case '\u2069':
			depth = max(depth-1, 0)
			continue
		}
		if depth > 0 {
			continue
		}
		p, _ := bidi.LookupRune(r)
		if c := p.Class(); c == bidi.L || c == bidi.EN || c == bidi.AN {
			return string(r)
		}
	}
	return ""
}

// TestEveryRightToLeftTextIsIsolated renders every message of every
// right-to-left language of the content (with sample data: numbers,
// names, links), every guide and every office note as the service sends
// them, and checks that no left-to-right character is left outside an
// isolate: a language added tomorrow (Urdu, Dari) is covered by this test
// with no change.
func TestEveryRightToLeftTextIsIsolated(t *testing.T) {
	l, issues := Load(EmbeddedContent())
	if l == nil {
		t.Fatal(issues)
	}
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]string{"days": "30", "count": "3", "name": "Sesto Fiorentino (FI)", "url": "https://www.example.it/a", "date": "2027-01-15",
		"time": "09:30", "code": "AB3-7KX", "phone": "+39 055 1234567", "municipality": "Prato", "kind": "Questura", "km": "2.5", "checked": "2026-12-06"}
	rtl := 0
	for _, lang := range l.Catalog.Languages() {
		if !eng.RTL(lang.Code) {
			continue
		}
		rtl++
		var texts []string
		for _, id := range l.Catalog.IDs(lang.Code) {
			texts = append(texts, l.Catalog.Text(lang.Code, id, data))
		}
		for _, g := range l.Directory.Guides() {
			texts = append(texts, g.TitleIn(lang.Code), g.SummaryIn(lang.Code))
			texts = append(append(texts, g.StepsIn(lang.Code)...), g.DocumentsIn(lang.Code)...)
		}
		for _, p := range l.Directory.Places() {
			texts = append(texts, p.Note.In(lang.Code), p.PhoneNote.In(lang.Code), p.Name, p.Address)
		}
		for _, text := range texts {
			out := bot.IsolateLTR(text)
			if c := bareLTR(out); c != "" {
				t.Errorf("%s: %q left outside an isolate in %q", lang.Code, c, out)
			}
			if strings.NewReplacer("\u2068", "", "\u2069", "").Replace(out) != strings.NewReplacer("\u2068", "", "\u2069", "").Replace(text) || !utf8.ValidString(out) {
				t.Errorf("%s: isolation changed the text %q", lang.Code, text)
			}
		}
	}
	if rtl == 0 {
		t.Fatal("no right-to-left language in the content")
	}
}

var _ = unicode.IsLetter
