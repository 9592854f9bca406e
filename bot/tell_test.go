package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/store/memory"
)

// leaveFlows: the menu's one option runs an action that gives up a place,
// which the next on a waiting list gets.
var leaveFlows = fstest.MapFS{
	"menu.yaml": {Data: []byte(`{flow: menu, title: t.menu, start: main,
  steps: {main: {say: t.menu, options: [{label: t.leave, goto: leave}]}}}
`)},
	"leave.yaml": {Data: []byte(`flow: leave
title: t.leave
start: act
steps:
  act:
    do: test.leave
    on: {left: left}
  left:
    say: t.left
    end: true
`)},
}

// TestAnActionTellsOthersOnce: an action's notice for another conversation
// (the next on a waiting list) reaches them through the service after the
// turn, even when the turn's own save failed; the platform's redelivery of
// the message replays the action from its memo and tells nobody twice.
func TestAnActionTellsOthersOnce(t *testing.T) {
	var runs atomic.Int32
	leave := bot.Action{Name: "test.leave", Writes: true, Outcomes: []string{"left"},
		Run: func(context.Context, bot.ActionRequest) (bot.ActionResult, error) {
			n := runs.Add(1)
			return bot.ActionResult{Outcome: "left", Tell: []bot.Told{{Conv: "test:next",
				Notice: bot.Notice{MessageID: "t.promoted", ID: fmt.Sprintf("promoted@%d", n)}}}}, nil
		}}
	acts := bot.Actions{}
	acts.Register(leave)
	tr := idTexts{}
	prog, issues := flow.Load(leaveFlows, bot.CheckEnv(tr, acts), flow.Options{Require: []string{bot.MenuFlow}})
	if prog == nil {
		t.Fatal(issues)
	}
	st := &failingSave{Store: memory.New()}
	eng, err := bot.NewEngine(prog, tr, acts, nil, bot.Config{Memo: st})
	if err != nil {
		t.Fatal(err)
	}
	out := newRecorder()
	svc := bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender("test", out))
	ctx := context.Background()
	now := time.Now()
	for _, conv := range []string{"test:u", "test:next"} {
		b, err := (&bot.Session{State: bot.StateFlow, Lang: "en", Consent: now.Unix(), Updated: now.Unix()}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Save(ctx, conv, b, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Handle(ctx, bot.Inbound{Channel: "test", UserID: "u", ID: "m1", Text: "menu"}); err != nil {
		t.Fatal(err)
	}
	in := bot.Inbound{Channel: "test", UserID: "u", ID: "m2", Text: "1"}
	st.fail = true
	if err := svc.Handle(ctx, in); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("a turn whose save failed: %v", err)
	}
	if err := svc.Handle(ctx, in); err != nil { // the platform delivers it again
		t.Fatal(err)
	}
	if err := svc.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("the action ran %d times for one message", n)
	}
	if got := ids(out.take("next")); got != "t.promoted" {
		t.Errorf("the next on the list got %q, want one t.promoted", got)
	}
}
