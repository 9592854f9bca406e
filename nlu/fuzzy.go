package nlu

import "unicode/utf8"

// fuzzyIndex finds the known words one edit (a letter missing, extra,
// wrong, or two swapped) away from a word, with a few map lookups: every
// known word is indexed under each of its one-letter deletions (SymSpell's
// idea), so a query word meets its neighbours through its own deletions.
// Only words of five letters or more take part: shorter ones have too many
// neighbours to guess from.
type fuzzyIndex struct {
	words map[string]bool
	dels  map[string][]string
}

const fuzzyMin = 5

func newFuzzyIndex(words []string) *fuzzyIndex {
	x := &fuzzyIndex{words: make(map[string]bool, len(words)), dels: map[string][]string{}}
	for _, w := range words {
		x.words[w] = true
		if utf8.RuneCountInString(w) < fuzzyMin {
			continue
		}
		for _, d := range deletions(w) {
			x.dels[d] = append(x.dels[d], w)
		}
	}
	return x
}

func deletions(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// near returns the known words one edit from w (none when w is known, or
// shorter than five letters).
func (x *fuzzyIndex) near(w string) []string {
	if x == nil || x.words[w] || utf8.RuneCountInString(w) < fuzzyMin || len(w) > 64 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	try := func(c string) {
		if !seen[c] && c != w && osa([]rune(w), []rune(c)) <= 1 {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range x.dels[w] { // a letter missing from w
		try(c)
	}
	for _, d := range deletions(w) {
		if x.words[d] { // a letter too many in w
			try(d)
		}
		for _, c := range x.dels[d] { // a letter wrong, or two swapped
			try(c)
		}
	}
	if len(out) > 3 {
		out = out[:3] // too many neighbours: a guess, not a typo
	}
	return out
}

// osa is the optimal string alignment distance (Damerau–Levenshtein
// without repeated edits of a substring).
func osa(a, b []rune) int {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return 3
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
