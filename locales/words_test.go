package locales

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func wordsFS(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{}
	for k, v := range files {
		fs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fs
}

// The embedded words load without issues, for the languages offered.
func TestLoadWordsEmbedded(t *testing.T) {
	c, issues := Load(FS)
	if c == nil {
		t.Fatal(issues)
	}
	lex, issues := LoadWords(FS, slices.Concat(c.Settings().Languages, c.Settings().Preparing))
	if lex == nil || len(issues) > 0 {
		t.Fatalf("LoadWords: %v", issues)
	}
	for _, l := range c.Settings().Languages {
		if _, err := FS.Open("words/" + l + ".yaml"); err != nil {
			t.Errorf("no words/%s.yaml", l)
		}
	}
	if yes, ok := lex.YesNo("Sì, grazie", "it"); !ok || !yes {
		t.Errorf("YesNo(Sì, grazie) = %v, %v", yes, ok)
	}
	if v, ok := lex.Integer("quatre-vingt-dix-neuf"); !ok || v != 99 {
		t.Errorf("Integer(quatre-vingt-dix-neuf) = %v, %v", v, ok)
	}
}

// A new language is only a words file: Spanish is read after loading.
func TestLoadWordsNewLanguage(t *testing.T) {
	fs := wordsFS(map[string]string{
		"words/es.yaml": "# Spanish\nyes: [sí, claro]\nno: [no]\nnumbers:\n  words: {2: [dos], 20: [veinte]}\n  and: [y]\n" +
			"dates:\n  relative: {hoy: 0, mañana: 1, pasado mañana: 2}\n  months: {enero: 1, febrero: 2}\n",
	})
	lex, issues := LoadWords(fs, []string{"it", "es"}) // it has no words file: allowed
	if lex == nil || len(issues) > 0 {
		t.Fatalf("LoadWords: %v", issues)
	}
	if yes, ok := lex.YesNo("Sí", "es"); !ok || !yes {
		t.Errorf("YesNo(Sí) = %v, %v", yes, ok)
	}
	if yes, ok := lex.YesNo("¡claro!", "it"); !ok || !yes {
		t.Errorf("YesNo(¡claro!) = %v, %v", yes, ok)
	}
	if v, ok := lex.Integer("tengo dos hijos"); !ok || v != 2 {
		t.Errorf("Integer(tengo dos hijos) = %v, %v", v, ok)
	}
	if v, ok := lex.Integer("veinte y dos"); !ok || v != 22 {
		t.Errorf("Integer(veinte y dos) = %v, %v", v, ok)
	}
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"mañana":              time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC),
		"pasado mañana":       time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC),
		"12 de enero de 2015": time.Date(2015, 1, 12, 0, 0, 0, 0, time.UTC),
		"3 feb. 1990":         time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC),
	} {
		if d, ok := lex.Date(in, now); !ok || !d.Equal(want) {
			t.Errorf("Date(%q) = %v, %v; want %v", in, d, ok, want)
		}
	}
	// Italian has no words file here, so Italian words are not read.
	if _, ok := lex.YesNo("certo", "it"); ok {
		t.Errorf("YesNo(certo) without it's words: ok")
	}
}

func TestLoadWordsIssues(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		langs []string
		want  []string
	}{
		{"syntax", map[string]string{"words/xx.yaml": "# words\nyes: [si, certo]\nno: non: mai\n"},
			[]string{"xx"}, []string{"words/xx.yaml:3: broken YAML: mapping values are not allowed in this context"}},
		{"unknown key", map[string]string{"words/xx.yaml": "# words\nyes: [si]\nyess: [certo]\ndates:\n  month: {gennaio: 1}\n"},
			[]string{"xx"}, []string{
				`words/xx.yaml:3:1: unknown key "yess" (known: yes, no, unsure, filler, solo_yes, solo_no, numbers, dates, ages)`,
				`words/xx.yaml:5:3: unknown key "month" in dates (known: relative, months, after_year, after_month, after_day, hours, afternoon)`}},
		{"not a list", map[string]string{"words/xx.yaml": "yes: si\nnumbers: [uno]\n"},
			[]string{"xx"}, []string{
				"words/xx.yaml:1:6: yes: is a list of words: [word, word, ...]",
				"words/xx.yaml:2:10: numbers: is a mapping (key: value, one a line, or {key: value, ...})"}},
		{"wrong type", map[string]string{"words/xx.yaml": "dates:\n  months: {gennaio: uno}\n"},
			[]string{"xx"}, []string{"words/xx.yaml:2: broken YAML: cannot unmarshal !!str `uno` into int"}},
		{"conflict", map[string]string{
			"words/it.yaml": "yes: [sì, certo]\n",
			"words/xx.yaml": "# a new language\nyes: [da]\nno:\n  - ne\n  - Si!\n"},
			[]string{"it", "xx"}, []string{`words/xx.yaml:5:5: no: "Si!" is no, but "sì" (it, yes) is yes`}},
		{"bad words", map[string]string{"words/xx.yaml": "numbers:\n  words:\n    2: [dva]\n    3: [dva, tri]\n  special:\n" +
			"    fr_quatorze: [quatorze]\ndates:\n  months:\n    smarch: 13\n"},
			[]string{"xx"}, []string{
				`words/xx.yaml:4:9: numbers.words.3: "dva" is number 3, but "dva" (xx, numbers.words.2) is number 2`,
				`words/xx.yaml:6:5: numbers.special: "fr_quatorze" is not a role the parser knows`,
				`words/xx.yaml:9:5: dates.months: "smarch" is month 13: months are 1 to 12`}},
		{"unused file", map[string]string{"words/xx.yaml": "yes: [da]\n", "words/yy.yaml": "yes: [jo]\n"},
			[]string{"xx"}, []string{"words/yy.yaml: warning: yy is not among the languages of languages.yaml: its words are not read"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lex, issues := LoadWords(wordsFS(c.files), c.langs)
			if len(issues) != len(c.want) {
				t.Fatalf("issues:\n%v\nwant:\n%s", issues, strings.Join(c.want, "\n"))
			}
			for i, is := range issues {
				if !strings.HasPrefix(is.Error(), c.want[i]) {
					t.Errorf("issue %d = %q, want %q", i, is.Error(), c.want[i])
				}
			}
			if (lex == nil) != (len(issues.Errors()) > 0) {
				t.Errorf("lexicon %v with issues %v", lex, issues)
			}
		})
	}
}
