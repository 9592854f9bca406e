// Package booking holds the rules of PUA appointments: which slots a
// schedule offers (Europe/Rome, across daylight-saving changes, skipping
// holidays, the comune's patron day, closures and the minimum notice), easy
// booking codes, and the actions of the booking flows. The store makes a
// booking atomic (ledger.Store).
//
// Import limits: bot, knowledge and the standard library.
package booking

import (
	"crypto/rand"
	"math/big"
	"slices"
	"time"

	"teamsbot/knowledge"
)

// Slot is a time that can be booked, with the desks still free.
type Slot struct {
	Start time.Time
	Free  int
}

// Slots lists the slots of a service in a schedule from now on, for up to
// the schedule's ahead_days, each with the desks left given taken (start
// unix → bookings). Days closed for a holiday, the comune's patron day or a
// closure have none; slots sooner than the minimum notice are left out.
// Times are built in Europe/Rome with time.Date, so a slot at 09:00 is at
// 09:00 on both sides of a daylight-saving change. busy (nil: none) is the
// office's own calendar: a slot that meets a busy time is left out.
func Slots(dir *knowledge.Directory, s *knowledge.Schedule, service string, now time.Time, taken map[int64]int, busy Busy) []Slot {
	minutes, ok := s.ServiceMinutes(service)
	if !ok {
		return nil
	}
	place, _ := dir.Place(s.Place)
	municipality := ""
	if place != nil {
		municipality = place.Municipality
	}
	now = now.In(knowledge.Rome)
	earliest := now.Add(time.Duration(s.NoticeHours) * time.Hour)
	closed := func(day time.Time) bool {
		if s.Closed(day) {
			return true
		}
		c, _ := dir.Calendar.Closed(day, municipality)
		return c
	}
	step := time.Duration(minutes) * time.Minute
	extra, _ := busy.(Openings)
	var out []Slot
	y, m, d := now.Date()
	for i := 0; i <= s.AheadDays; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, knowledge.Rome)
		ivs := s.Hours.Day(day, closed)
		if extra != nil {
			start := time.Date(y, m, d+i, 0, 0, 0, 0, knowledge.Rome)
			end := start.AddDate(0, 0, 1)
			for _, iv := range extra.Openings(s.Place, start, end) {
				ivs = append(ivs, knowledge.Interval{From: latest(iv.From, start), To: earliestOf(iv.To, end)})
			}
		}
		seen := map[int64]bool{}
		first := len(out)
		for _, iv := range ivs {
			for at := iv.From; !at.Add(step).After(iv.To); at = at.Add(step) {
				if at.Before(earliest) || seen[at.Unix()] {
					continue
				}
				seen[at.Unix()] = true
				free := s.Desks - taken[at.Unix()]
				if free > 0 && (busy == nil || !busy.Busy(s.Place, at, at.Add(step))) {
					out = append(out, Slot{Start: at, Free: free})
				}
			}
		}
		// Extra hours come after the schedule's: the day in order.
		slices.SortFunc(out[first:], func(a, b Slot) int { return a.Start.Compare(b.Start) })
	}
	return out
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliestOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Busy is an office's own calendar (package booking/feed): whether
// [from, to) meets a time the office marked busy.
type Busy interface {
	Busy(place string, from, to time.Time) bool
}

// Openings is what a Busy may also know (booking/feed does): the extra
// hours an office opened outside its schedule (from Slack, "apri ...
// 10:00-12:00"). Slots are offered in them like in the schedule's own
// hours, even on a day the schedule is closed (the staff said so).
type Openings interface {
	Openings(place string, from, to time.Time) []knowledge.Interval
}

// codeAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewCode returns a booking code like "K7M-Q4P".
func NewCode() string {
	b := make([]byte, 0, 7)
	for i := range 6 {
		if i == 3 {
			b = append(b, '-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b = append(b, codeAlphabet[n.Int64()])
	}
	return string(b)
}

// NormalizeCode reads a code as a user may type it: any case, with or
// without the dash or spaces. It returns "" for text that is not a code.
func NormalizeCode(s string) string {
	var b []byte
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b = append(b, byte(r))
		}
		if len(b) > 6 {
			return ""
		}
	}
	if len(b) != 6 {
		return ""
	}
	return string(b[:3]) + "-" + string(b[3:])
}
