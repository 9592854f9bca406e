package app

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"

	"teamsbot/booking"
	"teamsbot/bot"
	"teamsbot/knowledge"
	"teamsbot/store/embedded"
	redisstore "teamsbot/store/redis"
)

// redisReplicas opens n stores (n replicas' connection pools) on one fresh
// namespace of the Redis of REDIS_URL, and say which.
func redisReplicas(t testing.TB, n int) ([]*redisstore.Store, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: this test needs a real Redis (.ci/run starts one)")
	}
	prefix := fmt.Sprintf("teamsbot-replicas-%d", time.Now().UnixNano())
	var out []*redisstore.Store
	for range n {
		st, err := redisstore.Open(url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out, prefix
}

// replicaServices is one Service per store, on the shipped content, sending
// to out.
func replicaServices(t testing.TB, stores []*redisstore.Store, out bot.Sender) []*bot.Service {
	t.Helper()
	return replicaServicesConfig(t, stores, out, bot.ServiceConfig{PseudonymKey: []byte("k")})
}

func replicaServicesConfig(t testing.TB, stores []*redisstore.Store, out bot.Sender, cfg bot.ServiceConfig) []*bot.Service {
	t.Helper()
	l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	var svcs []*bot.Service
	for _, st := range stores {
		eng, err := l.Engine(bot.Config{})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, bot.NewService(eng, st, cfg, bot.WithSender("test", out)))
	}
	return svcs
}

// TestLastPlacesAcrossReplicas: 200 people book the same time at a PUA with
// 2 desks, alternately through two replicas: exactly 2 bookings exist.
func TestLastPlacesAcrossReplicas(t *testing.T) {
	replicas, _ := redisReplicas(t, 2)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, knowledge.Rome)
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, knowledge.Rome)
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := ledger.Booking{Code: fmt.Sprintf("R%03d-AAA", i), Conv: fmt.Sprintf("whatsapp:%d", i), Place: "po-pua", Service: "first_reception", Start: at, Minutes: 30}
			err := replicas[i%2].Book(context.Background(), b, 2, 2, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				counts["booked"]++
			case errors.Is(err, ledger.ErrSlotFull):
				counts["full"]++
			default:
				t.Errorf("Book: %v", err)
			}
		}()
	}
	wg.Wait()
	if counts["booked"] != 2 || counts["full"] != 198 {
		t.Fatalf("200 attempts on 2 desks across 2 replicas: %v", counts)
	}
	for _, r := range replicas {
		got, err := r.Between(context.Background(), "po-pua", at, at.Add(time.Minute))
		if err != nil || len(got) != 2 {
			t.Fatalf("a replica sees %d bookings (%v)", len(got), err)
		}
	}
}

// TestRemindersOnceAcrossThreeReplicas: three replicas, each with its own
// bot.Service, run the reminder scheduler at the same moment, each several
// times: every user with a booking due tomorrow receives exactly one
// reminder, and no other user does (the reminder's id is recorded in the
// user's session with its place in the outbox).
func TestRemindersOnceAcrossThreeReplicas(t *testing.T) {
	l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	stores, _ := redisReplicas(t, 3)
	out := &countingSender{got: map[string]int{}}
	svcs := replicaServices(t, stores, out)
	now := time.Date(2026, 12, 1, 9, 5, 0, 0, knowledge.Rome)
	places := []string{"fi-sds-firenze", "po-pua", "pi-sds-zona-pisana"}
	due := map[string]bool{}
	for i := range 60 {
		user := fmt.Sprint(i)
		for j, text := range []string{"ciao", "1"} { // a conversation that accepted the privacy notice
			if err := svcs[i%3].Handle(context.Background(), bot.Inbound{Channel: "test", UserID: user, ID: fmt.Sprint(i, "-", j), Text: text, LangHint: "it"}); err != nil {
				t.Fatal(err)
			}
		}
		day := 2 // tomorrow: reminded
		if i%3 == 2 {
			day = 4 // later: not yet
		}
		at := time.Date(2026, 12, day, 9, 0, 0, 0, knowledge.Rome).Add(time.Duration(i/6) * 30 * time.Minute)
		b := ledger.Booking{Code: fmt.Sprintf("M%03d-AAA", i), Conv: "test:" + user, Place: places[i%3], Service: "first_reception", Start: at, Minutes: 30}
		if err := stores[i%3].Book(context.Background(), b, 3, 2, now.Add(-72*time.Hour)); err != nil {
			t.Fatalf("booking %d: %v", i, err)
		}
		if day == 2 && at.Sub(now) <= booking.RemindAhead+time.Hour {
			due[user] = true
		}
	}
	if len(due) == 0 {
		t.Fatal("no booking is due: the test proves nothing")
	}
	out.mu.Lock()
	clear(out.got)
	out.mu.Unlock()
	var wg sync.WaitGroup
	for i, st := range stores {
		sched := booking.New(l.Directory, booking.Config{Demo: true, Store: st})
		wg.Go(func() {
			for range 3 {
				if _, err := sched.SendReminders(context.Background(), svcs[i], now); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	out.mu.Lock()
	defer out.mu.Unlock()
	for user := range due {
		if out.got[user] != 1 {
			t.Errorf("user %s: %d reminders, want 1", user, out.got[user])
		}
	}
	for user, k := range out.got {
		if !due[user] {
			t.Errorf("user %s was reminded %d times but is not due", user, k)
		}
	}
}

// TestDeskCommandsReadRedis: with REDIS_URL set, `teamsbot bookings` shows
// what a replica booked on Redis (not an empty embedded store).
func TestDeskCommandsReadRedis(t *testing.T) {
	stores, prefix := redisReplicas(t, 1)
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, knowledge.Rome)
	b := ledger.Booking{Code: "RD5-KQZ", Conv: "telegram:42", Place: "po-pua", Service: "documents", Start: at, Minutes: 30, Lang: "fr"}
	if err := stores[0].Book(context.Background(), b, 2, 2, at.Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"REDIS_URL": os.Getenv("REDIS_URL"), "TEAMSBOT_REDIS_PREFIX": prefix, "TEAMSBOT_DATA": t.TempDir()}
	e, out, errOut := env([]string{"bookings", "--place", "po-pua", "--date", "2026-12-02", "--format", "csv"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("bookings: %v\n%s", err, errOut)
	}
	if !strings.Contains(out.String(), "09:30,RD5-KQZ,documents,30,fr") {
		t.Errorf("the Redis booking is not in the agenda:\n%s", out)
	}
}

// TestOrderAcrossReplicas: 60 users each send two answers at once; the
// later one reaches replica B 5 ms before the earlier one reaches replica
// A. With TEAMSBOT_ORDER_WINDOW (250 ms here, generous for a loaded CI
// machine) every pair is handled in the platform's order (Seq), never
// concurrently.
func TestOrderAcrossReplicas(t *testing.T) {
	stores, _ := redisReplicas(t, 2)
	svcs := replicaServicesConfig(t, stores, discard{}, bot.ServiceConfig{PseudonymKey: []byte("k"), OrderWindow: 250 * time.Millisecond})
	ctx := context.Background()
	const users = 60
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			user := fmt.Sprint("o", u)
			for i, text := range []string{"hi", "1"} {
				if err := svcs[0].Handle(ctx, bot.Inbound{Channel: "test", UserID: user, ID: fmt.Sprint(user, "-", i), Seq: int64(i + 1), Text: text, LangHint: "en"}); err != nil {
					t.Error(err)
					return
				}
			}
			first := bot.Inbound{Channel: "test", UserID: user, ID: user + "-first", Seq: 10, Text: "7", LangHint: "en"}
			second := bot.Inbound{Channel: "test", UserID: user, ID: user + "-second", Seq: 11, Text: "8", LangHint: "en"}
			var pair sync.WaitGroup
			pair.Go(func() {
				if err := svcs[1].Handle(ctx, second); err != nil {
					t.Error(err)
				}
			})
			time.Sleep(5 * time.Millisecond)
			if err := svcs[0].Handle(ctx, first); err != nil {
				t.Error(err)
			}
			pair.Wait()
		})
	}
	wg.Wait()
	wrong := 0
	for u := range users {
		user := fmt.Sprint("o", u)
		raw, err := stores[0].Load(ctx, "test:"+user)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := bot.UnmarshalSession(raw)
		if err != nil {
			t.Fatal(err)
		}
		var order []uint64
		for _, s := range sess.Seen {
			order = append(order, s.Hash)
		}
		if len(order) != 4 || order[2] != fnvOf(user+"-first") || order[3] != fnvOf(user+"-second") {
			wrong++
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d users had their two answers handled out of order", wrong, users)
	}
}

func fnvOf(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// discard is a Sender that keeps nothing (benchmarks).
type discard struct{}

func (discard) Send(context.Context, string, []bot.Reply) error { return nil }

// BenchmarkReplicas is whole turns (a mid-flow answer) per second on one
// Redis, served by one replica or by two, 16 conversations at a time, with
// p50 and p99 of a turn. Two replicas in one process share its two cores,
// so the figure shows what Redis and the locking allow, not two machines.
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go test ./app -run '^$' -bench Replicas -benchtime 20000x
func BenchmarkReplicas(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("%d-replica", n), func(b *testing.B) {
			stores, _ := redisReplicas(b, n)
			benchTurns(b, replicaServices(b, stores, discard{}))
		})
	}
	// Side by side: one process on the embedded store (one fsync per write).
	b.Run("embedded", func(b *testing.B) {
		st, err := embedded.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
		if l == nil {
			b.Fatal(issues)
		}
		eng, err := l.Engine(bot.Config{})
		if err != nil {
			b.Fatal(err)
		}
		benchTurns(b, []*bot.Service{bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender("test", discard{}))})
	})
}

// benchTurns runs b.N mid-flow turns of 16 conversations at a time,
// alternately through svcs, and reports turns/s, p50 and p99.
func benchTurns(b *testing.B, svcs []*bot.Service) {
	n := len(svcs)
	ctx := context.Background()
	const convs = 16
	// Bring every conversation to the school topics question.
	for c := range convs {
		for i, text := range []string{"hi", "1", "7", "8"} {
			in := bot.Inbound{Channel: "test", UserID: fmt.Sprint("u", c), ID: fmt.Sprintf("w%d-%d", c, i), Text: text, LangHint: "en"}
			if err := svcs[0].Handle(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var next int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; ; i++ {
				mu.Lock()
				if next >= int64(b.N) {
					mu.Unlock()
					break
				}
				next++
				mu.Unlock()
				in := bot.Inbound{Channel: "test", UserID: fmt.Sprint("u", c), ID: fmt.Sprintf("b%d-%d", c, i), Text: "1", LangHint: "en"}
				t0 := time.Now()
				if err := svcs[i%n].Handle(ctx, in); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "turns/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
