package understand

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"teamsbot/nlu"
)

// MissStore keeps the texts the bot did not understand: without any user
// id or conversation key, already masked, each for a limited time. Every
// store implements it (memory, embedded, Redis).
type MissStore interface {
	AddMisunderstood(ctx context.Context, lang, text string, at time.Time, keep time.Duration) error
	EachMisunderstood(ctx context.Context, since time.Time, fn func(lang, text string, at time.Time)) error
}

// Recorder notes what users wrote that the bot did not understand, for
// `teamsbot misunderstood`. Texts are masked (nlu.Mask: e-mail addresses,
// links, long numbers and document codes) before they are stored, and kept
// no longer than the retention period.
type Recorder struct {
	st   MissStore
	keep time.Duration
	log  *slog.Logger
}

// NewRecorder records into st for keep (the retention period).
func NewRecorder(st MissStore, keep time.Duration, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{st: st, keep: keep, log: log}
}

// Note implements bot.NotUnderstoodLog. A failure is logged, without the
// text, and never fails the turn.
func (r *Recorder) Note(ctx context.Context, lang, text string, at time.Time) {
	masked := nlu.Mask(text)
	if masked == "" {
		return
	}
	if err := r.st.AddMisunderstood(ctx, lang, masked, at, r.keep); err != nil {
		r.log.Warn("could not note a text not understood", "lang", lang, "error", err)
	}
}

// Missed is a text not understood, with how often it was written.
type Missed struct {
	Lang  string
	Text  string // the latest form written (masked)
	Count int
	Last  time.Time
}

// Misunderstood lists the texts not understood since since (in lang, or
// every language for ""), most frequent first: texts that are the same but
// for case, accents and punctuation count together.
func Misunderstood(ctx context.Context, st MissStore, lang string, since time.Time) ([]Missed, error) {
	by := map[string]*Missed{}
	err := st.EachMisunderstood(ctx, since, func(l, text string, at time.Time) {
		if lang != "" && l != lang {
			return
		}
		key := l + "\x00" + nlu.Normalize(text)
		m := by[key]
		if m == nil {
			m = &Missed{Lang: l}
			by[key] = m
		}
		m.Count++
		if !at.Before(m.Last) {
			m.Last, m.Text = at, text
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Missed, 0, len(by))
	for _, m := range by {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Missed) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if !a.Last.Equal(b.Last) {
			return b.Last.Compare(a.Last)
		}
		return strings.Compare(a.Text, b.Text)
	})
	return out, nil
}
