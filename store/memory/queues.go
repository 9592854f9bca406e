package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// QueuePut implements handoff.Queues.
func (s *Store) QueuePut(ctx context.Context, queue, member string, score int64) error {
	if err := s.begin(ctx, "queue put"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.queues == nil {
		s.queues = map[string]map[string]int64{}
	}
	if s.queues[queue] == nil {
		s.queues[queue] = map[string]int64{}
	}
	s.queues[queue][member] = score
	return nil
}

// QueueDrop implements handoff.Queues.
func (s *Store) QueueDrop(ctx context.Context, queue, member string) error {
	if err := s.begin(ctx, "queue drop"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.queues[queue], member)
	return nil
}

// QueueList implements handoff.Queues.
func (s *Store) QueueList(ctx context.Context, queue string) ([]string, error) {
	if err := s.begin(ctx, "queue list"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	q := s.queues[queue]
	out := make([]string, 0, len(q))
	for m := range q {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b string) int {
		if q[a] != q[b] {
			return cmp.Compare(q[a], q[b])
		}
		return strings.Compare(a, b)
	})
	return out, nil
}
