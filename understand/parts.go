package understand

import (
	"slices"
	"strings"
	"unicode"

	"teamsbot/nlu"
)

// Two questions in one message ("devo rinnovare il permesso e anche fare
// la tessera sanitaria"): the model reads the whole text and ranks one of
// them first, often dropping the other from "did you mean". The text is
// cut at the end of each sentence and at the words that join two
// questions (joins: in locales/examples/<lang>.concepts.yaml, "e anche",
// "and also", "还有"); each part long enough to be a question is read
// alone, and its best intent, when likely, is offered beside the whole
// text's.

// minPartWords is the shortest part read alone: three words, or three
// pairs of Chinese characters.
const minPartWords = 3

// minPartP is the least likelihood of a part's best intent for it to be
// offered.
const minPartP = 0.3

// joinWords are the phrases that join two questions, normalised, longest
// first.
type joinWords []string

func newJoinWords(files map[string]*languageFile) joinWords {
	var out joinWords
	seen := map[string]bool{}
	for _, f := range files {
		for _, j := range f.Joins {
			n := nlu.Normalize(j)
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	// Longest first: "e anche" before "anche".
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// parts cuts text into the questions it may hold; one part (or none) when
// it holds one.
func (j joinWords) parts(text string) []string {
	var sentences []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune(".?!;。？！；؟\n", r) {
			sentences = append(sentences, text[start:i])
			start = i + len(string(r))
		}
	}
	sentences = append(sentences, text[start:])
	var out []string
	for _, s := range sentences {
		n := nlu.Normalize(s)
		for _, piece := range j.cut(n) {
			if nlu.Length(nlu.Words(piece)) >= minPartWords {
				out = append(out, piece)
			}
		}
	}
	return out
}

// cut splits a normalised sentence at the join words (on word boundaries;
// inside a Chinese run for Chinese ones).
func (j joinWords) cut(n string) []string {
	for _, w := range j {
		i := indexWord(n, w)
		if i < 0 {
			continue
		}
		return append(j.cut(strings.TrimSpace(n[:i])), j.cut(strings.TrimSpace(n[i+len(w):]))...)
	}
	return []string{n}
}

// indexWord finds w in n as whole words, or anywhere when w is Chinese.
func indexWord(n, w string) int { return indexWordHan(n, w, hasHan(w)) }

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// indexWordHan is indexWord, told whether w is Chinese.
func indexWordHan(n, w string, han bool) int {
	for from := 0; from < len(n); {
		i := strings.Index(n[from:], w)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(w)
		if han || (i == 0 || n[i-1] == ' ') && (end == len(n) || n[end] == ' ') {
			return i
		}
		from = i + 1
	}
	return -1
}

// minSurePartP is the least likelihood of a part's best intent for a text
// the model is sure of as a whole to be offered with it instead: a second
// question must be clearly about something else.
const minSurePartP = 0.6
