package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestALanguageIsFilesOnly: a content team starts a thirteenth language as
// files, with no Go: listed under preparing: it is checked and counted but
// not offered; exported, translated in a translator's file and imported,
// it reaches 100 %; moved to languages:, it is offered, chosen by number,
// spoken, and its number words are read. Offered while incomplete, lint
// fails (the coverage gate).
func TestALanguageIsFilesOnly(t *testing.T) {
	dir := contentCopy(t)
	addLanguage(t, dir, "pt", "Português")
	loc := filepath.Join(dir, "locales")
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(loc, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("words/pt.yaml", "yes: [sim, claro]\nnumbers:\n  words: {2: [dois], 3: [três]}\ndates:\n  relative: {hoje: 0, amanhã: 1}\n")

	// In preparation: counted, not offered.
	out := runOK(t, "lint", dir)
	if !coverageRow(out, "pt", "preparing", "0%") {
		t.Errorf("lint does not count Portuguese as being prepared:\n%s", out)
	}
	e, chatOut, _ := env([]string{"chat", "--dir", dir}, "ola\n", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(chatOut.String(), "Português") {
		t.Errorf("a language in preparation is offered:\n%s", chatOut)
	}

	// Offered while incomplete: the coverage gate fails.
	offer := func() {
		t.Helper()
		path := filepath.Join(loc, "languages.yaml")
		b, _ := os.ReadFile(path)
		s := strings.Replace(string(b), "preparing: [pt]", "preparing: []", 1)
		s = strings.Replace(s, "languages: [it, en, fr, ar, sq, zh, uk, es, ur, bn, prs, tl]", "languages: [it, en, fr, ar, sq, zh, pt, uk, es, ur, bn, prs, tl]", 1)
		write("languages.yaml", s)
	}
	offer()
	e, out2, _ := env([]string{"lint", dir}, "", nil)
	if err := Run(context.Background(), e); err == nil || !strings.Contains(out2.String(), "has no pt text") {
		t.Errorf("lint passes a language offered with texts missing: %v\n%s", err, out2)
	}

	// Translated through the translators' file: export, fill, import.
	file := filepath.Join(t.TempDir(), "pt.csv")
	runOK(t, "i18n", "export", "--lang", "pt", "--format", "csv", "--out", file, dir)
	fill(t, file, func(key, source string) string {
		switch key {
		case "locales:language.name":
			return "Português"
		case "locales:menu.ask":
			return "Do que você precisa? Escreva o número."
		case "locales:school.age_is#one":
			return "Uma criança de {{.count}} ano."
		case "locales:school.age_is#many", "locales:school.age_is#other":
			return "Uma criança de {{.count}} anos."
		}
		return source
	})
	out = runOK(t, "i18n", "import", file, dir)
	if !strings.Contains(out, "texts of pt translated") {
		t.Errorf("import says:\n%s", out)
	}
	out = runOK(t, "lint", dir)
	if !coverageRow(out, "pt", "offered", "100%") || strings.Contains(out, "pt is offered to users but") {
		t.Errorf("lint after the import:\n%s", out)
	}
	// "oi, tudo bem?": the language question lists Português 7th; "7"
	// chooses it ("ola" is a Spanish example: it chooses Spanish).
	e, chatOut, errOut := env([]string{"chat", "--dir", dir}, "oi, tudo bem?\n7\n1\n7\ndois\n", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	got := chatOut.String()
	for _, want := range []string{"7. Português", "Do que você precisa? Escreva o número.", "Uma criança de 2 anos."} {
		if !strings.Contains(got, want) {
			t.Errorf("chat in a language made of files lacks %q:\n%s", want, got)
		}
	}
}

// coverageRow reports whether lint's coverage table has a row for code
// with status, whose overall coverage is all.
func coverageRow(out, code, status, all string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[1] == code && f[2] == status && f[len(f)-1] == all {
			return true
		}
	}
	return false
}
