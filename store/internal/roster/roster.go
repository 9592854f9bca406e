// Package roster is the enrolment rule shared by the stores: given an
// activity's enrolments in order of arrival, decide a join and a leave.
// The Redis store runs the same rule in Lua, atomically on the server
// (store/redis/enrolments.go); its TestEnrolmentRuleAgreesWithGo plays
// random joins and leaves, with the seats changing, on both and requires
// the same answers and rosters.
package roster

import (
	"slices"

	"teamsbot/bot"
)

// Sort orders enrolments: joined first, then waiting, each by arrival.
func Sort(es []bot.Enrolment) {
	slices.SortStableFunc(es, func(a, b bot.Enrolment) int {
		if a.Status != b.Status {
			if a.Status == bot.EnrolJoined {
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
func Join(es []bot.Enrolment, conv string, capacity int, waitlist bool) (status string, position int, err error) {
	joined, waiting := 0, 0
	for _, e := range es {
		if e.Conv == conv {
			return e.Status, 0, bot.ErrAlreadyEnrolled
		}
		if e.Status == bot.EnrolJoined {
			joined++
		} else {
			waiting++
		}
	}
	switch {
	case capacity <= 0 || joined < capacity:
		return bot.EnrolJoined, 0, nil
	case waitlist:
		return bot.EnrolWaiting, waiting + 1, nil
	}
	return "", 0, bot.ErrActivityFull
}

// Promote returns the index of the first waiting enrolment to promote after
// a leave, or -1.
func Promote(es []bot.Enrolment, capacity int) int {
	joined := 0
	first := -1
	for i, e := range es {
		if e.Status == bot.EnrolJoined {
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
