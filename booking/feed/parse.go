// Package feed reads the offices' own calendars: a read-only iCalendar
// (RFC 5545) feed per PUA, `calendar_url` in knowledge/schedules.yaml. Its
// events mark busy time (a closure, a sick day, a meeting), and the booking
// offers no slot under them. Feeds are fetched on a schedule with
// conditional requests; a feed that cannot be read or parsed never wipes
// the slots: the last good copy stays, kept in the store so that every
// replica, and the next start, use it.
//
// Parsing is github.com/emersion/go-ical; recurrences (RRULE, RDATE,
// EXDATE, and instances moved or cancelled by RECURRENCE-ID) are expanded
// with github.com/teambition/rrule-go.
//
// Import limits: bot, knowledge, those two libraries and the standard
// library.
package feed

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"teamsbot/knowledge"
)

// MaxBytes bounds a feed: a larger one is refused (and the last good copy
// kept). An office's calendar of a few years is well under 1 MB.
const MaxBytes = 10 << 20

// MaxIntervals bounds the busy times one feed may produce in the window.
const MaxIntervals = 50_000

// Interval is busy time, [From, To).
type Interval struct {
	From, To time.Time
}

// ErrNotCalendar is returned (wrapped) for a document that is not an
// iCalendar feed.
var ErrNotCalendar = errors.New("not an iCalendar feed")

// Parse reads an iCalendar feed and returns the busy intervals that meet
// [from, to), sorted and merged, and warnings about what it had to guess
// (an unknown time zone read as Europe/Rome, an event it skipped). Events
// marked TRANSP:TRANSPARENT (free time) and STATUS:CANCELLED are not busy;
// an all-day event makes the whole day busy, in Rome; a time without a
// zone is Rome's.
func Parse(r io.Reader, from, to time.Time) ([]Interval, []string, error) {
	cal, err := ical.NewDecoder(r).Decode()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotCalendar, err)
	}
	if cal == nil || cal.Name != ical.CompCalendar {
		return nil, nil, ErrNotCalendar
	}
	p := &parser{from: from, to: to}
	events := cal.Events()
	// Instances moved or cancelled (RECURRENCE-ID) replace their
	// occurrence of the series with the same UID.
	moved := map[string]map[int64]bool{}
	for _, e := range events {
		rid := e.Props.Get(ical.PropRecurrenceID)
		if rid == nil {
			continue
		}
		at, _, err := p.time(rid)
		if err != nil {
			p.warn("an instance with an unreadable RECURRENCE-ID was skipped")
			continue
		}
		uid := propText(e.Component, ical.PropUID)
		if moved[uid] == nil {
			moved[uid] = map[int64]bool{}
		}
		moved[uid][at.Unix()] = true
	}
	for _, e := range events {
		if err := p.event(e, moved); err != nil {
			return nil, p.warnings, err
		}
	}
	return merge(p.out), p.warnings, nil
}

type parser struct {
	from, to time.Time
	out      []Interval
	warnings []string
	zones    map[string]*time.Location // TZID → zone, nil when unknown
}

func (p *parser) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(p.warnings, w) && len(p.warnings) < 20 {
		p.warnings = append(p.warnings, w)
	}
}

func (p *parser) add(from, to time.Time) error {
	if !to.After(from) || !to.After(p.from) || !from.Before(p.to) {
		return nil
	}
	if len(p.out) >= MaxIntervals {
		return fmt.Errorf("more than %d busy times in the next weeks: is this the office's calendar?", MaxIntervals)
	}
	p.out = append(p.out, Interval{from, to})
	return nil
}

// event adds the busy times of one VEVENT.
func (p *parser) event(e ical.Event, moved map[string]map[int64]bool) error {
	if strings.EqualFold(propText(e.Component, ical.PropTransparency), "TRANSPARENT") ||
		strings.EqualFold(propText(e.Component, ical.PropStatus), "CANCELLED") {
		return nil
	}
	startProp := e.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		p.warn("an event without a start was skipped")
		return nil
	}
	start, allDay, err := p.time(startProp)
	if err != nil {
		p.warn("an event with an unreadable start was skipped")
		return nil
	}
	length, err := p.length(e, start, allDay)
	if err != nil || length <= 0 {
		if err != nil {
			p.warn("an event with an unreadable end was skipped")
		}
		return nil
	}
	rule, err := e.Props.RecurrenceRule()
	if err != nil {
		p.warn("an event with an unreadable repetition (RRULE) was read as happening once")
		rule = nil
	}
	if rule == nil && len(e.Props.Values(ical.PropRecurrenceDates)) == 0 || e.Props.Get(ical.PropRecurrenceID) != nil {
		return p.add(start, start.Add(length))
	}
	set := &rrule.Set{}
	if rule != nil {
		rule.Dtstart = start
		rr, err := rrule.NewRRule(*rule)
		if err != nil {
			p.warn("an event with an unreadable repetition (RRULE) was read as happening once")
			return p.add(start, start.Add(length))
		}
		set.RRule(rr)
	} else {
		set.RDate(start)
	}
	for _, name := range []string{ical.PropRecurrenceDates, ical.PropExceptionDates} {
		for _, prop := range e.Props.Values(name) {
			for _, v := range strings.Split(prop.Value, ",") {
				one := prop
				one.Value = strings.TrimSpace(v)
				if i := strings.IndexByte(one.Value, '/'); i > 0 { // RDATE as a PERIOD: its start
					one.Value = one.Value[:i]
				}
				at, _, err := p.time(&one)
				if err != nil {
					p.warn("an unreadable %s was skipped", name)
					continue
				}
				if name == ical.PropExceptionDates {
					set.ExDate(at)
				} else {
					set.RDate(at)
				}
			}
		}
	}
	skip := moved[propText(e.Component, ical.PropUID)]
	for _, at := range set.Between(p.from.Add(-length), p.to, true) {
		if skip[at.Unix()] {
			continue
		}
		if err := p.add(at, at.Add(length)); err != nil {
			return err
		}
	}
	return nil
}

// length is how long the event lasts: DTEND - DTSTART, or DURATION, or a
// day for an all-day event.
func (p *parser) length(e ical.Event, start time.Time, allDay bool) (time.Duration, error) {
	if end := e.Props.Get(ical.PropDateTimeEnd); end != nil {
		t, endDay, err := p.time(end)
		if err != nil {
			return 0, err
		}
		if allDay && endDay {
			// Whole days in Rome, whatever the daylight-saving change in
			// between: counted as wall-clock days, not 24-hour blocks.
			days := int(t.Sub(start).Round(24*time.Hour) / (24 * time.Hour))
			return start.AddDate(0, 0, days).Sub(start), nil
		}
		return t.Sub(start), nil
	}
	if d := e.Props.Get(ical.PropDuration); d != nil {
		return d.Duration()
	}
	if allDay {
		return start.AddDate(0, 0, 1).Sub(start), nil
	}
	return 0, nil
}

// time reads a DATE or DATE-TIME property: UTC (…Z), in its TZID, or in
// Rome when it has none (a "floating" time) or names a zone this machine
// does not know (told in the warnings).
func (p *parser) time(prop *ical.Prop) (time.Time, bool, error) {
	v := prop.Value
	isDate := prop.ValueType() == ical.ValueDate || len(v) == len("20060102")
	switch {
	case isDate:
		t, err := time.ParseInLocation("20060102", v, knowledge.Rome)
		return t, true, err
	case strings.HasSuffix(v, "Z"):
		t, err := time.ParseInLocation("20060102T150405Z", v, time.UTC)
		return t, false, err
	}
	loc := knowledge.Rome
	if tzid := prop.Params.Get(ical.PropTimezoneID); tzid != "" {
		l, seen := p.zones[tzid]
		if !seen {
			// Loading a zone reads the zone database: once per feed.
			l, _ = zone(tzid)
			if p.zones == nil {
				p.zones = map[string]*time.Location{}
			}
			p.zones[tzid] = l
		}
		if l != nil {
			loc = l
		} else {
			p.warn("time zone %q unknown: read as Europe/Rome", short(tzid))
		}
	}
	t, err := time.ParseInLocation("20060102T150405", v, loc)
	return t, false, err
}

// zone finds a TZID: an IANA name, or one of the Windows names Outlook and
// Exchange write for the zones an Italian office's calendar uses.
func zone(tzid string) (*time.Location, bool) {
	tzid = strings.Trim(tzid, `"/`)
	if l, err := time.LoadLocation(tzid); err == nil {
		return l, true
	}
	if iana, ok := windowsZones[tzid]; ok {
		if l, err := time.LoadLocation(iana); err == nil {
			return l, true
		}
	}
	return nil, false
}

var windowsZones = map[string]string{
	"W. Europe Standard Time":        "Europe/Rome",
	"Central Europe Standard Time":   "Europe/Budapest",
	"Romance Standard Time":          "Europe/Paris",
	"Central European Standard Time": "Europe/Warsaw",
	"GMT Standard Time":              "Europe/London",
	"UTC":                            "UTC",
}

func propText(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return strings.TrimSpace(p.Value)
	}
	return ""
}

func short(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// merge sorts intervals and joins those that overlap or touch.
func merge(in []Interval) []Interval {
	slices.SortFunc(in, func(a, b Interval) int { return a.From.Compare(b.From) })
	var out []Interval
	for _, iv := range in {
		if n := len(out); n > 0 && !iv.From.After(out[n-1].To) {
			if iv.To.After(out[n-1].To) {
				out[n-1].To = iv.To
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Overlaps reports whether [from, to) meets one of the sorted, merged
// intervals.
func Overlaps(busy []Interval, from, to time.Time) bool {
	i, _ := slices.BinarySearchFunc(busy, from, func(iv Interval, t time.Time) int {
		if !iv.To.After(t) {
			return -1
		}
		return 1
	})
	return i < len(busy) && busy[i].From.Before(to)
}
