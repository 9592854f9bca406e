package knowledge

import (
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SchedulesPath is the file of appointment calendars.
const SchedulesPath = "schedules.yaml"

// Schedule is a PUA's appointment calendar.
type Schedule struct {
	Place       string
	Services    []Service
	Hours       Hours
	Desks       int
	AheadDays   int
	NoticeHours int
	MaxPerUser  int
	Closures    []DateRange
	Sample      bool
	// SlackChannel is the PUA's own operators' channel for its daily
	// agenda and its users' handoffs (empty: the desk's channel).
	SlackChannel string
	// CalendarURL is the office's own calendar, a read-only iCalendar
	// feed whose events mark busy time (package booking/feed).
	CalendarURL string
	File        string
	Line        int
}

// Service is something that can be booked.
type Service struct {
	ID      string
	Minutes int
}

// DateRange is a closure, both ends included, as YYYY-MM-DD days.
type DateRange struct{ From, To string }

// Closed reports whether day (its date in Rome) is in a closure.
func (s *Schedule) Closed(day time.Time) bool {
	d := day.In(Rome).Format("2006-01-02")
	for _, c := range s.Closures {
		if d >= c.From && d <= c.To {
			return true
		}
	}
	return false
}

// ServiceMinutes is the length of a service, and whether the schedule has it.
func (s *Schedule) ServiceMinutes(id string) (int, bool) {
	for _, sv := range s.Services {
		if sv.ID == id {
			return sv.Minutes, true
		}
	}
	return 0, false
}

// loadSchedules reads schedules.yaml (optional) and checks each entry
// against the places.
func loadSchedules(fsys fs.FS, places map[string]*Place) (map[string]*Schedule, []error) {
	raw, err := fs.ReadFile(fsys, SchedulesPath)
	if err != nil {
		return map[string]*Schedule{}, nil
	}
	root, err := parseDoc(SchedulesPath, raw)
	if err != nil {
		return nil, []error{err}
	}
	is := &issues{file: SchedulesPath}
	out := map[string]*Schedule{}
	list := field(root, "schedules")
	if list == nil || list.Kind != yaml.SequenceNode {
		is.at(root.Line, "missing `schedules:` (a list)")
		return out, is.list
	}
	for _, n := range list.Content {
		var r struct {
			Place    string `yaml:"place"`
			Services []struct {
				ID      string `yaml:"id"`
				Minutes int    `yaml:"minutes"`
			} `yaml:"services"`
			Hours       string   `yaml:"hours"`
			Desks       int      `yaml:"desks"`
			AheadDays   int      `yaml:"ahead_days"`
			NoticeHours int      `yaml:"notice_hours"`
			MaxPerUser  int      `yaml:"max_per_user"`
			Closures    []string `yaml:"closures"`
			Sample      bool     `yaml:"sample"`
			Slack       string   `yaml:"slack_channel"`
			Calendar    string   `yaml:"calendar_url"`
		}
		if err := n.Decode(&r); err != nil {
			is.at(n.Line, "schedule: %v", strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		line := func(key string) int {
			if f := field(n, key); f != nil {
				return f.Line
			}
			return n.Line
		}
		s := &Schedule{Place: r.Place, Desks: r.Desks, AheadDays: r.AheadDays, NoticeHours: r.NoticeHours, MaxPerUser: r.MaxPerUser, Sample: r.Sample, SlackChannel: r.Slack, CalendarURL: r.Calendar, File: SchedulesPath, Line: n.Line}
		ok := true
		bad := func(key, format string, args ...any) {
			is.at(line(key), format, args...)
			ok = false
		}
		p, known := places[r.Place]
		switch {
		case !known:
			bad("place", "schedule: unknown place %q", r.Place)
		case p.Kind != "pua":
			bad("place", "schedule: place %s is a %s, not a pua", r.Place, p.Kind)
		case out[r.Place] != nil:
			bad("place", "schedule: place %s has two schedules", r.Place)
		}
		if h, err := ParseHours(r.Hours); err != nil {
			bad("hours", "schedule %s: hours: %v", r.Place, err)
		} else {
			s.Hours = h
		}
		if len(r.Services) == 0 {
			bad("services", "schedule %s: no services", r.Place)
		}
		for _, sv := range r.Services {
			if sv.ID == "" || sv.Minutes < 10 || sv.Minutes > 240 {
				bad("services", "schedule %s: service %q needs an id and 10 to 240 minutes", r.Place, sv.ID)
			}
			s.Services = append(s.Services, Service{ID: sv.ID, Minutes: sv.Minutes})
		}
		if s.Desks < 1 {
			bad("desks", "schedule %s: desks must be at least 1", r.Place)
		}
		if s.AheadDays < 1 || s.AheadDays > 365 {
			bad("ahead_days", "schedule %s: ahead_days must be 1 to 365", r.Place)
		}
		if s.NoticeHours < 0 {
			bad("notice_hours", "schedule %s: notice_hours cannot be negative", r.Place)
		}
		if r.Calendar != "" {
			if u, err := url.Parse(r.Calendar); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad("calendar_url", "schedule %s: calendar_url must be the http(s) address of an iCalendar (.ics) feed", r.Place)
			}
		}
		if s.MaxPerUser == 0 {
			s.MaxPerUser = 2
		}
		for _, c := range r.Closures {
			from, to, isRange := strings.Cut(c, "..")
			if !isRange {
				to = from
			}
			if !dateRE.MatchString(from) || !dateRE.MatchString(to) || to < from {
				bad("closures", "schedule %s: closure %q: write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD", r.Place, c)
				continue
			}
			s.Closures = append(s.Closures, DateRange{from, to})
		}
		if ok {
			out[r.Place] = s
		}
	}
	return out, is.list
}

// Schedule returns a place's appointment calendar.
func (d *Directory) Schedule(place string) (*Schedule, bool) {
	s, ok := d.schedules[place]
	return s, ok
}

// Place returns a place by id.
func (d *Directory) Place(id string) (*Place, bool) {
	for _, p := range d.places {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// String describes a schedule for messages.
func (s *Schedule) String() string { return fmt.Sprintf("schedule of %s", s.Place) }

// OperatorsChannel is the Slack channel of the PUA a handoff concerns, from
// the answers the flows saved: the PUA being booked (booking_place), else
// the first PUA with a channel in the province of the comune the user gave
// (place_province, municipality_province). "" means the desk's default
// channel (SLACK_CHANNEL).
func (d *Directory) OperatorsChannel(vars map[string]string) string {
	if s, ok := d.schedules[vars["booking_place"]]; ok && s.SlackChannel != "" {
		return s.SlackChannel
	}
	for _, k := range []string{"place_province", "municipality_province"} {
		prov := vars[k]
		if prov == "" {
			continue
		}
		for _, p := range d.places { // in file order: the first listed wins
			s, ok := d.schedules[p.ID]
			if !ok || s.SlackChannel == "" {
				continue
			}
			if m, ok := d.Municipalities.ByCode(p.Municipality); ok && m.Province == prov {
				return s.SlackChannel
			}
		}
	}
	return ""
}
