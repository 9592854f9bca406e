package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"teamsbot/store/embedded"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

func stores(t *testing.T) map[string]Store {
	t.Helper()
	out := map[string]Store{"memory": memory.New()}
	emb, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	out["embedded"] = emb
	if url := os.Getenv("REDIS_URL"); url != "" {
		r, err := redisstore.Open(url, "report-test-"+time.Now().Format("150405.000000000"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		out["redis"] = r
	}
	return out
}

var rome, _ = time.LoadLocation("Europe/Rome")

// Counts recorded in memory reach every store on flush, by day (Rome's),
// and add up across flushes and recorders (replicas).
func TestRecorderOnEveryStore(t *testing.T) {
	day1 := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC) // already 2 December in Rome
	day2 := time.Date(2026, 12, 2, 12, 0, 0, 0, rome)
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			a, b := NewRecorder(st, rome), NewRecorder(st, rome)
			for range 7 {
				a.Count(day1, "messages", "telegram")
			}
			b.Count(day2, "messages", "telegram")
			b.Count(day2, "languages", "ar")
			a.Count(day2, "topics", "guides.a|b") // a | in a value cannot split the key
			for _, r := range []*Recorder{a, b} {
				if err := r.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			a.Count(day2, "messages", "telegram")
			a.Flush(context.Background())
			got, err := st.Counts(context.Background(), []string{"2026-12-01", "2026-12-02"})
			if err != nil {
				t.Fatal(err)
			}
			if got["2026-12-01"] != nil || got["2026-12-02"]["messages|telegram"] != 9 || got["2026-12-02"]["languages|ar"] != 1 || got["2026-12-02"]["topics|guides.a/b"] != 1 {
				t.Errorf("counts: %v", got)
			}
		})
	}
}

// A report sums the days asked for, never shows a number under 5 (in any
// format), and keeps totals true.
func TestReportSuppressesSmallCells(t *testing.T) {
	st := memory.New()
	r := NewRecorder(st, rome)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, rome)
	for range 12 {
		r.Count(at, "languages", "it")
	}
	for range 3 {
		r.Count(at, "languages", "ur")
	}
	for range 2 {
		r.Count(at.AddDate(0, 0, 1), "languages", "ur")
	}
	r.Count(at, "ratings", "5")
	r.Count(at.AddDate(0, 1, 0), "languages", "it") // outside the period
	r.Flush(context.Background())
	rep, err := Build(context.Background(), st, at.AddDate(0, 0, -1), at.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	var langs, ratings Section
	for _, s := range rep.Sections {
		switch s.Key {
		case "languages":
			langs = s
		case "ratings":
			ratings = s
		}
	}
	if langs.Total != 17 || len(langs.Rows) != 2 || langs.Rows[0].Value != "it" || langs.Rows[0].Count != 12 || !langs.Rows[1].Shown || langs.Rows[1].Count != 5 {
		t.Errorf("languages: %+v", langs)
	}
	if ratings.TotalShown || ratings.Rows[0].Shown {
		t.Errorf("a single rating is shown: %+v", ratings)
	}
	var csvOut, jsonOut, htmlOut bytes.Buffer
	WriteCSV(&csvOut, rep)
	WriteJSON(&jsonOut, rep)
	if err := WriteHTML(&htmlOut, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), "ratings,5,,true") || !strings.Contains(csvOut.String(), "languages,it,12,false") {
		t.Errorf("CSV:\n%s", csvOut.String())
	}
	var js struct {
		Sections []struct {
			Key  string
			Rows []struct {
				Value string
				Count *int64
			}
		}
	}
	if err := json.Unmarshal(jsonOut.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	for _, s := range js.Sections {
		for _, row := range s.Rows {
			if s.Key == "ratings" && row.Count != nil {
				t.Errorf("JSON shows a suppressed count: %+v", row)
			}
		}
	}
	h := htmlOut.String()
	if !strings.Contains(h, "<svg") || strings.Contains(h, "<script") || strings.Contains(h, "src=") || strings.Contains(h, "href=") || !strings.Contains(h, "&lt;5") {
		t.Errorf("HTML: not self-contained, or no chart, or no suppression:\n%.600s", h)
	}
}
