package understand

import (
	"strings"

	"teamsbot/nlu"
)

// dangerWords finds the words that say a life is in danger ("mio marito
// vuole uccidermi", "有人要杀我"): a text with one gets the urgent guide
// (the emergency numbers) at once, whatever else the model ranks first.
// The words are content (danger: in locales/examples/<lang>.urgent.yaml),
// written as the concepts are: a word, a prefix ending in * or a part of a
// word between two *; all languages' words are looked for in every text,
// as people mix them. A wrong match costs a tap back; a person in danger
// choosing from a list costs time.
type dangerWords struct {
	exact    map[string]bool
	prefixes []string
	parts    []string
	// phrases are several words in a row ("farla finita", "want to die").
	phrases []string
}

func newDangerWords(files map[string]*languageFile) *dangerWords {
	d := &dangerWords{exact: map[string]bool{}}
	for _, f := range files {
		for _, w := range f.Danger {
			t := nlu.Normalize(strings.Trim(w, "*"))
			switch {
			case strings.Contains(t, " "):
				d.phrases = append(d.phrases, t)
			case strings.HasPrefix(w, "*") && strings.HasSuffix(w, "*"):
				d.parts = append(d.parts, t)
			case strings.HasSuffix(w, "*"):
				d.prefixes = append(d.prefixes, t)
			default:
				d.exact[t] = true
			}
		}
	}
	if len(d.exact)+len(d.prefixes)+len(d.parts)+len(d.phrases) == 0 {
		return nil
	}
	return d
}

// in reports whether text has a danger word.
func (d *dangerWords) in(text string) bool {
	if d == nil {
		return false
	}
	norm := nlu.Normalize(text)
	for _, p := range d.phrases {
		if indexWord(norm, p) >= 0 {
			return true
		}
	}
	for _, w := range nlu.Words(norm) {
		t := w.Text
		if d.exact[t] {
			return true
		}
		for _, p := range d.prefixes {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
		for _, p := range d.parts {
			if strings.Contains(t, p) {
				return true
			}
		}
	}
	return false
}

// urgentIntent is the intent of the urgent guide (the first, by id), or
// nil (content without one).
func (u *Understander) urgentIntent() *intent {
	for _, in := range sortedIntents(u.intents) {
		if in.urgent {
			return in
		}
	}
	return nil
}
