package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/activities/roster"
	"teamsbot/booking/ledger"

	"teamsbot/activities"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/knowledge"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

// recorder is a Sender that keeps what it was asked to send.
type recorder struct {
	mu      sync.Mutex
	replies map[string][]bot.Reply
	fail    error
	drop    bool // benchmarks: keep nothing
}

func newRecorder() *recorder { return &recorder{replies: map[string][]bot.Reply{}} }

func (r *recorder) Send(_ context.Context, user string, replies []bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if r.drop {
		return nil
	}
	r.replies[user] = append(r.replies[user], replies...)
	return nil
}

// take returns and clears what was sent to user.
func (r *recorder) take(user string) []bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replies[user]
	delete(r.replies, user)
	return out
}

func ids(replies []bot.Reply) string {
	var out []string
	for _, r := range replies {
		out = append(out, r.MessageIDs...)
	}
	return strings.Join(out, " ")
}

// desk is a fake operators' desk.
type desk struct {
	mu       sync.Mutex
	handoffs []bot.Handoff
	relayed  []bot.Inbound
	ended    []string
	forgot   []string
	fail     error
	closed   bool
	opens    time.Time
}

func (d *desk) Handoff(_ context.Context, h bot.Handoff) (bot.Ticket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return bot.Ticket{}, d.fail
	}
	d.handoffs = append(d.handoffs, h)
	return bot.Ticket{Position: len(d.handoffs), Closed: d.closed, Opens: d.opens}, nil
}

func (d *desk) Forget(_ context.Context, conv string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.forgot = append(d.forgot, conv)
	return nil
}

func (d *desk) Relay(_ context.Context, _ string, in bot.Inbound, ended string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ended != "" {
		d.ended = append(d.ended, ended)
	} else {
		d.relayed = append(d.relayed, in)
	}
	return nil
}

type fixture struct {
	svc   *bot.Service
	out   *recorder
	store app.Store
	now   time.Time
	seq   int
	// last is what each user was last sent: choose presses its buttons.
	last map[string][]bot.Reply
}

func newFixture(t testing.TB, st app.Store, operators bool, opts ...bot.ServiceOption) *fixture {
	t.Helper()
	return newFixtureConfig(t, st, operators, bot.ServiceConfig{PseudonymKey: []byte("k")}, opts...)
}

func newFixtureConfig(t testing.TB, st app.Store, operators bool, cfg bot.ServiceConfig, opts ...bot.ServiceOption) *fixture {
	t.Helper()
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	d := l.Domain(app.Deps{Store: st})
	eng, err := d.Engine(bot.Config{Operators: operators})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{out: newRecorder(), store: st, now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), last: map[string][]bot.Reply{}}
	opts = append([]bot.ServiceOption{bot.WithSender("test", f.out), bot.WithClock(func() time.Time { return f.now }), bot.WithKeepers(d.Keepers()...)}, opts...)
	f.svc = bot.NewService(eng, st, cfg, opts...)
	return f
}

// say sends a text from user and returns the replies.
func (f *fixture) say(t testing.TB, user, text string) []bot.Reply {
	t.Helper()
	f.seq++
	return f.send(t, bot.Inbound{Channel: "test", UserID: user, ID: fmt.Sprintf("m%d", f.seq), Text: text, LangHint: "en"})
}

// choose presses the button of what user was last sent whose label is the
// locale message msgID ("privacy.accept", "menu.school"): the tests follow
// the content's options by name, so a content team that reorders the menu
// does not break them.
func (f *fixture) choose(t testing.TB, user, msgID string) []bot.Reply {
	t.Helper()
	f.seq++
	return f.send(t, bot.Inbound{Channel: "test", UserID: user, ID: fmt.Sprintf("m%d", f.seq), Option: f.option(t, user, msgID), LangHint: "en"})
}

// option is the id of the button labelled msgID in what user was last sent.
func (f *fixture) option(t testing.TB, user, msgID string) string {
	t.Helper()
	return button(t, f.last[user], msgID)
}

// button is the id of the button labelled msgID in replies.
func button(t testing.TB, replies []bot.Reply, msgID string) string {
	t.Helper()
	var offered []string
	for _, r := range replies {
		for _, o := range r.Options {
			if o.MessageID == msgID {
				return o.ID
			}
			offered = append(offered, o.MessageID)
		}
	}
	t.Fatalf("%s was not offered (offered: %v)", msgID, offered)
	return ""
}

func (f *fixture) send(t testing.TB, in bot.Inbound) []bot.Reply {
	t.Helper()
	if err := f.svc.Handle(context.Background(), in); err != nil {
		t.Fatalf("Handle(%q%s): %v", in.Text, in.Option, err)
	}
	got := f.out.take(in.UserID)
	if len(got) > 0 {
		f.last[in.UserID] = got
	}
	return got
}

func (f *fixture) toSchoolTopics(t testing.TB, user string) {
	t.Helper()
	f.say(t, user, "hi")
	f.choose(t, user, "privacy.accept")
	f.choose(t, user, "menu.school")
	if got := ids(f.say(t, user, "8")); !strings.Contains(got, "school.ask_topic") { // the child's age
		t.Fatalf("not at the school topics: %s", got)
	}
}

func TestDuplicateDeliveryIsAnsweredOnce(t *testing.T) {
	f := newFixture(t, memory.New(), false)
	in := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.1", Text: "hello", LangHint: "en"}
	for range 3 {
		if err := f.svc.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.out.take("u1"); len(got) != 1 {
		t.Fatalf("a message delivered 3 times got %d replies, want 1", len(got))
	}
}

// failingSave is a store whose next Save fails (a store outage mid-turn).
type failingSave struct {
	app.Store
	fail bool
}

func (f *failingSave) SaveOutbox(ctx context.Context, conv string, v []byte, ttl time.Duration, m bot.OutboxMark) error {
	if f.fail {
		f.fail = false
		return errors.New("redis: connection reset by peer")
	}
	return f.Store.SaveOutbox(ctx, conv, v, ttl, m)
}

// TestRedeliveryAfterAFailedTurn: the store fails while a message is being
// handled, so the webhook answers an error and the platform delivers the
// message again: it is handled then (not taken for a duplicate), once.
func TestRedeliveryAfterAFailedTurn(t *testing.T) {
	st := &failingSave{Store: memory.New()}
	f := newFixture(t, st, false)
	f.say(t, "u1", "hi")
	f.choose(t, "u1", "privacy.accept")
	in := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.7", Option: f.option(t, "u1", "menu.school"), LangHint: "en"}
	st.fail = true
	if err := f.svc.Handle(context.Background(), in); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("a turn whose save failed: %v; want ErrUnavailable (the webhook answers 503)", err)
	}
	f.out.take("u1")
	for range 2 {
		if err := f.svc.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	got := f.out.take("u1")
	if len(got) != 1 || !strings.Contains(ids(got), "school.ask_age") {
		t.Fatalf("the redelivered message: %s (%d replies)", ids(got), len(got))
	}
}

func TestForgetDeletesEverything(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.toSchoolTopics(t, "u1")
	if _, err := st.Load(context.Background(), "test:u1"); err != nil {
		t.Fatalf("no session before forget: %v", err)
	}
	if got := ids(f.say(t, "u1", "delete my data")); got != "forget.confirm" {
		t.Fatalf("delete my data: %s", got)
	}
	if got := ids(f.say(t, "u1", "yes")); got != "forget.done" {
		t.Fatalf("confirm: %s", got)
	}
	if _, err := st.Load(context.Background(), "test:u1"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("session still stored after forget: %v", err)
	}
	// The seen message ids were in the session: the same id is new again.
	if err := f.svc.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: "u1", ID: "m1", Text: "hi", LangHint: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(f.out.take("u1")); !strings.Contains(got, "privacy.notice") {
		t.Fatalf("an old message id after forget: %s", got)
	}
	if got := ids(f.say(t, "u1", "hi")); !strings.Contains(got, "privacy.notice") {
		t.Fatalf("after forget the user is new: %s", got)
	}
}

func TestConversationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	st, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st, false)
	f.toSchoolTopics(t, "u1")
	f.choose(t, "u1", "school.topic_where") // asks the municipality
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st2, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	f2 := newFixture(t, st2, false)
	f2.seq = 100
	got := f2.say(t, "u1", "Livorno")
	if !strings.Contains(ids(got), "school.where") || !strings.Contains(got[0].Text, "Livorno") {
		t.Fatalf("after a restart the answer did not continue the conversation: %s", ids(got))
	}
}

func TestHandoffRelayAndGiveBack(t *testing.T) {
	d := &desk{}
	f := newFixture(t, memory.New(), true, bot.WithDesk(d))
	f.toSchoolTopics(t, "u1")
	got := f.choose(t, "u1", "common.operator")
	if !strings.Contains(ids(got), "operator.waiting") || !strings.Contains(ids(got), "operator.queue") || !strings.Contains(got[len(got)-1].Text, "1") {
		t.Fatalf("handoff: %s", ids(got))
	}
	if strings.Contains(ids(got), "operator.closed_hours") {
		t.Error("closed hours said during office hours")
	}
	if len(d.handoffs) != 1 {
		t.Fatalf("desk got %d handoffs", len(d.handoffs))
	}
	h := d.handoffs[0]
	if h.Conversation != "test:u1" || h.Lang != "en" || h.Reason != "school" || h.Context["child_age"] != "8" || h.Context["school_level"] != "primary" {
		t.Errorf("handoff = %+v", h)
	}
	if got := ids(f.say(t, "u1", "my son has no documents")); got != "operator.relayed" {
		t.Errorf("first message while waiting: %s", got)
	}
	if got := f.say(t, "u1", "is anyone there?"); len(got) != 0 {
		t.Errorf("second message while waiting got a reply: %s", ids(got))
	}
	if len(d.relayed) != 2 || d.relayed[0].Text != "my son has no documents" {
		t.Fatalf("relayed = %+v", d.relayed)
	}
	ctx := context.Background()
	if err := f.svc.OperatorJoined(ctx, "test:u1", "Giulia"); err != nil {
		t.Fatal(err)
	}
	if got := f.out.take("u1"); len(got) != 1 || !strings.Contains(got[0].Text, "Giulia") {
		t.Fatalf("joined: %+v", got)
	}
	if err := f.svc.OperatorSays(ctx, "test:u1", "Giulia", bot.OperatorText{Text: "Ciao! Puoi venire martedì."}, "slack:COPS:1.1"); err != nil {
		t.Fatal(err)
	}
	if got := f.out.take("u1"); len(got) != 1 || got[0].FromOperator != "Giulia" || got[0].Text != "Ciao! Puoi venire martedì." {
		t.Fatalf("operator text: %+v", got)
	}
	if err := f.svc.GiveBack(ctx, "test:u1"); err != nil {
		t.Fatal(err)
	}
	back := f.out.take("u1")
	f.last["u1"] = back
	if got := ids(back); !strings.Contains(got, "operator.gave_back") || !strings.Contains(got, "menu.ask") {
		t.Fatalf("give back: %s", got)
	}
	if err := f.svc.GiveBack(ctx, "test:u1"); !errors.Is(err, bot.ErrNotInHandoff) {
		t.Errorf("second give back: %v", err)
	}
	// The user can leave a handoff with "menu"; the desk is told.
	f.choose(t, "u1", "menu.school")
	f.say(t, "u1", "8") // the child's age
	f.choose(t, "u1", "common.operator")
	if got := ids(f.say(t, "u1", "menu")); !strings.Contains(got, "operator.left") {
		t.Errorf("menu during handoff: %s", got)
	}
	if len(d.ended) != 1 || d.ended[0] != "user_left" {
		t.Errorf("desk ended = %v", d.ended)
	}
}

func TestHandoffFailureIsNotADeadEnd(t *testing.T) {
	d := &desk{fail: errors.New("slack down")}
	f := newFixture(t, memory.New(), true, bot.WithDesk(d))
	f.toSchoolTopics(t, "u1")
	got := ids(f.say(t, "u1", "operator"))
	if !strings.Contains(got, "operator.unavailable") || !strings.Contains(got, "school.ask_topic") {
		t.Fatalf("failed handoff: %s", got)
	}
	if got := ids(f.choose(t, "u1", "school.topic_documents")); !strings.Contains(got, "school.documents") {
		t.Fatalf("after a failed handoff the flow goes on: %s", got)
	}
}

func TestOneConversationAtATime(t *testing.T) {
	f := newFixture(t, memory.New(), false)
	f.toSchoolTopics(t, "u1")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := bot.Inbound{Channel: "test", UserID: "u1", ID: fmt.Sprintf("c%d", i), Text: "1"}
			if err := f.svc.Handle(context.Background(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := f.out.take("u1")
	if len(got) != 20 {
		t.Fatalf("20 concurrent messages got %d replies", len(got))
	}
	for _, r := range got {
		if !strings.Contains(strings.Join(r.MessageIDs, " "), "school.documents") {
			t.Fatalf("a concurrent answer was handled out of place: %v", r.MessageIDs)
		}
	}
}

func TestUnreadableSessionStartsAfresh(t *testing.T) {
	st := memory.New()
	if err := st.Save(context.Background(), "test:u1", []byte("{not json"), time.Hour); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st, false)
	if got := ids(f.say(t, "u1", "hi")); !strings.Contains(got, "privacy.notice") {
		t.Fatalf("corrupt session: %s", got)
	}
}

func TestContentChangedUnderAConversation(t *testing.T) {
	st := memory.New()
	sess := bot.Session{State: bot.StateFlow, Lang: "en", Flow: "school", Step: "removed_step", Consent: 1}
	b, _ := sess.Marshal()
	_ = st.Save(context.Background(), "test:u1", b, time.Hour)
	f := newFixture(t, st, false)
	f.now = time.Unix(60, 0)
	got := ids(f.say(t, "u1", "2"))
	if got != "error.content_changed menu.ask" {
		t.Fatalf("removed step: %s", got)
	}
}

func TestBadInputGetsAPoliteReply(t *testing.T) {
	f := newFixture(t, memory.New(), false)
	f.toSchoolTopics(t, "u1")
	f.choose(t, "u1", "school.topic_where")
	for _, text := range []string{
		strings.Repeat("Sesto Fiorentino ", 600), // 10,000 characters
		"😀😀😀", "\x00\x07\x1b[2J", "مدينة فلورنسا", "佛罗伦萨", "\u202eotarP", "",
	} {
		got := f.say(t, "u1", text)
		if len(got) == 0 {
			t.Fatalf("no reply to %.20q", text)
		}
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, memory.New(), true, bot.WithLogger(log), bot.WithDesk(&desk{fail: errors.New("down")}))
	user := "+393331234567"
	f.say(t, user, "hi")
	f.choose(t, user, "privacy.accept")
	f.say(t, user, "Mi chiamo Amina Diallo")
	f.say(t, user, "operator")
	f.out.fail = errors.New("platform down")
	f.seq++
	_ = f.svc.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: user, ID: "x", Text: "Amina"})
	_ = f.svc.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: user, ID: "x", Text: "Amina"})
	logs := buf.String()
	if logs == "" {
		t.Fatal("nothing was logged: the test proves nothing")
	}
	for _, secret := range []string{"3331234567", "Amina", "Diallo"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, f.svc.Pseudonym("test:"+user)) {
		t.Errorf("logs do not name the conversation by its pseudonym:\n%s", logs)
	}
}

func TestHandoffOutsideOfficeHours(t *testing.T) {
	d := &desk{closed: true}
	f := newFixture(t, memory.New(), true, bot.WithDesk(d))
	// Friday 4 May 2026 is a Monday in the fixture's clock; the desk says
	// operators are back tomorrow at 09:00.
	d.opens = time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC)
	f.say(t, "u1", "hi")
	f.choose(t, "u1", "privacy.accept")
	got := f.say(t, "u1", "operator")
	text := got[len(got)-1].Text
	if !strings.Contains(ids(got), "operator.closed_hours") || !strings.Contains(text, "tomorrow 09:00") {
		t.Errorf("outside hours: %s %q", ids(got), text)
	}
}

func TestNotifySpeaksTheUsersLanguage(t *testing.T) {
	st := memory.New()
	f := newFixture(t, st, false)
	f.say(t, "u1", "hi")
	f.choose(t, "u1", "privacy.accept")
	n := bot.Notice{MessageID: "booking.reminder", Data: map[string]string{"date": "02/12", "time": "09:00", "place": "PUA Prato", "code": "K7M-Q4P"},
		Options: []bot.NoticeOption{{ID: "c:menu", Label: "booking.remind_ok"}, {ID: "c:flow:my_bookings", Label: "booking.remind_cancel"}}}
	if err := f.svc.Notify(context.Background(), "test:u1", n); err != nil {
		t.Fatal(err)
	}
	got := f.out.take("u1")
	if len(got) != 1 || !strings.Contains(got[0].Text, "tomorrow 02/12 at 09:00") || got[0].Options[1].Label != "Cancel it" {
		t.Fatalf("reminder: %+v", got)
	}
	// Pressing "cancel it" opens "my appointments".
	f.seq++
	if err := f.svc.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: "u1", ID: "r1", Option: "c:flow:my_bookings"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(f.out.take("u1")); !strings.Contains(got, "booking.none") {
		t.Errorf("cancel from a reminder: %s", got)
	}
	// Nothing goes to a user who deleted their data, or never wrote.
	if err := f.svc.Notify(context.Background(), "test:nobody", n); err == nil {
		t.Error("a reminder to an unknown conversation")
	}
}

// TestRedisTurnRoundTrips: on Redis a turn is lock-and-load, then
// save-and-unlock with the replies and the sender's mark (the webhook can
// be answered there: the conversation is free for the next message); after
// the send, lock-and-load and save-and-unlock take the replies off. A
// duplicate is lock-and-load, unlock.
func TestRedisTurnRoundTrips(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: this test needs a real Redis (.ci/run starts one)")
	}
	st, err := redisstore.Open(url, fmt.Sprintf("teamsbot-trips-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newFixture(t, st, false)
	f.toSchoolTopics(t, "u1") // loads the scripts
	dup := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.warm", Text: "1", LangHint: "en"}
	for range 2 { // and the unlock script
		if err := f.svc.Handle(context.Background(), dup); err != nil {
			t.Fatal(err)
		}
	}
	f.out.take("u1")
	in := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.trip", Text: "1", LangHint: "en"}
	for _, want := range []uint64{4, 2} {
		before := st.RoundTrips()
		if err := f.svc.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if got := st.RoundTrips() - before; got != want {
			t.Errorf("%d round trips, want %d", got, want)
		}
	}
	if got := f.out.take("u1"); len(got) != 1 {
		t.Errorf("%d replies", len(got))
	}
}

// TestRedeliveredConfirmBooksOnce: the store fails to save the turn that
// booked (after the booking was written), the platform delivers "confirm"
// again: the user holds one booking, with the code they are told, not two.
func TestRedeliveredConfirmBooksOnce(t *testing.T) {
	st := &failingSave{Store: memory.New()}
	f := newFixture(t, st, false)
	for _, text := range []string{"hi", "1", "3", "1", "Prato", "1", "1", "1", "2"} {
		f.say(t, "u1", text)
	}
	in := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.confirm", Text: "1", LangHint: "en"}
	st.fail = true
	if err := f.svc.Handle(context.Background(), in); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("the confirm whose save failed: %v", err)
	}
	f.out.take("u1")
	if err := f.svc.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	got := f.out.take("u1")
	bs, err := st.Store.(ledger.Store).Upcoming(context.Background(), "test:u1", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 {
		t.Fatalf("one confirm delivered twice made %d bookings: %+v", len(bs), bs)
	}
	if !strings.Contains(texts(got), bs[0].Code) {
		t.Errorf("the user is told a code that is not their booking's (%s): %q", bs[0].Code, texts(got))
	}
}

// texts joins the replies' texts.
func texts(replies []bot.Reply) string {
	var out []string
	for _, r := range replies {
		out = append(out, r.Text)
	}
	return strings.Join(out, "\n")
}

// TestRedeliveredJoinIsToldJoined: the turn that enrolled the user could not
// be saved; the redelivered "join" tells them they joined (the memo of the
// first run), not "you are already on the list", and "delete my data" then
// deletes the memo with the rest.
func TestRedeliveredJoinIsToldJoined(t *testing.T) {
	st := &failingSave{Store: memory.New()}
	f := newFixture(t, st, false)
	f.say(t, "u1", "hi")
	f.choose(t, "u1", "privacy.accept")
	f.choose(t, "u1", "menu.activities")
	f.choose(t, "u1", "activities.near")
	f.say(t, "u1", "Prato")
	if got := ids(f.say(t, "u1", "1")); !strings.Contains(got, "activities.ask_join") { // the first activity listed
		t.Fatalf("not at an activity's card: %s", got)
	}
	in := bot.Inbound{Channel: "test", UserID: "u1", ID: "wamid.join", Option: f.option(t, "u1", "activities.join"), LangHint: "en"}
	st.fail = true
	if err := f.svc.Handle(context.Background(), in); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("the join whose save failed: %v", err)
	}
	f.out.take("u1")
	if err := f.svc.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	got := ids(f.out.take("u1"))
	if !strings.Contains(got, "activities.joined") || strings.Contains(got, "activities.already") {
		t.Errorf("the redelivered join: %s", got)
	}
	es, err := st.Store.(roster.Store).Enrolled(context.Background(), "test:u1")
	if err != nil || len(es) != 1 {
		t.Fatalf("enrolments: %v %v", es, err)
	}
	if _, err := st.Load(context.Background(), bot.MemoKey("test:u1")); err != nil {
		t.Fatalf("no memo of the join: %v", err)
	}
	f.say(t, "u1", "delete")
	f.choose(t, "u1", "forget.yes")
	if _, err := st.Load(context.Background(), bot.MemoKey("test:u1")); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the memo outlives 'delete my data': %v", err)
	}
}

// TestDeleteMyDataCancelsAndTells: a user with an appointment, a place in an
// activity and a proposal deletes their data: they are told what was
// cancelled, the office is told of the appointment, and nothing of theirs
// is left in the store (the proposal included).
func TestDeleteMyDataCancelsAndTells(t *testing.T) {
	st := memory.New()
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	var office []ledger.Booking
	d := l.Domain(app.Deps{Store: st, OnCancel: func(_ context.Context, b ledger.Booking) { office = append(office, b) }})
	eng, err := d.Engine(bot.Config{Controller: "Regione Toscana, dpo@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{out: newRecorder(), store: st, now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), last: map[string][]bot.Reply{}}
	f.svc = bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender("test", f.out),
		bot.WithClock(func() time.Time { return f.now }), bot.WithKeepers(d.Keepers()...))
	if got := texts(f.say(t, "u1", "hi")); !strings.Contains(got, "Data controller: Regione Toscana, dpo@example.org.") {
		t.Errorf("the privacy notice names no controller:\n%s", got)
	}
	// An appointment: the first PUA, day and time offered, no mediator.
	f.choose(t, "u1", "privacy.accept")
	f.choose(t, "u1", "menu.booking")
	f.choose(t, "u1", "booking.service.first_reception")
	for _, text := range []string{"Prato", "1", "1", "1", "no"} {
		f.say(t, "u1", text)
	}
	f.choose(t, "u1", "booking.confirm")
	// An activity: the first near the place, known by now.
	f.say(t, "u1", "menu")
	f.choose(t, "u1", "menu.activities")
	f.choose(t, "u1", "activities.near")
	f.say(t, "u1", "1")
	f.choose(t, "u1", "activities.join")
	// A proposal.
	f.say(t, "u1", "menu")
	f.choose(t, "u1", "menu.activities")
	f.choose(t, "u1", "activities.propose")
	for _, text := range []string{"a cooking workshop", "Prato", "saturday morning", "arabic, italian"} {
		f.say(t, "u1", text)
	}
	f.choose(t, "u1", "propose.contact_no")
	ctx := context.Background()
	bs, _ := st.Upcoming(ctx, "test:u1", f.now)
	es, _ := st.Enrolled(ctx, "test:u1")
	ps, _ := activities.Proposals(ctx, st)
	if len(bs) != 1 || len(es) != 1 || len(ps) != 1 {
		t.Fatalf("before: %d bookings, %d enrolments, %d proposals", len(bs), len(es), len(ps))
	}
	f.say(t, "u1", "delete my data")
	got := f.choose(t, "u1", "forget.yes")
	if ids(got) != "forget.cancelled forget.done" {
		t.Fatalf("after deleting: %s", ids(got))
	}
	if got[0].Lang != "en" || got[1].Lang != "en" {
		t.Errorf("replies marked %q and %q, written in English", got[0].Lang, got[1].Lang)
	}
	told := texts(got)
	a, _ := l.Directory.Activity(es[0].Activity)
	title := a.TitleIn("en")
	for _, want := range []string{"I cancelled:", bs[0].Code, bs[0].Start.In(knowledge.Rome).Format("02/01 15:04"), title} {
		if !strings.Contains(told, want) {
			t.Errorf("the user is not told %q:\n%s", want, told)
		}
	}
	if len(office) != 1 || office[0].Code != bs[0].Code {
		t.Errorf("the office was told of %+v", office)
	}
	bs, _ = st.Upcoming(ctx, "test:u1", f.now)
	es, _ = st.Enrolled(ctx, "test:u1")
	ps, _ = activities.Proposals(ctx, st)
	if len(bs) != 0 || len(es) != 0 || len(ps) != 0 {
		t.Errorf("after: %d bookings, %d enrolments, %d proposals", len(bs), len(es), len(ps))
	}
}

// lateSender accepts every send at the very end of its deadline, as a
// platform's pacing does under load.
type lateSender struct {
	mu    sync.Mutex
	sends int
}

func (l *lateSender) Send(ctx context.Context, _ string, _ []bot.Reply) error {
	<-ctx.Done()
	l.mu.Lock()
	l.sends++
	l.mu.Unlock()
	return nil
}

// TestReplySentAtTheDeadlineIsNotSentAgain: a send the platform accepts as
// the delivery's deadline runs out still clears the outbox (the save after
// it has its own short deadline), so the sweeper does not send it twice.
func TestReplySentAtTheDeadlineIsNotSentAgain(t *testing.T) {
	st := memory.New()
	late := &lateSender{}
	f := newFixtureConfig(t, st, false, bot.ServiceConfig{PseudonymKey: []byte("k"), LockTTL: 300 * time.Millisecond, AnswerWithin: 10 * time.Millisecond},
		bot.WithSender("late", late))
	in := bot.Inbound{Channel: "late", UserID: "u1", ID: "m1", Text: "hello", LangHint: "en"}
	if err := f.svc.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.svc.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour) // any outbox left is due
	if _, err := f.svc.FlushOutboxes(ctx); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait(ctx)
	late.mu.Lock()
	defer late.mu.Unlock()
	if late.sends != 1 {
		t.Errorf("the reply was sent %d times", late.sends)
	}
}

// delays is a Metrics that records reply delays.
type delays struct {
	mu  sync.Mutex
	got []string
}

func (d *delays) Inbound(string, bool)             {}
func (d *delays) Turn(string, time.Duration, bool) {}
func (d *delays) Event(string, bot.Event)          {}
func (d *delays) SendFailed(string)                {}
func (d *delays) Outbox(string, string)            {}
func (d *delays) ReplyDelay(channel string, _ time.Duration) {
	d.mu.Lock()
	d.got = append(d.got, channel)
	d.mu.Unlock()
}

// TestReplyDelayIsMeasured: each delivered turn reports how long its
// replies took, by channel, for the reply-delay histogram.
func TestReplyDelayIsMeasured(t *testing.T) {
	m := &delays{}
	f := newFixture(t, memory.New(), false, bot.WithMetrics(m))
	f.say(t, "u1", "hello")
	f.choose(t, "u1", "privacy.accept")
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.got) != 2 || m.got[0] != "test" {
		t.Errorf("reply delays: %v", m.got)
	}
}
