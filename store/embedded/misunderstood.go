package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketMisunderstood holds the texts the bot did not understand: key the
// time (Unix nanoseconds, big-endian) and a sequence number, value the
// expiry, then lang, NUL, text. No conversation is named anywhere.
var bucketMisunderstood = []byte("misunderstood")

// AddMisunderstood keeps a text the bot did not understand (masked by the
// caller) until at+keep; the janitor removes it after.
func (s *Store) AddMisunderstood(ctx context.Context, lang, text string, at time.Time, keep time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: add misunderstood: %w", err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMisunderstood)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := make([]byte, 16)
		binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
		binary.BigEndian.PutUint64(k[8:], seq)
		return b.Put(k, encode([]byte(lang+"\x00"+text), at.Add(keep).UnixNano()))
	})
	if err != nil {
		return fmt.Errorf("embedded store: add misunderstood: %w", err)
	}
	return nil
}

// EachMisunderstood calls fn with every text kept since since, oldest
// first.
func (s *Store) EachMisunderstood(ctx context.Context, since time.Time, fn func(lang, text string, at time.Time)) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMisunderstood)
		if b == nil {
			return nil
		}
		now := s.now().UnixNano()
		from := make([]byte, 8)
		binary.BigEndian.PutUint64(from, uint64(max(since.UnixNano(), 0)))
		c := b.Cursor()
		for k, v := c.Seek(from); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(k) != 16 || !live(v, now) {
				continue
			}
			lang, text, _ := strings.Cut(string(v[prefixLen:]), "\x00")
			fn(lang, text, time.Unix(0, int64(binary.BigEndian.Uint64(k))))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded store: misunderstood: %w", err)
	}
	return nil
}
