package memory

import (
	"context"
	"slices"
	"time"
)

// note is a text the bot did not understand.
type note struct {
	lang, text string
	at, until  time.Time
}

// maxNotes bounds the texts kept: the oldest go first.
const maxNotes = 50_000

// AddMisunderstood keeps a text the bot did not understand (masked by the
// caller) until at+keep.
func (s *Store) AddMisunderstood(ctx context.Context, lang, text string, at time.Time, keep time.Duration) error {
	if err := s.begin(ctx, "add misunderstood"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	now := s.now()
	s.notes = slices.DeleteFunc(s.notes, func(n note) bool { return !n.until.After(now) })
	if len(s.notes) >= maxNotes {
		s.notes = slices.Delete(s.notes, 0, len(s.notes)-maxNotes+1)
	}
	s.notes = append(s.notes, note{lang: lang, text: text, at: at, until: at.Add(keep)})
	return nil
}

// EachMisunderstood calls fn with every text kept since since, oldest
// first.
func (s *Store) EachMisunderstood(ctx context.Context, since time.Time, fn func(lang, text string, at time.Time)) error {
	if err := s.begin(ctx, "misunderstood"); err != nil {
		return err
	}
	notes := slices.Clone(s.notes)
	now := s.now()
	s.mu.Unlock()
	for _, n := range notes {
		if !n.at.Before(since) && n.until.After(now) {
			fn(n.lang, n.text, n.at)
		}
	}
	return nil
}
