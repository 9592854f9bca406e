package input

import (
	"math"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DefaultMaxText is the longest text Text accepts when max is 0.
const DefaultMaxText = 500

// Text cleans a free-text answer (a name, an address, a description) and
// checks its length in characters (runes): it returns the text trimmed, with
// every run of white space (newlines and tabs included) made one space,
// control characters and terminal escape sequences ("\x1b[31m") removed,
// invisible format characters removed except those that writing needs (the
// zero-width joiner and non-joiner of emoji and Persian, the direction marks
// of right-to-left text, emoji tags), invalid UTF-8 dropped, and in Unicode
// normal form C, so that "é" typed in two ways is stored once.
//
// It is rejected when it has fewer than min or more than max characters
// after cleaning; max 0 means DefaultMaxText. Work is bounded: a text of
// more than 8*max+256 bytes is rejected unread.
func Text(text string, min, max int) (string, bool) {
	if max <= 0 {
		max = DefaultMaxText
	}
	if min < 0 {
		min = 0
	}
	if min > max || (max < (math.MaxInt-256)/8 && len(text) > 8*max+256) {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(text))
	space := false // a space is due before the next character
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1: // invalid UTF-8
		case r == 0x1b:
			i = skipEscape(text, i-size)
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r):
		case unicode.Is(unicode.Cf, r) && !keptFormat(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	out := b.String()
	if !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	n := utf8.RuneCountInString(out)
	if n < min || n > max {
		return "", false
	}
	return out, true
}

// keptFormat reports whether the format character r is one that text needs.
func keptFormat(r rune) bool {
	switch {
	case r == '\u200c', r == '\u200d': // ZWNJ (Persian), ZWJ (emoji sequences)
		return true
	case r == '\u200e', r == '\u200f', r == '\u061c': // LRM, RLM, ALM
		return true
	case r >= 0xe0020 && r <= 0xe007f: // emoji tags (subdivision flags)
		return true
	}
	return false
}

// maxEmail is the longest address SMTP can carry (RFC 5321 path limit).
const maxEmail = 254

// Email reads an e-mail address: the bare address, perhaps typed with
// full-width characters ("ｍａｒｉｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"), perhaps
// followed by a full stop. The domain must have a dot and is returned in
// lower case; display names ("Mario <m@example.com>") and anything else
// net/mail does not parse as one address are rejected.
func Email(text string) (string, bool) {
	s, ok := bound(text)
	if !ok {
		return "", false
	}
	s = norm.NFKC.String(s)
	s = strings.TrimRight(s, ".,;!")
	if s == "" || len(s) > maxEmail || strings.ContainsAny(s, " \t\r\n<>") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 {
		return "", false
	}
	local, domain := a.Address[:at], a.Address[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasPrefix(domain, "[") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return local + "@" + strings.ToLower(domain), true
}
