package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"teamsbot/bot"
)

// The outbox index is two sorted sets per deployment (not per
// conversation: a sweep must find due conversations without knowing them):
// conversation → due time and conversation → failure time (Unix ms). They
// hold only conversations with undelivered or failed replies. Their writes
// go in the same pipeline as the session's, so a turn keeps its three round
// trips.
//
// Both share the hash tag {outbox} (one Cluster slot for the two).
func (s *Store) dueKey() string    { return s.prefix + "{outbox}:due" }
func (s *Store) failedKey() string { return s.prefix + "{outbox}:failed" }

// pipelined sends fn's commands in one round trip: atomically (MULTI/EXEC)
// on a server or Sentinel; on a Cluster, where a conversation's keys and
// the outbox index live in different slots, as a plain pipeline (in order;
// a node failing in between can leave a session saved and not indexed,
// which the conversation's next holder still delivers).
func (s *Store) pipelined(ctx context.Context, fn func(goredis.Pipeliner)) error {
	do := s.rdb.TxPipelined
	if s.cluster {
		do = s.rdb.Pipelined
	}
	_, err := do(ctx, func(p goredis.Pipeliner) error {
		fn(p)
		return nil
	})
	return err
}

// markCmds queues the index writes of m for conv on p.
func (s *Store) markCmds(ctx context.Context, p goredis.Pipeliner, conv string, m bot.OutboxMark) {
	for _, e := range [...]struct {
		key string
		at  time.Time
	}{{s.dueKey(), m.Due}, {s.failedKey(), m.Failed}} {
		if e.at.IsZero() {
			p.ZRem(ctx, e.key, conv)
		} else {
			p.ZAdd(ctx, e.key, goredis.Z{Score: float64(e.at.UnixMilli()), Member: conv})
		}
	}
}

// SaveOutbox implements bot.Outboxes: the session and the index entries in
// one round trip (MULTI/EXEC but on a Cluster); the index only when value
// is nil.
func (s *Store) SaveOutbox(ctx context.Context, conv string, value []byte, ttl time.Duration, m bot.OutboxMark) error {
	if value == nil {
		return s.markOnly(ctx, conv, m)
	}
	err := s.pipelined(ctx, func(p goredis.Pipeliner) {
		p.Set(ctx, s.ck(conv, "s"), value, max(ttl, 0))
		s.markCmds(ctx, p, conv, m)
	})
	return wrap("save", err)
}

func (s *Store) markOnly(ctx context.Context, conv string, m bot.OutboxMark) error {
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		s.markCmds(ctx, p, conv, m)
		return nil
	})
	return wrap("mark outbox", err)
}

var claimScript = goredis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, c in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], c) end
return due`)

// ClaimOutboxes implements bot.Outboxes in one script: replicas sweeping
// at the same moment get different conversations.
func (s *Store) ClaimOutboxes(ctx context.Context, now time.Time, lease time.Duration, n int) ([]string, error) {
	out, err := claimScript.Run(ctx, s.rdb, []string{s.dueKey()}, now.UnixMilli(), now.Add(lease).UnixMilli(), n).StringSlice()
	if err != nil {
		return nil, wrap("claim outboxes", err)
	}
	return out, nil
}

// FailedOutboxes implements bot.Outboxes.
func (s *Store) FailedOutboxes(ctx context.Context, n int, forgetBefore time.Time) ([]string, error) {
	if !forgetBefore.IsZero() {
		err := s.rdb.ZRemRangeByScore(ctx, s.failedKey(), "-inf", "("+strconv.FormatInt(forgetBefore.UnixMilli(), 10)).Err()
		if err != nil {
			return nil, wrap("drop failed", err)
		}
	}
	if n <= 0 {
		return nil, nil
	}
	out, err := s.rdb.ZRevRange(ctx, s.failedKey(), 0, int64(n-1)).Result()
	if err != nil {
		return nil, wrap("failed outboxes", err)
	}
	return out, nil
}

// saveUnlockBody saves the session and deletes the lock if the lock still
// holds our token; a lease that expired saves nothing (another replica may
// hold the conversation) and returns 0.
const saveUnlockBody = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[2], ARGV[2])
end
redis.call('DEL', KEYS[1])
`

// saveUnlockSrc is saveUnlockBody alone (the index written apart: a
// Cluster).
const saveUnlockSrc = saveUnlockBody + "return 1"

// saveUnlockMarkScript is saveUnlockBody with the outbox index entries
// (KEYS[3] due, KEYS[4] failed; ARGV[5], ARGV[6] their scores, "" to
// remove), written only if the lock was still ours: a lease that expired
// must not undo the marks of the replica that holds the conversation now.
var saveUnlockMarkScript = goredis.NewScript(saveUnlockBody + `
for i = 3, 4 do
  if ARGV[i + 2] == '' then
    redis.call('ZREM', KEYS[i], ARGV[4])
  else
    redis.call('ZADD', KEYS[i], ARGV[i + 2], ARGV[4])
  end
end
return 1`)

// markScore is an index score for a script: Unix ms, or "" for none.
func markScore(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return strconv.FormatInt(at.UnixMilli(), 10)
}

// lease is a conversation's lock taken by LockLoad.
type lease struct {
	s           *Store
	conv, token string
	done        bool
}

var _ bot.Lease = (*lease)(nil)

// Unlock implements bot.Lease.
func (l *lease) Unlock() {
	if l.done {
		return
	}
	l.done = true
	c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = unlockScript.Run(c, l.s.rdb, []string{l.s.ck(l.conv, "lock")}, l.token).Err()
}

// SaveUnlock implements bot.Lease: the session (if the lock is still ours),
// the lock's release and the index entries, in one pipeline.
func (l *lease) SaveUnlock(ctx context.Context, value []byte, ttl time.Duration, m bot.OutboxMark) error {
	if l.done {
		return l.s.SaveOutbox(ctx, l.conv, value, ttl, m)
	}
	l.done = true
	ttlMS := strconv.FormatInt(max(ttl, 0).Milliseconds(), 10)
	if !l.s.cluster {
		n, err := saveUnlockMarkScript.Run(ctx, l.s.rdb, []string{l.s.ck(l.conv, "lock"), l.s.ck(l.conv, "s"), l.s.dueKey(), l.s.failedKey()},
			l.token, value, ttlMS, l.conv, markScore(m.Due), markScore(m.Failed)).Int()
		if err != nil {
			return wrap("save", err)
		}
		if n != 1 {
			return wrap("save", errLeaseLost)
		}
		return nil
	}
	// On a Cluster the index lives in another slot than the session: the
	// index entries follow in a second round trip, once the save is known
	// to have happened (a lease that expired must not undo the marks of
	// the conversation's new holder).
	n, err := l.s.rdb.Eval(ctx, saveUnlockSrc, []string{l.s.ck(l.conv, "lock"), l.s.ck(l.conv, "s")}, l.token, value, ttlMS).Int()
	if err != nil {
		return wrap("save", err)
	}
	if n != 1 {
		return wrap("save", errLeaseLost)
	}
	return l.s.markOnly(ctx, l.conv, m)
}

// OutboxDepth counts the conversations with replies waiting to be sent
// (due now or later) and those with replies given up.
func (s *Store) OutboxDepth(ctx context.Context) (waiting, failed int, err error) {
	p := s.rdb.Pipeline()
	w := p.ZCard(ctx, s.dueKey())
	f := p.ZCard(ctx, s.failedKey())
	if _, err := p.Exec(ctx); err != nil {
		return 0, 0, fmt.Errorf("redis store: outbox depth: %w", err)
	}
	return int(w.Val()), int(f.Val()), nil
}
