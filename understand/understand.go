// Package understand turns what people write into where the bot takes
// them. It builds, from the content, the intents a user can reach (every
// guide, kind of office, menu flow, global command, plus greetings, thanks
// and "none of these"), trains the nlu classifier on the examples of
// locales/examples/ and the content's own titles and keywords, and
// implements bot.Router: one sure answer is followed at once, close ones
// become a "did you mean", and the rest is said to be not understood.
//
// It also lints the examples, runs the held-out evaluation (`teamsbot
// eval`) and keeps the log of what was not understood (`teamsbot
// misunderstood`).
//
// Import limits: bot, bot/flow, knowledge, nlu, the standard library and
// YAML; never a store, an adapter or net/http (the optional embeddings
// backend is given to it as an interface).
package understand

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/knowledge"
	"teamsbot/nlu"
)

// Flows the intents of guides and kinds lead to.
const (
	FindFlow       = "find_service"
	ProceduresFlow = "procedures"
)

// Thresholds of the decision, chosen by cross-validation on the examples
// (`teamsbot eval --cv`) so that a sure answer is wrong in well under 2 %
// of cases.
type Thresholds struct {
	// Sure: the best intent's probability at which the bot goes there at
	// once; also when it is at least Clear and Ratio times the second's.
	Sure, Clear, Ratio float64
	// Long is the length in words (two Han characters count one) above
	// which a text is long, and SureLong the probability a long text
	// needs to be followed at once (Clear and Ratio do not apply to it).
	// The model learns mostly from short sentences and grows overconfident
	// on a long story whose one detail decides: on the real questions held
	// out of training (`teamsbot eval --cv 5 --real`, 312 questions), the
	// rule for short texts alone made 3.8 % of them confident mistakes,
	// this one 2.2 % (14 words answer at once as often as 12 with the same
	// mistakes, more than 16 make more).
	Long     int
	SureLong float64
	// Offer: the least probability of an intent offered in a "did you
	// mean" question.
	Offer float64
	// Known: the least share of a text's features, and of its words, the
	// model must know (below it, the text is gibberish, a pasted document or
	// in a language it was not taught).
	Known float64
}

// DefaultThresholds are the thresholds the bot runs with. Clear and Ratio
// were set again on 2026-12-07 for the model with 4-grams alone and five
// epochs, whose probabilities run higher: with 0.6 and 8 times the second,
// 1.4 % of all the examples and 2.5 % of the real questions held out in
// turn were confident mistakes; with 0.7 and 10, 1.1 % and 1.9 %, for 44.6
// instead of 47.4 % (34.0 instead of 35.9 %) answered at once
// (`teamsbot eval --cv 5 [--real]`, the sweep at the end).
var DefaultThresholds = Thresholds{Sure: 0.85, Clear: 0.7, Ratio: 10, Long: 14, SureLong: 0.95, Offer: 0.1, Known: 0.3}

// sure reports whether the ranking makes the first intent a sure answer,
// for a text of the given length in words (textLength).
func (th Thresholds) sure(ranked []nlu.Prediction, words int) bool {
	if len(ranked) == 0 {
		return false
	}
	if th.Long > 0 && words > th.Long {
		return ranked[0].P >= max(th.SureLong, th.Sure)
	}
	// The runner-up is the next place the bot could go: "none of these"
	// second is doubt about the scope, not a rival.
	p1, p2 := ranked[0].P, 0.0
	for _, r := range ranked[1:] {
		if r.Intent != None {
			p2 = r.P
			break
		}
	}
	return p1 >= th.Sure || th.Clear > 0 && p1 >= th.Clear && p1 >= th.Ratio*p2
}

// textLength counts a text's words as the classifier reads it, two Han
// characters (written without spaces) counting one.
func textLength(text string) int { return nlu.Length(nlu.Words(nlu.Normalize(text))) }

// Catalog is what the understander needs of the locales: texts in every
// language (labels), and every text of a language (to learn what the
// language looks like).
type Catalog interface {
	bot.Translator
	IDs(lang string) []string
}

// allLanguages are the languages offered and those in preparation, when
// the catalog knows them (locales.Catalog.All): a language being prepared
// is understood and measured before it is offered.
func allLanguages(c Catalog) []bot.Language {
	if a, ok := c.(interface{ All() []bot.Language }); ok {
		return a.All()
	}
	return c.Languages()
}

// Source is the content an Understander is built from.
type Source struct {
	// Locales is the locales folder (examples/ and eval/ in it).
	Locales fs.FS
	Catalog Catalog
	Dir     *knowledge.Directory
	Program *flow.Program
	// Options tune the classifier (zero: the defaults).
	Options nlu.Options
	// Thresholds tune the decision (zero: DefaultThresholds).
	Thresholds Thresholds
	// Embedder, when set, adds a second opinion from an embeddings
	// endpoint (see Embedder).
	Embedder Embedder
	// Hold, when set, keeps the examples it returns true for out of
	// training (cross-validation).
	Hold func(Example) bool
	// GuideWeight weighs the guides' own sentences in training (0: the
	// default, DefaultGuideWeight).
	GuideWeight float64
	// SavedIn, when set, is a folder where the trained model is kept
	// between starts (TEAMSBOT_DATA): a process started again on the same
	// content reads it instead of training; other content trains and
	// replaces it.
	SavedIn string
	// Fresh trains even when this process has a model of the same inputs
	// (benchmarks of training).
	Fresh bool
	// Untrained only checks: the examples are read and linted, the
	// classifier is not trained (Understand and Guides then understand
	// nothing). For lint, where training is a second of nothing.
	Untrained bool
}

// DefaultGuideWeight is the weight of a guide's own sentences (summary,
// steps, documents) against an example's 1.
const DefaultGuideWeight = 0.3

// Understander implements bot.Router over the content. It is read-only
// after Build and safe for concurrent use.
type Understander struct {
	model   *nlu.Model
	langid  *nlu.LangID
	intents map[string]*intent
	langs   []string
	// scripts maps a Unicode script to the one language offered that is
	// written in it (languages.yaml's script: Han, Cyrillic, Bengali).
	scripts map[string]string
	tr      bot.Translator
	dir     *knowledge.Directory
	th      Thresholds
	sem     *semantic
	// answers are the words of the meanings options carry (Means).
	answers answerVocab
	// danger are the words of a life in danger (dangerWords).
	danger *dangerWords
	// joins cut a message into the questions it holds (parts.go).
	joins joinWords
	// names maps a language and a label, normalised, to the intents it
	// names ("centro per l'impiego": the guide and the offices).
	names map[string][]string
	// short maps a short example (three words at most), normalised, to
	// its language, or to "" when examples of two languages say it: "hola",
	// "kumusta po", "buenas tardes" tell their language, which the
	// detector is never sure of in a word or two.
	short map[string]string
	// latinLangs are the languages whose own name is in Latin letters:
	// only they are told by a short example (short).
	latinLangs map[string]bool
	// Examples are the examples the model was trained on (eval checks that
	// no held-out question is among them).
	Examples []Example
	// Built is how long training took (or reading the saved model).
	Built time.Duration
	read  bool // the model was read from Source.SavedIn
}

var _ bot.Router = (*Understander)(nil)

// intent is a place the bot can take a user.
type intent struct {
	id      string
	flow    string            // flow to open
	vars    map[string]string // variables to set first
	command string            // or a global command to run
	label   func(lang string) string
	menu    bool // a flow the main menu opens
	// urgent: a guide for someone in danger (knowledge's Guide.Urgent),
	// followed at once when it is first and offered-likely.
	urgent bool
	// atOnce: the probability from which it is followed at once as
	// urgent ones are (knowledge's Guide.AtOnceFrom; 0: never).
	atOnce float64
}

// Build reads the examples, checks them, and trains the classifier. The
// Understander is nil when an issue is an error.
func Build(src Source) (*Understander, flow.Issues) {
	start := time.Now()
	var langs []string
	scripts := map[string]string{}
	for _, l := range allLanguages(src.Catalog) {
		langs = append(langs, l.Code)
		if l.Script != "" {
			scripts[l.Script] = l.Code
		}
	}
	u := &Understander{langs: langs, scripts: scripts, tr: src.Catalog, dir: src.Dir, th: src.Thresholds}
	if u.th == (Thresholds{}) {
		u.th = DefaultThresholds
	}
	u.intents = intentsOf(src)
	u.names = map[string][]string{}
	for _, lang := range langs {
		for _, in := range sortedIntents(u.intents) {
			if in.label != nil {
				k := lang + "\x00" + nlu.Normalize(strings.TrimLeft(in.label(lang), "📄📍 "))
				u.names[k] = append(u.names[k], in.id)
			}
		}
	}
	files, issues := readExamples(src.Locales, langs)
	// A guide or a kind of office that no example teaches is reached
	// through its flow (school, associations), not guessed from its
	// titles alone.
	taught := map[string]bool{}
	for _, f := range files {
		for _, e := range f.Examples {
			taught[e.Intent] = true
		}
	}
	for id, in := range u.intents {
		untaught := (strings.HasPrefix(id, "kinds.") || strings.HasPrefix(id, "guides.")) && !taught[id]
		// A flow the engine opens itself (no_operator, callback) is not a
		// place to send anyone to unless examples say so.
		engineOnly := strings.HasPrefix(id, "flows.") && !in.menu && !taught[id]
		if untaught || engineOnly {
			delete(u.intents, id)
		}
	}
	issues = append(issues, lintExamples(files, u.intents, langs)...)
	issues = append(issues, lintAnswers(files, src.Program, langs)...)
	u.answers = newAnswerVocab(files)
	u.danger = newDangerWords(files)
	u.joins = newJoinWords(files)
	if len(issues.Errors()) > 0 {
		return nil, issues
	}
	if src.Untrained {
		for _, lang := range langs {
			if f := files[lang]; f != nil {
				u.Examples = append(u.Examples, f.Examples...)
			}
		}
		u.Built = time.Since(start)
		return u, issues
	}
	// Only the languages written in Latin letters tell themselves by a
	// short Latin text: "assalamu alaikum" or "salam" in Latin letters are
	// said by speakers of Urdu, Bengali, Dari and Arabic alike. Every
	// language's examples still make a text ambiguous ("hi" is said in
	// Chinese and Urdu chats too).
	u.latinLangs = map[string]bool{}
	if src.Catalog != nil {
		for _, l := range allLanguages(src.Catalog) {
			u.latinLangs[l.Code] = latin(l.Name)
		}
	}
	var train []nlu.Example
	stop := map[string][]string{}
	concepts := map[string][]string{}
	for _, lang := range langs {
		f := files[lang]
		if f == nil {
			continue
		}
		stop[lang] = f.Stop
		for id, ws := range f.Concepts {
			concepts[id] = append(concepts[id], ws...)
		}
		for _, e := range f.Examples {
			if src.Hold != nil && src.Hold(e) {
				continue
			}
			u.Examples = append(u.Examples, e)
			train = append(train, nlu.Example{Intent: e.Intent, Lang: lang, Text: e.Text})
			u.addShort(lang, e.Text)
		}
	}
	train = append(train, contentExamples(src, u.intents, langs)...)
	opts := src.Options
	if opts.Stop == nil {
		opts.Stop = stop
	}
	if opts.Concepts == nil {
		opts.Concepts = concepts
	}
	texts := languageTexts(src, files, langs)
	m, langid, read, err := trained(train, texts, opts, src.Fresh, src.SavedIn)
	if err != nil {
		return nil, append(issues, flow.Issue{File: ExamplesDir, Severity: flow.Error, Code: "examples", Msg: err.Error()})
	}
	u.model, u.langid, u.read = m, langid, read
	if src.Embedder != nil {
		u.sem = newSemantic(src.Embedder, train)
	}
	u.Built = time.Since(start)
	return u, issues
}

// intentsOf lists the intents the content offers.
func intentsOf(src Source) map[string]*intent {
	tr := src.Catalog
	out := map[string]*intent{}
	if src.Dir != nil {
		for _, g := range src.Dir.Guides() {
			g := g
			out["guides."+g.ID] = &intent{id: "guides." + g.ID, flow: ProceduresFlow, vars: map[string]string{"guide": g.ID},
				label: func(lang string) string { return "📄 " + g.TitleIn(lang) }, urgent: g.Urgent, atOnce: g.AtOnceFrom}
		}
		for id := range src.Dir.Kinds {
			id := id
			out["kinds."+id] = &intent{id: "kinds." + id, flow: FindFlow, vars: map[string]string{"kind": id, "offset": "0"},
				label: func(lang string) string { return "📍 " + src.Dir.KindName(id, lang) }}
		}
	}
	if src.Program != nil {
		// A flow is entered as the menu enters it: with the variables its
		// menu entry sets (find_service clears the kind asked last time).
		menuVars := map[string]map[string]string{}
		if menu, ok := src.Program.Flow(bot.MenuFlow); ok {
			for _, n := range menu.Nodes() {
				for _, o := range n.Options {
					if o.Goto == nil {
						continue
					}
					vars := map[string]string{}
					for _, a := range o.Set {
						vars[a.Name] = a.Value.Render(nil)
					}
					menuVars[o.Goto.ID] = vars
				}
			}
		}
		for _, f := range src.Program.Flows() {
			if f.ID == bot.MenuFlow {
				continue
			}
			f := f
			_, inMenu := menuVars[f.ID]
			out["flows."+f.ID] = &intent{id: "flows." + f.ID, flow: f.ID, vars: menuVars[f.ID], menu: inMenu,
				label: func(lang string) string {
					if f.Title == "" {
						return f.ID
					}
					return tr.Text(lang, f.Title, nil)
				}}
		}
	}
	labels := map[string]string{"menu": "common.menu", "operator": "common.operator", "language": "menu.language", "privacy": "menu.privacy", "forget": "privacy.forget"}
	for _, cmd := range flow.Commands {
		cmd := cmd
		out["commands."+cmd] = &intent{id: "commands." + cmd, command: cmd, label: func(lang string) string {
			if id, ok := labels[cmd]; ok {
				return tr.Text(lang, id, nil)
			}
			w, _, _ := strings.Cut(tr.Text(lang, "command."+cmd, nil), "|")
			return w
		}}
	}
	out[Greet] = &intent{id: Greet, command: "menu", label: func(lang string) string { return tr.Text(lang, "common.menu", nil) }}
	out[Thanks] = &intent{id: Thanks, command: "thanks", label: func(lang string) string { return tr.Text(lang, "common.menu", nil) }}
	out[None] = &intent{id: None}
	return out
}

// contentExamples are what the content itself says about each intent, in
// each language: guide titles and keywords, kinds' names and keywords,
// menu labels, command words. They weigh less than examples: they are how
// the content names things, not how people ask.
func contentExamples(src Source, intents map[string]*intent, langs []string) []nlu.Example {
	var out []nlu.Example
	contentWeight := src.GuideWeight
	if contentWeight <= 0 {
		contentWeight = DefaultGuideWeight
	}
	add := func(intent, lang, text string, w float64) {
		if strings.TrimSpace(text) != "" {
			out = append(out, nlu.Example{Intent: intent, Lang: lang, Text: text, Weight: w})
		}
	}
	for _, lang := range langs {
		if src.Dir != nil {
			for _, g := range src.Dir.Guides() {
				id := "guides." + g.ID
				if intents[id] == nil {
					continue
				}
				add(id, lang, g.Title[lang], 0.5)
				for _, k := range g.Keywords[lang] {
					add(id, lang, k, 0.5)
				}
				// What the guide says: the words of its topic that people
				// use when they ask about it ("crediti", "kit postale").
				add(id, lang, g.Summary[lang], contentWeight)
				for _, st := range g.Steps[lang] {
					add(id, lang, st, contentWeight)
				}
				for _, d := range g.Documents[lang] {
					add(id, lang, d, contentWeight)
				}
			}
			for _, kid := range slices.Sorted(maps.Keys(src.Dir.Kinds)) {
				k := src.Dir.Kinds[kid]
				id := "kinds." + kid
				if intents[id] == nil {
					continue
				}
				add(id, lang, k.Name[lang], 0.5)
				for _, kw := range k.Keywords[lang] {
					add(id, lang, kw, 0.5)
				}
			}
		}
		for _, in := range sortedIntents(intents) {
			if strings.HasPrefix(in.id, "flows.") && in.label != nil {
				add(in.id, lang, in.label(lang), 0.5)
			}
			if cmd, ok := strings.CutPrefix(in.id, "commands."); ok {
				for _, w := range strings.Split(src.Catalog.Text(lang, "command."+cmd, nil), "|") {
					add(in.id, lang, w, 0.5)
				}
			}
		}
	}
	return out
}

// languageTexts are the texts the language detector learns each language
// from: every message of the language, its examples and its guides.
func languageTexts(src Source, files map[string]*languageFile, langs []string) map[string][]string {
	out := map[string][]string{}
	for _, lang := range langs {
		var ts []string
		for _, id := range src.Catalog.IDs(lang) {
			ts = append(ts, src.Catalog.Text(lang, id, nil))
		}
		if f := files[lang]; f != nil {
			for _, e := range f.Examples {
				if src.Hold == nil || !src.Hold(e) {
					ts = append(ts, e.Text)
				}
			}
		}
		if src.Dir != nil {
			for _, g := range src.Dir.Guides() {
				ts = append(ts, g.Title[lang], g.Summary[lang])
				ts = append(ts, g.Steps[lang]...)
				ts = append(ts, g.Documents[lang]...)
			}
		}
		out[lang] = ts
	}
	return out
}

func sortedIntents(m map[string]*intent) []*intent {
	out := make([]*intent, 0, len(m))
	for _, in := range m {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *intent) int { return strings.Compare(a.id, b.id) })
	return out
}

// maxShortWords bounds the examples whose very words tell their language.
const maxShortWords = 3

// latin reports whether a text's letters are all Latin ones: a short text
// in a script only one language uses is the detector's, and "مرحبا" or
// "سلام" are said by speakers of Arabic, Urdu and Dari alike (they are
// asked, among those three).
func latin(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// addShort records a short example's language (short).
func (u *Understander) addShort(lang, text string) {
	norm := nlu.Normalize(text)
	if norm == "" || len(strings.Fields(norm)) > maxShortWords {
		return
	}
	if u.short == nil {
		u.short = map[string]string{}
	}
	if prev, ok := u.short[norm]; ok && prev != lang {
		lang = ""
	}
	u.short[norm] = lang
}

// Understand implements bot.Router.
func (u *Understander) Understand(ctx context.Context, lang, text string) bot.Understanding {
	res := u.understand(ctx, lang, text)
	u.tellApart(res.Routes, cmp.Or(res.Lang, lang))
	return res
}

// tellApart relabels the offices offered beside a guide of the same name
// ("📄 Job centre" and "📍 Job centre" read as the same button twice): the
// offices become "📍 Job centre: the nearest to you" (find.results_intro).
func (u *Understander) tellApart(routes []bot.Route, lang string) {
	if len(routes) < 2 || u.tr == nil {
		return
	}
	for i, r := range routes {
		name, ok := strings.CutPrefix(r.Label, "📍 ")
		if !ok || !strings.HasPrefix(r.Intent, "kinds.") {
			continue
		}
		if !slices.ContainsFunc(routes, func(o bot.Route) bool { return o.Label == "📄 "+name }) {
			continue
		}
		intro := strings.TrimRight(u.tr.Text(lang, "find.results_intro", map[string]string{"kind": name}), ".。۔ ")
		routes[i].Label = "📍 " + intro
	}
}

func (u *Understander) understand(ctx context.Context, lang, text string) bot.Understanding {
	var res bot.Understanding
	if u == nil || u.model == nil || strings.TrimSpace(text) == "" {
		return res
	}
	norm := nlu.Normalize(text)
	c := u.model.ClassifyNormalized(norm)
	g := u.langid.Detect(text)
	if !g.Sure() && c.Read != "" {
		// Typos hide a language's words from the detector: the text as
		// the classifier read it ("renouvelement" as "renouvellement").
		if r := u.langid.Detect(c.Read); r.Sure() {
			g = r
		}
	}
	if g.Sure() && slices.Contains(u.langs, g.Lang) {
		res.Lang = g.Lang
		lang = g.Lang
	} else if l, ok := u.scriptOf(text); ok && g.Lang == l && g.Known >= 0.5 {
		res.Lang = l
		lang = l
	} else if l := u.short[norm]; l != "" && slices.Contains(u.langs, l) && u.latinLangs[l] && latin(norm) {
		res.Lang = l
		lang = l
	}
	if u.sem != nil {
		c = u.sem.blend(ctx, text, c)
	}
	for _, p := range c.Ranked[:min(len(c.Ranked), 5)] {
		res.Ranked = append(res.Ranked, bot.Scored{Intent: p.Intent, P: p.P})
	}
	res.Known = c.Known
	if u.danger.in(norm) {
		if in := u.urgentIntent(); in != nil {
			res.Routes = []bot.Route{u.route(in, lang, nil, 1)}
			res.Sure, res.Danger = true, true
			return res
		}
	}
	place, hasPlace := u.place(text)
	top := c.Top()
	// A comune alone ("Prato"), or nearly ("I live in Prato"), is where the
	// user is: offices near it, unless the few words around it were sure
	// of something else ("questura Prato").
	if hasPlace && !u.sure(c) && u.onlyPlace(text) {
		if in := u.intents["flows."+FindFlow]; in != nil {
			res.Routes = []bot.Route{u.route(in, lang, place, top.P)}
			res.Sure = true
		}
		res.PlaceOnly = true
		return res
	}
	switch {
	case c.Known < u.th.Known || c.KnownWords < u.th.Known || top.Intent == None && top.P >= u.th.Offer:
		return res // not understood
	case len(u.named(text, lang, c.Ranked)) >= 2 && !u.urgent(top):
		// The very name of two things ("centro per l'impiego" is the
		// guide and the offices): a choice to ask, however sure the
		// model is of one of them.
		for _, p := range u.named(text, lang, c.Ranked) {
			res.Routes = append(res.Routes, u.route(u.intents[p.Intent], lang, place, p.P))
		}
		return res
	case u.sure(c) || u.urgent(top) && c.Guessed <= maxGuessed:
		in := u.intents[top.Intent]
		if in == nil {
			return res
		}
		res.Routes = []bot.Route{u.route(in, lang, place, top.P)}
		if !u.urgent(top) {
			// Two questions, each likely about something else ("devo
			// rinnovare il permesso e anche fare la tessera sanitaria"):
			// both offered, however sure the whole text is of one.
			if both := u.withParts(text, lang, place, res.Routes, minSurePartP); len(both) > 1 {
				res.Routes = both
				return res
			}
		}
		res.Sure = true
		res.Urgent = !u.sure(c)
		if res.Urgent || in.command == "forget" {
			// Offered instead mid-flow: the others with it.
			res.Routes = append(res.Routes, u.offered(c.Ranked, lang, place, res.Routes[0].Label)...)
		}
		return res
	}
	res.Routes = u.offered(c.Ranked, lang, place, "")
	res.Routes = u.withParts(text, lang, place, res.Routes, minPartP)
	return res
}

// withParts adds to the routes offered for a text the best intent of each
// question it holds, when likely and not offered yet: the second question
// of a message is not dropped from "did you mean".
func (u *Understander) withParts(text, lang string, place *knowledge.Municipality, routes []bot.Route, minP float64) []bot.Route {
	parts := u.joins.parts(text)
	if len(parts) < 2 || len(routes) == 0 {
		return routes
	}
	var asked []bot.Route
	for _, p := range parts {
		top := u.model.Classify(p).Top()
		in := u.intents[top.Intent]
		if top.P < minP || in == nil || strings.HasPrefix(top.Intent, "chat.") {
			continue
		}
		r := u.route(in, lang, place, top.P)
		same := func(o bot.Route) bool { return o.Label == r.Label }
		if slices.ContainsFunc(routes, same) || slices.ContainsFunc(asked, same) {
			continue
		}
		asked = append(asked, r)
	}
	if len(asked) == 0 {
		return routes
	}
	// The whole text's best first, then the questions it holds, in place of
	// the least likely guesses.
	keep := max(1, maxOffered-len(asked))
	out := append(slices.Clone(routes[:min(keep, len(routes))]), asked...)
	return out[:min(len(out), maxOffered)]
}

// maxOffered is the most routes a "did you mean" offers.
const maxOffered = 3

// offered are the routes a "did you mean" offers: the likely ones, at most
// three, never two with the same label, none labelled skip.
func (u *Understander) offered(ranked []nlu.Prediction, lang string, place *knowledge.Municipality, skip string) []bot.Route {
	var out []bot.Route
	limit := maxOffered
	seen := map[string]bool{}
	if skip != "" {
		seen[skip] = true
		limit--
	}
	for _, p := range ranked {
		if len(out) == limit || p.P < u.th.Offer {
			break
		}
		in := u.intents[p.Intent]
		if in == nil || strings.HasPrefix(p.Intent, "chat.") {
			continue
		}
		r := u.route(in, lang, place, p.P)
		if seen[r.Label] {
			continue
		}
		seen[r.Label] = true
		out = append(out, r)
	}
	return out
}

// sure reports whether the bot may follow the best intent at once: the
// thresholds hold, and no more than a third of the words were read as
// other words one typo away ("mario" alone is not "marito", at once).
func (u *Understander) sure(c nlu.Result) bool {
	return u.th.sure(c.Ranked, c.Length) && c.Guessed <= maxGuessed
}

// maxGuessed is the largest share of a text's words read as other words
// that still allows a sure answer.
const maxGuessed = 1.0 / 3

// route is where an intent leads, with the place the text named.
func (u *Understander) route(in *intent, lang string, place *knowledge.Municipality, p float64) bot.Route {
	r := bot.Route{Intent: in.id, Flow: in.flow, Command: in.command, Score: p, Vars: map[string]string{}}
	if in.label != nil {
		r.Label = in.label(lang)
	}
	for k, v := range in.vars {
		r.Vars[k] = v
	}
	if place != nil && in.flow != "" {
		r.Vars["place_lat"] = strconv.FormatFloat(place.Lat, 'f', 5, 64)
		r.Vars["place_lon"] = strconv.FormatFloat(place.Lon, 'f', 5, 64)
		r.Vars["place_municipality"] = place.Name
		r.Vars["place_municipality_code"] = place.Code
		r.Vars["place_municipality_province"] = place.Province
		if strings.HasPrefix(in.id, "kinds.") {
			r.Label += " – " + place.Name
		}
	}
	return r
}

// named returns the intents, most likely first, whose label is the very
// text (at most maxOffered).
func (u *Understander) named(text, lang string, ranked []nlu.Prediction) []nlu.Prediction {
	ids := u.names[lang+"\x00"+nlu.Normalize(text)]
	if len(ids) < 2 {
		return nil
	}
	var out []nlu.Prediction
	for _, p := range ranked {
		if slices.Contains(ids, p.Intent) {
			out = append(out, p)
			if len(out) == maxOffered {
				break
			}
		}
	}
	return out
}

// place is the comune a text names, if any.
func (u *Understander) place(text string) (*knowledge.Municipality, bool) {
	if u.dir == nil || u.dir.Municipalities == nil {
		return nil, false
	}
	m, ok := u.dir.Municipalities.Mentioned(text)
	if !ok {
		return nil, false
	}
	return &m, true
}

// urgent reports whether the best guess is a guide for someone in danger,
// likely enough to be offered twice over: showing the emergency numbers
// to someone who did not need them costs a tap back; making someone who
// does choose from a list costs time.
func (u *Understander) urgent(top nlu.Prediction) bool {
	in := u.intents[top.Intent]
	return in != nil && (in.urgent && top.P >= 2*u.th.Offer || in.atOnce > 0 && top.P >= in.atOnce)
}

// scriptOf names the language of a text written in a script that only one
// offered language uses ("医生", "продовження дозволу"): the script says it
// even when the text is too short for the detector to be sure. Four
// letters in five must be in that script, and at least two; the caller
// also wants the detector to agree and to know half the words (gibberish
// in Cyrillic is not Ukrainian).
func (u *Understander) scriptOf(text string) (string, bool) {
	for script, lang := range u.scripts {
		table, ok := unicode.Scripts[script]
		if !ok {
			continue
		}
		in, letters := 0, 0
		for _, r := range text {
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			if unicode.Is(table, r) {
				in++
			}
		}
		if in >= 2 && 5*in >= 4*letters {
			return lang, true
		}
	}
	return "", false
}

// onlyPlace reports whether the text is just a comune's name, or says
// little more ("abito a Prato", "I live in Prato"): a sentence that names a
// town on the way to something else ("another way to get from Pisa?") is
// not where the user is.
func (u *Understander) onlyPlace(text string) bool {
	m, _, ok := u.dir.Municipalities.Match(text)
	return ok && textLength(text) <= textLength(m.Name)+3
}

// Guides returns the guides a text is about, best first, and whether the
// first is a sure answer: the search of the procedures flow ("type a few
// words").
func (u *Understander) Guides(lang, text string) (ids []string, sure bool) {
	if u.model == nil {
		return nil, false
	}
	c := u.model.Classify(text)
	if c.Known < u.th.Known {
		return nil, false
	}
	var total float64
	for _, p := range c.Ranked {
		if strings.HasPrefix(p.Intent, "guides.") {
			total += p.P
		}
	}
	for _, p := range c.Ranked {
		id, ok := strings.CutPrefix(p.Intent, "guides.")
		if !ok || total == 0 {
			continue
		}
		// Probabilities among guides only: the user asked for a guide.
		if q := p.P / total; q >= u.th.Offer && len(ids) < 5 {
			if len(ids) == 0 && q >= u.th.Sure && p.P >= u.th.Offer {
				sure = true
			}
			ids = append(ids, id)
		}
	}
	return ids, sure
}

// Describe says how big the model is, for the logs.
func (u *Understander) Describe() string {
	if u.model == nil {
		return "not trained (lint only)"
	}
	f, i, e := u.model.Size()
	how := "built"
	if u.read {
		how = "read from the saved model"
	}
	return fmt.Sprintf("%d intents, %d examples, %d features, %s in %s", i, e, f, how, u.Built.Round(time.Millisecond))
}
