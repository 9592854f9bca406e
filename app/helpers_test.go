package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"teamsbot/activities/roster"
	"teamsbot/booking/ledger"

	"teamsbot/bot"
)

type downStore struct{}

func (downStore) Load(context.Context, string) ([]byte, error) { return nil, errors.New("down") }
func (downStore) Save(context.Context, string, []byte, time.Duration) error {
	return errors.New("down")
}
func (downStore) FirstSeen(context.Context, string, string, time.Duration) (bool, error) {
	return false, errors.New("down")
}
func (downStore) Lock(context.Context, string, time.Duration) (func(), error) {
	return nil, errors.New("down")
}
func (downStore) Forget(context.Context, string) error { return errors.New("down") }
func (downStore) Ping(context.Context) error           { return errors.New("down") }
func (downStore) Close() error                         { return nil }
func (downStore) Book(context.Context, ledger.Booking, int, int, time.Time) error {
	return errors.New("down")
}
func (downStore) Cancel(context.Context, string, string) (ledger.Booking, error) {
	return ledger.Booking{}, errors.New("down")
}
func (downStore) Upcoming(context.Context, string, time.Time) ([]ledger.Booking, error) {
	return nil, errors.New("down")
}
func (downStore) Between(context.Context, string, time.Time, time.Time) ([]ledger.Booking, error) {
	return nil, errors.New("down")
}
func (downStore) Join(context.Context, roster.Enrolment, int, bool) (string, int, error) {
	return "", 0, errors.New("down")
}
func (downStore) Leave(context.Context, string, string, int) (*roster.Enrolment, error) {
	return nil, errors.New("down")
}
func (downStore) Enrolled(context.Context, string) ([]roster.Enrolment, error) {
	return nil, errors.New("down")
}
func (downStore) Promote(context.Context, string, int) ([]roster.Enrolment, error) {
	return nil, errors.New("down")
}
func (downStore) Roster(context.Context, string) ([]roster.Enrolment, error) {
	return nil, errors.New("down")
}

func (downStore) SaveOutbox(context.Context, string, []byte, time.Duration, bot.OutboxMark) error {
	return errors.New("down")
}
func (downStore) ClaimOutboxes(context.Context, time.Time, time.Duration, int) ([]string, error) {
	return nil, errors.New("down")
}
func (downStore) FailedOutboxes(context.Context, int, time.Time) ([]string, error) {
	return nil, errors.New("down")
}

func (downStore) QueuePut(context.Context, string, string, int64) error { return errors.New("down") }
func (downStore) QueueDrop(context.Context, string, string) error       { return errors.New("down") }
func (downStore) QueueList(context.Context, string) ([]string, error) {
	return nil, errors.New("down")
}

var _ Store = downStore{}

type recorder struct {
	header http.Header
	code   int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	r.body = append(r.body, b...)
	return len(b), nil
}
func (r *recorder) WriteHeader(code int) { r.code = code }
