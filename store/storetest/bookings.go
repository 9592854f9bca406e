package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func booking(code, conv, place string, start time.Time) ledger.Booking {
	return ledger.Booking{Code: code, Conv: conv, Place: place, Service: "first_reception", Lang: "ar", Start: start, Minutes: 30}
}

// testBookExactlyCapacity: 200 concurrent attempts on a slot with 2 desks:
// exactly 2 succeed, the rest are told the slot is full.
func testBookExactlyCapacity(t *testing.T, s Store) {
	ctx := context.Background()
	now := t0.Add(-48 * time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, full, other := 0, 0, 0
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Book(ctx, booking(fmt.Sprintf("C%03d", i), fmt.Sprintf("test:user%d", i), "po-pua", t0), 2, 2, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ledger.ErrSlotFull):
				full++
			default:
				other++
				t.Errorf("Book: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 2 || full != 198 || other != 0 {
		t.Fatalf("200 attempts on 2 desks: %d booked, %d full, %d errors", ok, full, other)
	}
	got, err := s.Between(ctx, "po-pua", t0, t0.Add(time.Minute))
	if err != nil || len(got) != 2 {
		t.Fatalf("Between: %d bookings, %v", len(got), err)
	}
}

func testBookLimitPerUser(t *testing.T, s Store) {
	ctx := context.Background()
	now := t0.Add(-time.Hour)
	for i, at := range []time.Time{t0, t0.Add(time.Hour)} {
		if err := s.Book(ctx, booking(fmt.Sprint("L", i), "test:u", "po-pua", at), 2, 2, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Book(ctx, booking("L2", "test:u", "po-pua", t0.Add(2*time.Hour)), 2, 2, now); !errors.Is(err, ledger.ErrTooManyBookings) {
		t.Errorf("a third future booking at the same place: %v", err)
	}
	if err := s.Book(ctx, booking("L3", "test:u", "fi-pua", t0), 2, 2, now); err != nil {
		t.Errorf("another place: %v", err)
	}
	// Once the first appointment is past, it no longer counts.
	if err := s.Book(ctx, booking("L4", "test:u", "po-pua", t0.Add(3*time.Hour)), 2, 2, t0.Add(time.Minute)); err != nil {
		t.Errorf("after the first appointment passed: %v", err)
	}
	if err := s.Book(ctx, booking("L4", "test:other", "po-pua", t0.Add(5*time.Hour)), 2, 2, now); err == nil {
		t.Error("a booking code was used twice")
	}
}

func testBookCancelAndList(t *testing.T, s Store) {
	ctx := context.Background()
	now := t0.Add(-time.Hour)
	if err := s.Book(ctx, booking("K1", "test:a", "po-pua", t0.Add(time.Hour)), 1, 2, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Book(ctx, booking("K2", "test:a", "fi-pua", t0), 1, 2, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Book(ctx, booking("K3", "test:b", "po-pua", t0.Add(time.Hour)), 1, 2, now); !errors.Is(err, ledger.ErrSlotFull) {
		t.Fatalf("a full slot: %v", err)
	}
	up, err := s.Upcoming(ctx, "test:a", now)
	if err != nil || len(up) != 2 || up[0].Code != "K2" || up[1].Code != "K1" || up[0].Lang != "ar" {
		t.Fatalf("Upcoming: %+v, %v", up, err)
	}
	if up, _ := s.Upcoming(ctx, "test:a", t0.Add(30*time.Minute)); len(up) != 1 {
		t.Errorf("past bookings listed as upcoming: %+v", up)
	}
	if _, err := s.Cancel(ctx, "test:b", "K1"); !errors.Is(err, ledger.ErrNoBooking) {
		t.Errorf("someone else's code: %v", err)
	}
	b, err := s.Cancel(ctx, "test:a", "K1")
	if err != nil || b.Place != "po-pua" {
		t.Fatalf("Cancel: %+v, %v", b, err)
	}
	if _, err := s.Cancel(ctx, "test:a", "K1"); !errors.Is(err, ledger.ErrNoBooking) {
		t.Errorf("a cancelled code again: %v", err)
	}
	// The slot is free again at once.
	if err := s.Book(ctx, booking("K3", "test:b", "po-pua", t0.Add(time.Hour)), 1, 2, now); err != nil {
		t.Errorf("after a cancellation: %v", err)
	}
	day, err := s.Between(ctx, "po-pua", t0, t0.Add(24*time.Hour))
	if err != nil || len(day) != 1 || day[0].Code != "K3" {
		t.Errorf("Between: %+v %v", day, err)
	}
	if none, _ := s.Between(ctx, "po-pua", t0.Add(2*time.Hour), t0.Add(3*time.Hour)); len(none) != 0 {
		t.Errorf("Between outside the range: %+v", none)
	}
}

func testForgetBookings(t *testing.T, s Store) {
	ctx := context.Background()
	now := t0.Add(-time.Hour)
	if err := s.Book(ctx, booking("F1", "test:gone", "po-pua", t0), 1, 2, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Book(ctx, booking("F2", "test:stays", "fi-pua", t0), 1, 2, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, "test:gone"); err != nil {
		t.Fatal(err)
	}
	if up, _ := s.Upcoming(ctx, "test:gone", now); len(up) != 0 {
		t.Errorf("bookings survived Forget: %+v", up)
	}
	if err := s.Book(ctx, booking("F3", "test:new", "po-pua", t0), 1, 2, now); err != nil {
		t.Errorf("the forgotten user's slot is not free: %v", err)
	}
	if up, _ := s.Upcoming(ctx, "test:stays", now); len(up) != 1 {
		t.Errorf("Forget removed another user's booking: %+v", up)
	}
}
