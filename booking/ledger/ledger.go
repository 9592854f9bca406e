// Package ledger is what the booking domain asks of a store: the record of
// an appointment, the store interface that keeps them, and the rule a
// booking is admitted by. Stores implement Store (store/memory,
// store/embedded, store/redis); package booking runs the flows on it.
//
// Import limits: the standard library only, so every store can import it.
package ledger

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

// Errors of Store.Book and Cancel.
var (
	// ErrSlotFull: every desk of that slot is taken.
	ErrSlotFull = errors.New("the slot is full")
	// ErrTooManyBookings: the user already holds the most future bookings
	// allowed at that place.
	ErrTooManyBookings = errors.New("too many bookings at this place")
	// ErrNoBooking: no booking with that code for this conversation.
	ErrNoBooking = errors.New("no such booking")
)

// Store keeps appointments. Book is atomic: with N concurrent attempts on
// a slot of capacity C, exactly C succeed (store/storetest proves it for
// every store).
type Store interface {
	// Book stores b if its slot (place and start) holds fewer than capacity
	// bookings and the conversation holds fewer than maxPerUser future
	// bookings (after now) at that place: Admit decides.
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

// Admit is the rule of Store.Book, given what the store counted inside its
// atomic section: the bookings already in the slot, and the conversation's
// future bookings at the place. The Redis store runs it in Lua
// (store/redis), and store/storetest holds every store to it.
func Admit(inSlot, mine, capacity, maxPerUser int) error {
	switch {
	case inSlot >= capacity:
		return ErrSlotFull
	case maxPerUser > 0 && mine >= maxPerUser:
		return ErrTooManyBookings
	}
	return nil
}
