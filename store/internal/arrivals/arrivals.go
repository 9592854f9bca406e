// Package arrivals is the in-process registry of messages waiting to be
// handled, per conversation, by the platform's sequence number: the
// bot.Arrivals of the stores that live in one process (store/memory and
// store/embedded).
//
// Import limits: the standard library only.
package arrivals

import (
	"context"
	"sync"
	"time"
)

// Set is the registry; its methods are bot.Arrivals, so a store embeds it.
// The zero value is ready to use.
type Set struct {
	mu  sync.Mutex
	m   map[string]map[int64]time.Time // conversation → seq → expiry
	now func() time.Time
}

func (s *Set) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Arrive registers seq for conv until ttl has passed.
func (s *Set) Arrive(_ context.Context, conv string, seq int64, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]map[int64]time.Time{}
	}
	c := s.m[conv]
	if c == nil {
		c = map[int64]time.Time{}
		s.m[conv] = c
	}
	c[seq] = s.clock().Add(ttl)
	return nil
}

// Lowest returns the lowest live seq of conv, dropping expired ones.
func (s *Set) Lowest(_ context.Context, conv string) (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	low, found := int64(0), false
	for seq, exp := range s.m[conv] {
		if !now.Before(exp) {
			delete(s.m[conv], seq)
			continue
		}
		if !found || seq < low {
			low, found = seq, true
		}
	}
	if !found {
		delete(s.m, conv)
	}
	return low, found, nil
}

// Depart removes seq of conv.
func (s *Set) Depart(_ context.Context, conv string, seq int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m[conv], seq)
	if len(s.m[conv]) == 0 {
		delete(s.m, conv)
	}
	return nil
}
