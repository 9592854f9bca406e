package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// lex is the Lexicon of the real word lists of the six launch languages,
// locales/words/<code>.yaml: the cases below say what their users' answers
// mean (a Russian or Spanish word is not read by them; the words of the
// languages in preparation are checked by lint). The tests read the files
// from disk (package locales, which loads them for the bot, imports this
// package).
var lex = mustLexicon()

func mustLexicon() *Lexicon {
	var all []Words
	for _, code := range []string{"it", "en", "fr", "ar", "sq", "zh"} {
		f := filepath.Join("..", "..", "locales", "words", code+".yaml")
		raw, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		w := Words{Lang: strings.TrimSuffix(filepath.Base(f), ".yaml")}
		if err := yaml.Unmarshal(raw, &w); err != nil {
			panic(f + ": " + err.Error())
		}
		all = append(all, w)
	}
	l, err := NewLexicon(all...)
	if err != nil {
		panic(err)
	}
	return l
}

// TestNilLexicon: a nil Lexicon knows no words, and still reads digits.
func TestNilLexicon(t *testing.T) {
	var l *Lexicon
	if v, ok := l.Number("ho 12 anni"); !ok || v != 12 {
		t.Errorf("Number(ho 12 anni) = %v, %v", v, ok)
	}
	if v, ok := l.Number("十二"); !ok || v != 12 {
		t.Errorf("Number(十二) = %v, %v", v, ok)
	}
	if _, ok := l.Number("dodici"); ok {
		t.Errorf("Number(dodici) ok without words")
	}
	if v, ok := l.Integer("٣"); !ok || v != 3 {
		t.Errorf("Integer(٣) = %v, %v", v, ok)
	}
	if yes, ok := l.YesNo("👍", "it"); !ok || !yes {
		t.Errorf("YesNo(👍) = %v, %v", yes, ok)
	}
	for _, in := range []string{"sì", "是的", "不知道", "ok好的", "si no"} {
		if _, ok := l.YesNo(in, "it"); ok {
			t.Errorf("YesNo(%q) ok without words", in)
		}
	}
	if d, ok := l.Date("12/03/2015", now); !ok || !d.Equal(day(2015, 3, 12)) {
		t.Errorf("Date(12/03/2015) = %v, %v", d, ok)
	}
	for _, in := range []string{"domani", "12 marzo 2015", "明天", "12 مارس 2015"} {
		if _, ok := l.Date(in, now); ok {
			t.Errorf("Date(%q) ok without words", in)
		}
	}
	if _, ok := l.BirthDate("oggi", now); ok {
		t.Errorf("BirthDate(oggi) ok without words")
	}
}

// TestNewLexicon: words of a new language are read, and words that cannot
// be read or mean two things are errors naming the language and the word.
func TestNewLexicon(t *testing.T) {
	es := Words{Lang: "es", Yes: []string{"sí", "claro", "por supuesto"}, No: []string{"no"},
		Unsure:  []string{"no sé"},
		Numbers: NumberWords{Words: map[int][]string{2: {"dos"}, 20: {"veinte"}, 21: {"veintiuno"}, 200: {"doscientos"}}, And: []string{"y"}},
		Dates: DateWords{Relative: map[string]int{"hoy": 0, "mañana": 1, "pasado mañana": 2},
			Months: map[string]int{"enero": 1, "marzo": 3}}}
	l, err := NewLexicon(es)
	if err != nil {
		t.Fatal(err)
	}
	yn := []struct {
		in      string
		yes, ok bool
	}{{"Sí", true, true}, {"¡Claro!", true, true}, {"por supuesto", true, true}, {"no", false, true}, {"no sé", false, false}}
	for _, c := range yn {
		if yes, ok := l.YesNo(c.in, "es"); yes != c.yes || ok != c.ok {
			t.Errorf("YesNo(%q) = %v, %v; want %v, %v", c.in, yes, ok, c.yes, c.ok)
		}
	}
	for in, want := range map[string]int{"dos": 2, "tengo dos hijos": 2, "veinte y dos": 22, "veintiuno": 21, "doscientos": 200} {
		if v, ok := l.Integer(in); !ok || v != want {
			t.Errorf("Integer(%q) = %v, %v; want %v", in, v, ok, want)
		}
	}
	for in, want := range map[string]time.Time{"mañana": day(2026, 3, 16), "Pasado mañana": day(2026, 3, 17),
		"hoy": day(2026, 3, 15), "12 de enero de 2015": day(2015, 1, 12), "12 ene 2015": day(2015, 1, 12)} {
		if d, ok := l.Date(in, now); !ok || !d.Equal(want) {
			t.Errorf("Date(%q) = %v, %v; want %v", in, d, ok, want)
		}
	}
	if _, ok := l.Date("hoy o mañana", now); ok {
		t.Errorf("Date(hoy o mañana) ok")
	}

	bad := []struct {
		words []Words
		want  []string // parts of the error, one *WordError each
	}{
		{[]Words{{Lang: "it", Yes: []string{"sì"}}, {Lang: "xx", No: []string{"Si!"}}},
			[]string{`xx: no: "Si!" is no, but "sì" (it, yes) is yes`}},
		{[]Words{{Lang: "xx", Yes: []string{"ok"}, Unsure: []string{"OK"}}},
			[]string{`xx: unsure: "OK" is unsure, but "ok" (xx, yes) is yes`}},
		{[]Words{{Lang: "xx", Numbers: NumberWords{Words: map[int][]string{2: {"due"}}}}, {Lang: "yy", Numbers: NumberWords{Words: map[int][]string{3: {"due"}}}}},
			[]string{`yy: numbers.words.3: "due" is number 3, but "due" (xx, numbers.words.2) is number 2`}},
		{[]Words{{Lang: "xx", Numbers: NumberWords{Special: map[string][]string{"fr_quatorze": {"quatorze"}}}}},
			[]string{`xx: numbers.special: "fr_quatorze" is not a role the parser knows`}},
		{[]Words{{Lang: "xx", Dates: DateWords{Months: map[string]int{"smarch": 13}}}},
			[]string{`xx: dates.months: "smarch" is month 13: months are 1 to 12`}},
		{[]Words{{Lang: "xx", Yes: []string{"👍"}, No: []string{"!!"}}},
			[]string{`xx: yes: "👍" has no letters`, `xx: no: "!!" has no letters`}},
		{[]Words{{Lang: "xx", Yes: []string{"ok好的"}, Numbers: NumberWords{Words: map[int][]string{21: {"vingt et un"}, 2: {"二"}}}}},
			[]string{`xx: yes: "ok好的" mixes Chinese characters`, `xx: numbers.words.2: "二" is in Chinese characters`, `xx: numbers.words.21: "vingt et un" is more than one word`}},
		{[]Words{{Lang: "xx", Dates: DateWords{Relative: map[string]int{"oggi": 0}}}, {Lang: "yy", Dates: DateWords{Relative: map[string]int{"Oggi": 1}}}},
			[]string{`yy: dates.relative: "Oggi" is 1 days from today, but "oggi" (xx, dates.relative) is 0`}},
		{[]Words{{Lang: "xx", Yes: []string{"a b c d e f g"}, Dates: DateWords{AfterYear: []string{"年"}, AfterDay: []string{"年"}}}},
			[]string{`xx: yes: "a b c d e f g" has 7 words`, `xx: dates.after_day: "年" is in dates.after_day, but "年" (xx, dates.after_year)`}},
	}
	for _, c := range bad {
		l, err := NewLexicon(c.words...)
		if l != nil || err == nil {
			t.Errorf("NewLexicon(%v): no error", c.words)
			continue
		}
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		if len(errs) != len(c.want) {
			t.Errorf("NewLexicon(%v): %d errors, want %d:\n%v", c.words, len(errs), len(c.want), err)
			continue
		}
		for i, e := range errs {
			var we *WordError
			if !errors.As(e, &we) || !strings.Contains(e.Error(), c.want[i]) {
				t.Errorf("error %d = %v, want %s", i, e, c.want[i])
			}
		}
	}

	// The same word with the same meaning in two languages is fine.
	if _, err := NewLexicon(Words{Lang: "it", No: []string{"no"}, Numbers: NumberWords{Words: map[int][]string{3: {"tre"}}}},
		Words{Lang: "en", No: []string{"No."}, Numbers: NumberWords{Words: map[int][]string{3: {"tre"}}}}); err != nil {
		t.Errorf("same word, same meaning: %v", err)
	}
}
