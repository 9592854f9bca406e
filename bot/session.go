package bot

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// Lifecycle states of a conversation. See lifecycle.go for the transitions.
const (
	StateNew      = "new"      // never spoken, or forgotten
	StateLanguage = "language" // asked which language
	StatePrivacy  = "privacy"  // shown the privacy notice, waiting for OK
	StateFlow     = "flow"     // with the bot: in a flow, or at the menu
	StateWaiting  = "waiting"  // handed off, waiting for an operator
	StateOperator = "operator" // an operator has the conversation
)

// Session is what the engine keeps about one conversation between turns.
//
// It names its place by flow and step ids, not by compiled pointers, so that
// a session saved before a content change still loads; a step that no longer
// exists sends the user to the menu. Field names are short on purpose: the
// encoded session is stored once per user, and a small one (see
// BenchmarkSessionSize) keeps the store small and fast.
type Session struct {
	State string `json:"st"`
	Lang  string `json:"l,omitempty"`
	Flow  string `json:"f,omitempty"`
	Step  string `json:"s,omitempty"`
	// Vars are the answers saved by the flows (save:, set:).
	Vars map[string]string `json:"v,omitempty"`
	// Back is the stack of questions already answered, newest last.
	Back []Place `json:"b,omitempty"`
	// Misses counts answers in a row the current question did not understand.
	Misses int `json:"m,omitempty"`
	// Pending is a question of the engine's own the user has to answer
	// (PendingForget), or a note about the handoff (PendingAcked).
	Pending string `json:"p,omitempty"`
	// Link is a flow to open once the privacy notice is accepted (from a deep
	// link).
	Link string `json:"k,omitempty"`
	// Consent is when the privacy notice was accepted (Unix seconds).
	Consent int64 `json:"c,omitempty"`
	// Updated is the time of the last message (Unix seconds).
	Updated int64 `json:"t,omitempty"`
	// Since is when the current handoff started (Unix seconds).
	Since int64 `json:"h,omitempty"`
	// Blocked is set when the user blocked the bot on their channel: nothing
	// is sent until they write again.
	Blocked bool `json:"x,omitempty"`
	// Seen are the platform message ids handled lately (hashed), saved with
	// the state they led to: a redelivered message is recognised, and one
	// whose turn was never saved is handled again.
	Seen []SeenID `json:"z,omitempty"`
	// Outbox holds replies not delivered yet: saved with the turn that made
	// them, cleared once the channel took them.
	Outbox *Outbox `json:"o,omitempty"`
	// Failed holds replies given up after MaxOutboxAttempts, kept for
	// `teamsbot outbox --failed` until they are retried or the session
	// expires.
	Failed *Outbox `json:"y,omitempty"`
	// In is when the user last wrote (Unix seconds): a channel's reply
	// window (WhatsApp's 24 hours) is known to every replica, not only to
	// the one that received the message.
	In int64 `json:"i,omitempty"`
	// Sending is set while one process sends the outbox (outside the
	// conversation's lock): other turns only add to the outbox, which the
	// sender drains in order before it lets go. It lapses at Until, so a
	// sender that died is taken over.
	Sending *Sending `json:"d,omitempty"`
}

// Sending marks the outbox's one sender.
type Sending struct {
	Token uint64 // the sender's, random
	Until int64  // Unix milliseconds: after it, another may take over
}

// SeenID is a handled message: the FNV-1a hash of its platform id and when
// (Unix seconds).
type SeenID struct {
	Hash uint64
	At   int64
}

// maxSeen bounds the ids a session remembers (a redelivery comes within
// minutes; 32 covers two days of a busy conversation).
const maxSeen = 32

// firstSeen records the message id and reports whether it is new: not seen
// within ttl before now. Older ids are dropped, and the oldest past maxSeen.
func (s *Session) firstSeen(id string, now time.Time, ttl time.Duration) bool {
	h := fnv.New64a()
	h.Write([]byte(id))
	sum := h.Sum64()
	cutoff := now.Add(-ttl).Unix()
	s.Seen = slices.DeleteFunc(s.Seen, func(x SeenID) bool { return x.At < cutoff })
	for _, x := range s.Seen {
		if x.Hash == sum {
			return false
		}
	}
	if len(s.Seen) >= maxSeen {
		s.Seen = slices.Delete(s.Seen, 0, len(s.Seen)-maxSeen+1)
	}
	s.Seen = append(s.Seen, SeenID{Hash: sum, At: now.Unix()})
	return true
}

// Place is a step in a flow.
type Place struct {
	Flow string `json:"f"`
	Step string `json:"s"`
}

// Engine-level pending questions.
const (
	PendingForget   = "forget"   // "delete everything?" asked
	PendingAcked    = "acked"    // the user was told their messages reach the operator
	PendingRoute    = "route"    // "did you mean" offered; the routes are in Vars["_routes"]
	PendingFeedback = "feedback" // "how did it go, 1-5?" asked after an operator closed
)

// sessionFormat is the first byte of an encoded session; a format change
// bumps it, and UnmarshalSession says which one it cannot read. Formats 1
// (before the seen ids) and 2 (before the outbox) are still read.
const sessionFormat = 4

// Marshal encodes the session for the store.
//
// The encoding is a small binary one (a format byte, then uvarint-prefixed
// strings and varints, see codec.go), not JSON: JSON was 16 µs and 47
// allocations for a mid-flow session — more than all the rest of a turn —
// where this is well under a microsecond, and about a third smaller.
func (s *Session) Marshal() ([]byte, error) {
	return s.appendTo(make([]byte, 0, s.sizeHint())), nil
}

// sizeHint is about the encoded size of the session, so Marshal makes its
// buffer once: a session with replies in its outbox is a few kilobytes,
// and growing a small buffer to that took most of a turn's allocation.
func (s *Session) sizeHint() int {
	n := 128 + len(s.State) + len(s.Lang) + len(s.Flow) + len(s.Step) + len(s.Pending) + len(s.Link) + 12*len(s.Seen)
	for k, v := range s.Vars {
		n += len(k) + len(v) + 4
	}
	for _, p := range s.Back {
		n += len(p.Flow) + len(p.Step) + 2
	}
	for _, o := range [...]*Outbox{s.Outbox, s.Failed} {
		if o == nil {
			continue
		}
		n += 32 + len(o.Error)
		for _, r := range o.Replies {
			n += 16 + len(r.Text) + len(r.Lang) + len(r.ChooseLabel) + len(r.LocationLabel) + len(r.FromOperator)
			for _, op := range r.Options {
				n += 6 + len(op.ID) + len(op.Label) + len(op.MessageID)
			}
			for _, id := range r.MessageIDs {
				n += 2 + len(id)
			}
		}
	}
	return n
}

// UnmarshalSession decodes a stored session.
func UnmarshalSession(b []byte) (*Session, error) {
	s := new(Session)
	if err := s.decode(b); err != nil {
		return nil, fmt.Errorf("decode session: %w", err)
	}
	switch s.State {
	case StateNew, StateLanguage, StatePrivacy, StateFlow, StateWaiting, StateOperator:
	default:
		return nil, fmt.Errorf("decode session: unknown state %q", s.State)
	}
	return s, nil
}

func (s *Session) setVar(k, v string) {
	if s.Vars == nil {
		s.Vars = make(map[string]string, 4)
	}
	s.Vars[k] = v
}
