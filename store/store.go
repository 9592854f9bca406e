// Package store names what a deployment's store offers; its subpackages
// are the stores (memory, embedded, redis) and their conformance suite
// (storetest).
package store

import (
	"context"

	"teamsbot/activities/roster"
	"teamsbot/booking/ledger"
	"teamsbot/bot"
	"teamsbot/handoff"
)

// Store is what a deployment's store offers: what the engine keeps
// (bot.Store), and what the domains keep in it, each declared by its
// domain — appointments (ledger.Store), places in activities
// (roster.Store), the desk's queues (handoff.Queues) — and what the server
// needs of it. store/memory, store/embedded and store/redis implement it
// all; store/storetest checks it all.
type Store interface {
	bot.Store
	ledger.Store
	roster.Store
	handoff.Queues
	// Ping reports whether the store is reachable (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}
