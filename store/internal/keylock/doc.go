// Package keylock is an in-process keyed mutex: one lock per key (a
// conversation key), taken with a context and released by an idempotent
// unlock function or, if the holder never unlocks, after a time to live.
//
// It is shared by the stores whose locks live in the process (store/memory
// and store/embedded, whose bolt file lock already guarantees a single
// process). Waiting is done on channels, so Lock honours its context.
//
// Import limits: keylock imports only the standard library. It knows nothing
// of package bot; callers turn its context errors into bot.ErrLockTimeout.
package keylock
