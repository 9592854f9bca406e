package flow

// handoff: pass the conversation to an operator (its texts are said only when there is one).
var handoffStep = stepKind{
	kind:  KindHandoff,
	key:   "handoff",
	waits: false,
	has:   func(s *Step) bool { return s.Handoff.Name != "" },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		notWith("next", s.Next.Name != "")
		n.Handoff = s.Handoff.Name
	},
	draw: func(n *Node, id string, q func(string) string) string {
		return id + ">" + q("operator: "+n.Handoff) + "]"
	},
	run: func(r Runner, n *Node) (*Node, bool, error) { return nil, true, r.Handoff(n.Handoff) },
}
