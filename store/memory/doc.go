// Package memory is an in-memory bot.Store: maps guarded by a mutex, and
// in-process per-conversation locks (store/internal/keylock) that honour
// their context and time to live.
//
// Nothing survives a restart, and it cannot be shared by several processes:
// it is meant for tests, demos and development. Expired entries are treated
// as missing when read, and are purged when read and whenever the number of
// entries has doubled since the last purge, so memory stays bounded by the
// live data.
//
// Import limits: memory imports package bot, store/internal/keylock and the
// standard library only.
package memory
