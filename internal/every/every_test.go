package every

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunStartsAtOnceWhenAskedAndStopsWithItsContext(t *testing.T) {
	for _, now := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			Run(ctx, time.Hour, now, func(context.Context) { calls.Add(1) })
		}()
		time.Sleep(20 * time.Millisecond)
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return when its context ended")
		}
		want := int32(0)
		if now {
			want = 1
		}
		if got := calls.Load(); got != want {
			t.Errorf("now=%v: %d calls in the first hour, want %d", now, got, want)
		}
	}
}

func TestRunRepeats(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan struct{}, 10)
	go Run(ctx, time.Millisecond, false, func(context.Context) { calls <- struct{}{} })
	for range 3 {
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatal("fewer than 3 calls in 5 s at an interval of 1 ms")
		}
	}
}

func TestRunOnAnEndedContextDoesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Run(ctx, time.Millisecond, true, func(context.Context) { t.Error("called on an ended context") })
}
