package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/internal/redistest"
)

// TestRedisRestart: Redis goes away and comes back (empty: this one keeps
// nothing on disk). Meanwhile calls fail with ErrUnavailable-wrapped errors
// and nothing panics; afterwards the same Store works again by itself.
func TestRedisRestart(t *testing.T) {
	redistest.Need(t)
	port := redistest.FreePort(t)
	kill := redistest.Start(t, port, "")
	s, err := Open(fmt.Sprintf("redis://127.0.0.1:%d/0", port), "restart")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Save(ctx, "telegram:1", []byte("before"), time.Hour); err != nil {
		t.Fatal(err)
	}
	kill()
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.Ping(short); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("Ping with Redis down: %v", err)
	}
	if _, err := s.Load(short, "telegram:1"); err == nil || errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Load with Redis down: %v", err)
	}
	if u, _, err := s.LockLoad(short, "telegram:1", time.Second); u != nil || err == nil {
		t.Fatal("LockLoad succeeded with Redis down")
	}
	redistest.Start(t, port, "")
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the store did not reconnect")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Save(ctx, "telegram:1", []byte("after"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Load(ctx, "telegram:1"); err != nil || string(v) != "after" {
		t.Fatalf("after the restart: %q %v", v, err)
	}
}

// TestCheckWarnsOfRiskyConfig: a Redis that may evict keys, or keeps
// nothing on disk, is named at start; a safe one is not.
func TestCheckWarnsOfRiskyConfig(t *testing.T) {
	redistest.Need(t)
	risky := redistest.FreePort(t)
	redistest.Start(t, risky, "", "--maxmemory-policy", "allkeys-lru")
	safe := redistest.FreePort(t)
	redistest.Start(t, safe, "", "--appendonly", "yes")
	check := func(port int) string {
		s, err := Open(fmt.Sprintf("redis://127.0.0.1:%d/0", port), "check")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return strings.Join(s.Check(context.Background()), "\n")
	}
	if got := check(risky); !strings.Contains(got, "allkeys-lru") || !strings.Contains(got, "appendonly yes") {
		t.Errorf("risky Redis: %q", got)
	}
	if got := check(safe); got != "" {
		t.Errorf("safe Redis: %q", got)
	}
}
