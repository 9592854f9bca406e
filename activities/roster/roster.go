// Package roster is what the activities domain asks of a store: the record
// of a place in an activity (joined or waiting), the store interface that
// keeps them, and the rule of joining, waiting and being promoted. The
// memory and embedded stores apply the rule inside their own atomic
// section; the Redis store runs it as a Lua script, and its
// TestEnrolmentRuleAgreesWithGo plays random joins and leaves, with the
// seats changing, on both and requires the same answers and rosters.
//
// Import limits: the standard library only, so every store can import it.
package roster

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Enrolment is a user's place in an activity: joined, or waiting.
type Enrolment struct {
	Activity string    `json:"activity"`
	Conv     string    `json:"conv"`
	Lang     string    `json:"lang"`
	Status   string    `json:"status"` // Joined or Waiting
	At       time.Time `json:"at"`
	Seq      uint64    `json:"seq"` // order of arrival, set by the store
}

// Enrolment statuses.
const (
	Joined  = "joined"
	Waiting = "waiting"
)

// Errors of Store.
var (
	ErrAlreadyEnrolled = errors.New("already enrolled")
	ErrNotEnrolled     = errors.New("not enrolled")
	ErrActivityFull    = errors.New("the activity is full")
)

// Store keeps who joined which activity. Join and Leave are atomic: the
// joined never exceed the capacity, however many join at once, and a freed
// place goes to the first on the waiting list (store/storetest proves it).
type Store interface {
	// Join enrols e.Conv in e.Activity: joined while fewer than capacity
	// are (0: no limit), else waiting if waitlist, else ErrActivityFull.
	// It returns the status and, when waiting, the position (1 = next).
	Join(ctx context.Context, e Enrolment, capacity int, waitlist bool) (status string, position int, err error)
	// Leave removes the conversation from the activity; when that frees a
	// place, the first waiting is promoted and returned.
	Leave(ctx context.Context, activity, conv string, capacity int) (promoted *Enrolment, err error)
	// Promote gives the seats free at capacity (after the seats were
	// raised) to the first waiting, in order of arrival, and returns those
	// promoted.
	Promote(ctx context.Context, activity string, capacity int) ([]Enrolment, error)
	// Enrolled lists a conversation's enrolments.
	Enrolled(ctx context.Context, conv string) ([]Enrolment, error)
	// Roster lists an activity's enrolments: joined, then waiting, each in
	// order of arrival.
	Roster(ctx context.Context, activity string) ([]Enrolment, error)
}

// Sort orders enrolments: joined first, then waiting, each by arrival.
func Sort(es []Enrolment) {
	slices.SortStableFunc(es, func(a, b Enrolment) int {
		if a.Status != b.Status {
			if a.Status == Joined {
				return -1
			}
			return 1
		}
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
}

// Join decides the status of a newcomer given the current enrolments.
func Join(es []Enrolment, conv string, capacity int, waitlist bool) (status string, position int, err error) {
	joined, waiting := 0, 0
	for _, e := range es {
		if e.Conv == conv {
			return e.Status, 0, ErrAlreadyEnrolled
		}
		if e.Status == Joined {
			joined++
		} else {
			waiting++
		}
	}
	switch {
	case capacity <= 0 || joined < capacity:
		return Joined, 0, nil
	case waitlist:
		return Waiting, waiting + 1, nil
	}
	return "", 0, ErrActivityFull
}

// Promote returns the index of the first waiting enrolment to promote after
// a leave (a seat is free: the one left, or one added since), or -1.
func Promote(es []Enrolment, capacity int) int {
	joined := 0
	first := -1
	for i, e := range es {
		if e.Status == Joined {
			joined++
		} else if first < 0 || e.Seq < es[first].Seq {
			first = i
		}
	}
	if first < 0 || (capacity > 0 && joined >= capacity) {
		return -1
	}
	return first
}

// Fill promotes in es, in place, the first waiting while a seat is free at
// capacity, and returns the indexes of those promoted, in order.
func Fill(es []Enrolment, capacity int) []int {
	var out []int
	for {
		i := Promote(es, capacity)
		if i < 0 {
			return out
		}
		es[i].Status = Joined
		out = append(out, i)
	}
}
