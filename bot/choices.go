package bot

import "strings"

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
// variables to set first, named by a label in the user's language.
type Route struct {
	Label string
	Flow  string
	Vars  map[string]string
}

// Router finds routes for words a user typed where the bot expected a
// choice: "rinnovo permesso di soggiorno" at the menu leads to the renewal
// guide. Package directory implements it over the knowledge of guides and
// places.
type Router interface {
	// Route returns the routes that match text, best first; none when
	// nothing matches well.
	Route(lang, text string) []Route
}
