package flow

// end: the flow is done; back to the menu.
var endStep = stepKind{
	kind:  KindEnd,
	key:   "end",
	waits: false,
	has:   func(s *Step) bool { return s.End },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		notWith("next", s.Next.Name != "")
	},
	draw: func(n *Node, id string, q func(string) string) string { return id + "(((" + q(n.ID) + ")))" },
	run: func(r Runner, n *Node) (*Node, bool, error) {
		r.FlowCompleted(n.Flow)
		return r.Ended(), false, nil
	},
}
