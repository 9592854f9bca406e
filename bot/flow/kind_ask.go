package flow

import (
	"slices"
	"strings"
)

// ask: say the texts and wait for a typed answer of a type (AskTypes), saved in a variable.
var askStep = stepKind{
	kind:  KindAsk,
	key:   "ask",
	waits: true,
	has:   func(s *Step) bool { return s.Ask.Name != "" },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		if _, ok := AskTypes[s.Ask.Name]; !ok {
			c.add(s.Ask.Pos, "unknown-ask", "unknown input type %q (known: %s)", s.Ask.Name, strings.Join(slices.Sorted(mapKeys(AskTypes)), ", "))
		}
		if s.Save.Name == "" {
			c.add(s.Pos, "ask-without-save", "step %q asks for %s but does not save it: add save: (a variable name)", s.ID, s.Ask.Name)
		}
		if s.Next.Name == "" {
			c.add(s.Pos, "no-next", "step %q asks for %s but does not say what comes next: add next:", s.ID, s.Ask.Name)
		}
		if (s.Min != nil || s.Max != nil) && !slices.Contains([]string{"number", "integer", "age", "text"}, s.Ask.Name) {
			c.add(s.Pos, "useless-key", "step %q: min and max apply to number, integer, age and text only", s.ID)
		}
		if s.Min != nil && s.Max != nil && *s.Min > *s.Max {
			c.add(s.Pos, "bad-range", "step %q: min %v is greater than max %v", s.ID, *s.Min, *s.Max)
		}
		if s.Ask.Name == "choice" && s.From.Name == "" {
			c.add(s.Pos, "choice-without-from", "step %q asks for a choice but does not say where the choices are: add from: (the variable an action filled)", s.ID)
		}
		if s.From.Name != "" {
			if s.Ask.Name != "choice" {
				c.add(s.From.Pos, "useless-key", "step %q: from: applies to ask: choice only", s.ID)
			}
			c.reads = append(c.reads, varRead{s.From.Name, s.From.Pos})
		}
		n.Ask, n.From, n.Save, n.Min, n.Max = s.Ask.Name, s.From.Name, s.Save.Name, s.Min, s.Max
		n.Invalid = c.texts(s.Invalid)
		if len(s.Replies) > 0 && s.Ask.Name == "text" {
			c.warn(s.Pos, "useless-key", "step %q: replies: never apply to ask: text, which takes any text", s.ID)
		}
		c.replies(s, n)
		n.Next = c.step(n.Flow, s.Next, "next")
	},
	draw: func(n *Node, id string, q func(string) string) string {
		return id + "[/" + q(n.ID+": "+n.Ask+" → "+n.Save) + "/]"
	},
}
