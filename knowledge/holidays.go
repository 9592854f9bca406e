package knowledge

import (
	"bytes"
	"fmt"
	"io/fs"
	"time"

	"go.yaml.in/yaml/v3"
)

// Calendar knows the days public offices are closed: national holidays,
// Easter and Easter Monday, and each municipality's patron day (for the
// municipalities holidays.yaml lists). Source: holidays.yaml, a copy of
// shared/data/holidays-tuscany.yaml with its sources.
type Calendar struct {
	fixed  []holiday
	patron map[string][]holiday // ISTAT code → days
	loc    *time.Location
}

type holiday struct {
	Month     time.Month `yaml:"month"`
	Day       int        `yaml:"day"`
	Name      string     `yaml:"name_it"`
	Saint     string     `yaml:"saint"`
	ValidFrom int        `yaml:"valid_from_year"`
	Code      string     `yaml:"istat_code"`
}

// Rome is the time zone of every office.
var Rome = mustRome()

func mustRome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		// time/tzdata is embedded by package app, so this cannot happen in
		// the binary; a test binary without it still needs a zone.
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// LoadCalendar reads the holidays file.
func LoadCalendar(fsys fs.FS, path string) (*Calendar, error) {
	raw, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Fixed  []holiday `yaml:"national_fixed"`
		Patron []holiday `yaml:"patron_days"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	c := &Calendar{fixed: doc.Fixed, patron: map[string][]holiday{}, loc: Rome}
	for _, h := range append(doc.Fixed, doc.Patron...) {
		if h.Month < 1 || h.Month > 12 || h.Day < 1 || h.Day > 31 {
			return nil, fmt.Errorf("%s: %q: bad date %d/%d", path, h.Name, h.Day, h.Month)
		}
	}
	for _, h := range doc.Patron {
		if h.Name == "" {
			h.Name = h.Saint
		}
		c.patron[h.Code] = append(c.patron[h.Code], h)
	}
	if len(c.fixed) < 10 {
		return nil, fmt.Errorf("%s: only %d national holidays", path, len(c.fixed))
	}
	return c, nil
}

// Closed reports whether offices in the municipality (ISTAT code, may be
// "") are closed on t's day for a holiday, and which.
func (c *Calendar) Closed(t time.Time, municipality string) (bool, string) {
	if c == nil {
		return false, ""
	}
	t = t.In(c.loc)
	y, m, d := t.Date()
	for _, h := range c.fixed {
		if h.Month == m && h.Day == d && (h.ValidFrom == 0 || y >= h.ValidFrom) {
			return true, h.Name
		}
	}
	es := Easter(y)
	if m == es.Month() && d == es.Day() {
		return true, "Pasqua"
	}
	if em := es.AddDate(0, 0, 1); m == em.Month() && d == em.Day() {
		return true, "Lunedì dell'Angelo"
	}
	for _, h := range c.patron[municipality] {
		if h.Month == m && h.Day == d {
			return true, h.Name
		}
	}
	return false, ""
}

// Easter returns Western Easter Sunday of year (the anonymous Gregorian
// algorithm), at midnight UTC.
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
