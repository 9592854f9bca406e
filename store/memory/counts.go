package memory

import (
	"context"
	"maps"
)

// AddCounts adds deltas to day's counters.
func (s *Store) AddCounts(ctx context.Context, day string, deltas map[string]int64) error {
	if err := s.begin(ctx, "add counts"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]map[string]int64{}
	}
	if s.counts[day] == nil {
		s.counts[day] = map[string]int64{}
	}
	for k, d := range deltas {
		s.counts[day][k] += d
	}
	return nil
}

// Counts returns the counters of each day asked for that has any.
func (s *Store) Counts(ctx context.Context, days []string) (map[string]map[string]int64, error) {
	if err := s.begin(ctx, "counts"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := map[string]map[string]int64{}
	for _, d := range days {
		if m, ok := s.counts[d]; ok {
			out[d] = maps.Clone(m)
		}
	}
	return out, nil
}
