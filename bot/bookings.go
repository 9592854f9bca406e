package bot

import (
	"context"
	"errors"
	"time"
)

// Booking is an appointment at a place (a PUA).
type Booking struct {
	Code     string    `json:"code"` // easy to read aloud: no 0/O, 1/I
	Conv     string    `json:"conv"` // the conversation that booked it
	Place    string    `json:"place"`
	Service  string    `json:"service"`
	Lang     string    `json:"lang"`
	Start    time.Time `json:"start"`
	Minutes  int       `json:"minutes"`
	Mediator bool      `json:"mediator"`
}

// Errors of Bookings.Book and Cancel.
var (
	// ErrSlotFull: every desk of that slot is taken.
	ErrSlotFull = errors.New("the slot is full")
	// ErrTooManyBookings: the user already holds the most future bookings
	// allowed at that place.
	ErrTooManyBookings = errors.New("too many bookings at this place")
	// ErrNoBooking: no booking with that code for this conversation.
	ErrNoBooking = errors.New("no such booking")
)

// Bookings keeps appointments. Book is atomic: with N concurrent attempts on
// a slot of capacity C, exactly C succeed (store/storetest proves it for
// every store).
type Bookings interface {
	// Book stores b if its slot (place and start) holds fewer than capacity
	// bookings and the conversation holds fewer than maxPerUser future
	// bookings (after now) at that place.
	Book(ctx context.Context, b Booking, capacity, maxPerUser int, now time.Time) error
	// Cancel deletes the conversation's booking with that code and returns
	// it; ErrNoBooking when there is none (or it is someone else's).
	Cancel(ctx context.Context, conv, code string) (Booking, error)
	// Upcoming lists the conversation's bookings that start after now,
	// soonest first.
	Upcoming(ctx context.Context, conv string, now time.Time) ([]Booking, error)
	// Between lists a place's bookings that start in [from, to), by start.
	Between(ctx context.Context, place string, from, to time.Time) ([]Booking, error)
}
