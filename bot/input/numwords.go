package input

import "strings"

// wkind is the role of a number word in a compound.
type wkind uint8

const (
	wUnit     wkind = iota + 1 // 0..9
	wTeen                      // 10..19
	wTens                      // 20, 30, ... 90
	wHundred                   // 100
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
	val  int
	kind wkind
	weak bool // also an article or a pronoun: counts only when alone
}

// numWords maps folded number words (fold.String keys: no accents, no
// hamza on alef) to their value. It is built once and never written after.
var numWords = buildNumWords()

func buildNumWords() map[string]numWord {
	m := make(map[string]numWord, 400)
	add := func(k wkind, val int, words ...string) {
		for _, w := range words {
			m[w] = numWord{val: val, kind: k}
		}
	}
	units := func(words ...[]string) {
		for v, ws := range words {
			add(wUnit, v, ws...)
		}
	}
	teens := func(words ...[]string) {
		for v, ws := range words {
			add(wTeen, 10+v, ws...)
		}
	}
	tens := func(words ...[]string) {
		for v, ws := range words {
			add(wTens, 20+10*v, ws...)
		}
	}
	l := func(w ...string) []string { return w }

	// Italian, English, French, Albanian: 0..9.
	units(
		l("zero", "nessuno", "nessuna", "none", "zero", "aucun", "aucune", "asnje"),
		l("one"),
		l("due", "two", "deux", "dy"),
		l("tre", "three", "trois"),
		l("quattro", "four", "kater"),
		l("cinque", "five", "cinq", "pese", "pes"),
		l("sei", "six", "gjashte", "gjasht"),
		l("sette", "seven", "sept", "shtate", "shtat"),
		l("otto", "eight", "huit", "tete", "tet"),
		l("nove", "nine", "neuf", "nente", "nent"),
	)
	for _, w := range []string{"un", "une", "uno", "una", "nje"} {
		m[w] = numWord{val: 1, kind: wUnit, weak: true}
	}
	teens(
		l("dieci", "ten", "dhjete", "dhjet"),
		l("undici", "eleven", "onze", "njembedhjete"),
		l("dodici", "twelve", "douze", "dymbedhjete"),
		l("tredici", "thirteen", "treize", "trembedhjete"),
		l("quattordici", "fourteen", "quatorze", "katermbedhjete"),
		l("quindici", "fifteen", "quinze", "pesembedhjete"),
		l("sedici", "sixteen", "seize", "gjashtembedhjete"),
		l("diciassette", "seventeen", "shtatembedhjete"),
		l("diciotto", "eighteen", "tetembedhjete"),
		l("diciannove", "nineteen", "nentembedhjete"),
	)
	tens(
		l("venti", "twenty", "njezet", "njezete"),
		l("trenta", "thirty", "trente", "tridhjete"),
		l("quaranta", "forty", "fourty", "quarante", "dyzet", "dyzete"),
		l("cinquanta", "fifty", "cinquante", "pesedhjete"),
		l("sessanta", "sixty", "gjashtedhjete"),
		l("settanta", "seventy", "septante", "shtatedhjete"),
		l("ottanta", "eighty", "huitante", "octante", "tetedhjete"),
		l("novanta", "ninety", "nonante", "nentedhjete"),
	)
	add(wHundred, 100, "cento", "hundred", "cent", "njeqind", "qind")
	add(wAnd, 0, "e", "et", "and", "و")
	m["quatre"] = numWord{val: 4, kind: wQuatre}
	m["soixante"] = numWord{val: 60, kind: wSoixante}
	m["dix"] = numWord{val: 10, kind: wDix}
	m["vingt"] = numWord{val: 20, kind: wVingtFr}
	m["vingts"] = numWord{val: 80, kind: wVingtsFr}

	// Arabic, standard and common spoken forms, folded: "أ", "إ", "آ"
	// become "ا"; both "ه" and "ه" endings are listed.
	units(
		l("صفر"),
		l("واحد", "واحده", "واحده"),
		l("اثنان", "اثنين", "اثنتان", "اثنتين", "اتنين", "جوج"),
		l("ثلاثه", "ثلاثه", "ثلاث", "تلاته", "تلاته", "تلات"),
		l("اربعه", "اربعه", "اربع"),
		l("خمسه", "خمسه", "خمس"),
		l("سته", "سته", "ست"),
		l("سبعه", "سبعه", "سبع"),
		l("ثمانيه", "ثمانيه", "ثماني", "ثمان", "تمانيه", "تمانيه", "تمنيه", "تمنيه"),
		l("تسعه", "تسعه", "تسع"),
	)
	add(wArTen, 10, "عشره", "عشره", "عشر")
	add(wArPrefix, 1, "احد", "احدي")
	add(wArPrefix, 2, "اثنا", "اثني", "اثنتا", "اثنتي")
	teens(
		nil,
		l("حداشر", "احداشر", "حدعش", "احدعش"),
		l("اطناشر", "اتناشر", "طنعش", "اطنعش"),
		l("تلتاشر", "تلطاشر", "تلتعش"),
		l("اربعتاشر", "اربعطاشر", "اربعتعش"),
		l("خمستاشر", "خمسطاشر", "خمستعش"),
		l("ستاشر", "سطاشر", "ستعش"),
		l("سبعتاشر", "سبعطاشر", "سبعتعش"),
		l("تمنتاشر", "طمنطاشر", "تمنتعش"),
		l("تسعتاشر", "تسعطاشر", "تسعتعش"),
	)
	tens(
		l("عشرون", "عشرين"),
		l("ثلاثون", "ثلاثين", "تلاتين"),
		l("اربعون", "اربعين"),
		l("خمسون", "خمسين"),
		l("ستون", "ستين"),
		l("سبعون", "سبعين"),
		l("ثمانون", "ثمانين", "تمانين"),
		l("تسعون", "تسعين"),
	)
	add(wHundred, 100, "ميه", "ميه", "مايه", "مايه") // مئه, مائه folded: "ئ" is "ي"
	return m
}

// italianTens are the stems of the Italian compounds "ventuno", "trentadue",
// "quarantotto": a tens word, its last vowel dropped before "uno" and "otto".
var italianTens = [...]struct {
	word string
	val  int
}{
	{"venti", 20}, {"trenta", 30}, {"quaranta", 40}, {"cinquanta", 50},
	{"sessanta", 60}, {"settanta", 70}, {"ottanta", 80}, {"novanta", 90},
}

var italianUnits = map[string]int{
	"uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5,
	"sei": 6, "sette": 7, "otto": 8, "nove": 9,
}

// lookupNumWord returns the number word w (folded), the Italian compound it
// is, or the Arabic number word it is after the conjunction "و" ("وعشرون",
// "and twenty"). and reports the conjunction.
func lookupNumWord(w string) (nw numWord, and bool, ok bool) {
	if nw, ok := numWords[w]; ok {
		return nw, false, true
	}
	for _, t := range italianTens {
		stem := t.word
		if !strings.HasPrefix(w, stem[:len(stem)-1]) {
			continue
		}
		rest := w[len(stem)-1:]
		if strings.HasPrefix(w, stem) {
			if u, ok := italianUnits[w[len(stem):]]; ok && u > 0 {
				return numWord{val: t.val + u, kind: wTens}, false, true
			}
		}
		if rest == "uno" || rest == "una" || rest == "otto" {
			return numWord{val: t.val + italianUnits[rest], kind: wTens}, false, true
		}
	}
	if rest, found := strings.CutPrefix(w, "و"); found && rest != "" {
		if nw, ok := numWords[rest]; ok && nw.kind != wAnd {
			return nw, true, true
		}
	}
	return numWord{}, false, false
}

// wordAt returns the number word of toks[j], if it is one.
func wordAt(toks []token, j int) (numWord, bool, bool) {
	if j >= len(toks) || toks[j].kind != tWord || toks[j].han {
		return numWord{}, false, false
	}
	return lookupNumWord(toks[j].text)
}

// wordNumber reads the number written in words that starts at toks[i]: one
// word, or a compound ("twenty one", "vingt et un", "ثلاثه عشر"). It returns
// the value, the index of the token after it, whether the number is weak (a
// lone article), and false when toks[i] starts no number.
func wordNumber(toks []token, i int) (val, next int, weak, ok bool) {
	a, _, ok := wordAt(toks, i)
	if !ok {
		return 0, 0, false, false
	}
	b, bAnd, bOK := wordAt(toks, i+1)
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
			c, _, cOK := wordAt(toks, i+2)
			if cOK && c.kind == wDix {
				if d, _, dOK := wordAt(toks, i+3); dOK && d.kind == wUnit && d.val >= 7 && d.val <= 9 {
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
		if b.kind == wAnd && toks[i+1].text == "و" {
			if c, _, cOK := wordAt(toks, i+2); cOK && c.kind == wTens {
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
			c, _, cOK = wordAt(toks, j)
		}
		if !cOK {
			return a.val, i + 1, false, true
		}
		if (c.kind == wUnit || c.kind == wQuatre) && c.val >= 1 && c.val <= 9 {
			return a.val + c.val, j + 1, false, true
		}
		if a.kind == wSoixante && (c.kind == wTeen || c.kind == wDix) {
			if c.kind == wDix {
				if d, _, dOK := wordAt(toks, j+1); dOK && d.kind == wUnit && d.val >= 7 && d.val <= 9 {
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
