package input

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// bound trims the white space around s and reports whether what is left is
// short enough to be an answer to a typed question (fold.MaxInput bytes). A
// longer text is rejected, not cut: the prefix of a long message is not what
// the user answered. The first check keeps TrimSpace itself cheap.
func bound(s string) (string, bool) {
	if len(s) > 4*fold.MaxInput {
		return "", false
	}
	s = strings.TrimSpace(s)
	if len(s) > fold.MaxInput {
		return "", false
	}
	return s, true
}

// digitValue returns the value of a decimal digit of any script (ASCII,
// Arabic-Indic, Extended Arabic-Indic as used in Persian and Urdu,
// full-width, Devanagari, ...), or -1.
//
// Unicode encodes every script's decimal digits (category Nd) as a complete,
// contiguous run 0..9, so in the range table of Nd every range is a
// concatenation of such runs starting at a zero, and the value is the offset
// from the start of the range modulo 10 (a test checks the table).
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x0660 { // the first non-ASCII decimal digit, ARABIC-INDIC DIGIT ZERO
		return -1
	}
	if r <= 0xFFFF {
		t := unicode.Nd.R16
		lo, hi := 0, len(t)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			switch {
			case uint16(r) < t[m].Lo:
				hi = m
			case uint16(r) > t[m].Hi:
				lo = m + 1
			default:
				return int(uint16(r)-t[m].Lo) % 10
			}
		}
		return -1
	}
	t := unicode.Nd.R32
	lo, hi := 0, len(t)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case uint32(r) < t[m].Lo:
			hi = m
		case uint32(r) > t[m].Hi:
			lo = m + 1
		default:
			return int(uint32(r)-t[m].Lo) % 10
		}
	}
	return -1
}

// hanDigit returns the value of a Chinese numeral digit, or -1.
func hanDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一':
		return 1
	case '二', '两', '兩':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// hanUnit returns the multiplier of a Chinese numeral unit, or 0.
func hanUnit(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	case '万', '萬':
		return 10000
	}
	return 0
}

func isHanNumeral(r rune) bool { return hanDigit(r) >= 0 || hanUnit(r) > 0 }

// maxDigits bounds the numbers this package reads: 15 significant decimal
// digits are exact in a float64, and no typed answer needs more.
const maxDigits = 15

// hanValue reads a run of Chinese numerals: positional ("十二" 12, "二十一"
// 21, "一百零五" 105, "两万" 20000) or digit by digit ("二〇一五" 2015).
func hanValue(s string) (uint64, bool) {
	if utf8.RuneCountInString(s) > maxDigits {
		return 0, false
	}
	positional := false
	for _, r := range s {
		if hanUnit(r) > 0 {
			positional = true
			break
		}
	}
	if !positional {
		var v uint64
		for _, r := range s {
			v = v*10 + uint64(hanDigit(r))
		}
		return v, true
	}
	var total, section, num uint64
	for _, r := range s {
		if d := hanDigit(r); d >= 0 {
			num = uint64(d)
			continue
		}
		u := uint64(hanUnit(r))
		if u == 10000 {
			section += num
			if section == 0 {
				section = 1
			}
			total = (total + section) * 10000
			section, num = 0, 0
			continue
		}
		if num == 0 {
			num = 1 // "十二": a leading unit counts once
		}
		section += num * u
		num = 0
	}
	return total + section + num, true
}

type tokKind uint8

const (
	tNum  tokKind = iota + 1 // a run of digits, or of Chinese numerals
	tWord                    // a run of letters (and their combining marks)
)

// A token is one number or word of an answer. Everything else (spaces,
// punctuation, symbols, emoji, control characters) only separates tokens and
// is kept as the raw text before each token.
type token struct {
	kind tokKind
	han  bool   // made of Chinese characters
	text string // tNum: ASCII decimal digits; tWord: the word, folded by foldWords
	pre  string // the raw text between the previous token (or the start) and this one
}

// maxTokens bounds the tokens of one answer. fold.MaxInput bytes can hold at
// most about 256 tokens; an answer with more than this is not a number, a
// date or a yes.
const maxTokens = 48

type runeClass uint8

const (
	cSep runeClass = iota
	cDigit
	cHanNum
	cHan
	cLetter
	cMark
)

func classify(r rune) runeClass {
	switch {
	case r < 0x80:
		switch {
		case r >= '0' && r <= '9':
			return cDigit
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return cLetter
		}
		return cSep
	case digitValue(r) >= 0:
		return cDigit
	case isHanNumeral(r):
		return cHanNum
	case unicode.Is(unicode.Han, r):
		return cHan
	case unicode.IsLetter(r):
		return cLetter
	case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
		return cMark
	}
	return cSep
}

// tokenize splits s (already bounded) into tokens, appending to toks. It
// reports false when s has more than maxTokens tokens.
func tokenize(s string, toks []token) ([]token, bool) {
	prevEnd := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b {
			i = skipEscape(s, i)
			continue
		}
		c := classify(r)
		if c == cSep || c == cMark {
			i += size
			continue
		}
		if len(toks) == maxTokens {
			return toks, false
		}
		j := i + size
		for j < len(s) {
			r2, size2 := utf8.DecodeRuneInString(s[j:])
			c2 := classify(r2)
			if c2 != c && !(c == cLetter && c2 == cMark) {
				break
			}
			j += size2
		}
		t := token{pre: s[prevEnd:i], text: s[i:j]}
		switch c {
		case cDigit:
			t.kind = tNum
			t.text = asciiDigits(t.text)
		case cHanNum:
			if v, ok := hanValue(t.text); ok {
				t.kind, t.han = tNum, true
				t.text = strconv.FormatUint(v, 10)
			} else {
				t.kind, t.han = tWord, true
			}
		case cHan:
			t.kind, t.han = tWord, true
		default:
			t.kind = tWord
		}
		toks = append(toks, t)
		prevEnd, i = j, j
	}
	return toks, true
}

// skipEscape returns the index after the terminal escape sequence at s[i]
// ("\x1b[31m"): ESC, and for a CSI sequence "[", its parameter and
// intermediate bytes and its final byte.
func skipEscape(s string, i int) int {
	i++ // ESC
	if i < len(s) && s[i] == '[' {
		i++
		for i < len(s) && s[i] >= 0x20 && s[i] < 0x40 {
			i++
		}
		if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
			i++
		}
	}
	return i
}

// asciiDigits returns the run of digits s in ASCII; it allocates only when s
// has digits of another script.
func asciiDigits(s string) string {
	if isASCII(s) {
		return s
	}
	b := make([]byte, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		b = append(b, byte('0'+digitValue(r)))
	}
	return string(b)
}

// foldWords replaces the text of every word token with its fold.String key.
// A word of ASCII letters only folds to its lower case, which is cheaper.
func foldWords(toks []token) {
	for i := range toks {
		if toks[i].kind != tWord {
			continue
		}
		if w := toks[i].text; isASCII(w) {
			toks[i].text = strings.ToLower(w)
		} else {
			toks[i].text = fold.String(w)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// parseDigits returns the value of a run of ASCII digits of at most
// maxDigits significant digits.
func parseDigits(s string) (uint64, bool) {
	s = strings.TrimLeft(s, "0")
	if len(s) > maxDigits {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v, true
}
