// Package redistest starts private redis-server processes for tests that
// need a Redis of their own: one to kill and restart, a Cluster, a
// Sentinel, a server with a risky configuration.
//
// Import limits: the standard library only.
package redistest

import (
	"fmt"
	"net"
	"os"
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

// Main runs a package's tests (from its TestMain) with a Redis at
// REDIS_URL: the one given, or, when none is and redis-server is installed,
// a private server started for the run (a free port, nothing kept on disk,
// killed when the run ends, and by the kernel if the test binary dies).
// With neither it says on stderr which tests skip and why, so the README's
// test command never skips them silently.
func Main(m *testing.M) int {
	if os.Getenv("REDIS_URL") != "" {
		return m.Run()
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "redistest: REDIS_URL is not set and redis-server is not installed: the tests on Redis (its conformance suite, replicas, SIGKILL, pacing) skip; install redis-server or set REDIS_URL")
		return m.Run()
	}
	stop, url, err := startShared()
	if err != nil {
		fmt.Fprintf(os.Stderr, "redistest: no private redis-server (%v): the tests on Redis skip\n", err)
		return m.Run()
	}
	defer stop()
	os.Setenv("REDIS_URL", url)
	return m.Run()
}

// startShared starts the run's private redis-server.
func startShared() (stop func(), url string, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "teamsbot-redis-")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	stop = func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait(); os.RemoveAll(dir) }
	for range 250 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return stop, fmt.Sprintf("redis://127.0.0.1:%d/0", port), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return nil, "", fmt.Errorf("redis-server did not answer on port %d", port)
}
