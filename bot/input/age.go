package input

import (
	"slices"
	"strconv"
	"strings"
)

// Age reads the one age a sentence writes: a number right after which
// comes one of the Lexicon's age units ("ha 8 anni", "8 years old", "8岁",
// "عمره ٨ سنين"), unless words around it make it a length of time ("da 3
// anni", "3 years ago", "3 saal se"). Two different ages ("7 et 11 ans") or
// none: false.
func (l *Lexicon) Age(text string) (int, bool) {
	l = l.orEmpty()
	var buf [maxTokens]token
	toks, ok := wordTokens(text, buf[:0])
	if !ok {
		return 0, false
	}
	age, found := 0, false
	for i, t := range toks {
		if t.kind != tNum || i+1 == len(toks) || toks[i+1].kind != tWord {
			continue
		}
		unit := toks[i+1]
		isUnit := l.ageUnits[unit.text]
		if unit.han {
			isUnit = unit.pre == "" && slices.ContainsFunc(l.hanAgeUnits, func(u string) bool { return strings.HasPrefix(unit.text, u) })
		}
		if !isUnit || l.lengthOfTime(toks, i) {
			continue
		}
		if i >= 1 && toks[i-1].kind == tNum || i >= 2 && toks[i-2].kind == tNum && toks[i-1].kind == tWord && len([]rune(toks[i-1].text)) <= 3 {
			// "7 et 11 ans", "7, 11 anni": two children, two ages.
			return 0, false
		}
		n, err := strconv.Atoi(t.text)
		if err != nil {
			continue
		}
		if found && n != age {
			return 0, false
		}
		age, found = n, true
	}
	return age, found
}

// lengthOfTime reports whether the number at toks[i], followed by an age
// unit, is a length of time: one of the Since words or phrases right
// before it, or an After word right after its unit.
func (l *Lexicon) lengthOfTime(toks []token, i int) bool {
	for k := 1; k <= 3 && k <= i; k++ {
		words := make([]string, 0, k)
		for _, t := range toks[i-k : i] {
			words = append(words, t.text)
		}
		if l.ageSince[strings.Join(words, " ")] {
			return true
		}
	}
	return i+2 < len(toks) && toks[i+2].kind == tWord && l.ageAfter[toks[i+2].text]
}
