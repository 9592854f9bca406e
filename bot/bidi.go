package bot

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// Unicode directional isolates (UAX #9): what is between FSI and PDI is laid
// out on its own, in its own direction, and does not move what is around
// it. Every client of Telegram and WhatsApp renders them.
const (
	fsi = '\u2068' // first strong isolate
	lri = '\u2066'
	rli = '\u2067'
	pdi = '\u2069'
)

// rtlName reports whether a language's name in itself starts with a
// right-to-left letter ("العربية", "اردو", "دری"): the direction of a
// language is read from its own file, not from a list in Go.
func rtlName(name string) bool {
	for _, r := range name {
		switch class(r) {
		case bidi.R, bidi.AL:
			return true
		case bidi.L:
			return false
		}
	}
	return false
}

func class(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// ltrish reports whether r is a character that reads left to right inside
// right-to-left text: Latin (or any L) letters and digits.
func ltrish(c bidi.Class) bool {
	return c == bidi.L || c == bidi.EN || c == bidi.AN
}

// IsolateLTR returns a right-to-left text with every left-to-right run in
// it isolated: numbers, phone numbers, codes, dates, URLs, Italian terms and
// names keep their order ("800 860 070" is not shown "070 860 800", "+39 …"
// not "… 39+"), and a line that starts with a Latin term keeps the
// direction of the language (the paragraph's direction comes from its first
// strong character outside isolates). A run already isolated is left alone,
// so the function can be applied twice.
func IsolateLTR(s string) string {
	if !needsIsolation(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == fsi || r == lri || r == rli:
			// Copy an existing isolate through its PDI.
			end := matchingPDI(s)
			b.WriteString(s[:end])
			s = s[end:]
			continue
		case !ltrish(class(r)) && !(r == '+' || r == '-') || r == '\n':
			b.WriteString(s[:size]) // the bytes as they are, valid or not
			s = s[size:]
			continue
		}
		// A run starts here (a '+' or '-' only before a digit): it goes on
		// over LTR characters and the neutrals between them, up to the last
		// LTR character before a right-to-left letter, a line break or an
		// isolate.
		if (r == '+' || r == '-') && !startsDigit(s[size:]) {
			b.WriteString(s[:size])
			s = s[size:]
			continue
		}
		end, i := size, size
		for i < len(s) {
			c, n := utf8.DecodeRuneInString(s[i:])
			k := class(c)
			if k == bidi.R || k == bidi.AL || c == '\n' || c == fsi || c == lri || c == rli || c == pdi {
				break
			}
			i += n
			if ltrish(k) {
				end = i
			}
		}
		// A closing bracket that belongs to the run stays inside it.
		if end < len(s) && (s[end] == ')' || s[end] == ']') && strings.ContainsAny(s[:end], "([") {
			end++
		}
		b.WriteRune(fsi)
		b.WriteString(s[:end])
		b.WriteRune(pdi)
		s = s[end:]
	}
	return b.String()
}

// needsIsolation reports whether s has a left-to-right character outside
// isolates (cheap test, for texts that have none).
func needsIsolation(s string) bool {
	depth := 0
	for _, r := range s {
		switch {
		case r == fsi || r == lri || r == rli:
			depth++
		case r == pdi && depth > 0:
			depth--
		case depth == 0 && r < utf8.RuneSelf:
			if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return true
			}
		case depth == 0 && ltrish(class(r)):
			return true
		}
	}
	return false
}

// matchingPDI returns the index just after the PDI closing the isolate s
// starts with, or len(s) when it is never closed.
func matchingPDI(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case fsi, lri, rli:
			depth++
		case pdi:
			depth--
			if depth == 0 {
				return i + utf8.RuneLen(r)
			}
		}
	}
	return len(s)
}

func startsDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return class(r) == bidi.EN || class(r) == bidi.AN
}

// isolateReplies isolates the left-to-right runs of every reply written in
// a right-to-left language: its text, its buttons and its prompts. It is
// the one place where direction is handled, for every reply of every
// channel (turns, reminders); an operator's answer is left as written.
func (e *Engine) isolateReplies(replies []Reply) {
	for i := range replies {
		r := &replies[i]
		// An operator's words reach the user as the operator wrote them.
		if !e.rtl[r.Lang] || r.FromOperator != "" {
			continue
		}
		r.Text = IsolateLTR(r.Text)
		r.ChooseLabel = IsolateLTR(r.ChooseLabel)
		r.LocationLabel = IsolateLTR(r.LocationLabel)
		for k := range r.Options {
			r.Options[k].Label = IsolateLTR(r.Options[k].Label)
		}
	}
}

// RTL reports whether lang is written right to left (its name in itself
// starts with a right-to-left letter).
func (e *Engine) RTL(lang string) bool { return e.rtl[lang] }

// RTLLanguage reports whether a language is written right to left (its
// name in itself starts with a right-to-left letter).
func RTLLanguage(l Language) bool { return rtlName(l.Name) }
