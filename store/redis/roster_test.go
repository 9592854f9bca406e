package redis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"teamsbot/activities/roster"

	"teamsbot/store/memory"
)

// TestEnrolmentRuleAgreesWithGo: the join/wait/promote rule is written
// twice, in Go (store/internal/roster, used by the memory and embedded
// stores) and in this store's Lua scripts. Random sequences of joins,
// leaves and promotions, with the seats changing between calls as an association edits
// its activity, must give the same answers and the same rosters on both.
func TestEnrolmentRuleAgreesWithGo(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(40) {
		rd := open(t)
		mem := memory.New()
		rng := rand.New(rand.NewPCG(seed, 7))
		act := fmt.Sprintf("act-%d", seed)
		for step := range 60 {
			conv := fmt.Sprintf("telegram:%d", rng.IntN(8))
			capacity := rng.IntN(4) // 0: no limit
			where := fmt.Sprintf("seed %d step %d", seed, step)
			if rng.IntN(6) == 0 {
				p1, err1 := mem.Promote(ctx, act, capacity)
				p2, err2 := rd.Promote(ctx, act, capacity)
				if err1 != nil || err2 != nil || rosterString(p1) != rosterString(p2) {
					t.Fatalf("%s: promote(seats %d): Go %s (%v), Lua %s (%v)", where, capacity, rosterString(p1), err1, rosterString(p2), err2)
				}
			} else if rng.IntN(3) > 0 {
				waitlist := rng.IntN(4) > 0
				e := roster.Enrolment{Activity: act, Conv: conv, Lang: "it", At: time.Unix(1_800_000_000, 0)}
				s1, p1, err1 := mem.Join(ctx, e, capacity, waitlist)
				s2, p2, err2 := rd.Join(ctx, e, capacity, waitlist)
				if s1 != s2 && err1 == nil || p1 != p2 || !errors.Is(err2, err1) && err1 != err2 {
					t.Fatalf("%s: join(%s, seats %d, waitlist %v): Go %q %d %v, Lua %q %d %v", where, conv, capacity, waitlist, s1, p1, err1, s2, p2, err2)
				}
			} else {
				pr1, err1 := mem.Leave(ctx, act, conv, capacity)
				pr2, err2 := rd.Leave(ctx, act, conv, capacity)
				if !errors.Is(err2, err1) && err1 != err2 || (pr1 == nil) != (pr2 == nil) || pr1 != nil && pr1.Conv != pr2.Conv {
					t.Fatalf("%s: leave(%s, seats %d): Go promoted %v (%v), Lua %v (%v)", where, conv, capacity, who(pr1), err1, who(pr2), err2)
				}
			}
			r1, err := mem.Roster(ctx, act)
			if err != nil {
				t.Fatal(err)
			}
			r2, err := rd.Roster(ctx, act)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := rosterString(r1), rosterString(r2); a != b {
				t.Fatalf("%s: rosters differ:\n Go  %s\n Lua %s", where, a, b)
			}
		}
		rd.Close()
	}
}

func who(e *roster.Enrolment) string {
	if e == nil {
		return "nobody"
	}
	return e.Conv
}

func rosterString(es []roster.Enrolment) string {
	s := ""
	for _, e := range es {
		s += e.Conv + ":" + e.Status + " "
	}
	return s
}
