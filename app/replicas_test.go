package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"teamsbot/bot"
)

// sink records replies per user, in arrival order.
type sink struct {
	mu  sync.Mutex
	got map[string][]string
}

func (s *sink) Send(_ context.Context, user string, rs []bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		s.got[user] = append(s.got[user], strings.Join(r.MessageIDs, "+"))
	}
	return nil
}

// TestTwoReplicasOnOneRedis: two services (two replicas) share one Redis.
// Many conversations run at once; every message of a conversation is
// delivered to both replicas at the same moment (as a platform retrying on
// a second replica would): each is answered exactly once, in order.
func TestTwoReplicasOnOneRedis(t *testing.T) {
	out := &sink{got: map[string][]string{}}
	stores, _ := redisReplicas(t, 2)
	replicas := replicaServices(t, stores, out)
	const conversations = 1000
	script := []string{"hi", "1", "7", "8", "1", "1", "menu", "7", "12", "1"}
	want := []string{"privacy.notice", "welcome.hello+menu.ask", "school.intro+school.ask_age"}
	ctx := context.Background()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for c := range conversations {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			user := fmt.Sprint("u", c)
			for i, text := range script {
				in := bot.Inbound{Channel: "test", UserID: user, ID: fmt.Sprintf("%s-%d", user, i), Text: text, LangHint: "en"}
				var both sync.WaitGroup
				for _, r := range replicas {
					both.Add(1)
					go func() {
						defer both.Done()
						if err := r.Handle(ctx, in); err != nil {
							t.Error(err)
						}
					}()
				}
				both.Wait()
			}
		}()
	}
	wg.Wait()
	out.mu.Lock()
	defer out.mu.Unlock()
	for c := range conversations {
		got := out.got[fmt.Sprint("u", c)]
		if len(got) != len(script) {
			t.Fatalf("conversation %d: %d replies to %d messages: %v", c, len(got), len(script), got)
		}
		for i, w := range want {
			if got[i] != w {
				t.Fatalf("conversation %d reply %d = %s, want %s (all: %v)", c, i, got[i], w, got)
			}
		}
		if !strings.Contains(got[3], "school.level_primary") || !strings.Contains(got[8], "school.level_lower_secondary") {
			t.Fatalf("conversation %d out of order: %v", c, got)
		}
	}
}
