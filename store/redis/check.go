package redis

import (
	"context"
	"fmt"
)

// Check reads the server's configuration and says what puts the bot's data
// at risk: an eviction policy other than noeviction (Redis would drop
// sessions, locks and bookings under memory pressure) and no persistence
// (a restart would lose every conversation and booking). A server that
// refuses CONFIG (some managed services) gets no warning.
func (s *Store) Check(ctx context.Context) []string {
	var warns []string
	get := func(name string) (string, bool) {
		m, err := s.rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			return "", false
		}
		v, ok := m[name]
		return v, ok
	}
	if p, ok := get("maxmemory-policy"); ok && p != "noeviction" {
		warns = append(warns, fmt.Sprintf("Redis maxmemory-policy is %s: under memory pressure Redis may evict sessions, locks and bookings; set noeviction", p))
	}
	aof, okA := get("appendonly")
	save, okS := get("save")
	if okA && okS && aof != "yes" && save == "" {
		warns = append(warns, "Redis keeps nothing on disk (appendonly no, no save points): a restart loses every conversation and booking; set appendonly yes")
	}
	return warns
}
