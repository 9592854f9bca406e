package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// Bench runs the store benchmarks: Save then Load of a 600-byte session,
// FirstSeen of a new id, and Lock then unlock. Every sub-benchmark calls open
// for a fresh store and closes it when it ends.
func Bench(b *testing.B, open func(b *testing.B) Store) {
	fresh := func(b *testing.B) Store {
		s := open(b)
		b.Cleanup(func() {
			if err := s.Close(); err != nil {
				b.Errorf("Close: %v", err)
			}
		})
		return s
	}
	ctx := context.Background()

	b.Run("SaveLoad600B", func(b *testing.B) {
		s := fresh(b)
		value := make([]byte, 600)
		for i := range value {
			value[i] = byte('a' + i%26)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			if err := s.Save(ctx, "teams:conv", value, time.Hour); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Load(ctx, "teams:conv"); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("FirstSeen", func(b *testing.B) {
		s := fresh(b)
		id := make([]byte, 0, 32)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			id = strconv.AppendInt(append(id[:0], "msg-"...), int64(i), 10)
			first, err := s.FirstSeen(ctx, "teams:conv", string(id), time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			if !first {
				b.Fatal("a new id was not first seen")
			}
		}
	})

	b.Run("LockUnlock", func(b *testing.B) {
		s := fresh(b)
		b.ReportAllocs()
		for b.Loop() {
			unlock, err := s.Lock(ctx, "teams:conv", time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			unlock()
		}
	})
}
