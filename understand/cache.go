package understand

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	read   bool // from a saved file, not trained
}

// trained returns the classifier and language detector of the examples
// and texts, training them unless this process already has, or unless dir
// (when not "") holds them saved by an earlier process.
func trained(train []nlu.Example, texts map[string][]string, opts nlu.Options, fresh bool, dir string) (*nlu.Model, *nlu.LangID, bool, error) {
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
		if dir != "" && !fresh {
			m, l, err := readSaved(dir, key, opts)
			if err == nil {
				md.m, md.langid, md.read = m, l, true
				return
			}
			if !errors.Is(err, fs.ErrNotExist) {
				os.Remove(savedPath(dir, key)) // damaged: trained again below, and saved
			}
		}
		// The language detector trains beside the classifier: start takes
		// the longer of the two, not their sum.
		done := make(chan *nlu.LangID, 1)
		go func() { done <- nlu.TrainLangID(texts) }()
		md.m, md.err = nlu.Train(train, opts)
		md.langid = <-done
	})
	if dir != "" && md.err == nil && !md.read {
		// Trained here (now or by an earlier load of this process): saved
		// unless the folder has it. Best effort: a folder that cannot be
		// written costs the next start its training, nothing else.
		if _, err := os.Stat(savedPath(dir, key)); err != nil {
			_ = save(dir, key, md.m, md.langid)
		}
	}
	return md.m, md.langid, md.read, md.err
}

// savedPrefix and savedExt name the saved models in a folder:
// model-<digest>.nlu.
const savedPrefix, savedExt = "model-", ".nlu"

func savedPath(dir string, key [32]byte) string {
	return filepath.Join(dir, savedPrefix+hex.EncodeToString(key[:])+savedExt)
}

func readSaved(dir string, key [32]byte, opts nlu.Options) (*nlu.Model, *nlu.LangID, error) {
	f, err := os.Open(savedPath(dir, key))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return nlu.ReadSaved(f, opts)
}

// save writes the model under its digest, whole or not at all (a
// temporary file renamed into place: a replica starting at the same time
// reads the old file or the new one), then removes the models of other
// content, which no start will read again.
func save(dir string, key [32]byte, m *nlu.Model, l *nlu.LangID) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, savedPrefix+"*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := nlu.WriteSaved(tmp, m, l); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	path := savedPath(dir, key)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, savedPrefix+"*"+savedExt))
	for _, o := range old {
		if o != path {
			os.Remove(o)
		}
	}
	return nil
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
	// The options as Train will use them, defaults filled in, and the
	// version of the training: a model saved before a default or the code
	// changed is not this one.
	o := opts.Effective()
	o.Stop = nil
	str(nlu.Version)
	str(fmt.Sprintf("%+v", o))
	str(strings.Join(stop, "\x01"))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
