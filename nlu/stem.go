package nlu

import (
	"sync"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
)

// snowball are the Snowball stemmers, by language code. A language of the
// content whose code is here is stemmed with no code to write; the others
// rely on character n-grams, which serve inflected languages almost as well.
var snowball = map[string]func(*snowballstem.Env) bool{
	"ar": arabic.Stem,
	"de": german.Stem,
	"en": english.Stem,
	"es": spanish.Stem,
	"fr": french.Stem,
	"it": italian.Stem,
	"pt": portuguese.Stem,
	"ro": romanian.Stem,
	"ru": russian.Stem,
}

// HasStemmer reports whether texts in lang are stemmed.
func HasStemmer(lang string) bool { _, ok := snowball[lang]; return ok }

// stemmer returns a concurrency-safe stemming function for lang, or nil.
func stemmer(lang string) func(string) string {
	stem, ok := snowball[lang]
	if !ok {
		return nil
	}
	pool := sync.Pool{New: func() any { return snowballstem.NewEnv("") }}
	return func(w string) string {
		env := pool.Get().(*snowballstem.Env)
		env.SetCurrent(w)
		stem(env)
		s := env.Current()
		pool.Put(env)
		return s
	}
}

func newExtractor(cfg Features, stop map[string][]string) extractor {
	x := extractor{cfg: cfg, stop: map[string]bool{}, stems: map[string]func(string) string{}}
	for _, words := range stop {
		for _, w := range words {
			if f := Normalize(w); f != "" {
				x.stop[f] = true
			}
		}
	}
	for lang := range snowball {
		x.stems[lang] = stemmer(lang)
	}
	return x
}
