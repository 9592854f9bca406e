package understand

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"teamsbot/bot/flow"
	"teamsbot/nlu"
)

// Minimum examples per intent and language. Below them lint warns: the
// bot understands that intent worse in that language.
const (
	MinExamples     = 20 // the main intents (see mainIntent)
	MinExamplesRest = 10
)

// mainIntent reports whether an intent needs MinExamples in every
// language: the guides, kinds, the menu's own flows and the privacy
// commands; the rest (back, restart, greetings) need fewer.
func mainIntent(id string) bool {
	switch {
	case strings.HasPrefix(id, "guides."), strings.HasPrefix(id, "kinds."):
		return true
	}
	return slices.Contains([]string{"flows.booking", "flows.my_bookings", "flows.activities", "flows.my_activities", "flows.school",
		"commands.operator", "commands.privacy", "commands.forget"}, id)
}

// lintExamples checks the examples files: every intent exists, no sentence
// is claimed by two intents, and every language teaches enough examples of
// each intent that any language teaches.
func lintExamples(files map[string]*languageFile, intents map[string]*intent, langs []string) flow.Issues {
	var issues flow.Issues
	taught := map[string]bool{} // intents with examples in some language
	for _, lang := range langs {
		f := files[lang]
		if f == nil {
			continue
		}
		first := map[string]Example{}
		for _, e := range f.Examples {
			if _, ok := intents[e.Intent]; !ok {
				issues = append(issues, flow.Issue{File: e.File, Line: e.Line, Severity: flow.Error, Code: "unknown-intent",
					Msg: fmt.Sprintf("%s is not an intent of the content (a guide, kind, flow or command that does not exist?)", e.Intent)})
				continue
			}
			taught[e.Intent] = true
			key := normText(e.Text)
			if prev, ok := first[key]; ok {
				if prev.Intent != e.Intent {
					issues = append(issues, flow.Issue{File: e.File, Line: e.Line, Severity: flow.Error, Code: "example-twice",
						Msg: fmt.Sprintf("%q is an example of %s and of %s (line %d): keep it under one", short(e.Text), e.Intent, prev.Intent, prev.Line)})
				} else {
					issues = append(issues, flow.Issue{File: e.File, Line: e.Line, Severity: flow.Warning, Code: "example-twice",
						Msg: fmt.Sprintf("%q repeats line %d", short(e.Text), prev.Line)})
				}
				continue
			}
			first[key] = e
		}
	}
	for _, lang := range langs {
		f := files[lang]
		name := ExamplesDir + "/" + lang + ".yaml"
		if f == nil {
			issues = append(issues, flow.Issue{File: name, Severity: flow.Warning, Code: "few-examples",
				Msg: fmt.Sprintf("no examples in %s: the bot understands only words of the content's titles in this language", lang)})
			continue
		}
		count := map[string]int{}
		for _, e := range f.Examples {
			count[e.Intent]++
		}
		for _, in := range sortedIntents(intents) {
			need := MinExamplesRest
			if mainIntent(in.id) {
				need = MinExamples
			}
			if !taught[in.id] || count[in.id] >= need {
				continue
			}
			issues = append(issues, flow.Issue{File: name, Severity: flow.Warning, Code: "few-examples",
				Msg: fmt.Sprintf("%s has %d examples in %s; write at least %d", in.id, count[in.id], lang, need)})
		}
	}
	return issues
}

// LintEval checks held-out questions against the examples and intents: an
// unknown intent is an error, and so is a question that is also an example
// (the figure would measure memory, not understanding).
func LintEval(qs []Question, examples []Example, known func(string) bool) flow.Issues {
	var issues flow.Issues
	ex := map[string]Example{}
	for _, e := range examples {
		ex[normText(e.Text)] = e
	}
	for _, q := range qs {
		for _, id := range append([]string{q.Intent}, q.Also...) {
			if !known(id) {
				issues = append(issues, flow.Issue{File: q.File, Line: q.Line, Severity: flow.Error, Code: "unknown-intent",
					Msg: fmt.Sprintf("%s is not an intent of the content", id)})
			}
		}
		if e, ok := ex[normText(q.Text)]; ok {
			issues = append(issues, flow.Issue{File: q.File, Line: q.Line, Severity: flow.Error, Code: "eval-in-examples",
				Msg: fmt.Sprintf("%q is also an example (%s:%d): a held-out question must not be taught", short(q.Text), e.File, e.Line)})
		}
	}
	// A part of a held-out question copied as an example (a real question
	// cut to its first sentence, say) teaches it all the same: no run of
	// shingleWords words (shingleHan characters in Chinese) may be shared.
	held := map[string]Question{}
	for _, q := range qs {
		for _, sh := range shingles(q.Text) {
			held[sh] = q
		}
	}
	reported := map[string]bool{}
	for _, e := range examples {
		for _, sh := range shingles(e.Text) {
			q, ok := held[sh]
			key := q.File + fmt.Sprint(q.Line)
			if !ok || reported[key] || normText(q.Text) == normText(e.Text) {
				continue
			}
			reported[key] = true
			issues = append(issues, flow.Issue{File: q.File, Line: q.Line, Severity: flow.Error, Code: "eval-in-examples",
				Msg: fmt.Sprintf("%q shares %q with an example (%s:%d): a held-out question must not be taught, not even in part", short(q.Text), sh, e.File, e.Line)})
			break
		}
	}
	return issues
}

// Sizes of the runs that a held-out question and an example may not share.
const (
	shingleWords = 8
	shingleHan   = 14
)

// shingles are the runs of shingleWords consecutive words of a text (of
// shingleHan characters for Chinese), normalised; a text shorter than that
// but of at least six words (ten characters) is one run.
func shingles(text string) []string {
	var toks []string
	han := 0
	for _, w := range nlu.Words(normText(text)) {
		if w.Han {
			for _, r := range w.Text {
				toks = append(toks, string(r))
				han++
			}
			continue
		}
		toks = append(toks, w.Text)
	}
	k, least := shingleWords, 6
	if han*2 > len(toks) {
		k, least = shingleHan, 10
	}
	if len(toks) < least {
		return nil
	}
	sep := " "
	if han*2 > len(toks) {
		sep = ""
	}
	if len(toks) < k {
		return []string{strings.Join(toks, sep)}
	}
	out := make([]string, 0, len(toks)-k+1)
	for i := 0; i+k <= len(toks); i++ {
		out = append(out, strings.Join(toks[i:i+k], sep))
	}
	return out
}

// Known reports whether id is an intent of the content.
func (u *Understander) Known(id string) bool { _, ok := u.intents[id]; return ok }

// normCache keeps the normalised form of the texts lint reads: every load
// of the content reads the same examples again (a test process loads it
// dozens of times), and normalising them all is most of a load's work.
var (
	normCache   sync.Map // text → nlu.Normalize(text)
	normEntries atomic.Int64
)

// maxNormCache bounds normCache: past it, texts are normalised each time.
const maxNormCache = 400_000

func normText(text string) string {
	if v, ok := normCache.Load(text); ok {
		return v.(string)
	}
	n := nlu.Normalize(text)
	if normEntries.Add(1) <= maxNormCache {
		normCache.Store(text, n)
	}
	return n
}
