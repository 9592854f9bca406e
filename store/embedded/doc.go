// Package embedded is the default, durable bot.Store: one bbolt file,
// dir/teamsbot.db, in the bot's data folder. It needs no server.
//
// Layout: bucket "sessions" maps a conversation key to its session; bucket
// "seen" maps conv + "\x00" + message id to a dedup record, so all the
// records of one conversation form one key range and Forget deletes them
// with a cursor Seek. Every value starts with an 8-byte big-endian expiry
// (Unix nanoseconds, wall clock; 0 means never) followed by the data.
// Expired entries read as missing and are deleted by Sweep, which runs at
// Open and every 10 minutes until Close.
//
// bbolt locks the file, so only one process can use a data folder: a second
// Open waits at most 2 s and then fails with "data folder ... is in use by
// another teamsbot process". Since the process is the only user, the
// per-conversation locks live in memory (store/internal/keylock).
//
// Every write is its own fsynced bolt transaction; FirstSeen is one Update
// transaction, hence atomic. Conversation keys must be non-empty, must not
// contain a NUL byte and, with the message id, must fit a bolt key (32 KiB).
// Errors never contain conversation keys (they hold platform user ids).
//
// Import limits: embedded imports package bot, store/internal/keylock,
// go.etcd.io/bbolt and the standard library only.
package embedded
