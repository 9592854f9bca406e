package knowledge

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// MaxAlternatives is the most alternatives Match returns.
const MaxAlternatives = 3

// maxSentenceWords bounds the words of a sentence searched for a name (the
// text is already cut to fold.MaxInput bytes).
const maxSentenceWords = 128

// maxNameWords bounds the words of a name looked for inside a sentence (the
// longest Tuscan name, "San Casciano in Val di Pesa", has 6).
const maxNameWords = 12

// leadingWords are stripped from the front of the folded text, repeatedly:
// "Comune di Prato", "a Prato", "in Sesto Fiorentino".
var leadingWords = []string{"comune di ", "comune ", "citta di ", "a ", "in "}

// cueWords are the words after which a one-word name inside a sentence is
// taken to be a place: "abito a Prato", "vengo da Siena", "I live in Pisa".
// Without a cue (or the name opening the text), common words that are also
// comuni ("chiusi" = closed, "vinci" = you win, "cascina" = farmhouse) would
// be read as places. Names of two words or more need no cue.
var cueWords = map[string]bool{
	"a": true, "ad": true, "al": true, "in": true, "nel": true, "di": true, "da": true,
	"dal": true, "del": true, "vicino": true, "presso": true, "comune": true, "citta": true,
	"paese": true, "e": true, // "è" folds to "e"
	"at": true, "from": true, "of": true, "near": true, "is": true, "to": true,
	"de": true, "en": true, // French, Spanish, Portuguese, Romanian
	// "the anagrafe for Follonica" (it listed Grosseto's), "per Empoli",
	// "pour Livourne", "para Prato", "sa Viareggio", "në Firence", "dans"
	"for": true, "per": true, "pour": true, "para": true, "sa": true, "ne": true, "dans": true,
}

// cand is a candidate municipality (index into list) at edit distance d from
// what the user typed.
type cand struct{ i, d int }

// Match finds the municipality text names. It is tolerant of case, accents,
// punctuation, a leading "comune di"/"città di"/"a"/"in", a trailing province
// ("Prato (PO)", "Pisa, PI", "pisa pi") and small typos, and accepts a 6-digit
// ISTAT code or a 5-digit CAP. In order, it tries:
//
//  1. a code: a 6-digit ISTAT code, or a CAP that names exactly one comune;
//  2. the exact folded name;
//  3. typos and prefixes: the names at the smallest Damerau–Levenshtein
//     (optimal string alignment) distance within a budget that grows with
//     length (0 for ≤3 letters, 1 up to 8, 2 beyond), and the names the text
//     is a prefix of (at least 4 letters typed); names the text is whole
//     words of ("Cutigliano", "Elba") are only ever offered, not matched;
//  4. a whole name inside a sentence ("abito a Prato", "I live in Sesto
//     Fiorentino"); one-word names need a cue word before them or must open
//     the text.
//
// ok is true when exactly one comune results; the province, when given, only
// breaks ties. Otherwise alternatives holds up to MaxAlternatives candidates,
// closest first then by name ("Castelnuovo" gives the three Castelnuovo...),
// or none when nothing is close: short unrelated words ("ciao", "si") and
// text in other scripts match nothing. Time is bounded for any input.
func (ms *Municipalities) Match(text string) (m Municipality, alternatives []Municipality, ok bool) {
	core, prov := ms.splitProvince(text)
	q := fold.String(core)
	if q == "" {
		return Municipality{}, nil, false
	}
	if isAllDigits(q) {
		switch len(q) {
		case 6:
			if i, found := ms.byCode[q]; found {
				return ms.list[i], nil, true
			}
		case 5:
			return ms.pick(exact(ms.byCAP[q]), prov)
		}
		return Municipality{}, nil, false
	}
	if idx := ms.byKey[q]; len(idx) > 0 {
		return ms.pick(exact(idx), prov)
	}
	q = stripLeading(q)
	if idx := ms.byKey[q]; len(idx) > 0 {
		return ms.pick(exact(idx), prov)
	}
	name := q
	if rest, p, found := ms.cutProvinceWord(q); found {
		if prov == "" {
			prov = p
		}
		if idx := ms.byKey[rest]; len(idx) > 0 {
			return ms.pick(exact(idx), prov)
		}
		name = rest
	}
	fuzzy := ms.fuzzy(name, prov)
	decisive := len(fuzzy) == 1
	if words := ms.wordsOfName(name, prov); len(words) > 0 && !(decisive && hasIndex(words, fuzzy[0].i)) {
		// Whole words of a longer name ("Cutigliano" for Abetone Cutigliano,
		// a comune merged in 2017; "Elba" for Campo nell'Elba) may be what
		// the user meant, or a former comune or an area that one name happens
		// to contain: never a match on their own, always offered.
		decisive = false
		for _, f := range fuzzy {
			if !hasIndex(words, f.i) {
				words = append(words, f)
			}
		}
		fuzzy = words
	}
	if decisive {
		return ms.list[fuzzy[0].i], nil, true
	}
	if inText := ms.inSentence(q, prov); len(inText) == 1 {
		return ms.list[inText[0].i], nil, true
	} else if len(fuzzy) == 0 {
		fuzzy = inText
	}
	return Municipality{}, ms.alternatives(fuzzy), false
}

// pick resolves candidates: narrowed to the province when that leaves any,
// one is a match, several are alternatives.
func (ms *Municipalities) pick(cs []cand, prov string) (Municipality, []Municipality, bool) {
	cs = ms.inProvince(cs, prov)
	if len(cs) == 1 {
		return ms.list[cs[0].i], nil, true
	}
	return Municipality{}, ms.alternatives(cs), false
}

// alternatives returns up to MaxAlternatives of the candidates, closest
// first, then by name; nil for none.
func (ms *Municipalities) alternatives(cs []cand) []Municipality {
	if len(cs) == 0 {
		return nil
	}
	cs = slices.Clone(cs) // may alias an index slice
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		if c := strings.Compare(ms.entries[a.i].key, ms.entries[b.i].key); c != 0 {
			return c
		}
		return a.i - b.i
	})
	alts := make([]Municipality, 0, min(len(cs), MaxAlternatives))
	for _, c := range cs[:min(len(cs), MaxAlternatives)] {
		alts = append(alts, ms.list[c.i])
	}
	return alts
}

func hasIndex(cs []cand, i int) bool {
	return slices.ContainsFunc(cs, func(c cand) bool { return c.i == i })
}

// wordsOfName returns the names that contain q as whole words but are
// longer ("cutigliano" in "abetone cutigliano"), for q of 4 letters or more,
// at distance 0: the words typed are all right.
func (ms *Municipalities) wordsOfName(q, prov string) []cand {
	idx := ms.byWords[q]
	if len(idx) == 0 || letterCount(q) < 4 {
		return nil
	}
	return ms.inProvince(exact(idx), prov)
}

// inProvince keeps the candidates in prov, unless that would leave none (a
// wrong province does not hide an otherwise good match).
func (ms *Municipalities) inProvince(cs []cand, prov string) []cand {
	if prov == "" || len(cs) < 2 {
		return cs
	}
	var in []cand
	for _, c := range cs {
		if ms.list[c.i].Province == prov {
			in = append(in, c)
		}
	}
	if len(in) == 0 {
		return cs
	}
	return in
}

// exact turns index hits into candidates at distance 0.
func exact(idx []int) []cand {
	cs := make([]cand, len(idx))
	for k, i := range idx {
		cs[k] = cand{i, 0}
	}
	return cs
}

// fuzzy returns the typo and prefix candidates for q: one when q resolves,
// several when ambiguous, none when nothing is close.
func (ms *Municipalities) fuzzy(q, prov string) []cand {
	letters, n := letterCount(q), utf8.RuneCountInString(q)
	if letters < 4 {
		return nil // no typo budget below 4 letters, no prefix either
	}
	var typos, prefixes []cand
	if n <= ms.maxRunes+maxTypoBudget {
		var qbuf [64]rune
		qr := qbuf[:0]
		for _, r := range q {
			qr = append(qr, r)
		}
		var dbuf [3 * 64]int
		buf := dbuf[:]
		if need := 3 * (ms.maxRunes + 1); need > len(buf) {
			buf = make([]int, need)
		}
		qmask := runeMask(q)
		for i := range ms.entries {
			e := &ms.entries[i]
			k := typoBudget(min(letters, e.letters))
			if diff := len(e.runes) - n; k == 0 || diff > k || -diff > k {
				continue
			}
			// Each edit removes at most one kind of rune missing on either
			// side: a cheap lower bound that skips most names.
			if bits.OnesCount64(qmask&^e.mask) > k || bits.OnesCount64(e.mask&^qmask) > k {
				continue
			}
			if d := osa(qr, e.runes, k, buf); d <= k {
				typos = append(typos, cand{i, d})
			}
		}
	}
	from, _ := slices.BinarySearchFunc(ms.sorted, q, func(j int, k string) int { return strings.Compare(ms.entries[j].key, k) })
	for _, i := range ms.sorted[from:] {
		e := &ms.entries[i]
		if !strings.HasPrefix(e.key, q) {
			break
		}
		if len(e.key) > len(q) {
			prefixes = append(prefixes, cand{i, len(e.runes) - n})
		}
	}
	typos = ms.inProvince(typos, prov)
	prefixes = ms.inProvince(prefixes, prov)

	if len(typos) == 0 {
		return prefixes
	}
	best := typos[:0:0]
	dmin := typos[0].d
	for _, c := range typos {
		switch {
		case c.d < dmin:
			dmin, best = c.d, append(best[:0], c)
		case c.d == dmin:
			best = append(best, c)
		}
	}
	if len(best) == 1 {
		// A unique closest name wins over several prefixes ("marcian" is
		// Marciana, not Marciana Marina), but not over a different unique
		// prefix: then both are offered.
		if len(prefixes) == 1 && prefixes[0].i != best[0].i {
			return append(best, prefixes[0])
		}
		return best
	}
	// Several names equally close: one that q is also a prefix of wins.
	var both []cand
	for _, c := range best {
		if hasIndex(prefixes, c.i) {
			both = append(both, c)
		}
	}
	if len(both) == 1 {
		return both
	}
	return best
}

// maxTypoBudget is the largest value typoBudget returns.
const maxTypoBudget = 2

// typoBudget is the edit distance tolerated for a word of n letters: none for
// 3 letters or fewer ("si", "no", "rio"), one up to 8 ("Livrono", "Fierenze"),
// two beyond ("Sesto Fiorenitno" with two typos).
func typoBudget(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 8:
		return 1
	default:
		return maxTypoBudget
	}
}

// osa returns the optimal string alignment distance (Damerau–Levenshtein
// where each substring is edited once) between a and b, or k+1 when it is
// more than k. It computes only the diagonal band of width 2k+1 and stops as
// soon as a row exceeds k. buf must hold 3*(len(b)+1) ints.
func osa(a, b []rune, k int, buf []int) int {
	n, m := len(a), len(b)
	if n-m > k || m-n > k {
		return k + 1
	}
	inf := k + 1
	if n == 0 || m == 0 {
		return min(max(n, m), inf)
	}
	w := m + 1
	prev2, prev, cur := buf[:w], buf[w:2*w], buf[2*w:3*w]
	for j := 0; j <= m; j++ {
		prev[j] = min(j, inf)
		prev2[j] = inf
	}
	for i := 1; i <= n; i++ {
		lo, hi := max(1, i-k), min(m, i+k)
		// The cells next to the band, read by this row and the next, are
		// "too far" (or the first column's distance i).
		if lo == 1 {
			cur[0] = min(i, inf)
		} else {
			cur[lo-1] = inf
		}
		if hi < m {
			cur[hi+1] = inf
		}
		rowMin := cur[lo-1]
		ai := a[i-1]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if ai != b[j-1] {
				v++
			}
			if x := prev[j] + 1; x < v {
				v = x
			}
			if x := cur[j-1] + 1; x < v {
				v = x
			}
			if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
				if x := prev2[j-2] + 1; x < v {
					v = x
				}
			}
			v = min(v, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > k {
			return inf
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}

// inSentence finds whole names among the words of q, longest first, so that
// "massa marittima" is Massa Marittima and not also Massa. A one-word name
// needs a cue word before it or must open the text.
func (ms *Municipalities) inSentence(q, prov string) []cand {
	if strings.IndexByte(q, ' ') < 0 {
		return nil // one word: already tried as a whole
	}
	var out []cand
	covered := -1 // end of the last accepted name
	prevWord := ""
	maxWords := min(ms.maxWords, maxNameWords)
	var ends [maxNameWords]int
	start := 0
	for w := 0; w < maxSentenceWords && start < len(q); w++ {
		// ends[k] is the end of the (k+1)-word n-gram starting here.
		n := 0
		for e := start; n < maxWords; n++ {
			sp := strings.IndexByte(q[e:], ' ')
			if sp < 0 {
				ends[n] = len(q)
				n++
				break
			}
			ends[n] = e + sp
			e += sp + 1
		}
		for k := n - 1; k >= 0; k-- {
			if ends[k] <= covered {
				break // inside a longer name already found
			}
			idx := ms.byKey[q[start:ends[k]]]
			if len(idx) == 0 || k == 0 && start > 0 && !cueWords[prevWord] {
				continue
			}
			for _, i := range idx {
				if !slices.ContainsFunc(out, func(c cand) bool { return c.i == i }) {
					out = append(out, cand{i, 0})
				}
			}
			covered = ends[k]
			break
		}
		prevWord = q[start:ends[0]]
		start = ends[0] + 1
	}
	return ms.inProvince(out, prov)
}

// splitProvince cuts a trailing province in parentheses or after a comma
// ("Prato (PO)", "Pisa, pi") off the raw text, when it is one of the data's
// province codes.
func (ms *Municipalities) splitProvince(text string) (core, prov string) {
	s := strings.TrimSpace(text)
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndexByte(s, '('); i >= 0 {
			if p := ms.provinceCode(s[i+1 : len(s)-1]); p != "" {
				return s[:i], p
			}
		}
	}
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		if p := ms.provinceCode(s[i+1:]); p != "" {
			return s[:i], p
		}
	}
	return s, ""
}

// provinceCode returns s as a known province code (upper case), or "".
func (ms *Municipalities) provinceCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return ""
	}
	if p := strings.ToUpper(s); ms.provinces[p] {
		return p
	}
	return ""
}

// cutProvinceWord cuts a bare trailing province code off folded text:
// "prato po" → "prato", "PO".
func (ms *Municipalities) cutProvinceWord(q string) (rest, prov string, ok bool) {
	i := strings.LastIndexByte(q, ' ')
	if i <= 0 || len(q)-i-1 != 2 {
		return q, "", false
	}
	if p := ms.provinceCode(q[i+1:]); p != "" {
		return q[:i], p, true
	}
	return q, "", false
}

// stripLeading removes leadingWords from the front of folded text, as long
// as something is left.
func stripLeading(q string) string {
	for again := true; again; {
		again = false
		for _, w := range leadingWords {
			if len(q) > len(w) && strings.HasPrefix(q, w) {
				q, again = q[len(w):], true
			}
		}
	}
	return q
}

// runeMask has a bit for each kind of rune in q: one per ASCII letter and
// digit, the others sharing the remaining bits.
func runeMask(q string) uint64 {
	var m uint64
	for _, r := range q {
		switch {
		case r >= 'a' && r <= 'z':
			m |= 1 << (r - 'a')
		case r >= '0' && r <= '9':
			m |= 1 << (26 + r - '0')
		default:
			m |= 1 << (36 + uint(r)%28)
		}
	}
	return m
}

// letterCount counts the runes of folded text that are not spaces.
func letterCount(q string) int {
	n := 0
	for _, r := range q {
		if r != ' ' {
			n++
		}
	}
	return n
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Mentioned finds the comune a sentence names ("dov'è la questura di
// Prato", "questura prato", "普拉托警察局在哪里"): the whole text when it is
// a name, a name inside it after a cue word ("a", "in", "di"...), or a name
// at either end of it; the towns that have other names (Firenze, Florence,
// Prato, Siena...) and Han names anywhere in the text. Only a name spelled
// out counts (no typo or prefix guessing: a sentence has too many words
// that look like comuni), and only when exactly one comune results.
func (ms *Municipalities) Mentioned(text string) (Municipality, bool) {
	q := splitHan(fold.String(text))
	if q == "" {
		return Municipality{}, false
	}
	if idx := ms.byKey[q]; len(idx) == 1 {
		return ms.list[idx[0]], true
	}
	found := map[int]bool{}
	for _, c := range ms.inSentence(q, "") {
		found[c.i] = true
	}
	words := strings.Fields(q)
	// Arabic attaches "in", "and", "to" to the next word: بفلورنسا.
	for i, w := range words {
		if r := []rune(w); len(r) > 4 && strings.ContainsRune("بلوف", r[0]) {
			if idx := ms.byKey[string(r[1:])]; len(idx) == 1 && (i == 0 || i == len(words)-1 || r[0] == 'ب') {
				found[idx[0]] = true
			}
		}
	}
	if len(found) == 0 && len(words) > 1 {
		for k := min(3, len(words)-1); k >= 1 && len(found) == 0; k-- {
			for _, name := range []string{strings.Join(words[len(words)-k:], " "), strings.Join(words[:k], " ")} {
				if idx := ms.byKey[name]; len(idx) == 1 && letterCount(name) >= 4 {
					found[idx[0]] = true
				}
			}
		}
	}
	if len(found) == 0 {
		// The towns people abroad know, anywhere: "questura firenze orari".
		for _, w := range words {
			if i, ok := ms.known[w]; ok && len(ms.byKey[w]) == 1 {
				found[i] = true
			}
		}
	}
	if len(found) == 0 {
		for name, i := range ms.hanNames {
			if strings.Contains(q, name) {
				found[i] = true
			}
		}
	}
	if len(found) != 1 {
		return Municipality{}, false
	}
	for i := range found {
		return ms.list[i], true
	}
	return Municipality{}, false
}

// AddNames indexes other names of a comune (its name in other languages,
// a common foreign form): Match and Mentioned find it by them. Unknown
// codes are reported.
func (ms *Municipalities) AddNames(code string, names []string) bool {
	i, ok := ms.byCode[code]
	if !ok {
		return false
	}
	if ms.known == nil {
		ms.known = map[string]int{}
	}
	for _, n := range append([]string{ms.list[i].Name}, names...) {
		if key := fold.String(n); !strings.Contains(key, " ") && letterCount(key) >= 4 {
			ms.known[key] = i
		}
	}
	for _, n := range names {
		key := fold.String(n)
		if key == "" || slices.Contains(ms.byKey[key], i) {
			continue
		}
		ms.byKey[key] = append(ms.byKey[key], i)
		if hasHan(key) && !strings.Contains(key, " ") {
			if ms.hanNames == nil {
				ms.hanNames = map[string]int{}
			}
			ms.hanNames[key] = i
		}
	}
	return true
}

// splitHan puts a space between Chinese and the letters of another script
// written against it: "我住在campi bisenzio" names Campi Bisenzio.
func splitHan(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if prev != 0 && prev != ' ' && r != ' ' && unicode.Is(unicode.Han, prev) != unicode.Is(unicode.Han, r) &&
			(unicode.IsLetter(prev) || unicode.IsDigit(prev)) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}
