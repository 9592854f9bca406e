package bot

import (
	"context"
	"errors"
	"time"
)

// Enrolment is a user's place in an activity: joined, or waiting.
type Enrolment struct {
	Activity string    `json:"activity"`
	Conv     string    `json:"conv"`
	Lang     string    `json:"lang"`
	Status   string    `json:"status"` // EnrolJoined or EnrolWaiting
	At       time.Time `json:"at"`
	Seq      uint64    `json:"seq"` // order of arrival, set by the store
}

// Enrolment statuses.
const (
	EnrolJoined  = "joined"
	EnrolWaiting = "waiting"
)

// Errors of Enrolments.
var (
	ErrAlreadyEnrolled = errors.New("already enrolled")
	ErrNotEnrolled     = errors.New("not enrolled")
	ErrActivityFull    = errors.New("the activity is full")
)

// Enrolments keeps who joined which activity. Join and Leave are atomic: the
// joined never exceed the capacity, however many join at once, and a freed
// place goes to the first on the waiting list (store/storetest proves it).
type Enrolments interface {
	// Join enrols e.Conv in e.Activity: joined while fewer than capacity
	// are (0: no limit), else waiting if waitlist, else ErrActivityFull.
	// It returns the status and, when waiting, the position (1 = next).
	Join(ctx context.Context, e Enrolment, capacity int, waitlist bool) (status string, position int, err error)
	// Leave removes the conversation from the activity; when that frees a
	// place, the first waiting is promoted and returned.
	Leave(ctx context.Context, activity, conv string, capacity int) (promoted *Enrolment, err error)
	// Enrolled lists a conversation's enrolments.
	Enrolled(ctx context.Context, conv string) ([]Enrolment, error)
	// Roster lists an activity's enrolments: joined, then waiting, each in
	// order of arrival.
	Roster(ctx context.Context, activity string) ([]Enrolment, error)
}
