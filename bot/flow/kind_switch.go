package flow

import (
	"errors"

	"go.yaml.in/yaml/v3"
)

// switch: go on to the first branch whose condition holds on the variables.
var switchStep = stepKind{
	kind:  KindSwitch,
	key:   "switch",
	waits: false,
	has:   func(s *Step) bool { return len(s.Switch) > 0 },
	compile: func(c *compiler, s *Step, n *Node, notWith func(key string, set bool)) {
		for i, b := range s.Switch {
			br := Branch{Next: c.step(n.Flow, b.Next, "switch next")}
			if b.Next.Name == "" {
				c.add(b.Pos, "no-next", "switch branch without next:")
			}
			if b.If != "" {
				cond, err := ParseCond(b.If)
				if err != nil {
					p := b.IfAt
					var ce *CondError
					if errors.As(err, &ce) {
						p.Col += ce.Col - 1
					}
					c.add(p, "bad-condition", "condition %q: %v", b.If, err)
				} else {
					br.Cond = cond
					for _, v := range cond.Vars() {
						c.reads = append(c.reads, varRead{v, b.IfAt})
					}
				}
			} else if i < len(s.Switch)-1 {
				c.add(b.Pos, "unreachable-branch", "a branch without if: always holds, so the branches after it are never taken: move it last")
			}
			n.Branches = append(n.Branches, br)
		}
		if last := s.Switch[len(s.Switch)-1]; last.If != "" && s.Next.Name == "" {
			c.add(s.Pos, "switch-without-default", "step %q: when no condition holds the switch has nowhere to go: end it with a branch without if:", s.ID)
		}
		n.Next = c.step(n.Flow, s.Next, "next")
	},
	draw: func(n *Node, id string, q func(string) string) string { return id + "{" + q(n.ID) + "}" },
	run: func(r Runner, n *Node) (*Node, bool, error) {
		for _, b := range n.Branches {
			if b.Cond == nil || b.Cond.Eval(r.Vars()) {
				return b.Next, false, nil
			}
		}
		return n.Next, false, nil
	},
}

// Its decoding.
func (d *decoder) branches(n *yaml.Node) []*Case {
	return listOf(d, n, "switch must be a list of `- if: ... next: ...`, not %s", func(item *yaml.Node) *Case {
		b := &Case{Pos: d.pos(item)}
		d.mapping(item, "a switch branch", func(key string, k, v *yaml.Node) bool {
			switch key {
			case "if":
				if s, ok := d.scalar(v, "if"); ok {
					b.If, b.IfAt = s, d.pos(v)
				}
			case "next":
				b.Next = d.ref(v, "next step", identRE)
			default:
				return false
			}
			return true
		})
		return b
	})
}
