package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// countsTTL keeps a day's counters for three years: the programme reports
// on its whole funding period.
const countsTTL = 3 * 365 * 24 * time.Hour

func (s *Store) countsKey(day string) string { return s.prefix + "counts:" + day }

// AddCounts adds deltas to day's counters (a hash per day), in one round
// trip.
func (s *Store) AddCounts(ctx context.Context, day string, deltas map[string]int64) error {
	if len(deltas) == 0 {
		return nil
	}
	key := s.countsKey(day)
	pipe := s.rdb.Pipeline()
	for k, d := range deltas {
		pipe.HIncrBy(ctx, key, k, d)
	}
	pipe.Expire(ctx, key, countsTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redis store: add counts: %w", err)
	}
	return nil
}

// Counts returns the counters of each day asked for that has any.
func (s *Store) Counts(ctx context.Context, days []string) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	for _, day := range days {
		raw, err := s.rdb.HGetAll(ctx, s.countsKey(day)).Result()
		if err != nil {
			return nil, fmt.Errorf("redis store: counts: %w", err)
		}
		if len(raw) == 0 {
			continue
		}
		m := make(map[string]int64, len(raw))
		for k, v := range raw {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				m[k] = n
			}
		}
		out[day] = m
	}
	return out, nil
}
