// Package storetest is the conformance suite every Store implementation
// must pass (store/memory, store/embedded, and any later one such as Redis),
// and a common set of benchmarks so the stores can be compared.
//
// An implementation's test file calls Run and Bench with a function that
// opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) Store { return memory.New() })
//	}
//
// Timing: expiry is checked by polling with a generous deadline (3 s) and
// never by asserting that something happened within a tight delay, so the
// suite does not flake on a slow or loaded machine. A value saved with a
// short TTL is only required to be visible if it is read back before that
// TTL has elapsed.
//
// Import limits: storetest imports package bot and the standard library
// (including testing) only. It must not import any store implementation.
package storetest
