package flow

// goto: this flow is done; continue in another one.
var gotoStep = stepKind{
	kind:  KindGoto,
	key:   "goto",
	waits: false,
	has:   func(s *Step) bool { return s.Goto.Name != "" },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		notWith("next", s.Next.Name != "")
		n.Goto = c.flowRef(s.Goto)
	},
	run: func(r Runner, n *Node) (*Node, bool, error) {
		r.FlowCompleted(n.Flow)
		return n.Goto.Start, false, nil
	},
}
