package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"teamsbot/bot"
	"teamsbot/bot/flow"
)

// The engine's own tests run over small flows written here, not the
// production content: what they check does not move when a content team
// edits the menu.

// idTexts is a Translator that renders a message as its id (and its data),
// so the tests read what the engine chose to say.
type idTexts struct{}

func (idTexts) Text(_, id string, data map[string]string) string {
	if v, ok := data["n"]; ok {
		return id + ":" + v
	}
	return id
}
func (idTexts) Has(string) bool { return true }
func (idTexts) Languages() []bot.Language {
	return []bot.Language{{Code: "en", Name: "English"}, {Code: "it", Name: "Italiano"}}
}
func (idTexts) Match(hint string) (string, bool) {
	if hint == "en" || hint == "it" {
		return hint, true
	}
	return "", false
}

var smallFlows = fstest.MapFS{
	"menu.yaml": {Data: []byte(`flow: menu
title: t.menu
start: main
steps:
  main:
    say: t.menu
    options:
      - label: t.visit
        goto: visit
      - label: t.count
        goto: count
`)},
	"visit.yaml": {Data: []byte(`flow: visit
title: t.visit
start: pick
steps:
  pick:
    say: t.pick
    options:
      - label: t.morning
        set: {when: morning}
        next: done
      - label: t.evening
        set: {when: evening}
        next: done
  done:
    say: t.done
    end: true
`)},
	"count.yaml": {Data: []byte(`flow: count
title: t.count
start: how_many
steps:
  how_many:
    say: t.how_many
    ask: integer
    min: 1
    max: 9
    save: n
    invalid: t.one_to_nine
    next: said
  said:
    say:
      - id: t.got
        data: {n: "{n}"}
    end: true
`)},
}

// small is an engine over smallFlows and a conversation already past the
// language question and the privacy notice.
type small struct {
	e    *bot.Engine
	s    *bot.Session
	n    int
	now  time.Time
	last []bot.Reply // what the engine last said
}

func newSmall(t *testing.T) *small {
	t.Helper()
	tr := idTexts{}
	prog, issues := flow.Load(smallFlows, bot.CheckEnv(tr, bot.Actions{}), flow.Options{Require: []string{bot.MenuFlow}})
	if prog == nil {
		t.Fatal(issues)
	}
	e, err := bot.NewEngine(prog, tr, bot.Actions{}, nil, bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	return &small{e: e, s: &bot.Session{State: bot.StateFlow, Lang: "en", Consent: now.Unix(), Updated: now.Unix()}, now: now}
}

// say steps the engine with a typed text, or a pressed button when text
// starts with "press:", and returns what it said, message ids joined.
func (c *small) say(t *testing.T, text string) string {
	t.Helper()
	c.n++
	in := bot.Inbound{Channel: "test", UserID: "u", ID: fmt.Sprintf("m%d", c.n), Text: text}
	if id, ok := strings.CutPrefix(text, "press:"); ok {
		in.Text, in.Option = "", id
	}
	turn, err := c.e.Step(context.Background(), c.s, in, c.now)
	if err != nil {
		t.Fatal(err)
	}
	c.last = turn.Replies
	var out []string
	for _, r := range turn.Replies {
		out = append(out, r.MessageIDs...)
	}
	return strings.Join(out, " ")
}

// TestOptionsByNumberLabelAndButton: an option is chosen by its number, by
// its label as shown, or by its button; the variables it sets reach the
// next step, and the flow ends at the menu.
func TestOptionsByNumberLabelAndButton(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]string{"number": "2", "label": "t.evening", "label in capitals": "T.EVENING"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newSmall(t)
			c.say(t, "menu")
			if got := c.say(t, "1"); got != "t.pick" {
				t.Fatalf("menu 1: %s, want t.pick", got)
			}
			if got := c.say(t, answer); got != "t.done t.menu" {
				t.Fatalf("%q: %s, want t.done then the menu", answer, got)
			}
			if c.s.Vars["when"] != "evening" {
				t.Errorf("when = %q, want evening", c.s.Vars["when"])
			}
		})
	}
	c := newSmall(t)
	c.say(t, "menu")
	c.say(t, "1")
	if got := c.say(t, "press:"+button(t, c.last, "t.morning")); got != "t.done t.menu" || c.s.Vars["when"] != "morning" {
		t.Errorf("button: %s, when = %q", got, c.s.Vars["when"])
	}
}

// TestTypedValueChecked: a typed number outside its bounds is asked again
// with the flow's own message; a valid one is saved and said back.
func TestTypedValueChecked(t *testing.T) {
	t.Parallel()
	c := newSmall(t)
	c.say(t, "menu")
	if got := c.say(t, "2"); got != "t.how_many" {
		t.Fatalf("menu 2: %s", got)
	}
	if got := c.say(t, "12"); !strings.HasPrefix(got, "t.one_to_nine") {
		t.Fatalf("12: %s, want t.one_to_nine", got)
	}
	if got := c.say(t, "7"); got != "t.got t.menu" || c.s.Vars["n"] != "7" {
		t.Fatalf("7: %s, n = %q", got, c.s.Vars["n"])
	}
}

// TestBackReturnsToTheLastQuestion: "back" asks the previous question
// again.
func TestBackReturnsToTheLastQuestion(t *testing.T) {
	t.Parallel()
	c := newSmall(t)
	c.say(t, "menu")
	c.say(t, "1")
	if got := c.say(t, "back"); got != "t.menu" {
		t.Fatalf("back from t.pick: %s, want t.menu", got)
	}
	if got := c.say(t, "1"); got != "t.pick" {
		t.Fatalf("after back, 1: %s", got)
	}
}

// TestMissesLeadToAWayOut: answers that match nothing are told so, and
// after the configured number of misses the user is offered a way out
// (never a dead end).
func TestMissesLeadToAWayOut(t *testing.T) {
	t.Parallel()
	c := newSmall(t)
	c.say(t, "menu")
	c.say(t, "1")
	var last string
	for range 3 {
		last = c.say(t, "zzz")
	}
	if !strings.Contains(last, "fallback.stuck") {
		t.Errorf("third miss: %s, want fallback.stuck", last)
	}
}
