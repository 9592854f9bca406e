package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// The desk's queues (handoff.Queues) are sorted sets, one per queue: each
// write is one atomic command, so replicas taking, closing and timing out
// cases at once never rewrite each other's lists. Members with equal scores
// come in lexical order, as the interface asks.
func (s *Store) queueKey(queue string) string { return s.prefix + "{queue:" + queue + "}" }

// QueuePut implements handoff.Queues.
func (s *Store) QueuePut(ctx context.Context, queue, member string, score int64) error {
	if err := s.rdb.ZAdd(ctx, s.queueKey(queue), goredis.Z{Score: float64(score), Member: member}).Err(); err != nil {
		return wrap("queue put", err)
	}
	return nil
}

// QueueDrop implements handoff.Queues.
func (s *Store) QueueDrop(ctx context.Context, queue, member string) error {
	if err := s.rdb.ZRem(ctx, s.queueKey(queue), member).Err(); err != nil {
		return wrap("queue drop", err)
	}
	return nil
}

// QueueList implements handoff.Queues.
func (s *Store) QueueList(ctx context.Context, queue string) ([]string, error) {
	out, err := s.rdb.ZRange(ctx, s.queueKey(queue), 0, -1).Result()
	if err != nil {
		return nil, wrap("queue list", err)
	}
	return out, nil
}
