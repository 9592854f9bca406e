package storetest

import (
	"testing"
	"time"

	"teamsbot/bot"
)

// testArrivals: the lowest waiting sequence number of a conversation, per
// conversation; a departed or expired one no longer counts.
func testArrivals(t *testing.T, s Store) {
	ar, ok := s.(bot.Arrivals)
	if !ok {
		t.Skip("the store does not order arrivals")
	}
	ctx := ctxFor(t)
	lowest := func(conv string) (int64, bool) {
		t.Helper()
		n, found, err := ar.Lowest(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		return n, found
	}
	if _, found := lowest("a"); found {
		t.Fatal("a conversation with no arrivals has a lowest")
	}
	for _, seq := range []int64{1780000000123, 1780000000042, 1780000000777} {
		if err := ar.Arrive(ctx, "a", seq, longTTL); err != nil {
			t.Fatal(err)
		}
	}
	if err := ar.Arrive(ctx, "b", 5, longTTL); err != nil {
		t.Fatal(err)
	}
	if n, _ := lowest("a"); n != 1780000000042 {
		t.Fatalf("lowest = %d", n)
	}
	if err := ar.Depart(ctx, "a", 1780000000042); err != nil {
		t.Fatal(err)
	}
	if n, _ := lowest("a"); n != 1780000000123 {
		t.Fatalf("after a departure lowest = %d", n)
	}
	if n, _ := lowest("b"); n != 5 {
		t.Fatalf("another conversation: %d", n)
	}
	// An arrival whose handler died expires on its own.
	if err := ar.Arrive(ctx, "a", 7, shortTTL); err != nil {
		t.Fatal(err)
	}
	if n, _ := lowest("a"); n != 7 {
		t.Fatalf("lowest = %d, want 7", n)
	}
	time.Sleep(2 * shortTTL)
	if n, _ := lowest("a"); n != 1780000000123 {
		t.Fatalf("an expired arrival still counts: lowest = %d", n)
	}
}
