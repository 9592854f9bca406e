// Package school holds the domain rules of the school flow: which school
// level a child of a given age belongs to in Italy. It registers its actions
// with the engine; it does no I/O.
//
// Import limits: bot and the standard library.
package school

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"teamsbot/bot"
)

// Levels of the Italian school system, as action outcomes.
const (
	Nursery        = "nursery"         // asilo nido, 0–2, not compulsory
	Infant         = "infant"          // scuola dell'infanzia, 3–5, not compulsory
	Primary        = "primary"         // scuola primaria, 6–10, compulsory
	LowerSecondary = "lower_secondary" // scuola secondaria di I grado, 11–13, compulsory
	UpperSecondary = "upper_secondary" // secondaria di II grado or vocational training, 14–17
	Adult          = "adult"           // 18 and over: CPIA
)

// LevelForAge maps an age in completed years to the school level that
// normally takes a child of that age. The school places a newly arrived pupil
// by age, possibly one class lower (DPR 394/1999 art. 45); by calendar year of
// birth the boundaries can move by one year, which the flow's texts say.
func LevelForAge(age int) (string, error) {
	switch {
	case age < 0:
		return "", fmt.Errorf("age %d is negative", age)
	case age < 3:
		return Nursery, nil
	case age < 6:
		return Infant, nil
	case age < 11:
		return Primary, nil
	case age < 14:
		return LowerSecondary, nil
	case age < 18:
		return UpperSecondary, nil
	default:
		return Adult, nil
	}
}

// Actions returns the school actions for the engine's registry.
//
//	level:
//	  do: school.level
//	  with: {age: "{child_age}"}
//	  on: {nursery: a, infant: b, primary: c, lower_secondary: d, upper_secondary: e, adult: f}
//
// It also sets the variable school_level to the outcome.
func Actions() []bot.Action {
	return []bot.Action{{
		Name:     "school.level",
		Outcomes: []string{Nursery, Infant, Primary, LowerSecondary, UpperSecondary, Adult},
		Sets:     []string{"school_level"},
		Run: func(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
			age, err := strconv.Atoi(strings.TrimSpace(req.Args["age"]))
			if err != nil {
				return bot.ActionResult{}, fmt.Errorf("school.level: age %q is not a whole number", req.Args["age"])
			}
			level, err := LevelForAge(age)
			if err != nil {
				return bot.ActionResult{}, fmt.Errorf("school.level: %w", err)
			}
			return bot.ActionResult{Outcome: level, Set: map[string]string{"school_level": level}}, nil
		},
	}}
}
