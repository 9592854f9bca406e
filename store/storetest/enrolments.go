package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"teamsbot/activities/roster"
)

// testJoinNeverExceedsCapacity: 100 users join an activity with 5 places
// and a waiting list at once: exactly 5 are joined, 95 wait with distinct
// positions 1..95; without a waiting list the rest are told it is full.
func testJoinNeverExceedsCapacity(t *testing.T, s Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	joined, positions := 0, map[int]bool{}
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, pos, err := s.Join(ctx, roster.Enrolment{Activity: "cucina", Conv: fmt.Sprintf("test:u%d", i), Lang: "it"}, 5, true)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("Join: %v", err)
			case st == roster.Joined:
				joined++
			default:
				if positions[pos] {
					t.Errorf("position %d given twice", pos)
				}
				positions[pos] = true
			}
		}()
	}
	wg.Wait()
	if joined != 5 || len(positions) != 95 || !positions[1] || !positions[95] {
		t.Fatalf("joined %d, waiting positions %d", joined, len(positions))
	}
	r, err := s.Roster(ctx, "cucina")
	if err != nil || len(r) != 100 || r[4].Status != roster.Joined || r[5].Status != roster.Waiting {
		t.Fatalf("Roster: %d, %v", len(r), err)
	}
	if _, _, err := s.Join(ctx, roster.Enrolment{Activity: "cucina", Conv: "test:u3"}, 5, true); !errors.Is(err, roster.ErrAlreadyEnrolled) {
		t.Errorf("joining twice: %v", err)
	}
	for i := range 3 {
		if _, _, err := s.Join(ctx, roster.Enrolment{Activity: "calcio", Conv: fmt.Sprintf("test:v%d", i)}, 2, false); i == 2 && !errors.Is(err, roster.ErrActivityFull) {
			t.Errorf("a full activity without a waiting list: %v", err)
		}
	}
	if st, _, err := s.Join(ctx, roster.Enrolment{Activity: "open", Conv: "test:w"}, 0, false); err != nil || st != roster.Joined {
		t.Errorf("no limit: %s %v", st, err)
	}
}

func testLeavePromotes(t *testing.T, s Store) {
	ctx := context.Background()
	for _, u := range []string{"a", "b", "c", "d"} {
		if _, _, err := s.Join(ctx, roster.Enrolment{Activity: "gita", Conv: "test:" + u, Lang: "ar"}, 2, true); err != nil {
			t.Fatal(err)
		}
	}
	// A waiting user leaving promotes nobody.
	if p, err := s.Leave(ctx, "gita", "test:d", 2); err != nil || p != nil {
		t.Fatalf("waiting leaves: %+v %v", p, err)
	}
	// A joined user leaving promotes the first waiting.
	p, err := s.Leave(ctx, "gita", "test:a", 2)
	if err != nil || p == nil || p.Conv != "test:c" || p.Status != roster.Joined || p.Lang != "ar" {
		t.Fatalf("joined leaves: %+v %v", p, err)
	}
	if _, err := s.Leave(ctx, "gita", "test:a", 2); !errors.Is(err, roster.ErrNotEnrolled) {
		t.Errorf("leaving twice: %v", err)
	}
	mine, err := s.Enrolled(ctx, "test:c")
	if err != nil || len(mine) != 1 || mine[0].Status != roster.Joined {
		t.Errorf("Enrolled: %+v %v", mine, err)
	}
	if err := s.Forget(ctx, "test:c"); err != nil {
		t.Fatal(err)
	}
	if mine, _ := s.Enrolled(ctx, "test:c"); len(mine) != 0 {
		t.Errorf("enrolments survived Forget: %+v", mine)
	}
	if r, _ := s.Roster(ctx, "gita"); len(r) != 1 || r[0].Conv != "test:b" {
		t.Errorf("roster after forget: %+v", r)
	}
}
