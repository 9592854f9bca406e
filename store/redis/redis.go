package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	neturl "net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"teamsbot/activities/roster"
	"teamsbot/booking/ledger"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"teamsbot/bot"
)

var (
	_ bot.Store      = (*Store)(nil)
	_ ledger.Store   = (*Store)(nil)
	_ roster.Store   = (*Store)(nil)
	_ bot.LockLoader = (*Store)(nil)
)

// Store is a bot.Store on Redis.
type Store struct {
	rdb    goredis.UniversalClient
	prefix string
	trips  atomic.Uint64
	// limiter paces the channels across replicas (Wait).
	limiter *redis_rate.Limiter
	// cluster: writes that span a conversation's keys and the outbox
	// index go in a plain pipeline (their slots differ), not MULTI.
	cluster bool
}

// Open connects to the Redis of url. It makes no call: Ping says whether
// Redis answers. One URL names any of the three deployments:
//
//	redis://[:password@]host:6379/0          a server (rediss:// for TLS, unix:// too)
//	redis://[:password@]sentinel1:26379/0?master_name=mymaster&addr=sentinel2:26379
//	                                          Sentinel: the addresses are the sentinels'
//	redis://[:password@]node1:6379?cluster=true&addr=node2:6379
//	                                          Cluster: seed nodes
//
// Other go-redis options go in the query (dial_timeout=3s, pool_size=20...;
// see go-redis ParseURL, ParseFailoverURL, ParseClusterURL).
func Open(url, prefix string) (*Store, error) {
	rdb, cluster, err := client(url)
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = "teamsbot"
	}
	s := &Store{rdb: rdb, prefix: prefix + ":v1:", cluster: cluster}
	s.rdb.AddHook(tripCounter{&s.trips})
	s.limiter = redis_rate.NewLimiter(s.rdb)
	return s, nil
}

// client builds the go-redis client of a REDIS_URL, and says whether it is
// a Cluster. Errors never repeat the URL: it may hold a password.
func client(raw string) (goredis.UniversalClient, bool, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return nil, false, errors.New("redis store: REDIS_URL is not a URL (redis://host:port/db)")
	}
	q := u.Query()
	switch {
	case q.Get("cluster") == "true":
		q.Del("cluster")
		u.RawQuery = q.Encode()
		opt, err := goredis.ParseClusterURL(u.String())
		if err != nil {
			return nil, false, fmt.Errorf("redis store: REDIS_URL (cluster): %w", err)
		}
		timeouts(&opt.ContextTimeoutEnabled, &opt.DialTimeout)
		return goredis.NewClusterClient(opt), true, nil
	case q.Get("master_name") != "":
		opt, err := goredis.ParseFailoverURL(raw)
		if err != nil {
			return nil, false, fmt.Errorf("redis store: REDIS_URL (sentinel): %w", err)
		}
		timeouts(&opt.ContextTimeoutEnabled, &opt.DialTimeout)
		return goredis.NewFailoverClient(opt), false, nil
	}
	opt, err := goredis.ParseURL(raw)
	if err != nil {
		return nil, false, fmt.Errorf("redis store: REDIS_URL: %w", err)
	}
	timeouts(&opt.ContextTimeoutEnabled, &opt.DialTimeout)
	return goredis.NewClient(opt), false, nil
}

// timeouts makes go-redis honour context deadlines on socket reads (it
// ignores them without ContextTimeoutEnabled) and dial within 2 s unless
// the URL says otherwise; the three option types share these fields.
func timeouts(contextTimeout *bool, dial *time.Duration) {
	*contextTimeout = true
	if *dial == 0 {
		*dial = 2 * time.Second
	}
}

// RoundTrips is the number of commands and pipelines sent to Redis since
// Open (benchmarks and tests count a turn's).
func (s *Store) RoundTrips() uint64 { return s.trips.Load() }

type tripCounter struct{ n *atomic.Uint64 }

func (tripCounter) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (c tripCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c tripCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis store: %w: %w", bot.ErrUnavailable, err)
	}
	return nil
}

// conv keys share the conversation's hash tag.
func (s *Store) ck(conv, what string) string { return s.prefix + "{" + conv + "}:" + what }

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, bot.ErrNotFound) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("redis store: %s: %w", op, err)
	}
	return fmt.Errorf("redis store: %s: %w", op, err)
}

// Load implements bot.Sessions.
func (s *Store) Load(ctx context.Context, conv string) ([]byte, error) {
	v, err := s.rdb.Get(ctx, s.ck(conv, "s")).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis store: load: %w", bot.ErrNotFound)
	}
	if err != nil {
		return nil, wrap("load", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// Save implements bot.Sessions (ttl ≤ 0: no expiry).
func (s *Store) Save(ctx context.Context, conv string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = 0
	}
	return wrap("save", s.rdb.Set(ctx, s.ck(conv, "s"), value, ttl).Err())
}

// firstSeenScript keeps a conversation's seen ids in one sorted set scored
// by expiry (ms, Redis's clock): expired ids are pruned on every call and
// the set itself expires with its longest-lived id, so an idle user keeps
// nothing but the session.
var firstSeenScript = goredis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`)

// FirstSeen implements bot.Deduper, on one sorted set per conversation
// (which Forget deletes).
func (s *Store) FirstSeen(ctx context.Context, conv, id string, ttl time.Duration) (bool, error) {
	ms := ttl.Milliseconds()
	if ms <= 0 {
		ms = int64(100 * 365 * 24 * time.Hour / time.Millisecond)
	}
	n, err := firstSeenScript.Run(ctx, s.rdb, []string{s.ck(conv, "seen")}, id, ms).Int()
	if err != nil {
		return false, wrap("first seen", err)
	}
	return n == 1, nil
}

var unlockScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Lock implements bot.Locker: SET NX PX with a random token, polled until ctx
// ends; unlock deletes the key only if it still holds our token, so an
// unlock after expiry never frees another holder's lock.
func (s *Store) Lock(ctx context.Context, conv string, ttl time.Duration) (func(), error) {
	ttl = lockTTL(ttl)
	token, err := s.lock(ctx, conv, func(key, token string) (bool, error) {
		return s.rdb.SetNX(ctx, key, token, ttl).Result()
	})
	if err != nil {
		return nil, err
	}
	return (&lease{s: s, conv: conv, token: token}).Unlock, nil
}

// lockTTL is how long a lock lasts if its holder dies: ttl, or a day when
// none is given.
func lockTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return 24 * time.Hour
	}
	return ttl
}

var lockLoadScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local v = redis.call('GET', KEYS[2])
  if v then return {1, v} end
  return {1}
end
return {0}`)

// LockLoad implements bot.LockLoader: the lock and the session in one round
// trip (a turn is then three: this, save, save and unlock).
func (s *Store) LockLoad(ctx context.Context, conv string, ttl time.Duration) (bot.Lease, []byte, error) {
	var raw []byte
	found := false
	ms := lockTTL(ttl).Milliseconds()
	token, err := s.lock(ctx, conv, func(key, token string) (bool, error) {
		res, err := lockLoadScript.Run(ctx, s.rdb, []string{key, s.ck(conv, "s")}, token, ms).Slice()
		if err != nil || len(res) == 0 {
			return false, err
		}
		if n, _ := res[0].(int64); n != 1 {
			return false, nil
		}
		if len(res) > 1 {
			v, _ := res[1].(string)
			raw, found = []byte(v), true
		}
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	l := &lease{s: s, conv: conv, token: token}
	if !found {
		return l, nil, fmt.Errorf("redis store: load: %w", bot.ErrNotFound)
	}
	return l, raw, nil
}

var errLeaseLost = errors.New("the conversation's lock expired before the save")

// lock polls try (which sets the lock key to the token if it is free) with
// backoff until it succeeds or ctx ends, and returns the token.
func (s *Store) lock(ctx context.Context, conv string, try func(key, token string) (bool, error)) (string, error) {
	key := s.ck(conv, "lock")
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	wait := 2 * time.Millisecond
	for {
		ok, err := try(key, token)
		if err != nil {
			if ctx.Err() != nil {
				return "", fmt.Errorf("redis store: lock: %w: %w", bot.ErrLockTimeout, ctx.Err())
			}
			return "", wrap("lock", err)
		}
		if ok {
			return token, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("redis store: lock: %w: %w", bot.ErrLockTimeout, ctx.Err())
		case <-t.C:
		}
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
}

// Forget implements bot.Forgetter: the session, the dedup records, the
// bookings (freeing their slots) and the enrolments.
func (s *Store) Forget(ctx context.Context, conv string) error {
	err := s.pipelined(ctx, func(p goredis.Pipeliner) {
		p.Del(ctx, s.ck(conv, "s"), s.ck(conv, "seen"), s.ck(conv, "arr"))
		s.markCmds(ctx, p, conv, bot.OutboxMark{})
	})
	if err != nil {
		return wrap("forget", err)
	}
	refs, err := s.rdb.SMembers(ctx, s.ck(conv, "bookings")).Result()
	if err != nil {
		return wrap("forget", err)
	}
	for _, ref := range refs {
		place, code, _ := strings.Cut(ref, "|")
		if _, err := s.cancel(ctx, conv, place, code); err != nil && !errors.Is(err, ledger.ErrNoBooking) {
			return err
		}
	}
	acts, err := s.rdb.SMembers(ctx, s.ck(conv, "acts")).Result()
	if err != nil {
		return wrap("forget", err)
	}
	for _, a := range acts {
		if err := leaveScript.Run(ctx, s.rdb, s.actKeys(a), conv, 0, 0).Err(); err != nil && !errors.Is(err, goredis.Nil) && !strings.Contains(err.Error(), "not_enrolled") {
			return wrap("forget", err)
		}
	}
	return wrap("forget", s.rdb.Del(ctx, s.ck(conv, "bookings"), s.ck(conv, "acts")).Err())
}

// place keys share the place's hash tag.
func (s *Store) pk(place, what string) string { return s.prefix + "{place:" + place + "}:" + what }

var bookScript = goredis.NewScript(`
-- KEYS: slot set, user's zset at the place, agenda zset, booking
-- ARGV: code, capacity, max per user, now, start, json
if redis.call('EXISTS', KEYS[4]) == 1 then return 'dup' end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'full' end
if tonumber(ARGV[3]) > 0 and redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[4], '+inf') >= tonumber(ARGV[3]) then return 'too_many' end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('SET', KEYS[4], ARGV[6])
return 'ok'`)

// Book implements ledger.Store in one Lua script over the place's keys.
func (s *Store) Book(ctx context.Context, b ledger.Booking, capacity, maxPerUser int, now time.Time) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	start := strconv.FormatInt(b.Start.Unix(), 10)
	keys := []string{s.pk(b.Place, "slot:"+start), s.pk(b.Place, "user:"+b.Conv), s.pk(b.Place, "agenda"), s.pk(b.Place, "b:"+b.Code)}
	res, err := bookScript.Run(ctx, s.rdb, keys, b.Code, capacity, maxPerUser, now.Unix(), start, raw).Text()
	if err != nil {
		return wrap("book", err)
	}
	switch res {
	case "full":
		return ledger.ErrSlotFull
	case "too_many":
		return ledger.ErrTooManyBookings
	case "dup":
		return fmt.Errorf("redis store: booking code in use")
	}
	// The conversation's index (for Upcoming, Cancel and Forget).
	return wrap("book", s.rdb.SAdd(ctx, s.ck(b.Conv, "bookings"), b.Place+"|"+b.Code).Err())
}

var cancelScript = goredis.NewScript(`
-- KEYS: booking, agenda; ARGV: conv, place prefix
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local b = cjson.decode(raw)
if b.conv ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], b.code)
redis.call('SREM', ARGV[2] .. 'slot:' .. ARGV[3], b.code)
redis.call('ZREM', ARGV[2] .. 'user:' .. ARGV[1], b.code)
return raw`)

func (s *Store) cancel(ctx context.Context, conv, place, code string) (ledger.Booking, error) {
	// The start is in the booking; the slot key needs it: read it first
	// (the script re-checks ownership before deleting anything).
	raw, err := s.rdb.Get(ctx, s.pk(place, "b:"+code)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return ledger.Booking{}, ledger.ErrNoBooking
	}
	if err != nil {
		return ledger.Booking{}, wrap("cancel", err)
	}
	var b ledger.Booking
	if err := json.Unmarshal(raw, &b); err != nil {
		return ledger.Booking{}, err
	}
	prefix := s.pk(place, "")
	out, err := cancelScript.Run(ctx, s.rdb, []string{s.pk(place, "b:"+code), s.pk(place, "agenda")}, conv, prefix, strconv.FormatInt(b.Start.Unix(), 10)).Text()
	if errors.Is(err, goredis.Nil) || out == "" {
		return ledger.Booking{}, ledger.ErrNoBooking
	}
	if err != nil {
		return ledger.Booking{}, wrap("cancel", err)
	}
	_ = s.rdb.SRem(ctx, s.ck(conv, "bookings"), place+"|"+code).Err()
	return b, nil
}

// Cancel implements ledger.Store.
func (s *Store) Cancel(ctx context.Context, conv, code string) (ledger.Booking, error) {
	refs, err := s.rdb.SMembers(ctx, s.ck(conv, "bookings")).Result()
	if err != nil {
		return ledger.Booking{}, wrap("cancel", err)
	}
	for _, ref := range refs {
		place, c, _ := strings.Cut(ref, "|")
		if c == code {
			return s.cancel(ctx, conv, place, code)
		}
	}
	return ledger.Booking{}, ledger.ErrNoBooking
}

func (s *Store) booking(ctx context.Context, place, code string) (ledger.Booking, bool) {
	raw, err := s.rdb.Get(ctx, s.pk(place, "b:"+code)).Bytes()
	if err != nil {
		return ledger.Booking{}, false
	}
	var b ledger.Booking
	return b, json.Unmarshal(raw, &b) == nil
}

// Upcoming implements ledger.Store.
func (s *Store) Upcoming(ctx context.Context, conv string, now time.Time) ([]ledger.Booking, error) {
	refs, err := s.rdb.SMembers(ctx, s.ck(conv, "bookings")).Result()
	if err != nil {
		return nil, wrap("upcoming", err)
	}
	var out []ledger.Booking
	for _, ref := range refs {
		place, code, _ := strings.Cut(ref, "|")
		if b, ok := s.booking(ctx, place, code); ok && b.Start.After(now) {
			out = append(out, b)
		}
	}
	sortBookings(out)
	return out, nil
}

// Between implements ledger.Store.
func (s *Store) Between(ctx context.Context, place string, from, to time.Time) ([]ledger.Booking, error) {
	codes, err := s.rdb.ZRangeByScore(ctx, s.pk(place, "agenda"), &goredis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "(" + strconv.FormatInt(to.Unix(), 10)}).Result()
	if err != nil {
		return nil, wrap("between", err)
	}
	var out []ledger.Booking
	for _, c := range codes {
		if b, ok := s.booking(ctx, place, c); ok {
			out = append(out, b)
		}
	}
	sortBookings(out)
	return out, nil
}

func sortBookings(bs []ledger.Booking) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Start.Before(bs[j-1].Start); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// Notify tells every replica listening (Listen) that topic has news, over
// Redis pub/sub. It carries no data: listeners read what changed from the
// store.
func (s *Store) Notify(ctx context.Context, topic string) error {
	return s.rdb.Publish(ctx, s.prefix+"notify:"+topic, "1").Err()
}

// Listen calls fn with each topic notified by any replica whose name
// starts with prefix, until ctx ends. A lost connection is resumed by
// go-redis; notifications sent meanwhile are lost, so listeners also look
// by themselves now and then.
func (s *Store) Listen(ctx context.Context, prefix string, fn func(topic string)) error {
	ps := s.rdb.PSubscribe(ctx, s.prefix+"notify:"+prefix+"*")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		return err
	}
	ch := ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			fn(strings.TrimPrefix(m.Channel, s.prefix+"notify:"))
		}
	}
}
