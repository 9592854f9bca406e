package bot

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by a Store when a key has no value (never stored,
// expired or deleted).
var ErrNotFound = errors.New("not found")

// ErrUnavailable wraps a failure of the store while handling a message: the
// message was not handled, and a channel that can ask for a redelivery
// (a webhook answering 5xx) should.
var ErrUnavailable = errors.New("store unavailable")

// ErrBlocked is returned by a Sender when the platform says the user blocked
// the bot (Telegram's 403); the service then stops sending to them.
var ErrBlocked = errors.New("the user blocked the bot")

// ErrDeferred is returned (wrapped) by a Sender that did not try to send
// because its own pacing left no room before the context's deadline: the
// platform did not fail, so the replies wait a moment, not a backoff, and
// the attempt does not count towards MaxOutboxAttempts.
var ErrDeferred = errors.New("send deferred: no room in the pace before the deadline")

// ErrLockTimeout is returned by Locker.Lock when the lock could not be taken
// before the context ended.
var ErrLockTimeout = errors.New("conversation lock: timed out")

// Store is everything the engine keeps. Implementations live in package store
// (memory, embedded, Redis) and all pass store/storetest.
//
// Keys are conversation keys (ConversationKey): everything about one user on
// one channel lives under that key, so Forget can delete it all.
type Store interface {
	Sessions
	Deduper
	Locker
	Forgetter
	Outboxes
}

// Sessions keeps one encoded session per conversation.
type Sessions interface {
	// Load returns the stored value of conv, or ErrNotFound.
	Load(ctx context.Context, conv string) ([]byte, error)
	// Save stores value for conv; it disappears after ttl (ttl > 0).
	Save(ctx context.Context, conv string, value []byte, ttl time.Duration) error
}

// LockLoader is an optional fast path of a Store whose calls are round
// trips (Redis): LockLoad is Lock then Load in one call, and its Lease saves
// and unlocks in one call, so a turn is four round trips (two before the
// sends). When there is no
// session the lock is held all the same and the error wraps ErrNotFound; on
// any other error the lock is not held (and the Lease is nil).
type LockLoader interface {
	LockLoad(ctx context.Context, conv string, ttl time.Duration) (lease Lease, session []byte, err error)
}

// Deduper remembers which platform message ids were already handled.
type Deduper interface {
	// FirstSeen atomically records id for conv and reports whether this is the
	// first time it was seen within ttl. Concurrent calls with the same id:
	// exactly one returns true.
	FirstSeen(ctx context.Context, conv, id string, ttl time.Duration) (bool, error)
}

// Locker serialises the handling of one conversation's messages.
type Locker interface {
	// Lock blocks until the lock of conv is held or ctx ends (then it returns
	// an error wrapping ErrLockTimeout or ctx.Err()). The lock is released by
	// unlock, or after ttl if the holder died (ttl > 0). unlock is safe to call
	// more than once.
	Lock(ctx context.Context, conv string, ttl time.Duration) (unlock func(), err error)
}

// Forgetter deletes everything kept about one conversation: its session,
// its deduplication records, and whatever else the store keeps under the
// conversation's key (the shipped stores: its bookings, which frees their
// slots, and its enrolments — the domains' records, see app.Store).
type Forgetter interface {
	Forget(ctx context.Context, conv string) error
}

// Arrivals is an optional part of a Store: the messages of a conversation
// that arrived and are not handled yet, by the platform's sequence number
// (Inbound.Seq). With ServiceConfig.OrderWindow set, messages of one user
// that arrive together (at two replicas, say) are handled in the order the
// platform gives them, not the order they reach the conversation's lock.
type Arrivals interface {
	// Arrive registers seq as waiting in conv, for at most ttl (a replica
	// that dies does not hold the conversation back for longer).
	Arrive(ctx context.Context, conv string, seq int64, ttl time.Duration) error
	// Lowest returns the lowest seq waiting in conv; false when none is.
	Lowest(ctx context.Context, conv string) (int64, bool, error)
	// Depart removes seq from conv's waiting messages.
	Depart(ctx context.Context, conv string, seq int64) error
}
