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

// testRaisedSeatsGoToTheWaiting: an association raises the seats from 2 to
// 4; the first two waiting, in order of arrival, are promoted at once;
// again, nobody; no limit at all takes the last one in.
func testRaisedSeatsGoToTheWaiting(t *testing.T, s Store) {
	ctx := context.Background()
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		if _, _, err := s.Join(ctx, roster.Enrolment{Activity: "corso", Conv: "test:" + u, Lang: "zh"}, 2, true); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Promote(ctx, "corso", 4)
	if err != nil || len(got) != 2 || got[0].Conv != "test:c" || got[1].Conv != "test:d" || got[0].Status != roster.Joined || got[0].Lang != "zh" {
		t.Fatalf("seats 2 → 4 promoted %+v, %v", got, err)
	}
	if again, err := s.Promote(ctx, "corso", 4); err != nil || len(again) != 0 {
		t.Errorf("promoted again: %+v, %v", again, err)
	}
	r, _ := s.Roster(ctx, "corso")
	if len(r) != 5 || r[3].Status != roster.Joined || r[4].Conv != "test:e" || r[4].Status != roster.Waiting {
		t.Errorf("roster after raising the seats: %+v", r)
	}
	if last, err := s.Promote(ctx, "corso", 0); err != nil || len(last) != 1 || last[0].Conv != "test:e" {
		t.Errorf("no limit: %+v, %v", last, err)
	}
	if none, err := s.Promote(ctx, "nothing", 3); err != nil || len(none) != 0 {
		t.Errorf("an activity nobody joined: %+v, %v", none, err)
	}
}
