package bot_test

import (
	"context"
	"hash/fnv"
	"sync"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/memory"
)

func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// handledOrder returns the message ids of conv in the order they were
// handled (the session records them in that order).
func handledOrder(t *testing.T, st bot.Store, conv string, ids ...string) []string {
	t.Helper()
	var out []string
	for _, s := range session(t, st, conv).Seen {
		for _, id := range ids {
			if s.Hash == idHash(id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// TestOrderWindow: two messages of one user reach the service almost
// together, the later-sent one first. Without an order window they are
// handled in arrival order; with one, in the platform's order (Seq).
func TestOrderWindow(t *testing.T) {
	for _, window := range []time.Duration{0, 300 * time.Millisecond} {
		st := memory.New()
		f := newFixtureConfig(t, st, false, bot.ServiceConfig{PseudonymKey: []byte("k"), OrderWindow: window})
		f.say(t, "u1", "hi")
		f.choose(t, "u1", "privacy.accept") // at the menu
		first := bot.Inbound{Channel: "test", UserID: "u1", ID: "m-first", Seq: 100, Option: f.option(t, "u1", "menu.school"), LangHint: "en"}
		second := bot.Inbound{Channel: "test", UserID: "u1", ID: "m-second", Seq: 101, Text: "8", LangHint: "en"} // the child's age
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := f.svc.Handle(context.Background(), second); err != nil {
				t.Error(err)
			}
		})
		if window == 0 {
			// Without a window the one that arrives first is handled
			// first: wait until it has been.
			for deadline := time.Now().Add(3 * time.Second); len(session(t, st, "test:u1").Seen) < 3 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			}
		} else {
			time.Sleep(30 * time.Millisecond) // the second arrives 30 ms earlier
		}
		if err := f.svc.Handle(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		got := handledOrder(t, st, "test:u1", "m-first", "m-second")
		want := []string{"m-first", "m-second"}
		if window == 0 {
			want = []string{"m-second", "m-first"} // arrival order: what the window fixes
		}
		if len(got) != 2 || got[0] != want[0] {
			t.Errorf("window %v: handled %v, want %v", window, got, want)
		}
		if low, found, _ := st.Lowest(context.Background(), "test:u1"); found {
			t.Errorf("window %v: seq %d still registered after both were handled", window, low)
		}
	}
}
