package flow

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// options: say the texts and wait for one of the options (a button, its number or its words).
var optionsStep = stepKind{
	kind:  KindOptions,
	key:   "options",
	waits: true,
	has:   func(s *Step) bool { return len(s.Options) > 0 },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		notWith("next", s.Next.Name != "")
		if len(s.Say) == 0 {
			c.warn(s.Pos, "no-question", "step %q offers options without saying anything first", s.ID)
		}
		// invalid: what a text that chooses none of the options gets
		// before the question again (default error.choose_option).
		n.Invalid = c.texts(s.Invalid)
		seen := map[string]bool{}
		for _, r := range s.Replies {
			seen["means:"+r.Means.Name] = true
		}
		c.replies(s, n)
		for _, o := range s.Options {
			ch := &Choice{ID: "o:" + n.Hash + ":" + strconv.Itoa(len(n.Options)+1), Label: c.message(o.Label), Set: c.args(o.Set, o.Pos, "set"), Means: o.Means.Name}
			if seen[o.Label.Name] && o.Label.Name != "" {
				c.add(o.Label.Pos, "duplicate-option", "option %q appears twice in step %q: users could not tell them apart", o.Label.Name, s.ID)
			}
			seen[o.Label.Name] = true
			if m := o.Means.Name; m != "" {
				if seen["means:"+m] {
					c.add(o.Means.Pos, "duplicate-meaning", "two options of step %q mean %q: a typed answer could not choose between them", s.ID, m)
				}
				seen["means:"+m] = true
			}
			ways := 0
			if o.Next.Name != "" {
				ways++
				ch.Next = c.step(n.Flow, o.Next, "next")
			}
			if o.Goto.Name != "" {
				ways++
				ch.Goto = c.flowRef(o.Goto)
			}
			if o.Command.Name != "" {
				ways++
				if !slices.Contains(Commands, o.Command.Name) {
					c.add(o.Command.Pos, "unknown-command", "unknown command %q (known: %s)", o.Command.Name, strings.Join(Commands, ", "))
				}
				ch.Command = o.Command.Name
			}
			switch {
			case ways == 0:
				c.add(o.Pos, "option-without-next", "option %q in step %q has no next: add next: (a step), goto: (a flow) or command:", o.Label.Name, s.ID)
			case ways > 1:
				c.add(o.Pos, "option-ambiguous", "option %q in step %q has more than one of next, goto and command", o.Label.Name, s.ID)
			}
			n.Options = append(n.Options, ch)
		}
		if len(s.Options) > 10 {
			c.warn(s.Pos, "too-many-options", "step %q offers %d options: WhatsApp lists show at most 10, and a long list is hard on a small phone", s.ID, len(s.Options))
		}
	},
}

// Its decoding.
func (d *decoder) options(n *yaml.Node) []*Option {
	return listOf(d, n, "options must be a list, not %s", func(item *yaml.Node) *Option {
		o := &Option{Pos: d.pos(item)}
		d.mapping(item, "an option", func(key string, k, v *yaml.Node) bool {
			switch key {
			case "label":
				o.Label = d.ref(v, "option label message id", msgIDRE)
			case "next":
				o.Next = d.ref(v, "next step", identRE)
			case "goto":
				o.Goto = d.ref(v, "goto flow", identRE)
			case "command":
				o.Command = d.ref(v, "command", identRE)
			case "set":
				o.Set = d.vars(v, "set")
			case "means":
				o.Means = d.ref(v, "meaning", identRE)
			default:
				return false
			}
			return true
		})
		if item.Kind == yaml.MappingNode && o.Label.Name == "" && !d.has(item, "label") {
			d.errorf(item, "missing-key", "option without `label:` (the message id shown on the button)")
		}
		return o
	})
}

// replies compiles a step's replies: the meanings typed instead of an
// answer that are answered in place, then the question again.
func (c *compiler) replies(s *Step, n *Node) {
	for _, r := range s.Replies {
		if n.Replies == nil {
			n.Replies = map[string]string{}
		}
		n.Replies[r.Means.Name] = c.message(r.Say)
	}
}
