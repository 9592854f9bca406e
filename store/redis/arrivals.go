package redis

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"teamsbot/bot"
)

var _ bot.Arrivals = (*Store)(nil)

// A conversation's waiting messages are a sorted set scored by sequence
// number; each member carries its own expiry ("<seq>:<ms>", Redis's clock)
// so that the entry of a replica that died holds nothing back for longer
// than its ttl, and the set expires with its latest arrival.
var arriveScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1] .. ':' .. (now + ttl))
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`)

var lowestScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local zs = redis.call('ZRANGE', KEYS[1], 0, 15, 'WITHSCORES')
for i = 1, #zs, 2 do
  local exp = tonumber(string.match(zs[i], ':(%d+)$'))
  if exp and exp > now then return zs[i + 1] end
  redis.call('ZREM', KEYS[1], zs[i])
end
return false`)

// Arrive implements bot.Arrivals.
func (s *Store) Arrive(ctx context.Context, conv string, seq int64, ttl time.Duration) error {
	err := arriveScript.Run(ctx, s.rdb, []string{s.ck(conv, "arr")}, seq, lockTTL(ttl).Milliseconds()).Err()
	return wrap("arrive", err)
}

// Lowest implements bot.Arrivals.
func (s *Store) Lowest(ctx context.Context, conv string) (int64, bool, error) {
	v, err := lowestScript.Run(ctx, s.rdb, []string{s.ck(conv, "arr")}).Text()
	if err == goredis.Nil {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, wrap("lowest", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, false, wrap("lowest", err)
		}
		n = int64(f)
	}
	return n, true, nil
}

// Depart implements bot.Arrivals.
func (s *Store) Depart(ctx context.Context, conv string, seq int64) error {
	n := strconv.FormatInt(seq, 10)
	return wrap("depart", s.rdb.ZRemRangeByScore(ctx, s.ck(conv, "arr"), n, n).Err())
}
