package flow

import (
	"slices"
	"strings"
)

// do: run an action, then follow the step its outcome names (`on:`), else `next:`.
var doStep = stepKind{
	kind:  KindDo,
	key:   "do",
	waits: false,
	has:   func(s *Step) bool { return s.Do.Name != "" },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		n.Do = s.Do.Name
		n.With = c.args(s.With, s.Do.Pos, "with")
		n.On = map[string]*Node{}
		var outcomes []string
		known := true
		if c.env != nil {
			var info ActionInfo
			info, known = c.env.Action(s.Do.Name)
			outcomes = info.Outcomes
			for _, v := range info.Sets {
				c.saved[v] = true
			}
		}
		if !known {
			c.add(s.Do.Pos, "unknown-action", "unknown action %q", s.Do.Name)
		}
		for _, o := range s.On {
			if known && c.env != nil && !slices.Contains(outcomes, o.Name.Name) {
				c.add(o.Name.Pos, "unknown-outcome", "action %q has no outcome %q (it has: %s)", s.Do.Name, o.Name.Name, strings.Join(outcomes, ", "))
			}
			n.On[o.Name.Name] = c.step(n.Flow, o.Next, "on "+o.Name.Name)
		}
		n.Next = c.step(n.Flow, s.Next, "next")
		if known && s.Next.Name == "" {
			for _, o := range outcomes {
				if _, ok := n.On[o]; !ok {
					c.add(s.Do.Pos, "unhandled-outcome", "action %q can end in %q, which `on:` does not handle: add it, or a `next:` for all other outcomes", s.Do.Name, o)
				}
			}
		}
	},
	draw: func(n *Node, id string, q func(string) string) string { return id + "[[" + q(n.Do) + "]]" },
	run: func(r Runner, n *Node) (*Node, bool, error) {
		next, err := r.Do(n)
		return next, false, err
	},
}
