package bot_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

// benchTurn measures one whole turn (lock, load, seen-id check, engine, save, send)
// of a user answering "1" at the school topics question, which says a text
// and asks the question again: a typical mid-flow turn.
func benchTurn(b *testing.B, st app.Store) {
	ctx := context.Background()
	nf := newFixture(b, st, false)
	nf.toSchoolTopics(b, "u2")
	nf.out.drop = true
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in := bot.Inbound{Channel: "test", UserID: "u2", ID: fmt.Sprintf("b%d", i), Text: "1"}
		if err := nf.svc.Handle(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if rt, ok := st.(interface{ RoundTrips() uint64 }); ok {
		b.ReportMetric(float64(rt.RoundTrips())/float64(b.N+4), "round-trips/turn")
	}
	raw, err := st.Load(ctx, "test:u2")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "session-bytes")
}

func BenchmarkTurn(b *testing.B) { eachStore(b, benchTurn) }

// benchTurnsConcurrent measures turns of 64 users writing at once (each
// its own conversation, one message after another): what the store's
// writes cost when turns overlap, as under a busy webhook. It reports
// turns per second and the 99th percentile of a turn.
func benchTurnsConcurrent(b *testing.B, st app.Store) {
	ctx := context.Background()
	nf := newFixture(b, st, false)
	const users = 64
	for u := range users {
		nf.toSchoolTopics(b, fmt.Sprintf("c%d", u))
	}
	nf.out.drop = true
	var next atomic.Int64
	lat := make([][]time.Duration, users)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				t0 := time.Now()
				in := bot.Inbound{Channel: "test", UserID: fmt.Sprintf("c%d", u), ID: fmt.Sprintf("p%d", i), Text: "1"}
				if err := nf.svc.Handle(ctx, in); err != nil {
					b.Error(err)
					return
				}
				lat[u] = append(lat[u], time.Since(t0))
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/took.Seconds(), "turns/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func BenchmarkTurnsConcurrent(b *testing.B) { eachStore(b, benchTurnsConcurrent) }

// eachStore runs fn as a sub-benchmark on the memory store, the embedded
// store, and Redis when REDIS_URL is set.
func eachStore(b *testing.B, fn func(*testing.B, app.Store)) {
	b.Run("memory", func(b *testing.B) { fn(b, memory.New()) })
	b.Run("embedded", func(b *testing.B) {
		st, err := embedded.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
	b.Run("redis", func(b *testing.B) {
		url := os.Getenv("REDIS_URL")
		if url == "" {
			b.Skip("REDIS_URL is not set")
		}
		st, err := redisstore.Open(url, fmt.Sprintf("teamsbot-bench-%d", time.Now().UnixNano()))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
}

// BenchmarkEngineStep is the pure engine alone: no store, no dedup, no lock.
func BenchmarkEngineStep(b *testing.B) {
	f := newFixture(b, memory.New(), false)
	eng := f.svc.Engine()
	sess := &bot.Session{State: bot.StateFlow, Lang: "en", Flow: "school", Step: "topics", Consent: 1,
		Vars: map[string]string{"child_age": "8", "school_level": "primary"}}
	ctx := context.Background()
	in := bot.Inbound{Channel: "test", UserID: "u", Text: "1"}
	b.ReportAllocs()
	for b.Loop() {
		sess.Updated = f.now.Unix()
		if _, err := eng.Step(ctx, sess, in, f.now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionCodec is encoding and decoding a mid-flow session.
func BenchmarkSessionCodec(b *testing.B) {
	sess := &bot.Session{State: bot.StateFlow, Lang: "ar", Flow: "school", Step: "topics", Consent: 1780000000, Updated: 1780000000,
		Vars: map[string]string{"child_age": "8", "school_level": "primary", "municipality": "Sesto Fiorentino", "municipality_code": "048043", "municipality_province": "FI"},
		Back: []bot.Place{{Flow: "school", Step: "age"}, {Flow: "school", Step: "topics"}}}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		raw, err := sess.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		n = len(raw)
		if _, err := bot.UnmarshalSession(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "session-bytes")
}

// BenchmarkRecovery is the outbox after an outage: b.N users wrote while the
// platform refused every send; then it is back, and one replica's sweep
// delivers every kept reply. It reports conversations delivered per second
// (the platform answering at once, so this is the store's and the
// service's share).
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go test ./bot -run '^$' -bench Recovery -benchtime 2000x
func BenchmarkRecovery(b *testing.B) {
	run := func(b *testing.B, st app.Store) {
		f := newFixture(b, st, false)
		f.out.fail = fmt.Errorf("telegram: 502")
		for u := range b.N {
			in := bot.Inbound{Channel: "test", UserID: fmt.Sprint("r", u), ID: fmt.Sprint("r", u), Text: "hi", LangHint: "en"}
			if err := f.svc.Handle(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
		f.out.fail = nil
		f.out.drop = true
		f.now = f.now.Add(time.Hour)
		b.ResetTimer()
		start := time.Now()
		delivered := 0
		for delivered < b.N {
			n, err := f.svc.FlushOutboxes(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				b.Fatalf("%d of %d delivered, then nothing due", delivered, b.N)
			}
			delivered += n
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "convs/s")
	}
	eachStore(b, run)
}
