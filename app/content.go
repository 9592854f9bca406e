package app

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"teamsbot/adapters/webchat"

	"teamsbot/activities"
	"teamsbot/booking"
	"teamsbot/booking/ledger"
	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/bot/input"
	"teamsbot/directory"
	"teamsbot/flows"
	"teamsbot/knowledge"
	"teamsbot/locales"
	"teamsbot/school"
	"teamsbot/understand"
)

// Content is the three content folders: the embedded defaults, or a content
// team's checkout.
type Content struct {
	Flows, Locales, Knowledge fs.FS
	// Root names where it came from, for messages.
	Root string
}

// EmbeddedContent is the content built into the binary.
func EmbeddedContent() Content {
	return Content{Flows: flows.FS, Locales: locales.FS, Knowledge: knowledge.FS, Root: "(embedded)"}
}

// DirContent reads content from dir/flows, dir/locales and dir/knowledge. A
// folder that is missing is taken from the embedded content, so a content
// team can override only the flows, say.
func DirContent(dir string) (Content, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return Content{}, fmt.Errorf("content folder: %w", err)
	}
	if !st.IsDir() {
		return Content{}, fmt.Errorf("content folder %s is not a folder", dir)
	}
	c := EmbeddedContent()
	c.Root = dir
	sub := func(name string, dst *fs.FS) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			*dst = os.DirFS(p)
		}
	}
	sub("flows", &c.Flows)
	sub("locales", &c.Locales)
	sub("knowledge", &c.Knowledge)
	return c, nil
}

// Loaded is checked, compiled content.
type Loaded struct {
	Catalog *locales.Catalog
	// Glossary names the Italian administrative terms in every language
	// (the machine translation at the desk keeps them).
	Glossary  *locales.Glossary
	Program   *flow.Program
	Directory *knowledge.Directory
	Places    *knowledge.Municipalities
	Issues    flow.Issues
	Gazettes  bot.Gazetteer
	// Words are the words typed answers are read with (locales/words); the
	// engine gets them as bot.Config.Words.
	Words *input.Lexicon
	// Understander reads free text (the bot.Router); nil without a
	// program to route to.
	Understander *understand.Understander
	Links        map[string]flow.Link
	// Actions declares every action a flow can run, for checking the flows
	// (over no store: they fail if run). The engine runs a Domain's.
	Actions bot.Actions
	// demo is LoadOptions.Demo, for the domain services.
	demo bool
}

// Deps are what the domain services work with besides the content, all
// built before them: the store, the operators' desk, the offices'
// calendars. Nil fields turn their feature off.
type Deps struct {
	// Store keeps bookings, enrolments and proposals (nil: the actions only
	// declare themselves; the engine keeps no memo of what they wrote).
	Store Store
	// Callback passes a "call me back" request to the operators' desk;
	// nil: the callback flow says where to find a person.
	Callback func(ctx context.Context, conv, lang, phone string) error
	// OnCancel is told of each appointment a user cancels (the office's
	// channel at the desk, the programme's figures).
	OnCancel func(ctx context.Context, b ledger.Booking)
	// Calendar makes the confirmations' "add to calendar" links.
	Calendar *booking.Calendar
	// Busy is the offices' own calendars (package booking/feed).
	Busy booking.Busy
	// OnProposal passes a user's activity proposal to the coordinators.
	OnProposal func(ctx context.Context, p activities.Proposal) error
	// Translator translates the activities coordinators add from the desk.
	Translator activities.Translator
}

// Domain is the content with the services that keep data about users
// (bookings, activities) built over their store, and the actions flows
// run with them. Built once, in order: content, store, desk, domain,
// engine, service, channels; nothing is set on it afterwards.
type Domain struct {
	*Loaded
	Booking    *booking.Service
	Activities *activities.Service
	// Run are the actions the engine runs (Loaded.Actions declares the same
	// names over no store).
	Run   bot.Actions
	store Store
}

// Domain builds the domain services over d.
func (l *Loaded) Domain(d Deps) *Domain {
	bk := booking.New(l.Directory, booking.Config{Demo: l.demo, Store: d.Store, OnCancel: d.OnCancel, Calendar: d.Calendar, Busy: d.Busy})
	var st activities.Store
	if d.Store != nil {
		st = d.Store
	}
	ac := activities.New(l.Directory, activities.Config{Demo: l.demo, Store: st, OnProposal: d.OnProposal, Translator: d.Translator})
	var gf directory.GuideFinder
	if l.Understander != nil {
		gf = l.Understander
	}
	return &Domain{Loaded: l, Booking: bk, Activities: ac, Run: Actions(l.Directory, d.Callback, bk, ac, gf), store: d.Store}
}

// knowledgeLanguages are the languages of the offices' and guides' texts:
// those of languages.yaml (Launch when it could not be read).
func knowledgeLanguages(cat *locales.Catalog) knowledge.Languages {
	var kl knowledge.Languages
	if cat == nil {
		return kl
	}
	for _, l := range cat.All() {
		kl.Codes = append(kl.Codes, l.Code)
		if l.Preparing {
			kl.Partial = append(kl.Partial, l.Code)
		}
	}
	return kl
}

// Keepers are the domain services that keep data about users outside their
// sessions, for "delete my data" (bot.WithKeepers).
func (d *Domain) Keepers() []bot.Keeper { return []bot.Keeper{d.Booking, d.Activities} }

// callbackAction passes "call me back" requests from the callback flow to
// the operators' desk (send); without a desk the flow says where to find
// a person.
func callbackAction(send func(ctx context.Context, conv, lang, phone string) error) bot.Action {
	return bot.Action{Name: "operator.callback", Writes: true, Outcomes: []string{"sent", "failed"},
		Run: func(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
			if send == nil || req.Args["phone"] == "" {
				return bot.ActionResult{Outcome: "failed"}, nil
			}
			if err := send(ctx, req.Conversation, req.Lang, req.Args["phone"]); err != nil {
				return bot.ActionResult{Outcome: "failed"}, nil
			}
			return bot.ActionResult{Outcome: "sent"}, nil
		}}
}

// Actions is every action a flow can run, from the domain packages. With a
// nil directory the knowledge actions are registered with no data, so
// flows can still be checked.
func Actions(d *knowledge.Directory, callback func(ctx context.Context, conv, lang, phone string) error, bk *booking.Service, ac *activities.Service, gf directory.GuideFinder) bot.Actions {
	as := bot.Actions{}
	as.Register(ac.Actions()...)
	as.Register(school.Actions()...)
	as.Register(directory.New(d, gf).Actions()...)
	as.Register(callbackAction(callback))
	as.Register(bk.Actions()...)
	return as
}

// Engine builds an engine over the content with domain services that keep
// nothing (no store): for checks, tests and tools that book nothing.
func (l *Loaded) Engine(cfg bot.Config) (*bot.Engine, error) { return l.Domain(Deps{}).Engine(cfg) }

// Engine builds the engine over the domain.
func (d *Domain) Engine(cfg bot.Config) (*bot.Engine, error) {
	if cfg.Memo == nil && d.store != nil {
		cfg.Memo = d.store
	}
	l := d.Loaded
	if cfg.Words == nil {
		cfg.Words = l.Words
	}
	if cfg.Router == nil && l.Understander != nil {
		cfg.Router = l.Understander
	}
	if cfg.Links == nil {
		cfg.Links = l.Links
	}
	return bot.NewEngine(l.Program, l.Catalog, d.Run, l.Gazettes, cfg)
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Demo lets example calendars and activities (sample: true) be booked
	// and joined (TEAMSBOT_DEMO=1; the terminal chat and the conversation
	// tests). Outside a demo they are not offered.
	Demo bool
	// Lint only checks the content: the classifier's examples are linted
	// but it is not trained, so the Loaded understands no free text.
	// (teamsbot lint, i18n import.)
	Lint bool
	// OnMissing is told each text that falls back to another language (a
	// metric).
	OnMissing func(lang, id string)
	// SavedIn is a folder where the trained classifier is kept between
	// starts (serve: TEAMSBOT_DATA); "" trains at every start.
	SavedIn string
}

// Load checks and compiles content. Issues carry folder-relative paths
// prefixed with the folder ("flows/school.yaml:12:5: ..."). The Loaded is
// nil when an issue is an error.
func Load(c Content, opts ...LoadOptions) (*Loaded, flow.Issues) {
	var o LoadOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	var issues flow.Issues
	prefix := func(dir string, is flow.Issues) {
		for _, i := range is {
			if !strings.HasPrefix(i.File, "flows/") { // understand's checks of the flows' means:
				i.File = dir + "/" + i.File
			}
			issues = append(issues, i)
		}
	}
	cat, is := locales.Load(c.Locales, locales.Options{OnMissing: o.OnMissing})
	prefix("locales", is)
	dir, kis := knowledge.Load(c.Knowledge, knowledgeLanguages(cat))
	prefix("knowledge", knowledgeIssues(kis))
	// The flows are checked against the actions' declarations; the
	// actions that run are built over the store (Domain), with the
	// classifier trained below.
	l := &Loaded{Actions: Actions(dir, nil, booking.New(dir, booking.Config{}), activities.New(dir, activities.Config{}), nil), Directory: dir, demo: o.Demo}
	var places *knowledge.Municipalities
	if dir != nil {
		places = dir.Municipalities
	}
	if cat == nil {
		return nil, issues
	}
	words, wis := locales.LoadWords(c.Locales, langCodesOf(cat))
	prefix("locales", wis)
	prog, is := flow.Load(c.Flows, bot.CheckEnv(cat, l.Actions), flow.Options{Require: []string{bot.MenuFlow}})
	prefix("flows", is)
	l.Catalog, l.Words, l.Program, l.Places = cat, words, prog, places
	if places != nil {
		l.Gazettes = gazetteer{places}
	}
	if prog != nil {
		links, lis := flow.LoadLinks(c.Flows, prog)
		prefix("flows", lis)
		l.Links = links
		issues = append(issues, lengthChecks(cat, prog)...)
		issues = append(issues, engineMessages(cat)...)
		issues = append(issues, isolateChecks(cat)...)
		glossary, gis := locales.LoadGlossary(c.Locales)
		prefix("locales", gis)
		l.Glossary = glossary
		issues = append(issues, glossaryChecks(glossary, cat, dir)...)
		if dir != nil {
			u, uis := understand.Build(understand.Source{Locales: c.Locales, Catalog: cat, Dir: dir, Program: prog, Untrained: o.Lint, SavedIn: o.SavedIn})
			prefix("locales", uis)
			if u != nil {
				qs, qis := understand.ReadEval(c.Locales, langCodesOf(cat))
				prefix("locales", qis)
				prefix("locales", understand.LintEval(qs, u.Examples, u.Known))
				l.Understander = u
			}
		}
	}
	issues.Sort()
	l.Issues = issues
	// Training made garbage many times the model's size: give it back now,
	// not when the scavenger gets round to it.
	debug.FreeOSMemory()
	if len(issues.Errors()) > 0 || prog == nil || places == nil {
		return nil, issues
	}
	return l, issues
}

// langCodesOf lists the languages offered and in preparation.
func langCodesOf(cat *locales.Catalog) []string {
	var out []string
	for _, l := range cat.All() {
		out = append(out, l.Code)
	}
	return out
}

// knowledgeIssues turns the knowledge loader's issues into lint issues.
func knowledgeIssues(kis []knowledge.Issue) flow.Issues {
	var out flow.Issues
	for _, ki := range kis {
		sev := flow.Error
		if ki.Warning {
			sev = flow.Warning
		}
		out = append(out, flow.Issue{File: ki.File, Line: ki.Line, Severity: sev, Code: "knowledge", Msg: ki.Msg})
	}
	return out
}

// gazetteer adapts the knowledge index to the engine's interface.
type gazetteer struct{ m *knowledge.Municipalities }

func (g gazetteer) MatchMunicipality(text string) (bot.Municipality, []bot.Municipality, bool) {
	m, alts, ok := g.m.Match(text)
	if !ok && len(alts) == 0 {
		// A sentence that names the comune in its own way ("我住在普拉托",
		// "jetoj ne Firence", "ساكن في فلورنسا"): found as the understanding
		// finds a town in a sentence.
		if mm, found := g.m.Mentioned(text); found {
			return conv(mm), nil, true
		}
	}
	out := make([]bot.Municipality, len(alts))
	for i, a := range alts {
		out[i] = conv(a)
	}
	return conv(m), out, ok
}

func (g gazetteer) NearestMunicipality(loc bot.Location) (bot.Municipality, bool) {
	m, _, ok := g.m.Nearest(loc.Lat, loc.Lon)
	return conv(m), ok
}

func conv(m knowledge.Municipality) bot.Municipality {
	return bot.Municipality{Code: m.Code, Name: m.Name, Province: m.Province, Lat: m.Lat, Lon: m.Lon}
}

// Platform limits that content must fit (see ../shared/PLATFORMS.md).
const (
	whatsappButton = 20   // reply button title
	whatsappBody   = 1024 // interactive message body
	telegramText   = 4096
)

// lengthChecks warns about texts that will not fit the channels: option
// labels longer than a WhatsApp button, question texts longer than a
// WhatsApp interactive body (textLimits says which is which).
func lengthChecks(cat *locales.Catalog, prog *flow.Program) flow.Issues {
	var issues flow.Issues
	limits := textLimits(prog)
	ids := slices.Sorted(maps.Keys(limits))
	for _, l := range cat.All() {
		for _, id := range ids {
			if !cat.HasIn(l.Code, id) {
				continue
			}
			lim := limits[id]
			if n := len([]rune(cat.Text(l.Code, id, nil))); n > lim.N {
				file, line, _ := cat.Position(l.Code, id)
				issues = append(issues, flow.Issue{File: "locales/" + file, Line: line, Severity: flow.Warning, Code: "too-long",
					Msg: fmt.Sprintf("%s is %d characters; %s shows at most %d", id, n, lim.What, lim.N)})
			}
		}
	}
	return issues
}

// engineMessages checks that the texts the engine itself says exist, and
// those of the operators' desk.
func engineMessages(cat *locales.Catalog) flow.Issues {
	var issues flow.Issues
	for _, id := range bot.EngineMessages {
		if !cat.Has(id) {
			issues = append(issues, flow.Issue{File: "locales/" + cat.Settings().Reference + ".yaml", Severity: flow.Error, Code: "unknown-message",
				Msg: fmt.Sprintf("the engine says %s, which is missing", id)})
		}
	}
	for _, id := range webchat.Messages() {
		if !cat.Has(id) {
			issues = append(issues, flow.Issue{File: "locales/" + cat.Settings().Reference + ".yaml", Severity: flow.Error, Code: "unknown-message",
				Msg: fmt.Sprintf("the web chat says %s, which is missing", id)})
		}
	}
	for _, id := range deskMessages {
		if !cat.Has(id) {
			issues = append(issues, flow.Issue{File: "locales/" + cat.Settings().Reference + ".yaml", Severity: flow.Error, Code: "unknown-message",
				Msg: fmt.Sprintf("the operators' desk says %s, which is missing", id)})
		}
	}
	return issues
}

// glossaryChecks warns where a text names an Italian administrative term
// another way than the glossary (locales/glossary.yaml) says: the locale
// messages, the guides, the kinds of office and their routes.
func glossaryChecks(g *locales.Glossary, cat *locales.Catalog, dir *knowledge.Directory) flow.Issues {
	if g == nil || len(g.Terms) == 0 {
		return nil
	}
	var issues flow.Issues
	warn := func(file string, line int, lang string, vs []locales.Violation) {
		for _, v := range vs {
			want := v.Term.Name[lang]
			issues = append(issues, flow.Issue{File: file, Line: line, Severity: flow.Warning, Code: "glossary",
				Msg: fmt.Sprintf("%s: %q names %s; the glossary's %s name is %q", lang, v.Found, v.Term.Italian, lang, want)})
		}
	}
	for _, l := range cat.All() {
		for _, id := range cat.IDs(l.Code) {
			if vs := g.Check(l.Code, cat.Text(l.Code, id, nil)); len(vs) > 0 {
				file, line, _ := cat.Position(l.Code, id)
				warn("locales/"+file, line, l.Code, vs)
			}
		}
		if dir == nil {
			continue
		}
		for _, gd := range dir.Guides() {
			texts := []string{gd.Title[l.Code], gd.Summary[l.Code]}
			texts = append(append(texts, gd.Steps[l.Code]...), gd.Documents[l.Code]...)
			for _, t := range texts {
				warn("knowledge/"+gd.File, gd.Line, l.Code, g.Check(l.Code, t))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(dir.Kinds)) {
			warn("knowledge/kinds.yaml", 0, l.Code, g.Check(l.Code, dir.Kinds[id].Name[l.Code]))
			if r, ok := dir.KindRoute(id); ok {
				warn("knowledge/routes.yaml", r.Line, l.Code, g.Check(l.Code, r.Text[l.Code]))
			}
		}
	}
	return issues
}

// isolateChecks: a text that opens a directional isolate (U+2066–U+2068)
// must close it (U+2069), or the rest of the message is laid out inside
// it. (Every left-to-right run of a right-to-left reply is isolated when it
// is sent; authors may isolate template values themselves.)
func isolateChecks(cat *locales.Catalog) flow.Issues {
	var issues flow.Issues
	for _, l := range cat.All() {
		for _, id := range cat.IDs(l.Code) {
			text := cat.Text(l.Code, id, nil)
			open := strings.Count(text, "\u2066") + strings.Count(text, "\u2067") + strings.Count(text, "\u2068")
			if closed := strings.Count(text, "\u2069"); open != closed {
				file, line, _ := cat.Position(l.Code, id)
				issues = append(issues, flow.Issue{File: "locales/" + file, Line: line, Severity: flow.Error, Code: "bidi",
					Msg: fmt.Sprintf("%s opens %d directional isolates and closes %d", id, open, closed)})
			}
		}
	}
	return issues
}
