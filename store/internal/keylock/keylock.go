package keylock

import (
	"context"
	"sync"
	"time"
)

// minPurge is the number of tracked keys below which Set never scans for
// expired holds.
const minPurge = 64

// Set is a set of keyed locks. The zero value is ready to use; a Set must not
// be copied after first use.
//
// A key is tracked only while its lock is held: unlock removes it, so a Set
// whose holders all unlock holds no memory. Holds that expired without being
// unlocked are dropped when the key is locked again or by a scan that runs
// when the number of tracked keys has doubled since the last scan.
type Set struct {
	mu      sync.Mutex
	held    map[string]*hold
	purgeAt int
	now     func() time.Time // time.Now unless a test replaces it
}

// hold is one holding of one key's lock.
type hold struct {
	released chan struct{} // closed when the hold ends (unlock or expiry)
	expires  time.Time     // zero: never
	done     bool          // released is closed; guarded by Set.mu
}

func (s *Set) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Lock blocks until the lock of key is held or ctx ends; then it returns
// ctx.Err() (never wrapped) and a nil unlock.
//
// The lock is released by calling unlock, which is safe to call more than
// once and from any goroutine, or after ttl if ttl > 0 (ttl <= 0: the hold
// never expires). Once a hold has expired its unlock does nothing, so a slow
// holder cannot release the lock of the holder that came after it.
func (s *Set) Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.mu.Lock()
		now := s.clock()
		h := s.held[key]
		if h != nil && !h.expired(now) {
			released, expires := h.released, h.expires
			s.mu.Unlock()
			var expiry <-chan time.Time
			if !expires.IsZero() {
				if timer == nil {
					timer = time.NewTimer(expires.Sub(now))
				} else {
					timer.Reset(expires.Sub(now))
				}
				expiry = timer.C
			}
			select {
			case <-released:
			case <-expiry:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			continue
		}
		if h != nil {
			s.release(key, h) // expired: wake its other waiters
		}
		nh := &hold{released: make(chan struct{})}
		if ttl > 0 {
			nh.expires = now.Add(ttl)
		}
		if s.held == nil {
			s.held = make(map[string]*hold)
		}
		s.held[key] = nh
		s.maybePurge(now)
		s.mu.Unlock()
		return func() {
			s.mu.Lock()
			s.release(key, nh)
			s.mu.Unlock()
		}, nil
	}
}

// Len returns the number of keys tracked: held locks, and expired holds not
// yet dropped.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.held)
}

func (h *hold) expired(now time.Time) bool {
	return h.done || (!h.expires.IsZero() && !now.Before(h.expires))
}

// release ends h, wakes its waiters and forgets key if h is still its
// current hold. It does nothing if h has already ended. s.mu must be held.
func (s *Set) release(key string, h *hold) {
	if h.done {
		return
	}
	h.done = true
	close(h.released)
	if s.held[key] == h {
		delete(s.held, key)
	}
}

// maybePurge drops expired holds when the number of tracked keys has doubled
// since the last scan, so keys whose holders died do not pile up. s.mu must
// be held.
func (s *Set) maybePurge(now time.Time) {
	if len(s.held) < max(s.purgeAt, minPurge) {
		return
	}
	for k, h := range s.held {
		if h.expired(now) {
			s.release(k, h)
		}
	}
	s.purgeAt = 2 * len(s.held)
}
