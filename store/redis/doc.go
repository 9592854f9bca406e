// Package redis is the store for several replicas: sessions, seen-once
// deduplication, per-conversation locks, bookings and enrolments on Redis
// (go-redis v9), passing the same conformance suite as the embedded store.
//
// Keys are namespaced by a prefix per deployment and a format version
// ("teamsbot:v1:"), and hash-tagged by conversation, place or activity so
// that each atomic operation touches one Cluster slot. Every operation that
// reads and then writes is a Lua script (EVALSHA): nothing is
// read-modify-written without a guard.
//
// Import limits: bot and go-redis.
package redis
