package flow

// A stepKind is one kind of step, whole in its own file (kind_*.go): the
// key that makes a step of that kind, how it is checked and compiled, how
// the engine runs it, and how the graph draws it. Adding a kind is its
// file, a line in stepKinds and its keys in flows/schema.json.
type stepKind struct {
	kind Kind
	// key is the YAML key that makes a step of this kind ("say": none of
	// the others).
	key string
	// waits: the step stops and waits for the user (the engine asks and
	// reads the answer); run is then nil.
	waits bool
	has   func(s *Step) bool
	// compile checks the step as written and fills its node; notWith
	// reports a key that does nothing in this kind of step.
	compile func(c *compiler, s *Step, n *Node, notWith func(key string, set bool))
	// run runs a step that does not wait, after its texts are said: the
	// step that comes next, or stop when the turn ends here.
	run func(r Runner, n *Node) (next *Node, stop bool, err error)
	// draw is the step's shape in a Mermaid graph (nil: a box with its
	// first text).
	draw func(n *Node, id string, q func(string) string) string
}

// stepKinds are the kinds of step, in the order of Kind.
var stepKinds = [...]stepKind{sayStep, optionsStep, askStep, doStep, switchStep, gotoStep, handoffStep, endStep}

// Runner is what running a step needs from the engine (bot's turn).
type Runner interface {
	// Do runs the node's action and returns the step its outcome leads to.
	Do(n *Node) (*Node, error)
	// Vars are the conversation's variables, for conditions.
	Vars() map[string]string
	// FlowCompleted records that a flow reached its end.
	FlowCompleted(f *Flow)
	// Handoff passes the conversation to an operator for a reason.
	Handoff(reason string) error
	// Ended is where a flow that ends goes: the menu.
	Ended() *Node
}

// Run runs a step that does not wait (its texts already said): the next
// step, or stop when the turn ends with it.
func Run(r Runner, n *Node) (next *Node, stop bool, err error) {
	return stepKinds[n.Kind].run(r, n)
}

// keysOf lists which kind-deciding keys a step uses.
func keysOf(s *Step) []string {
	var ks []string
	for _, k := range stepKinds {
		if k.has(s) {
			ks = append(ks, k.key)
		}
	}
	return ks
}

func (k Kind) String() string { return stepKinds[k].key }

// Waits reports whether a step of this kind stops and waits for the user.
func (k Kind) Waits() bool { return stepKinds[k].waits }
