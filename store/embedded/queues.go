package embedded

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bucketQueues holds the desk's queues (handoff.Queues): a bucket per
// queue, member → score (8 bytes, big-endian). Queues are small (the cases
// open at one time): a list reads one and sorts it.
var bucketQueues = []byte("queues")

// QueuePut implements handoff.Queues.
func (s *Store) QueuePut(ctx context.Context, queue, member string, score int64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: queue put: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketQueues).CreateBucketIfNotExists([]byte(queue))
		if err != nil {
			return err
		}
		return b.Put([]byte(member), binary.BigEndian.AppendUint64(nil, uint64(score)))
	})
	if err != nil {
		return fmt.Errorf("embedded store: queue put: %w", err)
	}
	return nil
}

// QueueDrop implements handoff.Queues.
func (s *Store) QueueDrop(ctx context.Context, queue, member string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: queue drop: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketQueues).Bucket([]byte(queue)); b != nil {
			return b.Delete([]byte(member))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded store: queue drop: %w", err)
	}
	return nil
}

// QueueList implements handoff.Queues.
func (s *Store) QueueList(ctx context.Context, queue string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded store: queue list: %w", err)
	}
	type entry struct {
		member string
		score  int64
	}
	var all []entry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueues).Bucket([]byte(queue))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				all = append(all, entry{string(k), int64(binary.BigEndian.Uint64(v))})
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: queue list: %w", err)
	}
	slices.SortFunc(all, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.score, b.score), strings.Compare(a.member, b.member))
	})
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = e.member
	}
	return out, nil
}
