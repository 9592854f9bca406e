package keylock

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockWithin locks key, failing the test if that takes longer than 3 s.
func lockWithin(t *testing.T, s *Set, key string, ttl time.Duration) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	unlock, err := s.Lock(ctx, key, ttl)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	return unlock
}

// mustNotLock asserts that key is held: a Lock with a short context fails.
func mustNotLock(t *testing.T, s *Set, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	unlock, err := s.Lock(ctx, key, time.Minute)
	if err == nil {
		unlock()
		t.Fatal("Lock succeeded on a held key")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock error = %v, want context.DeadlineExceeded", err)
	}
}

func TestExclusion(t *testing.T) {
	var s Set
	unlock := lockWithin(t, &s, "a", time.Minute)
	var released atomic.Bool
	acquired := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		u, err := s.Lock(ctx, "a", time.Minute)
		if err == nil {
			if !released.Load() {
				err = errors.New("second Lock returned while the first hold was live")
			}
			u()
		}
		acquired <- err
	}()
	// Give the waiter a chance to block (not an assertion: the order check
	// is the released flag).
	time.Sleep(10 * time.Millisecond)
	released.Store(true)
	unlock()
	if err := <-acquired; err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("Len after all unlocks = %d, want 0", n)
	}
}

func TestOtherKeyIndependent(t *testing.T) {
	var s Set
	defer lockWithin(t, &s, "a", time.Minute)()
	defer lockWithin(t, &s, "b", time.Minute)()
	if n := s.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
}

func TestContextEnds(t *testing.T) {
	var s Set
	defer lockWithin(t, &s, "a", time.Minute)()
	mustNotLock(t, &s, "a")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Lock(ctx, "free", time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context: err = %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := s.Lock(ctx, "a", time.Minute)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Lock did not return after its context was cancelled")
	}
}

func TestUnlockIdempotent(t *testing.T) {
	var s Set
	first := lockWithin(t, &s, "a", time.Minute)
	first()
	first()
	second := lockWithin(t, &s, "a", time.Minute)
	first() // a stale unlock must not release the second hold
	mustNotLock(t, &s, "a")
	second()
	second()
	if n := s.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0", n)
	}
}

func TestExpiry(t *testing.T) {
	var s Set
	stale := lockWithin(t, &s, "a", 50*time.Millisecond) // never unlocked in time

	// Several waiters: all must get the lock in turn once the dead hold
	// expires, and the stale unlock must not release any of theirs.
	const waiters = 3
	var inside atomic.Int32
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			u, err := s.Lock(ctx, "a", time.Minute)
			if err != nil {
				errs <- err
				return
			}
			if inside.Add(1) != 1 {
				err = errors.New("two holders at once")
			}
			stale()
			inside.Add(-1)
			u()
			errs <- err
		}()
	}
	for range waiters {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0", n)
	}
}

func TestNoTTLNeverExpires(t *testing.T) {
	base := time.Now()
	var offset atomic.Int64
	s := Set{now: func() time.Time { return base.Add(time.Duration(offset.Load())) }}
	unlock := lockWithin(t, &s, "a", 0)
	offset.Store(int64(1000 * time.Hour))
	mustNotLock(t, &s, "a")
	unlock()
	lockWithin(t, &s, "a", 0)()
}

func TestPurgeDropsDeadHolds(t *testing.T) {
	base := time.Now()
	var offset atomic.Int64
	s := Set{now: func() time.Time { return base.Add(time.Duration(offset.Load())) }}
	for i := range 10 * minPurge {
		lockWithin(t, &s, "dead"+strconv.Itoa(i), time.Second) // never unlocked
	}
	if n := s.Len(); n != 10*minPurge {
		t.Fatalf("Len = %d, want %d", n, 10*minPurge)
	}
	offset.Store(int64(time.Hour))
	for i := range 10 * minPurge {
		lockWithin(t, &s, "live"+strconv.Itoa(i), time.Hour)
	}
	if n := s.Len(); n >= 20*minPurge {
		t.Fatalf("Len = %d: dead holds were never dropped", n)
	}
}

func TestNoLostUpdate(t *testing.T) {
	var s Set
	const workers = 50
	counter := 0 // guarded by the keyed lock only: -race checks it
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			unlock, err := s.Lock(ctx, "counter", time.Minute)
			if err != nil {
				errs <- err
				return
			}
			defer unlock()
			counter++
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if counter != workers {
		t.Fatalf("counter = %d, want %d", counter, workers)
	}
}

func BenchmarkLockUnlock(b *testing.B) {
	var s Set
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		unlock, err := s.Lock(ctx, "conv", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}
