// Package handoff keeps the operators' cases, whatever desk shows them:
// the case records, the queue of people waiting and of cases taken, the
// places in that queue, and the rules of a case's life (the first operator
// to take it has it; it is closed once, by an operator, by the user
// leaving, by a timeout or by "delete my data"). A desk (package
// adapters/slack) renders cases and turns its buttons and thread replies
// into calls here; the conversations are reached through the callbacks it
// passes (bot.Service).
//
// The conversation key, which holds a platform user id (a WhatsApp phone
// number), never leaves this package's records: desks address a case by
// its Token, a random handle.
package handoff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"teamsbot/bot"
)

// State is where a case is in its life.
type State string

// Case states.
const (
	Waiting State = "waiting" // for an operator
	Taken   State = "taken"   // an operator has it
	Closed  State = "closed"
)

// Case is what the desk knows of one handed-off conversation (the JSON
// names are those the desk has always stored: cases written by an earlier
// version read the same).
type Case struct {
	Token string `json:"k"`
	// Conv is the conversation key; "" once the user asked to delete their
	// data.
	Conv string `json:"c"`
	// Room is where the desk shows the case (a Slack channel), Thread the
	// desk's handle of its conversation there (the case message's ts).
	Thread   string `json:"ts"`
	Room     string `json:"ch"`
	State    State  `json:"s"`
	Operator string `json:"o,omitempty"`
	Since    int64  `json:"t"` // Unix seconds the user asked
	// Queued orders the waiting (Unix nanoseconds the user asked; 0 in
	// records of an earlier version: Since).
	Queued  int64             `json:"q,omitempty"`
	Lang    string            `json:"l"`
	Via     string            `json:"v"` // the user's channel
	Reason  string            `json:"r"`
	Flow    string            `json:"f"`
	Context map[string]string `json:"x,omitempty"`
	// Ended says how a closed case ended: "timeout", "user_left",
	// "expired", "forget", "close by NAME", "giveback by NAME".
	Ended string `json:"z,omitempty"`
	// Topic and Outcome are what the operators recorded of the case (no
	// message text): an intent the bot understands, and one of Outcomes.
	Topic   string `json:"tp,omitempty"`
	Outcome string `json:"oc,omitempty"`
}

// order is the case's place in its queue: when the user asked.
func (c *Case) order() int64 {
	if c.Queued != 0 {
		return c.Queued
	}
	return c.Since * int64(time.Second)
}

// Waited is how long the user had waited at now.
func (c *Case) Waited(now time.Time) time.Duration { return now.Sub(time.Unix(c.Since, 0)) }

// Outcomes are how a case can end, as operators record it.
var Outcomes = []string{"answered", "referred", "booked", "no_answer"}

// KV is what the cases are kept in: records, a lock per case so that the
// first Take wins, and the queues.
type KV interface {
	bot.Sessions
	bot.Locker
	bot.Forgetter
	Queues
}

// Queues is the store primitive the desk's queue needs: small ordered sets
// of case tokens, each write atomic on its own, so that no replica ever
// rewrites a list another one is changing (Redis: a sorted set each).
type Queues interface {
	// QueuePut puts member in queue at score (lowest first; equal scores
	// by member); a member already there moves.
	QueuePut(ctx context.Context, queue, member string, score int64) error
	// QueueDrop takes member out of queue; absent is not an error.
	QueueDrop(ctx context.Context, queue, member string) error
	// QueueList returns queue's members, lowest score first.
	QueueList(ctx context.Context, queue string) ([]string, error)
}

// The store's keys. A case's record is under keyToken; the others point to
// it.
const (
	keyToken   = "desk:token:" // token → record
	keyConv    = "desk:conv:"  // conversation → token of its latest case
	keyThread  = "desk:ts:"    // thread → token
	keyCases   = "desk:cases:" // conversation → every token it had, JSON list
	keyLegacy  = "desk:open"   // the open tokens as one JSON list (before the queues)
	queueWait  = "desk:waiting"
	queueTaken = "desk:taken"
)

// Cases keeps the cases. It is safe for concurrent use, and replicas
// sharing the store share the cases.
type Cases struct {
	kv        KV
	retention time.Duration
	now       func() time.Time
	migrated  atomic.Bool
}

// New returns the cases kept in kv, each record for retention (default 30
// days) after its last change.
func New(kv KV, retention time.Duration) *Cases {
	if retention <= 0 {
		retention = 30 * 24 * time.Hour
	}
	return &Cases{kv: kv, retention: retention, now: time.Now}
}

// ErrLocked wraps bot.ErrUnavailable: the case's lock could not be taken
// in time (another replica is working on it); nothing changed.
var ErrLocked = fmt.Errorf("handoff: case busy: %w", bot.ErrUnavailable)

func unavailable(what string, err error) error {
	if err == nil || errors.Is(err, bot.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("handoff: %s: %w: %w", what, bot.ErrUnavailable, err)
}

func (cs *Cases) getJSON(ctx context.Context, key string, v any) error {
	raw, err := cs.kv.Load(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (cs *Cases) putJSON(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return cs.kv.Save(ctx, key, raw, cs.retention)
}

// Get returns the case with that token; bot.ErrNotFound when there is none
// (expired, or a forged token).
func (cs *Cases) Get(ctx context.Context, token string) (*Case, error) {
	var c Case
	if err := cs.getJSON(ctx, keyToken+token, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (cs *Cases) by(ctx context.Context, prefix, key string) (*Case, error) {
	raw, err := cs.kv.Load(ctx, prefix+key)
	if err != nil {
		return nil, err
	}
	return cs.Get(ctx, string(raw))
}

// Of returns the latest case of a conversation; bot.ErrNotFound when it
// never had one (or it expired).
func (cs *Cases) Of(ctx context.Context, conv string) (*Case, error) {
	return cs.by(ctx, keyConv, conv)
}

// InThread returns the case a desk's thread shows; bot.ErrNotFound when
// the thread is not a case's.
func (cs *Cases) InThread(ctx context.Context, thread string) (*Case, error) {
	return cs.by(ctx, keyThread, thread)
}

// save writes c and puts it in the queue of its state.
func (cs *Cases) save(ctx context.Context, c *Case) error {
	if err := cs.putJSON(ctx, keyToken+c.Token, c); err != nil {
		return err
	}
	return cs.enqueue(ctx, c)
}

// enqueue makes the queues agree with c's state.
func (cs *Cases) enqueue(ctx context.Context, c *Case) error {
	for _, q := range []struct {
		name  string
		state State
	}{{queueWait, Waiting}, {queueTaken, Taken}} {
		var err error
		if c.State == q.state {
			err = cs.kv.QueuePut(ctx, q.name, c.Token, c.order())
		} else {
			err = cs.kv.QueueDrop(ctx, q.name, c.Token)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Open records a new case for a handoff, shown in room: post shows it
// there (before it is saved, so that a desk that cannot show it keeps no
// case) and returns the thread it opened. A conversation whose latest case
// is still open gets that case back, and post is not called.
func (cs *Cases) Open(ctx context.Context, h bot.Handoff, room string, post func(*Case) (thread string, err error)) (c *Case, fresh bool, err error) {
	if prev, err := cs.Of(ctx, h.Conversation); err == nil && prev.State != Closed {
		return prev, false, nil
	} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return nil, false, unavailable("find case", err)
	}
	asked := h.Since
	if asked.IsZero() {
		asked = cs.now()
	}
	c = &Case{Token: newToken(), Conv: h.Conversation, Room: room, State: Waiting, Since: asked.Unix(), Queued: asked.UnixNano(),
		Lang: h.Lang, Via: h.Channel, Reason: h.Reason, Flow: h.Flow, Context: Summary(h.Context)}
	if c.Thread, err = post(c); err != nil {
		return nil, false, err
	}
	if err := cs.save(ctx, c); err != nil {
		return nil, false, unavailable("save case", err)
	}
	for _, kv := range [][2]string{{keyConv + c.Conv, c.Token}, {keyThread + c.Thread, c.Token}} {
		if err := cs.kv.Save(ctx, kv[0], []byte(kv[1]), cs.retention); err != nil {
			return nil, false, unavailable("save case", err)
		}
	}
	var all []string
	_ = cs.getJSON(ctx, keyCases+c.Conv, &all)
	if err := cs.putJSON(ctx, keyCases+c.Conv, append(all, c.Token)); err != nil {
		return nil, false, unavailable("save case", err)
	}
	return c, true, nil
}

func newToken() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Position is a case's place among the waiting ones, oldest first (1 =
// next); 0 when it is not waiting or the queue cannot be read.
func (cs *Cases) Position(ctx context.Context, token string) int {
	waiting, err := cs.queue(ctx, queueWait)
	if err != nil {
		return 0
	}
	return slices.Index(waiting, token) + 1
}

// queue reads one queue, first moving the cases of an earlier version's
// single list into the queues.
func (cs *Cases) queue(ctx context.Context, q string) ([]string, error) {
	if !cs.migrated.Load() {
		if err := cs.migrate(ctx); err != nil {
			return nil, err
		}
	}
	return cs.kv.QueueList(ctx, q)
}

func (cs *Cases) migrate(ctx context.Context) error {
	var open []string
	if err := cs.getJSON(ctx, keyLegacy, &open); errors.Is(err, bot.ErrNotFound) {
		cs.migrated.Store(true)
		return nil
	} else if err != nil {
		return err
	}
	for _, tok := range open {
		c, err := cs.Get(ctx, tok)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := cs.enqueue(ctx, c); err != nil {
			return err
		}
	}
	if err := cs.kv.Forget(ctx, keyLegacy); err != nil {
		return err
	}
	cs.migrated.Store(true)
	return nil
}

// List returns the open cases, those waiting first (oldest first), then
// those taken. A queue entry whose case has closed or expired (a replica
// stopped between the two writes) is dropped on the way.
func (cs *Cases) List(ctx context.Context) (waiting, taken []*Case, err error) {
	for _, q := range []struct {
		name  string
		state State
		out   *[]*Case
	}{{queueWait, Waiting, &waiting}, {queueTaken, Taken, &taken}} {
		toks, err := cs.queue(ctx, q.name)
		if err != nil {
			return nil, nil, err
		}
		for _, tok := range toks {
			c, err := cs.Get(ctx, tok)
			if err != nil && !errors.Is(err, bot.ErrNotFound) {
				return nil, nil, err
			}
			if err != nil || c.State != q.state {
				if err == nil {
					_ = cs.enqueue(ctx, c)
				} else {
					_ = cs.kv.QueueDrop(ctx, q.name, tok)
				}
				continue
			}
			*q.out = append(*q.out, c)
		}
	}
	return waiting, taken, nil
}

// Counts is how many cases wait for an operator and how many an operator
// has (two reads, for the metrics).
func (cs *Cases) Counts(ctx context.Context) (waiting, taken int, err error) {
	w, err := cs.queue(ctx, queueWait)
	if err != nil {
		return 0, 0, err
	}
	t, err := cs.queue(ctx, queueTaken)
	if err != nil {
		return 0, 0, err
	}
	return len(w), len(t), nil
}

// errUnchanged tells update that its change function changed nothing.
var errUnchanged = errors.New("unchanged")

// update changes the case under its lock: change sees the current record
// and returns errUnchanged to leave it, another error to fail. It returns
// the case as it is after, and whether it changed.
func (cs *Cases) update(ctx context.Context, token string, change func(*Case) error) (*Case, bool, error) {
	unlock, err := cs.kv.Lock(ctx, keyToken+token, 10*time.Second)
	if err != nil {
		return nil, false, ErrLocked
	}
	defer unlock()
	c, err := cs.Get(ctx, token)
	if err != nil {
		if errors.Is(err, bot.ErrNotFound) {
			return nil, false, err
		}
		return nil, false, unavailable("read case", err)
	}
	switch err := change(c); {
	case errors.Is(err, errUnchanged):
		return c, false, nil
	case err != nil:
		return c, false, err
	}
	if err := cs.save(ctx, c); err != nil {
		return c, false, unavailable("save case", err)
	}
	return c, true, nil
}

// Take gives a waiting case to the operator name: the first one wins.
// join tells the conversation an operator joined; when it fails with
// bot.ErrUnavailable the case stays waiting and the error is returned,
// any other failure (the user is no longer waiting) is the desk's to
// note, and the case is taken all the same. It returns the case as it is
// (nil when gone) and whether this call took it; Has says whether an
// operator has it.
func (cs *Cases) Take(ctx context.Context, token, name string, join func(*Case) error) (c *Case, took bool, err error) {
	c, took, err = cs.update(ctx, token, func(c *Case) error {
		if c.State != Waiting {
			return errUnchanged
		}
		if err := join(c); errors.Is(err, bot.ErrUnavailable) {
			return err
		}
		c.State, c.Operator = Taken, name
		return nil
	})
	if errors.Is(err, bot.ErrNotFound) {
		return nil, false, nil
	}
	return c, took, err
}

// Has reports whether the operator name has the case.
func (c *Case) Has(name string) bool { return c != nil && c.State == Taken && c.Operator == name }

// TimeOut closes a case nobody took within wait ("timeout"), under its
// lock: a case an operator takes meanwhile, or that another replica timed
// out, is left. tell tells the conversation first, as for End. It reports
// whether this call closed it.
func (cs *Cases) TimeOut(ctx context.Context, token string, wait time.Duration, tell func(*Case) error) (*Case, bool, error) {
	c, changed, err := cs.update(ctx, token, func(c *Case) error {
		if c.State != Waiting || c.Waited(cs.now()) < wait {
			return errUnchanged
		}
		if err := tell(c); errors.Is(err, bot.ErrUnavailable) {
			return err
		}
		c.State, c.Ended = Closed, "timeout"
		return nil
	})
	if errors.Is(err, bot.ErrNotFound) {
		return nil, false, nil
	}
	return c, changed, err
}

// End closes an open case, saying how (Case.Ended). tell reaches the
// conversation first (close, give back, time out); when it fails with
// bot.ErrUnavailable nothing changes and the error is returned. It
// returns the case and whether this call closed it (false: already
// closed, or gone).
func (cs *Cases) End(ctx context.Context, token, how, operator string, tell func(*Case) error) (*Case, bool, error) {
	c, changed, err := cs.update(ctx, token, func(c *Case) error {
		if c.State == Closed {
			return errUnchanged
		}
		if tell != nil {
			if err := tell(c); errors.Is(err, bot.ErrUnavailable) {
				return err
			}
		}
		c.State, c.Ended = Closed, how
		if c.Operator == "" {
			c.Operator = operator
		}
		return nil
	})
	if errors.Is(err, bot.ErrNotFound) {
		return nil, false, nil
	}
	return c, changed, err
}

// Record saves what an operator recorded of a case: its topic (one of
// topics, or "other") or its outcome (one of Outcomes). A value that is
// neither (a menu of an older version, a forged one) changes nothing; so
// does a case that is gone. It reports whether the case changed.
func (cs *Cases) Record(ctx context.Context, token, field, value string, topics []string) (*Case, bool, error) {
	valid := field == "outcome" && slices.Contains(Outcomes, value) ||
		field == "topic" && (value == "other" || slices.Contains(topics, value))
	if !valid {
		return nil, false, nil
	}
	c, changed, err := cs.update(ctx, token, func(c *Case) error {
		if field == "topic" {
			c.Topic = value
		} else {
			c.Outcome = value
		}
		return nil
	})
	if errors.Is(err, bot.ErrNotFound) {
		return nil, false, nil
	}
	return c, changed, err
}

// Overdue returns the tokens of the cases waiting for longer than wait
// (to TimeOut).
func (cs *Cases) Overdue(ctx context.Context, wait time.Duration) ([]string, error) {
	waiting, _, err := cs.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range waiting {
		if c.Waited(cs.now()) >= wait {
			out = append(out, c.Token)
		}
	}
	return out, nil
}

// Forget removes what identifies the user from every case their
// conversation had: the conversation key and the answers they gave. An
// open case is closed ("forget") and told with closed; each case whose
// desk message showed something of the user is passed to shown, to be
// shown again without it. The records stay, anonymous, for the desk's
// counts and the buttons on old messages; the conversation's indexes go.
func (cs *Cases) Forget(ctx context.Context, conv string, closed, shown func(*Case)) error {
	var tokens []string
	if err := cs.getJSON(ctx, keyCases+conv, &tokens); err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("handoff: forget: %w", err)
	}
	if raw, err := cs.kv.Load(ctx, keyConv+conv); err == nil && !slices.Contains(tokens, string(raw)) {
		tokens = append(tokens, string(raw)) // a case from before the list was kept
	} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("handoff: forget: %w", err)
	}
	for _, tok := range tokens {
		var wasOpen, hadContext bool
		c, _, err := cs.update(ctx, tok, func(c *Case) error {
			wasOpen, hadContext = c.State != Closed, len(c.Context) > 0
			if wasOpen {
				c.State, c.Ended = Closed, "forget"
			}
			c.Conv, c.Context = "", nil
			return nil
		})
		if errors.Is(err, bot.ErrNotFound) {
			continue // expired
		}
		if err != nil {
			return fmt.Errorf("handoff: forget: %w", err)
		}
		if wasOpen && closed != nil {
			closed(c)
		}
		if (wasOpen || hadContext) && shown != nil {
			shown(c)
		}
	}
	for _, key := range []string{keyConv + conv, keyCases + conv} {
		if err := cs.kv.Forget(ctx, key); err != nil {
			return fmt.Errorf("handoff: forget: %w", err)
		}
	}
	return nil
}

// Summary keeps the answers of a flow an operator can use, not the bot's
// bookkeeping; long values are cut at 200 bytes.
func Summary(vars map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range vars {
		if strings.HasPrefix(k, "_") || strings.HasSuffix(k, "_choices") || k == "next_offset" || k == "offset" || k == "results_more" || v == "" {
			continue
		}
		if len(v) > 200 {
			v = v[:200] + "…"
		}
		out[k] = v
	}
	return out
}

// WaitBucket is how long a person waited for an operator, in the bands
// the programme's figures use.
func WaitBucket(d time.Duration) string {
	switch {
	case d < 5*time.Minute:
		return "under 5 min"
	case d < 15*time.Minute:
		return "5-15 min"
	case d < time.Hour:
		return "15-60 min"
	}
	return "over 1 h"
}
