package report

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"teamsbot/store/memory"
)

// month records a synthetic month: n conversations, each with a channel, a
// language, a province, a couple of topics, and now and then a flow, a
// booking, a handoff with its outcome and a rating. The mix is invented
// (for sizing and for the sample report), not a forecast.
func month(n int, st Store) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	channels := []string{"whatsapp", "whatsapp", "whatsapp", "telegram", "webchat"}
	langs := []string{"it", "ar", "ar", "zh", "sq", "en", "fr", "uk", "es", "ur", "bn", "prs", "tl"}
	provinces := []string{"FI", "FI", "FI", "PO", "PO", "PI", "LI", "AR", "SI", "LU", "PT", "GR", "MS"}
	topics := []string{"guides.permit_renewal", "guides.permit_first", "guides.citizenship", "guides.health_registration", "guides.tax_code",
		"guides.family_reunification", "kinds.questura_immigration", "kinds.asl", "kinds.cpia", "flows.school", "flows.booking", "guides.italian_courses"}
	r := NewRecorder(st, time.UTC)
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		lang := pick(langs)
		for range 4 + rng.IntN(8) {
			r.Count(at, "messages", pick(channels))
		}
		r.Count(at, "languages", lang)
		r.Count(at, "provinces", pick(provinces))
		for range 1 + rng.IntN(2) {
			r.Count(at, "topics", pick(topics))
		}
		if i%9 == 0 {
			r.Count(at, "not_understood", lang)
		}
		if i%6 == 0 {
			r.Count(at, "flows.started", "booking")
			r.Count(at, "actions", "booking.book:booked")
			if i%12 == 0 {
				r.Count(at, "mediators", lang)
			}
			r.Count(at, "appointments", pick([]string{"attended", "attended", "attended", "no_show", "cancelled"}))
		}
		if i%20 == 0 {
			r.Count(at, "handoffs", lang)
			r.Count(at, "cases.wait", pick([]string{"under 5 min", "5-15 min", "15-60 min"}))
			r.Count(at, "cases.outcome", pick([]string{"answered", "answered", "referred", "booked", "no_answer"}))
			r.Count(at, "cases.topic", pick(topics))
			r.Count(at, "ratings", pick([]string{"5", "5", "4", "3"}))
		}
	}
	r.Flush(context.Background())
}

// TestSampleReport builds the report of a synthetic month of 100,000
// conversations: it stays a small, self-contained page. With
// TEAMSBOT_REPORT_SAMPLE=path it is written there (docs/report-sample.html).
func TestSampleReport(t *testing.T) {
	st := memory.New()
	month(100_000, st)
	rep, err := Build(context.Background(), st, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 200<<10 {
		t.Errorf("the HTML of a month is %d bytes", b.Len())
	}
	if path := os.Getenv("TEAMSBOT_REPORT_SAMPLE"); path != "" {
		sample := bytes.Replace(b.Bytes(), []byte("<body>"), []byte("<body>\n<p><strong>A sample made of synthetic data (report/bench_test.go: 100,000 invented conversations), not figures of the service.</strong></p>"), 1)
		if err := os.WriteFile(path, sample, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkMonthReport is `teamsbot report` over a synthetic month of
// 100,000 conversations: build and HTML, with the size of the counters.
func BenchmarkMonthReport(b *testing.B) {
	st := memory.New()
	month(100_000, st)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(Day))
	}
	counts, _ := st.Counts(context.Background(), days)
	keys, bytesOf := 0, 0
	for _, m := range counts {
		for k := range m {
			keys++
			bytesOf += len(k) + 8
		}
	}
	var size int
	b.ResetTimer()
	for range b.N {
		rep, err := Build(context.Background(), st, from, to)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		WriteHTML(&buf, rep)
		size = buf.Len()
	}
	b.ReportMetric(float64(keys), "counters")
	b.ReportMetric(float64(bytesOf)/1024, "counter-KiB")
	b.ReportMetric(float64(size)/1024, "html-KiB")
}
