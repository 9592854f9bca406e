// Package fold turns free text into a comparison key: lower case, no
// diacritics, punctuation and runs of spaces folded to one space. It is what
// lets a user answer "sesto fiorentino" for "Sesto Fiorentino", "si" for "sì"
// or "Sì." for an option labelled "Sì".
//
// Traditional Chinese characters fold to their simplified form (護照 is
// 护照), with the character table of OpenCC (longbridgeapp/opencc, built
// once, the first time a Han character is folded).
//
// It imports only golang.org/x/text and that table, so every layer (the
// engine, the knowledge index, the adapters) can share one definition of
// "the same text".
package fold

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// MaxInput bounds the work done on one string: text beyond this many bytes is
// ignored. No answer a user types to a question is longer than this; a
// 10,000-character message is cut, not processed in full for every option.
const MaxInput = 512

// String returns the comparison key of s: NFKD-decomposed, combining marks
// removed, lower-cased, with every run of characters that are neither letters
// nor digits replaced by one space, and trimmed. Letters of every script are
// kept (Arabic, Chinese, Albanian "ë" becomes "e").
func String(s string) string {
	if len(s) > MaxInput {
		// Cut at a rune boundary: back up past a rune split by the cut only.
		i := MaxInput
		for i > MaxInput-utf8.UTFMax && i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	if isFoldedASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space, keepMarks := false, false
	// NFKD maps compatibility forms too: full-width Latin and digits, ligatures.
	var it norm.Iter
	it.InitString(norm.NFKD, s)
	for !it.Done() {
		seg := it.Next()
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			switch {
			case r == 'ـ': // Arabic tatweel
				continue
			case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
				// Accents and Arabic diacritics go; the vowel signs of
				// Bengali, Devanagari and the other Brahmic scripts are
				// part of their letters ("না" is not "ন").
				if keepMarks && !space {
					b.WriteRune(r)
				}
				continue
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				keepMarks = brahmic(r)
				b.WriteRune(simplified(arabicVariant(unicode.ToLower(r))))
			default:
				space = true
			}
		}
	}
	return b.String()
}

// isFoldedASCII reports whether s is already a folded key, the common case for
// short answers like "2" or "si", so String can return it without allocating.
func isFoldedASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			return false
		}
	}
	return true
}

// arabicVariant folds letters that users type interchangeably in Arabic
// script: alif maqsura and Persian yeh to yeh, teh marbuta to heh, Persian
// keheh to kaf. "مدرسة" and "مدرسه" are the same word to a user.
func arabicVariant(r rune) rune {
	switch r {
	case 'ى', 'ی':
		return 'ي'
	case 'ة':
		return 'ه'
	case 'ک':
		return 'ك'
	}
	return r
}

// brahmic reports whether r is a letter of a script that writes its vowels
// as combining marks: the Indic scripts (Devanagari to Sinhala), Thai, Lao,
// Tibetan, Myanmar, Khmer.
func brahmic(r rune) bool {
	return r >= 0x0900 && r <= 0x0DFF || r >= 0x0E00 && r <= 0x109F || r >= 0x1780 && r <= 0x17FF
}

// simplified maps a traditional Chinese character to its simplified form
// (one character to one: the forms that differ in more than one way, or
// by the word they are in, keep their first reading).
func simplified(r rune) rune {
	if r < 0x3400 || r > 0x9FFF {
		return r
	}
	if s, ok := t2s()[r]; ok {
		return s
	}
	return r
}

// t2s is the character table, built from OpenCC's t2s conversion of each
// CJK ideograph (about 3,750 differ; ~20 ms, once).
var t2s = sync.OnceValue(func() map[rune]rune {
	m := map[rune]rune{}
	cc, err := opencc.New("t2s")
	if err != nil {
		return m // the library's own data failed to load: fold as before
	}
	for r := rune(0x3400); r <= 0x9FFF; r++ {
		out, err := cc.Convert(string(r))
		if s, size := utf8.DecodeRuneInString(out); err == nil && size == len(out) && s != r {
			m[r] = s
		}
	}
	return m
})
