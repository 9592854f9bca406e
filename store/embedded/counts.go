package embedded

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketCounts holds the programme's daily counters: a bucket per day
// ("2026-12-06"), key the counter's name, value an int64 (big-endian).
// Counts name no conversation.
var bucketCounts = []byte("counts")

// AddCounts adds deltas to day's counters, in one transaction.
func (s *Store) AddCounts(ctx context.Context, day string, deltas map[string]int64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: add counts: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketCounts)
		if err != nil {
			return err
		}
		b, err := root.CreateBucketIfNotExists([]byte(day))
		if err != nil {
			return err
		}
		for k, d := range deltas {
			var v int64
			if old := b.Get([]byte(k)); len(old) == 8 {
				v = int64(binary.BigEndian.Uint64(old))
			}
			buf := make([]byte, 8)
			binary.BigEndian.PutUint64(buf, uint64(v+d))
			if err := b.Put([]byte(k), buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded store: add counts: %w", err)
	}
	return nil
}

// Counts returns the counters of each day asked for that has any.
func (s *Store) Counts(ctx context.Context, days []string) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketCounts)
		if root == nil {
			return nil
		}
		for _, day := range days {
			if err := ctx.Err(); err != nil {
				return err
			}
			b := root.Bucket([]byte(day))
			if b == nil {
				continue
			}
			m := map[string]int64{}
			if err := b.ForEach(func(k, v []byte) error {
				if len(v) == 8 {
					m[string(k)] = int64(binary.BigEndian.Uint64(v))
				}
				return nil
			}); err != nil {
				return err
			}
			out[day] = m
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: counts: %w", err)
	}
	return out, nil
}
