package handoff_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/handoff"
	"teamsbot/internal/redistest"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

// TestMain gives the tests on Redis a server: REDIS_URL, or a private one.
func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// stores are the stores the cases are checked on: in memory, and Redis
// shared by two replicas (each with its own Cases).
func stores(t *testing.T) map[string][2]handoff.KV {
	m := memory.New()
	out := map[string][2]handoff.KV{"memory": {m, m}}
	if url := os.Getenv("REDIS_URL"); url != "" {
		prefix := fmt.Sprintf("teamsbot-handoff-%d", time.Now().UnixNano())
		a, err := redisstore.Open(url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		b, err := redisstore.Open(url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		out["redis"] = [2]handoff.KV{a, b}
	}
	return out
}

func handoffOf(conv string, since time.Time) bot.Handoff {
	return bot.Handoff{Conversation: conv, Channel: "telegram", Lang: "ar", Reason: "operator", Flow: "menu", Since: since,
		Context: map[string]string{"municipality": "Prato", "_code": "100005", "school_choices": "x"}}
}

func open(t *testing.T, cs *handoff.Cases, conv string, since time.Time) *handoff.Case {
	t.Helper()
	c, fresh, err := cs.Open(context.Background(), handoffOf(conv, since), "COPS", func(c *handoff.Case) (string, error) {
		return fmt.Sprintf("1780000000.%06d", threads.Add(1)), nil
	})
	if err != nil || !fresh {
		t.Fatalf("Open(%s) = %v, fresh %v", conv, err, fresh)
	}
	return c
}

// threads numbers the case messages the tests' desk posts.
var threads atomic.Int64

func joins(*handoff.Case) error { return nil }

// People wait in the order they asked; each sees their place, which moves
// up as cases are taken or closed; the desk's counts follow.
func TestQueuePositions(t *testing.T) {
	for name, kv := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a, b := handoff.New(kv[0], 0), handoff.New(kv[1], 0)
			// Within one second: the order is to the nanosecond the user
			// asked, not the token's random letters.
			t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
			c1 := open(t, a, "telegram:1", t0.Add(3*time.Millisecond))
			c2 := open(t, b, "telegram:2", t0.Add(5*time.Millisecond))
			c3 := open(t, a, "whatsapp:3", t0.Add(7*time.Millisecond))
			for i, c := range []*handoff.Case{c1, c2, c3} {
				if p := b.Position(ctx, c.Token); p != i+1 {
					t.Errorf("case %d: position %d, want %d", i+1, p, i+1)
				}
			}
			// Asking again while waiting keeps the case and its place.
			again, fresh, err := b.Open(ctx, handoffOf("telegram:2", time.Now()), "COPS", func(*handoff.Case) (string, error) {
				t.Error("a second case message was posted for a conversation already waiting")
				return "", nil
			})
			if err != nil || fresh || again.Token != c2.Token {
				t.Errorf("asking again: %v, fresh %v, same case %v", err, fresh, again != nil && again.Token == c2.Token)
			}
			if _, took, err := a.Take(ctx, c1.Token, "Giulia", joins); err != nil || !took {
				t.Fatalf("Take: %v, %v", err, took)
			}
			if _, _, err := b.End(ctx, c3.Token, "user_left", "", nil); err != nil {
				t.Fatal(err)
			}
			if p := a.Position(ctx, c2.Token); p != 1 {
				t.Errorf("after the first was taken and the third left: position %d, want 1", p)
			}
			if p := a.Position(ctx, c1.Token); p != 0 {
				t.Errorf("a taken case has position %d, want 0", p)
			}
			waiting, taken, err := b.Counts(ctx)
			if err != nil || waiting != 1 || taken != 1 {
				t.Errorf("Counts = %d waiting, %d taken, %v; want 1, 1", waiting, taken, err)
			}
			w, tk, err := a.List(ctx)
			if err != nil || len(w) != 1 || w[0].Token != c2.Token || len(tk) != 1 || tk[0].Operator != "Giulia" {
				t.Errorf("List = %v / %v, %v", w, tk, err)
			}
			// The operator reads the answers, not the bot's bookkeeping.
			if got := w[0].Context; got["municipality"] != "Prato" || got["_code"] != "" || got["school_choices"] != "" {
				t.Errorf("case context = %v", got)
			}
		})
	}
}

// Eight operators on two replicas press Take at once: one has the case,
// the conversation is told once.
func TestFirstTakeWins(t *testing.T) {
	for name, kv := range stores(t) {
		t.Run(name, func(t *testing.T) {
			replicas := []*handoff.Cases{handoff.New(kv[0], 0), handoff.New(kv[1], 0)}
			c := open(t, replicas[0], "telegram:9", time.Now())
			var joined, took atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					_, ok, err := replicas[i%2].Take(context.Background(), c.Token, fmt.Sprint("op", i), func(*handoff.Case) error {
						joined.Add(1)
						return nil
					})
					if err != nil && !errors.Is(err, bot.ErrUnavailable) {
						t.Error(err)
					}
					if ok {
						took.Add(1)
					}
				})
			}
			wg.Wait()
			if joined.Load() != 1 || took.Load() != 1 {
				t.Errorf("%d took the case, the user was told %d times; want 1 and 1", took.Load(), joined.Load())
			}
			got, _ := replicas[1].Get(context.Background(), c.Token)
			if got.State != handoff.Taken || !got.Has(got.Operator) {
				t.Errorf("case after the presses: %+v", got)
			}
		})
	}
}

// A timeout and an operator's Take at the same moment: the case is either
// taken or timed out, never both, and the user is told once.
func TestTimeOutOrTakeNeverBoth(t *testing.T) {
	for name, kv := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for i := range 10 {
				a, b := handoff.New(kv[0], 0), handoff.New(kv[1], 0)
				c := open(t, a, fmt.Sprint("telegram:t", i), time.Now().Add(-time.Hour))
				var told atomic.Int32
				tell := func(*handoff.Case) error { told.Add(1); return nil }
				var wg sync.WaitGroup
				var timedOut, taken bool
				wg.Go(func() { _, timedOut, _ = a.TimeOut(ctx, c.Token, 30*time.Minute, tell) })
				wg.Go(func() { _, taken, _ = b.Take(ctx, c.Token, "Giulia", tell) })
				wg.Wait()
				if timedOut == taken || told.Load() != 1 {
					t.Fatalf("timed out %v, taken %v, user told %d times", timedOut, taken, told.Load())
				}
			}
		})
	}
}

// When the conversation cannot be reached (the store is down for it), a
// Take changes nothing: the case still waits for the next press.
func TestTakeWhileTheUserCannotBeReached(t *testing.T) {
	cs := handoff.New(memory.New(), 0)
	c := open(t, cs, "telegram:5", time.Now())
	_, took, err := cs.Take(context.Background(), c.Token, "Giulia", func(*handoff.Case) error { return bot.ErrUnavailable })
	if !errors.Is(err, bot.ErrUnavailable) || took {
		t.Fatalf("Take = %v, %v; want unavailable, not taken", took, err)
	}
	if p := cs.Position(context.Background(), c.Token); p != 1 {
		t.Errorf("the case no longer waits (position %d)", p)
	}
	// Any other failure (the user left meanwhile) is the desk's to note:
	// the case is taken all the same, to be closed.
	if _, took, err := cs.Take(context.Background(), c.Token, "Giulia", func(*handoff.Case) error { return bot.ErrNotInHandoff }); err != nil || !took {
		t.Errorf("Take with the user gone = %v, %v", took, err)
	}
}

// "Delete my data": every case the conversation had loses the key and the
// answers; the open one is closed and leaves the queue; the conversation's
// indexes go.
func TestForgetReachesEveryCase(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	cs := handoff.New(st, 0)
	old := open(t, cs, "whatsapp:393331234567", time.Now().Add(-48*time.Hour))
	if _, _, err := cs.End(ctx, old.Token, "close by Giulia", "Giulia", nil); err != nil {
		t.Fatal(err)
	}
	cur := open(t, cs, "whatsapp:393331234567", time.Now())
	var closed, shown []string
	err := cs.Forget(ctx, "whatsapp:393331234567",
		func(c *handoff.Case) { closed = append(closed, c.Token) },
		func(c *handoff.Case) { shown = append(shown, c.Token) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(closed, []string{cur.Token}) || len(shown) != 2 {
		t.Errorf("closed %v (want the open case), shown again %d (want both)", closed, len(shown))
	}
	for _, tok := range []string{old.Token, cur.Token} {
		c, err := cs.Get(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(c)
		if c.Conv != "" || c.Context != nil || c.State != handoff.Closed || strings.Contains(string(raw), "393331234567") {
			t.Errorf("after forget: %s", raw)
		}
	}
	if _, err := cs.Of(ctx, "whatsapp:393331234567"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the conversation still finds a case: %v", err)
	}
	if w, tk, _ := cs.Counts(ctx); w+tk != 0 {
		t.Errorf("%d cases still open", w+tk)
	}
}

// Cases opened by the previous version sit in one JSON list: they are
// moved to the queues on first use, in their order and state.
func TestCasesOfThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	now := time.Now()
	var list []string
	for i, state := range []handoff.State{handoff.Taken, handoff.Waiting, handoff.Waiting, handoff.Closed} {
		c := handoff.Case{Token: fmt.Sprint("tok", i), Conv: fmt.Sprint("telegram:", i), Thread: fmt.Sprint("17800.", i), Room: "COPS",
			State: state, Since: now.Add(time.Duration(i) * time.Minute).Unix(), Lang: "fr"}
		raw, _ := json.Marshal(c)
		if err := st.Save(ctx, "desk:token:"+c.Token, raw, time.Hour); err != nil {
			t.Fatal(err)
		}
		list = append(list, c.Token)
	}
	raw, _ := json.Marshal(list)
	if err := st.Save(ctx, "desk:open", raw, time.Hour); err != nil {
		t.Fatal(err)
	}
	cs := handoff.New(st, 0)
	if p := cs.Position(ctx, "tok2"); p != 2 {
		t.Errorf("position of the second waiting case: %d, want 2", p)
	}
	w, tk, err := cs.Counts(ctx)
	if err != nil || w != 2 || tk != 1 {
		t.Errorf("Counts = %d, %d, %v; want 2 waiting, 1 taken", w, tk, err)
	}
	if _, err := st.Load(ctx, "desk:open"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the old list is still kept: %v", err)
	}
}

// A replica that stopped between a case's two writes leaves it in the
// wrong queue: listing puts it right.
func TestListMendsTheQueues(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	cs := handoff.New(st, 0)
	c := open(t, cs, "telegram:7", time.Now())
	if _, _, err := cs.End(ctx, c.Token, "user_left", "", nil); err != nil {
		t.Fatal(err)
	}
	_ = st.QueuePut(ctx, "desk:waiting", c.Token, c.Since) // the stale entry
	_ = st.QueuePut(ctx, "desk:waiting", "gone", 1)        // a case that expired
	w, tk, err := cs.List(ctx)
	if err != nil || len(w)+len(tk) != 0 {
		t.Errorf("List = %d waiting, %d taken, %v; want none", len(w), len(tk), err)
	}
	if q, _ := st.QueueList(ctx, "desk:waiting"); len(q) != 0 {
		t.Errorf("the waiting queue still holds %v", q)
	}
}

// Overdue lists only what has waited too long; Record keeps only topics and
// outcomes the desk offers.
func TestOverdueAndRecord(t *testing.T) {
	ctx := context.Background()
	cs := handoff.New(memory.New(), 0)
	late := open(t, cs, "telegram:1", time.Now().Add(-40*time.Minute))
	open(t, cs, "telegram:2", time.Now())
	toks, err := cs.Overdue(ctx, 30*time.Minute)
	if err != nil || !slices.Equal(toks, []string{late.Token}) {
		t.Errorf("Overdue = %v, %v", toks, err)
	}
	for _, r := range []struct {
		field, value string
		ok           bool
	}{{"topic", "guides.permit_renewal", true}, {"topic", "other", true}, {"topic", "<script>", false}, {"outcome", "answered", true}, {"outcome", "maybe", false}, {"name", "x", false}} {
		_, changed, err := cs.Record(ctx, late.Token, r.field, r.value, []string{"guides.permit_renewal"})
		if err != nil || changed != r.ok {
			t.Errorf("Record(%s, %s) = %v, %v; want %v", r.field, r.value, changed, err, r.ok)
		}
	}
	c, _ := cs.Get(ctx, late.Token)
	if c.Topic != "other" || c.Outcome != "answered" {
		t.Errorf("recorded %q, %q", c.Topic, c.Outcome)
	}
}
