package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"teamsbot/internal/every"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"teamsbot/activities/roster"
	"teamsbot/booking/ledger"
	"teamsbot/bot"
	"teamsbot/store/internal/arrivals"
	"teamsbot/store/internal/keylock"
)

var (
	_ bot.Store    = (*Store)(nil)
	_ ledger.Store = (*Store)(nil)
	_ roster.Store = (*Store)(nil)
)

const (
	// FileName is the name of the database file in the data folder.
	FileName = "teamsbot.db"
	// openTimeout bounds the wait for the file lock held by another process.
	openTimeout = 2 * time.Second
	// janitorEvery is the interval between background sweeps.
	janitorEvery = 10 * time.Minute
	// defaultSweepBatch is the number of expired keys a Sweep deletes per
	// transaction, so a large sweep does not hold the writer for long.
	defaultSweepBatch = 10_000
	// prefixLen is the length of the expiry prefix of every value.
	prefixLen = 8
)

var (
	bucketSessions = []byte("sessions")
	bucketSeen     = []byte("seen")
)

var errBadConv = errors.New("invalid conversation key (empty or containing a NUL byte)")

// Store is a bot.Store in a bbolt file. It is safe for concurrent use.
// A TTL <= 0 means the entry or lock never expires.
type Store struct {
	db    *bolt.DB
	locks keylock.Set
	// Arrivals (bot.Arrivals): in process, as one process serves.
	arrivals.Set
	now        func() time.Time
	sweepBatch int
	// commits groups the turns' concurrent writes (commit.go).
	commits committer

	stopJanitor context.CancelFunc
	janitorDone chan struct{}
	closed      atomic.Bool
	closeOnce   sync.Once
	closeErr    error
}

// Open opens (creating if needed) the store in dir: the folder is created
// with mode 0700 and the file dir/teamsbot.db with mode 0600. If another
// process has the folder open, Open fails after about 2 s.
func Open(dir string) (*Store, error) {
	return openEvery(dir, janitorEvery)
}

// openEvery is Open with the janitor's interval as a parameter, for tests.
func openEvery(dir string, every time.Duration) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded store: create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("data folder %s is in use by another teamsbot process: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketSessions, bucketSeen, bucketBookings, bucketBySlot, bucketByConv, bucketEnrol, bucketEnrolByConv, bucketOutboxDue, bucketOutboxFailed, bucketMisunderstood, bucketQueues} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("embedded store: open %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, sweepBatch: defaultSweepBatch, janitorDone: make(chan struct{})}
	if _, err := s.Sweep(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopJanitor = cancel
	go s.janitor(ctx, every)
	return s, nil
}

// janitor sweeps every interval until ctx ends. A failed sweep is left
// to the next one: the store has no logger, and expired entries already
// read as missing.
func (s *Store) janitor(ctx context.Context, interval time.Duration) {
	defer close(s.janitorDone)
	every.Run(ctx, interval, false, func(ctx context.Context) { _, _ = s.Sweep(ctx) })
}

func checkConv(conv string) error {
	if conv == "" || strings.IndexByte(conv, 0) >= 0 {
		return errBadConv
	}
	return nil
}

// seenKey returns conv + "\x00" + id.
func seenKey(conv, id string) []byte {
	k := make([]byte, 0, len(conv)+1+len(id))
	k = append(k, conv...)
	k = append(k, 0)
	return append(k, id...)
}

// expiry returns the expiry to store for ttl: Unix nanoseconds, 0 for never.
func (s *Store) expiry(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return s.now().Add(ttl).UnixNano()
}

// encode returns the stored form of data: its expiry, then data.
func encode(data []byte, expires int64) []byte {
	v := make([]byte, prefixLen+len(data))
	binary.BigEndian.PutUint64(v, uint64(expires))
	copy(v[prefixLen:], data)
	return v
}

// live reports whether a stored value exists, is well formed and has not
// expired at now (Unix nanoseconds).
func live(v []byte, now int64) bool {
	if len(v) < prefixLen {
		return false
	}
	exp := int64(binary.BigEndian.Uint64(v))
	return exp == 0 || now < exp
}

// Load returns the session of conv, or an error wrapping bot.ErrNotFound.
func (s *Store) Load(ctx context.Context, conv string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded store: load session: %w", err)
	}
	if err := checkConv(conv); err != nil {
		return nil, fmt.Errorf("embedded store: load session: %w", err)
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get([]byte(conv))
		if !live(v, s.now().UnixNano()) {
			return bot.ErrNotFound
		}
		out = bytes.Clone(v[prefixLen:]) // v is only valid in the transaction
		if out == nil {
			out = []byte{}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: load session: %w", err)
	}
	return out, nil
}

// Save stores value as the session of conv for ttl.
func (s *Store) Save(ctx context.Context, conv string, value []byte, ttl time.Duration) error {
	return s.save(ctx, conv, value, ttl, nil)
}

// save stores the session and runs also (if any) in the same transaction.
func (s *Store) save(ctx context.Context, conv string, value []byte, ttl time.Duration, also func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: save session: %w", err)
	}
	if err := checkConv(conv); err != nil {
		return fmt.Errorf("embedded store: save session: %w", err)
	}
	v := encode(value, s.expiry(ttl))
	err := s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Put([]byte(conv), v); err != nil || also == nil {
			return err
		}
		return also(tx)
	})
	if err != nil {
		return fmt.Errorf("embedded store: save session (%d bytes): %w", len(value), err)
	}
	return nil
}

// FirstSeen records id for conv for ttl and reports whether it was not
// already recorded, in one transaction. A repeat does not extend the record.
func (s *Store) FirstSeen(ctx context.Context, conv, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("embedded store: first seen: %w", err)
	}
	if err := checkConv(conv); err != nil {
		return false, fmt.Errorf("embedded store: first seen: %w", err)
	}
	key := seenKey(conv, id)
	first := false
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeen)
		if live(b.Get(key), s.now().UnixNano()) {
			first = false
			return nil
		}
		first = true
		return b.Put(key, encode(nil, s.expiry(ttl)))
	})
	if err != nil {
		return false, fmt.Errorf("embedded store: first seen: %w", err)
	}
	return first, nil
}

// Lock takes the in-process lock of conv; see bot.Locker.
func (s *Store) Lock(ctx context.Context, conv string, ttl time.Duration) (func(), error) {
	if s.closed.Load() {
		return nil, errors.New("embedded store: lock: store closed")
	}
	unlock, err := s.locks.Lock(ctx, conv, ttl)
	if err != nil {
		return nil, fmt.Errorf("embedded store: lock: %w (%w)", bot.ErrLockTimeout, err)
	}
	return unlock, nil
}

// Forget deletes the session and the dedup records of conv, in one
// transaction.
func (s *Store) Forget(ctx context.Context, conv string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: forget: %w", err)
	}
	if err := checkConv(conv); err != nil {
		return fmt.Errorf("embedded store: forget: %w", err)
	}
	prefix := seenKey(conv, "")
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Delete([]byte(conv)); err != nil {
			return err
		}
		// Collect, then delete: deleting under a moving cursor can skip keys.
		var keys [][]byte
		c := tx.Bucket(bucketSeen).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		b := tx.Bucket(bucketSeen)
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if err := forgetBookings(tx, conv); err != nil {
			return err
		}
		if err := markOutbox(tx, conv, bot.OutboxMark{}); err != nil {
			return err
		}
		return forgetEnrolments(tx, conv)
	})
	if err != nil {
		return fmt.Errorf("embedded store: forget: %w", err)
	}
	return nil
}

// Ping reports whether the database is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded store: ping: %w", err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSessions) == nil || tx.Bucket(bucketSeen) == nil {
			return errors.New("buckets missing")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded store: ping: %w", err)
	}
	return nil
}

// Sweep deletes the expired (and malformed) entries of the sessions, the
// seen-once marks and the texts not understood, and
// returns how many it deleted. It works in transactions of at most
// 10,000 deletions and stops early, with ctx's error, when ctx ends.
func (s *Store) Sweep(ctx context.Context) (removed int, err error) {
	for _, name := range [][]byte{bucketSessions, bucketSeen, bucketMisunderstood} {
		var from []byte // where the next batch starts; nil: the first key
		for {
			if err := ctx.Err(); err != nil {
				return removed, fmt.Errorf("embedded store: sweep: %w", err)
			}
			start := from
			from = nil
			var n int
			err := s.db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(name)
				c := b.Cursor()
				now := s.now().UnixNano()
				var expired [][]byte
				k, v := c.First()
				if start != nil {
					k, v = c.Seek(start)
				}
				for ; k != nil; k, v = c.Next() {
					if len(expired) == s.sweepBatch {
						from = bytes.Clone(k)
						break
					}
					if !live(v, now) {
						expired = append(expired, bytes.Clone(k))
					}
				}
				for _, k := range expired {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
				n = len(expired)
				return nil
			})
			if err != nil {
				return removed, fmt.Errorf("embedded store: sweep %s: %w", name, err)
			}
			removed += n
			if from == nil {
				break
			}
		}
	}
	return removed, nil
}

// Close stops the janitor and closes the database file. It is idempotent:
// later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.stopJanitor()
		<-s.janitorDone
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("embedded store: close: %w", err)
		}
	})
	return s.closeErr
}
