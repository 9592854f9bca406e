package flow

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Program is the compiled content: every flow, with every reference resolved
// to a pointer.
//
// Why this shape: a turn runs a handful of steps, and what costs time in a
// chat engine is per-turn work on strings and maps. Compiling once at load
// time means a turn follows pointers (Next, On, Branches) instead of looking
// up step names, evaluates conditions as pre-built closures instead of parsing
// them, and fills templates from pre-split parts. Only the entry point — the
// (flow, step) names kept in the session, which must survive a content change
// — is a map lookup.
type Program struct {
	flows map[string]*Flow
	order []*Flow
}

// Flow returns the compiled flow with that id.
func (p *Program) Flow(id string) (*Flow, bool) {
	f, ok := p.flows[id]
	return f, ok
}

// Flows returns every flow, in file order.
func (p *Program) Flows() []*Flow { return p.order }

// Node returns a step by flow and step id; ok is false when content no longer
// has it.
func (p *Program) Node(flowID, stepID string) (*Node, bool) {
	f, ok := p.flows[flowID]
	if !ok {
		return nil, false
	}
	n, ok := f.nodes[stepID]
	return n, ok
}

// NodeByHash finds the step whose Hash is h (for buttons of old messages).
func (p *Program) NodeByHash(h string) (*Node, bool) {
	for _, f := range p.order {
		for _, n := range f.list {
			if n.Hash == h {
				return n, true
			}
		}
	}
	return nil, false
}

// Flow is a compiled flow.
type Flow struct {
	ID    string
	Title string // message id, may be ""
	File  string
	Start *Node
	nodes map[string]*Node
	list  []*Node
}

// Nodes returns the flow's steps in file order.
func (f *Flow) Nodes() []*Node { return f.list }

// Node is a compiled step.
type Node struct {
	Flow *Flow
	ID   string
	Kind Kind
	// Hash is a short, stable name of the step (8 hex digits of FNV-1a of
	// "flow/step"), used in option ids so a button pressed on an old message
	// can be told apart from one of the current question.
	Hash string
	Line int

	Say []Message

	Options []*Choice
	// Replies map a meaning typed at the options, or instead of a typed
	// answer, to the message that answers it in place (the step's
	// replies:).
	Replies map[string]string

	Ask     string
	From    string // ask: choice: the variable holding the choices
	Save    string
	Invalid []Message
	Min     *float64
	Max     *float64

	Do   string
	With []Arg
	On   map[string]*Node

	Branches []Branch

	Goto    *Flow
	Handoff string
	Next    *Node
	Set     []Arg
}

// Message is a compiled `say:` item.
type Message struct {
	ID   string
	Data []Arg
}

// Choice is a compiled option.
type Choice struct {
	// ID is the option's button id, "o:<step hash>:<number>": short enough
	// for Telegram's 64-byte callback data, and tied to its question so a
	// button of an old message is recognised.
	ID      string
	Label   string // message id
	Next    *Node
	Goto    *Flow
	Command string
	Set     []Arg
	// Means is what a user types to choose it in their own words (the
	// option's means:), or "".
	Means string
}

// Branch is a compiled switch arm; a nil Cond always holds.
type Branch struct {
	Cond *Cond
	Next *Node
}

// Arg is a name and a template value.
type Arg struct {
	Name  string
	Value Template
}

// Template is a value with "{variable}" holes, split once at load time.
type Template struct {
	parts []tmplPart
}

type tmplPart struct {
	lit   string
	isVar bool
}

// ParseTemplate splits s on {name} holes. "{{" and "}}" stand for braces.
func ParseTemplate(s string) (Template, error) {
	var t Template
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return t, &CondError{Col: i + 1, Msg: "`{` without `}`: write {variable}, or {{ for a brace"}
			}
			name := s[i+1 : i+j]
			if !identRE.MatchString(name) {
				return t, &CondError{Col: i + 1, Msg: "{" + name + "} is not a variable name"}
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, tmplPart{lit: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, tmplPart{lit: name, isVar: true})
			i += j
		case c == '}':
			return t, &CondError{Col: i + 1, Msg: "`}` without `{`: write }} for a brace"}
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 || len(t.parts) == 0 {
		t.parts = append(t.parts, tmplPart{lit: lit.String()})
	}
	return t, nil
}

// Render fills the template from vars; an unset variable renders as "".
func (t Template) Render(vars map[string]string) string {
	if len(t.parts) == 1 {
		if t.parts[0].isVar {
			return vars[t.parts[0].lit]
		}
		return t.parts[0].lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.isVar {
			b.WriteString(vars[p.lit])
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// Vars lists the variables the template reads.
func (t Template) Vars() []string {
	var out []string
	for _, p := range t.parts {
		if p.isVar {
			out = append(out, p.lit)
		}
	}
	return out
}

func stepHash(flowID, stepID string) string {
	h := fnv.New32a()
	h.Write([]byte(flowID))
	h.Write([]byte{'/'})
	h.Write([]byte(stepID))
	s := strconv.FormatUint(uint64(h.Sum32()), 16)
	return strings.Repeat("0", 8-len(s)) + s
}
