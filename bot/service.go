package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Sender delivers replies to a user on one channel. Each adapter implements
// it; it renders options as the channel can, splits long texts, and retries
// what the platform allows to be retried.
type Sender interface {
	Send(ctx context.Context, userID string, replies []Reply) error
}

// Handoff is what the operators' desk receives when a conversation is handed
// to a person.
type Handoff struct {
	Conversation string // conversation key: the desk's handle for replies
	Channel      string
	Lang         string
	Reason       string
	Flow, Step   string
	Context      map[string]string
	Since        time.Time
}

// Ticket is what the desk says about a handoff, for the user: their place
// in the queue, and whether operators are at work.
type Ticket struct {
	// Position is the user's place among the waiting conversations (1 =
	// next); 0 means unknown.
	Position int
	// Closed is set outside the operators' hours; Opens is when they are
	// back.
	Closed bool
	Opens  time.Time
}

// Desk is the operators' desk (Slack, in production).
type Desk interface {
	// Handoff opens a conversation for the operators.
	Handoff(ctx context.Context, h Handoff) (Ticket, error)
	// Relay passes a user's message to the operator, or tells the desk the
	// user left (in.Text empty, ended set).
	Relay(ctx context.Context, conv string, in Inbound, ended string) error
}

// Metrics counts what happens, with no personal data: channels, languages,
// flow ids, outcomes. A nil Metrics counts nothing.
type Metrics interface {
	Inbound(channel string, duplicate bool)
	Turn(channel string, took time.Duration, failed bool)
	Event(channel string, ev Event)
	SendFailed(channel string)
}

// ServiceConfig tunes the Service.
type ServiceConfig struct {
	// Retention is how long a session is kept after the last message
	// (default 30 days); the privacy notice says so.
	Retention time.Duration
	// DedupTTL is how long a platform message id is remembered, in the
	// session (default 48 h; the 32 latest ids at most).
	DedupTTL time.Duration
	// LockTTL bounds how long one turn may hold a conversation (default 30 s).
	LockTTL time.Duration
	// PseudonymKey keys the HMAC that turns user ids into log pseudonyms.
	PseudonymKey []byte
}

// Service runs the engine against the world: it locks the conversation,
// loads the session, drops a message the session has seen already, steps the
// engine, saves (with the message's id), and sends.
type Service struct {
	engine  *Engine
	store   Store
	senders map[string]Sender
	desk    Desk
	metrics Metrics
	log     *slog.Logger
	now     func() time.Time
	cfg     ServiceConfig
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithDesk connects the operators' desk.
func WithDesk(d Desk) ServiceOption { return func(s *Service) { s.desk = d } }

// WithMetrics sets the metrics sink.
func WithMetrics(m Metrics) ServiceOption { return func(s *Service) { s.metrics = m } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) ServiceOption { return func(s *Service) { s.log = l } }

// WithSender registers the sender of a channel.
func WithSender(channel string, snd Sender) ServiceOption {
	return func(s *Service) { s.senders[channel] = snd }
}

// NewService wires an engine to a store.
func NewService(e *Engine, st Store, cfg ServiceConfig, opts ...ServiceOption) *Service {
	if cfg.Retention <= 0 {
		cfg.Retention = time.Duration(e.cfg.RetentionDays) * 24 * time.Hour
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = 48 * time.Hour
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = 30 * time.Second
	}
	s := &Service{engine: e, store: st, senders: map[string]Sender{}, cfg: cfg, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("comp", "bot")
	return s
}

// Engine returns the service's engine.
func (s *Service) Engine() *Engine { return s.engine }

// Pseudonym returns the log name of a conversation key: 12 hex digits of an
// HMAC-SHA256 keyed with the service's secret, stable across restarts with
// the same key, and not reversible to a phone number or user id.
func (s *Service) Pseudonym(conv string) string {
	m := hmac.New(sha256.New, s.cfg.PseudonymKey)
	m.Write([]byte(conv))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// Handle processes one inbound message: exactly once per platform message
// id, one at a time per conversation, replies sent before the next message
// of the same conversation is looked at.
func (s *Service) Handle(ctx context.Context, in Inbound) error {
	start := s.now()
	conv := in.Key()
	duplicate := false
	// The message id is checked and recorded in the session, under the
	// conversation's lock, and saved with the state the message led to: a
	// redelivery is recognised, and a message whose turn failed before it
	// was saved is handled again when the platform retries.
	err := s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if in.ID != "" && !sess.firstSeen(in.ID, s.now(), s.cfg.DedupTTL) {
			duplicate = true
			return Turn{duplicate: true}, nil
		}
		return s.engine.Step(ctx, sess, in, s.now())
	})
	if s.metrics != nil {
		s.metrics.Inbound(in.Channel, duplicate)
	}
	if duplicate {
		s.logFor(conv).Debug("duplicate message ignored")
		return nil
	}
	if s.metrics != nil {
		s.metrics.Turn(in.Channel, s.now().Sub(start), err != nil)
	}
	if err != nil {
		s.logFor(conv).Error("turn failed", "error", err)
	}
	return err
}

// logFor returns the logger of a conversation: its channel and pseudonym,
// never the user id. Built only when something is logged: the HMAC behind
// the pseudonym costs more than the rest of a turn's bookkeeping.
func (s *Service) logFor(conv string) *slog.Logger {
	channel, _ := splitKey(conv)
	return s.log.With("channel", channel, "conversation", s.Pseudonym(conv))
}

// OperatorJoined, OperatorSays and GiveBack are the operators' desk's way
// into a conversation (conv is Handoff.Conversation).
func (s *Service) OperatorJoined(ctx context.Context, conv, name string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.OperatorJoined(ctx, sess, name, s.now())
	})
}

// OperatorSays relays an operator's message to the user.
func (s *Service) OperatorSays(ctx context.Context, conv, name, text string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.OperatorSays(ctx, sess, name, text, s.now())
	})
}

// GiveBack returns a conversation from the operator to the bot.
func (s *Service) GiveBack(ctx context.Context, conv string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.GiveBack(ctx, sess, s.now())
	})
}

// Close ends a handoff from the operator's side and asks the user how it
// went.
func (s *Service) Close(ctx context.Context, conv string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.CloseHandoff(ctx, sess, s.now())
	})
}

// TimedOut ends a wait no operator answered in time.
func (s *Service) TimedOut(ctx context.Context, conv string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.HandoffTimedOut(ctx, sess, s.now())
	})
}

// withSession runs fn on the conversation's session under its lock, applies
// the turn's events, saves, and sends the replies.
func (s *Service) withSession(ctx context.Context, conv string, fn func(*Session) (Turn, error)) error {
	channel, userID := splitKey(conv)
	log := &lazyLog{s: s, conv: conv}
	var unlock func()
	var raw []byte
	var err error
	if ll, ok := s.store.(LockLoader); ok {
		unlock, raw, err = ll.LockLoad(ctx, conv, s.cfg.LockTTL)
		if unlock == nil {
			return fmt.Errorf("lock conversation: %w: %w", ErrUnavailable, err)
		}
	} else {
		if unlock, err = s.store.Lock(ctx, conv, s.cfg.LockTTL); err != nil {
			return fmt.Errorf("lock conversation: %w: %w", ErrUnavailable, err)
		}
		raw, err = s.store.Load(ctx, conv)
	}
	defer unlock()
	sess := &Session{State: StateNew}
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return fmt.Errorf("load session: %w: %w", ErrUnavailable, err)
	default:
		if loaded, derr := UnmarshalSession(raw); derr != nil {
			// A session we cannot read is started afresh, never a crash.
			log.Warn("unreadable session replaced", "error", derr)
		} else {
			sess = loaded
		}
	}
	turn, stepErr := fn(sess)
	if turn.duplicate {
		return nil
	}
	forget := false
	for _, ev := range turn.Events {
		if s.metrics != nil {
			s.metrics.Event(channel, ev)
		}
		switch ev.Kind {
		case EventForget:
			forget = true
		case EventHandoff:
			more, herr := s.handoff(ctx, conv, channel, sess, ev)
			if herr != nil {
				log.Error("handoff failed", "error", herr)
			}
			turn.Replies = append(turn.Replies, more...)
		case EventRelay:
			if s.desk != nil {
				if rerr := s.desk.Relay(ctx, conv, *ev.Inbound, ""); rerr != nil {
					log.Error("relay to operator failed", "error", rerr)
				}
			}
		case EventHandoffEnded:
			if s.desk != nil {
				if rerr := s.desk.Relay(ctx, conv, Inbound{Channel: channel}, ev.Reason); rerr != nil {
					log.Error("tell desk the user left failed", "error", rerr)
				}
			}
		}
	}
	if forget {
		if err := s.store.Forget(ctx, conv); err != nil {
			return fmt.Errorf("forget: %w", err)
		}
		log.Info("conversation data deleted on request")
	} else {
		b, err := sess.Marshal()
		if err != nil {
			return fmt.Errorf("encode session: %w", err)
		}
		if err := s.store.Save(ctx, conv, b, s.cfg.Retention); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
	}
	if sess.Blocked {
		return stepErr
	}
	if err := s.send(ctx, channel, userID, turn.Replies); err != nil {
		if errors.Is(err, ErrBlocked) {
			// Remember it, so nothing more is sent until the user writes.
			sess.Blocked = true
			if b, merr := sess.Marshal(); merr == nil {
				if serr := s.store.Save(ctx, conv, b, s.cfg.Retention); serr != nil {
					log.Warn("could not record that the user blocked the bot", "error", serr)
				}
			}
			log.Info("user blocked the bot: sending stopped")
			return stepErr
		}
		return errors.Join(stepErr, err)
	}
	return stepErr
}

func (s *Service) handoff(ctx context.Context, conv, channel string, sess *Session, ev Event) ([]Reply, error) {
	if s.desk == nil {
		t, _ := s.engine.HandoffFailed(ctx, sess, s.now())
		return t.Replies, errors.New("no operators' desk connected")
	}
	ticket, err := s.desk.Handoff(ctx, Handoff{Conversation: conv, Channel: channel, Lang: sess.Lang, Reason: ev.Reason,
		Flow: ev.Flow, Step: ev.Step, Context: ev.Context, Since: time.Unix(sess.Since, 0)})
	if err == nil {
		return s.engine.ticketReplies(sess.Lang, ticket, s.now()), nil
	}
	t, _ := s.engine.HandoffFailed(ctx, sess, s.now())
	return t.Replies, err
}

func (s *Service) send(ctx context.Context, channel, userID string, replies []Reply) error {
	if len(replies) == 0 {
		return nil
	}
	snd, ok := s.senders[channel]
	if !ok {
		return fmt.Errorf("no sender for channel %q", channel)
	}
	if err := snd.Send(ctx, userID, replies); err != nil {
		if s.metrics != nil {
			s.metrics.SendFailed(channel)
		}
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// lazyLog logs with the conversation's pseudonym, computed on first use.
type lazyLog struct {
	s    *Service
	conv string
	l    *slog.Logger
}

func (l *lazyLog) get() *slog.Logger {
	if l.l == nil {
		l.l = l.s.logFor(l.conv)
	}
	return l.l
}

func (l *lazyLog) Warn(msg string, args ...any)  { l.get().Warn(msg, args...) }
func (l *lazyLog) Error(msg string, args ...any) { l.get().Error(msg, args...) }
func (l *lazyLog) Info(msg string, args ...any)  { l.get().Info(msg, args...) }

func splitKey(conv string) (channel, userID string) {
	for i := 0; i < len(conv); i++ {
		if conv[i] == ':' {
			return conv[:i], conv[i+1:]
		}
	}
	return conv, ""
}

// Notice is a proactive message: a locale message with data, and options.
type Notice struct {
	MessageID string
	Data      map[string]string
	Options   []NoticeOption
}

// NoticeOption is a button of a Notice: a command id ("c:menu",
// "c:flow:my_bookings") and the message id of its label.
type NoticeOption struct {
	ID, Label string
}

// Notify sends a proactive message (a reminder) to a conversation, in the
// user's language, through their channel — unless they blocked the bot or
// deleted their data. Its texts come from the locales like every reply.
func (s *Service) Notify(ctx context.Context, conv string, n Notice) error {
	channel, userID := splitKey(conv)
	raw, err := s.store.Load(ctx, conv)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	sess, err := UnmarshalSession(raw)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if sess.Blocked || sess.State == StateNew {
		return nil
	}
	lang := sess.Lang
	tr := s.engine.tr
	r := Reply{Text: tr.Text(lang, n.MessageID, n.Data), Lang: lang, MessageIDs: []string{n.MessageID}}
	for _, o := range n.Options {
		r.Options = append(r.Options, Option{ID: o.ID, Label: tr.Text(lang, o.Label, nil), MessageID: o.Label})
	}
	if len(r.Options) > 0 {
		r.ChooseLabel = tr.Text(lang, "common.choose", nil)
	}
	return s.send(ctx, channel, userID, []Reply{r})
}
