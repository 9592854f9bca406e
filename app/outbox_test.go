package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/embedded"
	redisstore "teamsbot/store/redis"
)

// switchSender fails while err is set, and records what it sends.
type switchSender struct {
	mu   sync.Mutex
	err  error
	sent map[string][]bot.Reply
}

func (s *switchSender) Send(_ context.Context, user string, replies []bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.sent == nil {
		s.sent = map[string][]bot.Reply{}
	}
	s.sent[user] = append(s.sent[user], replies...)
	return nil
}

// TestOutboxCommand: replies Telegram refused six times over two hours are
// listed by `teamsbot outbox --failed` under the conversation's log code
// (never the chat id, never the bot token of the failing URL); `--retry
// CODE` puts them back, and the running bot's sweep delivers them — on the
// embedded store and on Redis.
func TestOutboxCommand(t *testing.T) {
	stores := map[string]func(t *testing.T) (Store, map[string]string){
		"embedded": func(t *testing.T) (Store, map[string]string) {
			dir := t.TempDir()
			st, err := embedded.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return st, map[string]string{"TEAMSBOT_DATA": dir}
		},
		"redis": func(t *testing.T) (Store, map[string]string) {
			if os.Getenv("REDIS_URL") == "" {
				t.Skip("REDIS_URL is not set: the Redis half needs a real Redis (.ci/run starts one)")
			}
			prefix := fmt.Sprintf("teamsbot-outbox-%d", time.Now().UnixNano())
			st, err := redisstore.Open(os.Getenv("REDIS_URL"), prefix)
			if err != nil {
				t.Fatal(err)
			}
			return st, map[string]string{"REDIS_URL": os.Getenv("REDIS_URL"), "TEAMSBOT_REDIS_PREFIX": prefix, "TEAMSBOT_DATA": t.TempDir()}
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st, vars := open(t)
			vars["TEAMSBOT_PSEUDONYM_KEY"] = "outbox-test-key"
			l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
			if l == nil {
				t.Fatal(issues)
			}
			eng, err := l.Engine(bot.Config{})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			out := &switchSender{err: &url.Error{Op: "Post", URL: "https://api.telegram.org/bot123456:SECRET/sendMessage", Err: errors.New("connection refused")}}
			svc := bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte(vars["TEAMSBOT_PSEUDONYM_KEY"])},
				bot.WithSender("telegram", out), bot.WithClock(func() time.Time { return now }))
			ctx := context.Background()
			if err := svc.Handle(ctx, bot.Inbound{Channel: "telegram", UserID: "987654321", ID: "1", Text: "ciao", LangHint: "it"}); err != nil {
				t.Fatal(err)
			}
			for range bot.MaxOutboxAttempts - 1 {
				now = now.Add(3 * time.Hour)
				if _, err := svc.FlushOutboxes(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if name == "embedded" {
				st.Close() // one process at a time on the embedded store
			}
			code := svc.Pseudonym("telegram:987654321")

			run := func(args ...string) (string, error) {
				e, stdout, stderr := env(append([]string{"outbox"}, args...), "", vars)
				err := Run(ctx, e)
				return stdout.String() + stderr.String(), err
			}
			list, err := run("--failed")
			if err != nil {
				t.Fatalf("outbox --failed: %v\n%s", err, list)
			}
			for _, want := range []string{"1 conversations with failed replies", code, "telegram", "network: Post failed", "privacy.notice"} {
				if !strings.Contains(list, want) {
					t.Errorf("outbox --failed lacks %q:\n%s", want, list)
				}
			}
			for _, secret := range []string{"987654321", "SECRET"} {
				if strings.Contains(list, secret) {
					t.Errorf("outbox --failed shows %q:\n%s", secret, list)
				}
			}
			if msg, err := run("--retry", "nosuchcode"); err == nil {
				t.Errorf("retry of an unknown code succeeded: %s", msg)
			}
			if msg, err := run("--retry", code); err != nil || !strings.Contains(msg, "1 conversations queued again") {
				t.Fatalf("outbox --retry: %v\n%s", err, msg)
			}
			if list, _ := run("--failed"); !strings.Contains(list, "0 conversations") {
				t.Errorf("still failed after the retry:\n%s", list)
			}
			if name == "embedded" {
				if st, err = embedded.Open(vars["TEAMSBOT_DATA"]); err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				svc = bot.NewService(eng, st, bot.ServiceConfig{}, bot.WithSender("telegram", out), bot.WithClock(func() time.Time { return now }))
			}
			out.mu.Lock()
			out.err = nil
			out.mu.Unlock()
			now = time.Now().Add(time.Second) // the command queued them at its own clock
			if n, err := svc.FlushOutboxes(ctx); err != nil || n != 1 {
				t.Fatalf("sweep after the retry: %d, %v", n, err)
			}
			if got := out.sent["987654321"]; len(got) == 0 || got[0].MessageIDs[0] != "privacy.notice" {
				t.Fatalf("delivered after the retry: %+v", got)
			}
		})
	}
}
