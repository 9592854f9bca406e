package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/activities"
	"teamsbot/activities/roster"
	"teamsbot/booking"
	"teamsbot/booking/ledger"
	"teamsbot/bot"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/booking/feed"
	"teamsbot/internal/contenttest"
	"teamsbot/knowledge"
	"teamsbot/store/memory"
)

// TestAnOfficesCalendarReachesItsChannel: Prato's PUA gives the bot its
// own calendar. A closure on a day two people booked is posted to the
// operators with the two appointments and a button each; the slots of
// that day are no longer offered; when the calendar's address breaks, the
// office reads why (in Italian) and since when the last good copy is used.
func TestAnOfficesCalendarReachesItsChannel(t *testing.T) {
	var mu sync.Mutex
	status := 0
	cal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pua//IT\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20261201T000000Z\r\n"+
			"DTSTART;TZID=Europe/Rome:20261210T083000\r\nDTEND;TZID=Europe/Rome:20261210T130000\r\nSUMMARY:Formazione\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}))
	defer cal.Close()
	slackAPI, posted := recordingSlack(t)

	c := EmbeddedContent()
	kfs := contenttest.Knowledge(t, knowledge.SchedulesPath, func(s string) string {
		return strings.Replace(s, "  - place: po-pua\n", "  - place: po-pua\n    calendar_url: \""+cal.URL+"/pua.ics\"\n", 1)
	})
	c.Knowledge = kfs
	l, issues := Load(c, LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	st := memory.New()
	desk, err := slackdesk.New(slackdesk.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: slackAPI.URL, Texts: l.Catalog, Lang: "it"}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, knowledge.Rome)
	for i, at := range []string{"09:00", "11:30"} {
		start, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-10 "+at, knowledge.Rome)
		b := ledger.Booking{Code: fmt.Sprintf("AB%d-XYZ", i), Conv: fmt.Sprintf("telegram:%d", i), Place: "po-pua", Service: "first_reception", Lang: "ar", Start: start, Minutes: 30}
		if err := st.Book(context.Background(), b, 2, 2, now); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Default()
	feeds := feed.New(calendarFeeds(cfg, l, st, desk, slog.New(slog.DiscardHandler)))
	if err := feeds.Refresh(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	got := posted()
	mu.Lock()
	status = http.StatusNotFound
	mu.Unlock()
	for _, want := range []string{"Zona Pratese", "chiude orari già prenotati (2)", "AB0-XYZ", "AB1-XYZ", "10/12/2026 09:00", "office_cancel"} {
		if !strings.Contains(got, want) {
			t.Errorf("the office's channel lacks %q:\n%s", want, got)
		}
	}
	if !feeds.Busy("po-pua", time.Date(2026, 12, 10, 12, 0, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 12, 30, 0, 0, knowledge.Rome)) {
		t.Error("the closed morning is not busy")
	}
	if err := feeds.Refresh(context.Background(), now.Add(cfg.CalendarEvery)); err != nil {
		t.Fatal(err)
	}
	got = posted()
	if !strings.Contains(got, "Il calendario di Punto Unico di Accesso – Zona Pratese") || !strings.Contains(got, "il server risponde 404") ||
		!strings.Contains(got, "07/12/2026 08:00") || strings.Contains(got, cal.URL) {
		t.Errorf("the broken feed as the office reads it:\n%s", got)
	}
	if !feeds.Busy("po-pua", time.Date(2026, 12, 10, 12, 0, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 12, 30, 0, 0, knowledge.Rome)) {
		t.Error("the broken feed wiped the closed morning")
	}
}

// TestBookingsCalendarsCommand: staff see, from a terminal, when each
// office calendar was read and what went wrong, never its address.
func TestBookingsCalendarsCommand(t *testing.T) {
	cal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) }))
	defer cal.Close()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "knowledge"), knowledge.FS); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "knowledge", knowledge.SchedulesPath)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "  - place: po-pua\n", "  - place: po-pua\n    calendar_url: \""+cal.URL+"/secret-token.ics\"\n", 1))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"TEAMSBOT_DATA": t.TempDir(), "TEAMSBOT_PSEUDONYM_KEY": "k", "TEAMSBOT_CONTENT": root}
	e, out, errOut := env([]string{"bookings", "--calendars"}, "", vars)
	if err := Run(context.Background(), e); err != nil || !strings.Contains(out.String(), "po-pua") || !strings.Contains(out.String(), "never") {
		t.Fatalf("before any reading: %v\n%s%s", err, out, errOut)
	}
	// serve reads it (here: the same code, on the same store).
	_, l, st, err := contentAndStore(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := feed.New(feed.Config{Dir: l.Directory, Store: st}).Refresh(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	e, out, _ = env([]string{"bookings", "--calendars"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "the calendar's server answered 403 (the last good copy is used)") || strings.Contains(got, "secret-token") {
		t.Errorf("after a reading:\n%s", got)
	}
}

// TestCalendarCommandsFromSlack: staff close a morning from the desk's
// channel (not from another), are told of the two appointments already
// booked there (posted with "Cancel and tell"), list the closure, and
// reopen it; a date that does not exist is refused.
func TestCalendarCommandsFromSlack(t *testing.T) {
	slackAPI, posted := recordingSlack(t)
	l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	st := memory.New()
	desk, err := slackdesk.New(slackdesk.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: slackAPI.URL, Texts: l.Catalog, Lang: "it"}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, knowledge.Rome)
	for i, at := range []string{"09:00", "11:30", "14:30"} {
		start, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-10 "+at, knowledge.Rome)
		b := ledger.Booking{Code: fmt.Sprintf("AB%d-XYZ", i), Conv: fmt.Sprintf("telegram:%d", i), Place: "po-pua", Service: "first_reception", Lang: "ar", Start: start, Minutes: 30}
		if err := st.Book(context.Background(), b, 2, 2, now); err != nil {
			t.Fatal(err)
		}
	}
	feeds := feed.New(feed.Config{Dir: l.Directory, Store: st, Bookings: st})
	cmd := calendarCommand(feeds, l.Directory, desk, "COPS", func() time.Time { return now })
	say := func(channel, text string) string {
		t.Helper()
		reply, ok := cmd(context.Background(), channel, "UGIULIA", strings.Fields(text))
		if !ok {
			t.Fatalf("%q was not taken as a calendar command", text)
		}
		return reply
	}
	if _, ok := cmd(context.Background(), "COPS", "U", []string{"ciao"}); ok {
		t.Error("a word that is no command was taken for one")
	}
	if got := say("CALTRO", "chiudi po-pua 10/12 09:00-13:00"); !strings.Contains(got, "si cambia dal suo canale") {
		t.Errorf("from another channel: %q", got)
	}
	if feeds.Busy("po-pua", time.Date(2026, 12, 10, 9, 0, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 9, 30, 0, 0, knowledge.Rome)) {
		t.Fatal("closed from a channel without permission")
	}
	got := say("COPS", "chiudi po-pua 10/12 09:00-13:00")
	if !strings.Contains(got, "chiuso 10/12/2026 09:00–13:00") || !strings.Contains(got, "ci sono 2 appuntamenti già prenotati") {
		t.Errorf("close: %q", got)
	}
	all := posted()
	if !strings.Contains(all, "AB0-XYZ") || !strings.Contains(all, "AB1-XYZ") || strings.Contains(all, "AB2-XYZ") || !strings.Contains(all, "office_cancel") {
		t.Errorf("the appointments under the closure, as posted:\n%s", all)
	}
	if !feeds.Busy("po-pua", time.Date(2026, 12, 10, 12, 0, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 12, 30, 0, 0, knowledge.Rome)) ||
		feeds.Busy("po-pua", time.Date(2026, 12, 10, 14, 30, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 15, 0, 0, 0, knowledge.Rome)) {
		t.Error("the closed morning")
	}
	if got := say("COPS", "calendario po-pua"); !strings.Contains(got, "10/12/2026 09:00–13:00") {
		t.Errorf("list: %q", got)
	}
	if got := say("COPS", "chiudi po-pua 31/02"); !strings.Contains(got, "non validi") {
		t.Errorf("31/02: %q", got)
	}
	if got := say("COPS", "close po-pua 24/12"); !strings.Contains(got, "chiuso 24/12/2026") {
		t.Errorf("a whole day, in English words: %q", got)
	}
	if got := say("COPS", "apri po-pua 10/12"); !strings.Contains(got, "riaperto 10/12/2026") {
		t.Errorf("reopen: %q", got)
	}
	if feeds.Busy("po-pua", time.Date(2026, 12, 10, 12, 0, 0, 0, knowledge.Rome), time.Date(2026, 12, 10, 12, 30, 0, 0, knowledge.Rome)) {
		t.Error("still closed after reopening")
	}
	if got := say("COPS", "chiudi nowhere 10/12"); !strings.Contains(got, "Non conosco il luogo") || !strings.Contains(got, "`po-pua`") {
		t.Errorf("unknown place: %q", got)
	}

	// Extra hours: Saturday 12/12 is outside the schedule; the office
	// opens 10:00-12:00 and the bot offers those times, in order.
	sc, _ := l.Directory.Schedule("po-pua")
	saturday := func() []string {
		var out []string
		for _, sl := range booking.Slots(l.Directory, sc, "first_reception", now, nil, feeds) {
			if sl.Start.In(knowledge.Rome).Format("02/01") == "12/12" {
				out = append(out, sl.Start.In(knowledge.Rome).Format("15:04"))
			}
		}
		return out
	}
	if got := saturday(); len(got) != 0 {
		t.Fatalf("Saturday offered before the office opened it: %v", got)
	}
	if got := say("COPS", "apri po-pua 12/12 10:00-12:00"); !strings.Contains(got, "aperto 12/12/2026 10:00–12:00") {
		t.Errorf("open extra hours: %q", got)
	}
	if got := saturday(); len(got) == 0 || got[0] != "10:00" || !slices.IsSorted(got) || got[len(got)-1] >= "12:00" {
		t.Errorf("Saturday's times after the office opened 10-12: %v", got)
	}
	if got := say("COPS", "calendario po-pua"); !strings.Contains(got, "Orari in più") || !strings.Contains(got, "12/12/2026 10:00–12:00") {
		t.Errorf("list with extra hours: %q", got)
	}
	// Another replica reads them from the store.
	other := feed.New(feed.Config{Dir: l.Directory, Store: st, Bookings: st})
	if err := other.Refresh(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if n := len(booking.Slots(l.Directory, sc, "first_reception", now, nil, other)); n != len(booking.Slots(l.Directory, sc, "first_reception", now, nil, feeds)) {
		t.Errorf("another replica offers %d times", n)
	}
	// Closing the day takes the extra hours back.
	say("COPS", "chiudi po-pua 12/12")
	if got := saturday(); len(got) != 0 {
		t.Errorf("Saturday offered after the office closed it: %v", got)
	}
	if got := say("COPS", "calendario po-pua"); strings.Contains(got, "Orari in più") {
		t.Errorf("extra hours still listed after closing the day: %q", got)
	}
}

// recordingSlack is a Slack Web API that answers ok and records each
// chat.postMessage (channel, text, blocks); posted returns and forgets
// them.
func recordingSlack(t *testing.T) (srv *httptest.Server, posted func() string) {
	var mu sync.Mutex
	var posts []string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		defer mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "chat.postMessage") {
			posts = append(posts, r.PostForm.Get("channel")+" "+r.PostForm.Get("text")+" "+r.PostForm.Get("blocks"))
		}
		fmt.Fprint(w, `{"ok":true,"channel":"C","ts":"1.1"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() string {
		mu.Lock()
		defer mu.Unlock()
		out := strings.Join(posts, "\n")
		posts = nil
		return out
	}
}

// noticeLog records the notices the activities send.
type noticeLog struct {
	mu  sync.Mutex
	got []string // "conv message-id date time"
}

func (n *noticeLog) Notify(_ context.Context, conv string, no bot.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, strings.TrimSpace(conv+" "+no.MessageID+" "+no.Data["date"]+" "+no.Data["time"]))
	return nil
}

func (n *noticeLog) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.got
	n.got = nil
	return out
}

// TestCoordinatorsCancelSessionsFromSlack: a coordinator cancels one
// session of an activity from the desk's channel; the two people enrolled
// are told (the date and time of that session), the bot offers the next
// session instead, and another replica knows it within its refresh; then
// the whole activity: no longer offered, everyone told. From another
// channel, or with a day without a session, nothing changes.
func TestCoordinatorsCancelSessionsFromSlack(t *testing.T) {
	c := newCoordinators(t, func(a *knowledge.Activity) bool { return a.Signup })
	l, st, told, desk, now, act := c.d, c.st, c.told, c.desk, c.now, c.act
	first, _ := act.Next(now)
	for _, conv := range []string{"telegram:1", "whatsapp:2"} {
		if _, _, err := st.Join(context.Background(), roster.Enrolment{Activity: act.ID, Conv: conv, Lang: "ar", At: now}, 0, true); err != nil {
			t.Fatal(err)
		}
	}
	cmd := activityCommand(l.Activities, told, desk, "COPS", func() time.Time { return now })
	say := func(channel, text string) string {
		t.Helper()
		reply, ok := cmd(context.Background(), channel, "UGIULIA", strings.Fields(text))
		if !ok {
			t.Fatalf("%q was not taken as an activity command", text)
		}
		return reply
	}
	day := first.From.In(knowledge.Rome).Format("02/01")
	if got := say("CALTRO", "annulla "+act.ID+" "+day); !strings.Contains(got, "canale dei coordinatori") {
		t.Errorf("from another channel: %q", got)
	}
	if got := say("COPS", "annulla nessuna "+day); !strings.Contains(got, "Non conosco l'attività") || !strings.Contains(got, act.ID) {
		t.Errorf("unknown activity: %q", got)
	}
	if got := say("COPS", "annulla "+act.ID+" 31/02"); !strings.Contains(got, "Data non valida") {
		t.Errorf("31/02: %q", got)
	}
	if got := say("COPS", "annulla "+act.ID+" "+first.From.In(knowledge.Rome).AddDate(0, 0, 1).Format("02/01")); !strings.Contains(got, "non ha un incontro") {
		t.Errorf("a day without a session: %q", got)
	}
	if n := told.take(); len(n) != 0 {
		t.Fatalf("told before anything was cancelled: %v", n)
	}
	got := say("COPS", "annulla "+act.ID+" "+day)
	if !strings.Contains(got, "annullato l'incontro del "+first.From.In(knowledge.Rome).Format("02/01/2006 15:04")) || !strings.Contains(got, "avvisate 2 persone") {
		t.Errorf("cancel a session: %q", got)
	}
	want := " activities.session_cancelled " + day + " " + first.From.In(knowledge.Rome).Format("15:04")
	if n := told.take(); len(n) != 2 || n[0] != "telegram:1"+want || n[1] != "whatsapp:2"+want {
		t.Errorf("the people told: %v", n)
	}
	// The bot offers the next session, here and at another replica.
	res, err := l.Activities.Actions()[1].Run(context.Background(), bot.ActionRequest{Now: now, Lang: "it", T: func(id string, d map[string]string) string { return l.Catalog.Text("it", id, d) }, Args: map[string]string{"activity": act.ID}})
	if err != nil || res.Outcome == "gone" {
		t.Fatalf("card after one cancelled session: %+v %v", res, err)
	}
	otherContent, _ := Load(EmbeddedContent(), LoadOptions{Demo: true})
	other := otherContent.Domain(Deps{Store: st})
	if err := other.Activities.RefreshChanges(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*activities.Service{l.Activities, other.Activities} {
		if got := svc.NextSession(act.ID, now); !got.After(first.From) {
			t.Errorf("the next session offered is still the cancelled one: %v", got)
		}
	}
	// No reminder the day before a cancelled session.
	if n, err := l.Activities.SendReminders(context.Background(), told, first.From.Add(-24*time.Hour)); err != nil || n != 0 {
		t.Errorf("reminders for a cancelled session: %d %v (%v)", n, err, told.take())
	}
	// The whole activity.
	if got := say("COPS", "annulla "+act.ID+" tutto"); !strings.Contains(got, "annullata") || !strings.Contains(got, "avvisate 2 persone") {
		t.Errorf("cancel the activity: %q", got)
	}
	if n := told.take(); len(n) != 2 || !strings.Contains(n[0], "activities.cancelled") {
		t.Errorf("the people told: %v", n)
	}
	res, err = l.Activities.Actions()[1].Run(context.Background(), bot.ActionRequest{Now: now, Lang: "it", T: func(id string, d map[string]string) string { return l.Catalog.Text("it", id, d) }, Args: map[string]string{"activity": act.ID}})
	if err != nil || res.Outcome != "gone" {
		t.Errorf("card of a cancelled activity: %+v %v", res, err)
	}
}

// TestCoordinatorsChangeSeatsFromSlack: an activity is full with two
// waiting; the coordinator adds a seat: the first waiting is in and told,
// the second still waits; fewer seats send nobody away, and a newcomer
// waits; a number that is not one is refused.
func TestCoordinatorsChangeSeatsFromSlack(t *testing.T) {
	c := newCoordinators(t, func(a *knowledge.Activity) bool { return a.Signup && a.Capacity > 0 && a.WaitingList })
	l, st, told, desk, now, act := c.d, c.st, c.told, c.desk, c.now, c.act
	ctx := context.Background()
	for i := range act.Capacity + 2 {
		if _, _, err := st.Join(ctx, roster.Enrolment{Activity: act.ID, Conv: fmt.Sprintf("telegram:%d", i), Lang: "sq", At: now}, act.Capacity, true); err != nil {
			t.Fatal(err)
		}
	}
	cmd := activityCommand(l.Activities, told, desk, "COPS", func() time.Time { return now })
	say := func(text string) string {
		t.Helper()
		reply, ok := cmd(ctx, "COPS", "UGIULIA", strings.Fields(text))
		if !ok {
			t.Fatalf("%q was not taken as an activity command", text)
		}
		return reply
	}
	if got := say(fmt.Sprintf("posti %s molti", act.ID)); !strings.Contains(got, "non valido") {
		t.Errorf("seats that are no number: %q", got)
	}
	got := say(fmt.Sprintf("posti %s %d", act.ID, act.Capacity+1))
	if !strings.Contains(got, fmt.Sprintf("%d posti", act.Capacity+1)) || !strings.Contains(got, "1 persone in attesa ora iscritte") {
		t.Errorf("one seat more: %q", got)
	}
	first := fmt.Sprintf("telegram:%d", act.Capacity)
	if n := told.take(); len(n) != 1 || n[0] != first+" activities.promoted" {
		t.Errorf("told: %v", n)
	}
	r, _ := st.Roster(ctx, act.ID)
	if in, waiting := counts(r); in != act.Capacity+1 || waiting != 1 {
		t.Errorf("after one seat more: %d in, %d waiting", in, waiting)
	}
	// Fewer seats: nobody is sent away; a newcomer waits.
	say(fmt.Sprintf("seats %s 1", act.ID))
	res, err := l.Activities.Actions()[2].Run(ctx, bot.ActionRequest{Now: now, Lang: "it", Conversation: "whatsapp:new", T: func(id string, d map[string]string) string { return id },
		Args: map[string]string{"activity": act.ID}})
	if err != nil || res.Outcome != "waiting" {
		t.Errorf("a newcomer with fewer seats: %+v %v", res, err)
	}
	if r, _ := st.Roster(ctx, act.ID); len(r) != act.Capacity+3 {
		t.Errorf("someone was sent away: %d enrolled", len(r))
	}
}

// coordinators is what the coordinators' tests share: the shipped content
// in a demo, a store, the notices the activities send, a desk on a
// recording Slack, a Monday morning, and an activity with sessions to come
// that want says is right for the test.
type coordinators struct {
	d    *Domain
	st   *memory.Store
	told *noticeLog
	desk *slackdesk.Desk
	now  time.Time
	act  *knowledge.Activity
}

func newCoordinators(t *testing.T, want func(*knowledge.Activity) bool) coordinators {
	t.Helper()
	slackAPI, _ := recordingSlack(t)
	l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	c := coordinators{st: memory.New(), told: &noticeLog{}, now: time.Date(2026, 12, 7, 8, 0, 0, 0, knowledge.Rome)}
	c.d = l.Domain(Deps{Store: c.st})
	var err error
	c.desk, err = slackdesk.New(slackdesk.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: slackAPI.URL, Texts: l.Catalog, Lang: "it"}, c.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range l.Directory.Activities() {
		if _, ok := a.Next(c.now); ok && want(a) {
			c.act = a
			return c
		}
	}
	t.Fatal("no activity of the kind the test needs")
	return c
}
