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
	logp  map[uint64][]float32 // per feature: log P(feature | language)
	miss  []float32            // log P of a feature never seen, per language
}

// TrainLangID builds a detector from texts per language.
func TrainLangID(texts map[string][]string) *LangID {
	l := &LangID{logp: map[uint64][]float32{}}
	for lang := range texts {
		l.langs = append(l.langs, lang)
	}
	slices.Sort(l.langs)
	counts := map[uint64][]float64{}
	totals := make([]float64, len(l.langs))
	for k, lang := range l.langs {
		for _, t := range texts[lang] {
			langFeatures(t, func(h uint64) {
				c := counts[h]
				if c == nil {
					c = make([]float64, len(l.langs))
					counts[h] = c
				}
				c[k]++
				totals[k]++
			})
		}
	}
	// Additive smoothing; every language sees the same vocabulary size.
	const alpha = 0.1
	v := float64(len(counts))
	l.miss = make([]float32, len(l.langs))
	for k := range l.langs {
		l.miss[k] = float32(math.Log(alpha / (totals[k] + alpha*v)))
	}
	for h, c := range counts {
		lp := make([]float32, len(l.langs))
		for k := range l.langs {
			lp[k] = float32(math.Log((c[k] + alpha) / (totals[k] + alpha*v)))
		}
		l.logp[h] = lp
	}
	return l
}

// Guess is a detected language, with how sure the detector is: Margin is
// the log-likelihood per feature of the best language over the second's,
// and Features how many features the text had.
type Guess struct {
	Lang     string
	Margin   float64
	Features int
}

// Detect guesses the language of text. It never refuses; callers decide
// from Margin and Features whether to believe it (see Sure).
func (l *LangID) Detect(text string) Guess {
	if l == nil || len(l.langs) == 0 {
		return Guess{}
	}
	score := make([]float64, len(l.langs))
	n := 0
	langFeatures(cut(text, MaxRunes), func(h uint64) {
		n++
		lp, ok := l.logp[h]
		for k := range score {
			if ok {
				score[k] += float64(lp[k])
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
	g := Guess{Lang: l.langs[best], Features: n}
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
	return g.Lang != "" && g.Features >= 24 && g.Margin >= 0.35
}

// langFeatures calls fn with the hash of every character 1-, 2- and
// 3-gram of each word (padded with spaces) and of each word. Case is
// folded; accents are kept, since they tell languages apart (ë, ç, é).
func langFeatures(text string, fn func(uint64)) {
	text = norm.NFKC.String(text)
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
		w = strings.ToLower(w)
		if strings.IndexFunc(w, func(r rune) bool { return r != 'ـ' }) < 0 {
			continue
		}
		fn(hashOf('W', w))
		rs := []rune(" " + w + " ")
		for n := 1; n <= 3; n++ {
			for i := 0; i+n <= len(rs); i++ {
				if n == 1 && rs[i] == ' ' {
					continue
				}
				fn(hashOf(byte('0'+n), string(rs[i:i+n])))
			}
		}
	}
}
