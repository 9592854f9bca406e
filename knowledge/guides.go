package knowledge

import (
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// GuideTopics are the topics guides are browsed by (the procedures flow's
// first question).
var GuideTopics = []string{"permits", "health", "documents"}

// Source is an official page a guide was checked against.
type Source struct {
	URL string
	// Read is the day the page was read (YYYY-MM-DD).
	Read string
	// Supports says which facts of the guide the page confirms.
	Supports string
}

// Guide explains a procedure, in every launch language.
type Guide struct {
	ID string
	// Topic groups the guide for browsing: permits, health (and school),
	// documents (and work); the procedures flow offers one topic at a time.
	Topic string
	// Order places the guide in its topic's list (lower first).
	Order int
	// Urgent marks a guide someone in danger needs (emergency and
	// anti-violence numbers): free text that points to it first is
	// answered with it at once, without "did you mean".
	Urgent bool
	// AtOnceFrom, when not 0, is the probability from which free text that
	// points to the guide first is answered with it at once, at the menu
	// (the night doctor: a parent at 2 a.m. should not choose from a
	// one-button list; as urgent, likely was too little).
	AtOnceFrom  float64
	Offices     []string // kinds of place to go to
	OfficialURL string
	Checked     string
	Source      string
	// Sources are the official pages the guide was checked against; each
	// fact of the guide is on one of them, or listed in Unverified.
	Sources []Source
	// Unverified lists what no official page confirmed: the bot says
	// plainly that the guide is not fully checked.
	Unverified []string
	Keywords   map[string][]string
	Title      map[string]string
	Summary    map[string]string
	Steps      map[string][]string
	Documents  map[string][]string
	File       string
	Line       int
}

// Text returns a guide's text in lang, falling back to English then Italian.
func pick[T any](m map[string]T, lang string) T {
	for _, l := range []string{lang, "en", "it"} {
		if v, ok := m[l]; ok {
			return v
		}
	}
	var zero T
	return zero
}

// Verified reports whether every fact of the guide is on an official page
// it cites.
func (g *Guide) Verified() bool { return len(g.Sources) > 0 && len(g.Unverified) == 0 }

// TitleIn is the guide's title in lang.
func (g *Guide) TitleIn(lang string) string { return pick(g.Title, lang) }

// SummaryIn is the guide's summary in lang.
func (g *Guide) SummaryIn(lang string) string { return pick(g.Summary, lang) }

// StepsIn are the guide's steps in lang.
func (g *Guide) StepsIn(lang string) []string { return pick(g.Steps, lang) }

// DocumentsIn are the documents to bring, in lang.
func (g *Guide) DocumentsIn(lang string) []string { return pick(g.Documents, lang) }

var guideKeys = []string{"id", "topic", "order", "urgent", "at_once_from", "offices", "official_url", "checked", "source", "sources", "unverified", "keywords", "title", "summary", "steps", "documents"}

// loadGuides reads every guides/*.yaml.
func loadGuides(fsys fs.FS, langs Languages, dir string, kinds map[string]*Kind) ([]*Guide, []error) {
	var out []*Guide
	var errs []error
	eachYAML(fsys, dir, &errs, func(name string, root *yaml.Node) {
		is := &issues{file: name, langs: langs}
		is.checkKeys(root, "a guide", guideKeys...)
		g := &Guide{File: name, Line: root.Line}
		var head struct {
			ID          string   `yaml:"id"`
			Topic       string   `yaml:"topic"`
			Order       int      `yaml:"order"`
			Urgent      bool     `yaml:"urgent"`
			AtOnceFrom  float64  `yaml:"at_once_from"`
			Offices     []string `yaml:"offices"`
			OfficialURL string   `yaml:"official_url"`
			Checked     string   `yaml:"checked"`
			Source      string   `yaml:"source"`
			Sources     []struct {
				URL      string `yaml:"url"`
				Read     string `yaml:"read"`
				Supports string `yaml:"supports"`
			} `yaml:"sources"`
			Unverified []string `yaml:"unverified"`
		}
		if err := root.Decode(&head); err != nil {
			is.at(root.Line, "guide: %v", strings.TrimPrefix(err.Error(), "yaml: "))
			errs = append(errs, is.list...)
			return
		}
		g.ID, g.Offices, g.OfficialURL, g.Checked, g.Source = head.ID, head.Offices, head.OfficialURL, head.Checked, head.Source
		line := func(key string) int {
			if f := field(root, key); f != nil {
				return f.Line
			}
			return root.Line
		}
		g.Unverified = head.Unverified
		g.Topic, g.Order, g.Urgent, g.AtOnceFrom = head.Topic, head.Order, head.Urgent, head.AtOnceFrom
		if g.AtOnceFrom < 0 || g.AtOnceFrom >= 1 {
			is.at(line("at_once_from"), "guide %s: at_once_from %v: write a probability between 0 and 1", g.ID, g.AtOnceFrom)
		}
		if !slices.Contains(GuideTopics, g.Topic) {
			is.at(line("topic"), "guide %s: topic %q: write one of %s", g.ID, g.Topic, strings.Join(GuideTopics, ", "))
		}
		for i, src := range head.Sources {
			ln := line("sources")
			if f := field(root, "sources"); f != nil && i < len(f.Content) {
				ln = f.Content[i].Line
			}
			if u, err := url.Parse(src.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
				is.at(ln, "guide %s: source %q must be the address of a specific page, not a home page", g.ID, src.URL)
			}
			if !dateRE.MatchString(src.Read) {
				is.at(ln, "guide %s: source %s: read %q: write the day the page was read, YYYY-MM-DD", g.ID, src.URL, src.Read)
			}
			g.Sources = append(g.Sources, Source{URL: src.URL, Read: src.Read, Supports: src.Supports})
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); g.ID != want {
			is.at(line("id"), "guide id %q does not match its file name %s", g.ID, path.Base(name))
		}
		for _, k := range g.Offices {
			if _, ok := kinds[k]; !ok {
				is.at(line("offices"), "guide %s: unknown kind of office %q", g.ID, k)
			}
		}
		if u, err := url.Parse(g.OfficialURL); err != nil || u.Scheme != "https" || u.Host == "" {
			is.at(line("official_url"), "guide %s: official_url %q must be an https address", g.ID, g.OfficialURL)
		}
		if !dateRE.MatchString(g.Checked) {
			is.at(line("checked"), "guide %s: checked %q: write the date it was last checked, YYYY-MM-DD", g.ID, g.Checked)
		}
		if strings.TrimSpace(g.Source) == "" && len(g.Sources) == 0 {
			is.at(line("id"), "guide %s has no source", g.ID)
		}
		g.Title = is.texts(field(root, "title"), "title", 24)
		g.Summary = is.texts(field(root, "summary"), "summary", 400)
		g.Steps = is.lists(field(root, "steps"), "steps", 200)
		g.Documents = is.lists(field(root, "documents"), "documents", 200)
		g.Keywords = is.lists(field(root, "keywords"), "keywords", 0)
		errs = append(errs, is.list...)
		if !slices.ContainsFunc(is.list, func(e error) bool { return !e.(Issue).Warning }) {
			out = append(out, g)
		}
	})
	return out, errs
}
