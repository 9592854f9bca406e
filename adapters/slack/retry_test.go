package slack_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	deskpkg "teamsbot/adapters/slack"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/store/memory"
)

// flakySessions fails the next session write of a turn, or the next
// once-only mark (a store outage).
type flakySessions struct {
	app.Store
	fail, failSeen atomic.Bool
}

func (f *flakySessions) FirstSeen(ctx context.Context, conv, id string, ttl time.Duration) (bool, error) {
	if f.failSeen.CompareAndSwap(true, false) {
		return false, errors.New("redis: i/o timeout")
	}
	return f.Store.FirstSeen(ctx, conv, id, ttl)
}

func (f *flakySessions) SaveOutbox(ctx context.Context, conv string, v []byte, ttl time.Duration, m bot.OutboxMark) error {
	if f.fail.CompareAndSwap(true, false) {
		return bot.ErrUnavailable
	}
	return f.Store.SaveOutbox(ctx, conv, v, ttl, m)
}

// TestOperatorMessageRetriedBySlackIsRelayedOnce: the store fails while an
// operator's message is being relayed, so the event is not acknowledged
// (503) and Slack delivers it again: the user gets it then, once, however
// many times Slack retries. (Acknowledged first and worked after, as
// before, the message was lost.)
func TestOperatorMessageRetriedBySlackIsRelayedOnce(t *testing.T) {
	st := &flakySessions{Store: memory.New()}
	r := newRigOn(t, st)
	_, thread := r.takenCase(t)
	ev := map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "Arrivo subito", "ts": "1780042100.000200", "thread_ts": thread}
	st.fail.Store(true)
	if code := r.event(t, "Ev50", ev); code != 503 {
		t.Fatalf("an event whose relay failed answered %d, want 503 (so Slack retries)", code)
	}
	if got := r.user.take(); len(got) != 0 {
		t.Fatalf("relayed although the turn failed: %+v", got)
	}
	for i, retry := range []string{"1", "2"} {
		if code := r.event(t, "Ev50", ev, "X-Slack-Retry-Num", retry, "X-Slack-Retry-Reason", "http_error"); code != 200 {
			t.Fatalf("retry %d answered %d", i+1, code)
		}
	}
	got := r.user.take()
	if len(got) != 1 || got[0].FromOperator != "Giulia" || !strings.Contains(got[0].Text, "Arrivo subito") {
		t.Fatalf("after Slack's retries the user got %+v, want the message once", got)
	}
}

// TestButtonPressedWhileTheStoreFailsChangesNothing: Give back pressed
// while the store cannot save the user's session: Slack gets an error (the
// operator sees it on the button), the case stays taken and the user stays
// with the operator; pressed again, it is done once.
func TestButtonPressedWhileTheStoreFailsChangesNothing(t *testing.T) {
	st := &flakySessions{Store: memory.New()}
	r := newRigOn(t, st)
	token, _ := r.takenCase(t)
	st.fail.Store(true)
	if code := r.press(t, "UGIULIA", "giveback", token); code == 200 {
		t.Fatal("a give back that could not be saved answered 200")
	}
	if got := r.user.take(); len(got) != 0 {
		t.Fatalf("the user was told something although nothing changed: %+v", got)
	}
	for _, p := range r.fake.take("chat.postMessage") {
		if strings.Contains(p.Form.Get("text"), "restituita") {
			t.Fatalf("the thread says the case was given back: %q", p.Form.Get("text"))
		}
	}
	// The user still talks to the operator.
	r.say(t, "ancora qui")
	if ps := r.fake.take("chat.postMessage"); len(ps) != 1 || !strings.Contains(ps[0].Form.Get("text"), "ancora qui") {
		t.Fatalf("the user's message did not reach the thread: %+v", ps)
	}
	if code := r.press(t, "UGIULIA", "giveback", token); code != 200 {
		t.Fatalf("give back pressed again: %d", code)
	}
	eventually(t, "the thread note", func() bool {
		for _, p := range r.fake.take("chat.postMessage") {
			if strings.Contains(p.Form.Get("text"), "restituita al bot da Giulia") {
				return true
			}
		}
		return false
	})
	if got := r.user.take(); len(got) != 1 {
		t.Fatalf("given back: the user got %d replies, want 1", len(got))
	}
}

// takenCase hands the user off (school flow, then "talk to a person"),
// writes once so the case has a thread, and has Giulia take it; it returns
// the case's button handle and its thread.
func (r *rig) takenCase(t *testing.T) (token, thread string) {
	t.Helper()
	for _, text := range []string{"مرحبا", "1", "7", "8", "5"} {
		r.say(t, text)
	}
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("handoff posts: %d", len(posts))
	}
	token = caseToken(posts[0].Form.Get("blocks"))
	r.say(t, "سؤال")
	thread = r.fake.take("chat.postMessage")[0].Form.Get("thread_ts")
	if code := r.press(t, "UGIULIA", "take", token); code != 200 {
		t.Fatalf("take: %d", code)
	}
	eventually(t, "the joined message", func() bool { return len(r.user.take()) == 1 })
	r.fake.take("chat.postMessage")
	r.fake.take("chat.update")
	return token, thread
}

// TestTimeoutOnceAcrossReplicas: every replica watches the waiting cases;
// three of them expiring the same case at once tell the user once and note
// it in the thread once.
func TestTimeoutOnceAcrossReplicas(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	r.fake.take("chat.postMessage")
	desks := []*deskpkg.Desk{r.desk}
	for range 2 {
		d, err := deskpkg.New(deskpkg.Config{BotToken: "xoxb-test", SigningSecret: signing, Channel: "COPS", APIURL: r.fake.srv.URL, Texts: r.texts}, r.st, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		desks = append(desks, d)
	}
	var wg sync.WaitGroup
	for _, d := range desks {
		wg.Go(func() { d.ExpireWaiting(context.Background(), time.Nanosecond, r.svc) })
	}
	wg.Wait()
	if got := r.user.take(); len(got) != 1 {
		t.Errorf("the user was told %d times", len(got))
	}
	notes := 0
	for _, p := range r.fake.take("chat.postMessage") {
		if strings.Contains(p.Form.Get("text"), "richiamata") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d timeout notes in the thread, want 1", notes)
	}
}

// TestHandoffToThePUAsOwnChannel: a desk that routes handoffs posts the case
// in the channel the route names; the thread works there both ways.
func TestHandoffToThePUAsOwnChannel(t *testing.T) {
	var routed []string
	r := newRigOn(t, memory.New(), func(c *deskpkg.Config) {
		c.Route = func(h bot.Handoff) string {
			routed = append(routed, h.Context["child_age"])
			return "CPRATO"
		}
	})
	token, thread := r.takenCase(t)
	if token == "" || len(routed) != 1 || routed[0] != "8" {
		t.Fatalf("the route saw %v (the answers the flow saved)", routed)
	}
	r.user.take()
	ev := map[string]any{"type": "message", "channel": "CPRATO", "user": "UGIULIA", "text": "Sono a Prato", "ts": "1780042300.000100", "thread_ts": thread}
	if code := r.event(t, "Ev70", ev); code != 200 {
		t.Fatalf("event: %d", code)
	}
	if got := r.user.take(); len(got) != 1 || !strings.Contains(got[0].Text, "Sono a Prato") {
		t.Fatalf("the operator's message from the PUA's channel: %+v", got)
	}
	r.say(t, "grazie")
	if ps := r.fake.take("chat.postMessage"); len(ps) != 1 || ps[0].Form.Get("channel") != "CPRATO" || ps[0].Form.Get("thread_ts") != thread {
		t.Fatalf("the user's message went to %+v", ps)
	}
}
