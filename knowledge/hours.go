package knowledge

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hours is a parsed opening_hours value, in the subset of the OpenStreetMap
// syntax that offices' hours need:
//
//	Mo-Fr 08:30-12:30
//	Mo-Fr 08:30-12:30; Tu,Th 14:30-17:00
//	Mo,We,Fr 09:00-13:00,14:00-16:00; Sa 09:00-12:00; PH off
//	Mo-Fr 09:00-12:00; Sa[1] 10:00-12:00   (the first Saturday of the month)
//	24/7
//
// Rules are separated by ";". A rule is a weekday selector (Mo Tu We Th Fr Sa
// Su, ranges and lists) and time ranges, or "off"/"closed". As in OSM, a
// later rule replaces what earlier rules said for the days it names. Public
// holidays are always closed (PH rules other than "PH off" are rejected:
// offices do not open on them). Times are local (Europe/Rome).
type Hours struct {
	src    string
	days   [7][]span // by time.Weekday
	nth    []nthRule // "Sa[1] 10:00-12:00": the first Saturday of the month
	always bool
}

// nthRule applies to the nth weekday of a month (1..5, or -1 for the last).
type nthRule struct {
	day   time.Weekday
	nth   int
	spans []span
}

type span struct{ from, to int } // minutes since midnight, to ≤ 24*60

var dayNames = map[string]time.Weekday{"mo": time.Monday, "tu": time.Tuesday, "we": time.Wednesday, "th": time.Thursday, "fr": time.Friday, "sa": time.Saturday, "su": time.Sunday}

// ParseHours parses an opening_hours value; the error says what part it
// cannot read.
func ParseHours(src string) (Hours, error) {
	h := Hours{src: src}
	s := strings.TrimSpace(src)
	if s == "" {
		return h, fmt.Errorf("opening hours are empty: omit the key when they are not known")
	}
	if s == "24/7" {
		h.always = true
		for d := range h.days {
			h.days[d] = []span{{0, 24 * 60}}
		}
		return h, nil
	}
	for _, rule := range strings.Split(s, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		fields := strings.Fields(rule)
		if len(fields) == 0 {
			continue
		}
		if strings.EqualFold(fields[0], "PH") {
			if len(fields) == 2 && (fields[1] == "off" || fields[1] == "closed") {
				continue
			}
			return h, fmt.Errorf("%q: offices are closed on public holidays; only \"PH off\" is accepted", rule)
		}
		sel, nth := fields[0], 0
		if i := strings.IndexByte(sel, '['); i > 0 && strings.HasSuffix(sel, "]") {
			k, err := strconv.Atoi(sel[i+1 : len(sel)-1])
			if err != nil || k == 0 || k < -1 || k > 5 {
				return h, fmt.Errorf("%q: %s: write [1]..[5] for the nth weekday of the month, or [-1] for the last", rule, sel)
			}
			sel, nth = sel[:i], k
		}
		days, err := parseDays(sel)
		if err != nil {
			return h, fmt.Errorf("%q: %v", rule, err)
		}
		if len(fields) == 1 {
			return h, fmt.Errorf("%q: no times (write e.g. %s 09:00-13:00, or %s off)", rule, fields[0], fields[0])
		}
		rest := strings.Join(fields[1:], "")
		var spans []span
		if rest != "off" && rest != "closed" {
			for _, r := range strings.Split(rest, ",") {
				sp, err := parseSpan(r)
				if err != nil {
					return h, fmt.Errorf("%q: %v", rule, err)
				}
				spans = append(spans, sp)
			}
		}
		for _, d := range days {
			if nth != 0 {
				h.nth = append(h.nth, nthRule{day: d, nth: nth, spans: spans})
				continue
			}
			h.days[d] = spans
		}
	}
	return h, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		da, ok := dayNames[strings.ToLower(a)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q (use Mo Tu We Th Fr Sa Su)", a)
		}
		if !isRange {
			out = append(out, da)
			continue
		}
		db, ok := dayNames[strings.ToLower(b)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q (use Mo Tu We Th Fr Sa Su)", b)
		}
		for d := da; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == db {
				break
			}
		}
	}
	return out, nil
}

func parseSpan(s string) (span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return span{}, fmt.Errorf("time range %q: write 09:00-13:00", s)
	}
	from, err := parseClock(a)
	if err != nil {
		return span{}, err
	}
	to, err := parseClock(b)
	if err != nil {
		return span{}, err
	}
	if to <= from {
		return span{}, fmt.Errorf("time range %q ends before it starts", s)
	}
	return span{from, to}, nil
}

func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || len(mm) != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q: write hours and minutes as 08:30", s)
	}
	return h*60 + m, nil
}

// String returns the source text.
func (h Hours) String() string { return h.src }

// Known reports whether hours were given.
func (h Hours) Known() bool { return h.src != "" }

// Interval is an opening in local time.
type Interval struct{ From, To time.Time }

// Day returns the openings on t's day (none on a closing day).
func (h Hours) Day(t time.Time, closed func(time.Time) bool) []Interval {
	if closed != nil && closed(t) {
		return nil
	}
	y, m, d := t.Date()
	spans := h.days[t.Weekday()]
	for _, r := range h.nth {
		if r.day != t.Weekday() {
			continue
		}
		k := (d-1)/7 + 1
		last := time.Date(y, m, d+7, 0, 0, 0, 0, time.UTC).Month() != m
		if r.nth == k || (r.nth == -1 && last) {
			spans = r.spans
		}
	}
	var out []Interval
	for _, sp := range spans {
		out = append(out, Interval{
			From: time.Date(y, m, d, sp.from/60, sp.from%60, 0, 0, t.Location()),
			To:   time.Date(y, m, d, sp.to/60, sp.to%60, 0, 0, t.Location()),
		})
	}
	return out
}

// OpenAt reports whether the place is open at t, and until when.
func (h Hours) OpenAt(t time.Time, closed func(time.Time) bool) (bool, time.Time) {
	for _, iv := range h.Day(t, closed) {
		if !t.Before(iv.From) && t.Before(iv.To) {
			return true, iv.To
		}
	}
	return false, time.Time{}
}

// NextOpening returns the first opening after t within two weeks, skipping
// closing days.
func (h Hours) NextOpening(t time.Time, closed func(time.Time) bool) (Interval, bool) {
	for i := range 15 {
		day := t.AddDate(0, 0, i)
		for _, iv := range h.Day(day, closed) {
			if iv.From.After(t) {
				return iv, true
			}
		}
	}
	return Interval{}, false
}
