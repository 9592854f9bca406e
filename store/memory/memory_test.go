package memory

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) storetest.Store { return New() })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(*testing.B) storetest.Store { return New() })
}

// fakeClock returns a Store whose clock the test moves.
func fakeClock() (*Store, *atomic.Int64) {
	s := New()
	base := time.Now()
	var offset atomic.Int64
	s.now = func() time.Time { return base.Add(time.Duration(offset.Load())) }
	return s, &offset
}

func TestPurgeBySize(t *testing.T) {
	s, offset := fakeClock()
	ctx := context.Background()
	for i := range 2 * minPurge {
		c := "conv" + strconv.Itoa(i)
		if err := s.Save(ctx, c, []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FirstSeen(ctx, c, "m", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n != 4*minPurge {
		t.Fatalf("Len = %d, want %d", n, 4*minPurge)
	}
	offset.Store(int64(time.Hour))
	for i := range 4 * minPurge {
		if err := s.Save(ctx, "new"+strconv.Itoa(i), []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n != 4*minPurge {
		t.Fatalf("Len = %d, want %d: expired entries were not purged", n, 4*minPurge)
	}
	if len(s.seen) != 0 {
		t.Fatalf("%d conversations with only expired dedup records left", len(s.seen))
	}
}

func TestLazyExpiry(t *testing.T) {
	s, offset := fakeClock()
	ctx := context.Background()
	if err := s.Save(ctx, "c", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "forever", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(time.Hour))
	if _, err := s.Load(ctx, "c"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Load of an expired session: %v", err)
	}
	if _, err := s.Load(ctx, "forever"); err != nil {
		t.Fatalf("Load of a session saved with ttl 0: %v", err)
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
}

func TestClosed(t *testing.T) {
	s := New()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := context.Background()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping after Close succeeded")
	}
	if err := s.Save(ctx, "c", nil, time.Minute); err == nil {
		t.Fatal("Save after Close succeeded")
	}
	if _, err := s.Load(ctx, "c"); err == nil || errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Load after Close: %v, want a closed error", err)
	}
}

func TestErrorsDoNotNameConversation(t *testing.T) {
	s := New()
	ctx := context.Background()
	const conv = "teams:29:personal-user-id"
	_, err := s.Load(ctx, conv)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "personal-user-id") {
		t.Fatalf("error names the conversation: %v", err)
	}
}
