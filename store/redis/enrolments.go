package redis

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"teamsbot/activities/roster"

	goredis "github.com/redis/go-redis/v9"
)

// An activity's keys share its hash tag: the enrolments (conv → JSON), the
// joined set, the waiting zset (score: arrival) and the arrival counter.
func (s *Store) actKeys(activity string) []string {
	p := s.prefix + "{act:" + activity + "}:"
	return []string{p + "enrol", p + "joined", p + "waiting", p + "seq"}
}

var joinScript = goredis.NewScript(`
-- KEYS: enrol hash, joined set, waiting zset, seq; ARGV: conv, json, capacity, waitlist
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then return {'already', 0, 0} end
local seq = redis.call('INCR', KEYS[4])
local cap = tonumber(ARGV[3])
local status
if cap <= 0 or redis.call('SCARD', KEYS[2]) < cap then
  status = 'joined'
  redis.call('SADD', KEYS[2], ARGV[1])
elseif ARGV[4] == '1' then
  status = 'waiting'
  redis.call('ZADD', KEYS[3], seq, ARGV[1])
else
  return {'full', 0, 0}
end
local e = cjson.decode(ARGV[2])
e.status = status
e.seq = seq
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
local pos = 0
if status == 'waiting' then pos = redis.call('ZRANK', KEYS[3], ARGV[1]) + 1 end
return {status, pos, seq}`)

// Join implements roster.Store in one Lua script over the activity's keys.
func (s *Store) Join(ctx context.Context, e roster.Enrolment, capacity int, waitlist bool) (string, int, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return "", 0, err
	}
	wl := "0"
	if waitlist {
		wl = "1"
	}
	res, err := joinScript.Run(ctx, s.rdb, s.actKeys(e.Activity), e.Conv, raw, capacity, wl).Slice()
	if err != nil {
		return "", 0, wrap("join", err)
	}
	status, _ := res[0].(string)
	pos, _ := res[1].(int64)
	switch status {
	case "already":
		return "", 0, roster.ErrAlreadyEnrolled
	case "full":
		return "", 0, roster.ErrActivityFull
	}
	if err := s.rdb.SAdd(ctx, s.ck(e.Conv, "acts"), e.Activity).Err(); err != nil {
		return status, int(pos), wrap("join", err)
	}
	return status, int(pos), nil
}

// luaPromoteFirst is the promotion rule of activities/roster.Promote in
// Lua, for the scripts below: when a seat is free at cap (0: no limit),
// the first waiting takes it; it returns their enrolment, or nil.
const luaPromoteFirst = `
local function promoteFirst(cap)
  if cap > 0 and redis.call('SCARD', KEYS[2]) >= cap then return nil end
  local first = redis.call('ZRANGE', KEYS[3], 0, 0)
  if #first == 0 then return nil end
  redis.call('ZREM', KEYS[3], first[1])
  redis.call('SADD', KEYS[2], first[1])
  local e = cjson.decode(redis.call('HGET', KEYS[1], first[1]))
  e.status = 'joined'
  local raw = cjson.encode(e)
  redis.call('HSET', KEYS[1], first[1], raw)
  return raw
end
`

var leaveScript = goredis.NewScript(luaPromoteFirst + `
-- KEYS: enrol hash, joined set, waiting zset, seq; ARGV: conv, capacity, promote
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return redis.error_reply('not_enrolled') end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[3] ~= '1' then return false end
-- A seat is free (the one just left, or one added since): the first
-- waiting takes it, as activities/roster.Promote decides.
local raw = promoteFirst(tonumber(ARGV[2]))
if not raw then return false end
return raw`)

// Leave implements roster.Store.
func (s *Store) Leave(ctx context.Context, activity, conv string, capacity int) (*roster.Enrolment, error) {
	raw, err := leaveScript.Run(ctx, s.rdb, s.actKeys(activity), conv, capacity, "1").Text()
	if err != nil && !errors.Is(err, goredis.Nil) {
		if strings.Contains(err.Error(), "not_enrolled") {
			return nil, roster.ErrNotEnrolled
		}
		return nil, wrap("leave", err)
	}
	_ = s.rdb.SRem(ctx, s.ck(conv, "acts"), activity).Err()
	if raw == "" {
		return nil, nil
	}
	var e roster.Enrolment
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return nil, err
	}
	return &e, nil
}

func (s *Store) enrolments(ctx context.Context, activity string) ([]roster.Enrolment, error) {
	m, err := s.rdb.HGetAll(ctx, s.actKeys(activity)[0]).Result()
	if err != nil {
		return nil, wrap("roster", err)
	}
	out := make([]roster.Enrolment, 0, len(m))
	for _, raw := range m {
		var e roster.Enrolment
		if json.Unmarshal([]byte(raw), &e) == nil {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return out[i].Status == roster.Joined
		}
		return out[i].Seq < out[j].Seq
	})
	return out, nil
}

// Enrolled implements roster.Store.
func (s *Store) Enrolled(ctx context.Context, conv string) ([]roster.Enrolment, error) {
	acts, err := s.rdb.SMembers(ctx, s.ck(conv, "acts")).Result()
	if err != nil {
		return nil, wrap("enrolled", err)
	}
	var out []roster.Enrolment
	for _, a := range acts {
		raw, err := s.rdb.HGet(ctx, s.actKeys(a)[0], conv).Result()
		if err != nil {
			continue
		}
		var e roster.Enrolment
		if json.Unmarshal([]byte(raw), &e) == nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// Roster implements roster.Store.
func (s *Store) Roster(ctx context.Context, activity string) ([]roster.Enrolment, error) {
	return s.enrolments(ctx, activity)
}

var promoteScript = goredis.NewScript(luaPromoteFirst + `
-- KEYS: enrol hash, joined set, waiting zset, seq; ARGV: capacity
-- Every seat free at capacity goes to the first waiting, in order
-- (activities/roster.Fill).
local cap = tonumber(ARGV[1])
local out = {}
while true do
  local raw = promoteFirst(cap)
  if not raw then break end
  out[#out + 1] = raw
end
return out`)

// Promote implements roster.Store in one Lua script over the activity's
// keys.
func (s *Store) Promote(ctx context.Context, activity string, capacity int) ([]roster.Enrolment, error) {
	raws, err := promoteScript.Run(ctx, s.rdb, s.actKeys(activity), capacity).StringSlice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, wrap("promote", err)
	}
	var out []roster.Enrolment
	for _, raw := range raws {
		var e roster.Enrolment
		if json.Unmarshal([]byte(raw), &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}
