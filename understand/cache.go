package understand

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"

	"teamsbot/nlu"
)

// Models are deterministic: the same examples, texts and options give the
// same model. A process that loads the same content twice (the tests, a
// command that loads content more than once) trains once: models are kept
// by a digest of everything they are trained from.
var models struct {
	sync.Mutex
	byKey map[[32]byte]*model
	order [][32]byte
}

// maxModels bounds the models kept (each is ~20 MB).
const maxModels = 2

type model struct {
	once   sync.Once
	m      *nlu.Model
	langid *nlu.LangID
	err    error
}

// trained returns the classifier and language detector of the examples
// and texts, training them unless this process already has.
func trained(train []nlu.Example, texts map[string][]string, opts nlu.Options, fresh bool) (*nlu.Model, *nlu.LangID, error) {
	key := digest(train, texts, opts)
	models.Lock()
	if fresh {
		delete(models.byKey, key)
	}
	if models.byKey == nil {
		models.byKey = map[[32]byte]*model{}
	}
	md := models.byKey[key]
	if md == nil {
		md = &model{}
		models.byKey[key] = md
		models.order = append(models.order, key)
		if len(models.order) > maxModels {
			delete(models.byKey, models.order[0])
			models.order = models.order[1:]
		}
	}
	models.Unlock()
	md.once.Do(func() {
		// The language detector trains beside the classifier: start takes
		// the longer of the two, not their sum.
		done := make(chan *nlu.LangID, 1)
		go func() { done <- nlu.TrainLangID(texts) }()
		md.m, md.err = nlu.Train(train, opts)
		md.langid = <-done
	})
	return md.m, md.langid, md.err
}

func digest(train []nlu.Example, texts map[string][]string, opts nlu.Options) [32]byte {
	h := sha256.New()
	str := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	for _, e := range train {
		str(e.Intent)
		str(e.Lang)
		str(e.Text)
		str(fmt.Sprint(e.Weight))
	}
	langs := make([]string, 0, len(texts))
	for l := range texts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		str(l)
		str(strings.Join(texts[l], "\x00"))
	}
	stop := make([]string, 0, len(opts.Stop))
	for l, ws := range opts.Stop {
		stop = append(stop, l+"\x00"+strings.Join(ws, "\x00"))
	}
	slices.Sort(stop)
	o := opts
	o.Stop = nil
	str(fmt.Sprintf("%+v", o))
	str(strings.Join(stop, "\x01"))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
