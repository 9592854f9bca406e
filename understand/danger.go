package understand

import (
	"strings"
	"unicode/utf8"

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
	exact map[string]bool
	// prefixes and parts are found by their first letter.
	prefixes map[rune][]string
	parts    map[rune][]string
	// phrases are several words in a row ("farla finita", "want to die"),
	// found by their first word (Chinese ones by their first character,
	// anywhere).
	phrases map[string][]phrase
	han     map[rune][]phrase
}

type phrase struct {
	text string
	han  bool // found anywhere, not on word boundaries
}

func newDangerWords(files map[string]*languageFile) *dangerWords {
	d := &dangerWords{exact: map[string]bool{}, prefixes: map[rune][]string{}, parts: map[rune][]string{},
		phrases: map[string][]phrase{}, han: map[rune][]phrase{}}
	n := 0
	for _, f := range files {
		for _, w := range f.Danger {
			t := nlu.Normalize(strings.Trim(w, "*"))
			if t == "" {
				continue
			}
			n++
			first, _ := utf8.DecodeRuneInString(t)
			switch {
			case strings.Contains(t, " ") && hasHan(t):
				d.han[first] = append(d.han[first], phrase{t, true})
			case strings.Contains(t, " "):
				w0, _, _ := strings.Cut(t, " ")
				d.phrases[w0] = append(d.phrases[w0], phrase{t, false})
			case strings.HasPrefix(w, "*") && strings.HasSuffix(w, "*"):
				d.parts[first] = append(d.parts[first], t)
			case strings.HasSuffix(w, "*"):
				d.prefixes[first] = append(d.prefixes[first], t)
			default:
				d.exact[t] = true
			}
		}
	}
	if n == 0 {
		return nil
	}
	return d
}

// in reports whether a normalised text (nlu.Normalize) has a danger word.
func (d *dangerWords) in(norm string) bool {
	if d == nil {
		return false
	}
	for _, w := range nlu.Words(norm) {
		t := w.Text
		if d.exact[t] {
			return true
		}
		first, _ := utf8.DecodeRuneInString(t)
		for _, p := range d.prefixes[first] {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
		for i, r := range t {
			for _, p := range d.parts[r] {
				if strings.HasPrefix(t[i:], p) {
					return true
				}
			}
			for _, p := range d.han[r] {
				if strings.Contains(norm, p.text) {
					return true
				}
			}
		}
		for _, p := range d.phrases[t] {
			if indexWordHan(norm, p.text, false) >= 0 {
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
