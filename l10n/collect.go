package l10n

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Unit is one text to translate.
type Unit struct {
	// Key names the text: "locales:<id>" for a locale message (with
	// "#<form>" for a plural form), "<file>:<path>" for a knowledge value
	// ("knowledge/guides/tax_code.yaml:steps.2"). It is stable across
	// exports: translators' tools match texts by it.
	Key string
	// Source is the English text, Italian the Italian one.
	Source, Italian string
	// Text is the language's text ("" when it has none yet).
	Text string
	// Where says where users see the text.
	Where string
	// Limit is the most characters the text may have (0: no limit).
	Limit int
	// List marks search words: several forms separated by " | ".
	List bool
}

// Sep joins the items of a list unit.
const Sep = " | "

// Content is where the texts are read from.
type Content struct {
	// Locales holds <code>.yaml; Knowledge the knowledge files. Glossary
	// (locales/glossary.yaml) is read from Locales.
	Locales, Knowledge fs.FS
	// Reference and Italian are the source languages (default en, it).
	Reference, Italian string
	// Limits gives the longest a locale message may be, by id.
	Limits map[string]Limit
	// Plural names the language whose CLDR plural rules a language
	// follows, when it is not its own (prs → fa).
	Plural map[string]string
}

// Limit is a length limit and what imposes it.
type Limit struct {
	N    int
	What string
}

func (c *Content) defaults() {
	if c.Reference == "" {
		c.Reference = "en"
	}
	if c.Italian == "" {
		c.Italian = "it"
	}
}

var langCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// Forms lists the CLDR cardinal plural forms lang uses, "other" last.
func Forms(lang string) []string {
	tag, err := language.Parse(lang)
	if err != nil {
		return []string{"other"}
	}
	seen := map[plural.Form]bool{}
	for n := range 1001 {
		seen[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
	}
	seen[plural.Cardinal.MatchPlural(tag, 1000000, 0, 0, 0, 0)] = true
	var out []string
	for _, f := range []struct {
		f    plural.Form
		name string
	}{{plural.Zero, "zero"}, {plural.One, "one"}, {plural.Two, "two"}, {plural.Few, "few"}, {plural.Many, "many"}} {
		if seen[f.f] {
			out = append(out, f.name)
		}
	}
	return append(out, "other")
}

// Collect lists every text of lang, locale messages first (in the order of
// the reference file), then the knowledge files in path order.
func Collect(c Content, lang string) ([]Unit, error) {
	c.defaults()
	if !langCode.MatchString(lang) {
		return nil, fmt.Errorf("%q is not a language code (two or three lower-case letters: uk, prs)", lang)
	}
	units, err := localeUnits(c, lang)
	if err != nil {
		return nil, err
	}
	files, err := knowledgeFiles(c)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		us, err := fileUnits(f.name, f.raw, c, lang)
		if err != nil {
			return nil, err
		}
		units = append(units, us...)
	}
	return units, nil
}

type file struct {
	name string // as keys name it: "knowledge/guides/x.yaml", "locales/glossary.yaml"
	raw  []byte
}

// knowledgeFiles reads every knowledge YAML file and the glossary.
func knowledgeFiles(c Content) ([]file, error) {
	var out []file
	err := fs.WalkDir(c.Knowledge, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return fs.SkipDir
		}
		if d.IsDir() || path.Ext(p) != ".yaml" {
			return nil
		}
		raw, err := fs.ReadFile(c.Knowledge, p)
		if err != nil {
			return err
		}
		out = append(out, file{"knowledge/" + p, raw})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if raw, err := fs.ReadFile(c.Locales, "glossary.yaml"); err == nil {
		out = append(out, file{"locales/glossary.yaml", raw})
	}
	return out, nil
}

// message is a locale message: a text, or plural forms.
type message struct {
	id    string
	text  string
	forms map[string]string
	line  int
}

// readMessages reads a flat message file.
func readMessages(raw []byte) ([]message, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: a message file is a mapping of ids to texts", root.Line)
	}
	var out []message
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		m := message{id: k.Value, line: k.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			m.text = v.Value
		case yaml.MappingNode:
			m.forms = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				m.forms[v.Content[j].Value] = v.Content[j+1].Value
			}
		default:
			return nil, fmt.Errorf("line %d: %s is neither a text nor plural forms", k.Line, k.Value)
		}
		out = append(out, m)
	}
	return out, nil
}

func messageMap(ms []message) map[string]message {
	out := make(map[string]message, len(ms))
	for _, m := range ms {
		out[m.id] = m
	}
	return out
}

func readLocale(fsys fs.FS, lang string) ([]message, error) {
	raw, err := fs.ReadFile(fsys, lang+".yaml")
	if err != nil {
		if errorsIsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	ms, err := readMessages(raw)
	if err != nil {
		return nil, fmt.Errorf("locales/%s.yaml: %w", lang, err)
	}
	return ms, nil
}

func localeUnits(c Content, lang string) ([]Unit, error) {
	ref, err := readLocale(c.Locales, c.Reference)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, fmt.Errorf("locales/%s.yaml: the reference language's texts are missing", c.Reference)
	}
	itMsgs, err := readLocale(c.Locales, c.Italian)
	if err != nil {
		return nil, err
	}
	own, err := readLocale(c.Locales, lang)
	if err != nil {
		return nil, err
	}
	it, mine := messageMap(itMsgs), messageMap(own)
	forms := Forms(pluralOf(c, lang))
	var out []Unit
	for _, m := range ref {
		lim := c.Limits[m.id]
		where := "message " + m.id
		if lim.What != "" {
			where += " (" + lim.What + ")"
		}
		if m.forms == nil {
			out = append(out, Unit{Key: "locales:" + m.id, Source: m.text, Italian: it[m.id].text, Text: mine[m.id].text, Where: where, Limit: lim.N})
			continue
		}
		for _, f := range forms {
			src, itText := pick(m.forms, f), pick(it[m.id].forms, f)
			out = append(out, Unit{Key: "locales:" + m.id + "#" + f, Source: src, Italian: itText, Text: mine[m.id].forms[f],
				Where: where + ", plural form " + f, Limit: lim.N})
		}
	}
	return out, nil
}

// pick is the source text for plural form f: the form itself, or "one"
// for zero, two and few, and "other" for the rest.
func pick(forms map[string]string, f string) string {
	if s, ok := forms[f]; ok {
		return s
	}
	if f == "zero" || f == "two" || f == "few" {
		if s, ok := forms["one"]; ok && f != "zero" {
			return s
		}
	}
	return forms["other"]
}

func pluralOf(c Content, lang string) string {
	if p := c.Plural[lang]; p != "" {
		return p
	}
	return lang
}

// listKeys name multilingual values that are search words, not sentences.
var listKeys = map[string]bool{"keywords": true, "avoid": true}

// limitOf is the longest a knowledge value may be, as the knowledge
// loader checks it: names and titles go on a list row; summaries, steps and
// descriptions must stay readable on a phone.
func limitOf(name string, p []string, key string) Limit {
	guide := strings.Contains(name, "/guides/")
	activities := strings.HasSuffix(name, "/activities.yaml")
	switch {
	case key == "name" && strings.HasSuffix(name, "/kinds.yaml"),
		key == "title" && (guide || activities):
		return Limit{24, "a list row"}
	case key == "summary" && guide:
		return Limit{400, "a guide's summary"}
	case (key == "steps" || key == "documents") && guide:
		return Limit{200, "an item of a guide"}
	case key == "description" && activities && len(p) > 0 && p[0] == "activities":
		return Limit{300, "an activity's description"}
	case key == "text" && strings.HasSuffix(name, "/routes.yaml"):
		return Limit{400, "a route"}
	}
	return Limit{}
}

// fileUnits lists the multilingual values of one knowledge file.
func fileUnits(name string, raw []byte, c Content, lang string) ([]Unit, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []Unit
	var walk func(n *yaml.Node, p []string, where string)
	walk = func(n *yaml.Node, p []string, where string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, x := range n.Content {
				walk(x, p, where)
			}
		case yaml.SequenceNode:
			for i, x := range n.Content {
				w := where
				if id := field(x, "id"); id != "" {
					w = id
				}
				walk(x, append(slices.Clone(p), strconv.Itoa(i)), w)
			}
		case yaml.MappingNode:
			if vals, ok := multilingual(n, c); ok {
				out = append(out, valueUnits(name, p, where, vals, c, lang)...)
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				w := where
				if len(p) == 1 {
					w = k // a kind, a route, a glossary term
				}
				walk(n.Content[i+1], append(slices.Clone(p), k), w)
			}
		}
	}
	walk(&doc, nil, "")
	return out, nil
}

// field is the scalar value of key k in mapping n.
func field(n *yaml.Node, k string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// multilingual reports whether n maps language codes to texts: every key
// a language code, the reference and Italian among them.
func multilingual(n *yaml.Node, c Content) (map[string]*yaml.Node, bool) {
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !langCode.MatchString(k.Value) {
			return nil, false
		}
		if v.Kind == yaml.MappingNode {
			return nil, false
		}
		vals[k.Value] = v
	}
	_, en := vals[c.Reference]
	_, it := vals[c.Italian]
	return vals, en && it
}

func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, x := range n.Content {
		out = append(out, x.Value)
	}
	return out
}

func valueUnits(name string, p []string, where string, vals map[string]*yaml.Node, c Content, lang string) []Unit {
	key := name + ":" + strings.Join(p, ".")
	last := ""
	if len(p) > 0 {
		last = p[len(p)-1]
	}
	w := strings.Join(strings.Fields(strings.TrimSuffix(path.Base(name), ".yaml")+" "+where+" "+last), " ")
	en, it, own := vals[c.Reference], vals[c.Italian], vals[lang]
	lim := limitOf(name, p, last)
	if en.Kind == yaml.ScalarNode {
		return []Unit{{Key: key, Source: en.Value, Italian: one(it), Text: one(own), Where: w, Limit: lim.N}}
	}
	if listKeys[last] {
		return []Unit{{Key: key, Source: strings.Join(scalars(en), Sep), Italian: strings.Join(scalars(it), Sep),
			Text: strings.Join(scalars(own), Sep), Where: w + " (search words)", List: true}}
	}
	itItems, ownItems := scalars(it), scalars(own)
	var out []Unit
	for i, s := range scalars(en) {
		u := Unit{Key: key + "." + strconv.Itoa(i), Source: s, Where: fmt.Sprintf("%s, item %d", w, i+1), Limit: lim.N}
		if i < len(itItems) {
			u.Italian = itItems[i]
		}
		if i < len(ownItems) {
			u.Text = ownItems[i]
		}
		out = append(out, u)
	}
	return out
}

func one(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// splitList splits a list unit's text into its items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func errorsIsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
