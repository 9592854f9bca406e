package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"teamsbot/adapters/telegram"
	"teamsbot/bot"
	"teamsbot/internal/sentat"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

// TestTwoReplicasShareTheBotsPace: Telegram limits the bot, not each of its
// processes. Two replicas configured at 200 messages/s each send 300
// messages at once; with the pace shared through Redis the fake Bot API
// (which answers 429 past 300 a second) never refuses one. Each pacing
// itself, they would send ~400/s together.
func TestTwoReplicasShareTheBotsPace(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: this test needs a real Redis (.ci/run starts one)")
	}
	if testing.Short() {
		t.Skip("sends 600 messages at a paced rate")
	}
	st, err := redisstore.Open(url, fmt.Sprintf("teamsbot-pace-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const rate = 200
	r := newRig(t, memory.New(), telegram.Config{PerChat: 1, Global: rate, Shared: st})
	r.fake.mu.Lock()
	r.fake.limit = rate + rate/2
	r.fake.mu.Unlock()
	other, err := telegram.New(telegram.Config{Token: token, WebhookSecret: secret, APIURL: r.fake.srv.URL, PerChat: 1, Global: rate, Shared: st, HTTPClient: &http.Client{Transport: sentat.Transport{}}},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 600 {
		snd := r.adapter
		if i%2 == 1 {
			snd = other
		}
		wg.Go(func() {
			if err := snd.Send(context.Background(), fmt.Sprint(2000+i), []bot.Reply{{Text: "Promemoria"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	r.fake.mu.Lock()
	rejected := r.fake.rejected
	r.fake.mu.Unlock()
	if rejected != 0 {
		t.Errorf("the fake answered 429 %d times: the replicas did not share the pace", rejected)
	}
	if got := len(r.sent()); got < 600 {
		t.Errorf("sent %d of 600", got)
	}
}

// askedKeys is a shared limiter that lets everything through and records
// which paces were asked.
type askedKeys struct {
	mu   sync.Mutex
	keys []string
}

func (a *askedKeys) Wait(_ context.Context, key string, perSecond float64, burst int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, fmt.Sprintf("%s@%.0f", key, perSecond))
	return nil
}

// TestRemindersWaitBehindAnswers: a reminder (a notice) takes its turn from
// the notices' share of the bot's pace before the pace itself; an answer
// only from the pace, so reminders can never take it all.
func TestRemindersWaitBehindAnswers(t *testing.T) {
	k := &askedKeys{}
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 30, Shared: k})
	ctx := context.Background()
	if err := r.adapter.Send(ctx, "3001", []bot.Reply{{Text: "Promemoria: domani alle 9", Notice: true}}); err != nil {
		t.Fatal(err)
	}
	if err := r.adapter.Send(ctx, "3002", []bot.Reply{{Text: "Ecco gli uffici vicino a te"}}); err != nil {
		t.Fatal(err)
	}
	want := "[telegram:global:bulk@20 telegram:global@30 telegram:global@30]"
	if got := fmt.Sprint(k.keys); got != want {
		t.Errorf("paces asked: %s, want %s", got, want)
	}
	if got := len(r.sent()); got != 2 {
		t.Errorf("sent %d of 2", got)
	}
}

func (a *askedKeys) Allow(_ context.Context, key string, perSecond float64, burst int) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, fmt.Sprintf("try %s@%.0f", key, perSecond))
	return true, nil
}

// TestPaidBroadcastsGoBeyondTheFreePace: with paid broadcasts on, the bot
// sends 240 messages at 120/s; those the free pace (25/s) has room for go as
// usual and cost nothing, the rest carry allow_paid_broadcast; the fake Bot
// API, which refuses more than 30 unpaid messages a second, refuses none.
func TestPaidBroadcastsGoBeyondTheFreePace(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 240 messages at a paced rate")
	}
	r := newRig(t, memory.New(), telegram.Config{PerChat: 1, Global: 120, PaidBroadcast: true})
	r.fake.mu.Lock()
	r.fake.freeLimit = 30
	r.fake.mu.Unlock()
	var wg sync.WaitGroup
	for i := range 240 {
		wg.Go(func() {
			if err := r.adapter.Send(context.Background(), fmt.Sprint(5000+i), []bot.Reply{{Text: "Promemoria", Notice: true}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sent := r.sent()
	paid := 0
	for _, c := range sent {
		if c.Form["allow_paid_broadcast"] == "true" {
			paid++
		}
	}
	r.fake.mu.Lock()
	rejected := r.fake.rejected
	r.fake.mu.Unlock()
	if rejected != 0 || len(sent) != 240 {
		t.Errorf("sent %d, refused %d: the free pace was overrun", len(sent), rejected)
	}
	if paid == 0 || paid == len(sent) {
		t.Errorf("%d of %d sent as paid broadcasts: want the free pace used first, the rest paid", paid, len(sent))
	}
}
