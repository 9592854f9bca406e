package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"teamsbot/internal/every"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// Changes are what an association changed in one of its activities after
// the catalogue was published, from Slack: sessions cancelled, or the
// whole activity. They are kept in the store, so every replica offers the
// same, and read again every minute (RunChanges).
type Changes struct {
	// Cancelled are the days (YYYY-MM-DD, Rome) whose session will not be
	// held.
	Cancelled []string `json:"cancelled,omitempty"`
	// All: the activity will not be held any more.
	All bool `json:"all,omitempty"`
	// Seats, when set, replaces the catalogue's capacity (0: no limit).
	Seats *int `json:"seats,omitempty"`
}

// Seats is the activity's seats (0: no limit): the association's change
// (SetSeats), else the catalogue's.
func (s *Service) Seats(a *knowledge.Activity) int {
	if ch := s.changesOf(a.ID); ch.Seats != nil {
		return *ch.Seats
	}
	return a.Capacity
}

// SetSeats changes the seats of activity id (0: no limit), for every
// replica. When there are more seats than people in, the first waiting get
// them at once, in order, and are told in their language. Fewer seats
// send nobody away: newcomers wait until someone leaves. It returns how
// many were promoted.
func (s *Service) SetSeats(ctx context.Context, n Notifier, id string, seats int) (int, error) {
	a, ok := s.find(id)
	if !ok {
		return 0, bot.ErrNotFound
	}
	if seats < 0 {
		return 0, fmt.Errorf("seats must be 0 (no limit) or more")
	}
	if err := s.editChanges(ctx, id, func(ch *Changes) { ch.Seats = &seats }); err != nil {
		return 0, err
	}
	st, err := s.get()
	if err != nil {
		return 0, err
	}
	promoted, err := st.Promote(ctx, id, seats)
	if err != nil {
		return 0, fmt.Errorf("activity changes: %w", err)
	}
	if n != nil {
		for _, e := range promoted {
			t := promotedNotice(a, e)
			_ = n.Notify(ctx, t.Conv, t.Notice)
		}
	}
	return len(promoted), nil
}

// changesKept is how long a change is kept without another.
const changesKept = 400 * 24 * time.Hour

func changesKey(id string) string { return "activity-changes:" + id }

// changesOf returns the changes to activity id this replica knows.
func (s *Service) changesOf(id string) Changes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changes[id]
}

// next is the activity's next session after now that is not cancelled.
func (s *Service) next(a *knowledge.Activity, now time.Time) (knowledge.Interval, bool) {
	ch := s.changesOf(a.ID)
	if ch.All {
		return knowledge.Interval{}, false
	}
	for range 400 {
		iv, ok := a.Next(now)
		if !ok || !slices.Contains(ch.Cancelled, iv.From.In(knowledge.Rome).Format("2006-01-02")) {
			return iv, ok
		}
		now = iv.From
	}
	return knowledge.Interval{}, false
}

// RefreshChanges reads the activities added from the desk and every
// activity's changes from the store.
func (s *Service) RefreshChanges(ctx context.Context) error {
	st, err := s.get()
	if err != nil {
		return err
	}
	if err := s.refreshAdded(ctx, st); err != nil {
		return err
	}
	read := map[string]Changes{}
	for _, a := range s.all() {
		ch, err := loadChanges(ctx, st, a.ID)
		if err != nil {
			return err
		}
		if ch.All || len(ch.Cancelled) > 0 || ch.Seats != nil {
			read[a.ID] = ch
		}
	}
	s.mu.Lock()
	s.changes = read
	s.mu.Unlock()
	return nil
}

// RunChanges reads the changes at start and every minute until ctx ends,
// so a change made at one replica reaches the others.
func (s *Service) RunChanges(ctx context.Context, onError func(error)) {
	every.Run(ctx, time.Minute, true, func(ctx context.Context) {
		if err := s.RefreshChanges(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
	})
}

func loadChanges(ctx context.Context, st Store, id string) (Changes, error) {
	var ch Changes
	raw, err := st.Load(ctx, changesKey(id))
	if errors.Is(err, bot.ErrNotFound) {
		return ch, nil
	}
	if err != nil {
		return ch, fmt.Errorf("activity changes: %w", err)
	}
	_ = json.Unmarshal(raw, &ch) // unreadable: as if none
	return ch, nil
}

// ErrNoSession: the activity has no session that day.
var ErrNoSession = errors.New("no session that day")

// CancelSession cancels the session of activity id on day (Rome), for
// every replica, and tells everyone enrolled (joined or waiting), in their
// language, once. It returns the session and how many were told.
func (s *Service) CancelSession(ctx context.Context, n Notifier, id string, day, now time.Time) (knowledge.Interval, int, error) {
	a, ok := s.find(id)
	if !ok {
		return knowledge.Interval{}, 0, bot.ErrNotFound
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, knowledge.Rome)
	iv, ok := a.Next(start.Add(-time.Second))
	if !ok || iv.From.In(knowledge.Rome).Format("2006-01-02") != start.Format("2006-01-02") || !iv.From.After(now) {
		return knowledge.Interval{}, 0, ErrNoSession
	}
	date := start.Format("2006-01-02")
	if err := s.editChanges(ctx, id, func(ch *Changes) {
		if !slices.Contains(ch.Cancelled, date) {
			ch.Cancelled = append(ch.Cancelled, date)
		}
		// Days gone by are forgotten.
		ch.Cancelled = slices.DeleteFunc(ch.Cancelled, func(d string) bool { return d < now.In(knowledge.Rome).AddDate(0, 0, -1).Format("2006-01-02") })
	}); err != nil {
		return iv, 0, err
	}
	at := iv.From.In(knowledge.Rome)
	told, err := s.tell(ctx, n, a, "act-session-cancelled:"+id+"@"+date, "activities.session_cancelled",
		map[string]string{"date": at.Format("02/01"), "time": at.Format("15:04")})
	return iv, told, err
}

// CancelActivity cancels every session to come of activity id, for every
// replica: it is no longer offered, and everyone enrolled is told in
// their language, once. It returns how many were told.
func (s *Service) CancelActivity(ctx context.Context, n Notifier, id string, now time.Time) (int, error) {
	a, ok := s.find(id)
	if !ok {
		return 0, bot.ErrNotFound
	}
	if err := s.editChanges(ctx, id, func(ch *Changes) { ch.All = true }); err != nil {
		return 0, err
	}
	return s.tell(ctx, n, a, "act-cancelled:"+id, "activities.cancelled", nil)
}

// editChanges changes an activity's changes under its lock, and this
// replica's copy at once.
func (s *Service) editChanges(ctx context.Context, id string, edit func(*Changes)) error {
	st, err := s.get()
	if err != nil {
		return err
	}
	unlock, err := st.Lock(ctx, changesKey(id), 10*time.Second)
	if err != nil {
		return fmt.Errorf("activity changes: %w", err)
	}
	defer unlock()
	ch, err := loadChanges(ctx, st, id)
	if err != nil {
		return err
	}
	edit(&ch)
	raw, _ := json.Marshal(ch)
	if err := st.Save(ctx, changesKey(id), raw, changesKept); err != nil {
		return fmt.Errorf("activity changes: %w", err)
	}
	s.mu.Lock()
	if s.changes == nil {
		s.changes = map[string]Changes{}
	}
	s.changes[id] = ch
	s.mu.Unlock()
	return nil
}

// tell sends everyone enrolled in a (joined or waiting) a once-only notice.
func (s *Service) tell(ctx context.Context, n Notifier, a *knowledge.Activity, id, message string, data map[string]string) (int, error) {
	st, err := s.get()
	if err != nil {
		return 0, err
	}
	if n == nil {
		return 0, nil
	}
	r, err := st.Roster(ctx, a.ID)
	if err != nil {
		return 0, fmt.Errorf("activity changes: %w", err)
	}
	told := 0
	for _, e := range r {
		d := map[string]string{"title": a.TitleIn(e.Lang)}
		for k, v := range data {
			d[k] = v
		}
		notice := bot.Notice{MessageID: message, ID: id, Data: d,
			Options: []bot.NoticeOption{{ID: "c:flow:activities", Label: "menu.activities"}, {ID: "c:menu", Label: "common.menu"}}}
		if err := n.Notify(ctx, e.Conv, notice); err == nil || errors.Is(err, bot.ErrNoticeSent) {
			told++
		}
	}
	return told, nil
}

// NextSession is when the next session of activity id that is not
// cancelled starts (the zero time when there is none).
func (s *Service) NextSession(id string, now time.Time) time.Time {
	a, ok := s.find(id)
	if !ok {
		return time.Time{}
	}
	iv, ok := s.next(a, now)
	if !ok {
		return time.Time{}
	}
	return iv.From
}
