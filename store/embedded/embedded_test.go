package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"teamsbot/bot"
	"teamsbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, t.TempDir()) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store { return open(b, b.TempDir()) })
}

func open(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// openClosing opens dir and closes the store when the test ends.
func openClosing(t *testing.T, dir string) *Store {
	t.Helper()
	s := open(t, dir)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// count returns the number of keys in a bucket.
func count(t *testing.T, s *Store, bucket []byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// withClock makes s's clock the real one shifted by the returned offset.
func withClock(s *Store) *atomic.Int64 {
	var offset atomic.Int64
	s.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	return &offset
}

func TestDurable(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir)
	if err := s.Save(ctx, "teams:a", []byte("session a"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if first, err := s.FirstSeen(ctx, "teams:a", "m1", time.Hour); err != nil || !first {
		t.Fatalf("FirstSeen = %t, %v", first, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping after Close succeeded")
	}
	if _, err := s.Lock(ctx, "teams:a", time.Minute); err == nil {
		t.Fatal("Lock after Close succeeded")
	}

	s = openClosing(t, dir)
	got, err := s.Load(ctx, "teams:a")
	if err != nil || string(got) != "session a" {
		t.Fatalf("Load after reopen = %q, %v", got, err)
	}
	if first, err := s.FirstSeen(ctx, "teams:a", "m1", time.Hour); err != nil || first {
		t.Fatalf("FirstSeen after reopen = %t, %v; want false", first, err)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	openClosing(t, dir)
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&^want != 0 {
			t.Errorf("%s: mode %v, want at most %v", path, perm, want)
		}
	}
}

func TestSecondOpenFails(t *testing.T) {
	t.Parallel() // it waits for bolt's 2 s timeout
	dir := t.TempDir()
	openClosing(t, dir)
	start := time.Now()
	s, err := Open(dir)
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("second Open of a folder in use succeeded")
	}
	if !strings.Contains(err.Error(), "data folder "+dir+" is in use by another teamsbot process") {
		t.Errorf("error = %q, want the in-use message", err)
	}
	if !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("error %v does not wrap bolt's ErrTimeout", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("second Open took %s", elapsed)
	}
}

func TestOpenOnFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(path, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open on a file succeeded")
	}
}

func TestOpenOnGarbage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("garbage!", 4096)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open on a file that is not a database succeeded")
	}
}

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir)
	offset := withClock(s)
	for _, c := range []string{"a", "b", "c"} {
		if err := s.Save(ctx, "short:"+c, []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FirstSeen(ctx, "short:"+c, "m", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, "long", []byte("x"), 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "forever", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FirstSeen(ctx, "long", "m", 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep with nothing expired = %d, %v", n, err)
	}

	offset.Store(int64(time.Hour))
	if _, err := s.Load(ctx, "short:a"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Load of an expired session: %v", err)
	}
	// Expired entries read as missing but stay on disk until swept.
	if n := count(t, s, bucketSessions); n != 5 {
		t.Fatalf("%d sessions before Sweep, want 5", n)
	}
	n, err := s.Sweep(ctx)
	if err != nil || n != 6 {
		t.Fatalf("Sweep = %d, %v; want 6", n, err)
	}
	if n := count(t, s, bucketSessions); n != 2 {
		t.Fatalf("%d sessions after Sweep, want 2", n)
	}
	if n := count(t, s, bucketSeen); n != 1 {
		t.Fatalf("%d dedup records after Sweep, want 1", n)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v; want 0", n, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Sweep(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sweep with a cancelled context: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// putSeen writes dedup records of conv directly, with expiries in the past
// except for every tenth one; it returns the ids of the live ones.
func putSeen(t *testing.T, s *Store, conv string, n int) (live []string) {
	t.Helper()
	past := s.now().Add(-time.Minute).UnixNano()
	future := s.now().Add(time.Hour).UnixNano()
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			id, exp := "m"+strconv.Itoa(i), past
			if i%10 == 0 {
				live, exp = append(live, id), future
			}
			if err := tx.Bucket(bucketSeen).Put(seenKey(conv, id), encode(nil, exp)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return live
}

func TestSweepInBatches(t *testing.T) {
	s := openClosing(t, t.TempDir())
	s.sweepBatch = 7
	live := putSeen(t, s, "conv", 100)
	n, err := s.Sweep(context.Background())
	if err != nil || n != 100-len(live) {
		t.Fatalf("Sweep = %d, %v; want %d", n, err, 100-len(live))
	}
	if n := count(t, s, bucketSeen); n != len(live) {
		t.Fatalf("%d dedup records after Sweep, want %d", n, len(live))
	}
}

func TestJanitor(t *testing.T) {
	s, err := openEvery(t.TempDir(), 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	live := putSeen(t, s, "conv", 50)
	deadline := time.Now().Add(3 * time.Second)
	for count(t, s, bucketSeen) != len(live) {
		if time.Now().After(deadline) {
			t.Fatal("the janitor did not sweep the expired records")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Close stops the janitor (and waits for it).
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSweepAtOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir)
	live := putSeen(t, s, "conv", 30)
	// A malformed value is swept too.
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put([]byte("bad"), []byte{1, 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openClosing(t, dir)
	if n := count(t, s, bucketSessions); n != 0 {
		t.Fatalf("%d sessions after Open, want 0", n)
	}
	if n := count(t, s, bucketSeen); n != len(live) {
		t.Fatalf("%d dedup records after Open, want %d", n, len(live))
	}
	if first, err := s.FirstSeen(ctx, "conv", live[1], time.Hour); err != nil || first {
		t.Fatalf("FirstSeen of a live record = %t, %v; want false", first, err)
	}
	if first, err := s.FirstSeen(ctx, "conv", "m1", time.Hour); err != nil || !first {
		t.Fatalf("FirstSeen of a swept record = %t, %v; want true", first, err)
	}
}

func TestInvalidConversation(t *testing.T) {
	s := openClosing(t, t.TempDir())
	ctx := context.Background()
	for _, conv := range []string{"", "a\x00b"} {
		if err := s.Save(ctx, conv, []byte("x"), time.Hour); err == nil {
			t.Errorf("Save(%q) succeeded", conv)
		}
		if _, err := s.FirstSeen(ctx, conv, "m", time.Hour); err == nil {
			t.Errorf("FirstSeen(%q) succeeded", conv)
		}
		if err := s.Forget(ctx, conv); err == nil {
			t.Errorf("Forget(%q) succeeded", conv)
		}
		if _, err := s.Load(ctx, conv); err == nil || errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Load(%q) = %v, want an invalid key error", conv, err)
		}
	}
}

func TestErrorsDoNotNameConversation(t *testing.T) {
	s := openClosing(t, t.TempDir())
	ctx := context.Background()
	const secret = "personal-user-id"
	conv := "teams:" + secret
	huge := "teams:" + secret + strings.Repeat("x", bolt.MaxKeySize)
	errs := []error{}
	_, err := s.Load(ctx, conv)
	errs = append(errs, err)
	errs = append(errs, s.Save(ctx, huge, []byte("x"), time.Hour))
	_, err = s.FirstSeen(ctx, huge, "m", time.Hour)
	errs = append(errs, err)
	errs = append(errs, s.Save(ctx, conv+"\x00", []byte("x"), time.Hour))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Lock(cancelled, conv, time.Minute)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("case %d: error names the conversation: %.100s", i, err)
		}
	}
}
