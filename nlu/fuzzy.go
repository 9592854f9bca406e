package nlu

import (
	"cmp"
	"slices"
	"unicode/utf8"

	"teamsbot/internal/editdist"
)

// fuzzyIndex finds the known words one edit (a letter missing, extra,
// wrong, or two swapped) away from a word, with a few map lookups: every
// known word is indexed under each of its one-letter deletions (SymSpell's
// idea), so a query word meets its neighbours through its own deletions.
// Only words of five letters or more take part: shorter ones have too many
// neighbours to guess from.
type fuzzyIndex struct {
	words map[string]bool
	// long are the words of fuzzyMin letters or more; dels indexes each
	// of their one-letter deletions by its hash, sorted: about 12 bytes a
	// deletion instead of a map of strings (a hash shared by two
	// deletions only costs a distance check).
	long []string
	dels []deletion
}

type deletion struct {
	h uint64
	w int32 // index in long
}

const fuzzyMin = 5

func newFuzzyIndex(words []string) *fuzzyIndex {
	x := &fuzzyIndex{words: make(map[string]bool, len(words))}
	for _, w := range words {
		x.words[w] = true
		if utf8.RuneCountInString(w) < fuzzyMin {
			continue
		}
		i := int32(len(x.long))
		x.long = append(x.long, w)
		for _, d := range deletions(w) {
			x.dels = append(x.dels, deletion{hashOf(0, d), i})
		}
	}
	slices.SortFunc(x.dels, func(a, b deletion) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.w, b.w)
	})
	return x
}

// withDeletion calls fn with each long word that has a deletion d.
func (x *fuzzyIndex) withDeletion(d string, fn func(string)) {
	h := hashOf(0, d)
	i, _ := slices.BinarySearchFunc(x.dels, h, func(e deletion, h uint64) int { return cmp.Compare(e.h, h) })
	for ; i < len(x.dels) && x.dels[i].h == h; i++ {
		fn(x.long[x.dels[i].w])
	}
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
	x.withDeletion(w, try) // a letter missing from w
	for _, d := range deletions(w) {
		if x.words[d] { // a letter too many in w
			try(d)
		}
		x.withDeletion(d, try) // a letter wrong, or two swapped
	}
	if len(out) > 3 {
		out = out[:3] // too many neighbours: a guess, not a typo
	}
	return out
}

// osa is the optimal string alignment distance, 3 for any pair whose
// lengths alone differ by more than 2 (never a typo of each other).
func osa(a, b []rune) int {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return 3
	}
	return editdist.OSA(a, b)
}

// OneEdit reports whether a and b differ by at most one typo: a letter
// dropped, added, changed, or two letters side by side swapped (the
// optimal string alignment distance is 0 or 1). It allocates nothing.
func OneEdit(a, b []rune) bool {
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	if i == la || i == lb {
		return true // equal, or one letter more at the end
	}
	switch {
	case la == lb:
		if slices.Equal(a[i+1:], b[i+1:]) {
			return true // changed
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:]) // swapped
	case la > lb:
		return slices.Equal(a[i+1:], b[i:]) // a letter more in a
	default:
		return slices.Equal(a[i:], b[i+1:])
	}
}
