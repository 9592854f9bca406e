package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"teamsbot/bot"
)

// The outbox index: conversation → due time, and conversation → failure
// time (8 bytes, Unix nanoseconds, big endian). Both hold only the
// conversations with undelivered or failed replies: a few, not every user.
var (
	bucketOutboxDue    = []byte("outbox_due")
	bucketOutboxFailed = []byte("outbox_failed")
)

// SaveOutbox implements bot.Outboxes: the session and its index entries in
// one transaction (one fsync); the index only when value is nil.
func (s *Store) SaveOutbox(ctx context.Context, conv string, value []byte, ttl time.Duration, m bot.OutboxMark) error {
	if value == nil {
		return s.markOnly(ctx, conv, m)
	}
	return s.save(ctx, conv, value, ttl, func(tx *bolt.Tx) error { return markOutbox(tx, conv, m) })
}

func (s *Store) markOnly(ctx context.Context, conv string, m bot.OutboxMark) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: mark outbox: %w", err)
	}
	if err := checkConv(conv); err != nil {
		return fmt.Errorf("embedded store: mark outbox: %w", err)
	}
	if err := s.update(func(tx *bolt.Tx) error { return markOutbox(tx, conv, m) }); err != nil {
		return fmt.Errorf("embedded store: mark outbox: %w", err)
	}
	return nil
}

func markOutbox(tx *bolt.Tx, conv string, m bot.OutboxMark) error {
	if err := setOrDelete(tx.Bucket(bucketOutboxDue), conv, m.Due); err != nil {
		return err
	}
	return setOrDelete(tx.Bucket(bucketOutboxFailed), conv, m.Failed)
}

func setOrDelete(b *bolt.Bucket, conv string, t time.Time) error {
	if t.IsZero() {
		if b.Get([]byte(conv)) == nil {
			return nil // no write: the common case of a turn sent at once
		}
		return b.Delete([]byte(conv))
	}
	return b.Put([]byte(conv), binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())))
}

type timed struct {
	conv string
	at   int64
}

// scan returns the entries of b that keep accepts, oldest first.
func scan(b *bolt.Bucket, keep func(at int64) bool) []timed {
	var out []timed
	_ = b.ForEach(func(k, v []byte) error {
		if len(v) == 8 {
			if at := int64(binary.BigEndian.Uint64(v)); keep(at) {
				out = append(out, timed{string(k), at})
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b timed) int {
		if a.at != b.at {
			return compare(a.at, b.at)
		}
		return bytes.Compare([]byte(a.conv), []byte(b.conv))
	})
	return out
}

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ClaimOutboxes implements bot.Outboxes in one transaction.
func (s *Store) ClaimOutboxes(ctx context.Context, now time.Time, lease time.Duration, n int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded store: claim outboxes: %w", err)
	}
	var out []string
	// A read first: most sweeps find nothing due and need no write.
	due := func(tx *bolt.Tx) []timed {
		es := scan(tx.Bucket(bucketOutboxDue), func(at int64) bool { return at <= now.UnixNano() })
		return es[:min(n, len(es))]
	}
	var found int
	_ = s.db.View(func(tx *bolt.Tx) error { found = len(due(tx)); return nil })
	if found == 0 {
		return nil, nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutboxDue)
		next := binary.BigEndian.AppendUint64(nil, uint64(now.Add(lease).UnixNano()))
		for _, e := range due(tx) {
			if err := b.Put([]byte(e.conv), next); err != nil {
				return err
			}
			out = append(out, e.conv)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: claim outboxes: %w", err)
	}
	return out, nil
}

// FailedOutboxes implements bot.Outboxes.
func (s *Store) FailedOutboxes(ctx context.Context, n int, forgetBefore time.Time) ([]string, error) {
	if !forgetBefore.IsZero() {
		if err := s.dropFailedBefore(ctx, forgetBefore); err != nil {
			return nil, err
		}
	}
	if n <= 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded store: failed outboxes: %w", err)
	}
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		es := scan(tx.Bucket(bucketOutboxFailed), func(int64) bool { return true })
		for i := len(es) - 1; i >= 0 && len(out) < n; i-- {
			out = append(out, es[i].conv)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: failed outboxes: %w", err)
	}
	return out, nil
}

// dropFailedBefore forgets the failures older than before: a read first, a
// write only when something is that old.
func (s *Store) dropFailedBefore(ctx context.Context, before time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: drop failed: %w", err)
	}
	old := func(tx *bolt.Tx) []timed {
		return scan(tx.Bucket(bucketOutboxFailed), func(at int64) bool { return at < before.UnixNano() })
	}
	var n int
	_ = s.db.View(func(tx *bolt.Tx) error { n = len(old(tx)); return nil })
	if n == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutboxFailed)
		for _, e := range old(tx) {
			if err := b.Delete([]byte(e.conv)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded store: drop failed: %w", err)
	}
	return nil
}

// OutboxDepth counts the conversations with replies waiting to be sent
// (due now or later) and those with replies given up.
func (s *Store) OutboxDepth(ctx context.Context) (waiting, failed int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketOutboxDue); b != nil {
			waiting = b.Stats().KeyN
		}
		if b := tx.Bucket(bucketOutboxFailed); b != nil {
			failed = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("embedded store: outbox depth: %w", err)
	}
	return waiting, failed, nil
}
