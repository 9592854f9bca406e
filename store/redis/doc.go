// Package redis is the store for several replicas: sessions, seen-once
// deduplication, per-conversation locks, bookings, enrolments and the
// outbox index on Redis (go-redis v9), passing the same conformance suite
// as the embedded store.
//
// Keys are namespaced by a prefix per deployment and a format version
// ("teamsbot:v1:"), and hash-tagged by conversation, place or activity so
// that each atomic operation touches one Cluster slot. Every operation that
// reads and then writes is a Lua script (EVALSHA): nothing is
// read-modify-written without a guard. The outbox index (two sorted sets:
// conversations with replies due, and with replies given up) is the one
// pair of keys per deployment; it is written in the same round trip as the
// session it describes.
//
// Import limits: bot, go-redis and redis_rate.
package redis
