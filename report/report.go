// Package report counts what the service does for the programme's
// figures, and writes them as a report a programme manager can attach.
//
// Counting happens as things happen, into daily aggregate counters: a
// Recorder adds 1 to "dimension|value" (messages|telegram,
// languages|ar, topics|guides.permit_renewal, cases.outcome|booked) in
// memory and flushes the sums to the store every few seconds; nothing is
// read back from conversations, and no counter names a person. A report
// sums the days asked for and never shows a number below MinCell (it shows
// "<5"; totals are the true sums, shown only when they too reach MinCell).
//
// Import limits: the standard library only.
package report

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// Store keeps the daily counters (every store of teamsbot has them).
type Store interface {
	AddCounts(ctx context.Context, day string, deltas map[string]int64) error
	Counts(ctx context.Context, days []string) (map[string]map[string]int64, error)
}

// Day is the form of a day's key.
const Day = "2006-01-02"

// Recorder sums counts in memory and flushes them to the store.
type Recorder struct {
	st  Store
	loc *time.Location

	mu      sync.Mutex
	pending map[string]map[string]int64 // day → key → delta
}

// NewRecorder records into st; days are those of loc (Europe/Rome).
func NewRecorder(st Store, loc *time.Location) *Recorder {
	if loc == nil {
		loc = time.UTC
	}
	return &Recorder{st: st, loc: loc, pending: map[string]map[string]int64{}}
}

// Count adds 1 to dimension|value on the day of at. Values are bounded by
// the callers (languages, channels, intents, outcomes): never free text.
func (r *Recorder) Count(at time.Time, dimension, value string) {
	if r == nil || value == "" {
		return
	}
	day := at.In(r.loc).Format(Day)
	key := dimension + "|" + strings.ReplaceAll(value, "|", "/")
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending[day] == nil {
		r.pending[day] = map[string]int64{}
	}
	r.pending[day][key]++
}

// Flush writes the pending counts to the store. On failure they are kept
// for the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	batch := r.pending
	r.pending = map[string]map[string]int64{}
	r.mu.Unlock()
	var firstErr error
	for day, deltas := range batch {
		if err := r.st.AddCounts(ctx, day, deltas); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			r.mu.Lock()
			if r.pending[day] == nil {
				r.pending[day] = map[string]int64{}
			}
			for k, d := range deltas {
				r.pending[day][k] += d
			}
			r.mu.Unlock()
		}
	}
	return firstErr
}

// Run flushes every interval until ctx ends, then once more.
func (r *Recorder) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := r.Flush(fctx); err != nil && onErr != nil {
				onErr(err)
			}
			cancel()
			return
		case <-t.C:
			if err := r.Flush(ctx); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// MinCell is the smallest number a report shows: fewer people could be
// recognised from it.
const MinCell = 5

// Row is one value of a dimension and its count.
type Row struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
	// Shown is false when Count is below MinCell: the report says "<5".
	Shown bool `json:"shown"`
}

// Section is one dimension of the report.
type Section struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Rows  []Row  `json:"rows"`
	Total int64  `json:"total"`
	// TotalShown is false when the total itself is below MinCell.
	TotalShown bool `json:"total_shown"`
}

// Report is the figures of a period.
type Report struct {
	From, To string
	Sections []Section
}

// Sections are the dimensions a report shows, in order, with their titles.
var Sections = []struct{ Key, Title string }{
	{"messages", "Messages received, by channel"},
	{"languages", "Languages chosen"},
	{"provinces", "Where people are: the province of the comune they gave"},
	{"topics", "What people asked (free text understood), by intent"},
	{"not_understood", "Questions not understood, by language"},
	{"flows.started", "Services started (flows), by flow"},
	{"flows.completed", "Services completed (flows), by flow"},
	{"actions", "What people did: appointments booked, cancelled, moved; activities joined, waiting lists, proposals (action:outcome)"},
	{"appointments", "PUA appointments: cancelled (by anyone), attended, missed (the offices' agendas)"},
	{"mediators", "Appointments with a language mediator asked for, by language"},
	{"handoffs", "Conversations handed to an operator, by language"},
	{"handoffs.ended", "Handoffs ended, by how"},
	{"cases.wait", "How long people waited for an operator (cases taken)"},
	{"cases.outcome", "Operators' cases, by outcome"},
	{"cases.topic", "Operators' cases, by topic"},
	{"ratings", "Users' ratings of the help they got (1–5)"},
}

// Build sums the counters of the days from..to (inclusive, YYYY-MM-DD).
func Build(ctx context.Context, st Store, from, to time.Time) (Report, error) {
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(Day))
	}
	counts, err := st.Counts(ctx, days)
	if err != nil {
		return Report{}, err
	}
	sums := map[string]map[string]int64{}
	for _, m := range counts {
		for k, v := range m {
			dim, val, ok := strings.Cut(k, "|")
			if !ok {
				continue
			}
			if sums[dim] == nil {
				sums[dim] = map[string]int64{}
			}
			sums[dim][val] += v
		}
	}
	r := Report{From: from.Format(Day), To: to.Format(Day)}
	for _, s := range Sections {
		sec := Section{Key: s.Key, Title: s.Title}
		for val, n := range sums[s.Key] {
			sec.Rows = append(sec.Rows, Row{Value: val, Count: n, Shown: n >= MinCell})
			sec.Total += n
		}
		sort.Slice(sec.Rows, func(i, j int) bool {
			if sec.Rows[i].Count != sec.Rows[j].Count {
				return sec.Rows[i].Count > sec.Rows[j].Count
			}
			return sec.Rows[i].Value < sec.Rows[j].Value
		})
		sec.TotalShown = sec.Total >= MinCell
		r.Sections = append(r.Sections, sec)
	}
	return r, nil
}

// Empty reports whether nothing was counted in the period.
func (r Report) Empty() bool {
	for _, s := range r.Sections {
		if s.Total > 0 {
			return false
		}
	}
	return true
}
