package chatutil

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("parola ", 100) // 700 characters
	parts := Split(para+"\n\n"+para+"\n\n"+para, 1000)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) > 1000 || strings.HasPrefix(p, " ") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %q…", p[:20])
		}
	}
	// No boundary: cut mid-word, at a rune boundary.
	long := strings.Repeat("ش", 2500)
	parts = Split(long, 1000)
	if len(parts) != 3 || utf8.RuneCountInString(parts[0]) != 1000 || !utf8.ValidString(parts[2]) {
		t.Errorf("no boundary: %d parts", len(parts))
	}
	if got := Split("", 10); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
	if got := Split("short", 10); len(got) != 1 || got[0] != "short" {
		t.Errorf("short: %v", got)
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err == nil {
		t.Error("a cancelled context slept")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Error(err)
	}
}

// TestForPacingLeavesTimeForTheRequest: a wait on the pace ends a quarter
// of the time left (at most RequestMargin) before the deadline, so the
// request it is for still has time; without a deadline nothing changes.
func TestForPacingLeavesTimeForTheRequest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	outer, _ := ctx.Deadline()
	paced, done := ForPacing(ctx)
	defer done()
	inner, ok := paced.Deadline()
	if !ok || outer.Sub(inner) < 400*time.Millisecond || outer.Sub(inner) > 500*time.Millisecond {
		t.Errorf("2 s left: the pace's deadline is %v before the request's, want about 500 ms", outer.Sub(inner))
	}
	long, cancelLong := context.WithTimeout(context.Background(), time.Minute)
	defer cancelLong()
	outer, _ = long.Deadline()
	paced, done2 := ForPacing(long)
	defer done2()
	if inner, _ := paced.Deadline(); outer.Sub(inner) != RequestMargin {
		t.Errorf("a minute left: %v kept for the request, want %v", outer.Sub(inner), RequestMargin)
	}
	if p, _ := ForPacing(context.Background()); p != context.Background() {
		t.Error("a context without a deadline was changed")
	}
}

// keysAsked records what a pace asks the shared limiter.
type keysAsked struct{ asked []string }

func (k *keysAsked) Wait(_ context.Context, key string, perSecond float64, burst int) error {
	k.asked = append(k.asked, fmt.Sprintf("%s %.0f/s", key, perSecond))
	return nil
}

// TestNoticesTakeOnlyTheirShareOfThePace: a notice waits for its share
// (two thirds of the channel's pace) before the pace itself; an answer
// waits only for the pace, so a backlog of reminders never takes the
// whole pace from people waiting for an answer.
func TestNoticesTakeOnlyTheirShareOfThePace(t *testing.T) {
	k := &keysAsked{}
	p := NewPace("telegram:global", 30, 3, k)
	ctx := context.Background()
	if err := p.WaitNotice(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	want := "[telegram:global:bulk 20/s telegram:global 30/s telegram:global 30/s]"
	if got := fmt.Sprint(k.asked); got != want {
		t.Errorf("asked %s, want %s", got, want)
	}
}

func (k *keysAsked) Allow(_ context.Context, key string, perSecond float64, burst int) (bool, error) {
	k.asked = append(k.asked, fmt.Sprintf("try %s %.0f/s", key, perSecond))
	return true, nil
}

// slowShared is a shared limiter that lets one event through every 2 ms
// and counts how many callers wait on it at once.
type slowShared struct {
	mu         sync.Mutex
	inside     int
	mostInside int
	next       time.Time
}

func (s *slowShared) Wait(ctx context.Context, _ string, _ float64, _ int) error {
	s.mu.Lock()
	s.inside++
	s.mostInside = max(s.mostInside, s.inside)
	at := s.next
	if now := time.Now(); at.Before(now) {
		at = now
	}
	s.next = at.Add(2 * time.Millisecond)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inside--; s.mu.Unlock() }()
	select {
	case <-time.After(time.Until(at)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slowShared) Allow(context.Context, string, float64, int) (bool, error) { return true, nil }

// TestOneWaiterAtATimeAsksTheSharedPace: a backlog of senders in one
// process queues in the process; only one of them asks the shared limiter
// (Redis) at a time, and every one gets its turn.
func TestOneWaiterAtATimeAsksTheSharedPace(t *testing.T) {
	shared := &slowShared{}
	p := NewPace("telegram:global", 500, 1, shared)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 50 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if p.Wait(ctx) != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if shared.mostInside != 1 || failed.Load() != 0 {
		t.Errorf("%d waiters asked the shared pace at once (want 1); %d of 50 never got their turn", shared.mostInside, failed.Load())
	}
	// A waiter whose time runs out in the queue leaves it.
	hold := &slowShared{next: time.Now().Add(time.Hour)}
	q := NewPace("telegram:global", 500, 1, hold)
	stuck, unstick := context.WithCancel(context.Background())
	defer unstick()
	go q.Wait(stuck) //nolint:errcheck // holds the gate until the test ends
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Wait(ctx); err == nil {
		t.Error("a waiter behind a stuck one got through")
	}
}
