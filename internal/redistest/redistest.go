// Package redistest starts private redis-server processes for tests that
// need a Redis of their own: one to kill and restart, a Cluster, a
// Sentinel, a server with a risky configuration.
//
// Import limits: the standard library only.
package redistest

import (
	"fmt"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Need skips t in -short mode or when redis-server or redis-cli is not
// installed.
func Need(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts private Redis servers")
	}
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", bin)
		}
	}
}

// FreePort asks the kernel for a port nobody listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a redis-server on port, in a temporary folder, keeping
// nothing on disk; args come after those defaults and override them
// ("--appendonly", "yes", "--dir", dir). conf, when not "", is a
// configuration file read first (a sentinel's). It returns when the server
// accepts connections, with a function that kills it (SIGKILL), which also
// runs when the test ends.
func Start(t testing.TB, port int, conf string, args ...string) (kill func()) {
	t.Helper()
	var all []string
	if conf != "" {
		all = append(all, conf)
	}
	all = append(all, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd := exec.Command("redis-server", append(all, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill = sync.OnceFunc(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	t.Cleanup(kill)
	for range 200 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return kill
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return nil
}
