package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"teamsbot/internal/every"

	"teamsbot/booking/ledger"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// Store keeps each feed's last good copy, shared by the replicas (any
// bot.Store).
type Store interface {
	Load(ctx context.Context, key string) ([]byte, error)
	Save(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Config is what Feeds needs.
type Config struct {
	Dir   *knowledge.Directory
	Store Store
	// Bookings, when set, lets a refresh find the appointments a new busy
	// time covers (OnConflict).
	Bookings ledger.Store
	// Client fetches the feeds (default: a client with a 20 s timeout).
	Client *http.Client
	// Every is how often a feed is read (default 15 minutes); a replica
	// that finds a copy younger than half of it in the store uses that.
	Every time.Duration
	Log   *slog.Logger
	// OnProblem is told when a feed stops being readable (problem is one
	// of the Problem constants) and when it is
	// readable again (problem ""), once per change, by the replica that saw
	// it.
	OnProblem func(ctx context.Context, s *knowledge.Schedule, problem string, lastGood time.Time)
	// OnConflict is told of the appointments already booked that a busy
	// time now covers, each once: the office decides what to do with them.
	OnConflict func(ctx context.Context, s *knowledge.Schedule, bs []ledger.Booking)
}

// Feeds keeps the busy times of every schedule: those of its calendar_url,
// and the closures the office's staff set from Slack (Close).
type Feeds struct {
	cfg    Config
	mu     sync.RWMutex
	busy   map[string][]Interval // from the feeds
	closed map[string][]Interval // set by the office (Close)
	opened map[string][]Interval // extra hours set by the office (Open)
}

// New returns Feeds over the directory's schedules; call Refresh (or Run)
// to read them.
func New(cfg Config) *Feeds {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Every <= 0 {
		cfg.Every = 15 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Feeds{cfg: cfg, busy: map[string][]Interval{}, closed: map[string][]Interval{}, opened: map[string][]Interval{}}
}

// Openings lists the extra hours the office's staff opened at place
// (Open) that meet [from, to): slots are offered in them too, even on a
// day the schedule is closed.
func (f *Feeds) Openings(place string, from, to time.Time) []knowledge.Interval {
	if f == nil {
		return nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []knowledge.Interval
	for _, iv := range f.opened[place] {
		if iv.From.Before(to) && iv.To.After(from) {
			out = append(out, knowledge.Interval{From: iv.From, To: iv.To})
		}
	}
	return out
}

// Busy reports whether [from, to) meets a busy time of place's calendar.
func (f *Feeds) Busy(place string, from, to time.Time) bool {
	if f == nil {
		return false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return Overlaps(f.busy[place], from, to) || Overlaps(f.closed[place], from, to)
}

// Why a feed could not be used, as OnProblem and Status give it (without
// the address: it may hold a secret token).
const (
	ProblemBadURL      = "bad_url"
	ProblemUnreachable = "unreachable"
	ProblemStatus      = "status:" // followed by the HTTP status
	ProblemTooBig      = "too_big"
	ProblemNotCalendar = "not_ics"
	ProblemTooMany     = "too_many"
)

// Explain says a problem in English, for staff at a terminal.
func Explain(problem string) string {
	if code, ok := strings.CutPrefix(problem, ProblemStatus); ok {
		return "the calendar's server answered " + code
	}
	switch problem {
	case ProblemBadURL:
		return "the address is not valid"
	case ProblemUnreachable:
		return "the calendar could not be reached"
	case ProblemTooBig:
		return fmt.Sprintf("the calendar is over %d MB", MaxBytes>>20)
	case ProblemNotCalendar:
		return "the address does not give an iCalendar (.ics) file"
	case ProblemTooMany:
		return fmt.Sprintf("more than %d busy times in the next weeks", MaxIntervals)
	}
	return problem
}

// state is what the store keeps of a feed.
type state struct {
	URL          string     `json:"url"`
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"`
	Checked      int64      `json:"checked"`           // last attempt, Unix
	Good         int64      `json:"good,omitempty"`    // last good read, Unix
	Problem      string     `json:"problem,omitempty"` // why the last attempt failed
	Busy         [][2]int64 `json:"busy,omitempty"`    // Unix seconds
	Warnings     []string   `json:"warnings,omitempty"`
	Reported     []string   `json:"reported,omitempty"` // booking codes told to the office
}

// keep is how long a feed's state stays in the store without a refresh.
const keep = 90 * 24 * time.Hour

// keepClosed is how long an office's closures stay without a change: more
// than a year ahead (a closure set for next Christmas).
const keepClosed = 400 * 24 * time.Hour

// Status is a feed as staff see it (`teamsbot bookings --places`).
type Status struct {
	Place    string
	Checked  time.Time
	Good     time.Time
	Busy     int
	Problem  string
	Warnings []string
}

func key(place string) string { return "calendar-feed:" + place }

// Status reads every feed's state from the store.
func (f *Feeds) Status(ctx context.Context) ([]Status, error) {
	var out []Status
	for _, s := range f.schedules() {
		st, err := f.load(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, Status{Place: s.Place, Checked: unix(st.Checked), Good: unix(st.Good), Busy: len(st.Busy), Problem: st.Problem, Warnings: st.Warnings})
	}
	return out, nil
}

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

func (f *Feeds) schedules() []*knowledge.Schedule {
	var out []*knowledge.Schedule
	for _, p := range f.cfg.Dir.Places() {
		if s, ok := f.cfg.Dir.Schedule(p.ID); ok && s.CalendarURL != "" {
			out = append(out, s)
		}
	}
	return out
}

func (f *Feeds) load(ctx context.Context, s *knowledge.Schedule) (state, error) {
	raw, err := f.cfg.Store.Load(ctx, key(s.Place))
	if errors.Is(err, bot.ErrNotFound) {
		return state{URL: s.CalendarURL}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("calendar feed of %s: %w", s.Place, err)
	}
	var st state
	if err := json.Unmarshal(raw, &st); err != nil || st.URL != s.CalendarURL {
		// Unreadable, or the office gave another address: start afresh.
		return state{URL: s.CalendarURL}, nil
	}
	return st, nil
}

// Refresh reads the closures the offices set (every schedule's) and every
// feed that is due, keeps what it read, and returns the first store error
// (a feed that cannot be read is not an error: its last good copy stays
// and OnProblem is told).
func (f *Feeds) Refresh(ctx context.Context, now time.Time) error {
	var first error
	for _, p := range f.cfg.Dir.Places() {
		if _, ok := f.cfg.Dir.Schedule(p.ID); !ok {
			continue
		}
		closed, err := f.loadSpans(ctx, closedKey(p.ID))
		if err != nil && first == nil {
			first = err
			continue
		}
		opened, err := f.loadSpans(ctx, openedKey(p.ID))
		if err != nil && first == nil {
			first = err
			continue
		}
		f.mu.Lock()
		f.closed[p.ID], f.opened[p.ID] = closed, opened
		f.mu.Unlock()
	}
	for _, s := range f.schedules() {
		if err := f.refreshOne(ctx, s, now); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func closedKey(place string) string { return "calendar-closed:" + place }
func openedKey(place string) string { return "calendar-opened:" + place }

// loadClosed reads a place's closures set by its staff, sorted and merged.
func (f *Feeds) loadClosed(ctx context.Context, place string) ([]Interval, error) {
	return f.loadSpans(ctx, closedKey(place))
}

// loadSpans reads the spans an office's staff set (closures or extra
// hours) under key, sorted and merged.
func (f *Feeds) loadSpans(ctx context.Context, key string) ([]Interval, error) {
	raw, err := f.cfg.Store.Load(ctx, key)
	if errors.Is(err, bot.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", key, err)
	}
	var ivs [][2]int64
	if err := json.Unmarshal(raw, &ivs); err != nil {
		return nil, nil // unreadable: as if none (the office sees it in /teams calendario)
	}
	return merge(intervals(ivs)), nil
}

// Close marks [from, to) closed at place (a closure, a sick day, a
// meeting), for every replica: no slot under it is offered. It returns
// the appointments already booked under it, which the office decides
// about. Closures that ended more than a day ago are forgotten.
func (f *Feeds) Close(ctx context.Context, place string, from, to, now time.Time) ([]ledger.Booking, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("a closure must end after it starts")
	}
	closed, err := f.loadClosed(ctx, place)
	if err != nil {
		return nil, err
	}
	closed = merge(append(closed, Interval{from, to}))
	if err := f.saveClosed(ctx, place, closed, now); err != nil {
		return nil, err
	}
	if f.cfg.Bookings == nil {
		return nil, nil
	}
	bs, err := f.cfg.Bookings.Between(ctx, place, from.Add(-4*time.Hour), to)
	if err != nil {
		return nil, fmt.Errorf("closures of %s: %w", place, err)
	}
	var under []ledger.Booking
	for _, b := range bs {
		if b.Start.Add(time.Duration(b.Minutes)*time.Minute).After(from) && b.Start.Before(to) && b.Start.After(now) {
			under = append(under, b)
		}
	}
	return under, nil
}

// Open opens [from, to) at place for booking: the closures that meet it
// are removed (Reopen), and the span is kept as extra hours, for every
// replica, so slots are offered in it even outside the schedule's hours (a
// Saturday morning). It returns how many closures it removed.
func (f *Feeds) Open(ctx context.Context, place string, from, to, now time.Time) (int, error) {
	if !to.After(from) {
		return 0, fmt.Errorf("an opening must end after it starts")
	}
	n, err := f.Reopen(ctx, place, from, to, now)
	if err != nil {
		return n, err
	}
	opened, err := f.loadSpans(ctx, openedKey(place))
	if err != nil {
		return n, err
	}
	return n, f.saveSpans(ctx, openedKey(place), place, merge(append(opened, Interval{from, to})), now, f.opened)
}

// Unopen takes back the extra hours that meet [from, to) at place (a
// closure there says the same; this also forgets them), and returns how
// many it removed.
func (f *Feeds) Unopen(ctx context.Context, place string, from, to, now time.Time) (int, error) {
	return f.removeSpans(ctx, openedKey(place), place, from, to, now, f.opened)
}

// Extra lists a place's extra hours set by its staff that have not ended.
func (f *Feeds) Extra(ctx context.Context, place string, now time.Time) ([]Interval, error) {
	return f.spansAfter(ctx, openedKey(place), now)
}

// Reopen removes the closures that meet [from, to) at place, and returns
// how many it removed.
func (f *Feeds) Reopen(ctx context.Context, place string, from, to, now time.Time) (int, error) {
	return f.removeSpans(ctx, closedKey(place), place, from, to, now, f.closed)
}

// Closures lists a place's closures set by its staff that have not ended.
func (f *Feeds) Closures(ctx context.Context, place string, now time.Time) ([]Interval, error) {
	return f.spansAfter(ctx, closedKey(place), now)
}

// removeSpans removes the spans under key that meet [from, to), and
// returns how many it removed.
func (f *Feeds) removeSpans(ctx context.Context, key, place string, from, to, now time.Time, mem map[string][]Interval) (int, error) {
	spans, err := f.loadSpans(ctx, key)
	if err != nil {
		return 0, err
	}
	kept := spans[:0:0]
	for _, iv := range spans {
		if !(iv.From.Before(to) && iv.To.After(from)) {
			kept = append(kept, iv)
		}
	}
	if len(kept) == len(spans) {
		return 0, nil
	}
	return len(spans) - len(kept), f.saveSpans(ctx, key, place, kept, now, mem)
}

// spansAfter lists the spans under key that have not ended.
func (f *Feeds) spansAfter(ctx context.Context, key string, now time.Time) ([]Interval, error) {
	spans, err := f.loadSpans(ctx, key)
	if err != nil {
		return nil, err
	}
	var out []Interval
	for _, iv := range spans {
		if iv.To.After(now) {
			out = append(out, iv)
		}
	}
	return out, nil
}

func (f *Feeds) saveClosed(ctx context.Context, place string, closed []Interval, now time.Time) error {
	return f.saveSpans(ctx, closedKey(place), place, closed, now, f.closed)
}

// saveSpans keeps a place's spans under key (those that ended more than a
// day ago are forgotten) and in mem, this replica's copy.
func (f *Feeds) saveSpans(ctx context.Context, key, place string, spans []Interval, now time.Time, mem map[string][]Interval) error {
	var raw [][2]int64
	for _, iv := range spans {
		if iv.To.After(now.Add(-24 * time.Hour)) {
			raw = append(raw, [2]int64{iv.From.Unix(), iv.To.Unix()})
		}
	}
	b, _ := json.Marshal(raw)
	if err := f.cfg.Store.Save(ctx, key, b, keepClosed); err != nil {
		return fmt.Errorf("calendar %s: %w", key, err)
	}
	f.mu.Lock()
	mem[place] = intervals(raw)
	f.mu.Unlock()
	return nil
}

// Run refreshes at start and every minute until ctx ends: the closures the
// offices set (so every replica has them within a minute), and each feed
// when it is due (cfg.Every).
func (f *Feeds) Run(ctx context.Context) {
	every.Run(ctx, min(f.cfg.Every, time.Minute), true, func(ctx context.Context) {
		if err := f.Refresh(ctx, time.Now()); err != nil && ctx.Err() == nil {
			f.cfg.Log.Warn("calendar feeds", "error", err)
		}
	})
}

func (f *Feeds) refreshOne(ctx context.Context, s *knowledge.Schedule, now time.Time) error {
	st, err := f.load(ctx, s)
	if err != nil {
		return err
	}
	if now.Sub(unix(st.Checked)) < f.cfg.Every/2 {
		// Read a moment ago (by another replica, or before a restart).
		f.apply(s.Place, st)
		return nil
	}
	before := st.Problem
	busy, fresh, problem := f.fetch(ctx, s, &st, now)
	st.Checked = now.Unix()
	st.Problem = problem
	if problem == "" {
		st.Good = now.Unix()
		if fresh {
			st.Busy = st.Busy[:0]
			for _, iv := range busy {
				st.Busy = append(st.Busy, [2]int64{iv.From.Unix(), iv.To.Unix()})
			}
		}
	}
	var conflicts []ledger.Booking
	if f.cfg.Bookings != nil && f.cfg.OnConflict != nil && len(st.Busy) > 0 {
		conflicts, err = f.conflicts(ctx, s, &st, now)
		if err != nil {
			f.cfg.Log.Warn("calendar feed: appointments under busy times not checked", "place", s.Place, "error", err)
		}
	}
	raw, _ := json.Marshal(st)
	if err := f.cfg.Store.Save(ctx, key(s.Place), raw, keep); err != nil {
		return fmt.Errorf("calendar feed of %s: %w", s.Place, err)
	}
	f.apply(s.Place, st)
	switch {
	case problem != "" && before == "":
		f.cfg.Log.Warn("calendar feed unreadable: the last good copy stays", "place", s.Place, "problem", problem)
		if f.cfg.OnProblem != nil {
			f.cfg.OnProblem(ctx, s, problem, unix(st.Good))
		}
	case problem == "" && before != "":
		f.cfg.Log.Info("calendar feed readable again", "place", s.Place)
		if f.cfg.OnProblem != nil {
			f.cfg.OnProblem(ctx, s, "", unix(st.Good))
		}
	}
	if len(conflicts) > 0 {
		f.cfg.OnConflict(ctx, s, conflicts)
	}
	return nil
}

// fetch reads the feed with a conditional request: busy and fresh (true)
// when it changed, fresh false when it did not (304), problem when it
// could not be read or parsed.
func (f *Feeds) fetch(ctx context.Context, s *knowledge.Schedule, st *state, now time.Time) (busy []Interval, fresh bool, problem string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.CalendarURL, nil)
	if err != nil {
		return nil, false, ProblemBadURL
	}
	req.Header.Set("Accept", "text/calendar")
	req.Header.Set("User-Agent", "teamsbot (calendar feed)")
	if st.Good != 0 {
		if st.ETag != "" {
			req.Header.Set("If-None-Match", st.ETag)
		}
		if st.LastModified != "" {
			req.Header.Set("If-Modified-Since", st.LastModified)
		}
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		// Never the error's text: the URL in it may hold a secret token.
		return nil, false, ProblemUnreachable
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && st.Good != 0:
		return nil, false, ""
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Sprintf("%s%d", ProblemStatus, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	if err != nil {
		return nil, false, ProblemUnreachable
	}
	if len(body) > MaxBytes {
		return nil, false, ProblemTooBig
	}
	from := now.Add(-24 * time.Hour)
	to := now.AddDate(0, 0, s.AheadDays+2)
	busy, warnings, err := Parse(bytes.NewReader(body), from, to)
	if err != nil {
		if errors.Is(err, ErrNotCalendar) {
			return nil, false, ProblemNotCalendar
		}
		return nil, false, ProblemTooMany
	}
	st.ETag, st.LastModified, st.Warnings = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), warnings
	return busy, true, ""
}

// conflicts lists the upcoming appointments a busy time covers that were
// not reported yet, and marks them reported.
func (f *Feeds) conflicts(ctx context.Context, s *knowledge.Schedule, st *state, now time.Time) ([]ledger.Booking, error) {
	bs, err := f.cfg.Bookings.Between(ctx, s.Place, now, now.AddDate(0, 0, s.AheadDays+2))
	if err != nil {
		return nil, err
	}
	busy := intervals(st.Busy)
	var out []ledger.Booking
	var still []string
	for _, b := range bs {
		if !Overlaps(busy, b.Start, b.Start.Add(time.Duration(b.Minutes)*time.Minute)) {
			continue
		}
		still = append(still, b.Code)
		if !slices.Contains(st.Reported, b.Code) {
			out = append(out, b)
		}
	}
	// Only the codes still under a busy time are remembered: the list
	// stays as small as the conflicts.
	st.Reported = still
	return out, nil
}

func intervals(raw [][2]int64) []Interval {
	out := make([]Interval, len(raw))
	for i, r := range raw {
		out[i] = Interval{time.Unix(r[0], 0), time.Unix(r[1], 0)}
	}
	return out
}

func (f *Feeds) apply(place string, st state) {
	busy := intervals(st.Busy)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy[place] = busy
}
