package school

import (
	"context"
	"testing"

	"teamsbot/bot"
)

func TestLevelForAge(t *testing.T) {
	for age, want := range map[int]string{0: Nursery, 2: Nursery, 3: Infant, 5: Infant, 6: Primary, 10: Primary,
		11: LowerSecondary, 13: LowerSecondary, 14: UpperSecondary, 17: UpperSecondary, 18: Adult, 40: Adult} {
		if got, err := LevelForAge(age); err != nil || got != want {
			t.Errorf("LevelForAge(%d) = %q, %v; want %q", age, got, err, want)
		}
	}
	if _, err := LevelForAge(-1); err == nil {
		t.Error("a negative age was accepted")
	}
}

func TestLevelAction(t *testing.T) {
	a := Actions()[0]
	res, err := a.Run(context.Background(), bot.ActionRequest{Args: map[string]string{"age": " 12 "}})
	if err != nil || res.Outcome != LowerSecondary || res.Set["school_level"] != LowerSecondary {
		t.Errorf("age 12: %+v, %v", res, err)
	}
	for _, bad := range []string{"", "twelve", "-3", "1e9x"} {
		if _, err := a.Run(context.Background(), bot.ActionRequest{Args: map[string]string{"age": bad}}); err == nil {
			t.Errorf("age %q accepted", bad)
		}
	}
}
