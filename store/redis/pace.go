package redis

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// Wait implements chatutil.SharedLimiter with redis_rate's GCRA (one Lua
// script, one round trip per attempt): the replicas of a deployment share
// one pace per key, as the platforms count a bot's messages.
func (s *Store) Wait(ctx context.Context, key string, perSecond float64, burst int) error {
	limit := paceLimit(perSecond, burst)
	for {
		res, err := s.limiter.Allow(ctx, s.prefix+"pace:"+key, limit)
		if err != nil {
			return wrap("pace", err)
		}
		if res.Allowed > 0 {
			return nil
		}
		t := time.NewTimer(max(res.RetryAfter, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Allow implements chatutil.SharedLimiter: one event now, or none.
func (s *Store) Allow(ctx context.Context, key string, perSecond float64, burst int) (bool, error) {
	res, err := s.limiter.Allow(ctx, s.prefix+"pace:"+key, paceLimit(perSecond, burst))
	if err != nil {
		return false, wrap("pace", err)
	}
	return res.Allowed > 0, nil
}

func paceLimit(perSecond float64, burst int) redis_rate.Limit {
	limit := redis_rate.Limit{Rate: int(math.Round(perSecond)), Burst: max(burst, 1), Period: time.Second}
	if perSecond < 1 { // one event every 1/perSecond seconds
		limit.Rate, limit.Period = 1, time.Duration(float64(time.Second)/max(perSecond, 1e-3))
	}
	return limit
}
