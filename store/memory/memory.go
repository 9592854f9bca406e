package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"teamsbot/booking/ledger"

	"teamsbot/activities/roster"
	"teamsbot/bot"
	"teamsbot/store/internal/arrivals"
	"teamsbot/store/internal/keylock"
)

var (
	_ bot.Store    = (*Store)(nil)
	_ ledger.Store = (*Store)(nil)
	_ roster.Store = (*Store)(nil)
)

// minPurge is the number of entries below which the store never scans for
// expired entries.
const minPurge = 1024

// errClosed is returned by every operation on a closed Store.
var errClosed = errors.New("memory store: closed")

// Store is an in-memory bot.Store. Create one with New; it is safe for
// concurrent use. A TTL <= 0 means the entry or lock never expires.
type Store struct {
	locks keylock.Set
	// Arrivals (bot.Arrivals): in process, as one process serves.
	arrivals.Set

	mu       sync.Mutex
	closed   atomic.Bool // written under mu
	sessions map[string]session
	seen     map[string]map[string]time.Time // conv -> message id -> expiry
	entries  int                             // sessions + dedup records
	purgeAt  int
	bookings map[string]ledger.Booking // code → booking
	enrol    map[string][]roster.Enrolment
	seq      uint64
	now      func() time.Time
	// The outbox index: conversation → due time, → failure time.
	due, failed map[string]time.Time
	// notes are the texts the bot did not understand, oldest first.
	notes []note
	// counts are the daily counters of the programme's figures.
	counts map[string]map[string]int64
	// queues are the desk's queues (handoff.Queues): member → score.
	queues map[string]map[string]int64
}

type session struct {
	value   []byte
	expires time.Time // zero: never
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		sessions: make(map[string]session),
		seen:     make(map[string]map[string]time.Time),
		bookings: make(map[string]ledger.Booking),
		enrol:    make(map[string][]roster.Enrolment),
		due:      make(map[string]time.Time),
		failed:   make(map[string]time.Time),
		now:      time.Now,
	}
}

func expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

func live(expires, now time.Time) bool {
	return expires.IsZero() || now.Before(expires)
}

// begin checks ctx and locks the store; the caller must unlock s.mu when
// begin returns nil.
func (s *Store) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory store: %s: %w", op, err)
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return fmt.Errorf("%w (%s)", errClosed, op)
	}
	return nil
}

// Load returns the session of conv, or an error wrapping bot.ErrNotFound.
func (s *Store) Load(ctx context.Context, conv string) ([]byte, error) {
	if err := s.begin(ctx, "load"); err != nil {
		return nil, err
	}
	value, ok := s.load(conv)
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("memory store: load session: %w", bot.ErrNotFound)
	}
	// A saved value is never written again (save keeps a copy of its
	// own), so the copy for the caller is made outside the lock.
	return append([]byte{}, value...), nil
}

// load returns the live session of conv; s.mu is held.
func (s *Store) load(conv string) ([]byte, bool) {
	sess, ok := s.sessions[conv]
	if ok && !live(sess.expires, s.now()) {
		delete(s.sessions, conv)
		s.entries--
		return nil, false
	}
	return sess.value, ok
}

// Save stores a copy of value as the session of conv for ttl.
func (s *Store) Save(ctx context.Context, conv string, value []byte, ttl time.Duration) error {
	cp := append([]byte{}, value...) // outside the lock
	if err := s.begin(ctx, "save"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.save(conv, cp, ttl)
	return nil
}

// save keeps value, which the caller copied and never writes again; s.mu
// is held.
func (s *Store) save(conv string, value []byte, ttl time.Duration) {
	now := s.now()
	if _, ok := s.sessions[conv]; !ok {
		s.entries++
	}
	s.sessions[conv] = session{value: value, expires: expiry(now, ttl)}
	s.maybePurge(now)
}

// SaveOutbox implements bot.Outboxes: Save (unless value is nil) and the
// index, under one mutex.
func (s *Store) SaveOutbox(ctx context.Context, conv string, value []byte, ttl time.Duration, m bot.OutboxMark) error {
	var cp []byte
	if value != nil {
		cp = append([]byte{}, value...) // outside the lock
	}
	if err := s.begin(ctx, "save"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if cp != nil {
		s.save(conv, cp, ttl)
	}
	setOrDelete(s.due, conv, m.Due)
	setOrDelete(s.failed, conv, m.Failed)
	return nil
}

func setOrDelete(m map[string]time.Time, k string, t time.Time) {
	if t.IsZero() {
		delete(m, k)
	} else {
		m[k] = t
	}
}

// ClaimOutboxes implements bot.Outboxes.
func (s *Store) ClaimOutboxes(ctx context.Context, now time.Time, lease time.Duration, n int) ([]string, error) {
	if err := s.begin(ctx, "claim outboxes"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := byTime(s.due, func(t time.Time) bool { return !t.After(now) }, false)
	out = out[:min(n, len(out))]
	for _, c := range out {
		s.due[c] = now.Add(lease)
	}
	return out, nil
}

// FailedOutboxes implements bot.Outboxes.
func (s *Store) FailedOutboxes(ctx context.Context, n int, forgetBefore time.Time) ([]string, error) {
	if err := s.begin(ctx, "failed outboxes"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	for c, t := range s.failed {
		if t.Before(forgetBefore) {
			delete(s.failed, c)
		}
	}
	out := byTime(s.failed, func(time.Time) bool { return true }, true)
	return out[:min(max(n, 0), len(out))], nil
}

// byTime returns the keys of m whose time passes keep, oldest first (or
// newest first), ties by key.
func byTime(m map[string]time.Time, keep func(time.Time) bool, newest bool) []string {
	var out []string
	for k, t := range m {
		if keep(t) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		c := m[a].Compare(m[b])
		if newest {
			c = -c
		}
		if c == 0 {
			return strings.Compare(a, b)
		}
		return c
	})
	return out
}

// FirstSeen records id for conv for ttl and reports whether it was not
// already recorded. A repeat does not extend the record.
func (s *Store) FirstSeen(ctx context.Context, conv, id string, ttl time.Duration) (bool, error) {
	if err := s.begin(ctx, "first seen"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	now := s.now()
	ids := s.seen[conv]
	if ids == nil {
		ids = make(map[string]time.Time)
		s.seen[conv] = ids
	}
	exp, ok := ids[id]
	if ok && live(exp, now) {
		return false, nil
	}
	if !ok {
		s.entries++
	}
	ids[id] = expiry(now, ttl)
	s.maybePurge(now)
	return true, nil
}

// Lock takes the in-process lock of conv; see bot.Locker.
func (s *Store) Lock(ctx context.Context, conv string, ttl time.Duration) (func(), error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("%w (lock)", errClosed)
	}
	unlock, err := s.locks.Lock(ctx, conv, ttl)
	if err != nil {
		return nil, fmt.Errorf("memory store: lock: %w (%w)", bot.ErrLockTimeout, err)
	}
	return unlock, nil
}

// Forget deletes the session and the dedup records of conv.
func (s *Store) Forget(ctx context.Context, conv string) error {
	if err := s.begin(ctx, "forget"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.sessions[conv]; ok {
		delete(s.sessions, conv)
		s.entries--
	}
	s.entries -= len(s.seen[conv])
	delete(s.seen, conv)
	delete(s.due, conv)
	delete(s.failed, conv)
	for code, b := range s.bookings {
		if b.Conv == conv {
			delete(s.bookings, code)
		}
	}
	for a, es := range s.enrol {
		s.enrol[a] = slices.DeleteFunc(es, func(e roster.Enrolment) bool { return e.Conv == conv })
	}
	return nil
}

// Ping reports an error once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.begin(ctx, "ping"); err != nil {
		return err
	}
	s.mu.Unlock()
	return nil
}

// Close drops all data; later operations fail. Close is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed.Store(true)
	s.sessions, s.seen, s.entries = nil, nil, 0
	return nil
}

// Len returns the number of entries held (sessions plus dedup records),
// expired ones not yet purged included.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries
}

// maybePurge removes expired entries when their number has doubled since the
// last purge. s.mu must be held.
func (s *Store) maybePurge(now time.Time) {
	if s.entries < max(s.purgeAt, minPurge) {
		return
	}
	s.purge(now)
	s.purgeAt = 2 * s.entries
}

func (s *Store) purge(now time.Time) {
	for conv, sess := range s.sessions {
		if !live(sess.expires, now) {
			delete(s.sessions, conv)
			s.entries--
		}
	}
	for conv, ids := range s.seen {
		for id, exp := range ids {
			if !live(exp, now) {
				delete(ids, id)
				s.entries--
			}
		}
		if len(ids) == 0 {
			delete(s.seen, conv)
		}
	}
}

// Book implements ledger.Store under the store's mutex, which makes the
// count-then-insert atomic.
func (s *Store) Book(ctx context.Context, b ledger.Booking, capacity, maxPerUser int, now time.Time) error {
	if err := s.begin(ctx, "book"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, dup := s.bookings[b.Code]; dup {
		return fmt.Errorf("memory store: booking code in use")
	}
	inSlot, mine := 0, 0
	for _, x := range s.bookings {
		if x.Place == b.Place && x.Start.Equal(b.Start) {
			inSlot++
		}
		if x.Place == b.Place && x.Conv == b.Conv && x.Start.After(now) {
			mine++
		}
	}
	if err := ledger.Admit(inSlot, mine, capacity, maxPerUser); err != nil {
		return err
	}
	s.bookings[b.Code] = b
	return nil
}

// Cancel implements ledger.Store.
func (s *Store) Cancel(ctx context.Context, conv, code string) (ledger.Booking, error) {
	if err := s.begin(ctx, "cancel"); err != nil {
		return ledger.Booking{}, err
	}
	defer s.mu.Unlock()
	b, ok := s.bookings[code]
	if !ok || b.Conv != conv {
		return ledger.Booking{}, ledger.ErrNoBooking
	}
	delete(s.bookings, code)
	return b, nil
}

// Upcoming implements ledger.Store.
func (s *Store) Upcoming(ctx context.Context, conv string, now time.Time) ([]ledger.Booking, error) {
	if err := s.begin(ctx, "upcoming"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []ledger.Booking
	for _, b := range s.bookings {
		if b.Conv == conv && b.Start.After(now) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b ledger.Booking) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Between implements ledger.Store.
func (s *Store) Between(ctx context.Context, place string, from, to time.Time) ([]ledger.Booking, error) {
	if err := s.begin(ctx, "between"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []ledger.Booking
	for _, b := range s.bookings {
		if b.Place == place && !b.Start.Before(from) && b.Start.Before(to) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b ledger.Booking) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Join implements roster.Store under the store's mutex.
func (s *Store) Join(ctx context.Context, e roster.Enrolment, capacity int, waitlist bool) (string, int, error) {
	if err := s.begin(ctx, "join"); err != nil {
		return "", 0, err
	}
	defer s.mu.Unlock()
	status, pos, err := roster.Join(s.enrol[e.Activity], e.Conv, capacity, waitlist)
	if err != nil {
		return status, pos, err
	}
	s.seq++
	e.Status, e.Seq = status, s.seq
	s.enrol[e.Activity] = append(s.enrol[e.Activity], e)
	return status, pos, nil
}

// Leave implements roster.Store.
func (s *Store) Leave(ctx context.Context, activity, conv string, capacity int) (*roster.Enrolment, error) {
	if err := s.begin(ctx, "leave"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	es := s.enrol[activity]
	i := slices.IndexFunc(es, func(e roster.Enrolment) bool { return e.Conv == conv })
	if i < 0 {
		return nil, roster.ErrNotEnrolled
	}
	es = slices.Delete(es, i, i+1)
	s.enrol[activity] = es
	if k := roster.Promote(es, capacity); k >= 0 {
		es[k].Status = roster.Joined
		p := es[k]
		return &p, nil
	}
	return nil, nil
}

// Promote implements roster.Store.
func (s *Store) Promote(ctx context.Context, activity string, capacity int) ([]roster.Enrolment, error) {
	if err := s.begin(ctx, "promote"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	es := s.enrol[activity]
	var out []roster.Enrolment
	for _, i := range roster.Fill(es, capacity) {
		out = append(out, es[i])
	}
	return out, nil
}

// Enrolled implements roster.Store.
func (s *Store) Enrolled(ctx context.Context, conv string) ([]roster.Enrolment, error) {
	if err := s.begin(ctx, "enrolled"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []roster.Enrolment
	for _, es := range s.enrol {
		for _, e := range es {
			if e.Conv == conv {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b roster.Enrolment) int { return int(a.Seq) - int(b.Seq) })
	return out, nil
}

// Roster implements roster.Store.
func (s *Store) Roster(ctx context.Context, activity string) ([]roster.Enrolment, error) {
	if err := s.begin(ctx, "roster"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := slices.Clone(s.enrol[activity])
	roster.Sort(out)
	return out, nil
}
