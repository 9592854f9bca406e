package bot_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

// benchTurn measures one whole turn (lock, load, seen-id check, engine, save, send)
// of a user answering "1" at the school topics question, which says a text
// and asks the question again: a typical mid-flow turn.
func benchTurn(b *testing.B, st bot.Store) {
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

func BenchmarkTurn(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchTurn(b, memory.New()) })
	b.Run("embedded", func(b *testing.B) {
		st, err := embedded.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchTurn(b, st)
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
		benchTurn(b, st)
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
