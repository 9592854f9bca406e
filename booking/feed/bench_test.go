package feed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// feed5000 is an office calendar of 5,000 events: 4,500 meetings over the
// next months and 500 weekly series with an exception each.
func feed5000() string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//IT\r\n")
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for i := range 4500 {
		at := start.Add(time.Duration(i*37) * time.Minute)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:m%d\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Rome:%s\r\nDURATION:PT30M\r\nSUMMARY:Riunione %d\r\nEND:VEVENT\r\n", i, at.Format("20060102T150405"), i)
	}
	for i := range 500 {
		at := start.Add(time.Duration(i%40) * 15 * time.Minute)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:w%d\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Rome:%s\r\nDTEND;TZID=Europe/Rome:%s\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\nEXDATE;TZID=Europe/Rome:%s\r\nEND:VEVENT\r\n",
			i, at.Format("20060102T150405"), at.Add(time.Hour).Format("20060102T150405"), at.AddDate(0, 0, 14).Format("20060102T150405"))
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// BenchmarkParse5000Events: one refresh's parsing and expansion of a
// 5,000-event feed over a booking window of 32 days.
func BenchmarkParse5000Events(b *testing.B) {
	doc := feed5000()
	from := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 32)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		busy, _, err := Parse(strings.NewReader(doc), from, to)
		if err != nil {
			b.Fatal(err)
		}
		n = len(busy)
	}
	b.ReportMetric(float64(n), "intervals")
}

// BenchmarkOverlaps5000: a calendar of 200 slots a day for 30 days checked
// against the busy times of that feed.
func BenchmarkOverlaps5000(b *testing.B) {
	from := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	busy, _, err := Parse(strings.NewReader(feed5000()), from, from.AddDate(0, 0, 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		hit := 0
		for d := range 30 {
			day := from.AddDate(0, 0, d).Add(8 * time.Hour)
			for s := range 200 {
				at := day.Add(time.Duration(s) * 3 * time.Minute)
				if Overlaps(busy, at, at.Add(3*time.Minute)) {
					hit++
				}
			}
		}
		_ = hit
	}
}
