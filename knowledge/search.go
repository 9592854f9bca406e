package knowledge

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// textIndex finds documents (guides, kinds of place) by the words users
// type, in any launch language: folded tokens (no case, no accents), Han
// text as character bigrams (Chinese has no spaces), and one-typo tolerance
// through a deletion index (each token is also indexed under each of its
// one-letter deletions, so a query token finds tokens one edit away with a
// few map lookups instead of a scan of the vocabulary).
type textIndex struct {
	vocab map[string][]posting
	dels  map[string][]string
	// phrases maps a folded keyword of two or more words to its documents:
	// a whole phrase found in a question says more than its words.
	phrases   map[string][]int
	maxPhrase int // words in the longest phrase
	docs      int
}

type posting struct {
	doc int
	w   float64
}

func newTextIndex(docs int) *textIndex {
	return &textIndex{vocab: map[string][]posting{}, dels: map[string][]string{}, phrases: map[string][]int{}, docs: docs}
}

// add indexes a phrase of doc with a weight (titles and names weigh more
// than keywords).
func (x *textIndex) add(doc int, text string, w float64) {
	f := fold.String(text)
	toks := tokens(f)
	if len(toks) == 0 {
		return
	}
	if words := strings.Fields(f); len(words) >= 2 || (hasHan(f) && utf8.RuneCountInString(f) >= 3) {
		if !slices.Contains(x.phrases[f], doc) {
			x.phrases[f] = append(x.phrases[f], doc)
		}
		x.maxPhrase = max(x.maxPhrase, len(words))
	}
	for _, t := range toks {
		ps := x.vocab[t]
		if i := slices.IndexFunc(ps, func(p posting) bool { return p.doc == doc }); i >= 0 {
			ps[i].w = max(ps[i].w, w)
			continue
		}
		if len(ps) == 0 && fuzzable(t) {
			for _, v := range deletions(t) {
				x.dels[v] = append(x.dels[v], t)
			}
		}
		x.vocab[t] = append(ps, posting{doc, w})
	}
}

// tokens splits folded text into words, and runs of Han characters into
// bigrams.
func tokens(f string) []string {
	var out []string
	for _, w := range strings.Fields(f) {
		if !hasHan(w) {
			if utf8.RuneCountInString(w) >= 2 || allDigits(w) {
				out = append(out, w)
			}
			continue
		}
		rs := []rune(w)
		if len(rs) == 1 {
			out = append(out, w)
			continue
		}
		for i := 0; i+1 < len(rs); i++ {
			out = append(out, string(rs[i:i+2]))
		}
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func fuzzable(t string) bool { return utf8.RuneCountInString(t) >= 5 && !hasHan(t) }

func deletions(t string) []string {
	rs := []rune(t)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// scored is a document's score for a query.
type scored struct {
	doc     int
	score   float64
	covered float64 // share of the query's tokens that matched
}

// maxQuery bounds the query text: nobody types a longer question, and a
// 5,000-character message must cost no more than a short one.
const maxQuery = 300

// search scores every document that shares a token with the query.
func (x *textIndex) search(query string) []scored {
	if len(query) > maxQuery {
		query = query[:maxQuery]
	}
	f := fold.String(query)
	toks := tokens(f)
	if len(toks) == 0 || x.docs == 0 {
		return nil
	}
	if len(toks) > 40 {
		toks = toks[:40]
	}
	scores := map[int]*scored{}
	matched := map[int]int{}
	seen := map[string]bool{}
	for _, t := range toks {
		if seen[t] {
			continue
		}
		seen[t] = true
		hits := x.vocab[t]
		// Near words count too, a little less: a keyword list may hold the
		// misspelling "rinovo" for one guide and "rinnovo" for another.
		var near []posting
		if fuzzable(t) {
			near = x.fuzzy(t)
		}
		if len(hits) == 0 && len(near) == 0 {
			continue
		}
		idf := math.Log(1 + float64(x.docs)/float64(docCount(append(slices.Clone(hits), near...))))
		best := map[int]float64{}
		for _, p := range near {
			best[p.doc] = max(best[p.doc], p.w*idf*0.8)
		}
		for _, p := range hits {
			best[p.doc] = max(best[p.doc], p.w*idf)
		}
		for doc, s := range best {
			sc := scores[doc]
			if sc == nil {
				sc = &scored{doc: doc}
				scores[doc] = sc
			}
			sc.score += s
			matched[doc]++
		}
	}
	// A whole keyword phrase inside the query says more than its words:
	// look up every run of 2..maxPhrase words of the query.
	words := strings.Fields(f)
	if len(words) > 40 {
		words = words[:40]
	}
	for _, w := range words {
		// Chinese writes phrases without spaces: look up its runs of 3..10
		// characters.
		if !hasHan(w) {
			continue
		}
		rs := []rune(w)
		for i := range rs {
			for j := i + 3; j <= min(len(rs), i+10); j++ {
				for _, doc := range x.phrases[string(rs[i:j])] {
					if sc := scores[doc]; sc != nil {
						sc.score += float64(j - i - 1)
					}
				}
			}
		}
	}
	for i := range words {
		for j := i + 2; j <= min(len(words), i+x.maxPhrase); j++ {
			for _, doc := range x.phrases[strings.Join(words[i:j], " ")] {
				if sc := scores[doc]; sc != nil {
					sc.score += float64(j - i)
				}
			}
		}
	}
	out := make([]scored, 0, len(scores))
	for doc, sc := range scores {
		// A document that answers every word of the question beats one that
		// answers most of them: "rinnovo permesso di soggiorno" is the
		// renewal, not the first permit.
		sc.covered = float64(matched[doc]) / float64(len(seen))
		sc.score *= sc.covered * sc.covered
		out = append(out, *sc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	return out
}

func docCount(ps []posting) int {
	n, last := 0, -1
	for _, p := range ps {
		if p.doc != last {
			n++
			last = p.doc
		}
	}
	return n
}

// fuzzy returns the postings of tokens one edit away from t.
func (x *textIndex) fuzzy(t string) []posting {
	cands := map[string]bool{}
	for _, c := range x.dels[t] { // t is a deletion of c: one letter missing
		cands[c] = true
	}
	for _, v := range deletions(t) {
		if _, ok := x.vocab[v]; ok { // one letter too many
			cands[v] = true
		}
		for _, c := range x.dels[v] { // one letter wrong, or two swapped
			cands[c] = true
		}
	}
	var out []posting
	ta := []rune(t)
	buf := make([]int, 3*(len(ta)+2))
	for c := range cands {
		if c != t && osa(ta, []rune(c), 1, buf) <= 1 {
			out = append(out, x.vocab[c]...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].doc < out[j].doc })
	return out
}

// index builds the search indexes of guides and kinds.
func (d *Directory) index() {
	slices.SortFunc(d.guides, func(a, b *Guide) int { return strings.Compare(a.ID, b.ID) })
	d.guideIdx = newTextIndex(len(d.guides))
	for i, g := range d.guides {
		for _, l := range d.langs {
			d.guideIdx.add(i, g.Title[l], 2)
			for _, k := range g.Keywords[l] {
				d.guideIdx.add(i, k, 1.5)
			}
		}
	}
	d.kindIDs = d.kindIDs[:0]
	for id := range d.Kinds {
		d.kindIDs = append(d.kindIDs, id)
	}
	slices.Sort(d.kindIDs)
	d.kindIdx = newTextIndex(len(d.kindIDs))
	for i, id := range d.kindIDs {
		k := d.Kinds[id]
		for _, l := range d.langs {
			d.kindIdx.add(i, k.Name[l], 2)
			for _, kw := range k.Keywords[l] {
				d.kindIdx.add(i, kw, 1.5)
			}
		}
	}
}

// GuideHit is a guide found by words.
type GuideHit struct {
	Guide *Guide
	Score float64
}

// KindHit is a kind of place found by words.
type KindHit struct {
	Kind  string
	Score float64
}

// Answer is what free words point at: guides, kinds of place, and the
// municipality they name, best first.
type Answer struct {
	Guides       []GuideHit
	Kinds        []KindHit
	Municipality *Municipality
}

// minScore is the least score a hit needs to be offered: about one
// distinctive word, or a couple of common ones.
const minScore = 1.5

// Search finds the guides and kinds of place that free words are about, in
// any launch language, and the municipality they name ("questura prato").
func (d *Directory) Search(text string) Answer {
	var a Answer
	if d == nil || d.guideIdx == nil {
		return a
	}
	if len(text) > maxQuery {
		text = text[:maxQuery]
	}
	for _, s := range d.guideIdx.search(text) {
		if s.score >= minScore {
			a.Guides = append(a.Guides, GuideHit{Guide: d.guides[s.doc], Score: s.score})
		}
	}
	// A comune named at either end ("questura prato", "prato questura") is
	// where the user wants the office; the other words say which office.
	rest := text
	var m *Municipality
	if d.Municipalities != nil {
		words := strings.Fields(fold.String(text))
		for k := min(3, len(words)-1); k >= 1 && m == nil; k-- {
			for _, try := range []struct{ name, rest []string }{{words[len(words)-k:], words[:len(words)-k]}, {words[:k], words[k:]}} {
				if found, _, ok := d.Municipalities.Match(strings.Join(try.name, " ")); ok && exactName(found, try.name) {
					m, rest = &found, strings.Join(try.rest, " ")
					break
				}
			}
		}
	}
	for _, s := range d.kindIdx.search(rest) {
		if s.score >= minScore {
			a.Kinds = append(a.Kinds, KindHit{Kind: d.kindIDs[s.doc], Score: s.score})
		}
	}
	if len(a.Kinds) > 0 {
		a.Municipality = m
	}
	return a
}

// exactName reports whether words spell the municipality's name (folded) or
// are one typo from it: a comune named inside a question must be clearly
// named, not guessed from an ordinary word.
func exactName(m Municipality, words []string) bool {
	name := fold.String(m.Name)
	q := strings.Join(words, " ")
	if q == name {
		return true
	}
	a, b := []rune(q), []rune(name)
	return len(a) >= 6 && osa(a, b, 1, make([]int, 3*(len(b)+2))) <= 1
}
