package input

import "strings"

// wkind is the role of a number word in a compound.
type wkind uint8

const (
	wUnit     wkind = iota + 1 // 0..9
	wTeen                      // 10..19
	wTens                      // 20, 30, ... 90; or a compound 21..99 ("ventuno"), which is whole
	wHundred                   // 100 or more: alone
	wArPrefix                  // Arabic "أحد", "اثنا": a number only before "عشر"
	wArTen                     // Arabic "عشر", "عشره": 10, or the "-teen" after a unit
	wAnd                       // "e", "et", "and", "و": joins tens and units
	wQuatre                    // French "quatre": 4, or 80 before "vingt"
	wSoixante                  // French "soixante": 60, and 70..79 with a teen
	wDix                       // French "dix": 10, and 17..19 before "sept".."neuf"
	wVingtFr                   // French "vingt": 20, and 80 after "quatre"
	wVingtsFr                  // French "vingts": only after "quatre"
)

type numWord struct {
	val    int
	kind   wkind
	weak   bool // also an article or a pronoun: counts only when alone
	joined bool // wAnd: Arabic "و", also joined to the next word and before the tens
}

// lookupNumWord returns the number word w (folded), or the number word it
// is after an "and" written joined to it (Arabic "وعشرون", "and twenty").
// and reports the joined "and".
func (l *Lexicon) lookupNumWord(w string) (nw numWord, and bool, ok bool) {
	if nw, ok := l.nums[w]; ok {
		return nw, false, true
	}
	for _, p := range l.andJoined {
		if rest, found := strings.CutPrefix(w, p); found && rest != "" {
			if nw, ok := l.nums[rest]; ok && nw.kind != wAnd {
				return nw, true, true
			}
		}
	}
	return numWord{}, false, false
}

// wordAt returns the number word of toks[j], if it is one.
func (l *Lexicon) wordAt(toks []token, j int) (numWord, bool, bool) {
	if j >= len(toks) || toks[j].kind != tWord || toks[j].han {
		return numWord{}, false, false
	}
	return l.lookupNumWord(toks[j].text)
}

// wordNumber reads the number written in words that starts at toks[i]: one
// word, or a compound ("twenty one", "vingt et un", "ثلاثه عشر"). It returns
// the value, the index of the token after it, whether the number is weak (a
// lone article), and false when toks[i] starts no number.
func (l *Lexicon) wordNumber(toks []token, i int) (val, next int, weak, ok bool) {
	a, _, ok := l.wordAt(toks, i)
	if !ok {
		return 0, 0, false, false
	}
	b, bAnd, bOK := l.wordAt(toks, i+1)
	switch a.kind {
	case wAnd, wVingtsFr:
		return 0, 0, false, false
	case wArPrefix:
		if bOK && b.kind == wArTen && !bAnd {
			return 10 + a.val, i + 2, false, true
		}
		return 0, 0, false, false
	case wQuatre:
		if bOK && (b.kind == wVingtFr || b.kind == wVingtsFr) {
			// quatre-vingt(s) 80, quatre-vingt-un 81, quatre-vingt-dix 90
			c, _, cOK := l.wordAt(toks, i+2)
			if cOK && c.kind == wDix {
				if d, _, dOK := l.wordAt(toks, i+3); dOK && d.kind == wUnit && d.val >= 7 && d.val <= 9 {
					return 90 + d.val, i + 4, false, true // quatre-vingt-dix-sept
				}
			}
			if cOK && c.val >= 1 && c.val <= 19 &&
				(c.kind == wUnit || c.kind == wTeen || c.kind == wDix || c.kind == wQuatre) {
				return 80 + c.val, i + 3, false, true
			}
			return 80, i + 2, false, true
		}
		fallthrough
	case wUnit:
		if !bOK || a.val == 0 {
			return a.val, i + 1, a.weak, true
		}
		if b.kind == wArTen && !bAnd && a.val <= 9 {
			return 10 + a.val, i + 2, false, true // ثلاثه عشر
		}
		// Arabic puts the unit first: "واحد وعشرون" (one and twenty).
		if b.kind == wTens && bAnd {
			return b.val + a.val, i + 2, false, true
		}
		if b.kind == wAnd && b.joined {
			if c, _, cOK := l.wordAt(toks, i+2); cOK && c.kind == wTens {
				return c.val + a.val, i + 3, false, true
			}
		}
		return a.val, i + 1, a.weak, true
	case wDix:
		if bOK && b.kind == wUnit && b.val >= 7 && b.val <= 9 {
			return 10 + b.val, i + 2, false, true // dix-sept
		}
		return a.val, i + 1, false, true
	case wTens, wSoixante, wVingtFr, wArTen:
		if a.kind == wArTen {
			return a.val, i + 1, false, true
		}
		if a.val%10 != 0 { // an Italian compound is complete
			return a.val, i + 1, false, true
		}
		j := i + 1
		c, _, cOK := b, bAnd, bOK
		if cOK && c.kind == wAnd {
			j = i + 2
			c, _, cOK = l.wordAt(toks, j)
		}
		if !cOK {
			return a.val, i + 1, false, true
		}
		if (c.kind == wUnit || c.kind == wQuatre) && c.val >= 1 && c.val <= 9 {
			return a.val + c.val, j + 1, false, true
		}
		if a.kind == wSoixante && (c.kind == wTeen || c.kind == wDix) {
			if c.kind == wDix {
				if d, _, dOK := l.wordAt(toks, j+1); dOK && d.kind == wUnit && d.val >= 7 && d.val <= 9 {
					return 70 + d.val, j + 2, false, true // soixante-dix-sept
				}
			}
			return 60 + c.val, j + 1, false, true
		}
		return a.val, i + 1, false, true
	case wTeen, wHundred:
		return a.val, i + 1, false, true
	}
	return 0, 0, false, false
}
