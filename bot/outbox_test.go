package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/store/memory"
)

func (r *recorder) count(user string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.replies[user])
}

// outboxMetrics counts the outbox events.
type outboxMetrics struct {
	mu     sync.Mutex
	events map[string]int
}

func (m *outboxMetrics) Inbound(string, bool)             {}
func (m *outboxMetrics) Turn(string, time.Duration, bool) {}
func (m *outboxMetrics) Event(string, bot.Event)          {}
func (m *outboxMetrics) SendFailed(string)                {}
func (m *outboxMetrics) Outbox(channel, event string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events == nil {
		m.events = map[string]int{}
	}
	m.events[event]++
}

func (m *outboxMetrics) get(event string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events[event]
}

func session(t *testing.T, st bot.Store, conv string) *bot.Session {
	t.Helper()
	raw, err := st.Load(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bot.UnmarshalSession(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) flush(t *testing.T) int {
	t.Helper()
	n, err := f.svc.FlushOutboxes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailedSendIsRetriedFromTheOutbox: a platform that fails (after the
// adapter's own retries) does not lose the replies, nor make the webhook
// fail: they wait in the outbox and the sweeper delivers them after the
// backoff, once.
func TestFailedSendIsRetriedFromTheOutbox(t *testing.T) {
	st := memory.New()
	m := &outboxMetrics{}
	f := newFixture(t, st, false, bot.WithMetrics(m))
	f.out.fail = errors.New("telegram: sendMessage: 502 Bad Gateway")
	if got := f.say(t, "u1", "hi"); len(got) != 0 {
		t.Fatalf("sent while the platform fails: %s", ids(got))
	}
	kept := session(t, st, "test:u1").Outbox
	if kept == nil || len(kept.Replies) == 0 || kept.Attempts != 1 || !strings.Contains(kept.Error, "502") {
		t.Fatalf("outbox after a failed send: %+v", kept)
	}
	want := ids(kept.Replies)
	if n := f.flush(t); n != 0 || len(f.out.take("u1")) != 0 {
		t.Fatalf("retried before the backoff: %d conversations", n)
	}
	f.out.fail = nil
	f.now = f.now.Add(bot.OutboxBackoff(1) + time.Second)
	if n := f.flush(t); n != 1 {
		t.Fatalf("the sweep found %d conversations due, want 1", n)
	}
	if got := ids(f.out.take("u1")); got != want {
		t.Fatalf("retried replies: %s, want %s", got, want)
	}
	if o := session(t, st, "test:u1").Outbox; o != nil {
		t.Fatalf("outbox not cleared after delivery: %+v", o)
	}
	f.now = f.now.Add(time.Hour)
	if n := f.flush(t); n != 0 || len(f.out.take("u1")) != 0 {
		t.Fatal("delivered twice")
	}
	if m.get("kept") != 1 || m.get("resent") != 1 {
		t.Errorf("metrics: %v", m.events)
	}
}

// TestRepliesDeferredByPacingGoOutInAMoment: a send that our own pace
// could not fit before the deadline (a busy minute, the pace shared by the
// replicas) is not a platform failure: the replies are due again within
// seconds, not after the 30 s backoff, and the attempt does not count
// towards giving up.
func TestRepliesDeferredByPacingGoOutInAMoment(t *testing.T) {
	st := memory.New()
	m := &outboxMetrics{}
	f := newFixture(t, st, false, bot.WithMetrics(m))
	f.out.fail = fmt.Errorf("telegram: %w: rate: Wait(n=1) would exceed context deadline", bot.ErrDeferred)
	for range bot.MaxOutboxAttempts + 1 {
		f.say(t, "u1", "hi")
	}
	kept := session(t, st, "test:u1").Outbox
	if kept == nil || len(kept.Replies) == 0 || kept.Attempts != 0 || session(t, st, "test:u1").Failed != nil {
		t.Fatalf("outbox after deferred sends: %+v", kept)
	}
	want := ids(kept.Replies)
	f.out.fail = nil
	f.now = f.now.Add(2 * time.Second)
	if n := f.flush(t); n != 1 {
		t.Fatalf("the sweep found %d conversations due 2 s after a deferral, want 1", n)
	}
	if got := ids(f.out.take("u1")); got != want {
		t.Fatalf("deferred replies: %s, want %s", got, want)
	}
	if m.get("deferred") != bot.MaxOutboxAttempts+1 || m.get("kept") != 0 || m.get("failed") != 0 {
		t.Errorf("metrics: %v", m.events)
	}
}

// TestPendingRepliesGoFirst: the user writes again while replies are
// waiting: the old replies are sent before the new ones.
func TestPendingRepliesGoFirst(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.out.fail = errors.New("whatsapp: 131000 something went wrong")
	f.say(t, "u1", "hi")
	old := ids(session(t, st, "test:u1").Outbox.Replies)
	f.out.fail = nil
	got := ids(f.say(t, "u1", "1")) // typed: the privacy notice never reached the user, so no button was seen
	if !strings.HasPrefix(got, old+" ") || len(got) <= len(old)+1 {
		t.Fatalf("replies after a failed turn: %q, want %q first, then the new ones", got, old)
	}
}

// partial delivers the first reply of a batch and fails on the second,
// once.
type partial struct {
	*recorder
	armed atomic.Bool
}

func (p *partial) Send(ctx context.Context, user string, replies []bot.Reply) error {
	if len(replies) > 1 && p.armed.CompareAndSwap(true, false) {
		_ = p.recorder.Send(ctx, user, replies[:1])
		return bot.PartialSend(1, errors.New("telegram: sendMessage: 500"))
	}
	return p.recorder.Send(ctx, user, replies)
}

// TestPartialSendResumesAfterTheLastDelivered: a batch that broke after
// its first reply is resumed from the second: every reply once, in order.
func TestPartialSendResumesAfterTheLastDelivered(t *testing.T) {
	st := memory.New()
	rec := newRecorder()
	p := &partial{recorder: rec}
	f := newFixture(t, st, false, bot.WithSender("test", p))
	rec.fail = errors.New("down")
	f.say(t, "u1", "hi")
	f.say(t, "u1", "1") // typed, as the notice was never delivered: two turns of replies wait in the outbox
	all := session(t, st, "test:u1").Outbox.Replies
	if len(all) < 2 {
		t.Fatalf("%d replies waiting", len(all))
	}
	rec.fail = nil
	p.armed.Store(true)
	f.now = f.now.Add(time.Hour)
	f.flush(t)
	if got := rec.take("u1"); ids(got) != ids(all[:1]) {
		t.Fatalf("first attempt delivered %s", ids(got))
	}
	if o := session(t, st, "test:u1").Outbox; o == nil || ids(o.Replies) != ids(all[1:]) {
		t.Fatalf("left in the outbox: %+v", o)
	}
	f.now = f.now.Add(time.Hour)
	f.flush(t)
	if got := ids(rec.take("u1")); got != ids(all[1:]) {
		t.Fatalf("second attempt delivered %s, want %s", got, ids(all[1:]))
	}
}

// TestGivenUpRepliesAreListedAndRetried: after MaxOutboxAttempts the
// replies move to the failed list, which names the failure without the
// credentials a network error carries in its URL; a retry puts them back,
// and the next sweep delivers them.
func TestGivenUpRepliesAreListedAndRetried(t *testing.T) {
	st := memory.New()
	m := &outboxMetrics{}
	f := newFixture(t, st, false, bot.WithMetrics(m))
	f.out.fail = &url.Error{Op: "Post", URL: "https://api.telegram.org/bot123:SECRET/sendMessage", Err: errors.New("connection refused")}
	f.say(t, "u1", "hi")
	want := ids(session(t, st, "test:u1").Outbox.Replies)
	for range bot.MaxOutboxAttempts - 1 {
		f.now = f.now.Add(3 * time.Hour)
		f.flush(t)
	}
	sess := session(t, st, "test:u1")
	if sess.Outbox != nil || sess.Failed == nil || sess.Failed.Attempts != bot.MaxOutboxAttempts {
		t.Fatalf("after %d attempts: outbox %+v, failed %+v", bot.MaxOutboxAttempts, sess.Outbox, sess.Failed)
	}
	if m.get("failed") != 1 || m.get("kept") != bot.MaxOutboxAttempts-1 {
		t.Errorf("metrics: %v", m.events)
	}
	reports, err := f.svc.FailedReplies(context.Background(), 10)
	if err != nil || len(reports) != 1 {
		t.Fatalf("failed list: %+v, %v", reports, err)
	}
	r := reports[0]
	if r.Conv != "test:u1" || r.Attempts != bot.MaxOutboxAttempts || strings.Join(r.MessageIDs, " ") != want ||
		r.Error != "network: Post failed" || !r.Failed.Equal(f.now.Truncate(time.Second)) {
		t.Fatalf("report: %+v", r)
	}
	// Nothing more is tried by itself, and a new message does not bring
	// the old replies back.
	f.out.fail = nil
	f.now = f.now.Add(24 * time.Hour)
	if n := f.flush(t); n != 0 {
		t.Fatalf("a given-up conversation was swept: %d", n)
	}
	if ok, err := f.svc.RetryFailed(context.Background(), "test:u1"); !ok || err != nil {
		t.Fatalf("RetryFailed: %v %v", ok, err)
	}
	if reports, _ := f.svc.FailedReplies(context.Background(), 10); len(reports) != 0 {
		t.Fatalf("still listed after a retry: %+v", reports)
	}
	if len(f.out.take("u1")) != 0 {
		t.Fatal("RetryFailed sent by itself (the command has no channels: the sweeper sends)")
	}
	f.flush(t)
	if got := ids(f.out.take("u1")); got != want {
		t.Fatalf("retried: %s, want %s", got, want)
	}
	if ok, _ := f.svc.RetryFailed(context.Background(), "test:u1"); ok {
		t.Error("a second retry found something")
	}
}

// dying is a store whose process "dies" right after the first write of a
// turn (the session with its outbox): nothing more reaches the store, and
// the lock is never released (it expires).
type dying struct {
	app.Store
	armed, dead atomic.Bool
}

var errDead = errors.New("process killed")

func (d *dying) SaveOutbox(ctx context.Context, conv string, v []byte, ttl time.Duration, m bot.OutboxMark) error {
	if d.dead.Load() {
		return errDead
	}
	err := d.Store.SaveOutbox(ctx, conv, v, ttl, m)
	if d.armed.Load() {
		d.dead.Store(true)
	}
	return err
}

func (d *dying) Lock(ctx context.Context, conv string, ttl time.Duration) (func(), error) {
	unlock, err := d.Store.Lock(ctx, conv, ttl)
	if err != nil {
		return nil, err
	}
	return func() {
		if !d.dead.Load() {
			unlock()
		}
	}, nil
}

// deadSender is the dead process's channel: nothing leaves it.
type deadSender struct{}

func (deadSender) Send(context.Context, string, []bot.Reply) error { return errDead }

// TestAReplicaDiesBetweenSaveAndSend: the turn's state and replies were
// saved, then the process died before sending. Another replica sends them,
// once: when the platform redelivers the message (the webhook was never
// answered), or with its outbox sweep (a turn no platform redelivers, like
// an operator's message).
func TestAReplicaDiesBetweenSaveAndSend(t *testing.T) {
	for _, how := range []string{"redelivery", "sweep"} {
		t.Run(how, func(t *testing.T) {
			shared := memory.New()
			st := &dying{Store: shared}
			cfg := bot.ServiceConfig{PseudonymKey: []byte("k"), LockTTL: 100 * time.Millisecond}
			dead := newFixtureConfig(t, st, false, cfg, bot.WithSender("test", deadSender{}))
			alive := newFixtureConfig(t, shared, false, cfg)
			alive.say(t, "u1", "hi")
			st.armed.Store(true)
			in := bot.Inbound{Channel: "test", UserID: "u1", ID: "update-7", Text: "1", LangHint: "en"}
			_ = dead.svc.Handle(context.Background(), in) // dies after the save
			saved := session(t, shared, "test:u1")
			if saved.Outbox == nil || len(saved.Outbox.Replies) == 0 {
				t.Fatalf("the dead replica's turn left no outbox: %+v", saved)
			}
			want := ids(saved.Outbox.Replies)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			switch how {
			case "redelivery":
				// The platform retries after the dead replica's lock, and its
				// mark as the outbox's sender, have lapsed (the redelivery
				// waits for the lock; the fixture's clock does not move).
				alive.now = alive.now.Add(cfg.LockTTL)
				if err := alive.svc.Handle(ctx, in); err != nil { // waits for the dead lock to expire
					t.Fatal(err)
				}
			case "sweep":
				alive.now = alive.now.Add(time.Minute)
				for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					alive.flush(t) // until the dead lock expires
					if alive.out.count("u1") > 0 {
						break
					}
				}
			}
			if got := ids(alive.out.take("u1")); got != want {
				t.Fatalf("the survivor sent %q, want the saved replies %q", got, want)
			}
			if err := alive.svc.Handle(ctx, in); err != nil {
				t.Fatal(err)
			}
			alive.now = alive.now.Add(time.Hour)
			alive.flush(t)
			if got := alive.out.take("u1"); len(got) != 0 {
				t.Fatalf("sent again: %s", ids(got))
			}
			if s := session(t, shared, "test:u1"); s.Outbox != nil || len(s.Seen) != 2 {
				t.Fatalf("final session: outbox %+v, %d messages", s.Outbox, len(s.Seen))
			}
		})
	}
}

// TestBlockedUserEmptiesTheOutbox: a user who blocked the bot gets nothing
// more, retries included.
func TestBlockedUserEmptiesTheOutbox(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.out.fail = errors.New("telegram: 502")
	f.say(t, "u1", "hi")
	f.out.fail = bot.PartialSend(0, bot.ErrBlocked)
	f.now = f.now.Add(time.Hour)
	f.flush(t)
	if s := session(t, st, "test:u1"); s.Outbox != nil || !s.Blocked {
		t.Fatalf("after a 403: outbox %+v, blocked %v", s.Outbox, s.Blocked)
	}
	if n := f.flush(t); n != 0 {
		t.Fatalf("swept after the block: %d", n)
	}
}

// gate is a Sender that holds every send until it is opened (a platform's
// pacing, a slow API).
type gate struct {
	*recorder
	open chan struct{}
}

func (g *gate) Send(ctx context.Context, user string, replies []bot.Reply) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.recorder.Send(ctx, user, replies)
}

// TestAnswerBeforeSlowSends: once a turn's replies are saved, Handle (the
// webhook) returns after AnswerWithin even though the platform still holds
// them, and the conversation is free: the user's next message is handled
// at once, its replies queued behind the first turn's. When the platform
// takes them, every reply goes out once, in order, by the one sender.
func TestAnswerBeforeSlowSends(t *testing.T) {
	st := memory.New()
	g := &gate{recorder: newRecorder(), open: make(chan struct{})}
	f := newFixtureConfig(t, st, false, bot.ServiceConfig{PseudonymKey: []byte("k"), AnswerWithin: 20 * time.Millisecond}, bot.WithSender("test", g))
	ctx := context.Background()
	if err := f.svc.Handle(ctx, bot.Inbound{Channel: "test", UserID: "u1", ID: "a", Text: "hi", LangHint: "en"}); err != nil {
		t.Fatal(err)
	}
	// Handle returned while the send is held: the webhook was answered.
	if g.count("u1") != 0 {
		t.Fatal("sent through a closed gate")
	}
	// The next message does not wait for the first turn's sends.
	start := time.Now()
	if err := f.svc.Handle(ctx, bot.Inbound{Channel: "test", UserID: "u1", ID: "b", Text: "1", LangHint: "en"}); err != nil {
		t.Fatal(err)
	}
	if s := session(t, st, "test:u1"); len(s.Seen) != 2 || s.Outbox == nil || len(s.Outbox.Replies) < 2 || s.Sending == nil {
		t.Fatalf("the next message waited, or its replies are not queued: %d handled, outbox %+v, sender %+v", len(s.Seen), s.Outbox, s.Sending)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("the next message took %v while the first turn's replies were held", took)
	}
	// A graceful shutdown waits for the replies still going out.
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := f.svc.Wait(short); err == nil {
		t.Fatal("Wait returned while a delivery was held")
	}
	close(g.open)
	if err := f.svc.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if s := session(t, st, "test:u1"); s.Outbox != nil || s.Sending != nil || len(s.Seen) != 2 {
		t.Fatalf("after the sends: outbox %+v, sender %+v, %d handled", s.Outbox, s.Sending, len(s.Seen))
	}
	got := ids(g.take("u1"))
	if !strings.HasPrefix(got, "privacy.notice ") || !strings.Contains(got, "menu.ask") || strings.Count(got, "privacy.notice") != 1 ||
		strings.Index(got, "privacy.notice") > strings.Index(got, "menu.ask") {
		t.Fatalf("replies: %s", got)
	}
}

// slowPlatform takes each reply after a pause, and records them in order;
// concurrent sends to one user (two senders at once) are counted.
type slowPlatform struct {
	*recorder
	pause   time.Duration
	busy    atomic.Int32
	overlap atomic.Int32
}

func (p *slowPlatform) Send(ctx context.Context, user string, replies []bot.Reply) error {
	if p.busy.Add(1) > 1 {
		p.overlap.Add(1)
	}
	defer p.busy.Add(-1)
	for i, r := range replies {
		select {
		case <-time.After(p.pause):
		case <-ctx.Done():
			return bot.PartialSend(i, ctx.Err())
		}
		if err := p.recorder.Send(ctx, user, []bot.Reply{r}); err != nil {
			return bot.PartialSend(i, err)
		}
	}
	return nil
}

// TestRepliesOfQuickMessagesGoOutInOrderOnce: a user writes six messages
// while the platform takes a reply every 50 ms. Each message is handled at
// once (the webhook is not held by the sends of the turns before); the
// replies of all six go out by one sender at a time, in the order of the
// turns, each once — the same sequence a patient user would get.
func TestRepliesOfQuickMessagesGoOutInOrderOnce(t *testing.T) {
	script := []string{"hi", "1", "7", "8", "1", "menu"}
	want := newFixture(t, memory.New(), false)
	var expected []string
	for _, text := range script {
		expected = append(expected, ids(want.say(t, "u1", text)))
	}
	st := memory.New()
	p := &slowPlatform{recorder: newRecorder(), pause: 50 * time.Millisecond}
	f := newFixtureConfig(t, st, false, bot.ServiceConfig{PseudonymKey: []byte("k"), AnswerWithin: time.Millisecond}, bot.WithSender("test", p))
	ctx := context.Background()
	start := time.Now()
	for i, text := range script {
		if err := f.svc.Handle(ctx, bot.Inbound{Channel: "test", UserID: "u1", ID: fmt.Sprintf("m%d", i), Text: text, LangHint: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	handled := time.Since(start)
	// Handled while the platform was still taking the first replies (a
	// turn that waited for the sends before it would find most delivered).
	if n := p.count("u1"); n > 3 {
		t.Errorf("%d replies were already delivered when the six messages had been handled: the turns waited for the sends", n)
	}
	if err := f.svc.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	got := ids(p.take("u1"))
	if got != strings.Join(expected, " ") {
		t.Fatalf("replies:\n got %s\nwant %s", got, strings.Join(expected, " "))
	}
	if n := p.overlap.Load(); n != 0 {
		t.Errorf("%d sends to the user overlapped: two senders at once", n)
	}
	if s := session(t, st, "test:u1"); s.Outbox != nil || s.Sending != nil || len(s.Seen) != len(script) {
		t.Errorf("after the sends: outbox %+v, sender %+v, %d handled", s.Outbox, s.Sending, len(s.Seen))
	}
	t.Logf("six messages handled in %v while their %d replies took %v to go out", handled, strings.Count(got, " ")+1, time.Since(start))
}

// TestOneSweepAfterAnOutage: the platform was down while 300 users wrote;
// when it is back, one sweep delivers every kept reply (several batches,
// a few conversations at a time), each once.
func TestOneSweepAfterAnOutage(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.out.fail = errors.New("telegram: 502")
	const users = 300
	for u := range users {
		f.say(t, fmt.Sprint("u", u), "hi")
	}
	f.out.fail = nil
	f.now = f.now.Add(time.Hour)
	if n := f.flush(t); n != users {
		t.Fatalf("the sweep looked at %d conversations, want %d", n, users)
	}
	for u := range users {
		if got := f.out.take(fmt.Sprint("u", u)); len(got) != 1 {
			t.Fatalf("u%d got %d replies", u, len(got))
		}
	}
	if n := f.flush(t); n != 0 {
		t.Fatalf("a second sweep found %d", n)
	}
}

// TestFailedRepliesAreKeptNoLongerThanTheRetention: given-up replies name a
// conversation; after the retention period they leave the failed list and
// the session, like everything else about the user.
func TestFailedRepliesAreKeptNoLongerThanTheRetention(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.out.fail = errors.New("telegram: 502")
	f.say(t, "u1", "hi")
	for range bot.MaxOutboxAttempts - 1 {
		f.now = f.now.Add(3 * time.Hour)
		f.flush(t)
	}
	if r, _ := f.svc.FailedReplies(context.Background(), 10); len(r) != 1 {
		t.Fatalf("failed list: %+v", r)
	}
	f.out.fail = nil
	f.now = f.now.Add(31 * 24 * time.Hour) // (the memory store expires sessions on its own clock: this one is still there)
	f.flush(t)
	if r, _ := f.svc.FailedReplies(context.Background(), 10); len(r) != 0 {
		t.Fatalf("failed list after the retention period: %+v", r)
	}
	f.say(t, "u1", "menu")
	if s := session(t, st, "test:u1"); s.Failed != nil {
		t.Fatalf("the session still holds replies that failed 31 days ago: %+v", s.Failed)
	}
}

// TestOnceOnlyNotice: a notice with an id reaches the user once; a repeat
// says so; a user who blocked the bot gets nothing, and nothing later
// either; an unknown conversation is ErrNotFound.
func TestOnceOnlyNotice(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.say(t, "u1", "hi")
	f.choose(t, "u1", "privacy.accept")
	ctx := context.Background()
	n := bot.Notice{MessageID: "menu.ask", ID: "remind:K7M-Q4P"}
	if err := f.svc.Notify(ctx, "test:u1", n); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Notify(ctx, "test:u1", n); !errors.Is(err, bot.ErrNoticeSent) {
		t.Fatalf("a repeat: %v", err)
	}
	if got := f.out.take("u1"); len(got) != 1 || !got[0].Notice {
		t.Fatalf("%d notices sent, want 1 marked as a notice (paced behind answers): %+v", len(got), got)
	}
	if got := f.say(t, "u1", "menu"); len(got) == 0 || got[0].Notice {
		t.Fatalf("an answer marked as a notice: %+v", got)
	}
	if err := f.svc.Notify(ctx, "test:nobody", n); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("an unknown conversation: %v", err)
	}
	if err := f.svc.Handle(ctx, bot.Inbound{Channel: "test", UserID: "u1", ID: "blk", Status: bot.StatusBlocked}); err != nil {
		t.Fatal(err)
	}
	other := bot.Notice{MessageID: "menu.ask", ID: "remind-soon:K7M-Q4P"}
	if err := f.svc.Notify(ctx, "test:u1", other); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Notify(ctx, "test:u1", other); !errors.Is(err, bot.ErrNoticeSent) {
		t.Fatalf("a notice skipped for a blocked user is recorded: %v", err)
	}
	if got := f.out.take("u1"); len(got) != 0 {
		t.Fatalf("sent to a user who blocked the bot: %s", ids(got))
	}
}
