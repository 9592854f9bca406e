package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"teamsbot/bot"
	"teamsbot/handoff"
	"teamsbot/internal/webhook"
)

// Paths of the Slack endpoints.
const (
	EventsPath        = "/webhooks/slack/events"
	InteractivityPath = "/webhooks/slack/interactivity"
	CommandsPath      = "/webhooks/slack/commands"
)

// maxRequest bounds a request from Slack.
const maxRequest = 1 << 20

// Endpoints are the three endpoints, served under package webhook's
// policy; each checks Slack's signature and timestamp (5 minutes) over the
// raw body. Events reach h (see Hooks).
func (d *Desk) Endpoints(h *Hooks) []webhook.Endpoint {
	e := d.with(h)
	ep := func(path, route string, handle func(ctx context.Context, body []byte) (webhook.Answer, error)) webhook.Endpoint {
		return webhook.Endpoint{Pattern: "POST " + path, Route: route, Limit: maxRequest, Body: d.verified,
			Handle: func(ctx context.Context, _ *http.Request, body []byte) (webhook.Answer, error) {
				return handle(ctx, body)
			}}
	}
	return []webhook.Endpoint{
		ep(EventsPath, "slack_events", e.events),
		ep(InteractivityPath, "slack_interactivity", e.interactivity),
		ep(CommandsPath, "slack_commands", e.commands),
	}
}

// Routes registers the three endpoints on mux (without metrics: serve
// mounts Endpoints with them).
func (d *Desk) Routes(mux *http.ServeMux, h *Hooks) {
	webhook.Mount(mux, nil, d.log, d.Endpoints(h)...)
}

// with is the desk taking events into h (nil: none).
func (d *Desk) with(h *Hooks) *events {
	if h == nil {
		h = &Hooks{}
	}
	if h.Operators == nil {
		hc := *h
		hc.Operators = unreachable{}
		h = &hc
	}
	return &events{Desk: d, Hooks: h}
}

// unreachable stands for the conversations when none were given: nothing
// can reach a user, and the operator is told so.
type unreachable struct{}

func (unreachable) OperatorJoined(context.Context, string, string) error { return bot.ErrUnavailable }
func (unreachable) OperatorSays(context.Context, string, string, bot.OperatorText, string) error {
	return bot.ErrUnavailable
}
func (unreachable) OperatorSends(context.Context, string, string, string, string) error {
	return bot.ErrUnavailable
}
func (unreachable) GiveBack(context.Context, string) error { return bot.ErrUnavailable }
func (unreachable) Close(context.Context, string) error    { return bot.ErrUnavailable }
func (unreachable) TimedOut(context.Context, string) error { return bot.ErrUnavailable }

// verified checks Slack's signature and timestamp over the body.
func (d *Desk) verified(h http.Header, body []byte) bool {
	sv, err := slack.NewSecretsVerifier(h, d.cfg.SigningSecret)
	if err == nil {
		_, err = sv.Write(body)
	}
	if err == nil {
		err = sv.Ensure()
	}
	return err == nil
}

// later runs work after the request was acknowledged (Slack wants an answer
// within 3 s), with its own deadline.
func (d *Desk) later(fn func(ctx context.Context)) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		fn(ctx)
	}()
}

// events handles the Events API: url_verification, and messages in case
// threads.
func (d *events) events(ctx context.Context, body []byte) (webhook.Answer, error) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		return webhook.Answer{}, fmt.Errorf("%w: an event not understood", webhook.ErrMalformed)
	}
	switch ev.Type {
	case slackevents.URLVerification:
		if uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			return webhook.Answer{ContentType: "text/plain", Body: []byte(uv.Challenge)}, nil
		}
	case slackevents.CallbackEvent:
		// Not relayed (the store is unavailable): Slack delivers it again.
		return webhook.Answer{}, d.callbackEvent(ctx, ev)
	}
	return webhook.Answer{}, nil
}

// ackBudget is how long an event's work may hold the acknowledgement: Slack
// wants an answer within 3 s, and retries an event it did not get one for.
const ackBudget = 2500 * time.Millisecond

// callbackEvent relays an operator's message before the event is
// acknowledged (within ackBudget; slower work goes on after the answer), so
// an event a replica was working on when it died is not acknowledged and
// Slack delivers it again. A retry is relayed once: the message's id is
// recorded in the user's session with the turn that relayed it. An error
// means "not done, retry me" (the store is unavailable). Shared by HTTP and
// Socket Mode.
func (d *events) callbackEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if cb == nil || cb.EventID == "" {
		return nil
	}
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return nil
	}
	msg := *m
	// slackevents does not decode parent_user_id: read it from the raw
	// event, to know whether a thread is under the desk's post.
	var raw struct {
		ParentUserID string `json:"parent_user_id"`
	}
	if cb.InnerEvent != nil {
		_ = json.Unmarshal(*cb.InnerEvent, &raw)
	}
	return d.within(ctx, func(ctx context.Context) error { return d.operatorMessage(ctx, &msg, raw.ParentUserID) })
}

// within runs fn and waits for it until ackBudget has passed or ctx ends;
// fn carries on after that with its own deadline (later). It returns fn's
// error if fn finished in time.
func (d *Desk) within(ctx context.Context, fn func(ctx context.Context) error) error {
	done := make(chan error, 1)
	d.later(func(ctx context.Context) { done <- fn(ctx) })
	t := time.NewTimer(ackBudget)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}

// botUser is the desk's own Slack user, so its messages are never relayed.
func (d *Desk) botUser(ctx context.Context) string {
	d.botMu.Lock()
	defer d.botMu.Unlock()
	if d.botID == "" {
		if resp, err := d.api.AuthTestContext(ctx); err == nil {
			d.botID = resp.UserID
		}
	}
	return d.botID
}

// operatorMessage relays what an operator wrote in a case thread to the
// user.
//
// It returns an error only when the message should be delivered again
// (the store is unavailable); every other failure is said in the thread.
func (d *events) operatorMessage(ctx context.Context, m *slackevents.MessageEvent, parentUser string) error {
	// Never relay a bot's message (ours or another app's), an edit, a
	// deletion, a join: only people's new messages, inside threads.
	if m.BotID != "" || m.SubType != "" || m.User == "" || m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp {
		return nil
	}
	if m.User == d.botUser(ctx) {
		return nil
	}
	rec, err := d.cases.InThread(ctx, m.ThreadTimeStamp)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("slack: thread lookup: %w: %w", bot.ErrUnavailable, err)
	}
	if err != nil {
		// Only under the desk's own messages is this worth saying.
		if parentUser != "" && parentUser == d.botUser(ctx) {
			d.thread(ctx, &handoff.Case{Room: m.Channel, Thread: m.ThreadTimeStamp}, d.t("desk.note.no_case", nil))
		}
		return nil
	}
	if rec.State == handoff.Closed || rec.Conv == "" {
		d.thread(ctx, rec, d.t("desk.note.closed", nil))
		return nil
	}
	name := d.firstName(ctx, m.User)
	if rec.State == handoff.Waiting {
		// Writing in the thread takes the case.
		took, err := d.take(ctx, rec, name)
		if err != nil {
			return err
		}
		if !took {
			return nil
		}
	}
	text := unescape(m.Text)
	if q, ok := strings.CutPrefix(strings.TrimSpace(text), "!"); ok && d.cfg.Answers != nil {
		return d.sendAnswer(ctx, rec, name, strings.TrimSpace(q), "slack:"+m.Channel+":"+m.TimeStamp)
	}
	msg := bot.OperatorText{Text: text}
	note := ""
	if d.translates(rec.Lang) {
		lang := map[string]string{"lang": d.langName(rec.Lang)}
		if tr, err := d.translate(ctx, text, d.cfg.Lang, rec.Lang); err == nil {
			msg = bot.OperatorText{Text: tr, Original: text}
			note = d.t("desk.sent_translated", lang) + "\n" + escape(tr)
		} else {
			msg.Failed = true
			note = d.t("desk.not_translated", lang)
		}
	}
	err = d.Operators.OperatorSays(ctx, rec.Conv, name, msg, "slack:"+m.Channel+":"+m.TimeStamp)
	if errors.Is(err, bot.ErrUnavailable) {
		return err // not relayed: Slack delivers the event again
	}
	if err != nil {
		d.log.Warn("operator message not delivered", "error", err)
		d.thread(ctx, rec, d.t("desk.note.not_delivered", map[string]string{"reason": escape(reason(err))}))
		return nil
	}
	if note != "" {
		// What the user received, so the operator can check it.
		d.thread(ctx, rec, note)
	}
	return nil
}

// sendAnswer sends the user the guide or saved reply the operator asked
// for with "!words", or lists in the thread what could be meant.
func (d *events) sendAnswer(ctx context.Context, rec *handoff.Case, name, query, id string) error {
	found, sure := d.cfg.Answers(ctx, query)
	list := func(as []Answer) string {
		var b strings.Builder
		for _, a := range as {
			fmt.Fprintf(&b, "\n• `!%s` %s", a.What, escape(a.Title))
		}
		return b.String()
	}
	switch {
	case query == "":
		return d.thread(ctx, rec, d.t("desk.answer.list", nil)+list(found))
	case len(found) == 0:
		return d.thread(ctx, rec, d.t("desk.answer.none", map[string]string{"query": escape(query)}))
	case !sure:
		return d.thread(ctx, rec, d.t("desk.answer.choose", nil)+list(found[:min(len(found), 5)]))
	}
	a := found[0]
	err := d.Operators.OperatorSends(ctx, rec.Conv, name, a.What, id)
	if errors.Is(err, bot.ErrUnavailable) {
		return err
	}
	if err != nil {
		d.thread(ctx, rec, d.t("desk.note.not_delivered", map[string]string{"reason": escape(reason(err))}))
		return nil
	}
	return d.thread(ctx, rec, d.t("desk.answer.sent", map[string]string{"what": escape(a.Title), "lang": d.langName(rec.Lang)}))
}

func reason(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		s = s[i+2:]
	}
	return s
}

// firstName is the operator's first name as shown to users (when Slack
// does not say it, "Operator" in the operators' language).
func (d *Desk) firstName(ctx context.Context, user string) string {
	if v, ok := d.names.Load(user); ok {
		return v.(string)
	}
	name := d.t("desk.operator", nil)
	if u, err := d.api.GetUserInfoContext(ctx, user); err == nil {
		switch {
		case u.Profile.FirstName != "":
			name = u.Profile.FirstName
		case u.Profile.DisplayName != "":
			name = u.Profile.DisplayName
		case u.RealName != "":
			name = strings.Fields(u.RealName)[0]
		}
	}
	d.names.Store(user, name)
	return name
}

// take gives the case to an operator: the first one wins; it reports
// whether this operator has it, and an error wrapping bot.ErrUnavailable
// when the store failed (nothing changed). rec becomes the case as it is.
func (d *events) take(ctx context.Context, rec *handoff.Case, name string) (bool, error) {
	c, took, err := d.cases.Take(ctx, rec.Token, name, func(c *handoff.Case) error {
		// The user first: if their conversation cannot be reached now,
		// the case stays waiting.
		err := d.Operators.OperatorJoined(ctx, c.Conv, name)
		if err != nil && !errors.Is(err, bot.ErrUnavailable) {
			d.thread(ctx, c, d.t("desk.note.not_waiting", map[string]string{"reason": escape(reason(err))}))
		}
		return err
	})
	if c != nil {
		*rec = *c
	}
	if err != nil {
		return false, err
	}
	if took {
		d.refresh(ctx, c)
		if d.cfg.OnCase != nil && c.Since > 0 {
			d.cfg.OnCase("wait", handoff.WaitBucket(c.Waited(d.now())))
		}
	}
	return c.Has(name), nil
}

// interactivity handles the case buttons.
func (d *events) interactivity(ctx context.Context, body []byte) (webhook.Answer, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return webhook.Answer{}, fmt.Errorf("%w: not a form", webhook.ErrMalformed)
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		return webhook.Answer{}, fmt.Errorf("%w: not an interaction", webhook.ErrMalformed)
	}
	reply, err := d.interaction(ctx, ic)
	if err != nil {
		// The operator sees Slack's error on the button and presses again.
		return webhook.Answer{}, err
	}
	if reply == nil {
		return webhook.Answer{}, nil
	}
	raw, err := json.Marshal(reply)
	if err != nil {
		return webhook.Answer{}, err
	}
	return webhook.Answer{ContentType: "application/json", Body: raw}, nil
}

// interaction handles the case buttons, and the forms' submissions (whose
// answer it returns: what to fix, or nil to close the form). Shared by HTTP
// and Socket Mode.
func (d *events) interaction(ctx context.Context, ic slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if ic.Type == slack.InteractionTypeViewSubmission && ic.View.CallbackID == formCallback {
		var reply *slack.ViewSubmissionResponse
		err := d.within(ctx, func(ctx context.Context) error {
			var err error
			reply, err = d.submitActivityForm(ctx, ic.View)
			return err
		})
		return reply, err
	}
	if ic.Type != slack.InteractionTypeBlockActions {
		return nil, nil
	}
	var errs []error
	// The message the buttons are on: a note about the press goes in its
	// thread.
	channel, ts := ic.Channel.ID, ic.Container.MessageTs
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	for _, a := range ic.ActionCallback.BlockActions {
		action, token, user := a.ActionID, a.Value, ic.User.ID
		if tok, ok := strings.CutPrefix(a.BlockID, "record:"); ok && (action == "topic" || action == "outcome") {
			value := a.SelectedOption.Value
			errs = append(errs, d.within(ctx, func(ctx context.Context) error { return d.recordCase(ctx, tok, action, value) }))
			continue
		}
		switch action {
		case "office_cancel", "office_move":
			errs = append(errs, d.within(ctx, func(ctx context.Context) error { return d.officeAct(ctx, action, token, user, channel, ts) }))
			continue
		case "proposal_contact":
			errs = append(errs, d.within(ctx, func(ctx context.Context) error { return d.contact(ctx, token, user, channel, ts) }))
			continue
		case "attended", "noshow":
			errs = append(errs, d.within(ctx, func(ctx context.Context) error { return d.attendance(ctx, action, token, user, channel, ts) }))
			continue
		}
		// Worked before the answer (within ackBudget): if the store is
		// unavailable, or this replica dies, the operator sees Slack's
		// error on the button instead of a press that silently did
		// nothing, and presses again.
		errs = append(errs, d.within(ctx, func(ctx context.Context) error { return d.button(ctx, action, token, user) }))
	}
	return nil, errors.Join(errs...)
}

// unavailable marks a store failure: the action was not done and may be
// tried again.
func unavailable(what string, err error) error {
	if err == nil || errors.Is(err, bot.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("slack: %s: %w: %w", what, bot.ErrUnavailable, err)
}

func (d *events) button(ctx context.Context, action, token, user string) error {
	rec, err := d.cases.Get(ctx, token)
	if errors.Is(err, bot.ErrNotFound) {
		d.log.Warn("button of an unknown case")
		return nil
	}
	if err != nil {
		return unavailable("read case", err)
	}
	name := d.firstName(ctx, user)
	switch action {
	case "transcript":
		if err := d.transcript(ctx, rec, name); err != nil {
			d.log.Warn("transcript", "error", err)
			d.thread(ctx, rec, d.t("desk.note.transcript_failed", map[string]string{"reason": escape(reason(err))}))
		}
	case "take":
		took, err := d.take(ctx, rec, name)
		if err != nil {
			return err
		}
		if !took && rec.State == handoff.Taken {
			d.thread(ctx, rec, d.t("desk.note.already_taken", map[string]string{"name": escape(name), "operator": escape(rec.Operator)}))
		}
	case "giveback", "close":
		c, closed, err := d.cases.End(ctx, token, action+" by "+name, name, func(c *handoff.Case) error {
			var err error
			if action == "close" {
				err = d.Operators.Close(ctx, c.Conv)
			} else {
				err = d.Operators.GiveBack(ctx, c.Conv)
			}
			if err != nil && !errors.Is(err, bot.ErrUnavailable) {
				d.log.Info("give back: conversation no longer with an operator", "error", err)
			}
			return err // unavailable: nothing changed, the operator presses again
		})
		if err != nil || !closed {
			return err
		}
		note := map[string]string{"giveback": "desk.note.given_back", "close": "desk.note.closed_by"}[action]
		d.thread(ctx, c, d.t(note, map[string]string{"name": escape(name)}))
		d.refresh(ctx, c)
	}
	return nil
}

// commands handles /teams: the list of open cases, to whoever asked, or a
// calendar command (OnCalendar).
func (d *events) commands(ctx context.Context, body []byte) (webhook.Answer, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return webhook.Answer{}, fmt.Errorf("%w: not a form", webhook.ErrMalformed)
	}
	text := d.slash(ctx, form.Get("text"), form.Get("channel_id"), form.Get("user_id"), form.Get("trigger_id"))
	if text == "" {
		return webhook.Answer{}, nil // a form opened: nothing to say
	}
	raw, err := json.Marshal(map[string]string{"response_type": "ephemeral", "text": text})
	if err != nil {
		return webhook.Answer{}, err
	}
	return webhook.Answer{ContentType: "application/json", Body: raw}, nil
}

// slash answers /teams: a calendar command when OnCalendar knows it, else
// the list of open cases.
func (d *events) slash(ctx context.Context, text, channel, user, trigger string) string {
	if words := strings.Fields(text); len(words) > 0 && d.OnActivityAdd != nil {
		if _, ok := formVerb(words[0]); ok {
			return d.openActivityForm(ctx, trigger, channel, words)
		}
	}
	if words := strings.Fields(text); len(words) > 0 && d.OnCalendar != nil {
		if reply, ok := d.OnCalendar(ctx, channel, user, words); ok {
			return reply
		}
	}
	list, err := d.openList(ctx)
	if err != nil {
		return d.t("desk.list.unavailable", nil)
	}
	return list
}

// Open counts the cases waiting for an operator and those an operator has,
// for the metrics.
func (d *Desk) Open(ctx context.Context) (waiting, taken int, err error) {
	return d.cases.Counts(ctx)
}

// openList lists the waiting cases, oldest first, then those taken, with
// links.
func (d *Desk) openList(ctx context.Context) (string, error) {
	waiting, taken, err := d.cases.List(ctx)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	for _, c := range append(waiting, taken...) {
		fmt.Fprintf(&b, "• %s · %s · %s · <%s|%s>\n", d.headline(c, d.now()), c.Lang, c.Via, threadLink(c), d.t("desk.list.open_link", nil))
	}
	if n := len(waiting) + len(taken); n > 0 {
		return "*" + d.t("desk.list.count", map[string]string{"count": fmt.Sprint(n)}) + "*\n" + b.String(), nil
	}
	return d.t("desk.list.empty", nil), nil
}
