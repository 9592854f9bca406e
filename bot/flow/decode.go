package flow

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds a flow file. Content teams write flows by hand; a
// bigger file is a mistake (or an attack on a server that loads content).
const MaxFileSize = 1 << 20

var (
	identRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	msgIDRE  = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	actionRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

type decoder struct {
	path   string
	issues Issues
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.path, Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(n *yaml.Node, code, format string, args ...any) {
	d.issues = append(d.issues, d.pos(n).issue(Error, code, format, args...))
}

// Decode parses one flow file. It returns the file as far as it could be read
// and every problem found in its shape; references to other steps, flows,
// messages and actions are checked by Check.
func Decode(path string, data []byte) (*File, Issues) {
	d := &decoder{path: path}
	f := &File{Path: path, Pos: Pos{File: path, Line: 1}, stepByID: map[string]*Step{}}
	if len(data) > MaxFileSize {
		d.issues = append(d.issues, f.Pos.issue(Error, "too-big", "file is %d bytes; a flow file may have at most %d", len(data), MaxFileSize))
		return f, d.issues
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		d.issues = append(d.issues, yamlIssue(path, err))
		return f, d.issues
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "many-documents", "a flow file holds one YAML document; remove the `---` and what follows, or move it to its own file")
	}
	if len(doc.Content) == 0 {
		d.issues = append(d.issues, f.Pos.issue(Error, "empty", "empty file: a flow needs `flow:`, `start:` and `steps:`"))
		return f, d.issues
	}
	root := doc.Content[0]
	d.flowFile(root, f)
	return f, d.issues
}

func yamlIssue(path string, err error) Issue {
	msg := err.Error()
	line := 0
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return Issue{File: path, Line: line, Severity: Error, Code: "yaml", Msg: "broken YAML: " + msg}
}

// mapping walks a mapping node, calling fn for each key, and reports
// duplicate keys and keys fn does not know.
func (d *decoder) mapping(n *yaml.Node, what string, fn func(key string, k, v *yaml.Node) bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "type", "%s must be a mapping (key: value lines), not %s", what, describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			d.errorf(k, "duplicate-key", "%q is written twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		if !fn(k.Value, k, v) {
			d.errorf(k, "unknown-key", "unknown key %q in %s", k.Value, what)
		}
	}
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (d *decoder) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "type", "%s must be a single value, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) ref(n *yaml.Node, what string, re *regexp.Regexp) Ref {
	s, ok := d.scalar(n, what)
	if !ok {
		return Ref{}
	}
	if re != nil && !re.MatchString(s) {
		d.errorf(n, "bad-name", "%s %q is not a valid name (%s)", what, s, nameRule(re))
		return Ref{}
	}
	return Ref{Name: s, Pos: d.pos(n)}
}

func nameRule(re *regexp.Regexp) string {
	switch re {
	case identRE:
		return "lower-case letters, digits and _, starting with a letter"
	case msgIDRE:
		return "dotted lower-case words, e.g. school.ask_age"
	default:
		return "dotted lower-case words, e.g. school.level"
	}
}

func (d *decoder) flowFile(n *yaml.Node, f *File) {
	var steps *yaml.Node
	d.mapping(n, "a flow file", func(key string, k, v *yaml.Node) bool {
		switch key {
		case "flow":
			r := d.ref(v, "flow id", identRE)
			f.ID, f.IDPos = r.Name, r.Pos
		case "title":
			f.Title = d.ref(v, "title message id", msgIDRE)
		case "start":
			f.Start = d.ref(v, "start step", identRE)
		case "steps":
			steps = v
		case "description":
			d.scalar(v, "description")
		default:
			return false
		}
		return true
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	if f.ID == "" && !d.has(n, "flow") {
		d.issues = append(d.issues, f.Pos.issue(Error, "missing-key", "missing `flow:` (the flow's id)"))
	}
	if f.Start.Name == "" && !d.has(n, "start") {
		d.issues = append(d.issues, f.Pos.issue(Error, "missing-key", "missing `start:` (the first step)"))
	}
	if steps == nil {
		d.issues = append(d.issues, f.Pos.issue(Error, "missing-key", "missing `steps:`"))
		return
	}
	d.mapping(steps, "steps", func(key string, k, v *yaml.Node) bool {
		if !identRE.MatchString(key) {
			d.errorf(k, "bad-name", "step id %q is not a valid name (%s)", key, nameRule(identRE))
			return true
		}
		s := &Step{ID: key, Pos: d.pos(k), Flow: f}
		d.step(v, s)
		f.Steps = append(f.Steps, s)
		f.stepByID[key] = s
		return true
	})
}

func (d *decoder) has(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (d *decoder) step(n *yaml.Node, s *Step) {
	what := fmt.Sprintf("step %q", s.ID)
	d.mapping(n, what, func(key string, k, v *yaml.Node) bool {
		switch key {
		case "say":
			s.Say = d.texts(v, "say")
		case "options":
			s.Options = d.options(v)
		case "replies":
			d.mapping(v, "replies", func(key string, k, v *yaml.Node) bool {
				s.Replies = append(s.Replies, Reply{Means: d.ref(k, "meaning", identRE), Say: d.ref(v, "reply message id", msgIDRE)})
				return true
			})
		case "ask":
			s.Ask = d.ref(v, "ask", nil)
		case "save":
			s.Save = d.ref(v, "save variable", identRE)
		case "from":
			s.From = d.ref(v, "from variable", identRE)
		case "invalid":
			s.Invalid = d.texts(v, "invalid")
		case "min":
			s.Min = d.number(v, "min")
		case "max":
			s.Max = d.number(v, "max")
		case "do":
			s.Do = d.ref(v, "action", actionRE)
		case "with":
			s.With = d.vars(v, "with")
		case "on":
			d.mapping(v, "on", func(key string, k, v *yaml.Node) bool {
				s.On = append(s.On, Outcome{Name: Ref{Name: key, Pos: d.pos(k)}, Next: d.ref(v, "next step", identRE)})
				return true
			})
		case "switch":
			s.Switch = d.branches(v)
		case "goto":
			s.Goto = d.ref(v, "goto flow", identRE)
		case "handoff":
			s.Handoff = d.ref(v, "handoff reason", identRE)
		case "end":
			if v.Kind != yaml.ScalarNode || v.Value != "true" {
				d.errorf(v, "type", "end must be `true`")
			}
			s.End = true
		case "next":
			s.Next = d.ref(v, "next step", identRE)
		case "set":
			s.Set = d.vars(v, "set")
			s.SetPos = d.pos(k)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) number(n *yaml.Node, what string) *float64 {
	s, ok := d.scalar(n, what)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.errorf(n, "type", "%s must be a number, not %q", what, s)
		return nil
	}
	return &f
}

// texts reads `say:` in its three forms: one id, a list of ids, or a list
// of {id, data} mappings (or a mix).
func (d *decoder) texts(n *yaml.Node, what string) []Text {
	switch n.Kind {
	case yaml.ScalarNode:
		if r := d.ref(n, what+" message id", msgIDRE); r.Name != "" {
			return []Text{{ID: r}}
		}
		return nil
	case yaml.SequenceNode:
		var out []Text
		for _, item := range n.Content {
			item = resolve(item)
			if item.Kind == yaml.MappingNode {
				var t Text
				d.mapping(item, what+" item", func(key string, k, v *yaml.Node) bool {
					switch key {
					case "id":
						t.ID = d.ref(v, what+" message id", msgIDRE)
					case "data":
						t.Data = d.vars(v, "data")
					default:
						return false
					}
					return true
				})
				if t.ID.Name == "" && !d.has(item, "id") {
					d.errorf(item, "missing-key", "%s item needs `id:` (a message id)", what)
				}
				if t.ID.Name != "" {
					out = append(out, t)
				}
				continue
			}
			if r := d.ref(item, what+" message id", msgIDRE); r.Name != "" {
				out = append(out, Text{ID: r})
			}
		}
		return out
	}
	d.errorf(n, "type", "%s must be a message id or a list of them, not %s", what, describe(n))
	return nil
}

func (d *decoder) vars(n *yaml.Node, what string) map[string]string {
	out := map[string]string{}
	d.mapping(n, what, func(key string, k, v *yaml.Node) bool {
		if !identRE.MatchString(key) {
			d.errorf(k, "bad-name", "variable %q in %s is not a valid name (%s)", key, what, nameRule(identRE))
			return true
		}
		if s, ok := d.scalar(v, what+" value"); ok {
			out[key] = s
		}
		return true
	})
	return out
}

// listOf decodes a list whose items are mappings (options, switch
// branches), each with item; an item that is not a mapping was reported by
// it and is left out.
func listOf[T any](d *decoder, n *yaml.Node, notList string, item func(*yaml.Node) T) []T {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "type", notList, describe(n))
		return nil
	}
	var out []T
	for _, it := range n.Content {
		it = resolve(it)
		v := item(it)
		if it.Kind == yaml.MappingNode {
			out = append(out, v)
		}
	}
	return out
}
