package nlu

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Example is a sentence that belongs to an intent, in a language.
type Example struct {
	Intent string
	Lang   string
	Text   string
	// Weight scales the example in training (0 means 1): a title or a
	// keyword list says less about how people write than a real sentence.
	Weight float64
}

// Method is how the classifier decides.
type Method string

// Methods compared by `teamsbot eval --cv`.
const (
	// LogReg is multinomial logistic regression (softmax), trained by
	// stochastic gradient descent in a fixed order: the default, best by
	// cross-validation on the bot's examples.
	LogReg Method = "logreg"
	// Centroid is the nearest centroid by cosine similarity, with the
	// similarities turned into probabilities by a softmax.
	Centroid Method = "centroid"
)

// Options tune training. The zero value takes the defaults.
type Options struct {
	Method   Method
	Features Features
	// Stop lists the stop words of each language (any case, accents).
	Stop map[string][]string
	// Concepts ties the words of every language that mean one thing to one
	// shared feature ("renew": rinnovo*, renew*, renouvel*, تجديد, 续签), so
	// that what the examples of one language teach about it reaches the
	// others. Each entry is one word, a prefix ending in "*", a part of a
	// word between two "*", or a run of Han characters found anywhere in a
	// run; any case, accents. Used when Features.ConceptWeight is not 0.
	Concepts map[string][]string
	// Epochs, Rate and L2 tune logistic regression. Five epochs (the
	// default since 2026-12-07, with the 4-grams alone) match six on the
	// real questions held out in turn (`--cv 5 --real`, four training
	// orders: 78.8–80.3 % top-1 against 78.8–79.8 %) and on all the
	// examples (82.3 % and 82.4 %), for a sixth less training at start;
	// four lose almost a point on all the examples (81.5 %). (Before,
	// with the 3-grams too, six matched eight.)
	Epochs int
	Rate   float64
	L2     float64
	// Average is how many of the last epochs' weights are averaged into
	// the model (Polyak–Ruppert averaging: the end of SGD wanders around
	// the optimum; its mean sits closer). Three (the default) of six gained
	// 1.2 points top-1 on the real questions held out of training (5-fold,
	// 524 questions) and 0.4 on all the examples; all six gained nothing.
	// Negative: none, the last epoch's weights.
	Average int
	// MinDF drops character n-grams and word pairs seen in fewer examples
	// (words are always kept): they cost memory and say nothing new.
	MinDF int
	// Temperature sharpens (<1) or softens (>1) the centroid softmax.
	Temperature float64
	// Seed fixes the order examples are visited in.
	Seed uint64
}

// Version names what Train computes from its examples and options. Saved
// models are kept by it and by the effective options (Effective), so that
// a model trained by another version of the code, or under other defaults,
// is never read as this one's: change it whenever Train, the features or
// the saved form change what they make of the same examples and options.
const Version = "2026-12-07.1"

// Effective returns the options Train uses for o: o with every default
// filled in.
func (o Options) Effective() Options {
	o.defaults()
	return o
}

func (o *Options) defaults() {
	if o.Method == "" {
		o.Method = LogReg
	}
	if o.Features == (Features{}) {
		o.Features = DefaultFeatures
	}
	if o.Epochs <= 0 {
		o.Epochs = 5
	}
	if o.Rate <= 0 {
		o.Rate = 2
	}
	if o.Average == 0 {
		o.Average = 3
	}
	o.Average = min(o.Average, o.Epochs)
	if o.L2 <= 0 {
		o.L2 = 1e-5
	}
	if o.MinDF <= 0 {
		o.MinDF = 2
	}
	if o.Temperature <= 0 {
		o.Temperature = 0.05
	}
	if o.Seed == 0 {
		o.Seed = 0x7ea75b07
	}
}

// Model classifies texts into the intents it was trained on. It is
// read-only once trained, and safe for concurrent use.
type Model struct {
	opts    Options
	ex      extractor
	vocab   map[uint64]int32
	idf     []float32
	intents []string
	// w holds one row of len(intents) weights per feature; b the biases.
	// For Centroid, w holds the centroids (feature-major) and b is unused.
	w     []float32
	b     []float32
	fuzzy *fuzzyIndex
	// Examples is how many examples trained the model.
	examples int
}

// Prediction is an intent and its probability.
type Prediction struct {
	Intent string
	P      float64
}

// Result is what Classify found, best first.
type Result struct {
	Ranked []Prediction
	// Known is the share of the text's features (by weight) that the model
	// has seen in training: near 0 for gibberish or a language it was not
	// taught, whatever the probabilities say.
	Known float64
	// KnownWords is the share of the text's words (Han characters count
	// one each) the model has seen, or is one typo from: a pasted document
	// in Latin or a language not taught shares n-grams with the examples,
	// not words.
	KnownWords float64
	// Length is the text's length in words, two Han characters (written
	// without spaces) counting one.
	Length int
	// Guessed is the share of the text's words (as KnownWords counts them)
	// read as another word, one typo away: "fical" as "fiscal", but also
	// "mario" as "marito". What rests on such a guess is worth a question,
	// not a sure answer.
	Guessed float64
	// Read is the text as the model read it, each guessed word replaced
	// (normalised, words apart), when a word was guessed; "" otherwise.
	Read string
}

// Length counts words, two Han characters counting one.
func Length(words []Word) int {
	n := 0
	for _, w := range words {
		if w.Han {
			n += (utf8.RuneCountInString(w.Text) + 1) / 2
		} else {
			n++
		}
	}
	return n
}

// Top returns the best prediction (zero when none).
func (r Result) Top() Prediction {
	if len(r.Ranked) == 0 {
		return Prediction{}
	}
	return r.Ranked[0]
}

// Train builds a model from examples. Examples with an empty text are
// ignored; at least two intents are needed.
func Train(examples []Example, opts Options) (*Model, error) {
	opts.defaults()
	m := &Model{opts: opts, ex: newExtractor(opts.Features, opts.Stop, opts.Concepts)}
	// Features of every example, and the document frequency of each.
	type doc struct {
		raw    []feature // a compact copy of the example's bag
		intent int
		weight float32
	}
	ids := map[string]int{}
	docs := make([]doc, 0, len(examples))
	df := map[uint64]int{}
	isWord := map[uint64]bool{}
	var vocabWords []string
	prep := m.prepare(examples)
	for i, e := range examples {
		words, raw := prep[i].words, prep[i].feats
		if len(raw) == 0 {
			continue
		}
		for _, f := range raw {
			df[f.h]++
		}
		for _, w := range words {
			if w.Han {
				// Han characters and their pairs are Chinese's words.
				for _, f := range raw {
					isWord[f.h] = isWord[f.h] || hanFeature(w.Text, f.h)
				}
				continue
			}
			if !m.ex.stop[w.Text] {
				h := hashOf(featWord, w.Text)
				if !isWord[h] {
					isWord[h] = true
					vocabWords = append(vocabWords, w.Text)
				}
			}
		}
		id, ok := ids[e.Intent]
		if !ok {
			id = len(m.intents)
			ids[e.Intent] = id
			m.intents = append(m.intents, e.Intent)
		}
		w := float32(e.Weight)
		if w <= 0 {
			w = 1
		}
		docs = append(docs, doc{raw, id, w})
	}
	if len(m.intents) < 2 {
		return nil, errors.New("nlu: training needs examples of at least two intents")
	}
	m.examples = len(docs)
	// The vocabulary: every word, and the other features seen in at least
	// MinDF examples. Sorted hashes give stable indexes.
	hs := make([]uint64, 0, len(df))
	for h, n := range df {
		if n >= opts.MinDF || isWord[h] || n >= 1 && opts.MinDF <= 1 {
			hs = append(hs, h)
		}
	}
	// The most frequent features first: the rows every example touches sit
	// together in memory, so training and scoring miss the cache less.
	// Ties by hash: the same indexes every run.
	slices.SortFunc(hs, func(a, b uint64) int {
		if c := cmp.Compare(df[b], df[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	m.vocab = make(map[uint64]int32, len(hs))
	m.idf = make([]float32, len(hs))
	n := float64(len(docs))
	for i, h := range hs {
		m.vocab[h] = int32(i)
		m.idf[i] = float32(math.Log((1+n)/(1+float64(df[h]))) + 1)
	}
	slices.Sort(vocabWords)
	m.fuzzy = newFuzzyIndex(vocabWords)
	xs := make([]vector, len(docs))
	ys := make([]int, len(docs))
	ws := make([]float32, len(docs))
	for i := range docs {
		xs[i] = tfidfList(docs[i].raw, m.vocab, m.idf)
		ys[i], ws[i] = docs[i].intent, docs[i].weight
		docs[i].raw = nil
	}
	switch opts.Method {
	case LogReg:
		m.trainLogReg(xs, ys, ws)
	case Centroid:
		m.trainCentroid(xs, ys, ws)
	default:
		return nil, fmt.Errorf("nlu: unknown method %q", opts.Method)
	}
	return m, nil
}

// prepared is an example's words and features.
type prepared struct {
	words []Word
	feats []feature
}

// prepare extracts the words and features of every example, on every
// core: each example is read on its own, and the results keep the
// examples' order, so training stays deterministic.
func (m *Model) prepare(examples []Example) []prepared {
	out := make([]prepared, len(examples))
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, len(examples)/256))
	chunk := (len(examples) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			raw := bag{}
			for i := w * chunk; i < min(len(examples), (w+1)*chunk); i++ {
				norm := Normalize(examples[i].Text)
				if norm == "" {
					continue
				}
				words := Words(norm)
				clear(raw)
				m.ex.raw(words, raw.add)
				out[i] = prepared{words, raw.list()}
			}
		})
	}
	wg.Wait()
	return out
}

// Intents lists the intents the model knows, in training order.
func (m *Model) Intents() []string { return slices.Clone(m.intents) }

// Size is the model's vocabulary and examples, for the logs.
func (m *Model) Size() (features, intents, examples int) {
	return len(m.idf), len(m.intents), m.examples
}

// minGrad is the least gradient (probability error) applied to a class.
const minGrad = 1e-3

// trainLogReg fits softmax regression by SGD: examples visited in a fixed
// pseudo-random order, a learning rate decaying per epoch, L2 decay applied
// to the rows an example touches, classes weighted toward balance (an
// intent with 60 examples should not win over one with 12 only because it
// has more), the weights of the last epochs averaged.
func (m *Model) trainLogReg(xs []vector, ys []int, ws []float32) {
	C := len(m.intents)
	m.w = make([]float32, len(m.idf)*C)
	m.b = make([]float32, C)
	perClass := make([]float64, C)
	for _, y := range ys {
		perClass[y]++
	}
	classW := make([]float32, C)
	for c := range C {
		classW[c] = float32(math.Sqrt(float64(len(ys)) / (float64(C) * max(perClass[c], 1))))
	}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(m.opts.Seed, m.opts.Seed^0x9e3779b97f4a7c15))
	logits := make([]float32, C)
	probs := make([]float64, C)
	grad := make([]float32, C)
	active := make([]int, 0, C)
	var avg averager
	for epoch := range m.opts.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := float32(m.opts.Rate / (1 + 0.5*float64(epoch)))
		decay := 1 - rate*float32(m.opts.L2)
		for _, i := range order {
			x, y := xs[i], ys[i]
			m.scores(x, logits)
			for c, v := range logits {
				probs[c] = float64(v)
			}
			softmax(probs)
			scale := rate * ws[i] * classW[y]
			// Only the classes with a gradient worth applying are updated:
			// once the model knows an example, that is its own class and
			// the one or two it is confused with, not all of them.
			active = active[:0]
			for c := range C {
				g := float32(probs[c])
				if c == y {
					g--
				}
				if g > -minGrad && g < minGrad {
					continue
				}
				grad[c] = g * scale
				m.b[c] -= grad[c]
				active = append(active, c)
			}
			for k, j := range x.idx {
				row := m.w[int(j)*C : int(j)*C+C]
				xv := x.val[k]
				for _, c := range active {
					row[c] = row[c]*decay - grad[c]*xv
				}
			}
		}
		if epoch >= m.opts.Epochs-m.opts.Average {
			avg.add(m.w, m.b)
		}
	}
	avg.mean(m.w, m.b)
}

// averager sums snapshots of the weights, for their mean.
type averager struct {
	w, b []float32
	n    int
}

func (a *averager) add(w, b []float32) {
	if a.w == nil {
		a.w, a.b = make([]float32, len(w)), make([]float32, len(b))
	}
	for i, v := range w {
		a.w[i] += v
	}
	for i, v := range b {
		a.b[i] += v
	}
	a.n++
}

// mean writes the mean of the snapshots into w and b (nothing when none
// was taken).
func (a *averager) mean(w, b []float32) {
	if a.n == 0 {
		return
	}
	inv := 1 / float32(a.n)
	for i, v := range a.w {
		w[i] = v * inv
	}
	for i, v := range a.b {
		b[i] = v * inv
	}
}

// trainCentroid averages the examples of each intent.
func (m *Model) trainCentroid(xs []vector, ys []int, ws []float32) {
	C := len(m.intents)
	m.w = make([]float32, len(m.idf)*C)
	m.b = make([]float32, C)
	for i, x := range xs {
		for k, j := range x.idx {
			m.w[int(j)*C+ys[i]] += x.val[k] * ws[i]
		}
	}
	// Normalise each centroid.
	norms := make([]float64, C)
	for j := range m.idf {
		for c := range C {
			v := float64(m.w[j*C+c])
			norms[c] += v * v
		}
	}
	for j := range m.idf {
		for c := range C {
			if norms[c] > 0 {
				m.w[j*C+c] /= float32(math.Sqrt(norms[c]))
			}
		}
	}
}

// scores fills out with the raw score of each intent for x. It is the
// inner loop of training and of every classification: float32 rows, read
// in order.
func (m *Model) scores(x vector, out []float32) {
	C := len(m.intents)
	copy(out, m.b)
	out = out[:C]
	for k, j := range x.idx {
		row := m.w[int(j)*C : int(j)*C+C]
		xv := x.val[k]
		// Four at a time: the same sums in the same order per class (so
		// the same model), fewer loop and bounds checks.
		o := out[:len(row)]
		c := 0
		for ; c+4 <= len(row); c += 4 {
			r := row[c : c+4 : c+4]
			d := o[c : c+4 : c+4]
			d[0] += r[0] * xv
			d[1] += r[1] * xv
			d[2] += r[2] * xv
			d[3] += r[3] * xv
		}
		for ; c < len(row); c++ {
			o[c] += row[c] * xv
		}
	}
}

func softmax(v []float64) {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = max(mx, x)
	}
	var sum float64
	for i, x := range v {
		v[i] = math.Exp(x - mx)
		sum += v[i]
	}
	for i := range v {
		v[i] /= sum
	}
}

// Classify ranks the intents for text, in any language the model was
// taught (one model serves them all: people mix languages). Words the
// model never saw are matched to words one typo away.
func (m *Model) Classify(text string) Result {
	return m.ClassifyNormalized(Normalize(text))
}

// ClassifyNormalized is Classify of a text already normalised (Normalize),
// for a caller that reads the normalised text too.
func (m *Model) ClassifyNormalized(norm string) Result {
	return m.classify(Words(norm))
}

func (m *Model) classify(words []Word) Result {
	raw := bag{}
	// A word the model never saw may be a typo of one it did. When the
	// examples use one of the known words one edit away at least twice as
	// often as the others, the text is read with it ("codigo fical" as
	// "codigo fiscal": its letters and concepts, not only its word: held-out
	// questions with typos, `teamsbot eval --typos`, 72.0 → 76.3 % top-1);
	// otherwise their words are added beside it.
	read := words
	var units, knownUnits, guessed int
	var extra []string
	for i, w := range words {
		if w.Han {
			for _, r := range w.Text {
				units++
				if _, ok := m.vocab[hashOf(featHan1, string(r))]; ok {
					knownUnits++
				}
			}
			continue
		}
		if m.ex.stop[w.Text] || isNumber(w.Text) {
			continue
		}
		units++
		if _, ok := m.vocab[hashOf(featWord, w.Text)]; ok {
			knownUnits++
			continue
		}
		near := m.fuzzy.near(w.Text)
		if len(near) == 0 {
			continue
		}
		knownUnits++
		best := m.likeliest(near)
		if best == "" {
			extra = append(extra, near...)
			continue
		}
		if guessed == 0 {
			read = slices.Clone(words) // words stays as typed
		}
		read[i].Text = best
		guessed++
	}
	m.ex.raw(read, raw.add)
	for _, n := range extra {
		raw[hashOf(featWord, n)] = count{n: 1, scale: 0.8}
	}
	x, known := tfidf(raw, m.vocab, m.idf)
	res := Result{Known: known, Length: Length(words)}
	if units > 0 {
		res.KnownWords = float64(knownUnits) / float64(units)
		res.Guessed = float64(guessed) / float64(units)
	}
	if guessed > 0 {
		texts := make([]string, len(read))
		for i, w := range read {
			texts[i] = w.Text
		}
		res.Read = strings.Join(texts, " ")
	}
	if len(x.idx) == 0 {
		return res
	}
	raw32 := make([]float32, len(m.intents))
	m.scores(x, raw32)
	scores := make([]float64, len(raw32))
	for c, v := range raw32 {
		scores[c] = float64(v)
		if m.opts.Method == Centroid {
			scores[c] /= m.opts.Temperature
		}
	}
	softmax(scores)
	res.Ranked = make([]Prediction, len(scores))
	for c, p := range scores {
		res.Ranked[c] = Prediction{m.intents[c], p}
	}
	sort.SliceStable(res.Ranked, func(i, j int) bool { return res.Ranked[i].P > res.Ranked[j].P })
	return res
}

// likeliest is the word of near that examples use at least twice as often
// as any other, or "".
func (m *Model) likeliest(near []string) string {
	best, bestIDF, second := "", float32(math.Inf(1)), float32(math.Inf(1))
	for _, n := range near {
		j, ok := m.vocab[hashOf(featWord, n)]
		if !ok {
			continue
		}
		switch v := m.idf[j]; {
		case v < bestIDF:
			best, bestIDF, second = n, v, bestIDF
		case v < second:
			second = v
		}
	}
	if best == "" || second-bestIDF < float32(math.Ln2) && !math.IsInf(float64(second), 1) {
		return ""
	}
	return best
}

// hanFeature reports whether h is a character or character pair of the
// Han run.
func hanFeature(run string, h uint64) bool {
	var prev string
	for _, r := range run {
		c := string(r)
		if hashOf(featHan1, c) == h || prev != "" && hashOf(featHan2, prev+c) == h {
			return true
		}
		prev = c
	}
	return false
}
