package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"teamsbot/booking/ledger"

	bolt "go.etcd.io/bbolt"
)

// Bookings live in three buckets: bookings (code → JSON), by-slot (place,
// start, code → nothing) to count a slot, and by-conversation (conversation,
// code → nothing) to list and forget a user's. Book counts and inserts in
// one bbolt write transaction, and bbolt runs one writer at a time: the
// check and the insert cannot interleave with another booking.
var (
	bucketBookings = []byte("bookings")
	bucketBySlot   = []byte("bookings_by_slot")
	bucketByConv   = []byte("bookings_by_conv")
)

func slotPrefix(place string, start time.Time) []byte {
	k := append([]byte(place), 0)
	k = binary.BigEndian.AppendUint64(k, uint64(start.Unix()))
	return append(k, 0)
}

func placePrefix(place string) []byte { return append([]byte(place), 0) }

func convPrefix(conv string) []byte { return append([]byte(conv), 0) }

func countPrefix(b *bolt.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// Book implements ledger.Store.
func (s *Store) Book(ctx context.Context, b ledger.Booking, capacity, maxPerUser int, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: book: %w", err)
	}
	if err := checkConv(b.Conv); err != nil || b.Code == "" || b.Place == "" {
		return fmt.Errorf("embedded store: book: incomplete booking")
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		books, bySlot, byConv := tx.Bucket(bucketBookings), tx.Bucket(bucketBySlot), tx.Bucket(bucketByConv)
		if books.Get([]byte(b.Code)) != nil {
			return fmt.Errorf("embedded store: booking code in use")
		}
		mine := 0
		if maxPerUser > 0 {
			c := byConv.Cursor()
			p := convPrefix(b.Conv)
			for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
				var x ledger.Booking
				if json.Unmarshal(books.Get(k[len(p):]), &x) == nil && x.Place == b.Place && x.Start.After(now) {
					mine++
				}
			}
		}
		if err := ledger.Admit(countPrefix(bySlot, slotPrefix(b.Place, b.Start)), mine, capacity, maxPerUser); err != nil {
			return err
		}
		if err := books.Put([]byte(b.Code), raw); err != nil {
			return err
		}
		if err := bySlot.Put(append(slotPrefix(b.Place, b.Start), b.Code...), nil); err != nil {
			return err
		}
		return byConv.Put(append(convPrefix(b.Conv), b.Code...), nil)
	})
}

func deleteBooking(tx *bolt.Tx, x ledger.Booking) error {
	if err := tx.Bucket(bucketBookings).Delete([]byte(x.Code)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketBySlot).Delete(append(slotPrefix(x.Place, x.Start), x.Code...)); err != nil {
		return err
	}
	return tx.Bucket(bucketByConv).Delete(append(convPrefix(x.Conv), x.Code...))
}

// Cancel implements ledger.Store.
func (s *Store) Cancel(ctx context.Context, conv, code string) (ledger.Booking, error) {
	var out ledger.Booking
	if err := ctx.Err(); err != nil {
		return out, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketBookings).Get([]byte(code))
		if raw == nil || json.Unmarshal(raw, &out) != nil || out.Conv != conv {
			return ledger.ErrNoBooking
		}
		return deleteBooking(tx, out)
	})
	if err != nil {
		return ledger.Booking{}, err
	}
	return out, nil
}

// forgetBookings deletes every booking of a conversation (inside Forget's
// transaction), which frees their slots.
func forgetBookings(tx *bolt.Tx, conv string) error {
	var mine []ledger.Booking
	p := convPrefix(conv)
	c := tx.Bucket(bucketByConv).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		var x ledger.Booking
		if json.Unmarshal(tx.Bucket(bucketBookings).Get(k[len(p):]), &x) == nil {
			mine = append(mine, x)
		}
	}
	for _, x := range mine {
		if err := deleteBooking(tx, x); err != nil {
			return err
		}
	}
	return nil
}

// Upcoming implements ledger.Store.
func (s *Store) Upcoming(ctx context.Context, conv string, now time.Time) ([]ledger.Booking, error) {
	var out []ledger.Booking
	err := s.db.View(func(tx *bolt.Tx) error {
		p := convPrefix(conv)
		c := tx.Bucket(bucketByConv).Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			var x ledger.Booking
			if json.Unmarshal(tx.Bucket(bucketBookings).Get(k[len(p):]), &x) == nil && x.Start.After(now) {
				out = append(out, x)
			}
		}
		return nil
	})
	sortByStart(out)
	return out, err
}

// Between implements ledger.Store.
func (s *Store) Between(ctx context.Context, place string, from, to time.Time) ([]ledger.Booking, error) {
	var out []ledger.Booking
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBySlot).Cursor()
		start := slotPrefix(place, from)
		p := placePrefix(place)
		for k, _ := c.Seek(start[:len(start)-1]); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			rest := k[len(p):]
			if len(rest) < 9 {
				continue
			}
			at := time.Unix(int64(binary.BigEndian.Uint64(rest[:8])), 0)
			if !at.Before(to) {
				break
			}
			var x ledger.Booking
			if json.Unmarshal(tx.Bucket(bucketBookings).Get(rest[9:]), &x) == nil {
				out = append(out, x)
			}
		}
		return nil
	})
	return out, err
}

func sortByStart(bs []ledger.Booking) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Start.Before(bs[j-1].Start); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}
