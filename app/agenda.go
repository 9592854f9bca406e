package app

import (
	"context"
	"errors"
	"log/slog"
	"teamsbot/booking/feed"
	"time"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/bot"
	"teamsbot/knowledge"
)

// AgendaAt is when each PUA's agenda of the day is posted to Slack.
const AgendaAt = 7*time.Hour + 30*time.Minute

// deskMessages are the locale messages the operators' desk shows, which
// lint checks (engineMessages).
var deskMessages = slackdesk.Messages

// postAgendas posts, once per PUA and day (marked in the store, so once
// across restarts and replicas), the day's appointments to the PUA's Slack
// channel after AgendaAt, Europe/Rome time.
func postAgendas(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, st bot.Store, now time.Time) (int, error) {
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
func postAgenda(ctx context.Context, desk *slackdesk.Desk, st bot.Store, p *knowledge.Place, channel string, day time.Time) (bool, error) {
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
func tellCancelled(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, b bot.Booking, log *slog.Logger) {
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
func runAgendas(ctx context.Context, desk *slackdesk.Desk, dir *knowledge.Directory, st bot.Store, log *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if _, err := postAgendas(ctx, desk, dir, st, time.Now()); err != nil {
			log.Warn("daily agenda", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runActivityReminders reminds the joined of tomorrow's activities, every
// few minutes (each reminder marked once in the store).
func runActivityReminders(ctx context.Context, l *Loaded, log *slog.Logger) {
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		if _, err := l.Activities.SendReminders(ctx, time.Now()); err != nil {
			log.Warn("activity reminders", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runPurge deletes, every hour, the appointments that took place more than
// keep ago (the privacy notice says so).
func runPurge(ctx context.Context, l *Loaded, keep time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := l.Booking.Purge(ctx, time.Now(), keep); err != nil {
			log.Warn("purge of past appointments", "error", err)
		} else if n > 0 {
			log.Info("past appointments deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// calendarFeeds configures the reading of the offices' calendar feeds: a
// feed that cannot be read, and the appointments a new busy time covers,
// are posted to the PUA's channel (with the desk), else logged.
func calendarFeeds(cfg Config, l *Loaded, st bot.Store, desk *slackdesk.Desk, log *slog.Logger) feed.Config {
	fc := feed.Config{Dir: l.Directory, Store: st, Bookings: st, Every: cfg.CalendarEvery, Log: log}
	if desk == nil {
		fc.OnConflict = func(_ context.Context, s *knowledge.Schedule, bs []bot.Booking) {
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
	fc.OnConflict = func(ctx context.Context, s *knowledge.Schedule, bs []bot.Booking) {
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
