package embedded

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGroupCommitSharesTransactionsAndIsolatesFailures: 200 writers at
// once all land, in fewer transactions than writes, and the one write
// that fails fails alone: the others in its group are written.
func TestGroupCommitSharesTransactionsAndIsolatesFailures(t *testing.T) {
	s := open(t, t.TempDir())
	before := s.commits.txs.Load()
	bad := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Go(func() {
			errs[i] = s.update(func(tx *bolt.Tx) error {
				if i == 57 {
					_ = tx.Bucket(bucketSessions).Put([]byte("half-written"), []byte("x"))
					return bad
				}
				return tx.Bucket(bucketSessions).Put(fmt.Appendf(nil, "k%d", i), []byte("v"))
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i == 57) != errors.Is(err, bad) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		for i := range 200 {
			if (b.Get(fmt.Appendf(nil, "k%d", i)) != nil) != (i != 57) {
				t.Errorf("key k%d written: %t", i, b.Get(fmt.Appendf(nil, "k%d", i)) != nil)
			}
		}
		if b.Get([]byte("half-written")) != nil {
			t.Error("the failed write's half was committed")
		}
		return nil
	})
	if txs := s.commits.txs.Load() - before; txs >= 200 {
		t.Errorf("%d write transactions for 200 writes at once: no group shared one", txs)
	}
}
