package flow

// say: say the texts, then go on to `next:` (a step with none of the other kinds' keys).
var sayStep = stepKind{
	kind:  KindSay,
	key:   "say",
	waits: false,
	has:   func(*Step) bool { return false },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		if s.Next.Name == "" {
			c.add(s.Pos, "no-next", "step %q does not say what comes next: add next:, options:, ask:, do:, switch:, goto:, handoff: or end: true", s.ID)
		}
		if len(s.Say) == 0 && len(s.Set) == 0 {
			c.warn(s.Pos, "empty-step", "step %q says nothing and only goes on to %q", s.ID, s.Next.Name)
		}
		n.Next = c.step(n.Flow, s.Next, "next")
	},
	run: func(_ Runner, n *Node) (*Node, bool, error) { return n.Next, false, nil },
}
