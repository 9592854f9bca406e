package flow

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"teamsbot/internal/editdist"
)

// Env is what the checker needs to know about the world outside the flows:
// which message ids exist and which actions are registered. Package bot
// implements it from the locale catalogue and the action registry.
type Env interface {
	// HasMessage reports whether the reference language has message id.
	HasMessage(id string) bool
	// Action describes a registered action.
	Action(name string) (ActionInfo, bool)
}

// ActionInfo is what the checker knows of an action.
type ActionInfo struct {
	// Outcomes are every outcome the action can end in.
	Outcomes []string
	// Sets are the variables the action sets.
	Sets []string
}

// Builtin variables the engine sets; conditions may read them without any
// flow saving them. place_said is "yes" while the flow a sentence led to
// takes its first steps (until it waits) when the sentence named a comune,
// whose place_* variables are set: a flow can tell it from a place an
// earlier search left in the session.
var Builtin = []string{"lang", "channel", "place_said"}

// Options tune Load.
type Options struct {
	// Require lists flow ids that must exist (the engine needs "menu").
	Require []string
}

// Load reads every *.yaml file in the root of fsys except conversation tests
// (*_test.yaml), checks them against env and compiles them. The Program is nil
// when any issue is an Error; warnings come back with a Program.
func Load(fsys fs.FS, env Env, opts Options) (*Program, Issues) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, Issues{{File: ".", Severity: Error, Code: "read", Msg: err.Error()}}
	}
	var files []*File
	var issues Issues
	for _, name := range names {
		if strings.HasSuffix(name, "_test.yaml") || name == LinksFile {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			issues = append(issues, Issue{File: name, Severity: Error, Code: "read", Msg: err.Error()})
			continue
		}
		f, is := Decode(name, data)
		issues = append(issues, is...)
		files = append(files, f)
	}
	prog, is := Compile(files, env, opts)
	issues = append(issues, is...)
	issues.Sort()
	if len(issues.Errors()) > 0 {
		return nil, issues
	}
	return prog, issues
}

// Compile checks decoded files together and builds the Program.
func Compile(files []*File, env Env, opts Options) (*Program, Issues) {
	c := &compiler{env: env, prog: &Program{flows: map[string]*Flow{}}, src: map[*Node]*Step{}}
	c.declare(files)
	for _, id := range opts.Require {
		if _, ok := c.prog.flows[id]; !ok {
			c.issues = append(c.issues, Issue{File: id + ".yaml", Severity: Error, Code: "missing-flow",
				Msg: fmt.Sprintf("flow %q is required but no file defines it", id)})
		}
	}
	for _, f := range files {
		if fl := c.byFile[f]; fl != nil {
			c.flow(f, fl)
		}
	}
	c.reachability(files)
	c.cycles()
	c.variables()
	if len(c.issues.Errors()) > 0 {
		return nil, c.issues
	}
	return c.prog, c.issues
}

type compiler struct {
	env    Env
	prog   *Program
	byFile map[*File]*Flow
	src    map[*Node]*Step
	issues Issues
	saved  map[string]bool
	reads  []varRead
}

type varRead struct {
	name string
	pos  Pos
}

func (c *compiler) add(p Pos, code, format string, args ...any) {
	c.issues = append(c.issues, p.issue(Error, code, format, args...))
}

func (c *compiler) warn(p Pos, code, format string, args ...any) {
	c.issues = append(c.issues, p.issue(Warning, code, format, args...))
}

// declare creates a Flow and a Node for every flow and step, so references
// can be resolved in any order.
func (c *compiler) declare(files []*File) {
	c.byFile = map[*File]*Flow{}
	c.saved = map[string]bool{}
	for _, b := range Builtin {
		c.saved[b] = true
	}
	for _, f := range files {
		if f.ID == "" {
			continue
		}
		if prev, dup := c.prog.flows[f.ID]; dup {
			c.add(f.IDPos, "duplicate-flow", "flow %q is already defined in %s", f.ID, prev.File)
			continue
		}
		if want := strings.TrimSuffix(path.Base(f.Path), ".yaml"); want != f.ID {
			c.warn(f.IDPos, "file-name", "flow %q is in a file named %s; name the file %s.yaml so it is easy to find", f.ID, path.Base(f.Path), f.ID)
		}
		fl := &Flow{ID: f.ID, Title: f.Title.Name, File: f.Path, nodes: map[string]*Node{}}
		for _, s := range f.Steps {
			n := &Node{Flow: fl, ID: s.ID, Hash: stepHash(f.ID, s.ID), Line: s.Pos.Line}
			fl.nodes[s.ID] = n
			fl.list = append(fl.list, n)
			c.src[n] = s
			if v := s.Save.Name; v != "" {
				c.saved[v] = true
				// The variables a typed answer saves besides its own.
				switch s.Ask.Name {
				case "municipality":
					c.saved[v+"_code"], c.saved[v+"_province"] = true, true
				case "location":
					for _, x := range []string{"_lat", "_lon", "_municipality", "_municipality_code", "_municipality_province"} {
						c.saved[v+x] = true
					}
				}
			}
			for k := range s.Set {
				c.saved[k] = true
			}
			for _, o := range s.Options {
				for k := range o.Set {
					c.saved[k] = true
				}
			}
		}
		c.prog.flows[f.ID] = fl
		c.prog.order = append(c.prog.order, fl)
		c.byFile[f] = fl
	}
}

func (c *compiler) flow(f *File, fl *Flow) {
	if f.Title.Name != "" {
		c.message(f.Title)
	}
	if f.Start.Name != "" {
		fl.Start = c.step(fl, f.Start, "start")
	}
	for _, s := range f.Steps {
		c.node(s, fl.nodes[s.ID])
	}
}

func (c *compiler) step(fl *Flow, r Ref, what string) *Node {
	if r.Name == "" {
		return nil
	}
	if n, ok := fl.nodes[r.Name]; ok {
		return n
	}
	hint := ""
	if s := closest(r.Name, slices.Collect(mapKeys(fl.nodes))); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	c.add(r.Pos, "unknown-step", "%s: unknown step %q in flow %q%s", what, r.Name, fl.ID, hint)
	return nil
}

func (c *compiler) flowRef(r Ref) *Flow {
	if r.Name == "" {
		return nil
	}
	if fl, ok := c.prog.flows[r.Name]; ok {
		return fl
	}
	hint := ""
	if s := closest(r.Name, slices.Collect(mapKeys(c.prog.flows))); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	c.add(r.Pos, "unknown-flow", "goto: unknown flow %q%s", r.Name, hint)
	return nil
}

func (c *compiler) message(r Ref) string {
	if r.Name == "" {
		return ""
	}
	if c.env != nil && !c.env.HasMessage(r.Name) {
		c.add(r.Pos, "unknown-message", "unknown message id %q: add it to the locales", r.Name)
	}
	return r.Name
}

func (c *compiler) args(kv map[string]string, p Pos, what string) []Arg {
	keys := slices.Sorted(mapKeys(kv))
	out := make([]Arg, 0, len(keys))
	for _, k := range keys {
		t, err := ParseTemplate(kv[k])
		if err != nil {
			c.add(p, "bad-template", "%s %s: %v", what, k, err)
			continue
		}
		for _, v := range t.Vars() {
			c.reads = append(c.reads, varRead{v, p})
		}
		out = append(out, Arg{Name: k, Value: t})
	}
	return out
}

func (c *compiler) texts(ts []Text) []Message {
	out := make([]Message, 0, len(ts))
	for _, t := range ts {
		out = append(out, Message{ID: c.message(t.ID), Data: c.args(t.Data, t.ID.Pos, "data")})
	}
	return out
}

func (c *compiler) node(s *Step, n *Node) {
	n.Say = c.texts(s.Say)
	n.Set = c.args(s.Set, s.SetPos, "set")
	ks := keysOf(s)
	if len(ks) > 1 {
		c.add(s.Pos, "mixed-step", "step %q mixes %s: a step does one of them; split it in two steps", s.ID, strings.Join(ks, " and "))
		return
	}
	kind := "say"
	if len(ks) == 1 {
		kind = ks[0]
	}
	notWith := func(key string, set bool) {
		if set {
			c.add(s.Pos, "useless-key", "step %q: `%s` does nothing in a %s step", s.ID, key, kind)
		}
	}
	if kind != "ask" {
		notWith("from", s.From.Name != "")
		notWith("save", s.Save.Name != "")
		if kind != "options" {
			notWith("invalid", len(s.Invalid) > 0)
		}
		notWith("min", s.Min != nil)
		notWith("max", s.Max != nil)
	}
	if kind != "options" && kind != "ask" {
		notWith("replies", len(s.Replies) > 0)
	}
	if kind != "do" {
		notWith("with", s.With != nil)
		notWith("on", s.On != nil)
	}
	for _, k := range stepKinds {
		if k.key == kind {
			n.Kind = k.kind
			k.compile(c, s, n, notWith)
		}
	}
}

// successors returns the steps a step can lead to; waiting steps lead on
// only after the user answered.
func successors(n *Node) []*Node {
	var out []*Node
	add := func(x *Node) {
		if x != nil {
			out = append(out, x)
		}
	}
	add(n.Next)
	for _, o := range n.Options {
		add(o.Next)
		if o.Goto != nil {
			add(o.Goto.Start)
		}
	}
	for _, k := range slices.Sorted(mapKeys(n.On)) {
		add(n.On[k])
	}
	for _, b := range n.Branches {
		add(b.Next)
	}
	if n.Goto != nil {
		add(n.Goto.Start)
	}
	return out
}

func (c *compiler) reachability(files []*File) {
	for _, f := range files {
		fl := c.byFile[f]
		if fl == nil || fl.Start == nil {
			continue
		}
		seen := map[*Node]bool{}
		stack := []*Node{fl.Start}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[n] || n.Flow != fl {
				continue
			}
			seen[n] = true
			stack = append(stack, successors(n)...)
		}
		for _, n := range fl.list {
			if !seen[n] {
				c.add(c.src[n].Pos, "unreachable-step", "step %q is never reached from start %q", n.ID, fl.Start.ID)
			}
		}
	}
}

// cycles finds loops made only of steps that do not wait for the user: the
// bot would talk forever. Tarjan's strongly connected components over the
// edges leaving non-waiting steps, across flows.
func (c *compiler) cycles() {
	index := map[*Node]int{}
	low := map[*Node]int{}
	on := map[*Node]bool{}
	var stack []*Node
	next := 0
	var visit func(n *Node)
	visit = func(n *Node) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		on[n] = true
		if !n.Kind.Waits() {
			for _, m := range successors(n) {
				if _, ok := index[m]; !ok {
					visit(m)
					low[n] = min(low[n], low[m])
				} else if on[m] {
					low[n] = min(low[n], index[m])
				}
			}
		}
		if low[n] == index[n] {
			var comp []*Node
			for {
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[m] = false
				comp = append(comp, m)
				if m == n {
					break
				}
			}
			self := len(comp) == 1 && !n.Kind.Waits() && slices.Contains(successors(n), n)
			if len(comp) > 1 || self {
				sort.Slice(comp, func(i, j int) bool { return comp[i].Line < comp[j].Line })
				names := make([]string, len(comp))
				for i, m := range comp {
					names[i] = m.Flow.ID + "." + m.ID
				}
				c.add(c.src[comp[0]].Pos, "cycle-without-input", "steps %s loop without asking the user anything: the bot would talk forever; add an ask: or options: step in the loop", strings.Join(names, " → "))
			}
		}
	}
	for _, fl := range c.prog.order {
		for _, n := range fl.list {
			if _, ok := index[n]; !ok {
				visit(n)
			}
		}
	}
}

func (c *compiler) variables() {
	seen := map[varRead]bool{}
	for _, r := range c.reads {
		if seen[r] {
			continue
		}
		seen[r] = true
		if !c.saved[r.name] && !strings.HasPrefix(r.name, "_") {
			c.warn(r.pos, "unknown-variable", "variable %q is read here but no step saves or sets it", r.name)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// closest returns the candidate nearest to s by edit distance, if it is
// close enough to be a likely typo.
func closest(s string, candidates []string) string {
	best, bestD := "", len(s)/3+1
	slices.Sort(candidates)
	for _, c := range candidates {
		if d := editdist.OSA([]rune(s), []rune(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
