package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"

	"teamsbot/booking/feed"
	"teamsbot/internal/contenttest"
	"teamsbot/knowledge"
	"teamsbot/store/memory"
)

// office is a local calendar server: it serves body with an ETag, answers
// 304 to a request that has it, and records what it received.
type office struct {
	mu       sync.Mutex
	body     string
	status   int
	requests []string // "GET" or "GET if-none-match"
}

func (o *office) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	etag := fmt.Sprintf(`"%d"`, len(o.body))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		o.requests = append(o.requests, "GET if-none-match")
		if inm == etag && o.status == 0 {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		o.requests = append(o.requests, "GET")
	}
	if o.status != 0 {
		w.WriteHeader(o.status)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "text/calendar")
	fmt.Fprint(w, o.body)
}

func (o *office) set(body string, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.body, o.status = body, status
}

func (o *office) calls() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.requests...)
}

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, knowledge.Rome)
	if err != nil {
		panic(err)
	}
	return t
}

// directory is the bot's directory whose Prato PUA reads the feed at url.
func directory(t *testing.T, url string) *knowledge.Directory {
	t.Helper()
	fsys := contenttest.Knowledge(t, knowledge.SchedulesPath, func(string) string {
		return `schedules:
  - place: po-pua
    services: [{id: first_reception, minutes: 30}]
    hours: "Mo-Fr 09:00-13:00"
    desks: 1
    ahead_days: 30
    calendar_url: "` + url + `"
`
	})
	d, issues := knowledge.Load(fsys)
	if d == nil {
		t.Fatal(issues)
	}
	return d
}

var closure = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//office//IT\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261211\r\nSUMMARY:Chiuso per formazione\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

type told struct {
	mu        sync.Mutex
	problems  []string
	conflicts []string
}

func (t *told) config(cfg feed.Config) feed.Config {
	cfg.OnProblem = func(_ context.Context, s *knowledge.Schedule, problem string, _ time.Time) {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.problems = append(t.problems, s.Place+": "+problem)
	}
	cfg.OnConflict = func(_ context.Context, s *knowledge.Schedule, bs []ledger.Booking) {
		t.mu.Lock()
		defer t.mu.Unlock()
		for _, b := range bs {
			t.conflicts = append(t.conflicts, s.Place+" "+b.Code)
		}
	}
	return cfg
}

// TestAFeedClosesSlotsAndABrokenOneKeepsTheLastGoodCopy: the office marks
// a day busy in its own calendar; the slots of that day disappear. Read
// again, the unchanged feed costs a 304. Then the feed breaks in every way
// a server can: the day stays closed (the last good copy), the office is
// told once, and told again when it is readable.
func TestAFeedClosesSlotsAndABrokenOneKeepsTheLastGoodCopy(t *testing.T) {
	o := &office{body: closure}
	srv := httptest.NewServer(o)
	defer srv.Close()
	st := memory.New()
	var tl told
	now := rome("2026-12-07 08:00")
	f := feed.New(tl.config(feed.Config{Dir: directory(t, srv.URL+"/cal.ics?token=secret"), Store: st, Every: time.Minute}))
	if err := f.Refresh(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if !f.Busy("po-pua", rome("2026-12-10 09:00"), rome("2026-12-10 09:30")) || f.Busy("po-pua", rome("2026-12-11 09:00"), rome("2026-12-11 09:30")) {
		t.Fatal("the closed day is not busy, or the next day is")
	}
	now = now.Add(time.Minute)
	if err := f.Refresh(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if got := o.calls(); len(got) != 2 || got[1] != "GET if-none-match" {
		t.Fatalf("requests: %q, want a plain GET then a conditional one", got)
	}
	for i, broken := range []struct {
		body   string
		status int
	}{
		{"", http.StatusNotFound},
		{"<html>Accedi</html>", 0},
		{strings.Repeat("X", feed.MaxBytes+10), 0},
		{"", http.StatusInternalServerError},
	} {
		o.set(broken.body, broken.status)
		now = now.Add(time.Minute)
		if err := f.Refresh(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		if !f.Busy("po-pua", rome("2026-12-10 09:00"), rome("2026-12-10 09:30")) {
			t.Fatalf("broken feed %d wiped the closed day", i)
		}
	}
	srv.CloseClientConnections()
	o.set(closure, 0)
	now = now.Add(time.Minute)
	if err := f.Refresh(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	want := []string{"po-pua: status:404", "po-pua: "}
	if strings.Join(tl.problems, "|") != strings.Join(want, "|") {
		t.Fatalf("the office was told %q, want %q", tl.problems, want)
	}
	// A restarted replica (same store) has the closed day before it reads
	// the feed, and does not read it again so soon.
	calls := len(o.calls())
	g := feed.New(feed.Config{Dir: directory(t, srv.URL+"/cal.ics?token=secret"), Store: st, Every: time.Minute})
	if err := g.Refresh(context.Background(), now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !g.Busy("po-pua", rome("2026-12-10 09:00"), rome("2026-12-10 09:30")) || len(o.calls()) != calls {
		t.Fatalf("the second replica: busy %t, requests %d → %d", g.Busy("po-pua", rome("2026-12-10 09:00"), rome("2026-12-10 09:30")), calls, len(o.calls()))
	}
	status, err := g.Status(context.Background())
	if err != nil || len(status) != 1 || status[0].Busy != 1 || status[0].Problem != "" {
		t.Fatalf("status: %+v, %v", status, err)
	}
	for _, p := range tl.problems {
		if strings.Contains(p, "secret") {
			t.Fatalf("the feed's address (and its token) reached the office's message: %q", p)
		}
	}
}

// TestAppointmentsUnderANewClosureAreListedOnce: two people booked on the
// day the office then closes; the office is told of both, once, and not
// of the appointment on another day.
func TestAppointmentsUnderANewClosureAreListedOnce(t *testing.T) {
	o := &office{body: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//o//IT\r\nEND:VCALENDAR\r\n"}
	srv := httptest.NewServer(o)
	defer srv.Close()
	st := memory.New()
	now := rome("2026-12-07 08:00")
	ctx := context.Background()
	for i, at := range []string{"2026-12-10 09:00", "2026-12-10 11:30", "2026-12-11 09:00"} {
		b := ledger.Booking{Conv: fmt.Sprintf("telegram:%d", i), Code: fmt.Sprintf("C%d", i), Place: "po-pua", Service: "first_reception", Lang: "ar", Start: rome(at), Minutes: 30}
		if err := st.Book(ctx, b, 1, 2, now); err != nil {
			t.Fatal(err)
		}
	}
	var tl told
	f := feed.New(tl.config(feed.Config{Dir: directory(t, srv.URL), Store: st, Bookings: st, Every: time.Minute}))
	if err := f.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	if len(tl.conflicts) != 0 {
		t.Fatalf("conflicts before any closure: %q", tl.conflicts)
	}
	o.set(closure, 0)
	for range 3 {
		now = now.Add(time.Minute)
		if err := f.Refresh(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(tl.conflicts, ","); got != "po-pua C0,po-pua C1" {
		t.Fatalf("the office was told of %q, want C0 and C1 once", got)
	}
}

// TestClosuresSetByTheOffice: staff close a morning (from Slack); every
// replica sharing the store has it after a refresh, the appointments under
// it are returned for the office to decide, and reopening removes it.
func TestClosuresSetByTheOffice(t *testing.T) {
	st := memory.New()
	ctx := context.Background()
	now := rome("2026-12-07 08:00")
	b := ledger.Booking{Conv: "telegram:1", Code: "AB0-XYZ", Place: "po-pua", Service: "first_reception", Lang: "zh", Start: rome("2026-12-10 10:30"), Minutes: 30}
	if err := st.Book(ctx, b, 1, 2, now); err != nil {
		t.Fatal(err)
	}
	a := feed.New(feed.Config{Dir: directory(t, "http://127.0.0.1:1/none.ics"), Store: st, Bookings: st})
	other := feed.New(feed.Config{Dir: directory(t, "http://127.0.0.1:1/none.ics"), Store: st, Bookings: st})
	under, err := a.Close(ctx, "po-pua", rome("2026-12-10 09:00"), rome("2026-12-10 13:00"), now)
	if err != nil || len(under) != 1 || under[0].Code != "AB0-XYZ" {
		t.Fatalf("close: %+v, %v", under, err)
	}
	if !a.Busy("po-pua", rome("2026-12-10 12:00"), rome("2026-12-10 12:30")) || a.Busy("po-pua", rome("2026-12-10 13:00"), rome("2026-12-10 13:30")) {
		t.Error("the closed morning on the replica that closed it")
	}
	if other.Busy("po-pua", rome("2026-12-10 12:00"), rome("2026-12-10 12:30")) {
		t.Error("the other replica knew before reading the store")
	}
	if err := other.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	if !other.Busy("po-pua", rome("2026-12-10 12:00"), rome("2026-12-10 12:30")) {
		t.Error("the other replica does not have the closure after a refresh")
	}
	if list, _ := other.Closures(ctx, "po-pua", now); len(list) != 1 {
		t.Errorf("closures: %+v", list)
	}
	if n, err := other.Reopen(ctx, "po-pua", rome("2026-12-10 00:00"), rome("2026-12-11 00:00"), now); n != 1 || err != nil {
		t.Fatalf("reopen: %d, %v", n, err)
	}
	if err := a.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	if a.Busy("po-pua", rome("2026-12-10 12:00"), rome("2026-12-10 12:30")) {
		t.Error("still closed after reopening")
	}
	if _, err := a.Close(ctx, "po-pua", rome("2026-12-10 13:00"), rome("2026-12-10 09:00"), now); err == nil {
		t.Error("a closure that ends before it starts was accepted")
	}
}
