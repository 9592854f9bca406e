package redis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/storetest"
)

// open gives each test a fresh namespace on the Redis of REDIS_URL, so tests
// never see each other's keys (and never touch a deployment's).
func open(t testing.TB) *Store {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: the Redis store's tests need a real Redis (.ci/run starts one)")
	}
	s, err := Open(url, fmt.Sprintf("teamsbot-test-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("REDIS_URL is set but Redis does not answer: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store { return open(b) })
}

func TestBadURLAndDownRedis(t *testing.T) {
	if _, err := Open("http://localhost", ""); err == nil {
		t.Error("an http URL was accepted")
	}
	for _, bad := range []string{"redis://:s3cret@host:6379/0?master_name=m&bogus=1", "redis://:s3cret@host:6379?cluster=true&bogus=1", "redis://:s3cret@[::1%zz]:6379/0", "%%:s3cret"} {
		_, err := Open(bad, "")
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(a bad URL): %v (must fail without repeating the password)", err)
		}
	}
	s, err := Open("redis://127.0.0.1:1/0", "x")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err == nil {
		t.Error("a closed port answered")
	}
	if _, err := s.Load(ctx, "c"); err == nil || errors.Is(err, bot.ErrNotFound) {
		t.Errorf("load from a down Redis: %v", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("ping a down Redis: %v", err)
	}
}

// TestSharedPace: the pace is one per key across connections (replicas):
// a slow key lets one event through, then makes the next wait.
func TestSharedPace(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: this test needs a real Redis (.ci/run starts one)")
	}
	prefix := fmt.Sprintf("teamsbot-pacetest-%d", time.Now().UnixNano())
	a, err := Open(url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if err := a.Wait(ctx, "k", 0.5, 1); err != nil { // one every 2 s
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	if err := b.Wait(short, "k", 0.5, 1); err == nil {
		t.Error("a second event within the period was let through by the other replica")
	}
	if err := b.Wait(ctx, "other", 0.5, 1); err != nil {
		t.Errorf("another key: %v", err)
	}
}
