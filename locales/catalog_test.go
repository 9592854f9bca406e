package locales

import (
	"strings"
	"testing"
	"testing/fstest"
)

func testFS(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{"languages.yaml": {Data: []byte("languages: [it, en, fr, ar]\nreference: en\nfallback: [en, it]\n")}}
	for k, v := range files {
		fs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fs
}

var base = map[string]string{
	"en.yaml": "language.name: English\ngreet: Hello {{.name}}\nonly_en: Only English\nyears:\n  one: \"{{.count}} year\"\n  other: \"{{.count}} years\"\n",
	"it.yaml": "language.name: Italiano\ngreet: Ciao {{.name}}\nonly_it: Solo italiano\nyears:\n  one: \"{{.count}} anno\"\n  other: \"{{.count}} anni\"\n",
	"fr.yaml": "language.name: Français\ngreet: Bonjour {{.name}}\n",
	"ar.yaml": "language.name: العربية\nyears:\n  zero: \"{{.count}} سنة\"\n  one: \"سنة واحدة\"\n  two: \"سنتان\"\n  few: \"{{.count}} سنوات\"\n  many: \"{{.count}} سنة\"\n  other: \"{{.count}} سنة\"\n",
}

func TestFallbackChainAndCount(t *testing.T) {
	var missing []string
	c, issues := Load(testFS(base), Options{OnMissing: func(lang, id string) { missing = append(missing, lang+":"+id) }})
	if c == nil {
		t.Fatal(issues)
	}
	if got := c.Text("fr", "greet", map[string]string{"name": "Amina"}); got != "Bonjour Amina" {
		t.Errorf("fr greet = %q", got)
	}
	// Missing in French: English, not the bundle default by accident.
	if got := c.Text("fr", "only_en", nil); got != "Only English" {
		t.Errorf("fr only_en = %q", got)
	}
	// Missing in French and English: Italian.
	if got := c.Text("ar", "only_it", nil); got != "Solo italiano" {
		t.Errorf("ar only_it = %q", got)
	}
	// Missing everywhere: the id, counted.
	if got := c.Text("fr", "nowhere", nil); got != "nowhere" {
		t.Errorf("nowhere = %q", got)
	}
	if strings.Join(missing, " ") != "fr:only_en ar:only_it fr:nowhere" || c.Fallbacks() != 3 {
		t.Errorf("fallbacks counted: %v, %d", missing, c.Fallbacks())
	}
}

func TestPluralsFollowCLDR(t *testing.T) {
	c, issues := Load(testFS(base))
	if c == nil {
		t.Fatal(issues)
	}
	for _, tc := range []struct{ lang, count, want string }{
		{"en", "1", "1 year"}, {"en", "8", "8 years"},
		{"it", "1", "1 anno"}, {"it", "0", "0 anni"},
		{"ar", "1", "سنة واحدة"}, {"ar", "2", "سنتان"}, {"ar", "3", "3 سنوات"}, {"ar", "11", "11 سنة"}, {"ar", "100", "100 سنة"},
	} {
		if got := c.Text(tc.lang, "years", map[string]string{"count": tc.count}); got != tc.want {
			t.Errorf("%s years(%s) = %q, want %q", tc.lang, tc.count, got, tc.want)
		}
	}
}

func TestCoverageAndMatch(t *testing.T) {
	c, issues := Load(testFS(base))
	if c == nil {
		t.Fatal(issues)
	}
	cov := map[string]Coverage{}
	for _, x := range c.Coverage() {
		cov[x.Code] = x
	}
	if cov["en"].Translated != 4 || cov["fr"].Translated != 2 || strings.Join(cov["fr"].Missing, " ") != "only_en years" {
		t.Errorf("coverage = %+v", cov)
	}
	for hint, want := range map[string]string{"en-US": "en", "fr_CA": "fr", "ar-MA": "ar", "it": "it", "tlh": "", "pt-BR": "", "": "", "zz-ZZ-x-very-long-garbage-tag-that-goes-on": ""} {
		got, ok := c.Match(hint)
		if got != want || ok != (want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", hint, got, ok, want)
		}
	}
	if names := c.Languages(); names[3].Name != "العربية" || names[0].Code != "it" {
		t.Errorf("languages = %+v", names)
	}
}

func TestBrokenLocales(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"yaml":         {map[string]string{"fr.yaml": "language.name: Français\ngreet: [broken\n"}, "broken YAML: did not find expected"},
		"missing file": {map[string]string{"fr.yaml": ""}, "language fr is listed in languages.yaml but fr.yaml cannot be read"},
		"duplicate":    {map[string]string{"fr.yaml": "language.name: Français\ngreet: a\ngreet: b\n"}, `fr.yaml:3:1: message "greet" is defined twice`},
		"template var": {map[string]string{"fr.yaml": "language.name: Français\ngreet: Bonjour {{.nom}}\n"}, "fr.yaml:2: greet uses .nom but the reference text has only .name"},
		"bad template": {map[string]string{"fr.yaml": "language.name: Français\ngreet: Bonjour {{.name\n"}, "fr.yaml:2: greet:"},
		"no name":      {map[string]string{"fr.yaml": "greet: Bonjour\n"}, "fr.yaml:1: missing language.name"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range tc.files {
				files[k] = v
			}
			fs := testFS(files)
			if tc.files["fr.yaml"] == "" {
				delete(fs, "fr.yaml")
			}
			c, issues := Load(fs)
			if c != nil {
				t.Fatalf("broken locales loaded; issues: %v", issues)
			}
			if !strings.Contains(issues.Error(), tc.want) {
				t.Errorf("issues:\n%v\nwant %q", issues, tc.want)
			}
		})
	}
}

// TestAboutLanguages: what languages.yaml says of each language reaches
// bot.Language, and its mistakes are reported with their line.
func TestAboutLanguages(t *testing.T) {
	head := "languages: [it, en, ar]\npreparing: [fr]\nreference: en\nabout:\n"
	good := head + "  ar:\n    italian: arabo\n    script: Arabic\n    countries: [\"212\"]\n  fr:\n    italian: francese\n    countries: [\"212\"]\n    plural: ar\n"
	fs := testFS(base)
	fs["languages.yaml"].Data = []byte(good)
	c, issues := Load(fs)
	if c == nil {
		t.Fatal(issues)
	}
	for _, l := range c.All() {
		if l.Code == "ar" && (l.Italian != "arabo" || l.Script != "Arabic" || l.Preparing) || l.Code == "fr" && !l.Preparing {
			t.Errorf("%+v", l)
		}
	}
	// French is being prepared: checked and measured, not offered, and its
	// claim on a calling code waits until it is.
	for _, l := range c.Languages() {
		if l.Code == "fr" {
			t.Errorf("a language in preparation is offered: %+v", l)
		}
	}
	if _, ok := c.Match("fr"); ok {
		t.Error("Match gives a language in preparation")
	}
	if got := c.Settings().About["ar"].Countries; len(got) != 1 || got[0] != "212" {
		t.Errorf("countries %v", got)
	}
	for name, tc := range map[string]struct{ about, want string }{
		"unknown key":    {"  ar:\n    italien: arabo\n", "languages.yaml:6: broken YAML: field italien not found"},
		"not offered":    {"  es:\n    italian: spagnolo\n", "languages.yaml:5: about: es is neither offered"},
		"bad script":     {"  ar:\n    script: Arab\n", `languages.yaml:5: about: ar: "Arab" is not a Unicode script name`},
		"shared script":  {"  ar:\n    script: Latin\n  en:\n    script: Latin\n", "ar and en are both written in Latin"},
		"bad country":    {"  ar:\n    countries: [\"+212\"]\n", `"+212" is not a calling code`},
		"shared country": {"  ar:\n    countries: [\"33\"]\n  en:\n    countries: [\"33\"]\n", "calling code 33 is claimed by ar and en"},
	} {
		fs := testFS(base)
		fs["languages.yaml"].Data = []byte(head + tc.about)
		c, issues := Load(fs)
		if c != nil || !strings.Contains(issues.Error(), tc.want) {
			t.Errorf("%s: loaded %v; issues:\n%v\nwant %q", name, c != nil, issues, tc.want)
		}
	}
}

func TestShippedLocalesAreComplete(t *testing.T) {
	c, issues := Load(FS)
	if c == nil {
		t.Fatal(issues)
	}
	if len(issues) > 0 {
		t.Errorf("shipped locales have issues:\n%v", issues)
	}
	want := []string{"it", "en", "fr", "ar", "sq", "zh", "uk", "es", "ur", "bn", "prs", "tl"}
	langs := c.Languages()
	if len(langs) != len(want) {
		t.Fatalf("languages = %v", langs)
	}
	for i, cv := range c.Coverage()[:len(want)] {
		if cv.Code != want[i] || cv.Translated != cv.Total || cv.Preparing {
			t.Errorf("%s: %d of %d translated, missing %v", cv.Code, cv.Translated, cv.Total, cv.Missing)
		}
	}
}

func BenchmarkText(b *testing.B) {
	c, _ := Load(FS)
	data := map[string]string{"municipality": "Prato", "count": "8"}
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			c.Text("ar", "school.ask_topic", data)
		}
	})
	b.Run("template", func(b *testing.B) {
		for b.Loop() {
			c.Text("ar", "school.where", data)
		}
	})
	b.Run("plural", func(b *testing.B) {
		for b.Loop() {
			c.Text("ar", "school.age_is", data)
		}
	})
}
