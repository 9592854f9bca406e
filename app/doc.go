// Package app is the wiring of teamsbot: the only package that knows every
// concrete type. It reads the configuration, loads and checks the content,
// opens the store, builds the engine and the service, and runs the
// subcommands (serve, chat, lint, test, graph). Components start in order
// and stop in reverse.
package app
