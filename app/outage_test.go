package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/internal/redistest"
	redisstore "teamsbot/store/redis"
)

// countingSender counts the replies each user received.
type countingSender struct {
	mu  sync.Mutex
	got map[string]int
}

func (c *countingSender) Send(_ context.Context, user string, replies []bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got[user] += len(replies)
	return nil
}

// TestRedisOutageLosesNothingAccepted: two replicas on a Redis that is
// killed (SIGKILL) in the middle of the traffic and started again on its
// append-only file. While it is down every message is refused with
// ErrUnavailable (the webhook answers 503) and nothing panics; when it is
// back the same replicas carry on by themselves; the platform's
// redeliveries of the refused messages are handled then; and every message
// accepted before the outage is still in its conversation.
func TestRedisOutageLosesNothingAccepted(t *testing.T) {
	redistest.Need(t)
	port := redistest.FreePort(t)
	dir := t.TempDir()
	// An append-only file, as production must run Redis.
	aof := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", "always"}
	kill := redistest.Start(t, port, "", aof...)
	url := fmt.Sprintf("redis://127.0.0.1:%d/0?dial_timeout=200ms&read_timeout=500ms&write_timeout=500ms", port)
	var stores []*redisstore.Store
	for range 2 {
		st, err := redisstore.Open(url, "outage")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores = append(stores, st)
	}
	out := &countingSender{got: map[string]int{}}
	svcs := replicaServicesConfig(t, stores, out, bot.ServiceConfig{PseudonymKey: []byte("k"), LockTTL: 2 * time.Second})
	const users = 40
	say := func(u, i int) error {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		in := bot.Inbound{Channel: "test", UserID: fmt.Sprint("o", u), ID: fmt.Sprintf("o%d-%d", u, i), Text: []string{"hi", "1", "7", "8"}[i], LangHint: "en"}
		return svcs[(u+i)%2].Handle(c, in)
	}
	// Before: two messages each, all accepted.
	for u := range users {
		for i := range 2 {
			if err := say(u, i); err != nil {
				t.Fatalf("before the outage: %v", err)
			}
		}
	}
	kill()
	// During: refused, so that the platform redelivers.
	var refused atomic.Int64
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			err := say(u, 2)
			if err == nil {
				t.Errorf("user %d: a message was accepted while Redis was down", u)
				return
			}
			if !errors.Is(err, bot.ErrUnavailable) {
				t.Errorf("refused with %v; want ErrUnavailable (503)", err)
				return
			}
			refused.Add(1)
		})
	}
	wg.Wait()
	redistest.Start(t, port, "", aof...)
	// After: the redeliveries and the next messages, on the same replicas.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if stores[0].Ping(context.Background()) == nil && stores[1].Ping(context.Background()) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replicas did not reconnect")
		}
	}
	for u := range users {
		for i := 2; i < 4; i++ {
			if err := say(u, i); err != nil {
				t.Fatalf("after the outage, user %d message %d: %v", u, i, err)
			}
		}
	}
	for u := range users {
		raw, err := stores[0].Load(context.Background(), fmt.Sprintf("test:o%d", u))
		if err != nil {
			t.Fatal(err)
		}
		s, err := bot.UnmarshalSession(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Seen) != 4 || s.Flow != "school" || s.Outbox != nil {
			t.Errorf("user %d: %d messages handled, at %s/%s, outbox %v; want all 4, in the school flow, nothing pending", u, len(s.Seen), s.Flow, s.Step, s.Outbox != nil)
		}
	}
	t.Logf("%d users: 2 messages each before the outage, %d refused during it (503), all handled after it", users, refused.Load())
}
