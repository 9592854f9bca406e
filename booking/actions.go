package booking

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"teamsbot/booking/ledger"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// DaysPerPage is how many days one "which day?" question offers.
const DaysPerPage = 4

// TimesPerDay bounds the times offered at once for one day: with "later
// times" and "another day" a list shows 10.
const TimesPerDay = 8

// Service runs the booking actions over the directory and the store.
type Service struct {
	dir *knowledge.Directory
	cfg Config
}

// Config is what the booking service works with, all given when it is
// built: content first, then the store, then the services over it.
type Config struct {
	// Demo lets a calendar no office has confirmed (sample: true) be
	// booked (TEAMSBOT_DEMO=1). Outside a demo it is as if that PUA took
	// no appointments through the bot.
	Demo bool
	// Store keeps the bookings; nil: the actions only declare themselves
	// (content checks) and fail when run.
	Store ledger.Store
	// OnCancel is told of each appointment a user cancels: the office's
	// channel at the operators' desk (nil: no one).
	OnCancel func(ctx context.Context, b ledger.Booking)
	// Calendar gives confirmations an "add to calendar" link (a calendar
	// file phones open), served at Calendar.Base (nil: none).
	Calendar *Calendar
	// Busy is the offices' own calendars (package booking/feed): the slots
	// they mark busy are hidden, and refused (nil: none).
	Busy Busy
}

// New returns the booking service over dir.
func New(dir *knowledge.Directory, cfg Config) *Service { return &Service{dir: dir, cfg: cfg} }

func (s *Service) busyTimes() Busy { return s.cfg.Busy }

// Forget implements bot.Keeper: the user's upcoming appointments are
// cancelled (their offices told, Config.OnCancel) and listed for them;
// the past ones go with the store's Forget.
func (s *Service) Forget(ctx context.Context, conv string, now time.Time) ([]bot.Said, []bot.Told, error) {
	st, err := s.bookings()
	if err != nil {
		return nil, nil, err
	}
	bs, err := st.Upcoming(ctx, conv, now)
	if err != nil {
		return nil, nil, fmt.Errorf("booking: forget: %w", err)
	}
	var said []bot.Said
	for _, b := range bs {
		if _, err := st.Cancel(ctx, conv, b.Code); err != nil && !errors.Is(err, ledger.ErrNoBooking) {
			return said, nil, fmt.Errorf("booking: forget: %w", err)
		}
		s.cancelled(ctx, b)
		place := b.Place
		if p, ok := s.dir.Place(b.Place); ok {
			place = p.Name
		}
		said = append(said, bot.Said{ID: "forget.booking", Data: map[string]string{
			"when": b.Start.In(knowledge.Rome).Format("02/01 15:04"), "place": place, "code": b.Code}})
	}
	return said, nil, nil
}

// cancelled tells the office of a cancelled appointment (Config.OnCancel).
func (s *Service) cancelled(ctx context.Context, b ledger.Booking) {
	if s.cfg.OnCancel != nil {
		s.cfg.OnCancel(ctx, b)
	}
}

func (s *Service) bookings() (ledger.Store, error) {
	if s.cfg.Store == nil {
		return nil, errors.New("booking: no store")
	}
	return s.cfg.Store, nil
}

// Actions returns the booking actions.
func (s *Service) Actions() []bot.Action {
	return []bot.Action{
		{Name: "booking.places", Outcomes: []string{"found", "none"}, Sets: []string{"booking_place_choices", "booking_other_zone"}, Run: s.places},
		{Name: "booking.days", Outcomes: []string{"found", "none"}, Sets: []string{"booking_day_choices", "booking_days_next"}, Run: s.days},
		{Name: "booking.times", Outcomes: []string{"found", "none"}, Sets: []string{"booking_time_choices", "booking_times_next"}, Run: s.times},
		{Name: "booking.summary", Outcomes: []string{"ok", "gone"}, Run: s.summary},
		{Name: "booking.book", Writes: true, Outcomes: []string{"booked", "full", "too_many", "gone", "overlap"}, Sets: []string{"booking_code"}, Run: s.book},
		{Name: "booking.mine", Outcomes: []string{"one", "some", "none"}, Sets: []string{"booking_mine_choices", "cancel_code"}, Run: s.mine},
		{Name: "booking.detail", Outcomes: []string{"shown", "unknown"}, Run: s.detail},
		{Name: "booking.limit", Outcomes: []string{"ok", "too_many"}, Run: s.limit},
		{Name: "booking.cancel", Writes: true, Outcomes: []string{"cancelled", "unknown"}, Run: s.cancel},
		{Name: "booking.prepare_move", Outcomes: []string{"ready", "unknown"}, Sets: []string{"moving_code", "service", "booking_place"}, Run: s.prepareMove},
	}
}

func (s *Service) schedule(place, service string) (*knowledge.Schedule, *knowledge.Place, bool) {
	sc, ok := s.dir.Schedule(place)
	if !ok || sc.Sample && !s.cfg.Demo {
		return nil, nil, false
	}
	if _, ok := sc.ServiceMinutes(service); !ok {
		return nil, nil, false
	}
	p, ok := s.dir.Place(place)
	return sc, p, ok
}

// places offers the PUAs with a calendar for the service, nearest first.
func (s *Service) places(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	lat, err1 := strconv.ParseFloat(req.Args["lat"], 64)
	lon, err2 := strconv.ParseFloat(req.Args["lon"], 64)
	if err1 != nil || err2 != nil {
		return bot.ActionResult{}, fmt.Errorf("booking.places: no position")
	}
	code := req.Vars["place_municipality_code"]
	hits, _ := s.dir.Nearest("pua", lat, lon, code, 0, 50)
	var cs []bot.Choice
	ours := false // a PUA offered serves the user's comune
	for _, h := range hits {
		if _, _, ok := s.schedule(h.Place.ID, req.Args["service"]); ok && len(cs) < 3 {
			ours = ours || h.Responsible
			label := h.Place.Name
			if m, ok := s.dir.Municipalities.ByCode(h.Place.Municipality); ok && !strings.Contains(label, m.Name) {
				label += " – " + m.Name
			}
			cs = append(cs, bot.Choice{Value: h.Place.ID, Label: label})
		}
	}
	if len(cs) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	// None of those offered is the PUA of the user's zone (Empoli's is not
	// bookable here): the flow says so before the list, with the zone.
	other := ""
	if z, ok := s.dir.Municipalities.ZoneOf(code); ok && !ours {
		other = z.Name
	}
	return bot.ActionResult{Outcome: "found", Set: map[string]string{"booking_place_choices": bot.EncodeChoices(cs), "booking_other_zone": other}}, nil
}

// free lists the free slots of a place's service from now.
func (s *Service) free(ctx context.Context, place, service string, now time.Time) ([]Slot, *knowledge.Schedule, error) {
	sc, _, ok := s.schedule(place, service)
	if !ok {
		return nil, nil, nil
	}
	st, err := s.bookings()
	if err != nil {
		return nil, nil, err
	}
	taken := map[int64]int{}
	bs, err := st.Between(ctx, place, now.Add(-time.Hour), now.AddDate(0, 0, sc.AheadDays+1))
	if err != nil {
		return nil, nil, err
	}
	for _, b := range bs {
		taken[b.Start.Unix()]++
	}
	return Slots(s.dir, sc, service, now, taken, s.busyTimes()), sc, nil
}

// days offers the next days with free times, a page at a time, with
// "later" when there are more.
func (s *Service) days(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	slots, _, err := s.free(ctx, req.Args["place"], req.Args["service"], req.Now)
	if err != nil {
		return bot.ActionResult{}, err
	}
	var days []string
	seen := map[string]bool{}
	for _, sl := range slots {
		d := sl.Start.Format("2006-01-02")
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	offset, _ := strconv.Atoi(req.Args["offset"])
	if offset >= len(days) {
		offset = 0
	}
	if len(days) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	end := min(offset+DaysPerPage, len(days))
	var cs []bot.Choice
	for _, d := range days[offset:end] {
		t, _ := time.ParseInLocation("2006-01-02", d, knowledge.Rome)
		cs = append(cs, bot.Choice{Value: d, Label: dayLabel(req, t)})
	}
	if end < len(days) {
		cs = append(cs, bot.Choice{Value: "later", Label: req.T("booking.later", nil)})
	}
	return bot.ActionResult{Outcome: "found", Set: map[string]string{"booking_day_choices": bot.EncodeChoices(cs), "booking_days_next": strconv.Itoa(end)}}, nil
}

// dayLabel is "Monday 7/12" in the user's language.
func dayLabel(req bot.ActionRequest, t time.Time) string {
	name := req.T("day."+[]string{"su", "mo", "tu", "we", "th", "fr", "sa"}[t.Weekday()], nil)
	return fmt.Sprintf("%s %d/%d", name, t.Day(), int(t.Month()))
}

// times offers the free times of a day.
func (s *Service) times(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	slots, _, err := s.free(ctx, req.Args["place"], req.Args["service"], req.Now)
	if err != nil {
		return bot.ActionResult{}, err
	}
	// A time the person is already booked at, anywhere, is not offered.
	held, err := s.heldBy(ctx, req)
	if err != nil {
		return bot.ActionResult{}, err
	}
	minutes, _ := s.minutes(req.Args["place"], req.Args["service"])
	var all []bot.Choice
	for _, sl := range slots {
		if overlaps(held, sl.Start, minutes) != nil {
			continue
		}
		if sl.Start.Format("2006-01-02") == req.Args["day"] {
			all = append(all, bot.Choice{Value: strconv.FormatInt(sl.Start.Unix(), 10), Label: sl.Start.Format("15:04")})
		}
	}
	if len(all) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	// A page of times, then "later times" when the day has more (someone
	// who works in the morning needs the afternoon), and always "another
	// day": a day whose times do not suit is never a dead end.
	offset, _ := strconv.Atoi(req.Args["offset"])
	if offset < 0 || offset >= len(all) {
		offset = 0
	}
	end := min(offset+TimesPerDay, len(all))
	cs := slices.Clone(all[offset:end])
	next := ""
	if end < len(all) {
		cs = append(cs, bot.Choice{Value: "later", Label: req.T("booking.later_times", nil)})
		next = strconv.Itoa(end)
	}
	cs = append(cs, bot.Choice{Value: "other_day", Label: req.T("booking.other_day", nil)})
	return bot.ActionResult{Outcome: "found", Set: map[string]string{"booking_time_choices": bot.EncodeChoices(cs), "booking_times_next": next}}, nil
}

func (s *Service) when(req bot.ActionRequest, unix string) (time.Time, bool) {
	n, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0).In(knowledge.Rome), true
}

// summary says what is about to be booked.
func (s *Service) summary(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	sc, p, ok := s.schedule(req.Args["place"], req.Args["service"])
	at, okT := s.when(req, req.Args["time"])
	if !ok || !okT {
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	med := req.T("booking.no", nil)
	if req.Args["mediator"] == "yes" {
		med = req.T("booking.yes", nil)
	}
	data := map[string]string{"service": req.T("booking.service."+req.Args["service"], nil),
		"when": dayLabel(req, at) + " " + at.Format("15:04"), "place": p.Name, "mediator": med}
	res := bot.ActionResult{Outcome: "ok", Say: []bot.Said{{ID: "booking.summary", Data: data}}}
	if sc.Sample {
		res.Say = append(res.Say, bot.Said{ID: "booking.sample"})
	}
	return res, nil
}

// book takes the slot, atomically in the store.
func (s *Service) book(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	sc, p, ok := s.schedule(req.Args["place"], req.Args["service"])
	at, okT := s.when(req, req.Args["time"])
	if !ok || !okT || !at.After(req.Now) {
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	st, err := s.bookings()
	if err != nil {
		return bot.ActionResult{}, err
	}
	minutes, _ := sc.ServiceMinutes(req.Args["service"])
	if busy := s.busyTimes(); busy != nil && busy.Busy(p.ID, at, at.Add(time.Duration(minutes)*time.Minute)) {
		// The office closed that time since it was offered.
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	b := ledger.Booking{Conv: req.Conversation, Place: p.ID, Service: req.Args["service"], Lang: req.Lang, Start: at, Minutes: minutes, Mediator: req.Args["mediator"] == "yes"}
	// The same request again (the platform redelivered "confirm" after a
	// turn that booked but could not be saved): the user already holds this
	// time, and is told that booking's code rather than given a second one.
	held, err := st.Upcoming(ctx, req.Conversation, req.Now)
	if err != nil {
		return bot.ActionResult{}, fmt.Errorf("booking.book: %w", err)
	}
	for _, h := range held {
		if h.Place == b.Place && h.Service == b.Service && h.Start.Equal(b.Start) {
			return s.booked(ctx, st, req, p, h.Code, true)
		}
	}
	// One person, one place at a time: not two appointments that overlap
	// (the one being moved aside).
	moving := NormalizeCode(req.Args["moving"])
	others := slices.DeleteFunc(slices.Clone(held), func(h ledger.Booking) bool { return h.Code == moving })
	if h := overlaps(others, b.Start, b.Minutes); h != nil {
		return bot.ActionResult{Outcome: "overlap", Say: []bot.Said{{ID: "booking.overlap_with", Data: map[string]string{"code": h.Code, "when": dayLabel(req, h.Start) + " " + h.Start.Format("15:04")}}}}, nil
	}
	for range 5 { // a fresh code if one is (very rarely) in use
		b.Code = NewCode()
		err = st.Book(ctx, b, sc.Desks, sc.MaxPerUser, req.Now)
		if err == nil || errors.Is(err, ledger.ErrSlotFull) || errors.Is(err, ledger.ErrTooManyBookings) {
			break
		}
	}
	switch {
	case errors.Is(err, ledger.ErrSlotFull):
		return bot.ActionResult{Outcome: "full"}, nil
	case errors.Is(err, ledger.ErrTooManyBookings):
		return bot.ActionResult{Outcome: "too_many"}, nil
	case err != nil:
		return bot.ActionResult{}, fmt.Errorf("booking.book: %w", err)
	}
	return s.booked(ctx, st, req, p, b.Code, false)
}

// booked tells the user their booking: its code, where, and, when it moves
// an older booking, gives that one up. again is a request made before,
// whose booking the user already holds.
func (s *Service) booked(ctx context.Context, st ledger.Store, req bot.ActionRequest, p *knowledge.Place, code string, again bool) (bot.ActionResult, error) {
	res := bot.ActionResult{Outcome: "booked", Set: map[string]string{"booking_code": code}}
	if old := NormalizeCode(req.Args["moving"]); old != "" {
		// The new time is booked: only now is the old one given up. If it is
		// already gone when the request comes again, its first delivery
		// gave it up.
		gone, err := st.Cancel(ctx, req.Conversation, old)
		if err == nil {
			s.cancelled(ctx, gone)
		}
		if err == nil || again {
			res.Say = append(res.Say, bot.Said{ID: "booking.moved"})
		}
	}
	address, mapLink := where(p)
	res.Say = append(res.Say, bot.Said{ID: "booking.done", Data: map[string]string{"code": code, "address": address, "map": mapLink}})
	if phone := p.PhoneText(req.Lang); phone != "" {
		// "Call before you go" needs a number: the office's, when known.
		res.Say = append(res.Say, bot.Said{Raw: "📞 " + phone})
	}
	cal := s.cfg.Calendar
	if at, ok := s.when(req, req.Args["time"]); ok && cal != nil {
		minutes, _ := s.minutes(p.ID, req.Args["service"])
		title := req.T("booking.service."+req.Args["service"], nil) + " – " + p.Name
		res.Say = append(res.Say, bot.Said{Raw: "📅 " + cal.Link(Event{Code: code, Start: at, Minutes: max(minutes, 15), Title: title, Location: address})})
	}
	return res, nil
}

// where is a place's address (its name when it has none) and a map link.
func where(p *knowledge.Place) (address, mapLink string) {
	address = p.Address
	if address == "" {
		address = p.Name
	}
	mapLink = "https://www.openstreetmap.org/search?query=" + url.QueryEscape(address)
	if !p.Approximate {
		mapLink = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f", p.Lat, p.Lon, p.Lat, p.Lon)
	}
	return address, mapLink
}

// detail shows one of the user's appointments whole: service, time, place,
// mediator, then address, map and code.
func (s *Service) detail(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	b, found, err := s.upcoming(ctx, req)
	if err != nil {
		return bot.ActionResult{}, err
	}
	p, ok := s.dir.Place(b.Place)
	if !found || !ok {
		return bot.ActionResult{Outcome: "unknown"}, nil
	}
	at := b.Start.In(knowledge.Rome)
	med := req.T("booking.no", nil)
	if b.Mediator {
		med = req.T("booking.yes", nil)
	}
	address, mapLink := where(p)
	place := "📍 " + address + "\n🗺 " + mapLink
	if phone := p.PhoneText(req.Lang); phone != "" {
		place += "\n📞 " + phone
	}
	return bot.ActionResult{Outcome: "shown", Say: []bot.Said{
		{ID: "booking.summary", Data: map[string]string{"service": req.T("booking.service."+b.Service, nil), "when": dayLabel(req, at) + " " + at.Format("15:04"), "place": p.Name, "mediator": med}},
		{Raw: place + "\n🔑 " + b.Code},
	}}, nil
}

// upcoming finds the user's upcoming appointment with the code the flow
// holds (req.Args["code"]).
func (s *Service) upcoming(ctx context.Context, req bot.ActionRequest) (ledger.Booking, bool, error) {
	st, err := s.bookings()
	if err != nil {
		return ledger.Booking{}, false, err
	}
	bs, err := st.Upcoming(ctx, req.Conversation, req.Now)
	if err != nil {
		return ledger.Booking{}, false, err
	}
	code := NormalizeCode(req.Args["code"])
	for _, b := range bs {
		if b.Code == code {
			return b, true, nil
		}
	}
	return ledger.Booking{}, false, nil
}

// prepareMove starts moving a booking: the booking flow opens at "which
// day?" for the same place and service; the old booking stays until the new
// one is made.
func (s *Service) prepareMove(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	b, found, err := s.upcoming(ctx, req)
	switch {
	case err != nil:
		return bot.ActionResult{}, err
	case !found:
		return bot.ActionResult{Outcome: "unknown"}, nil
	}
	return bot.ActionResult{Outcome: "ready", Set: map[string]string{"moving_code": b.Code, "service": b.Service, "booking_place": b.Place}}, nil
}

// mine lists the user's upcoming appointments as choices.
func (s *Service) mine(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	st, err := s.bookings()
	if err != nil {
		return bot.ActionResult{}, err
	}
	bs, err := st.Upcoming(ctx, req.Conversation, req.Now)
	if err != nil {
		return bot.ActionResult{}, err
	}
	if len(bs) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	var cs []bot.Choice
	for _, b := range bs {
		at := b.Start.In(knowledge.Rome)
		label := fmt.Sprintf("%s %s · %s", dayLabel(req, at), at.Format("15:04"), b.Code)
		cs = append(cs, bot.Choice{Value: b.Code, Label: label})
	}
	if len(cs) == 1 {
		// One appointment: shown at once, no "which one?".
		return bot.ActionResult{Outcome: "one", Set: map[string]string{"booking_mine_choices": bot.EncodeChoices(cs), "cancel_code": cs[0].Value}}, nil
	}
	return bot.ActionResult{Outcome: "some", Set: map[string]string{"booking_mine_choices": bot.EncodeChoices(cs)}}, nil
}

// cancel cancels one of the user's appointments; the slot is free at once.
func (s *Service) cancel(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	st, err := s.bookings()
	if err != nil {
		return bot.ActionResult{}, err
	}
	code := NormalizeCode(req.Args["code"])
	b, err := st.Cancel(ctx, req.Conversation, code)
	if err != nil {
		if errors.Is(err, ledger.ErrNoBooking) {
			return bot.ActionResult{Outcome: "unknown"}, nil
		}
		return bot.ActionResult{}, err
	}
	s.cancelled(ctx, b)
	return bot.ActionResult{Outcome: "cancelled"}, nil
}

// heldBy lists the upcoming appointments of the conversation, without the
// one being moved.
func (s *Service) heldBy(ctx context.Context, req bot.ActionRequest) ([]ledger.Booking, error) {
	st, err := s.bookings()
	if err != nil {
		return nil, err
	}
	held, err := st.Upcoming(ctx, req.Conversation, req.Now)
	if err != nil {
		return nil, fmt.Errorf("booking: %w", err)
	}
	moving := NormalizeCode(req.Args["moving"])
	return slices.DeleteFunc(held, func(h ledger.Booking) bool { return h.Code == moving }), nil
}

// minutes is how long the service lasts at the place (0 when unknown).
func (s *Service) minutes(place, service string) (int, bool) {
	sc, ok := s.dir.Schedule(place)
	if !ok {
		return 0, false
	}
	return sc.ServiceMinutes(service)
}

// overlaps returns the appointment of held that overlaps [start,
// start+minutes), or nil.
func overlaps(held []ledger.Booking, start time.Time, minutes int) *ledger.Booking {
	end := start.Add(time.Duration(max(minutes, 1)) * time.Minute)
	for i, h := range held {
		hEnd := h.Start.Add(time.Duration(max(h.Minutes, 1)) * time.Minute)
		if start.Before(hEnd) && h.Start.Before(end) {
			return &held[i]
		}
	}
	return nil
}

// limit says, as soon as the place is chosen, whether the person may book
// one more appointment there (the place's max_per_user), rather than after
// every question.
func (s *Service) limit(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	sc, ok := s.dir.Schedule(req.Args["place"])
	if !ok || sc.MaxPerUser <= 0 {
		return bot.ActionResult{Outcome: "ok"}, nil
	}
	held, err := s.heldBy(ctx, req)
	if err != nil {
		return bot.ActionResult{}, err
	}
	n := 0
	for _, h := range held {
		if h.Place == sc.Place {
			n++
		}
	}
	if n >= sc.MaxPerUser {
		return bot.ActionResult{Outcome: "too_many"}, nil
	}
	return bot.ActionResult{Outcome: "ok"}, nil
}
