package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"teamsbot/internal/every"
	"teamsbot/internal/fold"
	"teamsbot/locales"

	"teamsbot/activities"
	"teamsbot/booking/feed"
	"teamsbot/booking/ledger"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/bot"
	"teamsbot/knowledge"
)

// AgendaAt is when each PUA's agenda of the day is posted to Slack.
const AgendaAt = 7*time.Hour + 30*time.Minute

// deskMessages are the locale messages the operators' desk shows, which
// lint checks (engineMessages).
var deskMessages = slices.Concat(slackdesk.Messages, calendarMessages, activityMessages)

// calendarMessages are the answers of the calendar commands of /teams
// (calendarCommand).
var calendarMessages = []string{
	"desk.calendar.cmd.usage", "desk.calendar.cmd.not_here", "desk.calendar.cmd.unknown_place", "desk.calendar.cmd.bad_date",
	"desk.calendar.cmd.closed", "desk.calendar.cmd.booked", "desk.calendar.cmd.reopened", "desk.calendar.cmd.opened",
	"desk.calendar.cmd.nothing", "desk.calendar.cmd.list", "desk.calendar.cmd.list_none", "desk.calendar.cmd.list_opened",
}

// postAgendas posts, once per PUA and day (marked in the store, so once
// across restarts and replicas), the day's appointments to the PUA's Slack
// channel after AgendaAt, Europe/Rome time.
func postAgendas(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, st Store, now time.Time) (int, error) {
	now = now.In(knowledge.Rome)
	y, m, d := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, knowledge.Rome)
	if now.Before(day.Add(AgendaAt)) {
		return 0, nil
	}
	posted := 0
	for _, p := range dir.Places() {
		sc, ok := dir.Schedule(p.ID)
		if !ok {
			continue
		}
		done, err := postAgenda(ctx, desk, st, p, sc.SlackChannel, day)
		if err != nil {
			return posted, err
		}
		if done {
			posted++
		}
	}
	return posted, nil
}

// postAgenda posts one PUA's agenda of day unless it was posted: under a
// lock (replicas), marked posted only once Slack took it, so an agenda
// whose post failed is posted at the next run, never lost.
func postAgenda(ctx context.Context, desk *slackdesk.Desk, st Store, p *knowledge.Place, channel string, day time.Time) (bool, error) {
	key := "desk:agenda-posted:" + p.ID + "@" + day.Format("2006-01-02")
	unlock, err := st.Lock(ctx, key, time.Minute)
	if err != nil {
		return false, err
	}
	defer unlock()
	switch _, err := st.Load(ctx, key); {
	case err == nil:
		return false, nil // posted
	case !errors.Is(err, bot.ErrNotFound):
		return false, err
	}
	bs, err := st.Between(ctx, p.ID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return false, err
	}
	items := make([]slackdesk.AgendaItem, 0, len(bs))
	for _, b := range bs {
		items = append(items, slackdesk.AgendaItem{Code: b.Code, Time: b.Start.In(knowledge.Rome).Format("15:04"), Service: b.Service, Lang: b.Lang, Mediator: b.Mediator})
	}
	title := desk.AgendaTitle(p.Name, day.Format("02/01/2006"), len(items))
	if err := desk.PostAgenda(ctx, channel, title, items); err != nil {
		return false, err
	}
	return true, st.Save(ctx, key, []byte("1"), 48*time.Hour)
}

// tellCancelled posts a cancelled appointment to its PUA's channel: the
// office reads its agenda with it. A failure is logged; the user's
// cancellation stands.
func tellCancelled(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, b ledger.Booking, log *slog.Logger) {
	sc, ok := dir.Schedule(b.Place)
	if !ok {
		return
	}
	name := b.Place
	if p, ok := dir.Place(b.Place); ok {
		name = p.Name
	}
	at := b.Start.In(knowledge.Rome)
	it := slackdesk.AgendaItem{Code: b.Code, Time: at.Format("15:04"), Service: b.Service, Lang: b.Lang, Mediator: b.Mediator}
	if err := desk.PostCancellation(ctx, sc.SlackChannel, name, at.Format("02/01/2006"), it); err != nil {
		log.Warn("cancellation not posted to the office", "error", err)
	}
}

// runAgendas checks every minute whether agendas are due.
func runAgendas(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, st Store, log *slog.Logger) {
	every.Run(ctx, time.Minute, true, func(ctx context.Context) {
		if _, err := postAgendas(ctx, desk, dir, st, time.Now()); err != nil {
			log.Warn("daily agenda", "error", err)
		}
	})
}

// runActivityReminders reminds the joined of tomorrow's activities, every
// few minutes (each reminder marked once in the store).
func runActivityReminders(ctx context.Context, d *Domain, n activities.Notifier, log *slog.Logger) {
	every.Run(ctx, 5*time.Minute, true, func(ctx context.Context) {
		if _, err := d.Activities.SendReminders(ctx, n, time.Now()); err != nil {
			log.Warn("activity reminders", "error", err)
		}
	})
}

// runPurge deletes, every hour, the appointments that took place more than
// keep ago (the privacy notice says so).
func runPurge(ctx context.Context, d *Domain, keep time.Duration, log *slog.Logger) {
	every.Run(ctx, time.Hour, true, func(ctx context.Context) {
		if n, err := d.Booking.Purge(ctx, time.Now(), keep); err != nil {
			log.Warn("purge of past appointments", "error", err)
		} else if n > 0 {
			log.Info("past appointments deleted", "count", n)
		}
	})
}

// calendarFeeds configures the reading of the offices' calendar feeds: a
// feed that cannot be read, and the appointments a new busy time covers,
// are posted to the PUA's channel (with the desk), else logged.
func calendarFeeds(cfg Config, l *Loaded, st Store, desk *slackdesk.Desk, log *slog.Logger) feed.Config {
	fc := feed.Config{Dir: l.Directory, Store: st, Bookings: st, Every: cfg.CalendarEvery, Log: log}
	if desk == nil {
		fc.OnConflict = func(_ context.Context, s *knowledge.Schedule, bs []ledger.Booking) {
			log.Warn("appointments under a time the office's calendar closed: no desk to tell", "place", s.Place, "appointments", len(bs))
		}
		return fc
	}
	name := func(place string) string {
		if p, ok := l.Directory.Place(place); ok {
			return p.Name
		}
		return place
	}
	fc.OnProblem = func(ctx context.Context, s *knowledge.Schedule, problem string, lastGood time.Time) {
		good := ""
		if !lastGood.IsZero() {
			good = lastGood.In(knowledge.Rome).Format("02/01/2006 15:04")
		}
		if err := desk.PostCalendarProblem(ctx, s.SlackChannel, name(s.Place), problem, good); err != nil {
			log.Warn("calendar problem not posted to the office", "place", s.Place, "error", err)
		}
	}
	fc.OnConflict = func(ctx context.Context, s *knowledge.Schedule, bs []ledger.Booking) {
		items := make([]slackdesk.CalendarConflict, 0, len(bs))
		for _, b := range bs {
			at := b.Start.In(knowledge.Rome)
			items = append(items, slackdesk.CalendarConflict{Place: b.Place, Day: at.Format("02/01/2006"),
				AgendaItem: slackdesk.AgendaItem{Code: b.Code, Time: at.Format("15:04"), Service: b.Service, Lang: b.Lang, Mediator: b.Mediator}})
		}
		if err := desk.PostCalendarConflicts(ctx, s.SlackChannel, name(s.Place), items); err != nil {
			log.Warn("appointments under a closure not posted to the office", "place", s.Place, "error", err)
		}
	}
	return fc
}

// calendarCommand answers /teams chiudi|apri|calendario PLACE DD/MM
// [HH:MM-HH:MM] (close, open, calendar in English): the office closes a
// day or hours, reopens them, or lists its closures, from its own Slack
// channel (or the desk's). The appointments already booked under a new
// closure are posted to the PUA's channel with "Cancel and tell".
func calendarCommand(feeds *feed.Feeds, dir *knowledge.Directory, desk *slackdesk.Desk, deskChannel string, now func() time.Time) func(ctx context.Context, channel, user string, words []string) (string, bool) {
	verbs := map[string]string{"chiudi": "close", "close": "close", "apri": "open", "riapri": "open", "open": "open", "calendario": "list", "calendar": "list"}
	var ids []string
	for _, p := range dir.Places() {
		if _, ok := dir.Schedule(p.ID); ok {
			ids = append(ids, "`"+p.ID+"`")
		}
	}
	places := strings.Join(ids, ", ")
	return func(ctx context.Context, channel, user string, words []string) (string, bool) {
		verb, ok := verbs[strings.ToLower(words[0])]
		if !ok {
			return "", false
		}
		if len(words) < 2 || verb != "list" && len(words) < 3 {
			return desk.Text("desk.calendar.cmd.usage", map[string]string{"places": places}), true
		}
		sc, ok := dir.Schedule(words[1])
		if !ok {
			return desk.Text("desk.calendar.cmd.unknown_place", map[string]string{"place": words[1], "places": places}), true
		}
		name := sc.Place
		if p, ok := dir.Place(sc.Place); ok {
			name = p.Name
		}
		if channel != sc.SlackChannel && channel != deskChannel {
			return desk.Text("desk.calendar.cmd.not_here", map[string]string{"place": name}), true
		}
		at := now().In(knowledge.Rome)
		if verb == "list" {
			closed, err := feeds.Closures(ctx, sc.Place, at)
			if err != nil {
				return desk.Text("desk.list.unavailable", nil), true
			}
			extra, err := feeds.Extra(ctx, sc.Place, at)
			if err != nil {
				return desk.Text("desk.list.unavailable", nil), true
			}
			var lines []string
			if len(closed) == 0 {
				lines = append(lines, desk.Text("desk.calendar.cmd.list_none", map[string]string{"place": name}))
			} else {
				lines = append(lines, desk.Text("desk.calendar.cmd.list", map[string]string{"place": name}))
			}
			for _, iv := range closed {
				lines = append(lines, "• "+span(iv.From, iv.To))
			}
			if len(extra) > 0 {
				lines = append(lines, desk.Text("desk.calendar.cmd.list_opened", nil))
			}
			for _, iv := range extra {
				lines = append(lines, "• "+span(iv.From, iv.To))
			}
			return strings.Join(lines, "\n"), true
		}
		from, to, ok := closureSpan(words[2:], at)
		if !ok {
			return desk.Text("desk.calendar.cmd.bad_date", map[string]string{"what": strings.Join(words[2:], " ")}), true
		}
		when := span(from, to)
		if verb == "open" && len(words) > 3 {
			// Hours given: open them for booking, closed or not, even
			// outside the schedule (a Saturday morning).
			if _, err := feeds.Open(ctx, sc.Place, from, to, at); err != nil {
				return desk.Text("desk.list.unavailable", nil), true
			}
			return desk.Text("desk.calendar.cmd.opened", map[string]string{"place": name, "when": when}), true
		}
		if verb == "open" {
			n, err := feeds.Reopen(ctx, sc.Place, from, to, at)
			switch {
			case err != nil:
				return desk.Text("desk.list.unavailable", nil), true
			case n == 0:
				return desk.Text("desk.calendar.cmd.nothing", map[string]string{"place": name, "when": when}), true
			}
			return desk.Text("desk.calendar.cmd.reopened", map[string]string{"place": name, "when": when}), true
		}
		// Closing takes back extra hours there too: what the office lists
		// is what the bot offers.
		if _, err := feeds.Unopen(ctx, sc.Place, from, to, at); err != nil {
			return desk.Text("desk.list.unavailable", nil), true
		}
		under, err := feeds.Close(ctx, sc.Place, from, to, at)
		if err != nil {
			return desk.Text("desk.list.unavailable", nil), true
		}
		reply := desk.Text("desk.calendar.cmd.closed", map[string]string{"place": name, "when": when})
		if len(under) > 0 {
			reply += "\n" + desk.Text("desk.calendar.cmd.booked", map[string]string{"count": fmt.Sprint(len(under))})
			items := make([]slackdesk.CalendarConflict, 0, len(under))
			for _, b := range under {
				bt := b.Start.In(knowledge.Rome)
				items = append(items, slackdesk.CalendarConflict{Place: b.Place, Day: bt.Format("02/01/2006"),
					AgendaItem: slackdesk.AgendaItem{Code: b.Code, Time: bt.Format("15:04"), Service: b.Service, Lang: b.Lang, Mediator: b.Mediator}})
			}
			_ = desk.PostCalendarConflicts(ctx, sc.SlackChannel, name, items)
		}
		return reply, true
	}
}

// closureSpan reads "DD/MM[/YYYY] [HH:MM-HH:MM]" (or YYYY-MM-DD): the whole
// day in Rome, or those hours; a day without a year is the next such day.
func closureSpan(words []string, now time.Time) (from, to time.Time, ok bool) {
	var y, m, d int
	switch {
	case len(words) == 0:
		return from, to, false
	case dayWord(words[0], now) != nil:
		day := dayWord(words[0], now)
		y, m, d = day.Year(), int(day.Month()), day.Day()
	case strings.Count(words[0], "-") == 2:
		if _, err := fmt.Sscanf(words[0], "%d-%d-%d", &y, &m, &d); err != nil {
			return from, to, false
		}
	default:
		parts := strings.Split(words[0], "/")
		if len(parts) < 2 || len(parts) > 3 {
			return from, to, false
		}
		var err error
		if d, err = strconv.Atoi(parts[0]); err != nil {
			return from, to, false
		}
		if m, err = strconv.Atoi(parts[1]); err != nil {
			return from, to, false
		}
		y = now.Year()
		if len(parts) == 3 {
			if y, err = strconv.Atoi(parts[2]); err != nil {
				return from, to, false
			}
			if y < 100 {
				y += 2000
			}
		} else if time.Date(y, time.Month(m), d, 23, 59, 0, 0, knowledge.Rome).Before(now) {
			y++
		}
	}
	day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, knowledge.Rome)
	if day.Day() != d || int(day.Month()) != m || day.Year() != y || day.Before(now.AddDate(0, 0, -1)) || day.After(now.AddDate(2, 0, 0)) {
		return from, to, false // 31/02, the past, or years ahead
	}
	from, to = day, day.AddDate(0, 0, 1)
	if len(words) > 1 {
		a, b, cut := strings.Cut(words[1], "-")
		h1, ok1 := clock(a)
		h2, ok2 := clock(b)
		if !cut || !ok1 || !ok2 || h2 <= h1 {
			return from, to, false
		}
		from = time.Date(y, time.Month(m), d, int(h1/time.Hour), int(h1%time.Hour/time.Minute), 0, 0, knowledge.Rome)
		to = time.Date(y, time.Month(m), d, int(h2/time.Hour), int(h2%time.Hour/time.Minute), 0, 0, knowledge.Rome)
	}
	return from, to, len(words) <= 2
}

// weekdays are the day names staff type, Italian and English, whole or
// short, without accents.
var weekdays = map[string]time.Weekday{
	"lunedi": time.Monday, "lun": time.Monday, "monday": time.Monday, "mon": time.Monday,
	"martedi": time.Tuesday, "mar": time.Tuesday, "tuesday": time.Tuesday, "tue": time.Tuesday,
	"mercoledi": time.Wednesday, "mer": time.Wednesday, "wednesday": time.Wednesday, "wed": time.Wednesday,
	"giovedi": time.Thursday, "gio": time.Thursday, "thursday": time.Thursday, "thu": time.Thursday,
	"venerdi": time.Friday, "ven": time.Friday, "friday": time.Friday, "fri": time.Friday,
	"sabato": time.Saturday, "sab": time.Saturday, "saturday": time.Saturday, "sat": time.Saturday,
	"domenica": time.Sunday, "dom": time.Sunday, "sunday": time.Sunday, "sun": time.Sunday,
}

// dayWord reads "oggi"/"today", "domani"/"tomorrow" or a day name ("sabato",
// "Saturday": the next one, today included) as a day; nil when it is not
// one.
func dayWord(w string, now time.Time) *time.Time {
	now = now.In(knowledge.Rome)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, knowledge.Rome)
	var day time.Time
	switch w = fold.String(w); w {
	case "oggi", "today":
		day = today
	case "domani", "tomorrow":
		day = today.AddDate(0, 0, 1)
	default:
		wd, ok := weekdays[w]
		if !ok {
			return nil
		}
		day = today.AddDate(0, 0, (int(wd)-int(today.Weekday())+7)%7)
	}
	return &day
}

// clock reads "9", "09:30" or "9.30" as a time of day.
func clock(s string) (time.Duration, bool) {
	s = strings.ReplaceAll(s, ".", ":")
	hh, mm, _ := strings.Cut(s, ":")
	h, err := strconv.Atoi(hh)
	if err != nil || h < 0 || h > 24 {
		return 0, false
	}
	mi := 0
	if mm != "" {
		if mi, err = strconv.Atoi(mm); err != nil || mi < 0 || mi > 59 {
			return 0, false
		}
	}
	if h == 24 && mi > 0 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute, true
}

// span writes a closure as the office reads it: "24/12/2026" for a whole
// day, "24/12/2026 09:00–12:00" for hours.
func span(from, to time.Time) string {
	from, to = from.In(knowledge.Rome), to.In(knowledge.Rome)
	if from.Hour() == 0 && from.Minute() == 0 && to.Equal(time.Date(from.Year(), from.Month(), from.Day()+1, 0, 0, 0, 0, knowledge.Rome)) {
		return from.Format("02/01/2006")
	}
	if from.Format("2006-01-02") == to.Format("2006-01-02") {
		return from.Format("02/01/2006 15:04") + "–" + to.Format("15:04")
	}
	return from.Format("02/01/2006 15:04") + " – " + to.Format("02/01/2006 15:04")
}

// activityMessages are the answers of the activity commands of /teams
// (activityCommand).
var activityMessages = []string{
	"desk.activity.cmd.usage", "desk.activity.cmd.bad_date", "desk.activity.edited",
	"desk.activity.cmd.no_session", "desk.activity.cmd.session_cancelled", "desk.activity.cmd.cancelled",
	"desk.activity.cmd.seats", "desk.activity.cmd.bad_seats", "desk.activity.added",
	"desk.activity.cmd.list", "desk.activity.cmd.list_none",
	"desk.activity.form.audience.everyone", "desk.activity.form.audience.families", "desk.activity.form.audience.women",
	"desk.activity.form.audience.youth", "desk.activity.form.audience.second_generation",
	"desk.activity.form.err.required", "desk.activity.form.err.too_long", "desk.activity.form.err.municipality",
	"desk.activity.form.err.when", "desk.activity.form.err.dates", "desk.activity.form.err.seats",
	"desk.activity.form.err.other_lang", "desk.activity.form.err.cost",
}

// activityForm adds the activity a coordinator's form describes (/teams
// nuova): the form's problems in the operators' language, field by field,
// or the note posted in the desk's channel.
func activityForm(svc *activities.Service, dir *knowledge.Directory, desk *slackdesk.Desk, langs []string, now func() time.Time) func(context.Context, slackdesk.ActivityForm) (map[string]string, string, error) {
	return func(ctx context.Context, f slackdesk.ActivityForm) (map[string]string, string, error) {
		a, problems, err := svc.Add(ctx, activities.Form(f), langs, now())
		if err != nil || len(problems) > 0 {
			return formProblems(desk, problems), "", err
		}
		return nil, desk.Text("desk.activity.added", activityFacts(a, dir, nil)), nil
	}
}

// activityEdit changes an activity from the form /teams modifica ID opens;
// everyone enrolled is told (through n) when its time or place changes.
func activityEdit(svc *activities.Service, n activities.Notifier, dir *knowledge.Directory, desk *slackdesk.Desk, langs []string, now func() time.Time) func(context.Context, string, slackdesk.ActivityForm) (map[string]string, string, error) {
	return func(ctx context.Context, id string, f slackdesk.ActivityForm) (map[string]string, string, error) {
		a, problems, told, err := svc.Edit(ctx, n, id, activities.Form(f), langs, now())
		if err != nil || len(problems) > 0 {
			return formProblems(desk, problems), "", err
		}
		return nil, desk.Text("desk.activity.edited", activityFacts(a, dir, map[string]string{"count": fmt.Sprint(told)})), nil
	}
}

// formProblems says each problem of a form under its field.
func formProblems(desk *slackdesk.Desk, problems []activities.Problem) map[string]string {
	if len(problems) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, p := range problems {
		msg := desk.Text("desk.activity.form.err."+p.Code, map[string]string{"max": fmt.Sprint(p.Max)})
		out[p.Field] = strings.TrimSpace(out[p.Field] + " " + msg)
	}
	return out
}

// activityFacts are what the desk's notes say of an activity.
func activityFacts(a *knowledge.Activity, dir *knowledge.Directory, more map[string]string) map[string]string {
	where := a.Municipality
	if m, ok := dir.Municipalities.ByCode(a.Municipality); ok {
		where = m.Name
	}
	day := func(d string) string {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return d
		}
		return t.Format("02/01/2006")
	}
	by := a.By
	if as, ok := dir.Association(a.Association); ok {
		by = as.Name
	}
	out := map[string]string{"association": by, "title": a.TitleIn("it"), "id": a.ID,
		"when": a.When.String(), "municipality": where, "from": day(a.From), "until": day(a.Until)}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// activityChoices are the menus of the activity form, in the operators'
// language.
func activityChoices(cat *locales.Catalog, lang string) func() slackdesk.ActivityChoices {
	return func() slackdesk.ActivityChoices {
		var ch slackdesk.ActivityChoices
		for _, k := range knowledge.ActivityKinds {
			ch.Kinds = append(ch.Kinds, slackdesk.Answer{What: k, Title: cat.Text(lang, "activities.kind."+k, nil)})
		}
		for _, a := range knowledge.Audiences {
			ch.Audiences = append(ch.Audiences, slackdesk.Answer{What: a, Title: cat.Text(lang, "desk.activity.form.audience."+a, nil)})
		}
		for _, l := range cat.Languages() {
			ch.Languages = append(ch.Languages, slackdesk.Answer{What: l.Code, Title: l.Name})
		}
		return ch
	}
}

// activityCommand answers the associations' coordinators in the desk's
// channel: "/teams annulla ACTIVITY DD/MM" cancels one session, "/teams
// annulla ACTIVITY tutto" the whole activity (cancel … all in English);
// everyone enrolled is told in their language. "/teams posti ACTIVITY N"
// (seats) changes the seats; the first waiting get the new ones. Users are
// told through n.
func activityCommand(svc *activities.Service, n activities.Notifier, desk *slackdesk.Desk, deskChannel string, now func() time.Time) func(ctx context.Context, channel, user string, words []string) (string, bool) {
	return func(ctx context.Context, channel, user string, words []string) (string, bool) {
		var ids []string
		for _, a := range svc.All() { // added from Slack since start too
			ids = append(ids, "`"+a.ID+"`")
		}
		list := strings.Join(ids, ", ")
		verb := strings.ToLower(words[0])
		switch verb {
		case "attività", "attivita", "activities":
			if channel != deskChannel {
				return desk.Text("desk.activity.cmd.not_here", nil), true
			}
			return activityList(ctx, svc, desk, now()), true
		case "annulla", "cancel", "posti", "seats":
		default:
			return "", false
		}
		if len(words) < 3 {
			return desk.Text("desk.activity.cmd.usage", map[string]string{"activities": list}), true
		}
		a, ok := svc.Find(words[1])
		if !ok {
			return desk.Text("desk.activity.cmd.unknown", map[string]string{"activity": words[1], "activities": list}), true
		}
		if channel != deskChannel {
			return desk.Text("desk.activity.cmd.not_here", nil), true
		}
		title := a.TitleIn("it")
		at := now().In(knowledge.Rome)
		if verb == "posti" || verb == "seats" {
			seats, err := strconv.Atoi(words[2])
			if err != nil || seats < 0 || seats > 10000 {
				return desk.Text("desk.activity.cmd.bad_seats", map[string]string{"what": words[2]}), true
			}
			promoted, err := svc.SetSeats(ctx, n, a.ID, seats)
			if err != nil {
				return desk.Text("desk.list.unavailable", nil), true
			}
			return desk.Text("desk.activity.cmd.seats", map[string]string{"activity": title, "seats": fmt.Sprint(seats), "count": fmt.Sprint(promoted)}), true
		}
		if w := strings.ToLower(words[2]); w == "tutto" || w == "tutta" || w == "all" {
			told, err := svc.CancelActivity(ctx, n, a.ID, at)
			if err != nil {
				return desk.Text("desk.list.unavailable", nil), true
			}
			return desk.Text("desk.activity.cmd.cancelled", map[string]string{"activity": title, "count": fmt.Sprint(told)}), true
		}
		day, _, ok := closureSpan(words[2:3], at)
		if !ok {
			return desk.Text("desk.activity.cmd.bad_date", map[string]string{"what": words[2]}), true
		}
		iv, told, err := svc.CancelSession(ctx, n, a.ID, day, at)
		switch {
		case errors.Is(err, activities.ErrNoSession):
			return desk.Text("desk.activity.cmd.no_session", map[string]string{"activity": title, "date": day.Format("02/01/2006")}), true
		case err != nil:
			return desk.Text("desk.list.unavailable", nil), true
		}
		return desk.Text("desk.activity.cmd.session_cancelled", map[string]string{"activity": title,
			"when": iv.From.In(knowledge.Rome).Format("02/01/2006 15:04"), "count": fmt.Sprint(told)}), true
	}
}

// activityList is /teams attività: each activity still to come (or going
// on), with its id for the other commands, and how many are in, waiting,
// and the seats — what `teamsbot activities --list` prints, for staff
// without a terminal.
func activityList(ctx context.Context, svc *activities.Service, desk *slackdesk.Desk, now time.Time) string {
	today := now.In(knowledge.Rome).Format("2006-01-02")
	var b strings.Builder
	n := 0
	for _, a := range svc.All() {
		if a.Until < today || svc.Cancelled(a.ID) {
			continue
		}
		r, err := svc.Roster(ctx, a.ID)
		if err != nil {
			return desk.Text("desk.list.unavailable", nil)
		}
		in, waiting := counts(r)
		seats := "∞"
		if s := svc.Seats(a); s > 0 {
			seats = fmt.Sprint(s)
		}
		sample := ""
		if a.Sample {
			sample = " 🧪"
		}
		fmt.Fprintf(&b, "\n• `%s` %s — %d · %d · %s%s", a.ID, a.TitleIn("it"), in, waiting, seats, sample)
		n++
	}
	if n == 0 {
		return desk.Text("desk.activity.cmd.list_none", nil)
	}
	return desk.Text("desk.activity.cmd.list", map[string]string{"count": fmt.Sprint(n)}) + b.String()
}

// slashCommands tries each command in turn; the first that knows the verb
// answers.
func slashCommands(cmds ...func(ctx context.Context, channel, user string, words []string) (string, bool)) func(ctx context.Context, channel, user string, words []string) (string, bool) {
	return func(ctx context.Context, channel, user string, words []string) (string, bool) {
		for _, c := range cmds {
			if reply, ok := c(ctx, channel, user, words); ok {
				return reply, true
			}
		}
		return "", false
	}
}

// languageCodes are the codes of the languages offered to users.
func languageCodes(cat *locales.Catalog) []string {
	var out []string
	for _, l := range cat.Languages() {
		out = append(out, l.Code)
	}
	return out
}
