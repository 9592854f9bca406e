package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"teamsbot/activities/roster"
)

// Enrolments live in two buckets: enrolments (activity, seq, conversation →
// JSON) and by-conversation (conversation, activity → the first key). Join
// and Leave read the activity's enrolments and write in one bbolt write
// transaction: capacity and promotion cannot race.
var (
	bucketEnrol       = []byte("enrolments")
	bucketEnrolByConv = []byte("enrolments_by_conv")
)

func enrolKey(activity string, seq uint64, conv string) []byte {
	k := append([]byte(activity), 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(append(k, 0), conv...)
}

func enrolConvKey(conv, activity string) []byte {
	return append(append([]byte(conv), 0), activity...)
}

// activityEnrolments reads an activity's enrolments with their keys.
func activityEnrolments(tx *bolt.Tx, activity string) ([]roster.Enrolment, [][]byte) {
	var es []roster.Enrolment
	var keys [][]byte
	p := append([]byte(activity), 0)
	c := tx.Bucket(bucketEnrol).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		var e roster.Enrolment
		if json.Unmarshal(v, &e) == nil {
			es = append(es, e)
			keys = append(keys, bytes.Clone(k))
		}
	}
	return es, keys
}

// Join implements roster.Store.
func (s *Store) Join(ctx context.Context, e roster.Enrolment, capacity int, waitlist bool) (status string, position int, err error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	if err := checkConv(e.Conv); err != nil || e.Activity == "" {
		return "", 0, fmt.Errorf("embedded store: join: incomplete enrolment")
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		es, _ := activityEnrolments(tx, e.Activity)
		var jerr error
		status, position, jerr = roster.Join(es, e.Conv, capacity, waitlist)
		if jerr != nil {
			return jerr
		}
		b := tx.Bucket(bucketEnrol)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.Status, e.Seq = status, seq
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		k := enrolKey(e.Activity, seq, e.Conv)
		if err := b.Put(k, raw); err != nil {
			return err
		}
		return tx.Bucket(bucketEnrolByConv).Put(enrolConvKey(e.Conv, e.Activity), k)
	})
	return status, position, err
}

// Leave implements roster.Store.
func (s *Store) Leave(ctx context.Context, activity, conv string, capacity int) (*roster.Enrolment, error) {
	var promoted *roster.Enrolment
	err := s.db.Update(func(tx *bolt.Tx) error {
		byConv := tx.Bucket(bucketEnrolByConv)
		k := byConv.Get(enrolConvKey(conv, activity))
		if k == nil {
			return roster.ErrNotEnrolled
		}
		if err := tx.Bucket(bucketEnrol).Delete(bytes.Clone(k)); err != nil {
			return err
		}
		if err := byConv.Delete(enrolConvKey(conv, activity)); err != nil {
			return err
		}
		es, keys := activityEnrolments(tx, activity)
		if i := roster.Promote(es, capacity); i >= 0 {
			es[i].Status = roster.Joined
			raw, err := json.Marshal(es[i])
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketEnrol).Put(keys[i], raw); err != nil {
				return err
			}
			p := es[i]
			promoted = &p
		}
		return nil
	})
	return promoted, err
}

// Enrolled implements roster.Store.
func (s *Store) Enrolled(ctx context.Context, conv string) ([]roster.Enrolment, error) {
	var out []roster.Enrolment
	err := s.db.View(func(tx *bolt.Tx) error {
		p := append([]byte(conv), 0)
		c := tx.Bucket(bucketEnrolByConv).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			var e roster.Enrolment
			if json.Unmarshal(tx.Bucket(bucketEnrol).Get(v), &e) == nil {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Roster implements roster.Store.
func (s *Store) Roster(ctx context.Context, activity string) ([]roster.Enrolment, error) {
	var out []roster.Enrolment
	err := s.db.View(func(tx *bolt.Tx) error {
		out, _ = activityEnrolments(tx, activity)
		return nil
	})
	roster.Sort(out)
	return out, err
}

// forgetEnrolments removes a conversation's enrolments (inside Forget).
func forgetEnrolments(tx *bolt.Tx, conv string) error {
	p := append([]byte(conv), 0)
	var convKeys, keys [][]byte
	c := tx.Bucket(bucketEnrolByConv).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		convKeys = append(convKeys, bytes.Clone(k))
		keys = append(keys, bytes.Clone(v))
	}
	for i := range keys {
		if err := tx.Bucket(bucketEnrol).Delete(keys[i]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEnrolByConv).Delete(convKeys[i]); err != nil {
			return err
		}
	}
	return nil
}

// Promote implements roster.Store in one transaction.
func (s *Store) Promote(ctx context.Context, activity string, capacity int) ([]roster.Enrolment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []roster.Enrolment
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = nil
		es, keys := activityEnrolments(tx, activity)
		for _, i := range roster.Fill(es, capacity) {
			raw, err := json.Marshal(es[i])
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketEnrol).Put(keys[i], raw); err != nil {
				return err
			}
			out = append(out, es[i])
		}
		return nil
	})
	return out, err
}
