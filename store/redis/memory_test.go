package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"
	"teamsbot/bot"
)

// usedMemory is Redis's used_memory (INFO memory), in bytes.
func usedMemory(tb testing.TB, s *Store) int64 {
	info, err := s.rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatal("INFO memory has no used_memory")
	return 0
}

// dropNamespace deletes every key of the store's namespace.
func dropNamespace(tb testing.TB, s *Store) {
	ctx := context.Background()
	iter := s.rdb.Scan(ctx, 0, s.prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			s.rdb.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		s.rdb.Unlink(ctx, batch...)
	}
	if err := iter.Err(); err != nil {
		tb.Error(err)
	}
}

// BenchmarkMemory100k fills Redis as 100,000 conversations would: each
// user's session mid-flow after ten messages (its answers, its way back, the
// ten message ids it remembers), which is all a conversation keeps in Redis
// between turns. It reports the session's size, Redis's memory per
// conversation and in all. It does the same work whatever b.N is: run it
// with -benchtime 1x.
//
//	go test ./store/redis -run '^$' -bench Memory100k -benchtime 1x
func BenchmarkMemory100k(b *testing.B) {
	const conversations = 100_000
	s := open(b)
	defer s.Close()
	defer dropNamespace(b, s)
	ctx := context.Background()
	now := time.Now().Unix()
	sess := bot.Session{State: bot.StateFlow, Lang: "ar", Flow: "school", Step: "topics", Consent: now - 600, Updated: now,
		Vars: map[string]string{"child_age": "8", "municipality": "048017", "school_level": "primary"},
		Back: []bot.Place{{Flow: "menu", Step: "main"}, {Flow: "school", Step: "age"}}}
	for i := range 10 {
		sess.Seen = append(sess.Seen, bot.SeenID{Hash: uint64(i) * 0x9e3779b97f4a7c15, At: now - int64(60*(10-i))})
	}
	value, err := sess.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		dropNamespace(b, s)
		base := usedMemory(b, s)
		var wg sync.WaitGroup
		next := make(chan int)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := s.Save(ctx, fmt.Sprintf("whatsapp:%016x", i), value, 30*24*time.Hour); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for i := range conversations {
			next <- i
		}
		close(next)
		wg.Wait()
		used := usedMemory(b, s) - base
		b.ReportMetric(float64(len(value)), "session-bytes")
		b.ReportMetric(float64(used)/conversations, "B/conv")
		b.ReportMetric(float64(used)/(1<<20), "MiB/100k-conv")
	}
}

// BenchmarkMemoryBookingsMonth fills Redis with a busy month of
// appointments: 40 PUAs, 22 working days, 16 slots a day with 2 desks, all
// taken (28,160 appointments, each a different person). It reports
// Redis's memory per appointment and in all. Run it with -benchtime 1x.
//
//	go test ./store/redis -run '^$' -bench MemoryBookingsMonth -benchtime 1x
func BenchmarkMemoryBookingsMonth(b *testing.B) {
	const places, days, slots, desks = 40, 22, 16, 2
	s := open(b)
	defer s.Close()
	defer dropNamespace(b, s)
	ctx := context.Background()
	start := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		dropNamespace(b, s)
		base := usedMemory(b, s)
		var wg sync.WaitGroup
		next := make(chan ledger.Booking)
		for range 64 {
			wg.Go(func() {
				for bk := range next {
					if err := s.Book(ctx, bk, desks, 2, start.Add(-time.Hour)); err != nil {
						b.Error(err)
					}
				}
			})
		}
		n := 0
		for p := range places {
			for d := range days {
				for sl := range slots {
					for range desks {
						n++
						next <- ledger.Booking{Code: fmt.Sprintf("%03X-%03X", n>>12, n&0xfff), Conv: fmt.Sprintf("whatsapp:%016x", n),
							Place: fmt.Sprintf("pua-%02d", p), Service: "first_reception", Lang: "ar",
							Start: start.AddDate(0, 0, d).Add(time.Duration(sl) * 30 * time.Minute), Minutes: 30}
					}
				}
			}
		}
		close(next)
		wg.Wait()
		used := usedMemory(b, s) - base
		b.ReportMetric(float64(n), "appointments")
		b.ReportMetric(float64(used)/float64(n), "B/appointment")
		b.ReportMetric(float64(used)/(1<<20), "MiB")
	}
}
