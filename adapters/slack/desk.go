package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"teamsbot/handoff"
	"teamsbot/internal/every"

	"github.com/slack-go/slack"

	"teamsbot/bot"
)

// Operators is how the desk reaches conversations (bot.Service).
type Operators interface {
	OperatorJoined(ctx context.Context, conv, name string) error
	// OperatorSays relays what the operator wrote (translated or not); id
	// identifies the Slack message, so a retried event is relayed once.
	OperatorSays(ctx context.Context, conv, name string, msg bot.OperatorText, id string) error
	// OperatorSends sends a guide ("guide:<id>") or a saved reply
	// ("reply:<id>") in the user's language.
	OperatorSends(ctx context.Context, conv, name, what, id string) error
	GiveBack(ctx context.Context, conv string) error
	Close(ctx context.Context, conv string) error
	TimedOut(ctx context.Context, conv string) error
}

// Answer is a reviewed text an operator can send from a thread: a guide or
// a saved reply, written and translated as content, so the user reads it
// in their language without a machine.
type Answer struct {
	// What names it for Operators.OperatorSends: "guide:permit_renewal",
	// "reply:bring_documents".
	What string
	// Title is how the operators read it, in their language.
	Title string
}

// Answers finds the answers operators can send: all of them for an empty
// query, else those the words ask for, best first, and whether the first
// is the one meant.
type Answers func(ctx context.Context, query string) (found []Answer, sure bool)

// Translator translates a text between two languages (package translate).
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// KV is what the desk keeps in the store: the cases (package handoff),
// and once-only marks (attendance, the office's buttons).
type KV interface {
	handoff.KV
	bot.Deduper
}

// Config configures the desk.
type Config struct {
	BotToken      string
	SigningSecret string
	// Channel is the operators' channel id (SLACK_CHANNEL).
	Channel string
	// APIURL is the Web API base (tests); default Slack's.
	APIURL string
	// Retention is how long the desk's records are kept (default 30 days).
	Retention time.Duration
	// Hours reports whether operators are at work at a time, and when they
	// are back if not (nil: always at work).
	Hours func(now time.Time) (open bool, opens time.Time)
	// Route picks the channel of a handoff (a PUA's own operators); ""
	// or nil: Channel.
	Route func(h bot.Handoff) string
	// Languages names the users' languages for the operators (their names
	// in themselves, and in Italian for an Italian desk, from
	// locales/languages.yaml).
	Languages []bot.Language
	// Texts are the locale messages (desk.*, listed in Messages) the desk
	// shows operators; nil shows the message ids.
	Texts bot.Translator
	// Topics are what a case can be about, for operators to record (the
	// intents the bot understands: guides, kinds of office), with their
	// names in the operators' language; "other" is always added.
	Topics []Answer
	// OnCase is told each topic or outcome an operator records, and how
	// long a case waited when it is taken ("wait"), for the programme's
	// figures (no text, no user).
	OnCase func(field, value string)
	// Answers, when set, lets operators send guides and saved replies from
	// a thread: a message starting with "!" ("!rinnovo permesso", "!" for
	// the list) is an answer to send, not words to relay.
	Answers Answers
	// Translate, when set, translates between the users' languages and the
	// operators' (package translate): each user message appears in the
	// thread translated, the original below; each operator reply reaches
	// the user translated, the original one tap away. Off when nil.
	Translate Translator
	// TranslateTimeout bounds one translation (default 5 s): a slower or
	// failing translator never holds a message, which goes as written.
	TranslateTimeout time.Duration
	// Lang is the operators' language (TEAMSBOT_OPERATOR_LANG, default
	// "it"): every text of the desk is in it.
	Lang string
}

// Desk is the operators' desk.
type Desk struct {
	api   *slack.Client
	cfg   Config
	kv    KV
	cases *handoff.Cases
	log   *slog.Logger
	now   func() time.Time
	names sync.Map // Slack user id → first name
	botMu sync.Mutex
	botID string // the bot's own user id, from auth.test
}

var _ bot.Desk = (*Desk)(nil)

// Hooks are what the desk calls when operators act in Slack: the
// conversations (bot.Service, which is built after the desk because it
// hands its cases to it) and the app's answers to slash commands, forms
// and agenda buttons. They are given when the desk starts taking events
// (Endpoints, RunSocketMode, WatchWaiting), never set on a built desk;
// a nil field turns its feature off.
type Hooks struct {
	// Operators reaches the conversations; nil: events are acknowledged
	// and nothing reaches a user.
	Operators Operators
	// OnCalendar answers the calendar commands of /teams (close a day or
	// hours, reopen, list): channel is where the command was typed (the
	// permission: a PUA's own channel, or the desk's), words what follows
	// /teams. ok false: not a calendar command (the list of cases then).
	OnCalendar func(ctx context.Context, channel, user string, words []string) (reply string, ok bool)
	// OnOfficeCancel cancels an appointment the office's calendar now
	// covers and tells its person ("Cancel and tell" under a calendar
	// conflict); an error says the person could not be told.
	OnOfficeCancel func(ctx context.Context, place, code string) error
	// OnOfficeMove asks the person to choose another time for the
	// appointment the office's calendar now covers ("Ask to move"); it
	// stays booked until they do. An error says they could not be told.
	OnOfficeMove func(ctx context.Context, place, code string) error
	// OnAttendance counts the operators' "present" / "absent" answers on the
	// daily agenda (for the programme's reports: no-shows).
	OnAttendance func(status string)
	// OnActivityAdd adds the activity a coordinator's form describes
	// (/teams nuova): problems maps a field of the form to what to fix,
	// shown under it (the form stays open); done is posted in the desk's
	// channel once added. An error keeps the form open with a note.
	OnActivityAdd func(ctx context.Context, f ActivityForm) (problems map[string]string, done string, err error)
	// ActivityChoices are the form's menus (kinds, audiences, languages).
	ActivityChoices func() ActivityChoices
	// ActivityFormOf is an activity as the form shows it, to edit
	// (/teams modifica ID); OnActivityEdit changes it, as OnActivityAdd adds.
	ActivityFormOf func(id string) (ActivityForm, bool)
	OnActivityEdit func(ctx context.Context, id string, f ActivityForm) (problems map[string]string, done string, err error)
	// OnContact opens a case for the person who made a proposal (its id)
	// and agreed to be contacted; bot.ErrNotFound when the proposal or the
	// person's data is gone, bot.ErrUnavailable to press again.
	OnContact func(ctx context.Context, proposal string) error
}

// events is the desk taking events: the desk with the hooks it was
// started with.
type events struct {
	*Desk
	*Hooks
}

// New builds the desk; it makes no network call.
func New(cfg Config, kv KV, log *slog.Logger) (*Desk, error) {
	if cfg.BotToken == "" || cfg.SigningSecret == "" || cfg.Channel == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_CHANNEL are needed")
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	opts := []slack.Option{}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	// Slack answers 429 with Retry-After past about one message a second
	// per channel (a busy morning: agendas, cases, relays): wait as told
	// and try again, within the caller's deadline, instead of losing a
	// user's message to the operators.
	retry := slack.DefaultRetryConfig()
	retry.RetryAfterDuration, retry.RetryAfterJitter = time.Second, 200*time.Millisecond
	opts = append(opts, slack.OptionRetryConfig(retry))
	if cfg.Lang == "" {
		cfg.Lang = "it"
	}
	if cfg.Texts != nil && !slices.ContainsFunc(cfg.Texts.Languages(), func(l bot.Language) bool { return l.Code == cfg.Lang }) {
		return nil, fmt.Errorf("slack: the operators' language %q is not an offered language", cfg.Lang)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Desk{api: slack.New(cfg.BotToken, opts...), cfg: cfg, kv: kv, cases: handoff.New(kv, cfg.Retention), log: log.With("comp", "slack"), now: time.Now}, nil
}

// Messages are the locale messages the desk shows operators (locales/*.yaml,
// desk.*); `teamsbot lint` checks they exist.
var Messages = []string{
	"desk.case.waiting", "desk.case.under_a_minute", "desk.case.taken", "desk.case.closed", "desk.case.hint",
	"desk.field.language", "desk.field.channel", "desk.field.municipality", "desk.field.flow", "desk.field.answers",
	"desk.button.take", "desk.button.give_back", "desk.button.close", "desk.button.transcript",
	"desk.note.user_left", "desk.note.expired", "desk.note.forget", "desk.note.timeout", "desk.note.no_case", "desk.note.closed",
	"desk.note.not_delivered", "desk.note.not_waiting", "desk.note.transcript_failed", "desk.note.already_taken",
	"desk.note.given_back", "desk.note.closed_by",
	"desk.media.image", "desk.media.audio", "desk.media.video", "desk.media.document", "desk.media.sticker", "desk.media.other", "desk.media.note",
	"desk.operator", "desk.callback", "desk.callback.conversation",
	"desk.transcript.header", "desk.transcript.user", "desk.transcript.bot", "desk.transcript.title", "desk.transcript.file",
	"desk.agenda.title", "desk.agenda.none", "desk.agenda.mediator", "desk.agenda.present", "desk.agenda.absent",
	"desk.attendance.attended", "desk.attendance.no_show", "desk.cancelled", "desk.proposal",
	"desk.proposal_contact", "desk.proposal_no_contact", "desk.proposal_contacting", "desk.proposal_gone",
	"desk.calendar.problem", "desk.calendar.recovered", "desk.calendar.conflicts", "desk.calendar.cancel", "desk.calendar.cancelled",
	"desk.calendar.move", "desk.calendar.asked_move",
	"desk.calendar.not_told", "desk.calendar.why.unreachable", "desk.calendar.why.status", "desk.calendar.why.too_big",
	"desk.calendar.why.not_ics", "desk.calendar.why.too_many", "desk.calendar.why.bad_url", "desk.calendar.never",
	"desk.list.empty", "desk.list.count", "desk.list.open_link", "desk.list.unavailable",
	"desk.field.topic", "desk.field.outcome", "desk.topic.other",
	"desk.outcome.answered", "desk.outcome.referred", "desk.outcome.booked", "desk.outcome.no_answer",
	"desk.answer.sent", "desk.answer.choose", "desk.answer.list", "desk.answer.none",
	"desk.translated", "desk.original", "desk.translate_failed", "desk.sent_translated", "desk.not_translated",
	"desk.activity.cmd.not_here", "desk.activity.form.title", "desk.activity.form.submit", "desk.activity.form.close", "desk.activity.form.intro",
	"desk.activity.form.association", "desk.activity.form.title_it", "desk.activity.form.description_it", "desk.activity.form.other_lang",
	"desk.activity.form.title_other", "desk.activity.form.description_other", "desk.activity.form.kind", "desk.activity.form.audience",
	"desk.activity.form.municipality", "desk.activity.form.when", "desk.activity.form.when_hint", "desk.activity.form.from",
	"desk.activity.form.until", "desk.activity.form.seats", "desk.activity.form.options", "desk.activity.form.signup",
	"desk.activity.form.waiting_list", "desk.activity.form.free", "desk.activity.form.cost", "desk.activity.form.languages",
	"desk.activity.form.err.unavailable", "desk.activity.cmd.unknown", "desk.activity.form.edit_title", "desk.activity.form.save",
}

// t is the desk's message id in the operators' language, filled with data
// (escape what a user wrote before it goes in); the id itself without
// texts.
func (d *Desk) t(id string, data map[string]string) string {
	if d.cfg.Texts == nil {
		return id
	}
	return d.cfg.Texts.Text(d.cfg.Lang, id, data)
}

// outcomeText names each outcome's label (handoff.Outcomes).
var outcomeText = map[string]string{"answered": "desk.outcome.answered", "referred": "desk.outcome.referred", "booked": "desk.outcome.booked", "no_answer": "desk.outcome.no_answer"}

// Handoff implements bot.Desk: one message in the operators' channel, its
// thread the conversation.
func (d *Desk) Handoff(ctx context.Context, h bot.Handoff) (bot.Ticket, error) {
	ticket := bot.Ticket{}
	if d.cfg.Hours != nil {
		open, opens := d.cfg.Hours(d.now())
		ticket.Closed, ticket.Opens = !open, opens
	}
	room := d.cfg.Channel
	if d.cfg.Route != nil {
		if c := d.cfg.Route(h); c != "" {
			room = c
		}
	}
	// A conversation handed off again reuses its case and thread.
	c, _, err := d.cases.Open(ctx, h, room, func(c *handoff.Case) (string, error) {
		_, ts, err := d.api.PostMessageContext(ctx, c.Room, slack.MsgOptionText(d.headline(c, d.now()), false), slack.MsgOptionBlocks(d.blocks(c, d.now(), d.langName(c.Lang))...))
		if err != nil {
			return "", fmt.Errorf("slack: post handoff: %w", err)
		}
		return ts, nil
	})
	if err != nil {
		return ticket, err
	}
	ticket.Position = d.cases.Position(ctx, c.Token)
	return ticket, nil
}

// Relay implements bot.Desk: the user's message in the thread, or a note
// that the user left.
func (d *Desk) Relay(ctx context.Context, conv string, in bot.Inbound, ended string) error {
	r, err := d.cases.Of(ctx, conv)
	if err != nil {
		return fmt.Errorf("slack: no case for this conversation: %w", err)
	}
	if ended != "" {
		note := "↩️ " + escape(ended)
		if id, ok := map[string]string{"user_left": "desk.note.user_left", "expired": "desk.note.expired", "forget": "desk.note.forget"}[ended]; ok {
			note = d.t(id, nil)
		}
		d.thread(ctx, r, note)
		c, closed, err := d.cases.End(ctx, r.Token, ended, "", nil)
		if err != nil {
			return err
		}
		if closed {
			d.refresh(ctx, c)
		}
		return nil
	}
	line := d.userLine(in)
	if in.Text != "" && d.translates(r.Lang) {
		lang := map[string]string{"lang": d.langName(r.Lang)}
		if tr, err := d.translate(ctx, in.Text, r.Lang, d.cfg.Lang); err == nil {
			// The translation first, the user's own words below.
			line = d.t("desk.translated", lang) + "\n" + escape(tr) + "\n" + d.t("desk.original", nil) + " " + line
		} else {
			line += "\n" + d.t("desk.translate_failed", lang)
		}
	}
	return d.thread(ctx, r, line)
}

// translates reports whether messages in lang are translated for the
// operators (and theirs back).
func (d *Desk) translates(lang string) bool {
	return d.cfg.Translate != nil && lang != "" && lang != d.cfg.Lang
}

// translate runs one translation within the desk's budget. What failed is
// logged without the text.
func (d *Desk) translate(ctx context.Context, text, from, to string) (string, error) {
	budget := d.cfg.TranslateTimeout
	if budget <= 0 {
		budget = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	start := time.Now()
	out, err := d.cfg.Translate.Translate(ctx, text, from, to)
	if err == nil && strings.TrimSpace(out) == "" {
		err = errors.New("an empty translation")
	}
	if err != nil {
		d.log.Warn("translation failed", "from", from, "to", to, "took", time.Since(start), "error", err)
		return "", err
	}
	return out, nil
}

// Forget implements bot.Desk: every case the conversation had loses what
// identifies the user (the conversation key, which holds a WhatsApp phone
// number, and the flow's context); an open one is closed with a note in its
// thread. The case records stay, anonymous, for the desk's counts and the
// threads' buttons. What operators wrote in Slack threads is Slack's to
// keep (the workspace's retention applies).
func (d *Desk) Forget(ctx context.Context, conv string) error {
	err := d.cases.Forget(ctx, conv,
		func(c *handoff.Case) { d.thread(ctx, c, d.t("desk.note.forget", nil)) },
		func(c *handoff.Case) { d.refresh(ctx, c) })
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	return nil
}

// userLine renders a user's message for the thread, escaped so it cannot
// ping anyone or forge a link.
func (d *Desk) userLine(in bot.Inbound) string {
	var b strings.Builder
	b.WriteString("👤 ")
	if in.Text != "" {
		b.WriteString(escape(in.Text))
	}
	if in.Location != nil {
		fmt.Fprintf(&b, "📍 https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f", in.Location.Lat, in.Location.Lon)
	}
	if m := in.Media; m != nil {
		what := map[bot.MediaKind]string{bot.MediaImage: "desk.media.image", bot.MediaAudio: "desk.media.audio", bot.MediaVideo: "desk.media.video",
			bot.MediaDocument: "desk.media.document", bot.MediaSticker: "desk.media.sticker"}[m.Kind]
		if what == "" {
			what = "desk.media.other"
		}
		b.WriteString("\n" + d.t("desk.media.note", map[string]string{"what": d.t(what, nil), "mime": escape(m.MIME), "ref": escape(m.Ref), "channel": escape(in.Channel)}))
	}
	return b.String()
}

// thread posts text under the case's message.
func (d *Desk) thread(ctx context.Context, r *handoff.Case, text string) error {
	_, _, err := d.api.PostMessageContext(ctx, r.Room, slack.MsgOptionText(text, false), slack.MsgOptionTS(r.Thread))
	if err != nil {
		d.log.Warn("post in thread failed", "error", err)
		return fmt.Errorf("slack: post in thread: %w", err)
	}
	return nil
}

// refresh updates the case's message to its state.
func (d *Desk) refresh(ctx context.Context, r *handoff.Case) {
	if _, _, _, err := d.api.UpdateMessageContext(ctx, r.Room, r.Thread, slack.MsgOptionText(d.headline(r, d.now()), false), slack.MsgOptionBlocks(d.blocks(r, d.now(), d.langName(r.Lang))...)); err != nil {
		d.log.Warn("update case message failed", "error", err)
	}
}

// escape makes user text inert in Slack mrkdwn: only &, < and > are
// control characters there.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// unescape turns Slack's escaped message text back into what the operator
// typed.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// langName is how operators read a user's language. An Italian desk reads
// its Italian name and its name in itself ("arabo / العربية"); any other
// desk its name in itself and its code ("العربية (ar)"), languages.yaml
// naming languages in Italian only. A language the desk was not told about
// is its code.
func (d *Desk) langName(code string) string {
	for _, l := range d.cfg.Languages {
		switch {
		case l.Code != code:
		case d.cfg.Lang != "it" || l.Italian == "":
			return l.Name + " (" + l.Code + ")"
		case strings.EqualFold(l.Italian, l.Name):
			return l.Italian
		default:
			return l.Italian + " / " + l.Name
		}
	}
	return code
}

func (d *Desk) headline(r *handoff.Case, now time.Time) string {
	switch r.State {
	case handoff.Taken:
		return d.t("desk.case.taken", map[string]string{"name": r.Operator})
	case handoff.Closed:
		return d.t("desk.case.closed", nil)
	}
	return d.t("desk.case.waiting", map[string]string{"wait": d.wait(r, now)})
}

func (d *Desk) wait(r *handoff.Case, now time.Time) string {
	w := r.Waited(now).Round(time.Minute)
	if w < time.Minute {
		return d.t("desk.case.under_a_minute", nil)
	}
	return w.String()
}

// blocks is the case's message: the state, what the user was doing and
// chose, and the buttons.
func (d *Desk) blocks(r *handoff.Case, now time.Time, lang string) []slack.Block {
	field := func(id, value string) *slack.TextBlockObject {
		return slack.NewTextBlockObject("mrkdwn", "*"+d.t(id, nil)+"*\n"+escape(value), false, false)
	}
	fields := []*slack.TextBlockObject{
		field("desk.field.language", lang),
		field("desk.field.channel", r.Via),
		field("desk.field.municipality", firstOf(r.Context, "municipality", "place_municipality", "—")),
		field("desk.field.flow", r.Flow+" ("+r.Reason+")"),
	}
	var answers []string
	keys := make([]string, 0, len(r.Context))
	for k := range r.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		answers = append(answers, fmt.Sprintf("• %s: %s", escape(k), escape(r.Context[k])))
	}
	if len(answers) == 0 {
		answers = []string{"—"}
	}
	out := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*"+d.headline(r, now)+"*", false, false), fields, nil),
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*"+d.t("desk.field.answers", nil)+"*\n"+strings.Join(answers, "\n"), false, false), nil, nil),
	}
	button := func(action, id string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(action, r.Token, slack.NewTextBlockObject("plain_text", d.t(id, nil), false, false))
	}
	var buttons []slack.BlockElement
	if r.State == handoff.Waiting {
		buttons = append(buttons, button("take", "desk.button.take").WithStyle(slack.StylePrimary))
	}
	if r.State != handoff.Closed {
		buttons = append(buttons, button("giveback", "desk.button.give_back"), button("close", "desk.button.close").WithStyle(slack.StyleDanger))
	}
	buttons = append(buttons, button("transcript", "desk.button.transcript"))
	out = append(out, slack.NewActionBlock("case:"+r.Token, buttons...))
	out = append(out, d.recordBlock(r))
	out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject("mrkdwn", d.t("desk.case.hint", nil), false, false)))
	return out
}

// recordBlock holds what operators record of a case: its topic and its
// outcome, two menus whose choice shows once made.
func (d *Desk) recordBlock(r *handoff.Case) slack.Block {
	opt := func(value, label string) *slack.OptionBlockObject {
		if n := []rune(label); len(n) > 75 {
			label = string(n[:74]) + "…"
		}
		return slack.NewOptionBlockObject(value, slack.NewTextBlockObject("plain_text", label, false, false), nil)
	}
	var topics []*slack.OptionBlockObject
	var current *slack.OptionBlockObject
	for _, t := range append(slices.Clone(d.cfg.Topics), Answer{What: "other", Title: d.t("desk.topic.other", nil)}) {
		if len(topics) == 99 {
			break // Slack's limit on a menu
		}
		o := opt(t.What, t.Title)
		topics = append(topics, o)
		if t.What == r.Topic {
			current = o
		}
	}
	topic := slack.NewOptionsSelectBlockElement("static_select", slack.NewTextBlockObject("plain_text", d.t("desk.field.topic", nil), false, false), "topic", topics...)
	if current != nil {
		topic.WithInitialOption(current)
	}
	var outcomes []*slack.OptionBlockObject
	current = nil
	for _, o := range handoff.Outcomes {
		x := opt(o, d.t(outcomeText[o], nil))
		outcomes = append(outcomes, x)
		if o == r.Outcome {
			current = x
		}
	}
	outcome := slack.NewOptionsSelectBlockElement("static_select", slack.NewTextBlockObject("plain_text", d.t("desk.field.outcome", nil), false, false), "outcome", outcomes...)
	if current != nil {
		outcome.WithInitialOption(current)
	}
	return slack.NewActionBlock("record:"+r.Token, topic, outcome)
}

// recordCase saves a topic or an outcome an operator chose for a case.
func (d *Desk) recordCase(ctx context.Context, token, field, value string) error {
	topics := make([]string, len(d.cfg.Topics))
	for i, t := range d.cfg.Topics {
		topics[i] = t.What
	}
	c, changed, err := d.cases.Record(ctx, token, field, value, topics)
	if err != nil || !changed {
		return err
	}
	if d.cfg.OnCase != nil {
		d.cfg.OnCase(field, value)
	}
	d.refresh(ctx, c)
	return nil
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys[:len(keys)-1] {
		if v := m[k]; v != "" {
			return v
		}
	}
	return keys[len(keys)-1]
}

// Callback posts a user's request to be called back, as a new message in
// the operators' channel (the number is the user's own choice to share).
func (d *Desk) Callback(ctx context.Context, conv, lang, phone string) error {
	name := d.langName(lang)
	if !strings.HasSuffix(name, " ("+lang+")") {
		name += " (" + lang + ")"
	}
	text := d.t("desk.callback", map[string]string{"lang": escape(name), "phone": escape(phone)})
	if r, err := d.cases.Of(ctx, conv); err == nil && r.Thread != "" {
		text += fmt.Sprintf(" · <%s|%s>", threadLink(r), d.t("desk.callback.conversation", nil))
	}
	_, _, err := d.api.PostMessageContext(ctx, d.cfg.Channel, slack.MsgOptionText(text, false))
	return err
}

// WatchWaiting ends, every half minute, the waits no operator took within
// wait: the user is told and offered a call back; the case is closed with a
// note. It returns when ctx ends.
func (d *Desk) WatchWaiting(ctx context.Context, wait time.Duration, ops Operators) {
	if wait <= 0 {
		return
	}
	every.Run(ctx, 30*time.Second, false, func(ctx context.Context) { d.ExpireWaiting(ctx, wait, ops) })
}

// ExpireWaiting closes the cases waiting for longer than wait: the user is
// told (TimedOut) and the thread says so. Under each case's lock (as Take,
// Give back and Close): when every replica watches, or an operator takes
// the case at that moment, it is closed once, or not at all. A nil ops
// closes the cases without telling anyone.
func (d *Desk) ExpireWaiting(ctx context.Context, wait time.Duration, ops Operators) {
	toks, err := d.cases.Overdue(ctx, wait)
	if err != nil {
		return
	}
	for _, tok := range toks {
		c, closed, err := d.cases.TimeOut(ctx, tok, wait, func(c *handoff.Case) error {
			if ops == nil {
				return nil
			}
			err := ops.TimedOut(ctx, c.Conv)
			if err != nil && !errors.Is(err, bot.ErrUnavailable) {
				d.log.Info("timed-out wait: conversation no longer waiting", "error", err)
			}
			return err
		})
		if err != nil || !closed {
			continue // unavailable: the next watch tries again
		}
		d.thread(ctx, c, d.t("desk.note.timeout", map[string]string{"wait": wait.String()}))
		d.refresh(ctx, c)
	}
}

// threadLink is the address of a case's thread in Slack.
func threadLink(c *handoff.Case) string {
	return fmt.Sprintf("https://slack.com/archives/%s/p%s", c.Room, strings.ReplaceAll(c.Thread, ".", ""))
}

// transcript exports a case's thread as a text file for the case file, as
// it was written (the user's language, the operators'), and posts it in the
// thread.
func (d *Desk) transcript(ctx context.Context, r *handoff.Case, by string) error {
	var b strings.Builder
	b.WriteString(d.t("desk.transcript.header", map[string]string{"lang": d.langName(r.Lang), "channel": r.Via,
		"opened": time.Unix(r.Since, 0).In(time.Local).Format("02/01/2006 15:04"), "by": by, "at": d.now().Format("02/01/2006 15:04")}) + "\n\n")
	cursor := ""
	for page := 0; page < 20; page++ {
		msgs, more, next, err := d.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: r.Room, Timestamp: r.Thread, Cursor: cursor, Limit: 200})
		if err != nil {
			return fmt.Errorf("slack: read thread: %w", err)
		}
		for _, m := range msgs {
			if m.Timestamp == r.Thread {
				continue // the case message itself
			}
			who := d.t("desk.transcript.bot", nil)
			if m.BotID == "" && m.User != "" {
				who = d.firstName(ctx, m.User)
			}
			if strings.HasPrefix(m.Text, "👤 ") {
				who = d.t("desk.transcript.user", nil)
			}
			fmt.Fprintf(&b, "[%s] %s: %s\n", slackTime(m.Timestamp), who, unescape(strings.TrimPrefix(m.Text, "👤 ")))
		}
		if !more || next == "" {
			break
		}
		cursor = next
	}
	content := b.String()
	_, err := d.api.UploadFileContext(ctx, slack.UploadFileParameters{Channel: r.Room, ThreadTimestamp: r.Thread, Content: content, FileSize: len(content),
		Filename: d.t("desk.transcript.file", nil) + "-" + d.now().Format("20060102-1504") + ".txt", Title: d.t("desk.transcript.title", nil)})
	if err != nil {
		return fmt.Errorf("slack: upload transcript: %w", err)
	}
	return nil
}

// slackTime renders a Slack ts ("1780041601.000200") as a local time.
func slackTime(ts string) string {
	sec, _, _ := strings.Cut(ts, ".")
	var n int64
	fmt.Sscan(sec, &n)
	return time.Unix(n, 0).In(time.Local).Format("02/01 15:04")
}

// AgendaItem is one appointment of a day's agenda.
type AgendaItem struct {
	Code, Time, Service, Lang string
	Mediator                  bool
}

// AgendaTitle is the title of a PUA's agenda of day (dd/mm/yyyy) with n
// appointments, for PostAgenda.
func (d *Desk) AgendaTitle(place, day string, n int) string {
	return d.t("desk.agenda.title", map[string]string{"place": place, "day": day, "count": fmt.Sprint(n)})
}

// PostAgenda posts a PUA's appointments of the day, each with the buttons
// Present / Absent; the operators' answers are counted (OnAttendance) and
// noted in the thread. channel "" means the desk's channel.
func (d *Desk) PostAgenda(ctx context.Context, channel, title string, items []AgendaItem) error {
	if channel == "" {
		channel = d.cfg.Channel
	}
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*"+escape(title)+"*", false, false), nil, nil)}
	if len(items) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject("mrkdwn", d.t("desk.agenda.none", nil), false, false)))
	}
	for _, it := range items {
		med := ""
		if it.Mediator {
			med = " · " + d.t("desk.agenda.mediator", map[string]string{"lang": escape(d.langName(it.Lang))})
		}
		line := fmt.Sprintf("*%s* · `%s` · %s · %s%s", escape(it.Time), escape(it.Code), escape(strings.ReplaceAll(it.Service, "_", " ")), escape(d.langName(it.Lang)), med)
		blocks = append(blocks,
			slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", line, false, false), nil, nil),
			slack.NewActionBlock("att:"+it.Code,
				slack.NewButtonBlockElement("attended", it.Code, slack.NewTextBlockObject("plain_text", d.t("desk.agenda.present", nil), false, false)).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement("noshow", it.Code, slack.NewTextBlockObject("plain_text", d.t("desk.agenda.absent", nil), false, false))))
	}
	_, ts, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(title, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		return fmt.Errorf("slack: post agenda: %w", err)
	}
	return d.kv.Save(ctx, keyAgenda+ts, []byte(channel), 3*24*time.Hour)
}

const keyAgenda = "desk:agenda:"

// PostCancellation tells a PUA's channel that an appointment was cancelled
// (by the user, by moving it, or by deleting their data), so the day's
// agenda already posted is read with it. channel "" means the desk's
// channel.
func (d *Desk) PostCancellation(ctx context.Context, channel, place, day string, it AgendaItem) error {
	if channel == "" {
		channel = d.cfg.Channel
	}
	text := d.t("desk.cancelled", map[string]string{"place": escape(place), "day": escape(day), "time": escape(it.Time), "code": escape(it.Code),
		"service": escape(strings.ReplaceAll(it.Service, "_", " ")), "lang": escape(d.langName(it.Lang))})
	if _, _, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("slack: post cancellation: %w", err)
	}
	return nil
}

// Text renders a desk message (desk.*) in the operators' language, for
// answers built outside the desk (OnCalendar).
func (d *Desk) Text(id string, data map[string]string) string { return d.t(id, data) }

// PostCalendarProblem tells a PUA's channel that its calendar feed cannot
// be read (why: a booking/feed Problem code) and since when the last good
// copy is used (lastGood, as the office reads it; "" never), or (why "")
// that it can be read again.
func (d *Desk) PostCalendarProblem(ctx context.Context, channel, place, why, lastGood string) error {
	if channel == "" {
		channel = d.cfg.Channel
	}
	text := d.t("desk.calendar.recovered", map[string]string{"place": escape(place)})
	if why != "" {
		status := ""
		if code, ok := strings.CutPrefix(why, "status:"); ok {
			why, status = "status", code
		}
		good := escape(lastGood)
		if lastGood == "" {
			good = d.t("desk.calendar.never", nil)
		}
		reason := escape(why)
		if id, ok := calendarWhy[why]; ok {
			reason = d.t(id, map[string]string{"status": escape(status)})
		}
		text = d.t("desk.calendar.problem", map[string]string{"place": escape(place), "good": good, "why": reason})
	}
	if _, _, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("slack: post calendar problem: %w", err)
	}
	return nil
}

// calendarWhy names the texts of booking/feed's problem codes.
var calendarWhy = map[string]string{
	"unreachable": "desk.calendar.why.unreachable", "status": "desk.calendar.why.status", "too_big": "desk.calendar.why.too_big",
	"not_ics": "desk.calendar.why.not_ics", "too_many": "desk.calendar.why.too_many", "bad_url": "desk.calendar.why.bad_url",
}

// CalendarConflict is an appointment already booked at a time the
// office's calendar now marks busy.
type CalendarConflict struct {
	AgendaItem
	Place, Day string // the place id (for the button) and the day, dd/mm/yyyy
}

// PostCalendarConflicts lists to a PUA's channel the appointments its
// calendar now covers, each with "Cancel and tell": the office decides,
// and a press cancels the appointment and tells the person (OnOfficeCancel).
func (d *Desk) PostCalendarConflicts(ctx context.Context, channel, place string, items []CalendarConflict) error {
	if channel == "" {
		channel = d.cfg.Channel
	}
	title := d.t("desk.calendar.conflicts", map[string]string{"place": escape(place), "count": fmt.Sprint(len(items))})
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", title, false, false), nil, nil)}
	for _, it := range items {
		line := fmt.Sprintf("*%s %s* · `%s` · %s · %s", escape(it.Day), escape(it.Time), escape(it.Code), escape(strings.ReplaceAll(it.Service, "_", " ")), escape(d.langName(it.Lang)))
		blocks = append(blocks,
			slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", line, false, false), nil, nil),
			slack.NewActionBlock("calcancel:"+it.Code,
				slack.NewButtonBlockElement("office_move", it.Place+" "+it.Code, slack.NewTextBlockObject("plain_text", d.t("desk.calendar.move", nil), false, false)),
				slack.NewButtonBlockElement("office_cancel", it.Place+" "+it.Code, slack.NewTextBlockObject("plain_text", d.t("desk.calendar.cancel", nil), false, false)).WithStyle(slack.StyleDanger)))
	}
	if _, _, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(title, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		return fmt.Errorf("slack: post calendar conflicts: %w", err)
	}
	return nil
}

// officeAct handles the buttons under an appointment the office's new
// closure covers: "Cancel and tell" (office_cancel: the appointment is
// cancelled and its person told, OnOfficeCancel) and "Ask to move"
// (office_move: the person is asked to choose another time, OnOfficeMove),
// each once however many presses; the result is noted in the thread.
func (d *events) officeAct(ctx context.Context, action, value, user, channel, msgTS string) error {
	place, code, ok := strings.Cut(value, " ")
	do, done := d.OnOfficeCancel, "desk.calendar.cancelled"
	if action == "office_move" {
		do, done = d.OnOfficeMove, "desk.calendar.asked_move"
	}
	if !ok || do == nil {
		return nil
	}
	// The cancel's key is the one it had before moves existed, so a press
	// from before an upgrade still counts.
	key := map[string]string{"office_cancel": "desk:office-cancel", "office_move": "desk:office-move"}[action]
	first, err := d.kv.FirstSeen(ctx, key, code, 30*24*time.Hour)
	if err != nil {
		return unavailable("answer for an appointment", err)
	}
	if !first {
		return nil
	}
	id := done
	if err := do(ctx, place, code); err != nil {
		if errors.Is(err, bot.ErrUnavailable) {
			return err
		}
		id = "desk.calendar.not_told"
	}
	if channel != "" && msgTS != "" {
		note := d.t(id, map[string]string{"code": escape(code), "name": escape(d.firstName(ctx, user))})
		_, _, _ = d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(note, false), slack.MsgOptionTS(msgTS))
	}
	return nil
}

// attendance records an operator's "present" / "absent" for a booking, once.
func (d *events) attendance(ctx context.Context, action, code, user, channel, msgTS string) error {
	first, err := d.kv.FirstSeen(ctx, "desk:attendance", code, 30*24*time.Hour)
	if err != nil {
		return unavailable("mark attendance", err)
	}
	if !first {
		return nil
	}
	status := map[string]string{"attended": "attended", "noshow": "no_show"}[action]
	if d.OnAttendance != nil {
		d.OnAttendance(status)
	}
	if channel != "" && msgTS != "" {
		id := map[string]string{"attended": "desk.attendance.attended", "noshow": "desk.attendance.no_show"}[action]
		note := d.t(id, map[string]string{"code": escape(code), "name": escape(d.firstName(ctx, user))})
		_, _, _ = d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(note, false), slack.MsgOptionTS(msgTS))
	}
	return nil
}

// PostProposal posts a user's proposal of an activity (or offer to
// volunteer) for the associations' coordinators. The text is the user's,
// escaped. When the person agreed to be contacted (contact), a button opens
// a case for them in the desk's queue (OnContact); otherwise the post says
// they did not ask to be.
func (d *Desk) PostProposal(ctx context.Context, id, lang, via, what, where, when, languages string, contact bool) error {
	text := d.t("desk.proposal", map[string]string{"lang": escape(d.langName(lang)), "channel": escape(via), "what": escape(what),
		"where": escape(where), "when": escape(when), "languages": escape(languages)})
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", text, false, false), nil, nil)}
	if contact && id != "" {
		blocks = append(blocks, slack.NewActionBlock("proposal:"+id,
			slack.NewButtonBlockElement("proposal_contact", id, slack.NewTextBlockObject("plain_text", d.t("desk.proposal_contact", nil), false, false)).WithStyle(slack.StylePrimary)))
	} else {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject("mrkdwn", d.t("desk.proposal_no_contact", nil), false, false)))
	}
	_, _, err := d.api.PostMessageContext(ctx, d.cfg.Channel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	return err
}

// contact handles a proposal's "write to the person": a case is opened for
// them (OnContact), once however many presses, and the thread says who
// did it or that the proposal is gone.
func (d *events) contact(ctx context.Context, id, user, channel, msgTS string) error {
	if d.OnContact == nil || id == "" {
		return nil
	}
	key := "desk:proposal-contact:" + id
	first, err := d.kv.FirstSeen(ctx, key, "pressed", 30*24*time.Hour)
	if err != nil {
		return unavailable("contact a proposal's author", err)
	}
	if !first {
		return nil
	}
	name := d.firstName(ctx, user)
	note := d.t("desk.proposal_contacting", map[string]string{"name": escape(name)})
	if err := d.OnContact(ctx, id); err != nil {
		if !errors.Is(err, bot.ErrNotFound) {
			// Not done: the next press tries again.
			_ = d.kv.Forget(ctx, key)
			return unavailable("contact a proposal's author", err)
		}
		note = d.t("desk.proposal_gone", nil)
	}
	if channel != "" && msgTS != "" {
		_, _, _ = d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(note, false), slack.MsgOptionTS(msgTS))
	}
	return nil
}
