package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"teamsbot/bot"
	"teamsbot/internal/chatutil"
)

// Meta's limits (see ../shared/PLATFORMS.md §3).
const (
	MaxText        = 4096 // text message body
	MaxInteractive = 1024 // interactive message body
	MaxButtons     = 3
	MaxButtonTitle = 20
	MaxRows        = 10
	MaxRowTitle    = 24
	MaxListButton  = 20
	Window         = 24 * time.Hour
)

// Error codes the sender acts on.
const (
	codeReengagement = 131047 // outside the 24-hour window
	codeThroughput   = 130429 // over the number's throughput
	codePairLimit    = 131056 // too many messages to the same user
)

// Config configures the sender.
type Config struct {
	// OnStatus is called for each delivery status (for metrics).
	OnStatus      func(status string, code int)
	Token         string
	PhoneNumberID string
	// APIURL is the Graph API base with its version (default
	// https://graph.facebook.com/v26.0).
	APIURL string
	// Rate is the number's throughput, messages per second (default 80).
	Rate float64
	// Shared, when set, paces Rate across every replica (Meta's limit is
	// the number's); without it each process paces itself.
	Shared chatutil.SharedLimiter
	// PairInterval is the sustained gap between two messages to the same
	// user (Meta's pair limit; default 6 s, with bursts of 10).
	PairInterval time.Duration
	// Template is the approved template sent outside the 24-hour window
	// (one body parameter: the text, shortened); "" disables the fallback.
	Template string
	// TemplateLangs maps a bot language to the template's language code
	// (locales/languages.yaml: the language's code unless whatsapp: says
	// otherwise); a language it does not list gets the Italian template.
	TemplateLangs map[string]string
	HTTPClient    *http.Client
}

// Sender sends replies through the Cloud API.
type Sender struct {
	cfg    Config
	client *http.Client
	log    *slog.Logger
	global *chatutil.Pace
	mu     sync.Mutex
	users  map[string]*userState
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
}

// userState is what the sender knows of one user.
type userState struct {
	phone  string
	lastIn time.Time // the 24-hour window opens here
	pair   *rate.Limiter
}

var _ bot.Sender = (*Sender)(nil)

// NewSender builds the sender; it makes no network call.
func NewSender(cfg Config, log *slog.Logger) (*Sender, error) {
	if cfg.Token == "" || cfg.PhoneNumberID == "" {
		return nil, errors.New("whatsapp: WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are needed")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://graph.facebook.com/v26.0"
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Rate <= 0 {
		cfg.Rate = 80
	}
	if cfg.PairInterval <= 0 {
		cfg.PairInterval = 6 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, client: cfg.HTTPClient, log: log.With("comp", "whatsapp"),
		global: chatutil.NewPace("whatsapp:"+cfg.PhoneNumberID, cfg.Rate, max(1, int(cfg.Rate/10)), cfg.Shared),
		users:  map[string]*userState{}, sleep: chatutil.Sleep, now: time.Now}, nil
}

func (s *Sender) user(id string) *userState {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		// Meta allows about one message every 6 s to a user, with bursts.
		u = &userState{pair: rate.NewLimiter(rate.Every(s.cfg.PairInterval), 10)}
		s.users[id] = u
	}
	return u
}

// seen records an inbound message: it opens the 24-hour window.
func (s *Sender) seen(userID, phone string) {
	u := s.user(userID)
	s.mu.Lock()
	if phone != "" {
		u.phone = phone
	}
	u.lastIn = s.now()
	s.mu.Unlock()
}

// markRead tells the user their message was read (two blue ticks).
func (s *Sender) markRead(ctx context.Context, wamid string) {
	if _, err := s.post(ctx, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": wamid}); err != nil {
		s.log.Debug("mark read failed", "error", err)
	}
}

// InWindow reports whether free-form messages can reach the user now: the
// last message this replica saw from them, or the one their session
// records (bot.LastInbound: seen by another replica), is less than Window
// old.
func (s *Sender) InWindow(ctx context.Context, userID string) bool {
	u := s.user(userID)
	s.mu.Lock()
	last := u.lastIn
	s.mu.Unlock()
	if in := bot.LastInbound(ctx); in.After(last) {
		last = in
	}
	return !last.IsZero() && s.now().Sub(last) < Window
}

// status handles a delivery status notification.
func (s *Sender) status(ctx context.Context, wamid, st string, code int) {
	if s.cfg.OnStatus != nil {
		s.cfg.OnStatus(st, code)
	}
	if st == "failed" {
		s.log.Warn("message not delivered", "code", code)
	}
}

// Send implements bot.Sender: within the window each reply goes as the
// richest message Meta accepts for it; outside, the approved template.
func (s *Sender) Send(ctx context.Context, userID string, replies []bot.Reply) error {
	to := s.recipient(userID)
	if !s.InWindow(ctx, userID) && s.cfg.Template != "" {
		var texts []string
		lang, notice := "", true
		for _, r := range replies {
			texts = append(texts, r.Text)
			lang = r.Lang
			notice = notice && r.Notice
		}
		return s.template(ctx, userID, to, lang, strings.Join(texts, " "), notice)
	}
	for i, r := range replies {
		for _, payload := range render(r) {
			to.set(payload)
			if err := s.deliver(ctx, userID, payload, r.Notice); err != nil {
				var me *metaError
				if errors.As(err, &me) && me.Code == codeReengagement && s.cfg.Template != "" {
					return bot.PartialSend(i, s.template(ctx, userID, to, r.Lang, r.Text, r.Notice))
				}
				// The outbox tries again from the first reply not sent whole.
				return bot.PartialSend(i, err)
			}
		}
	}
	return nil
}

// recipient is how a user is addressed: the phone number when known (or
// when the user id is one), else the business-scoped user id, which the
// platform accepts in the same field. (Sending by BSUID alone is rolling
// out in 2026; check the field name against Meta's current reference.)
func (s *Sender) recipient(userID string) addressee {
	u := s.user(userID)
	s.mu.Lock()
	phone := u.phone
	s.mu.Unlock()
	if phone != "" {
		return addressee{"to", phone}
	}
	if bsuidRE.MatchString(userID) {
		return addressee{"recipient", userID}
	}
	return addressee{"to", userID}
}

// addressee is the field of a Cloud API payload that names the user, and
// its value: "to" with a phone number, "recipient" with a business-scoped
// user id (BSUID) — Meta takes a BSUID only there. A phone number is used
// when this process saw it (Meta prefers it); a replica that never saw
// the user, or a restarted one, sends by BSUID.
type addressee struct{ field, value string }

func (a addressee) set(payload map[string]any) { payload[a.field] = a.value }

// bsuidRE matches a BSUID ("US.13491208655302741918") or a parent BSUID
// ("US.ENT.11815799212886844830"): a country code, a dot, then letters,
// digits and dots.
var bsuidRE = regexp.MustCompile(`^[A-Z]{2}\.[A-Za-z0-9.]+$`)

// render turns a reply into Cloud API message payloads: reply buttons when
// there are at most 3 options whose titles fit 20 characters, a list when at
// most 10 fit 24, else numbered text; texts longer than a message allows are
// split, never cut.
func render(r bot.Reply) []map[string]any {
	text := r.Text
	if r.FromOperator != "" {
		text = "*👤 " + r.FromOperator + "*\n" + text
	}
	var out []map[string]any
	addText := func(t string) {
		for _, part := range chatutil.Split(t, MaxText) {
			out = append(out, map[string]any{"type": "text", "text": map[string]any{"body": part, "preview_url": false}})
		}
	}
	// body is the text carried by an interactive message (≤ 1024): the whole
	// text if it fits, else its last paragraph, the rest sent before it.
	body := func() string {
		if utf8.RuneCountInString(text) <= MaxInteractive {
			return text
		}
		i := strings.LastIndex(text, "\n\n")
		if i > 0 && utf8.RuneCountInString(text[i+2:]) <= MaxInteractive {
			addText(text[:i])
			return text[i+2:]
		}
		addText(text)
		return "👇"
	}
	switch {
	case len(r.Options) > 0 && len(r.Options) <= MaxButtons && fits(r.Options, MaxButtonTitle):
		b := body()
		var buttons []map[string]any
		for _, o := range r.Options {
			buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]any{"id": o.ID, "title": o.Label}})
		}
		out = append(out, map[string]any{"type": "interactive", "interactive": map[string]any{
			"type": "button", "body": map[string]any{"text": nonEmpty(b)}, "action": map[string]any{"buttons": buttons}}})
	case len(r.Options) > 0 && len(r.Options) <= MaxRows && fits(r.Options, MaxRowTitle) && r.ChooseLabel != "" && utf8.RuneCountInString(r.ChooseLabel) <= MaxListButton:
		b := body()
		var rows []map[string]any
		for _, o := range r.Options {
			rows = append(rows, map[string]any{"id": o.ID, "title": o.Label})
		}
		out = append(out, map[string]any{"type": "interactive", "interactive": map[string]any{
			"type": "list", "body": map[string]any{"text": nonEmpty(b)},
			"action": map[string]any{"button": r.ChooseLabel, "sections": []map[string]any{{"rows": rows}}}}})
	case len(r.Options) > 0:
		var sb strings.Builder
		sb.WriteString(text)
		for i, o := range r.Options {
			fmt.Fprintf(&sb, "\n%d. %s", i+1, o.Label)
		}
		addText(sb.String())
	case r.AskLocation:
		b := body()
		out = append(out, map[string]any{"type": "interactive", "interactive": map[string]any{
			"type": "location_request_message", "body": map[string]any{"text": nonEmpty(b)}, "action": map[string]any{"name": "send_location"}}})
	default:
		addText(text)
	}
	return out
}

func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "👇"
	}
	return s
}

func fits(opts []bot.Option, limit int) bool {
	for _, o := range opts {
		if n := utf8.RuneCountInString(o.Label); n == 0 || n > limit || len(o.ID) > 200 {
			return false
		}
	}
	return true
}

// template sends the approved re-engagement template with the text as its
// one parameter (Meta forbids newlines and tabs there, and more than four
// spaces in a row).
func (s *Sender) template(ctx context.Context, userID string, to addressee, lang, text string, notice bool) error {
	param := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(param) > 900 {
		param = string([]rune(param)[:899]) + "…"
	}
	code := s.cfg.TemplateLangs[lang]
	if code == "" {
		code = "it"
	}
	payload := map[string]any{"type": "template", "template": map[string]any{
		"name": s.cfg.Template, "language": map[string]any{"code": code},
		"components": []map[string]any{{"type": "body", "parameters": []map[string]any{{"type": "text", "text": param}}}}}}
	to.set(payload)
	return s.deliver(ctx, userID, payload, notice)
}

// Remind sends a proactive message (a booking or activity reminder): free
// form inside the 24-hour window, else the template.
func (s *Sender) Remind(ctx context.Context, userID, lang, text string) error {
	return s.Send(ctx, userID, []bot.Reply{{Text: text, Lang: lang}})
}

// metaError is a Graph API error.
type metaError struct {
	Status  int
	Code    int
	Message string
}

func (e *metaError) Error() string {
	return fmt.Sprintf("whatsapp: graph api %d, code %d", e.Status, e.Code)
}

// pace waits for the user's pair limit and the number's rate, leaving time
// for the request itself (chatutil.ForPacing).
func (s *Sender) pace(ctx context.Context, u *userState, notice bool) error {
	ctx, cancel := chatutil.ForPacing(ctx)
	defer cancel()
	if err := u.pair.Wait(ctx); err != nil {
		return err
	}
	if notice {
		return s.global.WaitNotice(ctx)
	}
	return s.global.Wait(ctx)
}

// deliver sends one payload, paced and retried: rate-limit answers
// (130429, 131056) and 5xx wait and retry; other errors are final and
// recorded with Meta's code.
func (s *Sender) deliver(ctx context.Context, userID string, payload map[string]any, notice bool) error {
	payload["messaging_product"] = "whatsapp"
	payload["recipient_type"] = "individual"
	u := s.user(userID)
	backoff := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if err := s.pace(ctx, u, notice); err != nil {
			return fmt.Errorf("whatsapp: %w: %w", bot.ErrDeferred, err)
		}
		_, err := s.post(ctx, payload)
		if err == nil {
			return nil
		}
		var me *metaError
		retry := errors.As(err, &me) && (me.Code == codeThroughput || me.Code == codePairLimit || me.Status >= 500)
		if !errors.As(err, &me) {
			retry = true // network
		}
		if !retry || attempt >= 4 {
			code := 0
			if me != nil {
				code = me.Code
			}
			s.log.Warn("send failed", "code", code, "attempt", attempt)
			if s.cfg.OnStatus != nil {
				s.cfg.OnStatus("send_failed", code)
			}
			return err
		}
		wait := backoff
		if me != nil && me.Code == codePairLimit {
			wait = 6 * time.Second
		}
		if err := s.sleep(ctx, wait); err != nil {
			return err
		}
		backoff *= 2
	}
}

func (s *Sender) post(ctx context.Context, payload map[string]any) ([]byte, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", s.cfg.APIURL+"/"+s.cfg.PhoneNumberID+"/messages", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return out, nil
	}
	var e struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(out, &e)
	return nil, &metaError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
}
