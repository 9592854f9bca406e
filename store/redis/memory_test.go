package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

// BenchmarkMemory100k fills Redis as 100,000 conversations would: first
// each user's session (160 bytes, the size of a session mid-flow), which is
// all an idle user keeps once the 48-hour dedup marks expire; then the ten
// dedup marks of a conversation of ten messages. It reports Redis's memory
// per idle user, per active conversation, and in all. It does the same work
// whatever b.N is: run it with -benchtime 1x.
//
//	go test ./store/redis -run '^$' -bench Memory100k -benchtime 1x
func BenchmarkMemory100k(b *testing.B) {
	const conversations, messages = 100_000, 10
	s := open(b)
	defer s.Close()
	defer dropNamespace(b, s)
	ctx := context.Background()
	session := []byte(strings.Repeat("s", 160))
	each := func(work func(conv string) error) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := work(fmt.Sprintf("whatsapp:%016x", i)); err != nil {
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
	}
	for b.Loop() {
		dropNamespace(b, s)
		base := usedMemory(b, s)
		each(func(conv string) error { return s.Save(ctx, conv, session, 30*24*time.Hour) })
		idle := usedMemory(b, s)
		each(func(conv string) error {
			for m := range messages {
				if _, err := s.FirstSeen(ctx, conv, "wamid.HBgLMzkzNDc"+strconv.Itoa(m), 48*time.Hour); err != nil {
					return err
				}
			}
			return nil
		})
		active := usedMemory(b, s)
		b.ReportMetric(float64(idle-base)/conversations, "B/idle-user")
		b.ReportMetric(float64(active-base)/conversations, "B/active-conv")
		b.ReportMetric(float64(active-base)/(1<<20), "MiB/100k-conv")
	}
}
