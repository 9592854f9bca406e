package flow

import (
	"fmt"
	"slices"
	"strings"
)

// Mermaid renders a flow as a Mermaid flowchart. label turns a message id
// into the text to show (pass nil to show the ids). Steps of other flows that
// the flow jumps to are drawn as rounded nodes.
func Mermaid(f *Flow, label func(id string) string) string {
	if label == nil {
		label = func(id string) string { return id }
	}
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	id := func(n *Node) string { return n.Flow.ID + "_" + n.ID }
	q := func(s string) string {
		s = strings.NewReplacer(`"`, "#quot;", "\n", " ", "<", "#lt;", ">", "#gt;").Replace(s)
		if r := []rune(s); len(r) > 40 {
			s = string(r[:39]) + "…"
		}
		return `"` + s + `"`
	}
	external := map[string]bool{}
	ext := func(fl *Flow) string {
		name := "flow_" + fl.ID
		if !external[name] {
			external[name] = true
			fmt.Fprintf(&b, "  %s([%s])\n", name, q("→ "+fl.ID))
		}
		return name
	}
	fmt.Fprintf(&b, "  start((start)) --> %s\n", id(f.Start))
	for _, n := range f.list {
		text := n.ID
		if len(n.Say) > 0 {
			text = label(n.Say[0].ID)
		}
		if draw := stepKinds[n.Kind].draw; draw != nil {
			fmt.Fprintf(&b, "  %s\n", draw(n, id(n), q))
		} else {
			fmt.Fprintf(&b, "  %s[%s]\n", id(n), q(text))
		}
		edge := func(to, lbl string) {
			if lbl == "" {
				fmt.Fprintf(&b, "  %s --> %s\n", id(n), to)
			} else {
				fmt.Fprintf(&b, "  %s -- %s --> %s\n", id(n), q(lbl), to)
			}
		}
		if n.Next != nil {
			edge(id(n.Next), "")
		}
		for _, o := range n.Options {
			switch {
			case o.Next != nil:
				edge(id(o.Next), label(o.Label))
			case o.Goto != nil:
				edge(ext(o.Goto), label(o.Label))
			case o.Command != "":
				edge(ext(&Flow{ID: "/" + o.Command}), label(o.Label))
			}
		}
		for _, k := range slices.Sorted(mapKeys(n.On)) {
			if t := n.On[k]; t != nil {
				edge(id(t), k)
			}
		}
		for _, br := range n.Branches {
			if br.Next == nil {
				continue
			}
			lbl := "else"
			if br.Cond != nil {
				lbl = br.Cond.String()
			}
			edge(id(br.Next), lbl)
		}
		if n.Goto != nil {
			edge(ext(n.Goto), "")
		}
	}
	return b.String()
}
