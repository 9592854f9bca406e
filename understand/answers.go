package understand

import (
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/nlu"
)

// Answers: what users type at a question instead of pressing a button,
// in the question's own terms ("dove vado?" at "What now? 1. Where do I
// go? ..."). Each option of a flow may name the meaning that chooses it
// (means: where); the examples files teach the words of each meaning
// under answers:. A text is read as a meaning only when every word of it
// (every character, in Chinese) is a word of that meaning's examples in
// some language, one typo per long word aside: "dove devo andare" is
// where, "dove devo andare per il codice fiscale" is a new question.

// Limits of a text read as a meaning: a few words, not a question of its
// own.
const (
	maxAnswerWords = 10
	maxAnswerHan   = 16
)

// answerVocab maps a meaning to the words of its examples, all
// languages together: people mix "dove" into English and "ok" into
// everything.
type answerVocab map[string]*meaningWords

type meaningWords struct {
	set map[string]bool
	// examples are the examples' words, each example apart.
	examples [][]string
	// long lists the words of five letters or more by length in letters,
	// for the words one typo away.
	long map[int][][]rune
}

// answerTokens splits a text as Means reads it: its normalised words, and
// each Han character apart.
func answerTokens(text string) []string {
	var out []string
	for _, w := range nlu.Words(nlu.Normalize(text)) {
		if !w.Han {
			out = append(out, w.Text)
			continue
		}
		for _, r := range w.Text {
			out = append(out, string(r))
		}
	}
	return out
}

func newAnswerVocab(files map[string]*languageFile) answerVocab {
	v := answerVocab{}
	for _, f := range files {
		for _, e := range f.Answers {
			mw := v[e.Intent]
			if mw == nil {
				mw = &meaningWords{set: map[string]bool{}, long: map[int][][]rune{}}
				v[e.Intent] = mw
			}
			toks := answerTokens(e.Text)
			mw.examples = append(mw.examples, toks)
			for _, t := range toks {
				if mw.set[t] {
					continue
				}
				mw.set[t] = true
				if r := []rune(t); len(r) >= minTypoRunes-1 {
					mw.long[len(r)] = append(mw.long[len(r)], r)
				}
			}
		}
	}
	return v
}

// minTypoRunes is the shortest typed word read as a word one typo away:
// "altri" is not "altro".
const minTypoRunes = 6

// match reports how the meaning's examples have the word: 2 as it is, 1 one
// typo away (a typed word of six letters or more), 0 not at all.
func (v answerVocab) match(meaning, word string) int {
	mw := v[meaning]
	if mw == nil {
		return 0
	}
	if mw.set[word] {
		return 2
	}
	if utf8.RuneCountInString(word) < minTypoRunes {
		return 0
	}
	r := []rune(word)
	for d := -1; d <= 1; d++ {
		for _, w := range mw.long[len(r)+d] {
			if nlu.OneEdit(w, r) {
				return 1
			}
		}
	}
	return 0
}

// near reports whether the text has more than half the words of one of the
// meaning's examples: "si" is a word of "si puo spostare?" (move), not an
// answer that means moving.
func (v answerVocab) near(meaning string, toks []string, matched []int) bool {
	mw := v[meaning]
	if mw == nil {
		return false
	}
	have := map[string]bool{}
	for i, t := range toks {
		if matched[i] == 2 {
			have[t] = true
		}
	}
	for _, ex := range mw.examples {
		n := 0
		for _, w := range ex {
			if have[w] {
				n++
			}
		}
		if 2*n > len(ex) {
			return true
		}
	}
	// Words one typo away count as the words they are near.
	for _, ex := range mw.examples {
		n := 0
		for _, w := range ex {
			for i, t := range toks {
				if matched[i] == 2 && t == w || matched[i] == 1 && utf8.RuneCountInString(t) >= minTypoRunes && nlu.OneEdit([]rune(t), []rune(w)) {
					n++
					break
				}
			}
		}
		if 2*n > len(ex) {
			return true
		}
	}
	return false
}

// maxUnknownRunes is the longest word of a text that may be unknown to the
// meaning it is read as ("ma", "eh", "pls"): a longer one is what the text
// is about ("questura", "Firenze"), and makes it a question of its own.
const maxUnknownRunes = 3

// Means reads text as one of meanings (those of the options of the
// question the user sees). Every word must be a word of the meaning, but
// one in four may be unknown to it when it is short ("ma dove devo andare
// adesso"), and the text must have more than half the words of one
// example. When the words fit two meanings equally it reads neither: the
// caller goes on to understand the text as a question.
func (u *Understander) Means(text string, meanings []string) (string, bool) {
	if len(u.answers) == 0 || len(meanings) == 0 {
		return "", false
	}
	toks := answerTokens(text)
	words, han := 0, 0
	for _, t := range toks {
		if utf8.RuneCountInString(t) == 1 && isHan(t) {
			han++
		} else {
			words++
		}
	}
	if len(toks) == 0 || words > maxAnswerWords || han > maxAnswerHan {
		return "", false
	}
	allowed := (len(toks) - 1) / 4
	type fit struct {
		meaning string
		missed  int
		exact   int // words as the examples have them, not one typo away
		own     int // words no other fitting meaning has
	}
	var fits []fit
	var matched [][]int // per fit, per word: match
	for _, m := range meanings {
		if _, ok := u.answers[m]; !ok || slices.ContainsFunc(fits, func(f fit) bool { return f.meaning == m }) {
			continue
		}
		f := fit{meaning: m}
		row := make([]int, len(toks))
		long := false
		for i, t := range toks {
			row[i] = u.answers.match(m, t)
			switch row[i] {
			case 0:
				f.missed++
				long = long || utf8.RuneCountInString(t) > maxUnknownRunes
			case 2:
				f.exact++
			}
		}
		if f.missed <= allowed && !long && u.answers.near(m, toks, row) {
			fits = append(fits, f)
			matched = append(matched, row)
		}
	}
	if len(fits) == 0 {
		return "", false
	}
	for i := range fits {
		for k := range toks {
			if matched[i][k] == 0 {
				continue
			}
			shared := false
			for j := range fits {
				if j != i && matched[j][k] > 0 {
					shared = true
					break
				}
			}
			if !shared {
				fits[i].own++
			}
		}
	}
	better := func(a, b fit) int {
		switch {
		case a.missed != b.missed:
			return a.missed - b.missed
		case a.exact != b.exact:
			return b.exact - a.exact
		}
		return b.own - a.own
	}
	slices.SortStableFunc(fits, better)
	if len(fits) > 1 && better(fits[0], fits[1]) == 0 {
		return "", false
	}
	return fits[0].meaning, true
}

func isHan(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r >= 0x3400 && r <= 0x9fff
}

// lintAnswers checks the answers examples against the flows: every
// meaning an option names is taught, in every language (a language
// without it reads only the others' words), and none is taught that no
// option names.
func lintAnswers(files map[string]*languageFile, prog *flow.Program, langs []string) flow.Issues {
	if prog == nil {
		return nil
	}
	type at struct {
		file string
		line int
		step string
	}
	used := map[string]at{} // meaning → the step that first names it
	for _, m := range bot.Ordinals {
		used[m] = at{"flows", 0, "(any list)"}
	}
	for _, f := range prog.Flows() {
		for _, n := range f.Nodes() {
			for _, o := range n.Options {
				if _, ok := used[o.Means]; o.Means != "" && !ok {
					used[o.Means] = at{"flows/" + f.File, n.Line, f.ID + "." + n.ID}
				}
			}
			for m := range n.Replies {
				if _, ok := used[m]; !ok {
					used[m] = at{"flows/" + f.File, n.Line, f.ID + "." + n.ID}
				}
			}
		}
	}
	var issues flow.Issues
	taught := map[string]bool{}
	for _, lang := range langs {
		f := files[lang]
		if f == nil {
			continue
		}
		have := map[string]bool{}
		seen := map[string]Example{}
		for _, e := range f.Answers {
			have[e.Intent], taught[e.Intent] = true, true
			if _, ok := used[e.Intent]; !ok {
				issues = append(issues, flow.Issue{File: e.File, Line: e.Line, Severity: flow.Warning, Code: "unused-meaning",
					Msg: fmt.Sprintf("answers: no option of the flows means %q (add means: %s to one, or remove these examples)", e.Intent, e.Intent)})
				continue
			}
			key := normText(e.Text)
			if prev, ok := seen[key]; ok && prev.Intent != e.Intent {
				issues = append(issues, flow.Issue{File: e.File, Line: e.Line, Severity: flow.Error, Code: "example-twice",
					Msg: fmt.Sprintf("answers: %q is an example of %s and of %s (line %d): keep it under one", short(e.Text), e.Intent, prev.Intent, prev.Line)})
			}
			seen[key] = e
		}
		for m := range used {
			if !have[m] && len(f.Examples) > 0 {
				issues = append(issues, flow.Issue{File: ExamplesDir + "/" + lang + ".answers.yaml", Severity: flow.Warning, Code: "untaught-meaning",
					Msg: fmt.Sprintf("answers: no examples of %q in %s: typed answers in %s are read only with the other languages' words", m, lang, lang)})
			}
		}
	}
	for m, a := range used {
		if !taught[m] {
			issues = append(issues, flow.Issue{File: a.file, Line: a.line, Severity: flow.Error, Code: "unknown-meaning",
				Msg: fmt.Sprintf("step %s: means: %q has no examples in any language (write them under answers: in locales/examples/<lang>.answers.yaml)", a.step, m)})
		}
	}
	sort.SliceStable(issues, func(i, j int) bool {
		a, b := issues[i], issues[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Msg < b.Msg
	})
	return issues
}
