package input

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Number reads the one number in a typed answer: "12", "12 anni", "I am 12",
// "عمري ١٢", "12岁", "十二", "dodici", "vingt et un", "-3", "12,5", "12.5".
//
// Digits of any script count (Arabic-Indic, Persian, full-width, ...). A comma
// or a point between digits is a decimal separator, except that groups of
// exactly three digits after a separator read as thousands when the grouping
// is unambiguous ("1.234.567", "1,234.5", "1.234,5"); a single separator
// followed by exactly three digits ("1.500", "2,500") is rejected because it
// means 1500 in Italy and 1.5 in England. A minus sign counts when it starts
// the number ("-3", "ho -3"), not between two numbers ("3-5" is a range).
//
// Number words are the Lexicon's, from locales/words (in the six launch
// languages: zero to twenty, the tens and a hundred), with their usual
// compounds ("ventuno", "twenty-one", "vingt et un", "soixante-dix",
// "quatre-vingt-dix", "njëzet e një", "واحد وعشرون", "ثلاثه عشر"); Chinese
// numerals ("二十一") are read like digits and need no words. Indefinite
// articles that also mean one ("un", "une", "uno", "una", "një", "一") and the
// Albanian pronoun "unë" (which folds to French "une") are ignored when the
// answer has a number in digits, so "Unë jam 25 vjeç" is 25 (and "una figlia
// di 5 anni" is 5), but "uno o due" is rejected. Numbers this package cannot
// read ("½", "²", "①") reject the answer. A nil Lexicon reads no words.
//
// The answer is rejected when it has no number, when it has two different
// numbers ("between 3 and 5", "3-5", "12 o 13"), or when a number has more
// than 15 significant digits. The same number written twice ("12, dodici")
// is accepted.
func (l *Lexicon) Number(text string) (float64, bool) {
	l = l.orEmpty()
	s, ok := bound(text)
	if !ok || s == "" {
		return 0, false
	}
	if v, ok := plainNumber(s); ok {
		return v, true
	}
	for _, r := range s {
		if r >= 0x80 && unicode.Is(unicode.No, r) {
			return 0, false // "½", "²", "①": numbers this package cannot read
		}
	}
	var buf [maxTokens]token
	toks, ok := tokenize(s, buf[:0])
	if !ok {
		return 0, false
	}
	foldWords(toks)
	// all holds the numbers written in digits and the number words; weak
	// the lone articles, which count only when no digits are present.
	var all, weak valueSet
	digits := false
	for i := 0; i < len(toks); {
		t := &toks[i]
		if t.kind == tNum {
			if t.han {
				v, ok := parseDigits(t.text)
				if !ok {
					return 0, false
				}
				if t.text == "1" {
					weak.add(1) // "一个": also the article "a"
				} else {
					all.add(float64(v))
				}
				i++
				continue
			}
			v, next, ok := digitGroup(toks, i)
			if !ok {
				return 0, false
			}
			all.add(v)
			digits = true
			i = next
			continue
		}
		v, next, isWeak, ok := l.wordNumber(toks, i)
		if !ok {
			i++
			continue
		}
		if isWeak {
			weak.add(float64(v))
		} else {
			all.add(float64(v))
		}
		i = next
	}
	if !digits && weak.n > 0 {
		all.add(weak.v) // every weak word is 1
	}
	if all.n == 0 {
		return 0, false
	}
	return all.result()
}

// Integer is Number restricted to whole numbers: "12" and "12,0" are 12,
// "12,5" is rejected.
func (l *Lexicon) Integer(text string) (int, bool) {
	v, ok := l.Number(text)
	if !ok || v != math.Trunc(v) || v > float64(math.MaxInt) || v < float64(math.MinInt) {
		return 0, false
	}
	return int(v), true
}

// valueSet remembers whether all the values seen are the same.
type valueSet struct {
	v        float64
	n        int
	conflict bool
}

func (s *valueSet) add(v float64) {
	if v == 0 {
		v = 0 // no negative zero
	}
	if s.n > 0 && s.v != v {
		s.conflict = true
	}
	s.v = v
	s.n++
}

func (s *valueSet) result() (float64, bool) {
	if s.conflict {
		return 0, false
	}
	return s.v, true
}

// plainNumber is the fast path for the common answer made of ASCII digits
// only, perhaps after a minus sign.
func plainNumber(s string) (float64, bool) {
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, ok := parseDigits(s)
	if !ok {
		return 0, false
	}
	if neg && v != 0 {
		return -float64(v), true
	}
	return float64(v), true
}

// numSep reports whether pre, the text between two digit runs, is one
// separator that can join them into one number, and which.
func numSep(pre string) (rune, bool) {
	r, size := utf8.DecodeRuneInString(pre)
	if size == 0 || size != len(pre) {
		return 0, false
	}
	switch r {
	case '.', ',', '٫', '٬': // ARABIC DECIMAL SEPARATOR, ARABIC THOUSANDS SEPARATOR
		return r, true
	}
	return 0, false
}

// maxGroups bounds the digit runs of one number: "999.999.999.999,99".
const maxGroups = 6

// digitGroup reads the number that starts with the digit token toks[i]: its
// sign and the digit runs joined to it by separators. It returns the index of
// the token after the number, and false when the runs do not make a number
// ("12.5.2015", "1.500").
func digitGroup(toks []token, i int) (float64, int, bool) {
	var parts [maxGroups]string
	var seps [maxGroups]rune
	n := 1
	parts[0] = toks[i].text
	j := i + 1
	for ; j < len(toks) && toks[j].kind == tNum && !toks[j].han; j++ {
		sep, ok := numSep(toks[j].pre)
		if !ok {
			break
		}
		if n == maxGroups {
			return 0, 0, false
		}
		seps[n], parts[n] = sep, toks[j].text
		n++
	}
	intPart, frac, ok := splitNumber(parts[:n], seps[:n])
	if !ok {
		return 0, 0, false
	}
	iv, ok := parseDigits(intPart)
	if !ok {
		return 0, 0, false
	}
	fv, ok := parseDigits(frac)
	significant := len(strings.TrimLeft(intPart, "0")) + len(frac)
	if !ok || significant > maxDigits {
		return 0, 0, false
	}
	v := float64(iv)
	if len(frac) > 0 {
		// Both numbers are below 10^15, so exact in a float64, and the one
		// division is correctly rounded like strconv.ParseFloat.
		p := math.Pow10(len(frac))
		v = (float64(iv)*p + float64(fv)) / p
	}
	if negative(toks, i) {
		v = -v
	}
	return v, j, true
}

// splitNumber returns the integer digits and the fraction digits of a number
// written as parts joined by seps (seps[0] unused).
func splitNumber(parts []string, seps []rune) (intPart, frac string, ok bool) {
	n := len(parts)
	if n == 1 {
		return parts[0], "", true
	}
	if n == 2 {
		switch {
		case seps[1] == '٬': // Arabic thousands separator
			if len(parts[1]) != 3 || len(parts[0]) > 3 {
				return "", "", false
			}
			return parts[0] + parts[1], "", true
		case seps[1] == '٫': // Arabic decimal separator
			return parts[0], parts[1], true
		case len(parts[1]) == 3 && len(parts[0]) <= 3 && parts[0][0] != '0':
			return "", "", false // "1.500": 1500 or 1.5?
		}
		return parts[0], parts[1], true
	}
	// Three or more runs: thousands groups, perhaps ending with a fraction
	// after a different separator.
	thousands := seps[1]
	last := n
	if seps[n-1] != thousands {
		last = n - 1
	}
	if len(parts[0]) > 3 || parts[0][0] == '0' || thousands == '٫' {
		return "", "", false
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for k := 1; k < last; k++ {
		if seps[k] != thousands || len(parts[k]) != 3 {
			return "", "", false
		}
		b.WriteString(parts[k])
	}
	if last == n {
		return b.String(), "", true
	}
	if seps[n-1] == '٬' {
		return "", "", false
	}
	return b.String(), parts[n-1], true
}

// negative reports whether the digit token toks[i] has a minus sign: a '-'
// or '−' just before it that starts the answer or follows a space ("-3",
// "ho -3"), not one between two numbers ("3-5").
func negative(toks []token, i int) bool {
	pre := toks[i].pre
	var rest string
	switch {
	case strings.HasSuffix(pre, "-"):
		rest = pre[:len(pre)-1]
	case strings.HasSuffix(pre, "−"): // MINUS SIGN
		rest = pre[:len(pre)-len("−")]
	default:
		return false
	}
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(rest)
	return rest != "" && unicode.IsSpace(r)
}
