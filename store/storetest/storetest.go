package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store"
)

const (
	// shortTTL is the time to live of things the suite waits to see expire.
	shortTTL = 100 * time.Millisecond
	// longTTL is the time to live of things that must not expire during a
	// test.
	longTTL = time.Hour
	// patience bounds every wait: for an expiry, or for a Lock that must
	// succeed.
	patience = 3 * time.Second
	// pollEvery is the polling interval while waiting for an expiry.
	pollEvery = 10 * time.Millisecond
)

// Store is what a deployment's store offers and this suite checks
// (package store).
type Store = store.Store

// Run runs the conformance suite. Every subtest calls open for a fresh, empty
// store and closes it when the subtest ends (open must not register its own
// Close, though a second Close should be harmless anyway). Subtests run one
// after the other, so open may reuse an external resource (a Redis database)
// provided it empties it.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"LoadMissing", testLoadMissing},
		{"SaveLoad", testSaveLoad},
		{"SaveCopiesValues", testSaveCopiesValues},
		{"SaveOverwrites", testSaveOverwrites},
		{"SaveExpires", testSaveExpires},
		{"SaveRefreshesTTL", testSaveRefreshesTTL},
		{"FirstSeen", testFirstSeen},
		{"FirstSeenConcurrent", testFirstSeenConcurrent},
		{"FirstSeenExpires", testFirstSeenExpires},
		{"LockExcludes", testLockExcludes},
		{"LockOtherConversation", testLockOtherConversation},
		{"LockContextEnds", testLockContextEnds},
		{"LockExpires", testLockExpires},
		{"UnlockIdempotent", testUnlockIdempotent},
		{"LockNoLostUpdate", testLockNoLostUpdate},
		{"Forget", testForget},
		{"Ping", testPing},
		{"Keys", testKeys},
		{"BookExactlyCapacity", testBookExactlyCapacity},
		{"BookLimitPerUser", testBookLimitPerUser},
		{"BookCancelAndList", testBookCancelAndList},
		{"ForgetBookings", testForgetBookings},
		{"JoinNeverExceedsCapacity", testJoinNeverExceedsCapacity},
		{"LeavePromotesTheFirstWaiting", testLeavePromotes},
		{"RaisedSeatsGoToTheWaiting", testRaisedSeatsGoToTheWaiting},
		{"LockLoad", testLockLoad},
		{"OutboxClaimDue", testOutboxClaimDue},
		{"OutboxClaimConcurrent", testOutboxClaimConcurrent},
		{"OutboxFailedNewestFirst", testOutboxFailed},
		{"OutboxForget", testOutboxForget},
		{"Arrivals", testArrivals},
		{"Misunderstood", testMisunderstood},
		{"Queues", testQueues},
		{"QueuesConcurrent", testQueuesConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// ctxFor returns a context that ends with the test, bounded by patience.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), patience)
	t.Cleanup(cancel)
	return ctx
}

func save(t *testing.T, s Store, conv string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Save(ctxFor(t), conv, value, ttl); err != nil {
		t.Fatalf("Save(%q): %v", conv, err)
	}
}

func mustLoad(t *testing.T, s Store, conv string, want []byte) {
	t.Helper()
	got, err := s.Load(ctxFor(t), conv)
	if err != nil {
		t.Fatalf("Load(%q): %v", conv, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Load(%q) = %s, want %s", conv, abbrev(got), abbrev(want))
	}
}

func mustBeMissing(t *testing.T, s Store, conv string) {
	t.Helper()
	got, err := s.Load(ctxFor(t), conv)
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Load(%q) = %s, %v; want an error satisfying errors.Is(err, bot.ErrNotFound)", conv, abbrev(got), err)
	}
}

func firstSeen(t *testing.T, s Store, conv, id string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := s.FirstSeen(ctxFor(t), conv, id, ttl)
	if err != nil {
		t.Fatalf("FirstSeen(%q, %q): %v", conv, id, err)
	}
	if got != want {
		t.Fatalf("FirstSeen(%q, %q) = %t, want %t", conv, id, got, want)
	}
}

// lock takes the lock of conv, failing the test if that takes longer than
// patience.
func lock(t *testing.T, s Store, conv string, ttl time.Duration) func() {
	t.Helper()
	unlock, err := s.Lock(ctxFor(t), conv, ttl)
	if err != nil {
		t.Fatalf("Lock(%q): %v", conv, err)
	}
	if unlock == nil {
		t.Fatalf("Lock(%q) returned a nil unlock and no error", conv)
	}
	return unlock
}

// mustBeLocked asserts that conv's lock is held by someone else: a Lock
// with a short context fails with ErrLockTimeout or the context's error.
func mustBeLocked(t *testing.T, s Store, conv string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	unlock, err := s.Lock(ctx, conv, longTTL)
	if err == nil {
		unlock()
		t.Fatalf("Lock(%q) succeeded while the lock was held", conv)
	}
	checkLockErr(t, err)
}

func checkLockErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, bot.ErrLockTimeout) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock error = %v; want one wrapping bot.ErrLockTimeout or the context's error", err)
	}
}

// eventually polls cond until it returns true, failing the test if it has
// not after patience.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after %s", what, patience)
		}
		time.Sleep(pollEvery)
	}
}

// expired polls until conv's session is gone.
func expired(t *testing.T, s Store, conv string) {
	t.Helper()
	eventually(t, fmt.Sprintf("session %q should have expired", conv), func() bool {
		_, err := s.Load(ctxFor(t), conv)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("Load(%q): %v", conv, err)
		}
		return err != nil
	})
}

func abbrev(b []byte) string {
	if b == nil {
		return "nil"
	}
	if len(b) > 32 {
		return fmt.Sprintf("%q... (%d bytes)", b[:32], len(b))
	}
	return fmt.Sprintf("%q", b)
}

func testLoadMissing(t *testing.T, s Store) {
	mustBeMissing(t, s, "teams:missing")
	save(t, s, "teams:other", []byte("x"), longTTL)
	mustBeMissing(t, s, "teams:missing")
}

func testSaveLoad(t *testing.T, s Store) {
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	big := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	values := map[string][]byte{
		"small":  []byte(`{"state":"asked_name","lang":"it"}`),
		"empty":  {},
		"binary": binary,
		"nul":    {0, 0, 0, 0, 0, 0, 0, 0, 0},
		"64KiB":  big,
		"utf8":   []byte("città, ☕, 😀"),
	}
	for name, v := range values {
		save(t, s, "conv:"+name, v, longTTL)
	}
	for name, v := range values {
		mustLoad(t, s, "conv:"+name, v)
	}
}

func testSaveCopiesValues(t *testing.T, s Store) {
	v := []byte("original")
	save(t, s, "c", v, longTTL)
	copy(v, "CHANGED!")
	mustLoad(t, s, "c", []byte("original"))

	got, err := s.Load(ctxFor(t), "c")
	if err != nil {
		t.Fatal(err)
	}
	copy(got, "CHANGED!")
	mustLoad(t, s, "c", []byte("original"))
}

func testSaveOverwrites(t *testing.T, s Store) {
	save(t, s, "c", []byte("first"), longTTL)
	save(t, s, "c", []byte("a longer second value"), longTTL)
	mustLoad(t, s, "c", []byte("a longer second value"))
	save(t, s, "c", []byte("3"), longTTL)
	mustLoad(t, s, "c", []byte("3"))
	save(t, s, "c", nil, longTTL)
	mustLoad(t, s, "c", []byte{})
}

func testSaveExpires(t *testing.T, s Store) {
	save(t, s, "long", []byte("stays"), longTTL)
	start := time.Now()
	save(t, s, "short", []byte("goes"), shortTTL)
	got, err := s.Load(ctxFor(t), "short")
	if time.Since(start) < shortTTL && (err != nil || string(got) != "goes") {
		// Only checked when the read happened before the TTL elapsed.
		t.Fatalf("Load right after Save = %s, %v; want \"goes\"", abbrev(got), err)
	}
	expired(t, s, "short")
	mustLoad(t, s, "long", []byte("stays"))
	// An expired key can be saved again.
	save(t, s, "short", []byte("back"), longTTL)
	mustLoad(t, s, "short", []byte("back"))
}

func testSaveRefreshesTTL(t *testing.T, s Store) {
	save(t, s, "c", []byte("v1"), shortTTL)
	save(t, s, "c", []byte("v2"), longTTL)
	// The sentinel is saved after c's first Save with the same TTL: once it
	// has expired, so would have c if the second Save had kept the first TTL.
	save(t, s, "sentinel", []byte("x"), shortTTL)
	expired(t, s, "sentinel")
	mustLoad(t, s, "c", []byte("v2"))
}

func testFirstSeen(t *testing.T, s Store) {
	firstSeen(t, s, "conv:a", "msg1", longTTL, true)
	firstSeen(t, s, "conv:a", "msg1", longTTL, false)
	firstSeen(t, s, "conv:a", "msg1", longTTL, false)
	firstSeen(t, s, "conv:a", "msg2", longTTL, true)
	firstSeen(t, s, "conv:b", "msg1", longTTL, true)
	firstSeen(t, s, "conv:b", "msg1", longTTL, false)
	firstSeen(t, s, "conv:a", "msg2", longTTL, false)
	// Dedup records and sessions do not share a key space.
	mustBeMissing(t, s, "conv:a")
	save(t, s, "conv:c", []byte("session"), longTTL)
	firstSeen(t, s, "conv:c", "", longTTL, true)
	mustLoad(t, s, "conv:c", []byte("session"))
}

func testFirstSeenConcurrent(t *testing.T, s Store) {
	const n = 100
	var firsts atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			<-start
			ok, err := s.FirstSeen(ctxFor(t), "conv", "same-id", longTTL)
			if err != nil {
				errs <- err
				return
			}
			if ok {
				firsts.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("FirstSeen: %v", err)
	}
	if got := firsts.Load(); got != 1 {
		t.Fatalf("%d concurrent FirstSeen calls with the same id: %d returned true, want exactly 1", n, got)
	}
}

func testFirstSeenExpires(t *testing.T, s Store) {
	firstSeen(t, s, "conv", "long", longTTL, true)
	start := time.Now()
	ok, err := s.FirstSeen(ctxFor(t), "conv", "short", shortTTL)
	if err != nil || !ok {
		t.Fatalf("FirstSeen(short) = %t, %v; want true", ok, err)
	}
	// A repeat seen within the TTL is a duplicate. (A repeat that does not
	// extend the record is the contract: the polling below relies on it.)
	ok, err = s.FirstSeen(ctxFor(t), "conv", "short", shortTTL)
	if err != nil {
		t.Fatal(err)
	}
	if ok && time.Since(start) < shortTTL {
		t.Fatal("FirstSeen(short) repeated within its TTL returned true")
	}
	eventually(t, "the dedup record should have expired", func() bool {
		ok, err := s.FirstSeen(ctxFor(t), "conv", "short", shortTTL)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})
	firstSeen(t, s, "conv", "long", longTTL, false)
}

func testLockExcludes(t *testing.T, s Store) {
	unlock := lock(t, s, "conv", longTTL)
	var released atomic.Bool
	waiting := make(chan struct{})
	result := make(chan error)
	go func() {
		close(waiting)
		ctx, cancel := context.WithTimeout(t.Context(), 2*patience)
		defer cancel()
		u, err := s.Lock(ctx, "conv", longTTL)
		if err == nil {
			if !released.Load() {
				err = errors.New("second Lock returned while the first holder had not unlocked")
			}
			u()
		}
		result <- err
	}()
	<-waiting
	mustBeLocked(t, s, "conv") // also gives the goroutine time to block
	released.Store(true)
	unlock()
	select {
	case err := <-result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * patience):
		t.Fatal("second Lock did not return after the first holder unlocked")
	}
	lock(t, s, "conv", longTTL)()
}

// testLockLoad: a store with the LockLoad fast path locks as Lock does (the
// two exclude each other) and loads as Load does; when there is no session
// the lock is held all the same.
func testLockLoad(t *testing.T, s Store) {
	ll, ok := s.(bot.LockLoader)
	if !ok {
		t.Skip("the store has no LockLoad fast path")
	}
	ctx := ctxFor(t)
	lease, raw, err := ll.LockLoad(ctx, "conv", longTTL)
	if !errors.Is(err, bot.ErrNotFound) || lease == nil || raw != nil {
		t.Fatalf("LockLoad of a new conversation: raw=%q err=%v lease=%v", raw, err, lease != nil)
	}
	mustBeLocked(t, s, "conv")
	save(t, s, "conv", []byte("state"), longTTL)
	lease.Unlock()
	lease, raw, err = ll.LockLoad(ctx, "conv", longTTL)
	if err != nil || string(raw) != "state" {
		t.Fatalf("LockLoad: %q, %v", raw, err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if u, _, err := ll.LockLoad(short, "conv", longTTL); u != nil {
		u.Unlock()
		t.Fatal("LockLoad succeeded while the lock was held")
	} else {
		checkLockErr(t, err)
	}
	// SaveUnlock saves, marks and releases in one call.
	due := time.Now().Add(-time.Second).Truncate(time.Millisecond)
	if err := lease.SaveUnlock(ctx, []byte("state 2"), longTTL, bot.OutboxMark{Due: due}); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, s, "conv", []byte("state 2"))
	if got, err := s.ClaimOutboxes(ctx, time.Now(), time.Minute, 10); err != nil || len(got) != 1 || got[0] != "conv" {
		t.Fatalf("SaveUnlock's mark: %q, %v", got, err)
	}
	held := lock(t, s, "conv", longTTL) // released by SaveUnlock
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if u, _, _ := ll.LockLoad(short2, "conv", longTTL); u != nil {
		u.Unlock()
		t.Fatal("LockLoad succeeded while Lock held the conversation")
	}
	held()
	// A lease that expired saves nothing: another holder may have the
	// conversation now.
	lease, _, err = ll.LockLoad(ctx, "conv", shortTTL)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * shortTTL)
	other := lock(t, s, "conv", longTTL)
	// The new holder's replies are due: the stale lease must not take the
	// conversation out of the outbox index (they would never be swept).
	if err := s.SaveOutbox(ctx, "conv", nil, 0, bot.OutboxMark{Due: due}); err != nil {
		t.Fatal(err)
	}
	if err := lease.SaveUnlock(ctx, []byte("stale"), longTTL, bot.OutboxMark{}); err == nil {
		t.Error("SaveUnlock after the lease expired reported success")
	}
	mustLoad(t, s, "conv", []byte("state 2")) // an expired lease overwrote nothing
	if got, err := s.ClaimOutboxes(ctx, time.Now(), time.Minute, 10); err != nil || len(got) != 1 || got[0] != "conv" {
		t.Errorf("after a stale SaveUnlock the outbox index holds %q (%v), want the new holder's [conv]", got, err)
	}
	mustBeLocked(t, s, "conv")
	other()
}

func testLockOtherConversation(t *testing.T, s Store) {
	defer lock(t, s, "conv:a", longTTL)()
	// lock fails the test if this blocks for patience.
	lock(t, s, "conv:b", longTTL)()
	lock(t, s, "conv:a/x", longTTL)()
	lock(t, s, "conv:", longTTL)()
}

func testLockContextEnds(t *testing.T, s Store) {
	defer lock(t, s, "conv", longTTL)()

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() {
		unlock, err := s.Lock(ctx, "conv", longTTL)
		if err == nil {
			unlock()
			err = errors.New("lock succeeded while the lock was held")
		}
		done <- err
	}()
	select {
	case err := <-done:
		checkLockErr(t, err)
	case <-time.After(2 * patience):
		t.Fatal("Lock did not return after its context ended")
	}

	// A context cancelled while waiting.
	ctx, cancel = context.WithCancel(t.Context())
	go func() {
		unlock, err := s.Lock(ctx, "conv", longTTL)
		if err == nil {
			unlock()
			err = errors.New("lock succeeded while the lock was held")
		}
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		checkLockErr(t, err)
	case <-time.After(2 * patience):
		t.Fatal("Lock did not return after its context was cancelled")
	}

	// A context already over, on a free lock too.
	for _, conv := range []string{"conv", "free"} {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		unlock, err := s.Lock(ctx, conv, longTTL)
		if err == nil {
			unlock()
			if conv == "conv" {
				t.Fatal("Lock with a cancelled context succeeded while the lock was held")
			}
			continue
		}
		checkLockErr(t, err)
	}
}

func testLockExpires(t *testing.T, s Store) {
	dead := lock(t, s, "conv", shortTTL) // a holder that dies: never unlocks in time
	next := lock(t, s, "conv", longTTL)  // waits at most patience for the expiry
	dead()                               // too late: must not release next's lock
	mustBeLocked(t, s, "conv")
	next()
	lock(t, s, "conv", longTTL)()
}

func testUnlockIdempotent(t *testing.T, s Store) {
	first := lock(t, s, "conv", longTTL)
	first()
	first()
	second := lock(t, s, "conv", longTTL)
	first() // must not release second's lock
	mustBeLocked(t, s, "conv")
	second()
	second()
	lock(t, s, "conv", longTTL)()
}

func testLockNoLostUpdate(t *testing.T, s Store) {
	const workers = 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			if err := increment(t.Context(), s, "counter"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustLoad(t, s, "counter", []byte(strconv.Itoa(workers)))
}

// increment does a read-modify-write of the counter stored as conv's
// session, under conv's lock.
func increment(ctx context.Context, s Store, conv string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	unlock, err := s.Lock(ctx, conv, time.Minute)
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer unlock()
	n := 0
	v, err := s.Load(ctx, conv)
	switch {
	case errors.Is(err, bot.ErrNotFound):
	case err != nil:
		return fmt.Errorf("load: %w", err)
	default:
		if n, err = strconv.Atoi(string(v)); err != nil {
			return fmt.Errorf("stored counter %q: %w", v, err)
		}
	}
	if err := s.Save(ctx, conv, []byte(strconv.Itoa(n+1)), longTTL); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

func testForget(t *testing.T, s Store) {
	// "user:1" is a prefix of "user:10" and of "user:1/x": forgetting it must
	// leave them alone.
	convs := []string{"user:1", "user:10", "user:1/x", "user:2"}
	for _, c := range convs {
		save(t, s, c, []byte("session of "+c), longTTL)
		firstSeen(t, s, c, "m1", longTTL, true)
		firstSeen(t, s, c, "m2", longTTL, true)
	}
	if err := s.Forget(ctxFor(t), "user:1"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	mustBeMissing(t, s, "user:1")
	firstSeen(t, s, "user:1", "m1", longTTL, true)
	firstSeen(t, s, "user:1", "m2", longTTL, true)
	for _, c := range convs[1:] {
		mustLoad(t, s, c, []byte("session of "+c))
		firstSeen(t, s, c, "m1", longTTL, false)
		firstSeen(t, s, c, "m2", longTTL, false)
	}

	// Forgetting a conversation with only dedup records, with nothing, or
	// twice is fine.
	firstSeen(t, s, "dedup-only", "m1", longTTL, true)
	for _, c := range []string{"dedup-only", "never-seen", "never-seen"} {
		if err := s.Forget(ctxFor(t), c); err != nil {
			t.Fatalf("Forget(%q): %v", c, err)
		}
	}
	firstSeen(t, s, "dedup-only", "m1", longTTL, true)
}

func testPing(t *testing.T, s Store) {
	if err := s.Ping(ctxFor(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testKeys(t *testing.T, s Store) {
	convs := []string{
		"teams:29:1a2B3c-Dd_e/f",
		"msteams:a:b:c",
		"/leading/slash/",
		"with space",
		"città-perché-ñ-ß",
		"会话:用户",
		"emoji:😀🎉👍🏽",
		"zwj:👩‍💻",
		strings.Repeat("long:", 200),
	}
	ids := []string{"1", "f:o/o", "ç😀", "id with space"}
	for i, c := range convs {
		save(t, s, c, []byte("value "+strconv.Itoa(i)), longTTL)
		for _, id := range ids {
			firstSeen(t, s, c, id, longTTL, true)
		}
	}
	for i, c := range convs {
		mustLoad(t, s, c, []byte("value "+strconv.Itoa(i)))
		for _, id := range ids {
			firstSeen(t, s, c, id, longTTL, false)
		}
		lock(t, s, c, longTTL)()
	}
	if err := s.Forget(ctxFor(t), convs[6]); err != nil {
		t.Fatal(err)
	}
	mustBeMissing(t, s, convs[6])
	firstSeen(t, s, convs[6], ids[2], longTTL, true)
	mustLoad(t, s, convs[7], []byte("value 7"))
	firstSeen(t, s, convs[7], ids[2], longTTL, false)
}

// misunderstoodLog is the log of texts the bot did not understand
// (understand.MissStore): every store keeps it.
type misunderstoodLog interface {
	AddMisunderstood(ctx context.Context, lang, text string, at time.Time, keep time.Duration) error
	EachMisunderstood(ctx context.Context, since time.Time, fn func(lang, text string, at time.Time)) error
}

// testMisunderstood: texts come back oldest first from the time asked,
// with their language and time; an expired one does not.
func testMisunderstood(t *testing.T, st Store) {
	s, ok := st.(misunderstoodLog)
	if !ok {
		t.Fatalf("%T does not keep the texts it did not understand", st)
	}
	ctx := ctxFor(t)
	now := time.Now().Truncate(time.Millisecond)
	add := func(lang, text string, at time.Time, keep time.Duration) {
		t.Helper()
		if err := s.AddMisunderstood(ctx, lang, text, at, keep); err != nil {
			t.Fatalf("AddMisunderstood: %v", err)
		}
	}
	add("it", "expired", now.Add(-3*time.Hour), time.Hour)
	add("it", "too old", now.Add(-2*time.Hour), 30*24*time.Hour)
	add("ar", "مرحبا ماذا", now.Add(-30*time.Minute), 30*24*time.Hour)
	add("zh", "你好 <email>", now, 30*24*time.Hour)
	add("zh", "你好 <email>", now, 30*24*time.Hour) // the same text twice counts twice
	var got []string
	err := s.EachMisunderstood(ctx, now.Add(-time.Hour), func(lang, text string, at time.Time) {
		got = append(got, fmt.Sprintf("%s|%s|%d", lang, text, now.Sub(at)/time.Minute))
	})
	if err != nil {
		t.Fatalf("EachMisunderstood: %v", err)
	}
	want := []string{"ar|مرحبا ماذا|30", "zh|你好 <email>|0", "zh|你好 <email>|0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// testQueues: members come back by score, then by name; a put moves a
// member; a drop of an absent member is no error; queues are apart.
func testQueues(t *testing.T, s Store) {
	ctx := ctxFor(t)
	list := func(q string, want ...string) {
		t.Helper()
		got, err := s.QueueList(ctx, q)
		if err != nil {
			t.Fatalf("QueueList(%s): %v", q, err)
		}
		if len(got) != len(want) || len(want) > 0 && !slices.Equal(got, want) {
			t.Errorf("QueueList(%s) = %q, want %q", q, got, want)
		}
	}
	list("desk:waiting")
	for _, p := range []struct {
		m     string
		score int64
	}{{"c", 300}, {"a", 100}, {"b", 200}, {"b2", 200}, {"ç😀", 50}} {
		if err := s.QueuePut(ctx, "desk:waiting", p.m, p.score); err != nil {
			t.Fatal(err)
		}
	}
	list("desk:waiting", "ç😀", "a", "b", "b2", "c")
	if err := s.QueuePut(ctx, "desk:waiting", "a", 250); err != nil {
		t.Fatal(err)
	}
	list("desk:waiting", "ç😀", "b", "b2", "a", "c")
	for _, m := range []string{"b", "nobody"} {
		if err := s.QueueDrop(ctx, "desk:waiting", m); err != nil {
			t.Fatalf("QueueDrop(%s): %v", m, err)
		}
	}
	if err := s.QueueDrop(ctx, "never:used", "x"); err != nil {
		t.Fatalf("QueueDrop on a queue never used: %v", err)
	}
	list("desk:waiting", "ç😀", "b2", "a", "c")
	list("desk:taken")
	if err := s.QueuePut(ctx, "desk:taken", "b", 1_780_000_000); err != nil {
		t.Fatal(err)
	}
	list("desk:taken", "b")
	list("desk:waiting", "ç😀", "b2", "a", "c")
}

// testQueuesConcurrent: writers on many replicas at once lose nothing
// (what one big list under a lock, rewritten whole, risked).
func testQueuesConcurrent(t *testing.T, s Store) {
	ctx := ctxFor(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				m := fmt.Sprintf("w%d-%02d", w, i)
				if err := s.QueuePut(ctx, "q", m, int64(i)); err != nil {
					t.Error(err)
				}
				if i%2 == 1 {
					if err := s.QueueDrop(ctx, "q", m); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	got, err := s.QueueList(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 80 {
		t.Errorf("%d members after 8 writers put 20 and dropped 10 each, want 80", len(got))
	}
}
