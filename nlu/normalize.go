package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// MaxRunes bounds the text the classifier reads: the first MaxRunes
// characters. A question fits; a pasted document costs no more than one.
const MaxRunes = 400

// Normalize returns the text as the classifier reads it: the first MaxRunes
// characters folded (lower case, no accents or Arabic diacritics, tatweel
// removed, Arabic letter variants folded, full-width forms mapped, every
// run of punctuation, symbols, emoji and bidi controls a single space),
// Arabic-Indic and Persian digits as ASCII digits, and letters repeated
// three times or more for emphasis ("pleeease") cut to two.
func Normalize(text string) string {
	text = cut(text, MaxRunes)
	// fold works on bytes up to its own bound; feed it in pieces so a long
	// Chinese or Arabic text is not cut shorter than MaxRunes characters.
	var parts strings.Builder
	for len(text) > 0 {
		n := min(len(text), fold.MaxInput)
		for n < len(text) && n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		// Cut on a space where there is one, so no word is split in two
		// (Chinese has none: its pieces join without one).
		if n < len(text) {
			if i := strings.LastIndexByte(text[:n], ' '); i > 0 {
				n = i
			}
		}
		if f := fold.String(text[:n]); f != "" {
			if parts.Len() > 0 && text[0] == ' ' {
				parts.WriteByte(' ')
			}
			parts.WriteString(f)
		}
		text = text[n:]
	}
	s := parts.String()
	var b strings.Builder
	b.Grow(len(s))
	var last rune
	run := 0
	for _, r := range s {
		r = asciiDigit(r)
		if r == last && unicode.IsLetter(r) {
			run++
			if run >= 2 {
				continue
			}
		} else {
			run = 0
		}
		last = r
		b.WriteRune(r)
	}
	return b.String()
}

// cut returns the first n runes of s.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// asciiDigit maps the digits of other scripts (Arabic-Indic ٣, Persian ۳,
// Devanagari, Bengali, full-width...) to ASCII.
func asciiDigit(r rune) rune {
	if r < 0x80 || !unicode.IsDigit(r) {
		return r
	}
	// Every Unicode decimal digit block is ten consecutive code points
	// starting at a zero.
	for zero := r; zero > r-10; zero-- {
		if !unicode.IsDigit(zero - 1) {
			return '0' + (r - zero)
		}
	}
	return r
}

// script classes of a rune, for splitting words written without spaces
// between scripts ("居留permesso").
const (
	scriptOther = iota
	scriptHan
	scriptLetters // every other script written with spaces between words
)

func scriptOf(r rune) int {
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return scriptHan
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return scriptLetters
	}
	return scriptOther
}

// Word is a run of a normalised text: a word of a spaced script, or a run
// of Han characters.
type Word struct {
	Text string
	Han  bool
}

// Words splits a normalised text into words, and runs of Han characters
// apart from the Latin letters written against them.
func Words(norm string) []Word {
	var out []Word
	for _, f := range strings.Fields(norm) {
		start, cur := 0, -1
		for i, r := range f {
			sc := scriptOf(r)
			if unicode.IsMark(r) && cur != -1 {
				// A vowel sign or virama (Bengali "া", "্") belongs to
				// the letter before it: part of the word, not a break.
				sc = cur
			}
			if cur != -1 && sc != cur {
				out = append(out, Word{Text: f[start:i], Han: cur == scriptHan})
				start = i
			}
			cur = sc
		}
		out = append(out, Word{Text: f[start:], Han: cur == scriptHan})
	}
	return out
}
