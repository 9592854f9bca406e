package locales

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"teamsbot/internal/fold"
	"text/template"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"teamsbot/bot"
	"teamsbot/bot/flow"
)

// Settings is languages.yaml: which languages are offered, in what order,
// and how missing texts fall back.
type Settings struct {
	// Languages in the order the language question shows them.
	Languages []string `yaml:"languages"`
	// Reference is the language every message must exist in; coverage is
	// measured against it.
	Reference string `yaml:"reference"`
	// Fallback is tried, in order, when a message is missing in the user's
	// language.
	Fallback []string `yaml:"fallback"`
	// Preparing are languages being translated: loaded, checked (a missing
	// text is a warning) and measured, but not offered to users until they
	// move to Languages, where every text must exist.
	Preparing []string `yaml:"preparing"`
	// About is what the bot knows of each language besides its texts.
	About map[string]About `yaml:"about"`
}

// About is what the bot needs to know of a language besides its texts
// (<code>.yaml) and the words of its answers (words/<code>.yaml). Every
// field is optional.
type About struct {
	// Italian is the language's name in Italian, for operators and offices.
	Italian string `yaml:"italian"`
	// Names are what people call the language in the other languages
	// offered ("english", "anglais", "الإنجليزية", "英语"): "scrivi in
	// inglese", "parlez anglais svp" switch to it at once.
	Names []string `yaml:"names"`
	// WhatsApp is the code of the language in WhatsApp message templates
	// (Meta's list: "zh_CN"), when it is not the language's code.
	WhatsApp string `yaml:"whatsapp"`
	// Script is a Unicode script only this language is written in among
	// those offered ("Arabic", "Han"): a first message in it picks the
	// language.
	Script string `yaml:"script"`
	// Countries are the calling codes (without "+") of the countries whose
	// people most likely read this language: a WhatsApp user's first guess.
	Countries []string `yaml:"countries"`
	// Plural is the language whose CLDR plural rules this one follows, when
	// CLDR has none under its own code (Dari, prs, follows Persian, fa).
	Plural string `yaml:"plural"`
	// Review says how the texts were produced and checked, when a native
	// speaker has not reviewed them yet ("machine translation, checked by
	// back-translation"): lint lists such languages, so a content team
	// knows what still needs a reader.
	Review string `yaml:"review"`
}

// Catalog serves the texts. It implements bot.Translator and is safe for
// concurrent use (it is never modified after Load).
type Catalog struct {
	settings Settings
	langs    []bot.Language
	matcher  language.Matcher
	// msgs[lang][id] is the message; plain holds texts without template or
	// plural forms, served without going through go-i18n at all (most texts).
	msgs      map[string]map[string]*entry
	fallbacks atomic.Int64
	onMissing func(lang, id string)
}

type entry struct {
	file  string
	line  int
	plain string
	msg   *i18n.Message
	tmpl  bool
	tag   language.Tag
	// forms executes the message's parsed template of each CLDR plural form
	// present ("one", "other", ...). Built once at load time: go-i18n's
	// Localize matches languages on every call, which costs about 25 µs a
	// text, more than the rest of a turn.
	forms map[string]func(data any) (string, error)
}

// Options tune Load.
type Options struct {
	// OnMissing is called each time a text falls back to another language
	// (for a metric).
	OnMissing func(lang, id string)
}

// Load reads languages.yaml and every language file from fsys. Problems come
// back as issues with file and line; the Catalog is nil when any is an error.
func Load(fsys fs.FS, opts ...Options) (*Catalog, flow.Issues) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var issues flow.Issues
	raw, err := fs.ReadFile(fsys, "languages.yaml")
	if err != nil {
		return nil, flow.Issues{{File: "languages.yaml", Severity: flow.Error, Code: "read", Msg: err.Error()}}
	}
	var st Settings
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&st); err != nil {
		return nil, yamlIssues("languages.yaml", err)
	}
	issues = append(issues, checkAbout(st, aboutLines(raw))...)
	if len(st.Languages) == 0 {
		issues = append(issues, flow.Issue{File: "languages.yaml", Line: 1, Severity: flow.Error, Code: "no-languages", Msg: "languages: lists no language"})
	}
	if st.Reference == "" {
		st.Reference = "en"
	}
	if !slices.Contains(st.Languages, st.Reference) {
		issues = append(issues, flow.Issue{File: "languages.yaml", Line: 1, Severity: flow.Error, Code: "bad-reference", Msg: fmt.Sprintf("reference language %q is not in languages:", st.Reference)})
	}
	c := &Catalog{settings: st, msgs: map[string]map[string]*entry{}, onMissing: o.OnMissing}
	bundle := i18n.NewBundle(language.Make(st.Reference))
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	var tags []language.Tag
	for _, code := range slices.Concat(st.Languages, st.Preparing) {
		preparing := slices.Contains(st.Preparing, code)
		if preparing && slices.Contains(st.Languages, code) {
			issues = append(issues, flow.Issue{File: "languages.yaml", Line: 1, Severity: flow.Error, Code: "bad-language", Msg: fmt.Sprintf("%s is listed both in languages: and in preparing:", code)})
			continue
		}
		tag, err := language.Parse(code)
		if err != nil {
			issues = append(issues, flow.Issue{File: "languages.yaml", Line: 1, Severity: flow.Error, Code: "bad-language", Msg: fmt.Sprintf("%q is not a language code", code)})
			continue
		}
		pluralTag := tag
		if p := st.About[code].Plural; p != "" {
			pluralTag = language.Make(p)
		}
		path := code + ".yaml"
		buf, err := fs.ReadFile(fsys, path)
		if err != nil {
			issues = append(issues, flow.Issue{File: path, Severity: flow.Error, Code: "missing-file", Msg: fmt.Sprintf("language %s is listed in languages.yaml but %s cannot be read: %v", code, path, err)})
			continue
		}
		lines, is := idLines(path, buf)
		issues = append(issues, is...)
		if len(is.Errors()) > 0 {
			continue
		}
		// go-i18n reads the language from the file name, and needs CLDR
		// plural rules for it: a language that borrows another's rules is
		// parsed under that one's name.
		parseAs := path
		if p := st.About[code].Plural; p != "" {
			parseAs = p + ".yaml"
		}
		mf, err := bundle.ParseMessageFileBytes(buf, parseAs)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "no plural rule") {
				msg += fmt.Sprintf(": CLDR has no plural rules for %s; say whose it follows under about: %s: plural: in languages.yaml", code, code)
			}
			issues = append(issues, flow.Issue{File: path, Severity: flow.Error, Code: "messages", Msg: msg})
			continue
		}
		m := make(map[string]*entry, len(mf.Messages))
		for _, msg := range mf.Messages {
			e := &entry{file: path, line: lines[msg.ID], msg: msg, tag: pluralTag}
			mt := i18n.NewMessageTemplate(msg)
			e.forms = make(map[string]func(any) (string, error), len(mt.PluralTemplates))
			for form := range mt.PluralTemplates {
				e.forms[string(form)] = func(data any) (string, error) { return mt.Execute(form, data, nil) }
			}
			forms := []string{msg.Zero, msg.One, msg.Two, msg.Few, msg.Many, msg.Other}
			for _, f := range forms {
				if strings.Contains(f, "{{") {
					e.tmpl = true
					if _, err := template.New(msg.ID).Parse(f); err != nil {
						issues = append(issues, flow.Issue{File: path, Line: e.line, Severity: flow.Error, Code: "bad-template", Msg: fmt.Sprintf("%s: %v", msg.ID, err)})
					}
				}
			}
			if !e.tmpl && msg.Zero == "" && msg.One == "" && msg.Two == "" && msg.Few == "" && msg.Many == "" {
				e.plain = msg.Other
			}
			m[msg.ID] = e
		}
		c.msgs[code] = m
		if !preparing {
			tags = append(tags, tag)
		}
		name := code
		if e, ok := m["language.name"]; ok && e.plain != "" {
			name = e.plain
		} else {
			issues = append(issues, flow.Issue{File: path, Line: 1, Severity: flow.Error, Code: "no-name", Msg: "missing language.name: the language's name in itself, shown in the language question"})
		}
		about := st.About[code]
		c.langs = append(c.langs, bot.Language{Code: code, Name: name, Italian: about.Italian, Names: about.Names, Script: about.Script, Preparing: preparing, Review: about.Review})
	}
	if len(tags) > 0 {
		c.matcher = language.NewMatcher(tags)
	}
	issues = append(issues, c.check()...)
	issues.Sort()
	if len(issues.Errors()) > 0 {
		return nil, issues
	}
	return c, issues
}

// yamlIssues turns a YAML decoding error ("yaml: line 12: ...", or a list
// of them for unknown fields) into issues with their lines.
func yamlIssues(path string, err error) flow.Issues {
	var out flow.Issues
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:")
	for _, part := range strings.Split(msg, "\n") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		line := 0
		if rest, ok := strings.CutPrefix(part, "line "); ok {
			if i := strings.Index(rest, ":"); i > 0 {
				line, _ = strconv.Atoi(rest[:i])
				part = strings.TrimSpace(rest[i+1:])
			}
		}
		out = append(out, flow.Issue{File: path, Line: line, Severity: flow.Error, Code: "yaml", Msg: "broken YAML: " + part})
	}
	return out
}

// aboutLines maps each language code under about: to its line.
func aboutLines(raw []byte) map[string]int {
	var doc yaml.Node
	lines := map[string]int{}
	if yaml.Unmarshal(raw, &doc) != nil || len(doc.Content) == 0 {
		return lines
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "about" {
			continue
		}
		m := top.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			lines[m.Content[j].Value] = m.Content[j].Line
		}
	}
	return lines
}

// checkAbout checks the about: of languages.yaml: languages that are
// offered, real scripts that only one language claims, calling codes of
// one to four digits that no two languages claim.
func checkAbout(st Settings, lines map[string]int) flow.Issues {
	var out flow.Issues
	bad := func(code, format string, args ...any) {
		out = append(out, flow.Issue{File: "languages.yaml", Line: lines[code], Severity: flow.Error, Code: "about", Msg: fmt.Sprintf(format, args...)})
	}
	scripts, countries := map[string]string{}, map[string]string{}
	for _, code := range slices.Sorted(maps.Keys(st.About)) {
		a := st.About[code]
		if !slices.Contains(st.Languages, code) && !slices.Contains(st.Preparing, code) {
			bad(code, "about: %s is neither offered (languages:) nor in preparation (preparing:)", code)
		}
		// A language in preparation may already say its script and
		// countries: they count once it is offered, and take those
		// calling codes over from the language that had them.
		offered := slices.Contains(st.Languages, code)
		if a.Script != "" {
			if _, ok := unicode.Scripts[a.Script]; !ok {
				bad(code, "about: %s: %q is not a Unicode script name (Arabic, Han, Cyrillic...)", code, a.Script)
			} else if other, dup := scripts[a.Script]; dup && offered {
				bad(code, "about: %s and %s are both written in %s: a message in it cannot tell which; drop script: from both", other, code, a.Script)
			}
			if offered {
				scripts[a.Script] = code
			}
		}
		for _, cc := range a.Countries {
			if len(cc) < 1 || len(cc) > 4 || strings.Trim(cc, "0123456789") != "" {
				bad(code, "about: %s: %q is not a calling code (1 to 4 digits, without +)", code, cc)
			} else if other, dup := countries[cc]; dup && offered {
				bad(code, "about: calling code %s is claimed by %s and %s", cc, other, code)
			}
			if offered {
				countries[cc] = code
			}
		}
	}
	return out
}

// idLines maps each message id of a flat message file to its line, and
// reports YAML errors and duplicate ids with their position.
func idLines(path string, buf []byte) (map[string]int, flow.Issues) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(buf)).Decode(&doc); err != nil {
		return nil, yamlIssues(path, err)
	}
	lines := map[string]int{}
	var issues flow.Issues
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines, flow.Issues{{File: path, Line: 1, Severity: flow.Error, Code: "type", Msg: "a message file is a mapping of message id: text"}}
	}
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			id := k.Value
			if prefix != "" {
				id = prefix + "." + id
			}
			if _, dup := lines[id]; dup {
				issues = append(issues, flow.Issue{File: path, Line: k.Line, Col: k.Column, Severity: flow.Error, Code: "duplicate-key", Msg: fmt.Sprintf("message %q is defined twice", id)})
			}
			lines[id] = k.Line
			if v.Kind == yaml.MappingNode && !isMessage(v) {
				walk(id, v)
			}
		}
	}
	walk("", doc.Content[0])
	return lines, issues
}

func isMessage(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "zero", "one", "two", "few", "many", "other", "description", "hash":
			return true
		}
	}
	return false
}

// check compares every language with the reference: missing messages, extra
// ones, and templates that use variables the reference does not.
func (c *Catalog) check() flow.Issues {
	var issues flow.Issues
	ref := c.msgs[c.settings.Reference]
	// A name of two languages would ask for neither.
	named := map[string]string{}
	for _, l := range c.langs {
		for _, n := range append([]string{l.Name, l.Italian}, l.Names...) {
			k := fold.String(n)
			if prev, ok := named[k]; ok && prev != l.Code && k != "" {
				issues = append(issues, flow.Issue{File: "languages.yaml", Line: 1, Severity: flow.Error, Code: "language-name",
					Msg: fmt.Sprintf("%q names both %s and %s", n, prev, l.Code)})
			}
			named[k] = l.Code
		}
	}
	for _, l := range c.langs {
		m := c.msgs[l.Code]
		if !l.Preparing {
			// An offered language should have every text: its users read
			// a missing one in a fallback language. `teamsbot lint` fails
			// on it (the coverage gate); loading only warns.
			for _, id := range slices.Sorted(maps.Keys(ref)) {
				if _, ok := m[id]; !ok {
					issues = append(issues, flow.Issue{File: l.Code + ".yaml", Line: 1, Severity: flow.Warning, Code: "missing-message",
						Msg: fmt.Sprintf("%s is missing: %s is offered to users, who read it in a fallback language (or list %s under preparing: in languages.yaml)", id, l.Code, l.Code)})
				}
			}
		}
		for id, e := range m {
			if _, ok := ref[id]; !ok {
				issues = append(issues, flow.Issue{File: e.file, Line: e.line, Severity: flow.Warning, Code: "unknown-message",
					Msg: fmt.Sprintf("%s is not in the reference language (%s.yaml): a typo, or a message no longer used", id, c.settings.Reference)})
				continue
			}
			if want, got := templateVars(ref[id].msg), templateVars(e.msg); !subset(got, want) {
				issues = append(issues, flow.Issue{File: e.file, Line: e.line, Severity: flow.Error, Code: "template-vars",
					Msg: fmt.Sprintf("%s uses %s but the reference text has only %s", id, strings.Join(got, " "), strings.Join(want, " "))})
			}
		}
	}
	return issues
}

func templateVars(m *i18n.Message) []string {
	var out []string
	for _, f := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for {
			i := strings.Index(f, "{{")
			if i < 0 {
				break
			}
			j := strings.Index(f[i:], "}}")
			if j < 0 {
				break
			}
			for _, w := range strings.Fields(f[i+2 : i+j]) {
				if strings.HasPrefix(w, ".") && len(w) > 1 && !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
			f = f[i+j+2:]
		}
	}
	slices.Sort(out)
	return out
}

func subset(a, b []string) bool {
	for _, x := range a {
		if x != ".PluralCount" && !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Fallbacks is how many texts were served in another language than asked.
func (c *Catalog) Fallbacks() int64 { return c.fallbacks.Load() }

// Settings returns languages.yaml.
func (c *Catalog) Settings() Settings { return c.settings }

// Languages implements bot.Translator: the languages offered to users.
func (c *Catalog) Languages() []bot.Language {
	return slices.DeleteFunc(slices.Clone(c.langs), func(l bot.Language) bool { return l.Preparing })
}

// All lists the languages offered and then those in preparation: every
// language whose texts are checked, measured and exported.
func (c *Catalog) All() []bot.Language { return slices.Clone(c.langs) }

// Has implements bot.Translator: the id exists in the reference language.
func (c *Catalog) Has(id string) bool {
	_, ok := c.msgs[c.settings.Reference][id]
	return ok
}

// HasIn reports whether lang has its own text for id.
func (c *Catalog) HasIn(lang, id string) bool {
	_, ok := c.msgs[lang][id]
	return ok
}

// Position returns where lang's text of id is written.
// IDs lists the message ids a language has, sorted.
func (c *Catalog) IDs(lang string) []string {
	ids := make([]string, 0, len(c.msgs[lang]))
	for id := range c.msgs[lang] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (c *Catalog) Position(lang, id string) (file string, line int, ok bool) {
	e, ok := c.msgs[lang][id]
	if !ok {
		return lang + ".yaml", 0, false
	}
	return e.file, e.line, true
}

// Match implements bot.Translator.
func (c *Catalog) Match(hint string) (string, bool) {
	hint = strings.TrimSpace(hint)
	if hint == "" || c.matcher == nil || len(hint) > 35 {
		return "", false
	}
	tag, err := language.Parse(strings.ReplaceAll(hint, "_", "-"))
	if err != nil {
		return "", false
	}
	_, idx, conf := c.matcher.Match(tag)
	if conf < language.High {
		return "", false
	}
	// CLDR lets some languages stand for others ("tlh" → English, with high
	// confidence); a user is only given a language they asked for.
	want, _ := tag.Base()
	got, _ := language.Make(c.langs[idx].Code).Base()
	if want != got {
		return "", false
	}
	return c.langs[idx].Code, true
}

// Text implements bot.Translator. The chain is: the user's language, then
// the fallback languages in order; the first that has the message renders
// it. go-i18n's own fallback is not used, because it jumps straight to the
// bundle's default language and hides that it did.
func (c *Catalog) Text(lang, id string, data map[string]string) string {
	e, ok := c.msgs[lang][id]
	if !ok {
		for _, fb := range c.settings.Fallback {
			if e, ok = c.msgs[fb][id]; ok {
				break
			}
		}
		c.fallbacks.Add(1)
		if c.onMissing != nil {
			c.onMissing(lang, id)
		}
		if !ok {
			return id
		}
	}
	if !e.tmpl && e.plain != "" {
		return e.plain
	}
	form := "other"
	if n, ok := data["count"]; ok && len(e.forms) > 1 {
		form = pluralForm(e.tag, n)
	}
	run, ok := e.forms[form]
	if !ok {
		run = e.forms["other"]
	}
	if run == nil {
		return e.msg.Other
	}
	s, err := run(data)
	if err != nil {
		return e.msg.Other
	}
	return s
}

var formNames = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}

// pluralForm is the CLDR cardinal plural form of the number n in lang.
func pluralForm(lang language.Tag, n string) string {
	n = strings.TrimSpace(n)
	i, v, f := n, 0, 0
	if dot := strings.IndexByte(n, '.'); dot >= 0 {
		i = n[:dot]
		frac := strings.TrimRight(n[dot+1:], "0")
		v = len(n) - dot - 1
		if frac != "" {
			f, _ = strconv.Atoi(frac)
		}
	}
	k, err := strconv.Atoi(strings.TrimPrefix(i, "-"))
	if err != nil {
		return "other"
	}
	return formNames[plural.Cardinal.MatchPlural(lang, k, v, 0, f, 0)]
}

// Coverage is the translation state of one language.
type Coverage struct {
	Code, Name string
	Preparing  bool
	Total      int // messages in the reference language
	Translated int
	Missing    []string
}

// Coverage lists, per language, how many reference messages it has.
func (c *Catalog) Coverage() []Coverage {
	ref := c.msgs[c.settings.Reference]
	ids := make([]string, 0, len(ref))
	for id := range ref {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Coverage, 0, len(c.langs))
	for _, l := range c.langs {
		cv := Coverage{Code: l.Code, Name: l.Name, Preparing: l.Preparing, Total: len(ids)}
		for _, id := range ids {
			if _, ok := c.msgs[l.Code][id]; ok {
				cv.Translated++
			} else {
				cv.Missing = append(cv.Missing, id)
			}
		}
		out = append(out, cv)
	}
	return out
}

var _ bot.Translator = (*Catalog)(nil)
