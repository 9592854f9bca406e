package embedded

import (
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Group commit: the writes of a turn (the message id, the state with its
// replies, the cleared outbox) are small and each bbolt transaction ends
// with an fsync (~0.15 ms to milliseconds, by disk). Writers that arrive
// while a transaction is being committed wait and go together in the next
// one, so concurrent turns share fsyncs, and a lone turn waits for
// nothing: no timer, unlike bolt.DB.Batch's MaxBatchDelay.
//
// A write in a group must be safe to run again from the start: if one of
// them fails, the group's transaction is rolled back and the others are
// written again without it. Only the turn's writes, which set their results
// afresh each run, go through it.
type committer struct {
	mu     sync.Mutex
	queue  []*write
	active bool         // a leader is committing
	txs    atomic.Int64 // transactions run, for tests
}

type write struct {
	fn   func(*bolt.Tx) error
	err  error
	done chan bool // true: written (err set); false: lead the next group
}

// update runs fn in a write transaction, with whatever other writes are
// waiting.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan bool, 1)}
	c := &s.commits
	c.mu.Lock()
	c.queue = append(c.queue, w)
	lead := !c.active
	c.active = true
	c.mu.Unlock()
	if !lead {
		if written := <-w.done; written {
			return w.err
		}
		// Promoted: the previous leader left this group to us.
	}
	c.mu.Lock()
	group := c.queue
	c.queue = nil
	c.mu.Unlock()
	s.commit(group)
	c.mu.Lock()
	if len(c.queue) > 0 {
		// Those who arrived during the commit go next, led by the first:
		// no leader serves more than its own group.
		c.queue[0].done <- false
	} else {
		c.active = false
	}
	c.mu.Unlock()
	return w.err
}

// commit writes a group in one transaction, in the order its writes
// arrived. A write that fails saw exactly what it would have seen alone
// after those before it: its error is its own, and the group is written
// again without it (one more transaction per failure).
func (s *Store) commit(group []*write) {
	for len(group) > 0 {
		failed, failure := -1, error(nil)
		s.commits.txs.Add(1)
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, w := range group {
				if err := w.fn(tx); err != nil {
					failed, failure = i, err
					return err
				}
			}
			return nil
		})
		if err == nil || failed < 0 {
			// Written, or the commit itself failed (the disk): the same
			// answer for all.
			for _, w := range group {
				w.err = err
				w.done <- true
			}
			return
		}
		w := group[failed]
		w.err = failure
		w.done <- true
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}
