package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"teamsbot/bot/flow"
)

// Action is a piece of Go that a flow step runs with `do:`. It reads the
// step's `with:` arguments and ends in one of its declared outcomes, which the
// step maps to next steps with `on:`.
type Action struct {
	Name string
	// Outcomes are every outcome Run can return; `teamsbot lint` checks that
	// flows handle each one.
	Outcomes []string
	// Sets lists the variables Run may set, so lint knows them.
	Sets []string
	// Writes marks an action that changes something outside the
	// conversation (a booking, an enrolment, a message to the desk): it runs
	// at most once per delivered message and step (see Config.Memo).
	Writes bool
	Run    func(ctx context.Context, req ActionRequest) (ActionResult, error)
}

// ActionRequest is what an action gets.
type ActionRequest struct {
	Lang string
	Args map[string]string
	// Vars are the conversation's variables (read only).
	Vars map[string]string
	Now  time.Time
	// Conversation is the conversation's key (channel:user), for actions
	// that reach the operators' desk or keep bookings. Never log it.
	Conversation string
	// T renders a locale message in the user's language, for actions that
	// compose texts (a list of places with today's hours).
	T func(id string, data map[string]string) string
}

// ActionResult is what an action returns.
type ActionResult struct {
	Outcome string
	// Set variables, visible to the following steps and messages.
	Set map[string]string
	// Say texts before the next step's.
	Say []Said
	// Tell are notices for other conversations (the next on a waiting
	// list, promoted by this user's leaving), sent once the turn is over,
	// outside this conversation's lock. Give them an ID: a replayed
	// result (a redelivered message) must not tell twice.
	Tell []Told
}

// Told is a notice for another conversation.
type Told struct {
	Conv   string
	Notice Notice
}

// Said is a text an action wants said: a locale message with data, or Raw
// text (an office's name, an address) shown as it is in every language.
type Said struct {
	ID   string
	Data map[string]string
	Raw  string
}

// Actions is a registry of actions by name.
type Actions map[string]Action

// Register adds actions; it panics on a duplicate name or an action without
// outcomes, which are programming errors found at start-up.
func (as Actions) Register(list ...Action) {
	for _, a := range list {
		if _, dup := as[a.Name]; dup {
			panic(fmt.Sprintf("bot: action %q registered twice", a.Name))
		}
		if len(a.Outcomes) == 0 || a.Run == nil {
			panic(fmt.Sprintf("bot: action %q needs outcomes and a Run function", a.Name))
		}
		as[a.Name] = a
	}
}

// Action implements flow.Env.
func (as Actions) Action(name string) (flow.ActionInfo, bool) {
	a, ok := as[name]
	if !ok {
		return flow.ActionInfo{}, false
	}
	return flow.ActionInfo{Outcomes: slices.Clone(a.Outcomes), Sets: slices.Clone(a.Sets)}, true
}
