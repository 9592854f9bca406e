package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"teamsbot/bot"
)

// Store is what the channel keeps its tokens and feeds in.
type Store interface {
	bot.Sessions
	bot.Locker
}

// Broadcaster is a store that tells every replica when a topic has news
// (the Redis store).
type Broadcaster interface {
	Notify(ctx context.Context, topic string) error
	Listen(ctx context.Context, prefix string, fn func(topic string)) error
}

// Event is one reply in a conversation's feed, as the browser receives it.
type Event struct {
	ID   int64           `json:"id"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// feed is the stored record of a conversation's replies.
type feed struct {
	Next   int64   `json:"next"`
	Events []Event `json:"events"`
}

// maxEvents is how many replies a feed keeps: what a browser that was away
// can catch up on.
const maxEvents = 200

func feedKey(user string) string  { return "webchat:feed:" + user }
func tokenKey(user string) string { return "webchat:token:" + user }

func loadFeed(ctx context.Context, st Store, user string) (feed, error) {
	var f feed
	raw, err := st.Load(ctx, feedKey(user))
	if errors.Is(err, bot.ErrNotFound) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	err = json.Unmarshal(raw, &f)
	return f, err
}

// appendFeed adds replies to user's feed under its lock.
func appendFeed(ctx context.Context, st Store, user string, data []json.RawMessage, now time.Time, ttl time.Duration) error {
	unlock, err := st.Lock(ctx, feedKey(user), 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	f, err := loadFeed(ctx, st, user)
	if err != nil {
		return err
	}
	for _, d := range data {
		f.Next++
		f.Events = append(f.Events, Event{ID: f.Next, At: now, Data: d})
	}
	if n := len(f.Events); n > maxEvents {
		f.Events = f.Events[n-maxEvents:]
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return st.Save(ctx, feedKey(user), raw, ttl)
}

// hub wakes the streams of this process waiting on a user's feed.
type hub struct {
	mu      sync.Mutex
	waiting map[string]map[chan struct{}]bool
}

func newHub() *hub { return &hub{waiting: map[string]map[chan struct{}]bool{}} }

// wait returns a channel told when user's feed changes, and a function to
// stop waiting.
func (h *hub) wait(user string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.waiting[user] == nil {
		h.waiting[user] = map[chan struct{}]bool{}
	}
	h.waiting[user][ch] = true
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.waiting[user], ch)
		if len(h.waiting[user]) == 0 {
			delete(h.waiting, user)
		}
		h.mu.Unlock()
	}
}

func (h *hub) wake(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.waiting[user] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// streams is how many browsers this process is streaming to.
func (h *hub) streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, w := range h.waiting {
		n += len(w)
	}
	return n
}
