package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// handoff hands the conversation to an operator, or, when no operators' desk
// is connected, says where a person can be found and goes on.
func (t *turn) handoff(reason string) error {
	s := t.s
	if !t.e.cfg.Operators {
		// No desk: never promise a person; the content's no_operator flow
		// gives the human door for the user's comune.
		if f, ok := t.e.prog.Flow(NoOperatorFlow); ok {
			if n, ok := t.current(); ok {
				t.pushBack(n)
			}
			return t.startFlow(f)
		}
		t.say("operator.unavailable", nil)
		if _, ok := t.current(); ok {
			return t.reask(nil)
		}
		return t.goMenu()
	}
	if err := transition(t.ctx, s, "handoff"); err != nil {
		return err
	}
	s.Since, s.Pending, s.Misses = t.now.Unix(), "", 0
	ctx := make(map[string]string, len(s.Vars))
	for k, v := range s.Vars {
		ctx[k] = v
	}
	t.event(Event{Kind: EventHandoff, Flow: s.Flow, Step: s.Step, Reason: reason, Context: ctx})
	t.say("operator.waiting", nil)
	t.offer(t.cmdOption("menu", "operator.cancel"))
	return nil
}

// inHandoff handles a message while an operator has, or is about to have,
// the conversation: it goes to the operator, except the commands that leave.
func (t *turn) inHandoff(cmd string) error {
	s := t.s
	switch cmd {
	case "menu", "start", "restart", "retry":
		delete(s.Vars, varOriginal)
		t.event(Event{Kind: EventHandoffEnded, Reason: "user_left"})
		if err := transition(t.ctx, s, "give_back"); err != nil {
			return err
		}
		t.say("operator.left", nil)
		return t.goMenu()
	case "forget":
		return t.runCommand(cmd)
	case "forget_yes":
		return t.forget()
	case "original":
		// The operator's own words behind the last machine translation.
		if orig := s.Vars[varOriginal]; orig != "" {
			t.say("operator.original_is", nil)
			t.out.Replies = append(t.out.Replies, Reply{Text: orig, Lang: "", FromOperator: t.e.tr.Text(s.Lang, "operator.someone", nil)})
			return nil
		}
	}
	if s.Pending == PendingForget {
		// "Delete everything?" was asked during the handoff: this is the
		// answer, not a message for the operator.
		return t.confirmForget()
	}
	in := t.in
	t.event(Event{Kind: EventRelay, Inbound: &in})
	if s.State == StateWaiting && s.Pending != PendingAcked {
		s.Pending = PendingAcked
		t.say("operator.relayed", nil)
	}
	return nil
}

// ErrNotInHandoff is returned by the operator-side calls for a conversation
// that no operator has.
var ErrNotInHandoff = errors.New("conversation is not with an operator")

// OperatorJoined records that an operator took the conversation and tells the
// user, by name when one is given.
func (e *Engine) OperatorJoined(ctx context.Context, s *Session, name string, now time.Time) (Turn, error) {
	t := &turn{e: e, ctx: ctx, s: s, now: now}
	if s.State != StateWaiting {
		return Turn{}, ErrNotInHandoff
	}
	if err := transition(ctx, s, "operator_joins"); err != nil {
		return Turn{}, err
	}
	if name != "" {
		t.say("operator.joined_named", map[string]string{"name": name})
	} else {
		t.say("operator.joined", nil)
	}
	s.Updated = now.Unix()
	return t.out, nil
}

// operatorWrites checks that s is in a handoff (a waiting user is now
// with the operator) and returns the name to show for the operator.
func (e *Engine) operatorWrites(ctx context.Context, s *Session, name string, now time.Time) (string, error) {
	if s.State != StateWaiting && s.State != StateOperator {
		return "", ErrNotInHandoff
	}
	if s.State == StateWaiting {
		if err := transition(ctx, s, "operator_joins"); err != nil {
			return "", err
		}
	}
	if name == "" {
		name = e.tr.Text(s.Lang, "operator.someone", nil)
	}
	s.Updated = now.Unix()
	return name, nil
}

// OperatorSays relays an operator's text to the user, marked as coming from a
// person.
func (e *Engine) OperatorSays(ctx context.Context, s *Session, name string, msg OperatorText, now time.Time) (Turn, error) {
	name, err := e.operatorWrites(ctx, s, name, now)
	if err != nil {
		return Turn{}, err
	}
	r := Reply{Text: msg.Text, Lang: s.Lang, FromOperator: name}
	switch {
	case msg.Original != "" && msg.Original != msg.Text:
		// Machine-translated: said so, and the operator's own words are
		// one tap away.
		r.Text += "\n\n" + e.tr.Text(s.Lang, "operator.machine_translated", nil)
		r.MessageIDs = append(r.MessageIDs, "operator.machine_translated")
		r.Options = []Option{{ID: "c:original", Label: e.tr.Text(s.Lang, "operator.show_original", nil), MessageID: "operator.show_original"}}
		if s.Vars == nil {
			s.Vars = map[string]string{}
		}
		s.Vars[varOriginal] = msg.Original
	case msg.Failed:
		r.Text += "\n\n" + e.tr.Text(s.Lang, "operator.translation_failed", nil)
		r.MessageIDs = append(r.MessageIDs, "operator.translation_failed")
	}
	return Turn{Replies: []Reply{r}}, nil
}

// OperatorSends sends the user, from the operator, a reviewed text in the
// user's language instead of words of the operator's: a guide (what
// "guides.show" says) or a saved reply (the locale message reply.<id>).
// It reports what was sent, as the operators read it ("" when nothing: an
// unknown guide or reply).
func (e *Engine) OperatorSends(ctx context.Context, s *Session, name, what string, now time.Time) (Turn, error) {
	name, err := e.operatorWrites(ctx, s, name, now)
	if err != nil {
		return Turn{}, err
	}
	r := Reply{Lang: s.Lang, FromOperator: name}
	kind, id, _ := strings.Cut(what, ":")
	switch kind {
	case "guide":
		a, ok := e.actions["guides.show"]
		if !ok {
			return Turn{}, fmt.Errorf("operator sends %s: no guides.show action", what)
		}
		tr := func(msg string, data map[string]string) string { return e.tr.Text(s.Lang, msg, data) }
		res, err := a.Run(ctx, ActionRequest{Lang: s.Lang, Args: map[string]string{"guide": id}, Vars: s.Vars, Now: now, T: tr})
		if err != nil || res.Outcome != "shown" {
			return Turn{}, fmt.Errorf("operator sends %s: %w", what, ErrUnknownText)
		}
		var parts []string
		for _, said := range res.Say {
			if said.Raw != "" {
				parts = append(parts, said.Raw)
			} else {
				parts = append(parts, tr(said.ID, said.Data))
			}
		}
		r.Text = strings.Join(parts, "\n\n")
	case "reply":
		if !e.tr.Has("reply." + id) {
			return Turn{}, fmt.Errorf("operator sends %s: %w", what, ErrUnknownText)
		}
		r.Text = e.tr.Text(s.Lang, "reply."+id, nil)
		r.MessageIDs = []string{"reply." + id}
	default:
		return Turn{}, fmt.Errorf("operator sends %s: %w", what, ErrUnknownText)
	}
	if e.rtl[s.Lang] {
		r.Text = IsolateLTR(r.Text)
	}
	return Turn{Replies: []Reply{r}}, nil
}

// ErrUnknownText is returned for a guide or saved reply that does not exist.
var ErrUnknownText = errors.New("no such guide or saved reply")

// OperatorText is what an operator wrote, as the user is to read it.
type OperatorText struct {
	// Text is what the user reads: the operator's words, or their machine
	// translation into the user's language.
	Text string
	// Original is the operator's own words when Text is a machine
	// translation of them ("" otherwise): the user is told, and can read
	// them (the "original" command).
	Original string
	// Failed says a translation was tried and failed: Text is the
	// operator's own words, and the user is told why they may not read them.
	Failed bool
}

// varOriginal keeps, in the session, the operator's last message before
// its machine translation, until the handoff ends.
const varOriginal = "_operator_original"

// GiveBack returns the conversation to the bot: the user is told, and finds
// the question they were on, or the menu.
func (e *Engine) GiveBack(ctx context.Context, s *Session, now time.Time) (Turn, error) {
	t, err := e.endHandoff(ctx, s, now)
	if err != nil {
		return Turn{}, err
	}
	t.say("operator.gave_back", nil)
	err = t.reask(nil)
	s.Updated = now.Unix()
	return t.out, err
}

// Reach hands the conversation to the operators' desk from the desk's side:
// a coordinator wants to write to a user who agreed to be contacted (about
// a proposal, say). The user is told why (the message id says) and the case
// enters the desk's queue like any other; their next messages go to it.
// A conversation already with the desk is left as it is (a second press is
// not a second case).
func (e *Engine) Reach(ctx context.Context, s *Session, reason, why string, now time.Time) (Turn, error) {
	t := &turn{e: e, ctx: ctx, s: s, now: now}
	if !e.cfg.Operators || s.State == StateWaiting || s.State == StateOperator {
		return Turn{}, nil
	}
	if err := transition(ctx, s, "handoff"); err != nil {
		return Turn{}, err
	}
	s.Since, s.Pending, s.Misses = now.Unix(), "", 0
	t.event(Event{Kind: EventHandoff, Flow: s.Flow, Step: s.Step, Reason: reason})
	t.say(why, nil)
	t.offer(t.cmdOption("menu", "operator.cancel"))
	s.Updated = now.Unix()
	return t.out, nil
}

// HandoffFailed undoes a handoff the desk could not take: the user is told
// where to find a person instead.
func (e *Engine) HandoffFailed(ctx context.Context, s *Session, now time.Time) (Turn, error) {
	t := &turn{e: e, ctx: ctx, s: s, now: now}
	if s.State == StateWaiting {
		if err := transition(ctx, s, "give_back"); err != nil {
			return Turn{}, err
		}
	}
	s.Since, s.Pending = 0, ""
	t.say("operator.unavailable", nil)
	err := t.reask(nil)
	return t.out, err
}

// ticketReplies tells a user who was handed off where they are in the queue
// and, outside the operators' hours, when they will be answered.
func (e *Engine) ticketReplies(lang string, t Ticket, now time.Time) []Reply {
	var lines, ids []string
	if t.Position > 0 {
		lines = append(lines, e.tr.Text(lang, "operator.queue", map[string]string{"position": strconv.Itoa(t.Position)}))
		ids = append(ids, "operator.queue")
	}
	if t.Closed {
		when := e.tr.Text(lang, "operator.later", nil)
		if !t.Opens.IsZero() {
			when = dayName(e.tr, lang, now, t.Opens) + " " + t.Opens.Format("15:04")
		}
		lines = append(lines, e.tr.Text(lang, "operator.closed_hours", map[string]string{"when": when}))
		ids = append(ids, "operator.closed_hours")
	}
	if len(lines) == 0 {
		return nil
	}
	return []Reply{{Text: strings.Join(lines, "\n\n"), Lang: lang, MessageIDs: ids}}
}

// dayName is "today", "tomorrow" or the weekday of day, in lang.
func dayName(tr Translator, lang string, now, day time.Time) string {
	day = day.In(now.Location())
	y1, m1, d1 := now.Date()
	y2, m2, d2 := day.Date()
	switch int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24) {
	case 0:
		return tr.Text(lang, "day.today", nil)
	case 1:
		return tr.Text(lang, "day.tomorrow", nil)
	}
	return tr.Text(lang, "day."+[]string{"su", "mo", "tu", "we", "th", "fr", "sa"}[day.Weekday()], nil)
}

// HandoffTimedOut ends a wait that no operator answered in time: the user is
// back with the bot, with an apology and the choice to ask for a call back,
// try again, or go to the menu.
func (e *Engine) HandoffTimedOut(ctx context.Context, s *Session, now time.Time) (Turn, error) {
	t := &turn{e: e, ctx: ctx, s: s, now: now}
	if s.State != StateWaiting {
		return Turn{}, ErrNotInHandoff
	}
	if err := transition(ctx, s, "give_back"); err != nil {
		return Turn{}, err
	}
	s.Since, s.Pending = 0, ""
	t.say("operator.timeout", nil)
	opts := []Option{t.cmdOption("operator", "operator.try_again")}
	if _, ok := e.prog.Flow(CallbackFlow); ok {
		opts = append(opts, Option{ID: "c:flow:" + CallbackFlow, Label: e.text(t.lang(), "operator.callback", nil), MessageID: "operator.callback"})
	}
	opts = append(opts, t.cmdOption("menu", "common.menu"))
	t.offer(opts...)
	s.Updated = now.Unix()
	return t.out, nil
}

// NoOperatorFlow is the content flow that, when no operators' desk is
// connected, says where a person can be found near the user.
const NoOperatorFlow = "no_operator"

// CallbackFlow is the content flow that takes a phone number for a call
// back when no operator answered in time.
const CallbackFlow = "callback"

// endHandoff takes a conversation in a handoff back to the bot, for a turn
// that says so.
func (e *Engine) endHandoff(ctx context.Context, s *Session, now time.Time) (*turn, error) {
	if s.State != StateWaiting && s.State != StateOperator {
		return nil, ErrNotInHandoff
	}
	if err := transition(ctx, s, "give_back"); err != nil {
		return nil, err
	}
	s.Since, s.Pending = 0, ""
	delete(s.Vars, varOriginal)
	return &turn{e: e, ctx: ctx, s: s, now: now}, nil
}

// CloseHandoff ends a handoff from the operator's side with a question about
// how it went (1–5); GiveBack returns without it.
func (e *Engine) CloseHandoff(ctx context.Context, s *Session, now time.Time) (Turn, error) {
	t, err := e.endHandoff(ctx, s, now)
	if err != nil {
		return Turn{}, err
	}
	t.say("operator.closed", nil)
	t.say("feedback.ask", nil)
	opts := make([]Option, 5)
	for i := range opts {
		opts[i] = Option{ID: "c:rate:" + strconv.Itoa(i+1), Label: strings.Repeat("⭐", i+1), MessageID: "feedback.star"}
	}
	t.offer(opts...)
	s.Pending = PendingFeedback
	s.Updated = now.Unix()
	return t.out, nil
}
