package redis

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamsbot/internal/redistest"
	"teamsbot/store/storetest"
)

// conformanceOn runs the store's conformance suite on url, a fresh prefix
// per subtest.
func conformanceOn(t *testing.T, url string) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := Open(url, fmt.Sprintf("teamsbot-topo-%d", time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestCluster: the store on a private three-node Redis Cluster, through
// one URL with ?cluster=true, passes the same conformance suite as on one
// server: every script touches one slot, and writes that span a
// conversation and the outbox index are pipelined, not MULTI.
func TestCluster(t *testing.T) {
	redistest.Need(t)
	var addrs []string
	for range 3 {
		port := redistest.FreePort(t)
		redistest.Start(t, port, "", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	out, err := exec.Command("redis-cli", append([]string{"--cluster", "create"}, append(addrs, "--cluster-replicas", "0", "--cluster-yes")...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		info, _ := exec.Command("redis-cli", "-p", strings.Split(addrs[0], ":")[1], "cluster", "info").Output()
		if strings.Contains(string(info), "cluster_state:ok") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not come up:\n%s", info)
		}
	}
	url := "redis://" + addrs[0] + "?cluster=true&addr=" + addrs[1] + "&addr=" + addrs[2]
	s, err := Open(url, "teamsbot-cluster")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.cluster {
		t.Fatal("?cluster=true did not open a Cluster client")
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	conformanceOn(t, url)
}

// TestSentinel: the store through a private Sentinel (one master, one
// sentinel), with ?master_name=, passes the conformance suite.
func TestSentinel(t *testing.T) {
	redistest.Need(t)
	master := redistest.FreePort(t)
	redistest.Start(t, master, "")
	sentinel := redistest.FreePort(t)
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	cfg := fmt.Sprintf("sentinel monitor teams 127.0.0.1 %d 1\nsentinel down-after-milliseconds teams 5000\n", master)
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	redistest.Start(t, sentinel, conf, "--sentinel")
	url := fmt.Sprintf("redis://127.0.0.1:%d/0?master_name=teams", sentinel)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		s, err := Open(url, "teamsbot-sentinel")
		if err != nil {
			t.Fatal(err)
		}
		err = s.Ping(context.Background())
		s.Close()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no master through the sentinel: %v", err)
		}
	}
	conformanceOn(t, url)
}
