package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"teamsbot/internal/every"
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
	// Forget deletes what the desk keeps about a conversation, in every
	// case it ever had (open ones are closed), on "delete my data".
	Forget(ctx context.Context, conv string) error
}

// Metrics counts what happens, with no personal data: channels, languages,
// flow ids, outcomes. A nil Metrics counts nothing.
type Metrics interface {
	Inbound(channel string, duplicate bool)
	Turn(channel string, took time.Duration, failed bool)
	Event(channel string, ev Event)
	SendFailed(channel string)
	// Outbox counts what happens to undelivered replies: "kept" (a delivery
	// failed, the replies wait for a retry), "deferred" (the pace had no room
	// before the deadline: retried in a moment), "resent" (delivered later, by a
	// redelivery, the next message or the sweeper), "failed" (given up after
	// MaxOutboxAttempts), "dropped" (beyond what a session holds).
	Outbox(channel, event string)
}

// DelayMetrics is an optional part of Metrics: how long replies took,
// from the message's handling to the platform accepting them (pacing and
// backlog included).
type DelayMetrics interface {
	ReplyDelay(channel string, d time.Duration)
}

// NotUnderstoodLog keeps what users wrote that the bot did not
// understand, for the content team (package understand masks and stores
// it). It must not fail a turn: errors are its own to log.
type NotUnderstoodLog interface {
	Note(ctx context.Context, lang, text string, at time.Time)
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
	// OrderWindow, when set (and the store implements Arrivals), makes a
	// message wait this long after it arrives, then until every message of
	// the same conversation with a lower Inbound.Seq is handled: messages
	// sent together and delivered to different replicas are handled in
	// the platform's order. It adds the window to every message's latency.
	OrderWindow time.Duration
	// AnswerWithin bounds how long Handle waits for a turn's replies to be
	// sent (default 2 s): once they are saved in the outbox, a webhook can
	// be answered while a platform's pacing holds them back; sending goes
	// on under the conversation's lock.
	AnswerWithin time.Duration
}

// Service runs the engine against the world: it locks the conversation,
// loads the session, drops a message the session has seen already, steps the
// engine, saves (with the message's id), and sends.
type Service struct {
	engine  *Engine
	store   Store
	senders map[string]Sender
	desk    Desk
	keepers []Keeper
	metrics Metrics
	missed  NotUnderstoodLog
	log     *slog.Logger
	now     func() time.Time
	cfg     ServiceConfig
	// sending counts the deliveries still running (Wait).
	sending atomic.Int64
	// pruned is when the sweep last dropped stale failures (Unix seconds).
	pruned atomic.Int64
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) ServiceOption { return func(s *Service) { s.now = now } }

// WithDesk connects the operators' desk.
func WithDesk(d Desk) ServiceOption { return func(s *Service) { s.desk = d } }

// A Keeper keeps data about users outside their session (bookings,
// enrolments, proposals) and deletes it on "delete my data".
type Keeper interface {
	// Forget deletes what it keeps about conv, telling the offices that
	// rely on it (a cancelled appointment), and returns what the user is to
	// be told was cancelled, and the notices for other conversations (the
	// next on a waiting list), which the Service sends after the deletion.
	Forget(ctx context.Context, conv string, now time.Time) (said []Said, tell []Told, err error)
}

// WithKeepers sets what "delete my data" must reach besides the store's
// own records and the desk.
func WithKeepers(ks ...Keeper) ServiceOption {
	return func(s *Service) { s.keepers = append(s.keepers, ks...) }
}

// WithNotUnderstood keeps the texts the bot did not understand in l.
func WithNotUnderstood(l NotUnderstoodLog) ServiceOption { return func(s *Service) { s.missed = l } }

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
	if cfg.AnswerWithin <= 0 {
		cfg.AnswerWithin = 2 * time.Second
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
	if done, err := s.awaitTurn(ctx, conv, in.Seq); err != nil {
		return err
	} else if done != nil {
		defer done()
	}
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
		if in.Status == "" {
			sess.In = s.now().Unix()
			if !in.Time.IsZero() && in.Time.Unix() < sess.In {
				sess.In = in.Time.Unix()
			}
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

// awaitTurn orders messages of one conversation that arrive together (see
// ServiceConfig.OrderWindow): it registers seq, waits the window so that
// its siblings can register too, then waits while a lower seq is waiting.
// done deregisters seq once the message is handled; it is nil when no
// ordering applies.
func (s *Service) awaitTurn(ctx context.Context, conv string, seq int64) (done func(), err error) {
	ar, ok := s.store.(Arrivals)
	if !ok || s.cfg.OrderWindow <= 0 || seq <= 0 {
		return nil, nil
	}
	if err := ar.Arrive(ctx, conv, seq, s.cfg.LockTTL); err != nil {
		return nil, fmt.Errorf("order: %w: %w", ErrUnavailable, err)
	}
	done = func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = ar.Depart(c, conv, seq)
	}
	wait := s.cfg.OrderWindow
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			done()
			return nil, fmt.Errorf("order: %w: %w", ErrUnavailable, ctx.Err())
		case <-t.C:
		}
		low, found, err := ar.Lowest(ctx, conv)
		if err != nil {
			done()
			return nil, fmt.Errorf("order: %w: %w", ErrUnavailable, err)
		}
		if !found || low >= seq {
			return done, nil
		}
		wait = 5 * time.Millisecond
	}
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

// OperatorSays relays an operator's message to the user. id is the desk's
// id of the message (stable across the desk's retries): like a user's
// message id it is recorded in the session with the turn, so a retry is
// relayed once and a message whose turn failed is relayed when retried.
func (s *Service) OperatorSays(ctx context.Context, conv, name string, msg OperatorText, id string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if id != "" && !sess.firstSeen(id, s.now(), s.cfg.DedupTTL) {
			return Turn{duplicate: true}, nil
		}
		return s.engine.OperatorSays(ctx, sess, name, msg, s.now())
	})
}

// OperatorSends sends the user a guide ("guide:<id>") or a saved reply
// ("reply:<id>") in their language, from the operator; id identifies the
// operator's message, so a retried event sends once.
func (s *Service) OperatorSends(ctx context.Context, conv, name, what, id string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if id != "" && !sess.firstSeen(id, s.now(), s.cfg.DedupTTL) {
			return Turn{duplicate: true}, nil
		}
		return s.engine.OperatorSends(ctx, sess, name, what, s.now())
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

// Reach opens a case at the desk for a conversation the desk wants to
// write to (Engine.Reach); why is the message id that tells the user. A
// conversation the bot does not know is ErrNotFound.
func (s *Service) Reach(ctx context.Context, conv, reason, why string) error {
	gone := false
	err := s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if sess.Lang == "" {
			// Unknown, or deleted: a duplicate's turn writes nothing, so
			// no session is made for it.
			gone = true
			return Turn{duplicate: true}, nil
		}
		return s.engine.Reach(ctx, sess, reason, why, s.now())
	})
	if err == nil && gone {
		return ErrNotFound
	}
	return err
}

// TimedOut ends a wait no operator answered in time.
func (s *Service) TimedOut(ctx context.Context, conv string) error {
	return s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		return s.engine.HandoffTimedOut(ctx, sess, s.now())
	})
}

// withSession runs fn on the conversation's session under its lock, applies
// the turn's events, and delivers the replies through the outbox: they are
// saved with the state before anything is sent, and cleared once sent, so a
// replica that dies in between leaves them to the next holder of the
// conversation. Replies pending from an earlier turn go first.
func (s *Service) withSession(ctx context.Context, conv string, fn func(*Session) (Turn, error)) error {
	received := time.Now()
	channel, userID := splitKey(conv)
	log := &lazyLog{s: s, conv: conv}
	lease, raw, err := s.lockLoad(ctx, conv)
	if lease == nil {
		return fmt.Errorf("lock conversation: %w: %w", ErrUnavailable, err)
	}
	held := true
	defer func() {
		if held {
			lease.Unlock()
		}
	}()
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
	if sess.Failed != nil && time.Unix(sess.Failed.Failed, 0).Before(s.now().Add(-s.cfg.Retention)) {
		sess.Failed = nil // kept no longer than the retention period
	}
	turn, stepErr := fn(sess)
	// What the turn's actions did to others is done (a waiting list moved
	// up): they are told whatever becomes of this turn.
	defer func() { s.tellOthers(ctx, turn.tell) }()
	resend := sess.Outbox != nil && len(sess.Outbox.Replies) > 0
	switch {
	case turn.hold:
		return errors.Join(stepErr, s.save(ctx, lease, conv, sess, nil))
	case (turn.duplicate || turn.flush) && !resend:
		if turn.flush {
			// Claimed by the sweeper, or a notice not sent: the index entry
			// follows the session (none left for a forgotten conversation).
			return s.store.SaveOutbox(ctx, conv, nil, 0, sess.mark())
		}
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
		case EventNotUnderstood:
			if s.missed != nil && ev.Text != "" {
				s.missed.Note(ctx, sess.Lang, ev.Text, s.now())
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
		// The outbox, the failed replies and their index entries go with
		// the rest.
		// The keepers and the desk first, so a failure leaves the user's
		// request to be retried (from the session, still stored).
		lang := "en"
		if len(turn.Replies) > 0 {
			lang = turn.Replies[0].Lang
		}
		var told []string
		for _, k := range s.keepers {
			said, tell, err := k.Forget(ctx, conv, s.now())
			turn.tell = append(turn.tell, tell...)
			if err != nil {
				return fmt.Errorf("forget: %w: %w", ErrUnavailable, err)
			}
			for _, x := range said {
				told = append(told, s.engine.text(lang, x.ID, x.Data))
			}
		}
		if len(told) > 0 {
			head := s.engine.text(lang, "forget.cancelled", nil)
			turn.Replies = append([]Reply{{Text: head + "\n" + strings.Join(told, "\n"), Lang: lang, MessageIDs: []string{"forget.cancelled"}}}, turn.Replies...)
		}
		if s.desk != nil {
			if err := s.desk.Forget(ctx, conv); err != nil {
				return fmt.Errorf("forget at the desk: %w: %w", ErrUnavailable, err)
			}
		}
		for _, key := range []string{conv, MemoKey(conv)} {
			if err := s.store.Forget(ctx, key); err != nil {
				return fmt.Errorf("forget: %w: %w", ErrUnavailable, err)
			}
		}
		log.Info("conversation data deleted on request")
		s.engine.isolateReplies(turn.Replies)
		return errors.Join(stepErr, s.send(ctx, channel, userID, turn.Replies))
	}
	if sess.Blocked {
		sess.Outbox = nil
		return errors.Join(stepErr, s.save(ctx, lease, conv, sess, nil))
	}
	if len(turn.Replies) > 0 {
		s.engine.isolateReplies(turn.Replies)
		if n := sess.queue(turn.Replies); n > 0 && s.metrics != nil {
			for range n {
				s.metrics.Outbox(channel, "dropped")
			}
		}
	}
	if sess.Outbox == nil {
		return errors.Join(stepErr, s.save(ctx, lease, conv, sess, nil))
	}
	now := s.now()
	if d := sess.Sending; d != nil && d.Until > now.UnixMilli() {
		// Another turn's sender is draining the outbox: it sends these
		// replies after its own, in order, before it lets go.
		return errors.Join(stepErr, s.save(ctx, lease, conv, sess, nil))
	}
	// This turn sends. Durable first: the replies and the sender's mark are
	// saved with the state, and the conversation's lock is released before
	// anything is sent, so the user's next message is handled while these
	// go out at the platform's pace; if this replica dies while sending, the
	// replies are due once the mark lapses.
	d := &Sending{Token: rand.Uint64() | 1, Until: now.Add(s.cfg.LockTTL).UnixMilli()}
	sess.Sending = d
	sess.Outbox.Next = 0 // tried now: due again only if this sender's mark lapses
	batch, base := slices.Clone(sess.Outbox.Replies), sess.Outbox.Base
	in := sess.In
	held = false
	if err := s.save(ctx, lease, conv, sess, nil); err != nil {
		return errors.Join(stepErr, err)
	}
	done := make(chan struct{})
	s.sending.Add(1)
	go func() {
		defer s.sending.Add(-1)
		defer close(done)
		s.drain(context.WithoutCancel(ctx), conv, d.Token, batch, base, in, resend, received, log)
	}()
	t := time.NewTimer(s.cfg.AnswerWithin)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	return stepErr
}

// drain sends a conversation's outbox, batch after batch, outside its
// lock: it is the outbox's one sender (Session.Sending holds its token).
// After each batch it takes the lock for a moment to take off what went
// out (by position: replies added meanwhile stay) and to pick up what
// turns added meanwhile; it lets go when the outbox is empty, or on a
// failure, which is recorded for a retry.
func (s *Service) drain(ctx context.Context, conv string, token uint64, batch []Reply, base uint64, in int64, resend bool, received time.Time, log *lazyLog) {
	channel, userID := splitKey(conv)
	first := true
	for {
		dctx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL*9/10)
		err := s.send(withLastInbound(dctx, in), channel, userID, batch)
		cancel()
		sent := len(batch)
		if err != nil {
			sent = 0
			if p, ok := errors.AsType[*PartialSendError](err); ok {
				sent = min(p.Sent, len(batch))
			}
		}
		if err == nil && first && !resend {
			if dm, ok := s.metrics.(DelayMetrics); ok {
				dm.ReplyDelay(channel, time.Since(received))
			}
		}
		if err == nil && first && resend && s.metrics != nil {
			s.metrics.Outbox(channel, "resent")
		}
		first = false
		// The bookkeeping has its own deadline: a send the platform
		// accepted as its deadline ran out must still be taken off the
		// outbox, or it is sent again.
		sctx, scancel := context.WithTimeout(ctx, saveAfterSend)
		next, more := s.afterSend(sctx, conv, token, base+uint64(sent), err, log)
		scancel()
		if !more {
			return
		}
		batch, base, in = next.Replies, next.Base, next.In
	}
}

// nextBatch is what a sender sends next.
type nextBatch struct {
	Replies []Reply
	Base    uint64
	In      int64
}

// afterSend records a batch's result in the session, under the lock: the
// replies up to upTo leave the outbox; a failure is kept for a retry (or
// gives up, or stops sending to a user who blocked the bot). It returns
// the next batch when the outbox still holds replies and this sender is
// still the outbox's.
func (s *Service) afterSend(ctx context.Context, conv string, token uint64, upTo uint64, sendErr error, log *lazyLog) (nextBatch, bool) {
	lease, raw, err := s.lockLoad(ctx, conv)
	if lease == nil {
		// The replies went out; the sweeper may send them again once the
		// mark lapses (at least once, never lost).
		log.Warn("outbox not cleared after sending", "error", err)
		return nextBatch{}, false
	}
	defer lease.Unlock()
	if err != nil {
		// Deleted meanwhile ("delete my data"), or unreadable: nothing to
		// record.
		return nextBatch{}, false
	}
	sess, derr := UnmarshalSession(raw)
	if derr != nil || sess.Sending == nil || sess.Sending.Token != token {
		// Another sender took over (this one outlived its mark).
		return nextBatch{}, false
	}
	channel, _ := splitKey(conv)
	o := sess.Outbox
	if o != nil {
		o.sentUpTo(upTo)
	}
	now := s.now()
	var next nextBatch
	more := false
	switch {
	case o == nil:
	case sendErr != nil:
		s.failed(channel, sess, sendErr, now, log)
	case len(o.Replies) == 0:
		sess.Outbox = nil
	default:
		o.Attempts, o.Next, o.Error = 0, 0, ""
		sess.Sending.Until = now.Add(s.cfg.LockTTL).UnixMilli()
		next, more = nextBatch{Replies: slices.Clone(o.Replies), Base: o.Base, In: sess.In}, true
	}
	if !more {
		sess.Sending = nil
	}
	mark := sess.mark() // with a sender at work: due at its deadline
	if err := s.save(ctx, lease, conv, sess, &mark); err != nil {
		log.Warn("outbox not cleared after sending", "error", err)
		return nextBatch{}, false
	}
	return next, more
}

// deferredRetry is how soon replies deferred by pacing are due again.
const deferredRetry = time.Second

// saveAfterSend bounds the save that records what a delivery sent.
const saveAfterSend = 5 * time.Second

// Wait returns when every delivery still running has finished, or with
// ctx's error when ctx ends first (graceful shutdown: what is not sent
// stays in the outbox).
func (s *Service) Wait(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for s.sending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// tellOthers sends the notices a turn's actions left for other
// conversations, after the turn and outside its lock (two users leaving
// each other's waiting lists at once must not wait for each other's
// lock); Wait waits for them.
func (s *Service) tellOthers(ctx context.Context, ts []Told) {
	if len(ts) == 0 {
		return
	}
	s.sending.Add(1)
	go func() {
		defer s.sending.Add(-1)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		for _, t := range ts {
			if err := s.Notify(ctx, t.Conv, t.Notice); err != nil && !errors.Is(err, ErrNoticeSent) {
				s.logFor(t.Conv).Warn("notice not sent", "message", t.Notice.MessageID, "error", err)
			}
		}
	}()
}

// lockLoad takes the conversation's lock and reads its session: in one call
// when the store offers it.
func (s *Service) lockLoad(ctx context.Context, conv string) (Lease, []byte, error) {
	if ll, ok := s.store.(LockLoader); ok {
		return ll.LockLoad(ctx, conv, s.cfg.LockTTL)
	}
	unlock, err := s.store.Lock(ctx, conv, s.cfg.LockTTL)
	if err != nil {
		return nil, nil, err
	}
	raw, err := s.store.Load(ctx, conv)
	return plainLease{st: s.store, conv: conv, unlock: unlock}, raw, err
}

// plainLease is a Lease over a store's Lock and SaveOutbox.
type plainLease struct {
	st     Store
	conv   string
	unlock func()
}

func (l plainLease) Unlock() { l.unlock() }

func (l plainLease) SaveUnlock(ctx context.Context, value []byte, ttl time.Duration, m OutboxMark) error {
	defer l.unlock()
	return l.st.SaveOutbox(ctx, l.conv, value, ttl, m)
}

// save stores the session with its outbox mark (mark nil: the session's
// own); through the lease when given, which also unlocks.
func (s *Service) save(ctx context.Context, lease Lease, conv string, sess *Session, mark *OutboxMark) error {
	b, err := sess.Marshal()
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	m := sess.mark()
	if mark != nil {
		m = *mark
	}
	if lease != nil {
		err = lease.SaveUnlock(ctx, b, s.cfg.Retention, m)
	} else {
		err = s.store.SaveOutbox(ctx, conv, b, s.cfg.Retention, m)
	}
	if err != nil {
		// Not recorded: a channel that can have the message delivered
		// again should (503).
		return fmt.Errorf("save session: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// failed records a delivery that failed in the session: the replies wait
// for a retry with backoff (a moment, when only the pace was full), or move
// to the failed list after MaxOutboxAttempts; a user who blocked the bot is
// sent nothing more until they write.
func (s *Service) failed(channel string, sess *Session, err error, now time.Time, log *lazyLog) {
	o := sess.Outbox
	if errors.Is(err, ErrBlocked) {
		sess.Blocked = true
		sess.Outbox = nil
		log.Info("user blocked the bot: sending stopped")
		return
	}
	if errors.Is(err, ErrDeferred) {
		// Nothing failed: the platform's pace (shared by the replicas)
		// is busy. The sweeper sends the rest in a moment.
		o.Next = now.Add(deferredRetry).Unix()
		log.Info("replies deferred: the pace had no room before the deadline")
		if s.metrics != nil {
			s.metrics.Outbox(channel, "deferred")
		}
		return
	}
	o.Attempts++
	o.Error = sendClass(err)
	if o.Attempts >= MaxOutboxAttempts {
		sess.giveUp(now)
		log.Error("replies not delivered: given up, kept in the failed list", "attempts", o.Attempts, "error", o.Error)
		if s.metrics != nil {
			s.metrics.Outbox(channel, "failed")
		}
		return
	}
	o.Next = now.Add(OutboxBackoff(o.Attempts)).Unix()
	log.Warn("replies not delivered: kept in the outbox for a retry", "attempt", o.Attempts, "error", o.Error)
	if s.metrics != nil {
		s.metrics.Outbox(channel, "kept")
	}
}

// FlushOutboxes delivers the replies that are due in any conversation: those
// of a replica that died while sending, and retries after a failure. Every
// replica runs it (RunOutbox); the store hands each due conversation to one
// of them, and the conversation's lock does the rest. It returns how many
// conversations it looked at.
func (s *Service) FlushOutboxes(ctx context.Context) (int, error) {
	const batch, workers, maxBatches = 64, 8, 16
	// Once a minute: failures older than the retention period leave the
	// index (their sessions, which hold the replies, have expired).
	if now := s.now().Unix(); now-s.pruned.Load() >= 60 {
		s.pruned.Store(now)
		if _, err := s.store.FailedOutboxes(ctx, 0, s.now().Add(-s.cfg.Retention)); err != nil {
			s.log.Warn("outbox: dropping old failures", "error", err)
		}
	}
	total := 0
	for range maxBatches {
		convs, err := s.store.ClaimOutboxes(ctx, s.now(), s.cfg.LockTTL, batch)
		if err != nil {
			return total, fmt.Errorf("outbox: %w", err)
		}
		total += len(convs)
		// A few at a time: each waits on its platform's pace, and after an
		// outage thousands may be due.
		next := make(chan string)
		var wg sync.WaitGroup
		for range min(workers, len(convs)) {
			wg.Go(func() {
				for conv := range next {
					s.flushOne(ctx, conv)
				}
			})
		}
		for _, conv := range convs {
			next <- conv
		}
		close(next)
		wg.Wait()
		if len(convs) < batch || ctx.Err() != nil {
			break
		}
	}
	return total, nil
}

// flushOne delivers what conv's outbox holds, unless a turn holds the
// conversation (that turn delivers it).
func (s *Service) flushOne(ctx context.Context, conv string) {
	c, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := s.withSession(c, conv, func(sess *Session) (Turn, error) { return Turn{flush: true}, nil })
	if err != nil && !errors.Is(err, ErrUnavailable) {
		s.logFor(conv).Warn("outbox flush", "error", err)
	}
}

// RunOutbox calls FlushOutboxes every interval (default 5 s) until ctx
// ends.
func (s *Service) RunOutbox(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	every.Run(ctx, interval, false, func(ctx context.Context) {
		if _, err := s.FlushOutboxes(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("outbox sweep", "error", err)
		}
	})
}

// FailedReport describes a conversation's failed replies, without their
// text: enough for an operator to see what broke and retry it.
type FailedReport struct {
	Conv       string // the conversation key (personal data: print Pseudonym(Conv))
	Channel    string
	Failed     time.Time
	Attempts   int
	Error      string
	Replies    int
	MessageIDs []string // the locale messages the replies were made from
}

// FailedReplies lists up to n conversations whose replies were given up,
// most recent first.
func (s *Service) FailedReplies(ctx context.Context, n int) ([]FailedReport, error) {
	convs, err := s.store.FailedOutboxes(ctx, n, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var out []FailedReport
	for _, conv := range convs {
		raw, err := s.store.Load(ctx, conv)
		if errors.Is(err, ErrNotFound) {
			// Expired since: its index entry goes too.
			if err := s.store.SaveOutbox(ctx, conv, nil, 0, OutboxMark{}); err != nil {
				return nil, fmt.Errorf("outbox: %w", err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		sess, err := UnmarshalSession(raw)
		if err != nil || sess.Failed == nil {
			continue
		}
		channel, _ := splitKey(conv)
		r := FailedReport{Conv: conv, Channel: channel, Failed: time.Unix(sess.Failed.Failed, 0), Attempts: sess.Failed.Attempts,
			Error: sess.Failed.Error, Replies: len(sess.Failed.Replies)}
		for _, rep := range sess.Failed.Replies {
			r.MessageIDs = append(r.MessageIDs, rep.MessageIDs...)
		}
		out = append(out, r)
	}
	return out, nil
}

// RetryFailed puts a conversation's failed replies back in its outbox, due
// now: the outbox sweeper of a running replica delivers them (after what is
// pending, in order). It reports whether there was anything to retry.
func (s *Service) RetryFailed(ctx context.Context, conv string) (bool, error) {
	found := false
	err := s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if sess.Failed == nil || sess.State == StateNew {
			return Turn{flush: true}, nil
		}
		found = true
		f := sess.Failed
		sess.Failed = nil
		sess.queue(f.Replies)
		sess.Outbox.Attempts, sess.Outbox.Next = 0, s.now().Unix()
		return Turn{hold: true}, nil
	})
	return found, err
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
	// ID, when set, makes the notice once-only per conversation (within
	// ServiceConfig.DedupTTL): it is recorded in the session in the same
	// write as the notice's place in the outbox, so it is sent once across
	// replicas and never lost to a failure between a mark and the send.
	// A repeat returns ErrNoticeSent.
	ID string
}

// ErrNoticeSent is returned by Notify for a notice whose ID the
// conversation has had already.
var ErrNoticeSent = errors.New("notice already sent")

// NoticeOption is a button of a Notice: a command id ("c:menu",
// "c:flow:my_bookings") and the message id of its label.
type NoticeOption struct {
	ID, Label string
}

// Notify sends a proactive message (a reminder) to a conversation, in the
// user's language, through their channel and its outbox — unless they
// blocked the bot or deleted their data. Its texts come from the locales
// like every reply.
func (s *Service) Notify(ctx context.Context, conv string, n Notice) error {
	missing, repeat := false, false
	err := s.withSession(ctx, conv, func(sess *Session) (Turn, error) {
		if sess.State == StateNew {
			missing = true
			return Turn{flush: true}, nil
		}
		if n.ID != "" && !sess.firstSeen("notice:"+n.ID, s.now(), s.cfg.DedupTTL) {
			repeat = true
			return Turn{duplicate: true}, nil
		}
		if sess.Blocked {
			// Recorded all the same: a user who unblocks later does not
			// get a stale reminder.
			return Turn{hold: true}, nil
		}
		lang := sess.Lang
		tr := s.engine.tr
		r := Reply{Text: tr.Text(lang, n.MessageID, n.Data), Lang: lang, MessageIDs: []string{n.MessageID}, Notice: true}
		for _, o := range n.Options {
			r.Options = append(r.Options, Option{ID: o.ID, Label: tr.Text(lang, o.Label, nil), MessageID: o.Label})
		}
		if len(r.Options) > 0 {
			r.ChooseLabel = tr.Text(lang, "common.choose", nil)
		}
		return Turn{Replies: []Reply{r}}, nil
	})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if missing {
		return fmt.Errorf("notify: %w", ErrNotFound)
	}
	if repeat {
		return ErrNoticeSent
	}
	return nil
}
