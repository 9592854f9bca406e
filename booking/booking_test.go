package booking

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"

	"teamsbot/bot"
	"teamsbot/knowledge"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
)

func dir(t testing.TB) *knowledge.Directory {
	t.Helper()
	d, issues := knowledge.Load(knowledge.FS)
	if d == nil {
		t.Fatal(issues)
	}
	return d
}

func rome(s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02 15:04", s, knowledge.Rome)
	if err != nil {
		panic(err)
	}
	return v
}

func TestSlotsAcrossDSTHolidaysClosuresAndNotice(t *testing.T) {
	d := dir(t)
	po, ok := d.Schedule("po-pua")
	if !ok {
		t.Fatal("no schedule for po-pua")
	}
	// Friday 27 March 2026, 10:00; clocks go forward on Sunday 29.
	slots := Slots(d, po, "first_reception", rome("2026-03-27 10:00"), nil, nil)
	if len(slots) == 0 {
		t.Fatal("no slots")
	}
	first := slots[0].Start
	// 24 h notice: nothing on Friday after 10:00, nothing at the weekend.
	if got := first.Format("2006-01-02 15:04 MST"); got != "2026-03-30 09:00 CEST" {
		t.Errorf("first slot %s, want Monday 30 March 09:00 CEST", got)
	}
	if first.UTC().Hour() != 7 {
		t.Errorf("09:00 in Rome after the change is %s UTC", first.UTC().Format("15:04"))
	}
	for _, s := range slots {
		day := s.Start.Format("2006-01-02")
		if day == "2026-04-06" { // Easter Monday
			t.Errorf("a slot on Easter Monday: %v", s.Start)
		}
		if wd := s.Start.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("a slot at the weekend: %v", s.Start)
		}
		if s.Start.Format("15:04") > "16:00" {
			t.Errorf("a slot too late: %v", s.Start)
		}
	}
	// Wednesday afternoons too, 30-minute steps, last one ends by 16:30.
	var wed []string
	for _, s := range slots {
		if s.Start.Format("2006-01-02") == "2026-04-01" {
			wed = append(wed, s.Start.Format("15:04"))
		}
	}
	want := "09:00 09:30 10:00 10:30 11:00 11:30 12:00 12:30 14:30 15:00 15:30 16:00"
	if strings.Join(wed, " ") != want {
		t.Errorf("Wednesday slots %v, want %s", wed, want)
	}
	// Taken desks reduce what is free, a full slot disappears.
	at := rome("2026-03-30 09:00").Unix()
	slots = Slots(d, po, "first_reception", rome("2026-03-27 10:00"), map[int64]int{at: 2, at + 1800: 1}, nil)
	if slots[0].Start.Unix() != at+1800 || slots[0].Free != 1 {
		t.Errorf("with taken desks: %v free %d", slots[0].Start, slots[0].Free)
	}
	// Firenze's closures and its patron day (24 June).
	fi, _ := d.Schedule("fi-sds-firenze")
	for _, s := range Slots(d, fi, "assessment", rome("2026-12-20 08:00"), nil, nil) {
		if day := s.Start.Format("2006-01-02"); day == "2026-12-24" || day == "2026-12-25" || day == "2026-12-31" || day == "2027-01-01" {
			t.Errorf("a slot on a closed day: %v", s.Start)
		}
	}
	for _, s := range Slots(d, fi, "assessment", rome("2026-06-20 08:00"), nil, nil) {
		if s.Start.Format("2006-01-02") == "2026-06-24" {
			t.Errorf("a slot on San Giovanni in Firenze: %v", s.Start)
		}
	}
	if got := Slots(d, po, "no_such_service", rome("2026-03-27 10:00"), nil, nil); got != nil {
		t.Errorf("an unknown service has slots: %d", len(got))
	}
}

func TestCodes(t *testing.T) {
	re := regexp.MustCompile(`^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$`)
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if !re.MatchString(c) || strings.ContainsAny(c, "01OIL") {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 1990 {
		t.Errorf("only %d distinct codes in 2000", len(seen))
	}
	for in, want := range map[string]string{"k7m-q4p": "K7M-Q4P", " K7M Q4P ": "K7M-Q4P", "K7MQ4P": "K7M-Q4P", "K7M-Q4": "", "hello world": "", "": ""} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func echo(id string, data map[string]string) string { return id }

// TestConcurrentBookingThroughTheActions: 200 users press "book" on the same
// time at a PUA with 2 desks: exactly 2 get a code, the others are told it
// was taken (the flow then offers the next free times).
func TestConcurrentBookingThroughTheActions(t *testing.T) {
	d := dir(t)
	s := New(d, Config{Demo: true, Store: memory.New()})
	now := rome("2026-11-26 10:00")
	at := rome("2026-12-02 09:00") // a Wednesday at Prato
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.book(context.Background(), bot.ActionRequest{Lang: "ar", Now: now, T: echo, Conversation: fmt.Sprintf("whatsapp:%d", i),
				Args: map[string]string{"place": "po-pua", "service": "first_reception", "time": strconv.FormatInt(at.Unix(), 10), "mediator": "yes"}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			outcomes[res.Outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes["booked"] != 2 || outcomes["full"] != 198 {
		t.Fatalf("outcomes: %v", outcomes)
	}
	// The next question offers only free times.
	res, _ := s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Args: map[string]string{"place": "po-pua", "service": "first_reception", "day": "2026-12-02"}})
	if strings.Contains(res.Set["booking_time_choices"], "09:00") {
		t.Errorf("a full slot is offered: %q", res.Set["booking_time_choices"])
	}
	// A time in the past, or a place without a calendar: a polite "gone".
	for _, args := range []map[string]string{
		{"place": "po-pua", "service": "first_reception", "time": strconv.FormatInt(rome("2026-11-25 09:00").Unix(), 10)},
		{"place": "fi-questura-immigrazione", "service": "first_reception", "time": strconv.FormatInt(at.Unix(), 10)},
		{"place": "po-pua", "service": "first_reception", "time": "soon"},
	} {
		res, err := s.book(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: "whatsapp:x", Args: args})
		if err != nil || res.Outcome != "gone" {
			t.Errorf("%v: %s %v", args, res.Outcome, err)
		}
	}
	// Someone else's code cannot be cancelled; one's own can, once, and the
	// time is free again at once.
	owner, code := "", ""
	for i := range 200 {
		conv := fmt.Sprintf("whatsapp:%d", i)
		mine, _ := s.mine(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: conv})
		if mine.Outcome == "one" {
			// One appointment is named at once, for the flow to show it.
			if mine.Set["cancel_code"] != bot.DecodeChoices(mine.Set["booking_mine_choices"])[0].Value {
				t.Errorf("one appointment: cancel_code %q is not its code", mine.Set["cancel_code"])
			}
		}
		if mine.Outcome == "one" || mine.Outcome == "some" {
			owner, code = conv, bot.DecodeChoices(mine.Set["booking_mine_choices"])[0].Value
			break
		}
	}
	if code == "" {
		t.Fatal("no booking found for any user")
	}
	cancel := func(conv, c string) string {
		res, err := s.cancel(context.Background(), bot.ActionRequest{Conversation: conv, Args: map[string]string{"code": c}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Outcome
	}
	if got := cancel("whatsapp:intruder", code); got != "unknown" {
		t.Errorf("someone else's code: %s", got)
	}
	if got := cancel(owner, strings.ToLower(code)); got != "cancelled" {
		t.Errorf("own code typed in lower case: %s", got)
	}
	if got := cancel(owner, code); got != "unknown" {
		t.Errorf("a cancelled code again: %s", got)
	}
	res, _ = s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Args: map[string]string{"place": "po-pua", "service": "first_reception", "day": "2026-12-02"}})
	if !strings.Contains(res.Set["booking_time_choices"], "09:00") {
		t.Errorf("the cancelled time is not free again: %q", res.Set["booking_time_choices"])
	}
}

// TestPurgeDeletesPastAppointments: appointments are kept for keep after
// their date, as the privacy notice says, then deleted; later ones stay.
func TestPurgeDeletesPastAppointments(t *testing.T) {
	st := memory.New()
	s := New(dir(t), Config{Demo: true, Store: st})
	now := rome("2026-11-26 10:00")
	for i, at := range []string{"2026-11-30 09:00", "2026-12-02 09:00"} {
		res, err := s.book(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: fmt.Sprintf("whatsapp:%d", i),
			Args: map[string]string{"place": "po-pua", "service": "first_reception", "time": strconv.FormatInt(rome(at).Unix(), 10)}})
		if err != nil || res.Outcome != "booked" {
			t.Fatalf("%s: %s %v", at, res.Outcome, err)
		}
	}
	keep := 30 * 24 * time.Hour
	if n, err := s.Purge(context.Background(), rome("2026-12-30 08:59"), keep); err != nil || n != 0 {
		t.Errorf("before 30 days: %d purged, %v", n, err)
	}
	if n, err := s.Purge(context.Background(), rome("2026-12-31 10:00"), keep); err != nil || n != 1 {
		t.Errorf("30 days after the first: %d purged, %v", n, err)
	}
	bs, _ := st.Between(context.Background(), "po-pua", rome("2026-01-01 00:00"), rome("2027-01-01 00:00"))
	if len(bs) != 1 || !bs[0].Start.Equal(rome("2026-12-02 09:00")) {
		t.Errorf("left: %+v", bs)
	}
}

// BenchmarkSlots is the slot computation of a PUA over 60 days.
func BenchmarkSlots(b *testing.B) {
	d := dir(b)
	fi, _ := d.Schedule("fi-sds-firenze")
	sc := *fi
	sc.AheadDays = 60
	now := rome("2026-11-26 10:00")
	taken := map[int64]int{rome("2026-12-01 09:00").Unix(): 2}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Slots(d, &sc, "first_reception", now, taken, nil))
	}
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkBook is booking throughput on the embedded store, with every
// attempt on one slot (contention: most are refused) and on many slots.
func BenchmarkBook(b *testing.B) {
	for _, many := range []bool{false, true} {
		name := "one-slot"
		if many {
			name = "many-slots"
		}
		b.Run(name, func(b *testing.B) {
			st, err := embedded.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			base := rome("2026-12-01 09:00")
			now := rome("2026-11-26 10:00")
			var i int64
			var mu sync.Mutex
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					i++
					k := i
					mu.Unlock()
					at := base
					if many {
						at = base.Add(time.Duration(k) * 30 * time.Minute)
					}
					_ = st.Book(context.Background(), ledger.Booking{Code: fmt.Sprintf("B%d", k), Conv: fmt.Sprintf("t:%d", k), Place: "po-pua", Start: at}, 2, 2, now)
				}
			})
		})
	}
}

// notices keeps the notices and, as bot.Service does, refuses a repeat of a
// notice id in a conversation (the real thing across replicas is
// TestRemindersOnceAcrossThreeReplicas, in app).
type notices struct {
	mu   sync.Mutex
	got  map[string][]bot.Notice
	seen map[string]bool
}

func (n *notices) Notify(_ context.Context, conv string, x bot.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.got == nil {
		n.got, n.seen = map[string][]bot.Notice{}, map[string]bool{}
	}
	if x.ID == "" {
		return errors.New("a reminder without a once-only id")
	}
	if n.seen[conv+"|"+x.ID] {
		return bot.ErrNoticeSent
	}
	n.seen[conv+"|"+x.ID] = true
	n.got[conv] = append(n.got[conv], x)
	return nil
}

// TestRemindersGoOutOnce: the day before, and again two hours before, each
// booking gets one reminder, also when the scheduler runs again, restarts,
// or runs on two replicas.
func TestRemindersGoOutOnce(t *testing.T) {
	d := dir(t)
	st := memory.New()
	now := rome("2026-12-01 09:05")
	tomorrow := rome("2026-12-02 09:00")
	for i, at := range []time.Time{tomorrow, rome("2026-12-05 09:00")} {
		b := ledger.Booking{Code: fmt.Sprintf("AB%d-XYZ", i), Conv: fmt.Sprintf("whatsapp:%d", i), Place: "po-pua", Service: "first_reception", Start: at, Minutes: 30}
		if err := st.Book(context.Background(), b, 2, 2, now); err != nil {
			t.Fatal(err)
		}
	}
	n := &notices{}
	replicas := []*Service{New(d, Config{Demo: true, Store: st}), New(d, Config{Demo: true, Store: st})}
	var wg sync.WaitGroup
	total := 0
	var mu sync.Mutex
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				k, err := r.SendReminders(context.Background(), n, now)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += k
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if total != 1 || len(n.got["whatsapp:0"]) != 1 || len(n.got["whatsapp:1"]) != 0 {
		t.Fatalf("reminders: total %d, %v", total, n.got)
	}
	x := n.got["whatsapp:0"][0]
	if x.MessageID != "booking.reminder" || x.Data["time"] != "09:00" || x.Data["code"] != "AB0-XYZ" || len(x.Options) != 2 || x.Options[1].ID != "c:flow:my_bookings" {
		t.Errorf("reminder: %+v", x)
	}
	// The same day, two hours before: the second reminder, once.
	for range 3 {
		if _, err := replicas[0].SendReminders(context.Background(), n, rome("2026-12-02 07:05")); err != nil {
			t.Fatal(err)
		}
		if _, err := replicas[1].SendReminders(context.Background(), n, rome("2026-12-02 06:50")); err != nil {
			t.Fatal(err)
		}
	}
	if got := n.got["whatsapp:0"]; len(got) != 2 || got[1].MessageID != "booking.reminder_soon" || got[1].Data["time"] != "09:00" || got[1].Options[1].ID != "c:flow:my_bookings" {
		t.Fatalf("same-day reminder: %+v", got)
	}
	// A cancelled booking gets none.
	if _, err := st.Cancel(context.Background(), "whatsapp:1", "AB1-XYZ"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2026-12-04 09:00", "2026-12-05 07:00"} {
		if k, _ := replicas[0].SendReminders(context.Background(), n, rome(at)); k != 0 {
			t.Errorf("a cancelled booking was reminded at %s", at)
		}
	}
}

// TestNoTwoAppointmentsAtOnce: one person cannot hold two appointments
// that overlap, whatever the service: the second is refused with the first
// one's code and time, the times question no longer offers it, and moving
// an appointment to an overlapping time of its own is fine.
func TestNoTwoAppointmentsAtOnce(t *testing.T) {
	s := New(dir(t), Config{Demo: true, Store: memory.New()})
	now := rome("2026-11-26 10:00")
	at := rome("2026-12-02 09:00")
	book := func(service string, when time.Time, moving string) bot.ActionResult {
		t.Helper()
		res, err := s.book(context.Background(), bot.ActionRequest{Lang: "it", Now: now, T: echo, Conversation: "whatsapp:amina",
			Args: map[string]string{"place": "po-pua", "service": service, "time": strconv.FormatInt(when.Unix(), 10), "mediator": "no", "moving": moving}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := book("first_reception", at, "")
	if first.Outcome != "booked" {
		t.Fatalf("first: %+v", first)
	}
	second := book("social_worker", at, "")
	if second.Outcome != "overlap" || len(second.Say) == 0 || second.Say[0].Data["code"] != first.Set["booking_code"] {
		t.Errorf("an overlapping appointment: %+v", second)
	}
	res, _ := s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: "whatsapp:amina", Args: map[string]string{"place": "po-pua", "service": "social_worker", "day": "2026-12-02"}})
	if strings.Contains(res.Set["booking_time_choices"], "09:00") {
		t.Errorf("a time the person is booked at is offered: %q", res.Set["booking_time_choices"])
	}
	// Others still see it (the PUA has two desks).
	res, _ = s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: "whatsapp:other", Args: map[string]string{"place": "po-pua", "service": "social_worker", "day": "2026-12-02"}})
	if !strings.Contains(res.Set["booking_time_choices"], "09:00") {
		t.Errorf("someone else is not offered a free time: %q", res.Set["booking_time_choices"])
	}
	if moved := book("first_reception", at.Add(30*time.Minute), first.Set["booking_code"]); moved.Outcome != "booked" {
		t.Errorf("moving an appointment next to itself: %+v", moved)
	}
}

// busyMorning is an office calendar with one busy morning at po-pua.
type busyMorning struct{ from, to time.Time }

func (b busyMorning) Busy(place string, from, to time.Time) bool {
	return place == "po-pua" && from.Before(b.to) && to.After(b.from)
}

// TestTheOfficesOwnCalendarClosesSlots: a morning the office marked busy
// in its own calendar offers no time, the afternoon still does, and a
// time offered before the office closed it cannot be booked.
func TestTheOfficesOwnCalendarClosesSlots(t *testing.T) {
	st := memory.New()
	s := New(dir(t), Config{Demo: true, Store: st})
	now := rome("2026-11-26 10:00")
	day := map[string]string{"place": "po-pua", "service": "first_reception", "day": "2026-12-02"}
	before, _ := s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: "whatsapp:1", Args: day})
	if !strings.Contains(before.Set["booking_time_choices"], "09:30") {
		t.Fatalf("no 09:30 before the closure: %q", before.Set["booking_time_choices"])
	}
	// The same store, now with the office's own calendar.
	s = New(dir(t), Config{Demo: true, Store: st, Busy: busyMorning{rome("2026-12-02 09:00"), rome("2026-12-02 12:00")}})
	after, _ := s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: "whatsapp:1", Args: day})
	if got := after.Set["booking_time_choices"]; strings.Contains(got, "09:30") || strings.Contains(got, "11:30") || !strings.Contains(got, "12:00") {
		t.Errorf("times with the morning busy: %q", got)
	}
	res, err := s.book(context.Background(), bot.ActionRequest{Lang: "it", Now: now, T: echo, Conversation: "whatsapp:1",
		Args: map[string]string{"place": "po-pua", "service": "first_reception", "time": strconv.FormatInt(rome("2026-12-02 09:30").Unix(), 10), "mediator": "no"}})
	if err != nil || res.Outcome != "gone" {
		t.Errorf("booking a time the office closed: %+v, %v", res, err)
	}
}

// TestTheOfficeCancelsAndThePersonIsTold: an appointment under a closure
// the office cannot keep is cancelled by the office; the person is told,
// with the time, the place and a button to book again; the office's
// agenda hears of the cancellation; a second press changes nothing.
func TestTheOfficeCancelsAndThePersonIsTold(t *testing.T) {
	st := memory.New()
	var agenda []string
	s := New(dir(t), Config{Demo: true, Store: st, OnCancel: func(_ context.Context, b ledger.Booking) { agenda = append(agenda, b.Code) }})
	now := rome("2026-12-01 09:05")
	b := ledger.Booking{Code: "K7M-Q4P", Conv: "whatsapp:amina", Place: "po-pua", Service: "first_reception", Lang: "ar", Start: rome("2026-12-10 09:00"), Minutes: 30}
	if err := st.Book(context.Background(), b, 2, 2, now); err != nil {
		t.Fatal(err)
	}
	n := &notices{}
	got, err := s.CancelByOffice(context.Background(), n, "po-pua", "k7m q4p", now)
	if err != nil || got.Conv != "whatsapp:amina" {
		t.Fatalf("cancel by office: %+v, %v", got, err)
	}
	if left, _ := st.Upcoming(context.Background(), "whatsapp:amina", now); len(left) != 0 {
		t.Errorf("still booked: %+v", left)
	}
	told := n.got["whatsapp:amina"]
	if len(told) != 1 || told[0].MessageID != "booking.cancelled_by_office" || told[0].Data["time"] != "09:00" || told[0].Data["date"] != "10/12" ||
		!strings.Contains(told[0].Data["place"], "Prat") || told[0].Options[0].ID != "c:flow:booking" {
		t.Fatalf("the person was told: %+v", told)
	}
	if len(agenda) != 1 || agenda[0] != "K7M-Q4P" {
		t.Errorf("the office's agenda heard: %v", agenda)
	}
	if _, err := s.CancelByOffice(context.Background(), n, "po-pua", "K7M-Q4P", now); !errors.Is(err, ledger.ErrNoBooking) || len(n.got["whatsapp:amina"]) != 1 {
		t.Errorf("a second press: %v, %d notices", err, len(n.got["whatsapp:amina"]))
	}
}

// TestTheOfficeAsksToMove: the office cannot keep an appointment and asks
// the person to choose another time: they are told when and where, with a
// button to their appointments; the appointment stays until they move it.
func TestTheOfficeAsksToMove(t *testing.T) {
	st := memory.New()
	s := New(dir(t), Config{Demo: true, Store: st})
	now := rome("2026-12-01 09:05")
	b := ledger.Booking{Code: "K7M-Q4P", Conv: "telegram:7", Place: "po-pua", Service: "first_reception", Lang: "zh", Start: rome("2026-12-10 11:30"), Minutes: 30}
	if err := st.Book(context.Background(), b, 2, 2, now); err != nil {
		t.Fatal(err)
	}
	n := &notices{}
	if _, err := s.AskToMove(context.Background(), n, "po-pua", "K7M-Q4P", now); err != nil {
		t.Fatal(err)
	}
	told := n.got["telegram:7"]
	if len(told) != 1 || told[0].MessageID != "booking.office_asks_move" || told[0].Data["time"] != "11:30" || told[0].Options[0].ID != "c:flow:my_bookings" {
		t.Fatalf("the person was told: %+v", told)
	}
	if left, _ := st.Upcoming(context.Background(), "telegram:7", now); len(left) != 1 {
		t.Errorf("the appointment did not stay until moved: %+v", left)
	}
	if _, err := s.AskToMove(context.Background(), n, "po-pua", "AAA-BBB", now); !errors.Is(err, ledger.ErrNoBooking) {
		t.Errorf("an unknown code: %v", err)
	}
}

// TestCalendarLink: a confirmation carries an "add to calendar" link; the
// file it serves places the appointment right in UTC on both sides of a
// daylight-saving change, escapes and folds its text as RFC 5545 says, and
// a link changed by anyone is refused.
func TestCalendarLink(t *testing.T) {
	cal := &Calendar{Base: "https://bot.example.org/", Key: []byte("k")}
	s := New(dir(t), Config{Demo: true, Store: memory.New(), Calendar: cal})
	now := rome("2026-11-26 10:00")
	at := rome("2026-12-02 09:00")
	res, err := s.book(context.Background(), bot.ActionRequest{Lang: "it", Now: now, T: echo, Conversation: "whatsapp:1",
		Args: map[string]string{"place": "po-pua", "service": "first_reception", "time": strconv.FormatInt(at.Unix(), 10), "mediator": "no"}})
	if err != nil || res.Outcome != "booked" {
		t.Fatalf("%+v %v", res, err)
	}
	// "call before you go" has the office's number beside it
	var said []string
	for _, x := range res.Say {
		said = append(said, x.ID+x.Raw)
	}
	if !slices.Contains(said, "📞 +39 800 922 912 (numero verde del PUA dei Servizi Sociali)") {
		t.Errorf("the booking does not give the office's phone: %q", said)
	}
	link := res.Say[len(res.Say)-1].Raw
	if !strings.HasPrefix(link, "📅 https://bot.example.org/calendar.ics?d=") {
		t.Fatalf("no calendar link: %q", link)
	}
	u, _ := url.Parse(strings.TrimPrefix(link, "📅 "))
	e, err := cal.Read(u.Query().Get("d"), u.Query().Get("s"))
	if err != nil || e.Code != res.Set["booking_code"] || !e.Start.Equal(at) {
		t.Fatalf("read back: %+v %v", e, err)
	}
	if _, err := cal.Read(u.Query().Get("d")+"x", u.Query().Get("s")); err == nil {
		t.Error("a changed link is read")
	}
	// 09:00 in Rome is 08:00Z in winter and 07:00Z in summer.
	for when, want := range map[string]string{"2026-12-02 09:00": "DTSTART:20261202T080000Z", "2026-10-24 09:00": "DTSTART:20261024T070000Z", "2026-10-26 09:00": "DTSTART:20261026T080000Z"} {
		ics := ICS(Event{Code: "K7M-Q4P", Start: rome(when), Minutes: 30, Title: "Prima accoglienza, con mediatore; " + strings.Repeat("lungo ", 20), Location: "Via Roma 1, Prato"}, now)
		if !strings.Contains(ics, want+"\r\n") || !strings.Contains(ics, `LOCATION:Via Roma 1\, Prato`) || !strings.Contains(ics, `con mediatore\;`) {
			t.Errorf("%s:\n%s", when, ics)
		}
		for _, l := range strings.Split(ics, "\r\n") {
			if len(l) > 75 {
				t.Errorf("a line of %d octets: %q", len(l), l)
			}
		}
	}
}

// TestTimesPaged: a day with more times than a page offers "later times",
// whose page starts where the first ended; every page offers "another day".
func TestTimesPaged(t *testing.T) {
	s := New(dir(t), Config{Demo: true, Store: memory.New()})
	now := rome("2026-11-26 10:00")
	args := map[string]string{"place": "po-pua", "service": "first_reception", "day": "2026-12-02"}
	res, err := s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	first := bot.DecodeChoices(res.Set["booking_time_choices"])
	if len(first) != TimesPerDay+2 || first[TimesPerDay].Value != "later" || first[TimesPerDay+1].Value != "other_day" || res.Set["booking_times_next"] != strconv.Itoa(TimesPerDay) {
		t.Fatalf("first page: %+v, next %q", first, res.Set["booking_times_next"])
	}
	args["offset"] = res.Set["booking_times_next"]
	res, _ = s.times(context.Background(), bot.ActionRequest{Now: now, T: echo, Args: args})
	second := bot.DecodeChoices(res.Set["booking_time_choices"])
	if len(second) < 2 || second[0].Label <= first[TimesPerDay-1].Label || second[len(second)-1].Value != "other_day" {
		t.Errorf("second page: %+v", second)
	}
}
