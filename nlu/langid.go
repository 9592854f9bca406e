package nlu

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// LangID tells which of the bot's languages a text is written in. It is a
// naive Bayes model over character 1- to 3-grams and whole words, trained
// on the bot's own texts in each language (its messages, guides and
// examples): those texts carry the Italian administrative words that people
// mix into every language ("permesso di soggiorno"), so an English question
// about a permesso is still English. Scripts need no rule: Arabic letters
// are simply never seen in Italian texts.
//
// A general-purpose detector (lingua-go) was measured first: it took 192 MB
// with the twelve planned languages preloaded (9 MB in its low-accuracy
// mode), 150–350 µs a call, and read "how do I renew my permesso di
// soggiorno" as Italian.
type LangID struct {
	langs []string
	index map[uint64]int32 // feature → row of logp
	logp  []float32        // log P(feature | language), len(langs) per row
	miss  []float32        // log P of a feature never seen, per language
}

// TrainLangID builds a detector from texts per language.
func TrainLangID(texts map[string][]string) *LangID {
	l := &LangID{index: map[uint64]int32{}}
	for lang := range texts {
		l.langs = append(l.langs, lang)
	}
	slices.Sort(l.langs)
	L := len(l.langs)
	var counts []float32 // L per feature, in index order
	totals := make([]float64, L)
	for k, lang := range l.langs {
		for _, t := range texts[lang] {
			langFeatures(t, func(h uint64, _ bool) {
				row, ok := l.index[h]
				if !ok {
					row = int32(len(counts) / L)
					l.index[h] = row
					counts = append(counts, make([]float32, L)...)
				}
				counts[int(row)*L+k]++
				totals[k]++
			})
		}
	}
	// Additive smoothing; every language sees the same vocabulary size.
	const alpha = 0.1
	v := float64(len(l.index))
	l.miss = make([]float32, L)
	for k := range l.langs {
		l.miss[k] = float32(math.Log(alpha / (totals[k] + alpha*v)))
	}
	// In a large corpus, features seen once say little and take most of
	// the memory: they are read as never seen.
	minCount := float32(1)
	if len(l.index) > pruneAbove {
		minCount = 2
	}
	keep := make(map[uint64]int32, len(l.index)/2)
	var logp []float32
	for h, row := range l.index {
		c := counts[int(row)*L : int(row)*L+L]
		var sum float32
		for _, x := range c {
			sum += x
		}
		if sum < minCount {
			continue
		}
		keep[h] = int32(len(logp) / L)
		for k, x := range c {
			logp = append(logp, float32(math.Log((float64(x)+alpha)/(totals[k]+alpha*v))))
		}
	}
	l.index, l.logp = keep, logp
	return l
}

// pruneAbove is the number of distinct features above which those seen
// once are dropped (the bot's texts have ~300,000).
const pruneAbove = 50_000

// Guess is a detected language, with how sure the detector is: Margin is
// the log-likelihood per feature of the best language over the second's,
// and Features how many features the text had.
type Guess struct {
	Lang     string
	Margin   float64
	Features int
	// Words counts the text's words (Han characters count one each), and
	// Known is the share of them that the detected language's texts
	// contain: gibberish scores low in every language.
	Words int
	Known float64
}

// Detect guesses the language of text. It never refuses; callers decide
// from Margin and Features whether to believe it (see Sure).
func (l *LangID) Detect(text string) Guess {
	if l == nil || len(l.langs) == 0 {
		return Guess{}
	}
	score := make([]float64, len(l.langs))
	seen := make([]int, len(l.langs))
	n, words := 0, 0
	L := len(l.langs)
	langFeatures(cut(text, MaxRunes), func(h uint64, word bool) {
		n++
		row, ok := l.index[h]
		var lp []float32
		if ok {
			lp = l.logp[int(row)*L : int(row)*L+L]
		}
		if word {
			words++
		}
		for k := range score {
			if ok {
				score[k] += float64(lp[k])
				if word && lp[k] > l.miss[k] {
					seen[k]++
				}
			} else {
				score[k] += float64(l.miss[k])
			}
		}
	})
	if n == 0 {
		return Guess{}
	}
	best, second := -1, -1
	for k := range score {
		switch {
		case best < 0 || score[k] > score[best]:
			best, second = k, best
		case second < 0 || score[k] > score[second]:
			second = k
		}
	}
	g := Guess{Lang: l.langs[best], Features: n, Words: words}
	if words > 0 {
		g.Known = float64(seen[best]) / float64(words)
	}
	if second >= 0 {
		g.Margin = (score[best] - score[second]) / float64(n)
	} else {
		g.Margin = math.Inf(1)
	}
	return g
}

// Sure reports whether a guess is safe to act on: enough text and a clear
// winner. The thresholds were set on the held-out questions of every
// language (`teamsbot eval` prints the detector's accuracy).
func (g Guess) Sure() bool {
	return g.Lang != "" && g.Words >= 3 && g.Margin >= 0.5 && g.Known >= 0.6
}

// langWord marks the hash of a whole word among the detector's features.
const langWord = 'W'

// langFeatures calls fn with the hash of every character 1-, 2- and
// 3-gram of each word (padded with spaces) and of each word. Case is
// folded; accents are kept, since they tell languages apart (ë, ç, é).
func langFeatures(text string, fn func(h uint64, word bool)) {
	text = norm.NFKC.String(text)
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
		w = strings.ToLower(w)
		if strings.IndexFunc(w, func(r rune) bool { return r != 'ـ' }) < 0 {
			continue
		}
		// A run of Han characters is a phrase, not a word: its characters
		// are the units whose knowledge says the text is Chinese.
		han := strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
		fn(hashOf(langWord, w), !han)
		rs := []rune(" " + w + " ")
		for n := 1; n <= 3; n++ {
			for i := 0; i+n <= len(rs); i++ {
				if n == 1 && rs[i] == ' ' {
					continue
				}
				fn(hashOf(byte('0'+n), string(rs[i:i+n])), han && n == 1)
			}
		}
	}
}
