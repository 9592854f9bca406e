package chatutil

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// SharedLimiter paces an event across every replica: Wait returns once one
// more event of key is allowed at perSecond, with bursts of burst, or with
// an error (the shared store failed, or ctx ended). Platforms limit a bot
// as a whole (Telegram ~30 messages/s, WhatsApp a rate per phone number),
// not each of its processes. The Redis store implements it.
type SharedLimiter interface {
	Wait(ctx context.Context, key string, perSecond float64, burst int) error
	// Allow takes one event of key if one is allowed now, without waiting.
	Allow(ctx context.Context, key string, perSecond float64, burst int) (bool, error)
}

// Pace is a channel's overall pace: the shared limiter when there is one,
// this process's own token bucket when there is none or it fails (so that
// a store outage slows nothing down beyond the platform's own limit).
type Pace struct {
	key    string
	rate   float64
	burst  int
	shared SharedLimiter
	local  *rate.Limiter
	// bulk is the share of the pace that notices may take (BulkShare).
	bulk *Pace
	// gate lets one waiter of this process at a time ask the shared
	// limiter; the others queue here, in order. Without it, a backlog of
	// a thousand conversations is a thousand waiters asking Redis each
	// time a place frees up, one of them getting it: at 1,000 updates/s
	// that polling took most of the CPU and the webhooks' p99 with it.
	gate chan struct{}
}

// BulkShare is the part of a channel's pace that messages the bot sends on
// its own (reminders, a freed place, an office's cancellation: bot.Reply's
// Notice) may take. A notice waits for its share and then for the pace;
// an answer only for the pace: however long the backlog of notices, a
// third of the pace stays for people who are waiting for an answer.
const BulkShare = 2.0 / 3

// NewPace paces key at perSecond with bursts of burst.
func NewPace(key string, perSecond float64, burst int, shared SharedLimiter) *Pace {
	p := newPace(key, perSecond, burst, shared)
	b := perSecond * BulkShare
	p.bulk = newPace(key+":bulk", b, max(1, int(b/10)), shared)
	return p
}

func newPace(key string, perSecond float64, burst int, shared SharedLimiter) *Pace {
	burst = max(burst, 1)
	return &Pace{key: key, rate: perSecond, burst: burst, shared: shared, local: rate.NewLimiter(rate.Limit(perSecond), burst), gate: make(chan struct{}, 1)}
}

// Try takes one event if one is allowed now, without waiting (the shared
// limiter's answer, or this process's own when that fails).
func (p *Pace) Try(ctx context.Context) bool {
	if p.shared != nil {
		ok, err := p.shared.Allow(ctx, p.key, p.rate, p.burst)
		if err == nil {
			return ok
		}
	}
	return p.local.Allow()
}

// WaitNotice blocks until one more notice is allowed: its share of the
// pace, then the pace itself.
func (p *Pace) WaitNotice(ctx context.Context) error {
	if p.bulk != nil {
		if err := p.bulk.Wait(ctx); err != nil {
			return err
		}
	}
	return p.Wait(ctx)
}

// Wait blocks until one more event is allowed or ctx ends.
func (p *Pace) Wait(ctx context.Context) error {
	if p.shared != nil {
		select {
		case p.gate <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := p.shared.Wait(ctx, p.key, p.rate, p.burst)
		<-p.gate
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return p.local.Wait(ctx)
}

// ForPacing returns ctx with its deadline moved earlier, for waiting on a
// pace: a quarter of the time left (at most RequestMargin) stays for the
// request the wait is for. Without it a wait could end just before the
// deadline and the request fail for lack of time — a failure the outbox
// would back off from, when only the pace was busy.
func ForPacing(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	margin := min(time.Until(deadline)/4, RequestMargin)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// RequestMargin is the most ForPacing keeps for the request itself.
const RequestMargin = 2 * time.Second
