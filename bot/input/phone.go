package input

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxE164 is the most digits an E.164 number has, country code included.
const maxE164 = 15

// Phone reads a telephone number and returns it in E.164 form ("+39...").
//
// International numbers start with "+" or "00": "+39 333 123 4567", "0039
// 3331234567", "(+212) 6 12 34 56 78". Numbers without a prefix are Italian:
// a mobile starts with 3 and has 9 or 10 digits ("333 1234567" is
// +393331234567), a landline starts with 0, which is kept, and has 6 to 11
// digits ("055 123456" is +39055123456); an Italian
// number with the country code but no "+" ("39 333 1234567") is read too.
//
// The trunk prefix printed as "(0)" after a country code is dropped ("+44
// (0)20 7946 0000" is +442079460000), except after +39: Italian numbers
// keep their 0.
//
// Digits of any script count (Arabic-Indic, Persian, full-width). Between
// digits, spaces, dots, dashes, slashes and parentheses are allowed, and
// invisible direction marks (which Arabic keyboards insert) are ignored.
// Anything else (letters, a second "+", emoji) rejects the number, as do
// fewer than 7 or more than 15 digits in the result, a country code
// starting with 0, and a number that no numbering plan has (checked with
// github.com/nyaruka/phonenumbers, Google's libphonenumber metadata). The
// result always matches ^\+[1-9][0-9]{6,14}$.
func Phone(text string) (string, bool) {
	s, ok := bound(text)
	if !ok || s == "" {
		return "", false
	}
	var digits [maxE164 + 4]byte
	n := 0
	plus := false
	trunk := -1 // digits before a "(0)", the trunk prefix some countries print
	if k := strings.Index(s, "(0)"); k > 0 {
		trunk = k
	}
	for i, r := range s {
		if i == trunk+1 && dropTrunk(digits[:n], plus) {
			continue // the 0 of "+44 (0)20 ...": not dialled from abroad
		}
		if d := digitValue(r); d >= 0 {
			if n == len(digits) {
				return "", false
			}
			digits[n] = byte('0' + d)
			n++
			continue
		}
		switch r {
		case '+', '＋':
			if plus || n > 0 {
				return "", false
			}
			plus = true
		case ' ', '\t', '\u00a0', '\u202f', '.', '-', '/', '(', ')', '[', ']',
			'‐', '‑', '‒', '–', '—', '−', '．', '－', '（', '）', '／',
			'\u200e', '\u200f', '\u061c', '\u200b', '\u2066', '\u2067', '\u2068', '\u2069',
			'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\ufeff':
		default:
			return "", false
		}
	}
	d := string(digits[:n])
	var e string
	switch {
	case plus:
		e = d
	case len(d) > 2 && d[:2] == "00":
		e = d[2:]
	case d != "" && d[0] == '3' && (n == 9 || n == 10):
		e = "39" + d
	case d != "" && d[0] == '0' && n >= 6 && n <= 11:
		e = "39" + d
	case len(d) > 2 && d[:2] == "39" && d[2] == '3' && (n == 11 || n == 12):
		e = d
	default:
		return "", false
	}
	if len(e) < 7 || len(e) > maxE164 || e[0] == '0' {
		return "", false
	}
	// The library that knows every country's numbering plan decides
	// whether such a number exists ("+39 333 12" and "+999 1234567" do not).
	num, err := phonenumbers.Parse("+"+e, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return "+" + e, true
}

// dropTrunk reports whether a "(0)" after the digits cc is a trunk prefix to
// drop: cc is a country code ("+44", "0044"), and not Italy's.
func dropTrunk(cc []byte, plus bool) bool {
	if !plus {
		if len(cc) < 3 || cc[0] != '0' || cc[1] != '0' {
			return false
		}
		cc = cc[2:]
	}
	return len(cc) > 0 && string(cc) != "39"
}
