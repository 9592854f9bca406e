package understand

import (
	"context"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"teamsbot/nlu"
)

// Embedder turns texts into vectors whose cosine says how close their
// meanings are: an OpenAI-compatible embeddings endpoint, e.g. a
// self-hosted multilingual model (TEAMSBOT_EMBEDDINGS_URL). It is optional
// and off by default; the built-in classifier meets the bot's figures alone.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedBudget bounds the wait for the embedding of one message: past it
// the built-in classifier answers alone, so a slow or failing endpoint
// never delays a turn by more than this.
const EmbedBudget = 150 * time.Millisecond

// semantic is the embeddings' second opinion: the examples' vectors, and
// the nearest examples of a message by cosine.
type semantic struct {
	e        Embedder
	texts    []string
	intents  []string
	mu       sync.RWMutex
	vecs     [][]float32 // normalised, parallel to texts once Warm is done
	ready    atomic.Bool
	Failures atomic.Int64
}

func newSemantic(e Embedder, train []nlu.Example) *semantic {
	s := &semantic{e: e}
	for _, x := range train {
		if x.Weight == 0 || x.Weight >= 1 { // examples, not titles and keywords
			s.texts = append(s.texts, x.Text)
			s.intents = append(s.intents, x.Intent)
		}
	}
	return s
}

// warm embeds every example, in batches.
func (s *semantic) warm(ctx context.Context) error {
	const batch = 64
	vecs := make([][]float32, 0, len(s.texts))
	for i := 0; i < len(s.texts); i += batch {
		out, err := s.e.Embed(ctx, s.texts[i:min(i+batch, len(s.texts))])
		if err != nil {
			return err
		}
		for _, v := range out {
			vecs = append(vecs, normalized(v))
		}
	}
	s.mu.Lock()
	s.vecs = vecs
	s.mu.Unlock()
	s.ready.Store(len(vecs) == len(s.texts))
	return nil
}

// Warm embeds the examples with the embeddings endpoint, if one is
// configured; until it is done the classifier answers alone. serve runs it
// in the background; eval waits for it.
func (u *Understander) Warm(ctx context.Context) error {
	if u == nil || u.sem == nil {
		return nil
	}
	return u.sem.warm(ctx)
}

// blend mixes the classifier's probabilities with the embeddings' nearest
// examples, half and half. On any failure, or past EmbedBudget, it returns
// the classifier's result unchanged.
func (s *semantic) blend(ctx context.Context, text string, c nlu.Result) nlu.Result {
	if !s.ready.Load() || len(c.Ranked) == 0 {
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, EmbedBudget)
	defer cancel()
	out, err := s.e.Embed(ctx, []string{text})
	if err != nil || len(out) != 1 {
		s.Failures.Add(1)
		return c
	}
	q := normalized(out[0])
	s.mu.RLock()
	best := map[string]float64{}
	for i, v := range s.vecs {
		if len(v) != len(q) {
			continue
		}
		var dot float64
		for k := range v {
			dot += float64(v[k]) * float64(q[k])
		}
		if dot > best[s.intents[i]] {
			best[s.intents[i]] = dot
		}
	}
	s.mu.RUnlock()
	// The nearest example of each intent, as a softmax over intents.
	const temperature = 0.05
	var sum float64
	sem := map[string]float64{}
	for id, sim := range best {
		sem[id] = math.Exp((sim - 1) / temperature)
		sum += sem[id]
	}
	if sum == 0 {
		return c
	}
	res := c
	res.Ranked = make([]nlu.Prediction, len(c.Ranked))
	for i, p := range c.Ranked {
		res.Ranked[i] = nlu.Prediction{Intent: p.Intent, P: 0.5*p.P + 0.5*sem[p.Intent]/sum}
	}
	sort.SliceStable(res.Ranked, func(i, j int) bool { return res.Ranked[i].P > res.Ranked[j].P })
	return res
}

func normalized(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// WithEmbedder returns an Understander that asks e for a second opinion,
// sharing u's model. Call Warm before it serves (serve does, in the
// background); until then it answers as u.
func (u *Understander) WithEmbedder(e Embedder) *Understander {
	v := *u
	var train []nlu.Example
	for _, x := range u.Examples {
		train = append(train, nlu.Example{Intent: x.Intent, Lang: x.Lang, Text: x.Text})
	}
	v.sem = newSemantic(e, train)
	return &v
}

// EmbedFailures is how many messages the embeddings endpoint failed or was
// too slow for (the classifier answered alone).
func (u *Understander) EmbedFailures() int64 {
	if u.sem == nil {
		return 0
	}
	return u.sem.Failures.Load()
}
