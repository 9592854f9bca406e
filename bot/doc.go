// Package bot is the dialogue engine of teamsbot: the channel-neutral message
// and reply types, sessions, the conversation lifecycle (looplab/fsm), the
// running of compiled flow steps, global commands and the language choice.
//
// The engine (Engine.Step) is a pure function of a session, an inbound
// message, the clock and the compiled content: it does no I/O and never logs.
// Service wraps it with the world: a per-conversation lock, loading and saving
// the session, deduplication, sending replies, metrics and logs.
//
// Import limits: bot imports its own sub-packages, the standard library and
// small libraries (looplab/fsm, golang.org/x/text). It must not import
// net/http, any adapter, any store or any platform SDK; the interfaces it
// consumes (Store, Sender, Desk, Translator, Gazetteer, Metrics) are declared
// here and implemented elsewhere. A test (deps_test.go) enforces this.
package bot
