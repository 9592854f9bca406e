package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"teamsbot/bot"
)

// startRedis runs a private redis-server (no persistence) on port, with
// extra arguments (cluster mode, a sentinel's configuration file).
func startRedis(t *testing.T, port int, extra ...string) *exec.Cmd {
	t.Helper()
	args := []string{"--port", fmt.Sprint(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"}
	if len(extra) > 0 && extra[0] != "--" && !strings.HasPrefix(extra[0], "--") {
		args = append(extra[:1:1], args...) // a configuration file comes first
		extra = extra[1:]
	}
	cmd := exec.Command("redis-server", append(args, extra...)...)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return cmd
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return nil
}

// TestRedisRestart: Redis goes away and comes back (empty: this one keeps
// nothing on disk). Meanwhile calls fail with ErrUnavailable-wrapped errors
// and nothing panics; afterwards the same Store works again by itself.
func TestRedisRestart(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (.ci/run installs it)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv := startRedis(t, port)
	s, err := Open(fmt.Sprintf("redis://127.0.0.1:%d/0", port), "restart")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Save(ctx, "telegram:1", []byte("before"), time.Hour); err != nil {
		t.Fatal(err)
	}
	_ = srv.Process.Kill()
	_, _ = srv.Process.Wait()
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
	startRedis(t, port)
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
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (.ci/run installs it)")
	}
	risky := freePort(t)
	startRedis(t, risky, "--maxmemory-policy", "allkeys-lru")
	safe := freePort(t)
	startRedis(t, safe, "--appendonly", "yes")
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
