package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
)

// The conversation lifecycle, as a state machine:
//
//	new ──ask_language──▶ language ──choose_language──▶ privacy ──accept──▶ flow
//	 └───skip_language (platform hint) ─────────────────▶ ▲  └─decline─▶ new
//	flow ──change_language──▶ language ──resume──▶ flow     (already consented)
//	flow ──handoff──▶ waiting ──operator_joins──▶ operator
//	waiting, operator ──give_back──▶ flow
//	any ──reset──▶ new                                      (forget, decline)
//
// Steps inside a flow are not lifecycle states: they are compiled flow nodes
// (package flow), run by the engine. The lifecycle says which kind of turn
// this is; the flow says what to say.
var lifecycleEvents = fsm.Events{
	{Name: "ask_language", Src: []string{StateNew}, Dst: StateLanguage},
	{Name: "skip_language", Src: []string{StateNew}, Dst: StatePrivacy},
	{Name: "choose_language", Src: []string{StateLanguage}, Dst: StatePrivacy},
	{Name: "accept", Src: []string{StatePrivacy}, Dst: StateFlow},
	{Name: "decline", Src: []string{StatePrivacy}, Dst: StateNew},
	{Name: "change_language", Src: []string{StateFlow, StatePrivacy, StateLanguage}, Dst: StateLanguage},
	{Name: "resume", Src: []string{StateLanguage}, Dst: StateFlow},
	{Name: "handoff", Src: []string{StateFlow}, Dst: StateWaiting},
	{Name: "operator_joins", Src: []string{StateWaiting}, Dst: StateOperator},
	{Name: "give_back", Src: []string{StateWaiting, StateOperator}, Dst: StateFlow},
	{Name: "reset", Src: []string{StateNew, StateLanguage, StatePrivacy, StateFlow, StateWaiting, StateOperator}, Dst: StateNew},
}

// transition moves the session's lifecycle by event. The FSM is built only
// when the lifecycle changes (a few turns per conversation), not on every
// turn: building one costs about 5 µs and 16 allocations, a quarter of a
// whole turn's budget.
func transition(ctx context.Context, s *Session, event string) error {
	f := fsm.NewFSM(s.State, lifecycleEvents, nil)
	if err := f.Event(ctx, event); err != nil {
		var same fsm.NoTransitionError
		if errors.As(err, &same) {
			return nil
		}
		return fmt.Errorf("lifecycle %s from %s: %w", event, s.State, err)
	}
	s.State = f.Current()
	return nil
}
