package nlu

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMasked bounds a masked text: what a content team needs to see of a
// question that was not understood fits in it.
const MaxMasked = 200

var (
	emailRE = regexp.MustCompile(`[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+`)
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)
	// A run of digits with the separators people put inside phone numbers,
	// IBANs and document numbers.
	digitsRE = regexp.MustCompile(`\+?[\p{Nd}][\p{Nd}\s\-./()]*[\p{Nd}]`)
	// A token mixing letters and digits, eight characters or more: a tax
	// code, a permit or passport number, a booking code.
	codeRE = regexp.MustCompile(`\b[\p{L}\p{Nd}]*\p{Nd}[\p{L}\p{Nd}]*\b`)
)

// Mask removes what could identify a person from a text kept for content
// teams: e-mail addresses and links become <email> and <link>, every digit
// of a number with five digits or more becomes #, a code mixing letters
// and digits (a tax code, a document number) becomes <code>; control and
// bidi characters go, runs of spaces become one, and the text is cut to
// MaxMasked characters. Short numbers stay: "10 anni", "2 figli" say what
// the question was about.
func Mask(text string) string {
	text = cut(text, 4*MaxMasked)
	text = emailRE.ReplaceAllString(text, "<email>")
	text = urlRE.ReplaceAllString(text, "<link>")
	text = codeRE.ReplaceAllStringFunc(text, func(s string) string {
		if utf8.RuneCountInString(s) >= 8 && strings.IndexFunc(s, unicode.IsLetter) >= 0 {
			return "<code>"
		}
		return s
	})
	text = digitsRE.ReplaceAllStringFunc(text, func(s string) string {
		n := 0
		for _, r := range s {
			if unicode.IsDigit(r) {
				n++
			}
		}
		if n < 5 {
			return s
		}
		return strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return '#'
			}
			return r
		}, s)
	})
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, text)
	text = strings.Join(strings.Fields(text), " ")
	return cut(text, MaxMasked)
}
