package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"teamsbot/bot"
)

// base is a fixed instant for index times: the index compares the times it
// is given, never the store's clock.
var base = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func claim(t *testing.T, s Store, now time.Time, lease time.Duration, n int) []string {
	t.Helper()
	got, err := s.ClaimOutboxes(ctxFor(t), now, lease, n)
	if err != nil {
		t.Fatalf("ClaimOutboxes: %v", err)
	}
	return got
}

// testOutboxClaimDue: SaveOutbox saves the session and its index entry in
// one call; a claim returns what is due, oldest first, at most n, and hides
// it for the lease; a zero mark takes the entry out.
func testOutboxClaimDue(t *testing.T, s Store) {
	ctx := ctxFor(t)
	for i, c := range []string{"c", "a", "b", "later"} {
		due := base.Add(time.Duration(i) * time.Second)
		if c == "later" {
			due = base.Add(time.Hour)
		}
		if err := s.SaveOutbox(ctx, c, []byte("s-"+c), longTTL, bot.OutboxMark{Due: due}); err != nil {
			t.Fatal(err)
		}
	}
	mustLoad(t, s, "a", []byte("s-a"))
	now := base.Add(10 * time.Second)
	if got := claim(t, s, now, time.Minute, 2); !slices.Equal(got, []string{"c", "a"}) {
		t.Fatalf("first claim = %q, want the two oldest due [c a]", got)
	}
	if got := claim(t, s, now, time.Minute, 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("second claim = %q, want [b] (c and a are leased, later is not due)", got)
	}
	if got := claim(t, s, now, time.Minute, 10); len(got) != 0 {
		t.Fatalf("third claim = %q, want nothing", got)
	}
	// The lease ends: what was not cleared is due again.
	if err := s.SaveOutbox(ctx, "a", nil, 0, bot.OutboxMark{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveOutbox(ctx, "b", []byte("sent"), longTTL, bot.OutboxMark{}); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, s, "b", []byte("sent"))
	if got := claim(t, s, now.Add(2*time.Minute), time.Minute, 10); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("after the lease = %q, want [c] (a and b were cleared, later not due)", got)
	}
	if got := claim(t, s, base.Add(2*time.Hour), time.Minute, 10); !slices.Equal(got, []string{"c", "later"}) {
		t.Fatalf("two hours on = %q, want [c later]", got)
	}
}

// testOutboxClaimConcurrent: replicas sweeping at the same moment never get
// the same conversation.
func testOutboxClaimConcurrent(t *testing.T, s Store) {
	ctx := ctxFor(t)
	const n = 60
	for i := range n {
		if err := s.SaveOutbox(ctx, fmt.Sprintf("conv-%02d", i), nil, 0, bot.OutboxMark{Due: base}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				got, err := s.ClaimOutboxes(ctx, base.Add(time.Second), time.Minute, 4)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					seen[c]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d conversations claimed", len(seen), n)
	}
	for c, k := range seen {
		if k != 1 {
			t.Errorf("%s claimed %d times", c, k)
		}
	}
}

// testOutboxFailed: the failed list is newest first, bounded by n, and a
// conversation leaves it when its mark says no failure.
func testOutboxFailed(t *testing.T, s Store) {
	ctx := ctxFor(t)
	for i, c := range []string{"old", "new", "mid"} {
		at := base.Add([]time.Duration{0, 2 * time.Hour, time.Hour}[i])
		if err := s.SaveOutbox(ctx, c, []byte("x"), longTTL, bot.OutboxMark{Failed: at}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.FailedOutboxes(ctx, 2, time.Time{})
	if err != nil || !slices.Equal(got, []string{"new", "mid"}) {
		t.Fatalf("FailedOutboxes(2) = %q, %v; want [new mid]", got, err)
	}
	if err := s.SaveOutbox(ctx, "new", nil, 0, bot.OutboxMark{Due: base}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FailedOutboxes(ctx, 10, time.Time{})
	if !slices.Equal(got, []string{"mid", "old"}) {
		t.Fatalf("after a retry FailedOutboxes = %q, want [mid old]", got)
	}
	if c := claim(t, s, base, time.Minute, 10); !slices.Equal(c, []string{"new"}) {
		t.Fatalf("a failed conversation put back is due: %q", c)
	}
	// Failures older than the retention period leave the index, whether
	// listed or not (n = 0: the sweep's call).
	if got, err := s.FailedOutboxes(ctx, 0, base.Add(30*time.Minute)); err != nil || len(got) != 0 {
		t.Fatalf("FailedOutboxes(0, forgetting) = %q, %v; want nothing listed", got, err)
	}
	if got, _ := s.FailedOutboxes(ctx, 10, time.Time{}); !slices.Equal(got, []string{"mid"}) {
		t.Fatalf("after dropping failures older than 30 min: %q, want [mid]", got)
	}
	// A mark-only save leaves the session as it was.
	mustLoad(t, s, "new", []byte("x"))
}

// testOutboxForget: deleting a conversation's data takes it out of the
// index too (the index holds the conversation key: personal data).
func testOutboxForget(t *testing.T, s Store) {
	ctx := ctxFor(t)
	for _, c := range []string{"gone", "kept"} {
		if err := s.SaveOutbox(ctx, c, []byte("x"), longTTL, bot.OutboxMark{Due: base, Failed: base}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Forget(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	mustBeMissing(t, s, "gone")
	if got, _ := s.FailedOutboxes(ctx, 10, time.Time{}); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("failed list after Forget = %q", got)
	}
	if got := claim(t, s, base, time.Minute, 10); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("due list after Forget = %q", got)
	}
}
