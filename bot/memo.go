package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Actions that write (Action.Writes: a booking, a cancellation, an
// enrolment, a proposal, a call-back request) run at most once per
// delivered message and step. Their results are remembered in a memo, one
// record per conversation in the Sessions store, under MemoKey(conv): when
// the turn that ran the action could not be saved and the platform delivers
// the message again, the turn runs from the saved session once more and
// the action's first result is told instead of the action being run again.
// The memo is deleted with the conversation.

const (
	// memoTTL covers the platforms' redelivery windows (WhatsApp retries a
	// webhook for up to seven days).
	memoTTL = 7 * 24 * time.Hour
	// memoMax bounds the results one conversation's memo keeps.
	memoMax = 16
)

// MemoKey is the Sessions key of a conversation's memo of action results.
func MemoKey(conv string) string { return "actions|" + conv }

type memoEntry struct {
	Key    string       `json:"k"`
	At     int64        `json:"t"`
	Result ActionResult `json:"r"`
}

// memoID names one action run: the conversation, the platform's message id
// and the step (hashed: the memo holds no message ids).
func memoID(conv, msgID, flowID, step string) string {
	h := sha256.Sum256([]byte(conv + "\x00" + msgID + "\x00" + flowID + "\x00" + step))
	return hex.EncodeToString(h[:12])
}

// recall returns the remembered result of run key, if any.
func recall(t *turn, key string) (ActionResult, []memoEntry, bool, error) {
	raw, err := t.e.cfg.Memo.Load(t.ctx, MemoKey(t.in.Key()))
	if errors.Is(err, ErrNotFound) {
		return ActionResult{}, nil, false, nil
	}
	if err != nil {
		return ActionResult{}, nil, false, fmt.Errorf("memo: %w", err)
	}
	var es []memoEntry
	if err := json.Unmarshal(raw, &es); err != nil {
		return ActionResult{}, nil, false, nil // unreadable: start a new one
	}
	for _, e := range es {
		if e.Key == key {
			return e.Result, es, true, nil
		}
	}
	return ActionResult{}, es, false, nil
}

// remember adds run key's result to the memo, dropping expired entries and
// the oldest past memoMax.
func remember(t *turn, es []memoEntry, key string, res ActionResult) error {
	cutoff := t.now.Add(-memoTTL).Unix()
	kept := make([]memoEntry, 0, len(es)+1)
	for _, e := range es {
		if e.At >= cutoff {
			kept = append(kept, e)
		}
	}
	kept = append(kept, memoEntry{Key: key, At: t.now.Unix(), Result: res})
	if len(kept) > memoMax {
		kept = kept[len(kept)-memoMax:]
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	if err := t.e.cfg.Memo.Save(t.ctx, MemoKey(t.in.Key()), raw, memoTTL); err != nil {
		return fmt.Errorf("memo: %w", err)
	}
	return nil
}

// runAction runs action a once per delivered message and step when it writes and
// the engine keeps a memo; otherwise it just runs it.
func (t *turn) runAction(a Action, req ActionRequest, flowID, step string) (ActionResult, error) {
	if !a.Writes || t.e.cfg.Memo == nil || t.in.ID == "" {
		res, err := a.Run(t.ctx, req)
		if err == nil && a.Writes {
			t.acted(a, req, res, flowID, step)
		}
		return res, err
	}
	key := memoID(t.in.Key(), t.in.ID, flowID, step)
	res, es, ok, err := recall(t, key)
	if err != nil {
		return ActionResult{}, err
	}
	if ok {
		return res, nil
	}
	if res, err = a.Run(t.ctx, req); err != nil {
		return res, err
	}
	t.acted(a, req, res, flowID, step)
	return res, remember(t, es, key, res)
}

// acted records what a writing action did, once (a replayed result is
// not counted again), for the programme's figures: "booking.book:booked",
// and "booking.book:mediator" when the person asked for a mediator.
func (t *turn) acted(a Action, req ActionRequest, res ActionResult, flowID, step string) {
	t.event(Event{Kind: EventAction, Flow: flowID, Step: step, Reason: a.Name + ":" + res.Outcome})
	if v := req.Args["mediator"]; res.Outcome == "booked" && (v == "yes" || v == "true" || v == "1") {
		t.event(Event{Kind: EventAction, Flow: flowID, Step: step, Reason: a.Name + ":mediator"})
	}
}
