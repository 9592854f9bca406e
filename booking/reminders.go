package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"teamsbot/internal/every"

	"teamsbot/booking/ledger"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// Notifier sends a proactive message to a conversation (bot.Service).
type Notifier interface {
	Notify(ctx context.Context, conv string, n bot.Notice) error
}

// RemindAhead is when the first reminder goes out: the day before, about
// this long before the appointment.
const RemindAhead = 24 * time.Hour

// RemindSoon is when the second reminder goes out, the same day.
const RemindSoon = 2 * time.Hour

// reminders are the reminders of an appointment: when (ahead, give or take
// slack), the once-only mark, and the text.
var reminders = []struct {
	ahead, slack time.Duration
	mark, msg    string
}{
	{RemindAhead, time.Hour, "remind:", "booking.reminder"},
	{RemindSoon, 15 * time.Minute, "remind-soon:", "booking.reminder_soon"},
}

// SendReminders sends the reminders of every booking that is due one and
// was not reminded yet: the day before (start within RemindAhead ± 1 h)
// and the same day (RemindSoon ± 15 min), with "I'll be there" and
// "cancel" options. Run it every few minutes, on any number of replicas:
// each reminder is a once-only notice (bot.Notice.ID), recorded in the
// user's session in the same write that puts it in their outbox, so it
// goes out once and is not lost if a process stops mid-send.
func (s *Service) SendReminders(ctx context.Context, n Notifier, now time.Time) (sent int, err error) {
	st, err := s.bookings()
	if err != nil {
		return 0, err
	}
	for _, r := range reminders {
		from, to := now.Add(r.ahead-r.slack), now.Add(r.ahead+r.slack)
		for _, p := range s.dir.Places() {
			if _, ok := s.dir.Schedule(p.ID); !ok {
				continue
			}
			bs, err := st.Between(ctx, p.ID, from, to)
			if err != nil {
				return sent, err
			}
			for _, b := range bs {
				at := b.Start.In(knowledge.Rome)
				notice := bot.Notice{MessageID: r.msg, ID: r.mark + b.Code,
					Data:    map[string]string{"time": at.Format("15:04"), "date": at.Format("02/01"), "place": p.Name, "code": b.Code},
					Options: []bot.NoticeOption{{ID: "c:menu", Label: "booking.remind_ok"}, {ID: "c:flow:my_bookings", Label: "booking.remind_cancel"}}}
				switch err := n.Notify(ctx, b.Conv, notice); {
				case err == nil:
					sent++
				case errors.Is(err, bot.ErrNoticeSent), errors.Is(err, bot.ErrNotFound):
					// Sent already (by this run or another replica), or the
					// user's conversation is gone.
				default:
					// Not recorded: the next run tries again.
					return sent, fmt.Errorf("reminder: %w", err)
				}
			}
		}
	}
	return sent, nil
}

// Purge deletes the appointments that took place more than keep ago (the
// privacy notice says how long they are kept). It returns how many it
// deleted.
func (s *Service) Purge(ctx context.Context, now time.Time, keep time.Duration) (int, error) {
	st, err := s.bookings()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range s.dir.Places() {
		if _, ok := s.dir.Schedule(p.ID); !ok {
			continue
		}
		bs, err := st.Between(ctx, p.ID, time.Unix(0, 0), now.Add(-keep))
		if err != nil {
			return n, fmt.Errorf("booking: purge: %w", err)
		}
		for _, b := range bs {
			if _, err := st.Cancel(ctx, b.Conv, b.Code); err != nil && !errors.Is(err, ledger.ErrNoBooking) {
				return n, fmt.Errorf("booking: purge: %w", err)
			}
			n++
		}
	}
	return n, nil
}

// RunReminders calls SendReminders every interval until ctx ends.
func (s *Service) RunReminders(ctx context.Context, n Notifier, interval time.Duration, onErr func(error)) {
	every.Run(ctx, interval, true, func(ctx context.Context) {
		if _, err := s.SendReminders(ctx, n, time.Now()); err != nil && onErr != nil {
			onErr(err)
		}
	})
}

// CancelByOffice cancels the appointment with that code at place because
// the office cannot keep it (a closure in its own calendar): the user is
// told in their language, with a button to book another time, and the
// office's agenda gets the cancellation (SetOnCancel). The notice is
// once-only, so an operator's double press tells the user once.
func (s *Service) CancelByOffice(ctx context.Context, n Notifier, place, code string, now time.Time) (ledger.Booking, error) {
	st, b, err := s.officeBooking(ctx, place, code, now)
	if err != nil {
		return b, err
	}
	if _, err := st.Cancel(ctx, b.Conv, b.Code); err != nil {
		return b, fmt.Errorf("booking: cancel by office: %w", err)
	}
	s.cancelled(ctx, b)
	notice := s.officeNotice(b, "booking.cancelled_by_office", "office-cancel:",
		bot.NoticeOption{ID: "c:flow:booking", Label: "booking.book_again"})
	if err := n.Notify(ctx, b.Conv, notice); err != nil && !errors.Is(err, bot.ErrNoticeSent) && !errors.Is(err, bot.ErrNotFound) {
		// Cancelled all the same: the office is told the person could
		// not be reached (the error), and can call them.
		return b, fmt.Errorf("booking: the person could not be told: %w", err)
	}
	return b, nil
}

// AskToMove asks the person holding the appointment with that code at
// place to choose another time, because the office cannot keep it: they
// are told in their language, with a button to their appointments (where
// "move" is), and the appointment stays until they move or cancel it. The
// notice is once-only.
func (s *Service) AskToMove(ctx context.Context, n Notifier, place, code string, now time.Time) (ledger.Booking, error) {
	_, b, err := s.officeBooking(ctx, place, code, now)
	if err != nil {
		return b, err
	}
	notice := s.officeNotice(b, "booking.office_asks_move", "office-move:",
		bot.NoticeOption{ID: "c:flow:my_bookings", Label: "menu.my_bookings"})
	if err := n.Notify(ctx, b.Conv, notice); err != nil && !errors.Is(err, bot.ErrNoticeSent) {
		return b, fmt.Errorf("booking: the person could not be told: %w", err)
	}
	return b, nil
}

// officeBooking finds the appointment with that code at place, from now on.
func (s *Service) officeBooking(ctx context.Context, place, code string, now time.Time) (ledger.Store, ledger.Booking, error) {
	st, err := s.bookings()
	if err != nil {
		return nil, ledger.Booking{}, err
	}
	sc, ok := s.dir.Schedule(place)
	if !ok {
		return nil, ledger.Booking{}, ledger.ErrNoBooking
	}
	bs, err := st.Between(ctx, place, now.Add(-time.Hour), now.AddDate(0, 0, sc.AheadDays+2))
	if err != nil {
		return nil, ledger.Booking{}, fmt.Errorf("booking: the office's appointment: %w", err)
	}
	code = NormalizeCode(code)
	for _, b := range bs {
		if b.Code == code {
			return st, b, nil
		}
	}
	return nil, ledger.Booking{}, ledger.ErrNoBooking
}

// officeNotice is what the person is told of the office's decision about
// their appointment, with one button to act and one to the menu.
func (s *Service) officeNotice(b ledger.Booking, message, idPrefix string, act bot.NoticeOption) bot.Notice {
	name := b.Place
	if p, ok := s.dir.Place(b.Place); ok {
		name = p.Name
	}
	at := b.Start.In(knowledge.Rome)
	return bot.Notice{MessageID: message, ID: idPrefix + b.Code,
		Data:    map[string]string{"time": at.Format("15:04"), "date": at.Format("02/01"), "place": name, "code": b.Code},
		Options: []bot.NoticeOption{act, {ID: "c:menu", Label: "common.menu"}}}
}
