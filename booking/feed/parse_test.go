package feed

import (
	"errors"
	"strings"
	"testing"
	"time"

	"teamsbot/knowledge"
)

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, knowledge.Rome)
	if err != nil {
		panic(err)
	}
	return t
}

func ics(events ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(events, "") + "END:VCALENDAR\r\n"
}

func event(lines ...string) string {
	return "BEGIN:VEVENT\r\nDTSTAMP:20261201T000000Z\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\n"
}

func parse(t *testing.T, feed string, from, to time.Time) []Interval {
	t.Helper()
	busy, _, err := Parse(strings.NewReader(feed), from, to)
	if err != nil {
		t.Fatal(err)
	}
	return busy
}

// TestParseKeepsWallClockAcrossDaylightSaving: a meeting every Tuesday at
// 09:00 in Rome is at 09:00 before and after the clocks change (the last
// Sunday of March), a one-off in New York's time is where it falls in
// Rome, and an all-day closure covers the whole Roman day even on the day
// with 23 hours.
func TestParseKeepsWallClockAcrossDaylightSaving(t *testing.T) {
	feed := ics(
		event("UID:team", "DTSTART;TZID=Europe/Rome:20270316T090000", "DTEND;TZID=Europe/Rome:20270316T100000", "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4", "SUMMARY:Riunione"),
		event("UID:ny", "DTSTART;TZID=America/New_York:20270330T100000", "DURATION:PT30M"),
		event("UID:closed", "DTSTART;VALUE=DATE:20270328", "DTEND;VALUE=DATE:20270329", "SUMMARY:Chiuso"),
	)
	busy := parse(t, feed, rome("2027-03-01 00:00"), rome("2027-05-01 00:00"))
	want := []Interval{
		{rome("2027-03-16 09:00"), rome("2027-03-16 10:00")},
		{rome("2027-03-23 09:00"), rome("2027-03-23 10:00")},
		{rome("2027-03-28 00:00"), rome("2027-03-29 00:00")}, // 23 hours long
		{rome("2027-03-30 09:00"), rome("2027-03-30 10:00")},
		{rome("2027-03-30 16:00"), rome("2027-03-30 16:30")}, // 10:00 in New York
		{rome("2027-04-06 09:00"), rome("2027-04-06 10:00")},
	}
	if !equal(busy, want) {
		t.Fatalf("busy:\n%s\nwant:\n%s", show(busy), show(want))
	}
	if d := want[2].To.Sub(want[2].From); d != 23*time.Hour {
		t.Fatalf("the day the clocks change lasts %v, the test is wrong", d)
	}
}

// TestParseExceptionsAndMovedInstances: EXDATE (also several in one line)
// removes occurrences, RDATE adds one, an instance moved by RECURRENCE-ID
// is busy at its new time only, a cancelled instance and a "free" event
// are not busy.
func TestParseExceptionsAndMovedInstances(t *testing.T) {
	feed := ics(
		event("UID:daily", "DTSTART:20261207T080000Z", "DTEND:20261207T090000Z", "RRULE:FREQ=DAILY;UNTIL=20261211T235959Z",
			"EXDATE:20261208T080000Z,20261209T080000Z", "RDATE:20261214T080000Z"),
		event("UID:daily", "RECURRENCE-ID:20261210T080000Z", "DTSTART:20261210T130000Z", "DTEND:20261210T140000Z"),
		event("UID:daily", "RECURRENCE-ID:20261211T080000Z", "DTSTART:20261211T080000Z", "DTEND:20261211T090000Z", "STATUS:CANCELLED"),
		event("UID:free", "DTSTART:20261207T120000Z", "DTEND:20261207T130000Z", "TRANSP:TRANSPARENT"),
		event("UID:gone", "DTSTART:20261207T150000Z", "DTEND:20261207T160000Z", "STATUS:CANCELLED"),
	)
	busy := parse(t, feed, rome("2026-12-01 00:00"), rome("2026-12-31 00:00"))
	want := []Interval{
		{rome("2026-12-07 09:00"), rome("2026-12-07 10:00")},
		{rome("2026-12-10 14:00"), rome("2026-12-10 15:00")},
		{rome("2026-12-14 09:00"), rome("2026-12-14 10:00")},
	}
	if !equal(busy, want) {
		t.Fatalf("busy:\n%s\nwant:\n%s", show(busy), show(want))
	}
}

// TestParseGuessesAndWarns: a floating time is Rome's, Outlook's Windows
// zone name is understood, an unknown zone is read as Rome's and said so,
// and overlapping events merge.
func TestParseGuessesAndWarns(t *testing.T) {
	feed := ics(
		event("UID:a", "DTSTART:20261207T090000", "DTEND:20261207T110000"),
		event("UID:b", `DTSTART;TZID="W. Europe Standard Time":20261207T100000`, `DTEND;TZID="W. Europe Standard Time":20261207T120000`),
		event("UID:c", "DTSTART;TZID=Mars/Olympus:20261208T090000", "DTEND;TZID=Mars/Olympus:20261208T093000"),
	)
	busy, warnings, err := Parse(strings.NewReader(feed), rome("2026-12-01 00:00"), rome("2026-12-31 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Interval{
		{rome("2026-12-07 09:00"), rome("2026-12-07 12:00")},
		{rome("2026-12-08 09:00"), rome("2026-12-08 09:30")},
	}
	if !equal(busy, want) {
		t.Fatalf("busy:\n%s\nwant:\n%s", show(busy), show(want))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "Mars/Olympus") {
		t.Fatalf("warnings: %q", warnings)
	}
}

func TestParseRefusesWhatIsNotACalendar(t *testing.T) {
	for _, doc := range []string{"", "<html><body>Login</body></html>", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nEND:VCARD\r\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"} {
		if _, _, err := Parse(strings.NewReader(doc), rome("2026-12-01 00:00"), rome("2026-12-31 00:00")); !errors.Is(err, ErrNotCalendar) {
			t.Errorf("Parse(%q) = %v, want ErrNotCalendar", doc, err)
		}
	}
}

func TestOverlaps(t *testing.T) {
	busy := []Interval{{rome("2026-12-07 09:00"), rome("2026-12-07 10:00")}, {rome("2026-12-07 12:00"), rome("2026-12-07 13:00")}}
	for _, c := range []struct {
		from, to string
		want     bool
	}{
		{"2026-12-07 08:30", "2026-12-07 09:00", false}, // ends as it starts
		{"2026-12-07 08:30", "2026-12-07 09:01", true},
		{"2026-12-07 09:59", "2026-12-07 10:30", true},
		{"2026-12-07 10:00", "2026-12-07 12:00", false},
		{"2026-12-07 11:00", "2026-12-07 14:00", true}, // covers one
		{"2026-12-07 13:00", "2026-12-07 14:00", false},
	} {
		if got := Overlaps(busy, rome(c.from), rome(c.to)); got != c.want {
			t.Errorf("Overlaps(%s, %s) = %t", c.from, c.to, got)
		}
	}
}

func equal(a, b []Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].From.Equal(b[i].From) || !a[i].To.Equal(b[i].To) {
			return false
		}
	}
	return true
}

func show(ivs []Interval) string {
	var b strings.Builder
	for _, iv := range ivs {
		b.WriteString(iv.From.In(knowledge.Rome).Format("2006-01-02 15:04") + " – " + iv.To.In(knowledge.Rome).Format("2006-01-02 15:04") + "\n")
	}
	return b.String()
}
