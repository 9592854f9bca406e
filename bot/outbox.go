package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Outbox holds replies of a conversation that are not delivered yet. The
// replies of a turn are saved in the session (Session.Outbox) in the same
// write as the state they come from, before anything is sent, and cleared
// once the channel took them: a replica that dies in between leaves them
// for the next holder of the conversation (a redelivery of the message, the
// user's next message, or the outbox sweeper of any replica).
type Outbox struct {
	Replies []Reply
	// Base counts the replies that ever left the front of Replies (sent,
	// or dropped beyond what a session holds): a sender that took the
	// first n at Base removes only those, whatever was added since.
	Base uint64
	// Attempts counts deliveries that failed (after the channel's own
	// retries).
	Attempts int
	// Next is when to try again (Unix seconds); 0 is now.
	Next int64
	// Error is the class of the last failure (no personal data).
	Error string
	// Failed is when the replies were given up (Session.Failed only).
	Failed int64
}

// Outbox limits.
const (
	// MaxOutboxAttempts is how many failed deliveries move replies to the
	// failed list (with OutboxBackoff: about two hours of trying).
	MaxOutboxAttempts = 6
	// maxOutboxReplies bounds what a session holds undelivered: the oldest
	// replies beyond it are dropped (counted as "dropped" in the metrics).
	maxOutboxReplies = 24
)

// OutboxBackoff is the wait after the n-th failed delivery (n ≥ 1):
// 30 s, 2 min, 8 min, 30 min, 1 h, then 2 h.
func OutboxBackoff(n int) time.Duration {
	switch {
	case n <= 1:
		return 30 * time.Second
	case n == 2:
		return 2 * time.Minute
	case n == 3:
		return 8 * time.Minute
	case n == 4:
		return 30 * time.Minute
	case n == 5:
		return time.Hour
	}
	return 2 * time.Hour
}

// OutboxMark is a conversation's place in the store's outbox index, saved
// with the session that justifies it.
type OutboxMark struct {
	// Due is when the conversation's undelivered replies should be tried
	// (by any replica); zero when nothing is pending.
	Due time.Time
	// Failed is when replies were given up; zero when there are none.
	Failed time.Time
}

// Outboxes is the store's index of conversations with undelivered or failed
// replies. The replies themselves live in the session (and go with it when
// the user deletes their data or the session expires).
type Outboxes interface {
	// SaveOutbox is Save, and sets conv's entries in the index, in one
	// atomic write where the store allows (Redis: one round trip). With a
	// nil value it sets the index entries only (the session stays as it
	// is).
	SaveOutbox(ctx context.Context, conv string, value []byte, ttl time.Duration, mark OutboxMark) error
	// ClaimOutboxes returns up to n conversations due at or before now and
	// moves their due time to now+lease, so that replicas sweeping at the
	// same moment take different ones.
	ClaimOutboxes(ctx context.Context, now time.Time, lease time.Duration, n int) ([]string, error)
	// FailedOutboxes first removes from the index the failures older
	// than forgetBefore (their sessions have expired: the index must not
	// outlive them, it names conversations; zero: none), then lists up to
	// n conversations with failed replies, most recent failure first.
	FailedOutboxes(ctx context.Context, n int, forgetBefore time.Time) ([]string, error)
}

// Lease is a conversation's lock taken by LockLoader.LockLoad.
type Lease interface {
	// Unlock releases the lock; safe to call more than once.
	Unlock()
	// SaveUnlock saves the session with its outbox mark and releases the
	// lock, in one round trip. After it the lock is released whatever the
	// result.
	SaveUnlock(ctx context.Context, value []byte, ttl time.Duration, mark OutboxMark) error
}

// PartialSendError is returned by a Sender that delivered the first Sent
// replies of a batch and then failed: only the rest is tried again.
type PartialSendError struct {
	Sent int
	Err  error
}

func (e *PartialSendError) Error() string {
	return fmt.Sprintf("%d replies sent, then: %v", e.Sent, e.Err)
}

func (e *PartialSendError) Unwrap() error { return e.Err }

// PartialSend wraps err (nil stays nil) with how many replies were sent.
func PartialSend(sent int, err error) error {
	if err == nil {
		return nil
	}
	return &PartialSendError{Sent: sent, Err: err}
}

// sendClass names a delivery failure without data that could identify a
// user or leak a credential: a network error's URL holds the bot token on
// Telegram, so only its kind is kept.
func sendClass(err error) string {
	if p, ok := errors.AsType[*PartialSendError](err); ok {
		err = p.Err
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		if ue.Timeout() {
			return "network: timeout"
		}
		return "network: " + ue.Op + " failed"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	s := strings.TrimPrefix(err.Error(), "send: ")
	if len(s) > 160 {
		s = strings.ToValidUTF8(s[:160], "")
	}
	return s
}

// queue appends replies to the session's outbox, keeping it bounded.
func (s *Session) queue(replies []Reply) (dropped int) {
	if s.Outbox == nil {
		s.Outbox = &Outbox{}
	}
	o := s.Outbox
	o.Replies = append(o.Replies, replies...)
	if n := len(o.Replies) - maxOutboxReplies; n > 0 {
		o.Replies = append(o.Replies[:0:0], o.Replies[n:]...)
		o.Base += uint64(n)
		dropped = n
	}
	return dropped
}

// sentUpTo removes the replies before position upTo (counted from the
// first reply the conversation ever queued): a sender that took replies
// from Base to upTo and delivered them. Replies added since stay; replies
// already gone (dropped) are not counted twice.
func (o *Outbox) sentUpTo(upTo uint64) {
	if upTo <= o.Base {
		return
	}
	n := int(min(upTo-o.Base, uint64(len(o.Replies))))
	o.Replies = append(o.Replies[:0:0], o.Replies[n:]...)
	o.Base += uint64(n)
}

// giveUp moves the pending replies to the failed list (appending to what
// failed before, bounded like the outbox).
func (s *Session) giveUp(now time.Time) {
	o := s.Outbox
	s.Outbox = nil
	if s.Failed == nil {
		s.Failed = &Outbox{}
	}
	f := s.Failed
	f.Replies = append(f.Replies, o.Replies...)
	if n := len(f.Replies) - maxOutboxReplies; n > 0 {
		f.Replies = append(f.Replies[:0:0], f.Replies[n:]...)
	}
	f.Attempts, f.Error, f.Failed = o.Attempts, o.Error, now.Unix()
}

// mark is the session's place in the outbox index when nothing is being
// delivered: the pending replies' next attempt, and its failed replies.
func (s *Session) mark() OutboxMark {
	var m OutboxMark
	if s.Outbox != nil {
		m.Due = time.Unix(s.Outbox.Next, 0)
		if d := s.Sending; d != nil && time.UnixMilli(d.Until).After(m.Due) {
			// A sender is at work: the sweep looks again only when its
			// deadline has passed.
			m.Due = time.UnixMilli(d.Until)
		}
	}
	if s.Failed != nil {
		m.Failed = time.Unix(s.Failed.Failed, 0)
	}
	return m
}

type lastInboundKey struct{}

// LastInbound is when the user a Sender is sending to last wrote, as their
// session knows it (zero when unknown). A channel that may only send
// free-form messages within a window after the user's last message
// (WhatsApp's 24 hours) uses it together with what it saw itself: any
// replica, not only the one that received the message, knows the window.
func LastInbound(ctx context.Context) time.Time {
	t, _ := ctx.Value(lastInboundKey{}).(time.Time)
	return t
}

func withLastInbound(ctx context.Context, unix int64) context.Context {
	if unix <= 0 {
		return ctx
	}
	return context.WithValue(ctx, lastInboundKey{}, time.Unix(unix, 0))
}
