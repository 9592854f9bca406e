package l10n

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var tricky = []Unit{
	{Key: "locales:a", Source: `Say "hi" \ bye`, Italian: "Dì \"ciao\"", Text: `Dis "salut" \ au revoir`, Where: "message a", Limit: 20},
	{Key: "locales:b", Source: "Line one\nline two\n", Text: "", Where: "message b"},
	{Key: "knowledge/x.yaml:k.title", Source: "<b> & co, \"quoted\"", Text: "مرحبا, <b> & \u2068+39 055\u2069", Where: "x k title"},
	{Key: "knowledge/x.yaml:k.keywords", Source: "a | b", Text: "c | d", Where: "x k keywords (search words)", List: true},
}

// Every format gives back the keys and texts it was given, whatever they
// hold: quotes, backslashes, newlines, markup, commas, right-to-left text.
func TestFormatsRoundTrip(t *testing.T) {
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, format, Header{Lang: "fr", Reference: "en", Glossary: "questura = Questura (police)"}, tricky); err != nil {
			t.Fatal(err)
		}
		h, got, err := Read(&buf)
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, buf.String())
		}
		if h.Lang != "fr" || len(got) != len(tricky) {
			t.Fatalf("%s: header %+v, %d units", format, h, len(got))
		}
		for i, u := range got {
			if u.Key != tricky[i].Key || u.Text != tricky[i].Text {
				t.Errorf("%s: unit %d = %q %q, want %q %q", format, i, u.Key, u.Text, tricky[i].Key, tricky[i].Text)
			}
		}
	}
}

// A PO entry a translator marked fuzzy is not taken as translated, and a
// broken PO file is an error with its line.
func TestPOFuzzyAndBroken(t *testing.T) {
	po := "msgid \"\"\nmsgstr \"Language: fr\\n\"\n\n#, fuzzy\nmsgctxt \"locales:a\"\nmsgid \"Hello\"\nmsgstr \"Bonjour\"\n\nmsgctxt \"locales:b\"\nmsgid \"Bye\"\nmsgstr \"Au revoir\"\n"
	_, units, err := Read(strings.NewReader(po))
	if err != nil || len(units) != 2 || units[0].Text != "" || units[1].Text != "Au revoir" {
		t.Fatalf("%v %+v", err, units)
	}
	_, _, err = Read(strings.NewReader("msgctxt \"a\"\nmsgid \"x\nmsgstr \"y\"\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("broken PO: %v", err)
	}
}

// Apply writes only what changed, keeps comments and blank lines, and adds
// a language to a flow mapping and to a list.
func TestApplyKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "knowledge"), 0o755)
	os.MkdirAll(filepath.Join(dir, "locales"), 0o755)
	doc := "# A guide.\nid: g\n\ntitle: {it: \"Titolo\", en: \"Title\"}  # short\n\nsteps:\n  it:\n    - \"Uno\"\n    - \"Due\"\n  en:\n    - \"One\"\n    - \"Two\"\n"
	os.WriteFile(filepath.Join(dir, "knowledge", "g.yaml"), []byte(doc), 0o644)
	os.WriteFile(filepath.Join(dir, "locales", "en.yaml"), []byte("hello: \"Hello\"\nbye: \"Bye\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "locales", "es.yaml"), []byte("# Spanish.\nbye: \"Adiós\"\n"), 0o644)
	c := Content{Locales: os.DirFS(filepath.Join(dir, "locales")), Knowledge: os.DirFS(filepath.Join(dir, "knowledge"))}
	cur, err := Collect(c, "es")
	if err != nil {
		t.Fatal(err)
	}
	in := []Unit{
		{Key: "locales:hello", Text: "Hola"},
		{Key: "locales:bye", Text: "Adiós"},
		{Key: "knowledge/g.yaml:title", Text: "Título"},
		{Key: "knowledge/g.yaml:steps.0", Text: "Uno"},
		{Key: "knowledge/g.yaml:steps.1", Text: "Dos"},
	}
	if ps := Check(Header{Lang: "es"}, in, cur, "es"); len(ps) > 0 {
		t.Fatal(ps)
	}
	changes, err := Apply(dir, "es", in, cur)
	if err != nil || len(changes) != 4 {
		t.Fatalf("%v %+v", err, changes)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "knowledge", "g.yaml"))
	want := "# A guide.\nid: g\n\ntitle: {it: \"Titolo\", en: \"Title\", es: \"Título\"} # short\n\nsteps:\n  it:\n    - \"Uno\"\n    - \"Due\"\n  en:\n    - \"One\"\n    - \"Two\"\n  es:\n    - \"Uno\"\n    - \"Dos\"\n"
	if string(got) != want {
		t.Errorf("guide:\n%s\nwant:\n%s", got, want)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "locales", "es.yaml"))
	if string(got) != "# Spanish.\nhello: \"Hola\"\nbye: \"Adiós\"\n" {
		t.Errorf("locale file:\n%s", got)
	}
	c2 := Content{Locales: fstest.MapFS{"en.yaml": {Data: []byte("a: b\n")}}, Knowledge: fstest.MapFS{}}
	if _, err := Collect(c2, "Español"); err == nil {
		t.Error("a language name is taken as a code")
	}
}
