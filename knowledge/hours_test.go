package knowledge

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Rome)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHoursOpenAndNext(t *testing.T) {
	h, err := ParseHours("Mo-Fr 08:30-12:30; Tu,Th 08:30-12:30,14:30-17:00; Sa[1] 09:00-12:00; PH off")
	if err != nil {
		t.Fatal(err)
	}
	noHolidays := func(time.Time) bool { return false }
	for _, c := range []struct {
		when  string
		open  bool
		until string
		next  string
	}{
		{"2026-11-24 09:00", true, "12:30", ""},             // Tuesday morning
		{"2026-11-24 13:00", false, "", "2026-11-24 14:30"}, // Tuesday lunch: opens again at 14:30
		{"2026-11-26 16:59", true, "17:00", ""},             // Thursday afternoon
		{"2026-11-27 13:00", false, "", "2026-11-30 08:30"}, // Friday afternoon → Monday
		{"2026-12-05 10:00", true, "12:00", ""},             // first Saturday of December
		{"2026-12-12 10:00", false, "", "2026-12-14 08:30"}, // second Saturday: closed
		{"2026-11-29 10:00", false, "", "2026-11-30 08:30"}, // Sunday
	} {
		now := at(c.when)
		open, until := h.OpenAt(now, noHolidays)
		if open != c.open {
			t.Errorf("%s: open = %v", c.when, open)
		}
		if open && until.Format("15:04") != c.until {
			t.Errorf("%s: until %s, want %s", c.when, until.Format("15:04"), c.until)
		}
		if !open {
			next, ok := h.NextOpening(now, noHolidays)
			if !ok || next.From.Format("2006-01-02 15:04") != c.next {
				t.Errorf("%s: next opening %v, want %s", c.when, next.From, c.next)
			}
		}
	}
}

func TestHoursSkipHolidaysAndDST(t *testing.T) {
	cal, err := LoadCalendar(FS, HolidaysPath)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ParseHours("Mo-Fr 09:00-13:00")
	firenze := func(d time.Time) bool { c, _ := cal.Closed(d, "048017"); return c }
	prato := func(d time.Time) bool { c, _ := cal.Closed(d, "100005"); return c }
	// Wednesday 24 June 2026 is San Giovanni, Firenze's patron day: closed in
	// Firenze, open in Prato.
	if open, _ := h.OpenAt(at("2026-06-24 10:00"), firenze); open {
		t.Error("Firenze office open on San Giovanni")
	}
	if open, _ := h.OpenAt(at("2026-06-24 10:00"), prato); !open {
		t.Error("Prato office closed on Firenze's patron day")
	}
	// Friday 24 December 2026, after hours: the next opening skips Christmas
	// and Santo Stefano (a Saturday anyway) to Monday 28.
	next, ok := h.NextOpening(at("2026-12-24 14:00"), firenze)
	if !ok || next.From.Format("2006-01-02 15:04") != "2026-12-28 09:00" {
		t.Errorf("after Christmas Eve: %v", next.From)
	}
	// Easter Monday 2026 is 6 April.
	if open, _ := h.OpenAt(at("2026-04-06 10:00"), firenze); open {
		t.Error("open on Easter Monday")
	}
	// Sunday 29 March 2026 clocks go forward: Monday 09:00 is 07:00 UTC.
	next, _ = h.NextOpening(at("2026-03-28 14:00"), firenze)
	if got := next.From.UTC().Format("2006-01-02 15:04"); got != "2026-03-30 07:00" {
		t.Errorf("across the DST change: %s UTC", got)
	}
	// 4 October is a national holiday from 2026 (L. 151/2025), not before.
	if c, _ := cal.Closed(at("2027-10-04 10:00"), ""); !c {
		t.Error("4 October 2027 not a holiday")
	}
	if c, _ := cal.Closed(at("2024-10-04 10:00"), ""); c {
		t.Error("4 October 2024 counted as a holiday")
	}
}

func TestEasterMatchesTheTable(t *testing.T) {
	for year, monday := range map[int]string{2025: "2025-04-21", 2026: "2026-04-06", 2027: "2027-03-29", 2028: "2028-04-17", 2029: "2029-04-02", 2030: "2030-04-22", 2031: "2031-04-14"} {
		if got := Easter(year).AddDate(0, 0, 1).Format("2006-01-02"); got != monday {
			t.Errorf("Easter Monday %d = %s, want %s", year, got, monday)
		}
	}
}

func TestParseHoursErrors(t *testing.T) {
	for src, want := range map[string]string{
		"":                       "empty",
		"Mo-Fr":                  "no times",
		"Mon-Fri 09:00-13:00":    `unknown day "Mon"`,
		"Mo 9-13":                "write hours and minutes",
		"Mo 13:00-09:00":         "ends before it starts",
		"Mo 09:00-25:00":         "write hours and minutes",
		"PH 10:00-12:00":         "only \"PH off\"",
		"Sa[9] 10:00-12:00":      "nth weekday",
		"Jan-Mar Mo 09:00-12:00": "unknown day",
	} {
		if _, err := ParseHours(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseHours(%q) = %v, want %q", src, err, want)
		}
	}
	if h, err := ParseHours("24/7"); err != nil {
		t.Error(err)
	} else if open, _ := h.OpenAt(at("2026-01-01 03:00"), nil); !open {
		t.Error("24/7 closed")
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"Mo-Fr 08:30-12:30; Tu,Th 14:30-17:00", "Sa[1] 10:00-12:00", "PH off", "24/7", "Su-Mo 00:00-24:00", "Mo 9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHours(s)
		if err != nil {
			return
		}
		now := at("2026-11-26 10:00")
		h.OpenAt(now, nil)
		if iv, ok := h.NextOpening(now, nil); ok && !iv.From.After(now) {
			t.Fatalf("next opening %v is not after now", iv.From)
		}
	})
}
