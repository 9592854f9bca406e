package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"teamsbot/locales"
)

// TestALanguageIsFilesOnly: a language added to a copy of the content, as a
// content team would (its texts, its entry in languages.yaml, its answer
// words), works end to end in `chat` with no Go: it is offered, chosen by
// number, spoken, its number words are read, and lint counts it as being
// translated.
func TestALanguageIsFilesOnly(t *testing.T) {
	dir := t.TempDir()
	loc := filepath.Join(dir, "locales")
	if err := os.CopyFS(loc, locales.FS); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(loc, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	settings, err := os.ReadFile(filepath.Join(loc, "languages.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(settings), "languages: [it, en, fr, ar, sq, zh]", "languages: [it, en, fr, ar, sq, zh, es]", 1)
	s += "  es:\n    italian: spagnolo\n    partial: true\n    countries: [\"34\"]\n"
	write("languages.yaml", s)
	en, err := os.ReadFile(filepath.Join(loc, "en.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	es := strings.NewReplacer(
		`language.name: "English"`, `language.name: "Español"`,
		`menu.ask: "What do you need? Write the number."`, `menu.ask: "¿Qué necesitas? Escribe el número."`,
	).Replace(string(en))
	// A language being translated: some texts are still missing.
	var kept []string
	for _, line := range strings.Split(es, "\n") {
		if !strings.HasPrefix(line, "welcome.back:") {
			kept = append(kept, line)
		}
	}
	write("es.yaml", strings.Join(kept, "\n"))
	write("words/es.yaml", "yes: [sí, claro]\nno: [no]\nnumbers:\n  words: {2: [dos], 3: [tres]}\ndates:\n  relative: {hoy: 0, mañana: 1}\n")

	e, out, errOut := env([]string{"lint", dir}, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("lint: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(out.String(), "Español") || !strings.Contains(out.String(), "7 languages") {
		t.Errorf("lint does not count Spanish:\n%s", out)
	}
	// "hola": the language question lists Español 7th; "7" chooses it.
	e, out, errOut = env([]string{"chat", "--dir", dir}, "hola\n7\n1\n7\ndos\n", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	got := out.String()
	for _, want := range []string{"7. Español", "¿Qué necesitas? Escribe el número.", "A child of 2 years."} {
		if !strings.Contains(got, want) {
			t.Errorf("chat in a language made of files lacks %q:\n%s", want, got)
		}
	}
}
