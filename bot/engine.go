package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"teamsbot/bot/flow"
	"teamsbot/bot/input"
	"teamsbot/internal/fold"
)

// MenuFlow is the flow the engine opens for "menu", at the end of a flow, and
// whenever it does not know where the user is.
const MenuFlow = "menu"

// Config tunes the engine. Zero values take the defaults.
type Config struct {
	// SessionTimeout: after this long without messages a conversation starts
	// again at the menu, with a "welcome back" (default 24 h).
	SessionTimeout time.Duration
	// MaxMisses: after this many answers in a row that the bot did not
	// understand, it offers the menu and an operator (default 3).
	MaxMisses int
	// BackDepth is how many answered questions "back" can return to (default 8).
	BackDepth int
	// Operators says an operators' desk is connected; without one "operator"
	// explains where to find a person instead of handing off.
	Operators bool
	// RetentionDays is said in the privacy notice (default 30).
	RetentionDays int
	// KeepsMisunderstood: the texts not understood are kept (masked, not
	// linked to the user); the privacy notice says so.
	KeepsMisunderstood bool
	// TranslatesHandoffs: messages between users and operators are machine
	// translated (the privacy notice says so).
	TranslatesHandoffs bool
	// Controller is the data controller the privacy notice names (the
	// public body that runs the bot).
	Controller string
	// Memo keeps the results of the actions that write, so a message
	// delivered again does not run them twice (see MemoKey); nil runs them
	// every time.
	Memo Sessions
	// Words are the words typed answers are read with: yes and no, number
	// words, month names, "tomorrow" (locales/words, loaded by
	// locales.LoadWords). nil means no word lists: digits, numeric dates and
	// emoji only.
	Words *input.Lexicon
	// Router reads free words typed where a choice was expected (at the
	// menu, or an answer matching no option); nil: only options, numbers
	// and command words are understood.
	Router Router
	// Links are the content's deep links (links.yaml).
	Links map[string]flow.Link
}

func (c *Config) defaults() {
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 24 * time.Hour
	}
	if c.MaxMisses <= 0 {
		c.MaxMisses = 3
	}
	if c.BackDepth <= 0 {
		c.BackDepth = 8
	}
	if c.RetentionDays <= 0 {
		c.RetentionDays = 30
	}
}

// Engine runs compiled flows. It is safe for concurrent use: it holds only
// read-only content; each call works on the session it is given.
type Engine struct {
	prog     *flow.Program
	tr       Translator
	actions  Actions
	gaz      Gazetteer
	router   Router
	links    map[string]flow.Link
	cfg      Config
	langs    []Language
	commands map[string]string // folded keyword → command
	langKeys map[string]string // folded name or code → language code
	rtl      map[string]bool   // languages written right to left
	// written is the script each language's own name is written in
	// ("Arabic" for العربية, اردو and دری): a first message in a script
	// few languages share narrows the language question to them.
	written map[string]*unicode.RangeTable
	scripts []*unicode.RangeTable // the distinct scripts of written
	menu    *flow.Flow
}

// offers reports whether code is a language offered to users (a router may
// recognise languages still in preparation).
func (e *Engine) offers(code string) bool {
	return code != "" && slices.ContainsFunc(e.langs, func(l Language) bool { return l.Code == code })
}

// NewEngine builds an engine over a compiled program. The program must have
// been compiled against the same translator and actions (see CheckEnv).
func NewEngine(prog *flow.Program, tr Translator, actions Actions, gaz Gazetteer, cfg Config) (*Engine, error) {
	cfg.defaults()
	e := &Engine{prog: prog, tr: tr, actions: actions, gaz: gaz, cfg: cfg, langs: tr.Languages(), router: cfg.Router, links: cfg.Links}
	var ok bool
	if e.menu, ok = prog.Flow(MenuFlow); !ok {
		return nil, fmt.Errorf("engine: content has no %q flow", MenuFlow)
	}
	if len(e.langs) == 0 {
		return nil, errors.New("engine: no languages")
	}
	e.commands = map[string]string{}
	e.langKeys = map[string]string{}
	e.rtl = map[string]bool{}
	e.written = map[string]*unicode.RangeTable{}
	for _, l := range e.langs {
		e.rtl[l.Code] = rtlName(l.Name)
		e.written[l.Code] = nameScript(l.Name)
		if table := e.written[l.Code]; table != nil && !slices.Contains(e.scripts, table) {
			e.scripts = append(e.scripts, table)
		}
		e.langKeys[fold.String(l.Name)] = l.Code
		e.langKeys[l.Code] = l.Code
		for _, cmd := range flow.Commands {
			for _, w := range strings.Split(tr.Text(l.Code, "command."+cmd, nil), "|") {
				if k := fold.String(w); k != "" {
					if _, taken := e.commands[k]; !taken {
						e.commands[k] = cmd
					}
				}
			}
		}
	}
	// Slash commands and the universal words work in every language. "start"
	// is what Telegram sends first.
	for _, cmd := range flow.Commands {
		e.commands[cmd] = cmd
	}
	e.commands["start"] = "start"
	e.commands["help"] = "menu"
	e.commands["delete"] = "forget"
	return e, nil
}

// CheckEnv is the flow.Env that checks flows against a translator and the
// registered actions.
func CheckEnv(tr Translator, actions Actions) flow.Env {
	return checkEnv{tr, actions}
}

type checkEnv struct {
	tr Translator
	as Actions
}

func (c checkEnv) HasMessage(id string) bool                       { return c.tr.Has(id) }
func (c checkEnv) Action(name string) (flow.ActionInfo, bool)      { return c.as.Action(name) }
func (e *Engine) Program() *flow.Program                           { return e.prog }
func (e *Engine) Translator() Translator                           { return e.tr }
func (e *Engine) Config() Config                                   { return e.cfg }
func (e *Engine) text(lang, id string, d map[string]string) string { return e.tr.Text(lang, id, d) }

// EventKind says what happened in a turn, for the host to act on.
type EventKind int

// Events a turn can produce.
const (
	// EventHandoff: hand the conversation to the operators' desk.
	EventHandoff EventKind = iota + 1
	// EventRelay: the user wrote during a handoff; pass it to the operator.
	EventRelay
	// EventHandoffEnded: the user left the handoff (menu, restart, expiry).
	EventHandoffEnded
	// EventForget: delete everything about this conversation; do not save it.
	EventForget
	// EventFlowStarted and EventFlowCompleted count flows (by id and
	// language) for the programme's indicators.
	EventFlowStarted
	EventFlowCompleted
	// EventMiss: an answer was not understood.
	EventMiss
	// EventLanguage: the user chose a language.
	EventLanguage
	// EventFeedback: the user rated an operator's help; Reason is 1–5.
	EventFeedback
	// EventRouted: free text led somewhere; Reason is the intent.
	EventRouted
	// EventNotUnderstood: free text led nowhere; Text is what the user
	// wrote, for the log of what was not understood (masked there, never
	// logged as is).
	EventNotUnderstood
	// EventPlace: the user gave a comune; Reason is its province (FI, PO),
	// for the programme's figures by province.
	EventPlace
	// EventAction: a writing action ran (a booking, an enrolment, a
	// proposal); Reason is "action:outcome".
	EventAction
)

var eventNames = [...]string{"unknown", "handoff", "relay", "handoff_ended", "forget", "flow_started", "flow_completed", "miss", "language", "feedback", "routed", "not_understood", "place", "action"}

// String is the event's snake_case name, as conversation tests and metrics
// write it.
func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event is something a turn did that the host acts on or counts. Events carry
// no message text except EventRelay's Inbound, which goes to the operator,
// and EventNotUnderstood's Text, which is masked before it is kept.
type Event struct {
	Kind    EventKind
	Flow    string
	Step    string
	Reason  string
	Lang    string
	Inbound *Inbound
	Text    string
	// Context is what an operator needs at a glance on a handoff: the
	// conversation's variables (answers).
	Context map[string]string
}

// Turn is the result of one step of the engine.
type Turn struct {
	Replies []Reply
	Events  []Event
	// Understood is what the router made of the message, when free text
	// was read (evaluation and tests).
	Understood *Understanding
	// duplicate: the message was handled already; only replies still in
	// the outbox are sent.
	duplicate bool
	// flush: no message; only replies in the outbox are sent. hold: save
	// the session and leave its outbox to the sweeper.
	flush, hold bool
	// tell are the actions' notices for other conversations
	// (ActionResult.Tell), sent by the Service after the turn.
	tell []Told
}

// turn is the working state of one Step call.
type turn struct {
	e   *Engine
	ctx context.Context
	s   *Session
	in  Inbound
	now time.Time
	out Turn
	// said is the sentence that led into a flow this turn ("annulla il
	// mio appuntamento"): the first options it reaches may be chosen by
	// it (saidChoice), then it is forgotten.
	said string
}

// Step advances a conversation by one inbound message. It changes s in place
// and returns what to send and what happened. It does no I/O of its own
// (actions registered from Go may, and the memo of those that write); an error means the content or an action
// failed, and the user has already been given a polite reply in the Turn.
func (e *Engine) Step(ctx context.Context, s *Session, in Inbound, now time.Time) (Turn, error) {
	t := &turn{e: e, ctx: ctx, s: s, in: in, now: now}
	if s.State == "" {
		s.State = StateNew
	}
	switch in.Status {
	case StatusBlocked:
		// Nothing to say to someone who blocked the bot; the time of the
		// last message is kept as it was.
		s.Blocked = true
		return t.out, nil
	case StatusUnblocked:
		s.Blocked = false
		return t.out, nil
	}
	s.Blocked = false // a user who writes has unblocked the bot
	err := t.run()
	if err == nil {
		t.oneList()
		t.rememberOffer()
	}
	if err != nil {
		// Never a dead end: whatever broke, the user gets an apology and the menu.
		t.out.Replies = nil
		t.say("error.generic", nil)
		s.Flow, s.Step, s.Misses, s.Pending = "", "", 0, ""
		if s.State == StateFlow {
			if err2 := t.advance(e.menu.Start); err2 != nil {
				err = errors.Join(err, err2)
			}
		}
	}
	s.Updated = now.Unix()
	return t.out, err
}

func (t *turn) lang() string {
	if t.s.Lang != "" {
		return t.s.Lang
	}
	return t.e.langs[0].Code
}

// say appends a locale message to the reply being built.
func (t *turn) say(id string, data map[string]string) {
	t.raw(t.e.text(t.lang(), id, data), id)
}

// raw appends text to the reply being built: to the last reply, unless that
// one already carries options (then the text would come after the buttons).
func (t *turn) raw(text, id string) {
	if text == "" {
		return
	}
	n := len(t.out.Replies)
	if n == 0 || len(t.out.Replies[n-1].Options) > 0 || t.out.Replies[n-1].AskLocation {
		t.out.Replies = append(t.out.Replies, Reply{Lang: t.lang()})
		n++
	}
	r := &t.out.Replies[n-1]
	if r.Text != "" {
		r.Text += "\n\n"
	}
	r.Text += text
	if id != "" {
		r.MessageIDs = append(r.MessageIDs, id)
	}
}

// offer attaches options to the reply being built.
func (t *turn) offer(opts ...Option) {
	n := len(t.out.Replies)
	if n == 0 || len(t.out.Replies[n-1].Options) > 0 {
		t.out.Replies = append(t.out.Replies, Reply{Lang: t.lang()})
		n++
	}
	r := &t.out.Replies[n-1]
	r.Options = append(r.Options, opts...)
	r.ChooseLabel = t.e.text(t.lang(), "common.choose", nil)
}

func (t *turn) cmdOption(cmd, label string) Option {
	return Option{ID: "c:" + cmd, Label: t.e.text(t.lang(), label, nil), MessageID: label}
}

func (t *turn) event(ev Event) {
	if ev.Lang == "" {
		ev.Lang = t.s.Lang
	}
	t.out.Events = append(t.out.Events, ev)
}

func (t *turn) run() error {
	s := t.s
	// A conversation idle for longer than the timeout starts again at the
	// menu; language and consent are kept.
	if s.Updated > 0 && t.now.Sub(time.Unix(s.Updated, 0)) > t.e.cfg.SessionTimeout && s.State != StateNew {
		if s.State == StateWaiting || s.State == StateOperator {
			t.event(Event{Kind: EventHandoffEnded, Reason: "expired"})
			if err := transition(t.ctx, s, "give_back"); err != nil {
				return err
			}
		}
		s.Flow, s.Step, s.Back, s.Misses, s.Pending = "", "", nil, 0, ""
		if s.State == StateFlow {
			t.say("welcome.back", nil)
			if t.in.Payload == "" && t.in.Option == "" {
				return t.goMenu()
			}
		}
	}
	if t.in.Payload != "" {
		if done, err := t.deepLink(t.in.Payload); done || err != nil {
			return err
		}
	}
	t.offered()
	cmd := t.command()
	switch s.State {
	case StateNew:
		return t.greet()
	case StateLanguage:
		return t.chooseLanguage()
	case StatePrivacy:
		return t.privacy(cmd)
	case StateWaiting, StateOperator:
		return t.inHandoff(cmd)
	}
	if s.Pending == PendingRoute && (cmd != "" || t.in.Option != "") && !strings.HasPrefix(t.in.Option, "r:") {
		// The "did you mean" question is over: "none of these", a command
		// or another button.
		if cmd == "retry" {
			t.noneOfThese()
		} else {
			delete(s.Vars, routesVar)
			delete(s.Vars, askedVar)
		}
	}
	if cmd != "" {
		if t.in.Option == "" && !strings.HasPrefix(t.in.Text, "/") {
			t.direct("commands." + cmd)
		}
		return t.runCommand(cmd)
	}
	if s.Pending == PendingForget {
		return t.confirmForget()
	}
	if s.Pending == PendingFeedback {
		s.Pending = ""
		if n, ok := smallInt(t.in.Text); ok && n >= 1 && n <= 5 {
			return t.feedback(strconv.Itoa(n))
		}
	}
	return t.answer()
}

// deepLink applies a start payload, parts joined by "-": "lang_xx" sets the
// language, a link of links.yaml sets its language and variables and opens
// its flow, a flow id opens that flow (after the privacy notice for a new
// user). Unknown parts are ignored: a poster printed for old content still
// starts a conversation. It reports whether the turn is done.
func (t *turn) deepLink(p string) (bool, error) {
	s := t.s
	setLang := func(code string) {
		if c, ok := t.e.tr.Match(code); ok {
			if s.Lang != c {
				t.event(Event{Kind: EventLanguage, Lang: c})
			}
			s.Lang = c
		}
	}
	for _, part := range strings.Split(p, "-") {
		if code, ok := strings.CutPrefix(part, "lang_"); ok {
			setLang(code)
			continue
		}
		if l, ok := t.e.links[part]; ok {
			if l.Lang != "" {
				setLang(l.Lang)
			}
			for k, v := range l.Vars {
				s.setVar(k, v)
			}
			if l.Flow != "" {
				s.Link = l.Flow
			}
			continue
		}
		if _, ok := t.e.prog.Flow(part); ok {
			s.Link = part
		}
	}
	if s.State == StateFlow && s.Link != "" {
		f, _ := t.e.prog.Flow(s.Link)
		s.Link = ""
		return true, t.startFlow(f)
	}
	return false, nil
}

// command recognises a global command: a command button, or a whole message
// that is one of the command words of any language.
func (t *turn) command() string {
	if c, ok := strings.CutPrefix(t.in.Option, "c:"); ok {
		return c
	}
	if t.in.Option != "" || t.in.Text == "" || len(t.in.Text) > 40 {
		return ""
	}
	return t.e.commands[fold.String(t.in.Text)]
}

func (t *turn) greet() error {
	s := t.s
	// A first message that is a question is answered once the user has
	// chosen a language and accepted the privacy notice; its language,
	// when the router is sure of it, is the conversation's.
	t.keepFirst()
	danger := false
	if t.e.router != nil && t.in.Text != "" && t.in.Payload == "" {
		u := t.e.router.Understand(t.ctx, s.Lang, t.in.Text)
		if t.e.offers(u.Lang) {
			s.Lang = u.Lang
		}
		danger = u.Danger
	}
	if danger {
		// A life in danger is not kept waiting behind a language
		// question or a privacy notice: the emergency numbers first (in
		// the language of the text, else every language's line), the
		// full guide once accepted.
		t.dangerFirst()
	}
	if s.Lang == "" {
		if c, ok := t.e.tr.Match(t.in.LangHint); ok && t.in.LangHint != "" {
			s.Lang = c
		}
	}
	if s.Lang == "" {
		if err := transition(t.ctx, s, "ask_language"); err != nil {
			return err
		}
		if !t.narrowPicker() {
			t.languagePicker()
		}
		return nil
	}
	if err := transition(t.ctx, s, "skip_language"); err != nil {
		return err
	}
	t.event(Event{Kind: EventLanguage})
	// A language told by the first message or the phone, not chosen from
	// the list, is machine-translated all the same: the user is told so.
	t.reviewNote()
	t.privacyNotice(true)
	return nil
}

// dangerFirst says the emergency numbers before anything else: in the
// conversation's language when known, else in every language offered.
func (t *turn) dangerFirst() {
	if t.s.Lang != "" {
		t.say("privacy.danger_first", nil)
		return
	}
	t.out.Replies = append(t.out.Replies, Reply{Text: t.e.inEveryLanguage("privacy.danger_first"), MessageIDs: []string{"privacy.danger_first"}})
}

// inEveryLanguage is message id in every language offered, a line each,
// the same text once.
func (e *Engine) inEveryLanguage(id string) string {
	lines := make([]string, 0, len(e.langs))
	seen := map[string]bool{}
	for _, l := range e.langs {
		if line := e.text(l.Code, id, nil); !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// languagePicker asks for the language in every language, each written in
// its own name.
func (t *turn) languagePicker() {
	delete(t.s.Vars, langsShownVar)
	t.out.Replies = append(t.out.Replies, Reply{Text: t.e.inEveryLanguage("language.ask"), MessageIDs: []string{"language.ask"}})
	opts := make([]Option, len(t.e.langs))
	for i, l := range t.e.langs {
		opts[i] = Option{ID: "c:lang:" + l.Code, Label: l.Name}
	}
	t.offer(opts...)
}

// maxNarrowed bounds the languages a script narrows the question to.
const maxNarrowed = 3

// langsShownVar holds the codes of the languages of a narrowed language
// question, in their order, while it waits.
const langsShownVar = "languages_shown"

// narrowPicker asks for the language among those written in the script
// of the user's text, when it is not Latin and few share it ("مرحبا":
// العربية, اردو, دری; "привіт": Українська), each asked in its own
// language, with one more button for all the others: twelve lines and
// twelve buttons on a small phone, for someone who may read one script
// only, hide the three that matter. It reports whether it asked.
func (t *turn) narrowPicker() bool {
	table := mainScript(t.in.Text, t.e.scripts)
	if table == nil || table == unicode.Latin {
		return false
	}
	var in []Language
	for _, l := range t.e.langs {
		if t.e.written[l.Code] == table {
			in = append(in, l)
		}
	}
	if len(in) == 0 || len(in) > maxNarrowed {
		return false
	}
	lines := make([]string, len(in))
	codes := make([]string, len(in))
	opts := make([]Option, 0, len(in)+1)
	for i, l := range in {
		lines[i] = t.e.text(l.Code, "language.ask", nil)
		codes[i] = l.Code
		opts = append(opts, Option{ID: "c:lang:" + l.Code, Label: l.Name})
	}
	// The others, by the first two names in their own languages: a label
	// most can read a word of, short enough for a WhatsApp button (20).
	var others []string
	for _, l := range t.e.langs {
		if t.e.written[l.Code] != table && len(others) < 2 {
			others = append(others, l.Name)
		}
	}
	opts = append(opts, Option{ID: "c:language", Label: "🌐 " + strings.Join(others, ", ") + "…"})
	// A number typed is one of these buttons ("2" is اردو, "4" the others).
	t.s.setVar(langsShownVar, strings.Join(codes, ","))
	t.out.Replies = append(t.out.Replies, Reply{Text: strings.Join(lines, "\n"), MessageIDs: []string{"language.ask"}})
	t.offer(opts...)
	return true
}

// nameScript is the script a language's own name is written in (nil when
// none of its letters is in one).
func nameScript(name string) *unicode.RangeTable {
	for _, r := range name {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, table := range unicode.Scripts {
			if unicode.Is(table, r) {
				return table
			}
		}
	}
	return nil
}

// mainScript is the script, among tables, of more than half of a text's
// letters (nil when none is).
func mainScript(text string, tables []*unicode.RangeTable) *unicode.RangeTable {
	counts := make([]int, len(tables))
	letters := 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		for i, table := range tables {
			if unicode.Is(table, r) {
				counts[i]++
				break
			}
		}
	}
	for i, n := range counts {
		if 2*n > letters {
			return tables[i]
		}
	}
	return nil
}

func (t *turn) pickedLanguage() (string, bool) {
	if c, ok := strings.CutPrefix(t.in.Option, "c:lang:"); ok {
		return t.e.tr.Match(c)
	}
	text := strings.TrimSpace(t.in.Text)
	if text == "" {
		return "", false
	}
	if n, ok := smallInt(text); ok {
		// The number of a button of the list the user saw: the narrowed
		// one, or all.
		codes := strings.Split(t.s.Vars[langsShownVar], ",")
		if codes[0] == "" {
			codes = codes[:0]
			for _, l := range t.e.langs {
				codes = append(codes, l.Code)
			}
		}
		if n >= 1 && n <= len(codes) {
			return codes[n-1], true
		}
		return "", false
	}
	if c, ok := t.e.langKeys[fold.String(text)]; ok {
		return c, true
	}
	// A user who cannot read Latin letters can answer in their own script.
	return scriptLanguage(text, t.e.langs)
}

// reviewNote tells a user who chose a language whose texts no native
// speaker has checked yet, so that an odd sentence is not taken as the
// office's word.
func (t *turn) reviewNote() {
	for _, l := range t.e.langs {
		if l.Code == t.s.Lang && l.Review != "" {
			t.say("language.unreviewed", nil)
		}
	}
}

func (t *turn) chooseLanguage() error {
	s := t.s
	code, ok := t.pickedLanguage()
	if !ok && t.e.router != nil && sentence(t.in.Text) {
		// A question instead of a language: its language is the answer,
		// and the question is answered after the privacy notice.
		if u := t.e.router.Understand(t.ctx, "", t.in.Text); t.e.offers(u.Lang) {
			code, ok = u.Lang, true
			t.keepFirst()
		}
	}
	if !ok {
		if cmd := t.command(); cmd == "forget" || cmd == "restart" {
			return t.runCommand(cmd)
		}
		if t.in.Option != "c:language" && t.narrowPicker() {
			return nil
		}
		t.languagePicker()
		return nil
	}
	s.Lang = code
	delete(s.Vars, langsShownVar)
	t.event(Event{Kind: EventLanguage})
	t.reviewNote()
	if s.Consent == 0 {
		if err := transition(t.ctx, s, "choose_language"); err != nil {
			return err
		}
		t.privacyNotice(true)
		return nil
	}
	if err := transition(t.ctx, s, "resume"); err != nil {
		return err
	}
	t.say("language.changed", nil)
	if done, err := t.answerFirst(); done || err != nil {
		// A question typed at the language question ("il faut quels
		// documents ?"): its language chosen, it is answered, not lost.
		return err
	}
	if n, ok := t.e.prog.Node(s.Flow, s.Step); ok && n.Kind.Waits() {
		return t.advance(n)
	}
	return t.goMenu()
}

// maxLanguageRequest bounds a text read as asking for a language by its
// name at the privacy notice ("en español por favor"); a longer one is a
// question that may name a language ("do I need to speak Italian?").
const maxLanguageRequest = 5

func (t *turn) privacyNotice(first bool) {
	d := map[string]string{"days": strconv.Itoa(t.e.cfg.RetentionDays)}
	if t.e.cfg.KeepsMisunderstood {
		d["misunderstood"] = "yes"
	}
	if t.e.cfg.TranslatesHandoffs {
		d["translated"] = "yes"
	}
	if t.e.cfg.Controller != "" {
		d["controller"] = t.e.cfg.Controller
	}
	t.say("privacy.notice", d)
	if first {
		t.offer(t.cmdOption("privacy_ok", "privacy.accept"), t.cmdOption("privacy_no", "privacy.decline"))
		return
	}
	t.offer(t.cmdOption("retry", "common.continue"), t.cmdOption("forget", "privacy.forget"), t.cmdOption("menu", "common.menu"))
}

func (t *turn) privacy(cmd string) error {
	s := t.s
	yes, known := false, false
	switch cmd {
	case "privacy_ok":
		yes, known = true, true
	case "privacy_no":
		yes, known = false, true
	case "language":
		return t.runCommand(cmd)
	default:
		if cmd == "" {
			if n, ok := smallInt(t.in.Text); ok && (n == 1 || n == 2) {
				yes, known = n == 1, true
			} else if v, ok := t.plainYesNo(t.in.Text, s.Lang); ok {
				// Consent is a yes that says nothing else: "عندي سؤال"
				// ("I have a question") and "我有居留问题" hold a yes
				// word, and are questions to keep.
				yes, known = v, true
			}
		}
	}
	if !known {
		// A question instead of an answer: kept, and answered as soon as
		// the notice is accepted (the user is told so); written in another
		// language the bot speaks, or asking for one ("no entiendo, en
		// español por favor"), the notice again in it: a user who chose
		// Italiano by mistake was told "premi 1" in Italian, forever.
		asked := false
		if cmd == "" && t.e.router != nil {
			u := t.e.router.Understand(t.ctx, s.Lang, t.in.Text)
			switch code, _, named := t.namedLanguage(t.in.Text); {
			case named && len(strings.Fields(t.in.Text)) <= maxLanguageRequest && code != s.Lang && !t.e.cfg.Words.SaysNo(t.in.Text):
				s.Lang, asked = code, true
				t.event(Event{Kind: EventLanguage, Reason: "named"})
				t.reviewNote()
			case t.e.offers(u.Lang) && u.Lang != s.Lang:
				s.Lang = u.Lang
				t.event(Event{Kind: EventLanguage, Reason: "detected"})
				t.reviewNote()
				// "no entiendo, en español por favor" asks for the
				// language it is written in: not a question to keep.
				asked = len(u.Routes) > 0 && u.Routes[0].Command == "language"
			}
			if !asked && sentence(t.in.Text) && t.keep(true) {
				if u.Danger {
					t.dangerFirst()
				}
				t.say("privacy.question_kept", nil)
				t.privacyNotice(true)
				return nil
			}
		}
		if !asked {
			t.say("privacy.please", nil)
		}
		t.privacyNotice(true)
		return nil
	}
	if !yes {
		if err := transition(t.ctx, s, "decline"); err != nil {
			return err
		}
		t.say("privacy.declined", nil)
		t.event(Event{Kind: EventForget, Reason: "declined"})
		return nil
	}
	if err := transition(t.ctx, s, "accept"); err != nil {
		return err
	}
	s.Consent = t.now.Unix()
	t.say("welcome.hello", nil)
	if done, err := t.answerFirst(); done || err != nil {
		s.Link = ""
		return err
	}
	if s.Link != "" {
		f, ok := t.e.prog.Flow(s.Link)
		s.Link = ""
		if ok {
			return t.startFlow(f)
		}
	}
	return t.goMenu()
}

func (t *turn) runCommand(cmd string) error {
	s := t.s
	s.Pending = ""
	switch cmd {
	case "start", "menu":
		if cmd == "start" && s.Flow == "" && s.Step == "" {
			t.say("welcome.hello", nil)
		}
		s.Misses = 0
		return t.goMenu()
	case "restart":
		s.Vars, s.Back, s.Misses = nil, nil, 0
		t.say("common.restarted", nil)
		return t.goMenu()
	case "back":
		return t.back()
	case "operator":
		return t.handoff("user_request")
	case "language":
		if err := transition(t.ctx, s, "change_language"); err != nil {
			return err
		}
		t.languagePicker()
		return nil
	case "privacy":
		t.privacyNotice(false)
		return nil
	case "forget":
		s.Pending = PendingForget
		t.say("forget.confirm", nil)
		t.offer(t.cmdOption("forget_yes", "forget.yes"), t.cmdOption("retry", "forget.no"))
		return nil
	case "forget_yes":
		return t.forget()
	case "retry":
		s.Misses = 0
		return t.reask(nil)
	}
	if n, ok := strings.CutPrefix(cmd, "rate:"); ok {
		return t.feedback(n)
	}
	if id, ok := strings.CutPrefix(cmd, "flow:"); ok {
		if f, ok := t.e.prog.Flow(id); ok {
			return t.startFlow(f)
		}
		return t.goMenu()
	}
	if lang, ok := strings.CutPrefix(cmd, "lang:"); ok {
		// A language button pressed outside the picker (an old message).
		if c, ok := t.e.tr.Match(lang); ok {
			s.Lang = c
			t.event(Event{Kind: EventLanguage})
			t.say("language.changed", nil)
		}
		return t.reask(nil)
	}
	return t.reask(nil)
}

// feedback records the user's rating of an operator's help (an event for
// the metrics, no text kept) and goes back to the menu.
func (t *turn) feedback(n string) error {
	k, err := strconv.Atoi(n)
	if err != nil || k < 1 || k > 5 {
		return t.goMenu()
	}
	t.s.Pending = ""
	t.event(Event{Kind: EventFeedback, Reason: n})
	t.say("feedback.thanks", nil)
	return t.goMenu()
}

func (t *turn) confirmForget() error {
	s := t.s
	s.Pending = ""
	// Deleting everything takes a yes that says nothing else ("有什么
	// 问题" holds a yes word); a no in any words keeps everything.
	if v, ok := t.plainYesNo(t.in.Text, s.Lang); ok && v {
		return t.forget()
	}
	if v, ok := t.yesNo(t.in.Text, s.Lang); ok && !v {
		return t.reask(nil)
	}
	if n, ok := smallInt(t.in.Text); ok && (n == 1 || n == 2) {
		if n == 1 {
			return t.forget()
		}
		return t.reask(nil)
	}
	return t.answer()
}

func (t *turn) forget() error {
	s := t.s
	lang := t.lang()
	if s.State == StateWaiting || s.State == StateOperator {
		t.event(Event{Kind: EventHandoffEnded, Reason: "forget"})
	}
	t.event(Event{Kind: EventForget, Reason: "user"})
	*s = Session{State: StateNew}
	// Said in the language the user was using (the session has none now).
	t.out.Replies = []Reply{{Text: t.e.text(lang, "forget.done", nil), Lang: lang, MessageIDs: []string{"forget.done"}}}
	return nil
}

func (t *turn) back() error {
	s := t.s
	for len(s.Back) > 0 {
		p := s.Back[len(s.Back)-1]
		s.Back = s.Back[:len(s.Back)-1]
		if n, ok := t.e.prog.Node(p.Flow, p.Step); ok && n.Kind.Waits() {
			s.Misses = 0
			return t.advance(n)
		}
	}
	t.say("common.no_back", nil)
	return t.reask(nil)
}

// goMenu opens the main menu.
func (t *turn) goMenu() error {
	t.s.Back = nil
	return t.advance(t.e.menu.Start)
}

func (t *turn) startFlow(f *flow.Flow) error {
	return t.advance(f.Start)
}

// current returns the waiting step the user is answering, if any.
func (t *turn) current() (*flow.Node, bool) {
	if t.s.Flow == "" {
		return nil, false
	}
	n, ok := t.e.prog.Node(t.s.Flow, t.s.Step)
	if !ok || !n.Kind.Waits() {
		return nil, false
	}
	return n, true
}

// reask renders the current question again, after an optional message.
func (t *turn) reask(before []flow.Message) error {
	n, ok := t.current()
	if !ok {
		return t.goMenu()
	}
	for _, m := range before {
		t.say(m.ID, t.data(m))
	}
	t.question(n, true)
	return nil
}

// question renders a waiting step: its texts (only the last one when asked
// again) and its options.
func (t *turn) question(n *flow.Node, again bool) {
	say := n.Say
	if again && len(say) > 1 {
		say = say[len(say)-1:]
	}
	for _, m := range say {
		t.say(m.ID, t.data(m))
	}
	switch n.Kind {
	case flow.KindOptions:
		opts := make([]Option, len(n.Options))
		for i, o := range n.Options {
			opts[i] = Option{ID: o.ID, Label: t.e.text(t.lang(), o.Label, t.s.Vars), MessageID: o.Label}
		}
		t.offer(opts...)
	case flow.KindAsk:
		if n.Ask == "choice" {
			cs := t.choices(n)
			opts := make([]Option, len(cs))
			for i, c := range cs {
				opts[i] = Option{ID: "o:" + n.Hash + ":" + strconv.Itoa(i+1), Label: c.Label}
			}
			t.offer(opts...)
		}
		if n.Ask == "location" || n.Ask == "municipality" {
			if len(t.out.Replies) == 0 {
				t.out.Replies = append(t.out.Replies, Reply{Lang: t.lang()})
			}
			r := &t.out.Replies[len(t.out.Replies)-1]
			r.AskLocation = true
			r.LocationLabel = t.e.text(t.lang(), "common.share_location", nil)
		}
	}
}

func (t *turn) data(m flow.Message) map[string]string {
	if len(m.Data) == 0 {
		return t.s.Vars
	}
	d := make(map[string]string, len(t.s.Vars)+len(m.Data))
	for k, v := range t.s.Vars {
		d[k] = v
	}
	for _, a := range m.Data {
		d[a.Name] = a.Value.Render(t.s.Vars)
	}
	return d
}

// maxSteps bounds one turn. Lint rejects loops without a question, so a turn
// that runs this many steps is a bug in an action or in the engine.
const maxSteps = 100

// advance runs steps from n until one waits for the user, hands off, or
// ends.
func (t *turn) advance(n *flow.Node) error {
	s := t.s
	for range maxSteps {
		if n == nil {
			return fmt.Errorf("flow %s step %s: nowhere to go", s.Flow, s.Step)
		}
		if n == n.Flow.Start && n.Flow != t.e.menu && (s.Flow != n.Flow.ID || s.Step != n.ID) {
			t.event(Event{Kind: EventFlowStarted, Flow: n.Flow.ID})
		}
		s.Flow, s.Step = n.Flow.ID, n.ID
		for _, a := range n.Set {
			s.setVar(a.Name, a.Value.Render(s.Vars))
		}
		if n.Kind.Waits() {
			if v, ok := t.saidAge(n); ok {
				// "mio figlio ha 8 anni" led to the school flow: its "how
				// old?" is answered by the same sentence (the flow says
				// the age back, so a wrong reading is seen at once).
				t.pushBack(n)
				s.setVar(n.Save, strconv.Itoa(v))
				n = n.Next
				continue
			}
			if i := t.saidChoice(n); i >= 0 {
				// "annulla il mio appuntamento" led to the appointment;
				// its "cancel it or move it?" is answered by the same
				// sentence. The step after (a confirmation) asks.
				return t.take(n, i, "meaning")
			}
			t.said = ""
			s.Misses = 0
			t.question(n, false)
			return nil
		}
		if n.Kind != flow.KindHandoff || t.e.cfg.Operators {
			// A handoff's words ("I am passing you to a person") are said
			// only when there is a person to pass to.
			for _, m := range n.Say {
				t.say(m.ID, t.data(m))
			}
		}
		next, stop, err := flow.Run(t, n)
		if stop || err != nil {
			return err
		}
		n = next
	}
	return fmt.Errorf("flow %s step %s: more than %d steps without a question", s.Flow, s.Step, maxSteps)
}

// Vars are the conversation's variables (flow.Runner: the turn runs the
// steps).
func (t *turn) Vars() map[string]string { return t.s.Vars }

// FlowCompleted records that a flow reached its end (flow.Runner).
func (t *turn) FlowCompleted(f *flow.Flow) { t.event(Event{Kind: EventFlowCompleted, Flow: f.ID}) }

// Handoff passes the conversation to an operator (flow.Runner).
func (t *turn) Handoff(reason string) error { return t.handoff(reason) }

// Ended is where an ended flow goes: the menu, with no way back (flow.Runner).
func (t *turn) Ended() *flow.Node {
	t.s.Back = nil
	return t.e.menu.Start
}

// Do runs a step's action and returns the step its outcome leads to
// (flow.Runner).
func (t *turn) Do(n *flow.Node) (*flow.Node, error) {
	a, ok := t.e.actions[n.Do]
	if !ok {
		return nil, fmt.Errorf("flow %s step %s: action %q is not registered", n.Flow.ID, n.ID, n.Do)
	}
	args := make(map[string]string, len(n.With))
	for _, w := range n.With {
		args[w.Name] = w.Value.Render(t.s.Vars)
	}
	lang := t.lang()
	tr := func(id string, data map[string]string) string { return t.e.tr.Text(lang, id, data) }
	res, err := t.runAction(a, ActionRequest{Lang: lang, Args: args, Vars: t.s.Vars, Now: t.now, T: tr, Conversation: t.in.Key()}, n.Flow.ID, n.ID)
	if err != nil {
		return nil, fmt.Errorf("action %s: %w", n.Do, err)
	}
	for k, v := range res.Set {
		t.s.setVar(k, v)
	}
	t.out.tell = append(t.out.tell, res.Tell...)
	for _, said := range res.Say {
		if said.Raw != "" {
			t.raw(said.Raw, "")
		} else {
			t.say(said.ID, said.Data)
		}
	}
	if next, ok := n.On[res.Outcome]; ok {
		return next, nil
	}
	if n.Next != nil {
		return n.Next, nil
	}
	return nil, fmt.Errorf("action %s: outcome %q not handled by step %s", n.Do, res.Outcome, n.ID)
}

// direct records that a typed text named an intent without the router: a
// menu label or a command word.
func (t *turn) direct(intent string) {
	t.out.Understood = &Understanding{Direct: true, Sure: true, Routes: []Route{{Intent: intent}}, Ranked: []Scored{{Intent: intent, P: 1}}, Known: 1}
}

// languageName is a language's name in itself.
func (e *Engine) languageName(code string) string {
	for _, l := range e.langs {
		if l.Code == code {
			return l.Name
		}
	}
	return code
}

// pushBack remembers the question just answered, for "back".
func (t *turn) pushBack(n *flow.Node) {
	s := t.s
	if k := len(s.Back); k > 0 && s.Back[k-1] == (Place{n.Flow.ID, n.ID}) {
		return
	}
	s.Back = append(s.Back, Place{Flow: n.Flow.ID, Step: n.ID})
	if len(s.Back) > t.e.cfg.BackDepth {
		s.Back = append(s.Back[:0], s.Back[len(s.Back)-t.e.cfg.BackDepth:]...)
	}
}

// miss handles an answer the current question did not understand.
func (t *turn) miss(n *flow.Node, why string) error {
	s := t.s
	s.Misses++
	t.event(Event{Kind: EventMiss, Flow: n.Flow.ID, Step: n.ID, Reason: why})
	if s.Misses >= t.e.cfg.MaxMisses {
		s.Misses = 0
		t.say("fallback.stuck", nil)
		t.offer(t.cmdOption("retry", "common.try_again"), t.cmdOption("menu", "common.menu"), t.cmdOption("operator", "common.operator"))
		return nil
	}
	var before []flow.Message
	switch {
	case why == "media":
		before = []flow.Message{{ID: "error.media"}}
	case why == "old_button":
		before = []flow.Message{{ID: "error.old_button"}}
	case why == "too_long":
		limit := input.DefaultMaxText
		if n.Max != nil {
			limit = int(*n.Max)
		}
		t.say("error.too_long", map[string]string{"max": strconv.Itoa(limit)})
	case len(n.Invalid) > 0:
		before = n.Invalid
	case n.Kind == flow.KindOptions:
		before = []flow.Message{{ID: "error.choose_option"}}
	default:
		before = []flow.Message{{ID: "error.not_understood"}}
	}
	return t.reask(before)
}

func (t *turn) answer() error {
	s := t.s
	if s.Pending == PendingRoute {
		s.Pending = ""
		if done, err := t.pickRoute(); done || err != nil {
			return err
		}
	}
	n, ok := t.current()
	if !ok {
		if s.Flow != "" {
			// The step the user was on is gone: content changed under them.
			t.say("error.content_changed", nil)
		} else if t.in.Text != "" && t.in.Option == "" {
			if done, err := t.understand(false); done || err != nil {
				return err
			}
		}
		return t.goMenu()
	}
	if t.in.Media != nil && t.in.Text == "" && n.Ask != "location" {
		return t.miss(n, "media")
	}
	switch n.Kind {
	case flow.KindOptions:
		return t.choose(n)
	default:
		return t.typed(n)
	}
}

func (t *turn) choose(n *flow.Node) error {
	i, why := t.matchOption(n)
	if i < 0 {
		if why == "no_match" || why == "ambiguous" {
			if i, reply := t.meant(n); i >= 0 {
				return t.take(n, i, "meaning")
			} else if reply != "" {
				// Answered in place ("phone number?" under the offices
				// found), then the question again.
				t.say(reply, t.s.Vars)
				t.question(n, true)
				return nil
			}
			if done, err := t.understand(false); done || err != nil {
				return err
			}
			if n.Flow == t.e.menu {
				return t.notUnderstood(n)
			}
		}
		return t.miss(n, why)
	}
	return t.take(n, i, why)
}

// meant finds the option of n a typed text chooses in its own words (the
// options' means:, or its place in the list), or -1 and the message of the
// step's replies: that answers it in place, or -1 and "".
func (t *turn) meant(n *flow.Node) (int, string) {
	ar, ok := t.e.router.(AnswerReader)
	if !ok || t.in.Option != "" {
		return -1, ""
	}
	meanings := optionMeanings(n)
	for m := range n.Replies {
		meanings = append(meanings, m)
	}
	slices.Sort(meanings) // the same order every time: map order is not
	meanings = append(meanings, Ordinals...)
	m, ok := ar.Means(t.in.Text, meanings)
	if !ok {
		return -1, ""
	}
	if k := slices.Index(Ordinals, m); k >= 0 {
		if k < len(n.Options) {
			return k, ""
		}
		return -1, ""
	}
	t.event(Event{Kind: EventRouted, Reason: "means." + m})
	if i := optionMeaning(n, m); i >= 0 {
		return i, ""
	}
	return -1, n.Replies[m]
}

// saidAge reads the age the sentence that led into the flow writes, when
// n, the first question reached after it, asks for an age: one age, within
// the step's bounds ("da 3 anni" is a length of time, not an age).
func (t *turn) saidAge(n *flow.Node) (int, bool) {
	if n.Ask != "age" || t.said == "" {
		return 0, false
	}
	v, ok := t.e.cfg.Words.Age(t.said)
	if !ok || n.Min != nil && float64(v) < *n.Min || n.Max != nil && float64(v) > *n.Max {
		return 0, false
	}
	t.said = ""
	return v, true
}

// saidChoice finds the option of n, the first question reached after a
// sentence led into the flow, that the sentence itself chose in its own
// words (an option's means:), or -1. Only the options' meanings: not the
// replies, not the place in a list.
func (t *turn) saidChoice(n *flow.Node) int {
	said := t.said
	t.said = ""
	ar, ok := t.e.router.(AnswerReader)
	if said == "" || !ok || n.Kind != flow.KindOptions {
		return -1
	}
	meanings := optionMeanings(n)
	if len(meanings) == 0 {
		return -1
	}
	m, ok := ar.Means(said, meanings)
	if !ok {
		return -1
	}
	i := optionMeaning(n, m)
	if i >= 0 {
		t.event(Event{Kind: EventRouted, Reason: "means." + m})
	}
	return i
}

// optionMeanings are the meanings n's options carry (means:).
func optionMeanings(n *flow.Node) []string {
	var out []string
	for _, o := range n.Options {
		if o.Means != "" {
			out = append(out, o.Means)
		}
	}
	return out
}

// optionMeaning is the option of n that means m, or -1.
func optionMeaning(n *flow.Node, m string) int {
	return slices.IndexFunc(n.Options, func(o *flow.Choice) bool { return o.Means == m })
}

// ordinal finds the item of a list of n that a text names by its place
// ("il primo", "the second one"), or -1.
func (t *turn) ordinal(n int) int {
	ar, ok := t.e.router.(AnswerReader)
	if !ok || t.in.Option != "" || strings.TrimSpace(t.in.Text) == "" {
		return -1
	}
	m, ok := ar.Means(t.in.Text, Ordinals)
	if k := slices.Index(Ordinals, m); ok && k >= 0 && k < n {
		return k
	}
	return -1
}

// take follows option i of n, chosen for why ("label" when its words were
// typed).
func (t *turn) take(n *flow.Node, i int, why string) error {
	o := n.Options[i]
	if n.Flow == t.e.menu && t.in.Option == "" && why == "label" {
		switch {
		case o.Goto != nil:
			t.direct("flows." + o.Goto.ID)
		case o.Command != "":
			t.direct("commands." + o.Command)
		}
	}
	for _, a := range o.Set {
		t.s.setVar(a.Name, a.Value.Render(t.s.Vars))
	}
	t.pushBack(n)
	switch {
	case o.Command != "":
		return t.runCommand(o.Command)
	case o.Goto != nil:
		t.event(Event{Kind: EventFlowCompleted, Flow: n.Flow.ID})
		return t.advance(o.Goto.Start)
	default:
		return t.advance(o.Next)
	}
}

// matchOption finds the option the user chose: a button of this question, its
// number, or its label (case- and accent-insensitive; a unique word of it will
// do). It returns -1 and why when nothing matches.
func (t *turn) matchOption(n *flow.Node) (int, string) {
	if id := t.in.Option; id != "" {
		rest, ok := strings.CutPrefix(id, "o:"+n.Hash+":")
		if !ok {
			return -1, "old_button"
		}
		if k, err := strconv.Atoi(rest); err == nil && k >= 1 && k <= len(n.Options) {
			return k - 1, ""
		}
		return -1, "old_button"
	}
	if k, ok := smallInt(t.in.Text); ok {
		if k >= 1 && k <= len(n.Options) {
			return k - 1, ""
		}
		return -1, "number"
	}
	if fold.String(t.in.Text) == "" {
		return -1, "empty"
	}
	labels := make([]string, len(n.Options))
	for i, o := range n.Options {
		labels[i] = t.e.text(t.lang(), o.Label, t.s.Vars)
	}
	switch i := matchLabel(t.in.Text, labels); i {
	case -1:
		if i := t.matchYesNo(labels); i >= 0 && n.Flow != t.e.menu {
			return i, "label"
		}
		return -1, "no_match"
	case -2:
		return -1, "ambiguous"
	default:
		return i, "label"
	}
}

// matchYesNo finds the option a yes or a no chooses: the one label that
// starts with a yes ("Sì, prenota" for "sì", "ok", "va bene") or with a no.
// The text is a short answer (three words, three Chinese characters at
// most), not a question that has a yes in it ("我要去哪里" has 要).
func (t *turn) matchYesNo(labels []string) int {
	if len(strings.Fields(t.in.Text)) > 3 || utf8.RuneCountInString(t.in.Text) > 3 && scriptHan(t.in.Text) {
		return -1
	}
	v, ok := t.plainYesNo(t.in.Text, t.lang())
	if !ok {
		return -1
	}
	found := -1
	for i, l := range labels {
		// The label's first word: up to a space or a punctuation mark
		// ("Sì, prenota", "是，参加").
		first := strings.TrimSpace(l)
		if j := strings.IndexFunc(first, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }); j > 0 {
			first = first[:j]
		}
		if w, ok := t.yesNo(first, t.lang()); ok && w == v {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// scriptHan reports whether text has a Han character.
func scriptHan(text string) bool {
	return strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// matchLabel finds the label a text names: the whole label, or a unique run
// of its words (case- and accent-insensitive). It returns -1 for no match,
// -2 when several labels match.
func matchLabel(text string, labels []string) int {
	in := fold.String(text)
	if in == "" {
		return -1
	}
	found := -1
	for i, l := range labels {
		label := fold.String(l)
		if label == in {
			return i
		}
		if len([]rune(in)) >= 3 && containsWords(label, in) {
			if found >= 0 {
				return -2
			}
			found = i
		}
	}
	return found
}

// containsWords reports whether needle appears in hay on word boundaries.
func containsWords(hay, needle string) bool {
	for i := 0; ; {
		j := strings.Index(hay[i:], needle)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(needle)
		if (j == 0 || hay[j-1] == ' ') && (end == len(hay) || hay[end] == ' ') {
			return true
		}
		i = j + 1
		if i >= len(hay) {
			return false
		}
	}
}
