package bot

import (
	"context"
	"strings"
)

// Choice is an option made at run time by an action (a guide found by a
// search, a place): the label shown, in the user's language, and the value
// saved when it is chosen.
type Choice struct {
	Value string
	Label string
}

// EncodeChoices stores choices in a variable, for a step with
// `ask: choice` and `from: <variable>`.
func EncodeChoices(cs []Choice) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(clean(c.Value))
		b.WriteByte('\t')
		b.WriteString(clean(c.Label))
	}
	return b.String()
}

// DecodeChoices reads choices stored by EncodeChoices.
func DecodeChoices(s string) []Choice {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	out := make([]Choice, 0, len(lines))
	for _, l := range lines {
		v, label, _ := strings.Cut(l, "\t")
		out = append(out, Choice{Value: v, Label: label})
	}
	return out
}

func clean(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}

// Route is where free words typed by a user can lead: a flow, with
// variables to set first, or a global command; named by a label in the
// user's language.
type Route struct {
	// Intent names the route for counting and evaluation
	// ("guides.permit_renewal", "commands.operator").
	Intent string
	Label  string
	Flow   string
	Vars   map[string]string
	// Command is a global command to run instead of a flow ("operator"),
	// or "thanks".
	Command string
	// Score is the route's probability (0–1).
	Score float64
}

// Scored is an intent with its probability, for evaluation and logs.
type Scored struct {
	Intent string
	P      float64
}

// Understanding is what a Router made of a text.
type Understanding struct {
	// Routes are where the text can lead, best first, at most three, never
	// two with the same label. None: the text was not understood.
	Routes []Route
	// Sure: follow Routes[0] at once. Otherwise the routes are offered
	// ("did you mean").
	Sure bool
	// Urgent: Sure only because Routes[0] is for someone in danger and
	// likely enough (the emergency numbers), not because the router is
	// sure of it: at a question in the middle of a flow ("phone
	// number?" under the offices found) it is offered instead.
	Urgent bool
	// Danger: the text holds a word of a life in danger ("uccid*", "mi
	// picchia"): the urgent guide, at once, before anything else (even
	// before the privacy notice, the emergency number is said).
	Danger bool
	// Lang is the language the text is written in, when the router is sure
	// of it and it is one the bot speaks.
	Lang string
	// Ranked are the best intents with their probabilities, and Known the
	// share of the text the router knew: diagnostics for `teamsbot eval`.
	Ranked []Scored
	Known  float64
	// Direct is set when the text matched a button's label or a command
	// word before any router was asked ("menu", "Prenota al PUA").
	Direct bool
	// PlaceOnly: the text is a comune's name and little more ("Prato",
	// "I live in Prato"): where the user is, whatever else it could mean.
	PlaceOnly bool
}

// Router finds where free words lead: "rinnovo permesso di soggiorno" at
// the menu leads to the renewal guide, "voglio parlare con una persona" to
// an operator. Package understand implements it with a classifier trained
// on the content's examples.
type Router interface {
	// Understand reads text written by a user whose conversation is in
	// lang. It must return quickly: it runs inside a turn.
	Understand(ctx context.Context, lang, text string) Understanding
}

// Ordinals are the meanings every list understands, its first, second and
// third item ("il primo", "第二个", "pehla wala"): the engine's own, taught
// in the answers examples like the options' meanings.
var Ordinals = []string{"first", "second", "third"}

// AnswerReader is a Router that also reads a typed answer in the terms of
// the question's options: "dove vado?" at "What now? 1. Where do I go?"
// is the option that means "where" (flow option means:).
type AnswerReader interface {
	// Means returns the one of meanings text says and nothing else, or
	// false.
	Means(text string, meanings []string) (string, bool)
}
