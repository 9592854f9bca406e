package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// maxNotes bounds the texts kept per deployment: the oldest go first.
const maxNotes = 50_000

// notesKey is the sorted set of the texts the bot did not understand,
// scored by time (Unix milliseconds); a member is a random nonce, the
// expiry, the language and the text, NUL-separated. No conversation is
// named anywhere.
func (s *Store) notesKey() string { return s.prefix + "{misunderstood}" }

// AddMisunderstood keeps a text the bot did not understand (masked by the
// caller) until at+keep: one pipeline that adds it, drops what expired and
// what is beyond maxNotes, and keeps the key no longer than its newest
// entry.
func (s *Store) AddMisunderstood(ctx context.Context, lang, text string, at time.Time, keep time.Duration) error {
	var nonce [6]byte
	_, _ = rand.Read(nonce[:])
	until := at.Add(keep)
	member := hex.EncodeToString(nonce[:]) + "\x00" + strconv.FormatInt(until.UnixMilli(), 10) + "\x00" + lang + "\x00" + text
	key := s.notesKey()
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZAdd(ctx, key, goredis.Z{Score: float64(at.UnixMilli()), Member: member})
		p.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(time.Now().Add(-keep).UnixMilli(), 10))
		p.ZRemRangeByRank(ctx, key, 0, -maxNotes-1)
		p.PExpire(ctx, key, time.Until(until)+time.Minute)
		return nil
	})
	return wrap("add misunderstood", err)
}

// EachMisunderstood calls fn with every text kept since since, oldest
// first.
func (s *Store) EachMisunderstood(ctx context.Context, since time.Time, fn func(lang, text string, at time.Time)) error {
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.notesKey(), &goredis.ZRangeBy{Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return wrap("misunderstood", err)
	}
	now := time.Now().UnixMilli()
	for _, z := range zs {
		m, _ := z.Member.(string)
		parts := strings.SplitN(m, "\x00", 4)
		if len(parts) != 4 {
			continue
		}
		if until, err := strconv.ParseInt(parts[1], 10, 64); err != nil || until <= now {
			continue
		}
		fn(parts[2], parts[3], time.UnixMilli(int64(z.Score)))
	}
	return nil
}
