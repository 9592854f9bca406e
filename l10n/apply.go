package l10n

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Change is a text Apply wrote.
type Change struct {
	Key, File string
	Old, New  string
}

// Apply writes the imported texts of lang that differ from the current
// ones (Collect's) into the content under root (root/locales,
// root/knowledge), and returns what it changed. A file is rewritten only
// when one of its texts changed, and only the lines that changed move:
// comments, blank lines and the other languages stay as they were. Run
// Check first: Apply assumes the texts are valid.
func Apply(root, lang string, imported, current []Unit) ([]Change, error) {
	byKey := make(map[string]Unit, len(current))
	var order []string // locale ids in the reference's order
	for _, u := range current {
		byKey[u.Key] = u
		if id, ok := strings.CutPrefix(u.Key, "locales:"); ok {
			id, _, _ = strings.Cut(id, "#")
			if len(order) == 0 || order[len(order)-1] != id {
				order = append(order, id)
			}
		}
	}
	// What changes, by file.
	type edit struct {
		unit Unit
		cur  Unit
	}
	files := map[string][]edit{}
	var names []string
	pending := map[string]string{}
	for _, u := range imported {
		if u.Text != "" {
			pending[u.Key] = u.Text
		}
	}
	for _, u := range imported {
		cur, ok := byKey[u.Key]
		if !ok || u.Text == "" || u.Text == cur.Text {
			continue
		}
		if cur.List && slices.Equal(splitList(u.Text), splitList(cur.Text)) {
			continue
		}
		name := fileOf(u.Key, lang)
		if _, ok := files[name]; !ok {
			names = append(names, name)
		}
		files[name] = append(files[name], edit{u, cur})
	}
	slices.Sort(names)
	var changes []Change
	for _, name := range names {
		full := filepath.Join(root, filepath.FromSlash(name))
		raw, err := os.ReadFile(full)
		if err != nil && !os.IsNotExist(err) {
			return changes, err
		}
		var doc yaml.Node
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := yaml.Unmarshal(raw, &doc); err != nil {
				return changes, fmt.Errorf("%s: %w", name, err)
			}
		}
		if doc.Kind == 0 {
			doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
		}
		var fileChanges []Change
		for _, e := range files[name] {
			var err error
			if strings.HasPrefix(e.unit.Key, "locales:") {
				err = setMessage(doc.Content[0], e.unit.Key, e.unit.Text, order)
			} else {
				err = setValue(doc.Content[0], e.unit, e.cur, lang, byKey, pending)
			}
			if err != nil {
				return changes, fmt.Errorf("%s: %s: %w", name, e.unit.Key, err)
			}
			fileChanges = append(fileChanges, Change{Key: e.unit.Key, File: name, Old: e.cur.Text, New: e.unit.Text})
		}
		out, err := encode(raw, &doc)
		if err != nil {
			return changes, fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(full, out, 0o644); err != nil {
			return changes, err
		}
		changes = append(changes, fileChanges...)
	}
	return changes, nil
}

// fileOf is the content file that holds key's text in lang.
func fileOf(key, lang string) string {
	if strings.HasPrefix(key, "locales:") {
		return "locales/" + lang + ".yaml"
	}
	name, _, _ := strings.Cut(key, ":")
	return name
}

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	if strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func lookup(m *yaml.Node, k string) (int, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			return i, m.Content[i+1]
		}
	}
	return -1, nil
}

// setMessage sets a locale message (or one plural form of it), inserting
// a new id after the closest id before it in the reference's order.
func setMessage(root *yaml.Node, key, text string, order []string) error {
	id, form, plural := strings.Cut(strings.TrimPrefix(key, "locales:"), "#")
	_, v := lookup(root, id)
	if v == nil {
		v = str("")
		if plural {
			v = &yaml.Node{Kind: yaml.MappingNode}
		}
		at := len(root.Content)
		if i := slices.Index(order, id); i >= 0 {
			for j := i + 1; j < len(order); j++ {
				if k, _ := lookup(root, order[j]); k >= 0 {
					at = k
					break
				}
			}
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: id}
		if at == 0 && len(root.Content) > 0 {
			// The file's head comment stays at its head.
			k.HeadComment, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
		}
		root.Content = slices.Insert(root.Content, at, k, v)
	}
	if !plural {
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("the file has plural forms for %s, the reference a text", id)
		}
		*v = *str(text)
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("the file has a text for %s, the reference plural forms", id)
	}
	if _, f := lookup(v, form); f != nil {
		*f = *str(text)
		return nil
	}
	v.Content = append(v.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: form}, str(text))
	// Forms in CLDR order.
	rank := map[string]int{"zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5}
	pairs := make([][2]*yaml.Node, 0, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		pairs = append(pairs, [2]*yaml.Node{v.Content[i], v.Content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b [2]*yaml.Node) int { return rank[a[0].Value] - rank[b[0].Value] })
	v.Content = v.Content[:0]
	for _, p := range pairs {
		v.Content = append(v.Content, p[0], p[1])
	}
	return nil
}

// setValue sets lang's text in a knowledge file's multilingual value.
// pending holds the texts being imported, by key: a new list is built from
// all its items at once.
func setValue(root *yaml.Node, u, cur Unit, lang string, byKey map[string]Unit, pending map[string]string) error {
	_, p, _ := strings.Cut(u.Key, ":")
	parts := strings.Split(p, ".")
	item := -1
	// A per-item unit names its item last: steps.2 under a mapping whose
	// value is a list.
	m, err := walkPath(root, parts)
	if err != nil {
		if len(parts) < 2 {
			return err
		}
		n, convErr := strconv.Atoi(parts[len(parts)-1])
		if convErr != nil {
			return err
		}
		item = n
		if m, err = walkPath(root, parts[:len(parts)-1]); err != nil {
			return err
		}
	}
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("not a multilingual value")
	}
	_, v := lookup(m, lang)
	switch {
	case item < 0 && !cur.List:
		if v == nil {
			addLang(m, lang, str(u.Text))
			return nil
		}
		*v = *styled(v, u.Text)
	case cur.List:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		if v != nil {
			seq.Style = v.Style
		} else if _, en := lookup(m, "en"); en != nil {
			seq.Style = en.Style
		}
		for _, w := range splitList(u.Text) {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: w})
		}
		if v == nil {
			addLang(m, lang, seq)
		} else {
			*v = *seq
		}
	default:
		if v == nil {
			// A new list: it needs every item, from this file or already
			// there.
			_, en := lookup(m, "en")
			if en == nil {
				return fmt.Errorf("no English list")
			}
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: en.Style}
			base := strings.TrimSuffix(u.Key, "."+parts[len(parts)-1])
			for i := range en.Content {
				k := base + "." + strconv.Itoa(i)
				t := byKey[k].Text
				if p, ok := pending[k]; ok {
					t = p
				}
				if t == "" {
					return fmt.Errorf("item %d of %s is not translated: a list is imported whole", i+1, base)
				}
				seq.Content = append(seq.Content, str(t))
			}
			addLang(m, lang, seq)
			return nil
		}
		if v.Kind != yaml.SequenceNode || item >= len(v.Content) {
			return fmt.Errorf("the %s list has no item %d", lang, item+1)
		}
		*v.Content[item] = *styled(v.Content[item], u.Text)
	}
	return nil
}

func styled(old *yaml.Node, s string) *yaml.Node {
	n := str(s)
	if old != nil && old.Kind == yaml.ScalarNode && n.Style != yaml.LiteralStyle {
		n.Style = old.Style
		if old.Style == 0 && needsQuotes(s) {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	return n
}

func needsQuotes(s string) bool {
	var v any
	if err := yaml.Unmarshal([]byte("x: "+s), &v); err != nil {
		return true
	}
	m, ok := v.(map[string]any)
	return !ok || m["x"] != s
}

func addLang(m *yaml.Node, lang string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: lang}, v)
}

func walkPath(n *yaml.Node, parts []string) (*yaml.Node, error) {
	for _, p := range parts {
		switch n.Kind {
		case yaml.MappingNode:
			_, v := lookup(n, p)
			if v == nil {
				return nil, fmt.Errorf("no %q", p)
			}
			n = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, fmt.Errorf("no item %q", p)
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("no %q", p)
		}
	}
	return n, nil
}

// encode writes doc back, keeping the lines of orig that did not change
// (the YAML encoder drops blank lines and respaces comments).
func encode(orig []byte, doc *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	plain := b.Bytes()
	merged := mergeLines(orig, plain)
	// The merge only restores layout: it must read as the encoder's output.
	var a, c any
	if yaml.Unmarshal(plain, &a) == nil && yaml.Unmarshal(merged, &c) == nil && reflect.DeepEqual(a, c) {
		return merged, nil
	}
	return plain, nil
}

// mergeLines takes the encoder's lines, and where a line is one of the
// original's (blank lines and comment spacing aside) keeps the original.
func mergeLines(orig, enc []byte) []byte {
	if len(orig) == 0 {
		return enc
	}
	o := strings.Split(strings.TrimSuffix(string(orig), "\n"), "\n")
	e := strings.Split(strings.TrimSuffix(string(enc), "\n"), "\n")
	const window = 400
	find := func(s string, in []string) int {
		for k, x := range in[:min(len(in), window)] {
			if same(s, x) {
				return k
			}
		}
		return -1
	}
	var out []string
	i, j := 0, 0
	for j < len(e) {
		switch {
		case i < len(o) && same(o[i], e[j]):
			out = append(out, o[i])
			i, j = i+1, j+1
		case i < len(o) && strings.TrimSpace(o[i]) == "":
			out = append(out, o[i])
			i++
		case i < len(o) && find(o[i], e[j+1:]) >= 0 && (find(e[j], o[i+1:]) < 0 || find(o[i], e[j+1:]) <= find(e[j], o[i+1:])):
			// Lines added before the original's next line.
			k := find(o[i], e[j+1:])
			out = append(out, e[j:j+1+k]...)
			j += 1 + k
		case i < len(o) && find(e[j], o[i+1:]) >= 0:
			// Original lines gone (replaced by a longer value, say).
			i += 1 + find(e[j], o[i+1:])
		default:
			out = append(out, e[j])
			i, j = i+1, j+1
		}
	}
	for ; i < len(o); i++ {
		if strings.TrimSpace(o[i]) == "" {
			out = append(out, o[i])
		}
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// same compares two lines ignoring the spaces before a comment.
func same(a, b string) bool {
	if a == b {
		return true
	}
	return squeeze(a) == squeeze(b)
}

func squeeze(s string) string {
	if i := strings.Index(s, " #"); i > 0 {
		return strings.TrimRight(s[:i], " ") + " #" + strings.TrimLeft(s[i+2:], " ")
	}
	return s
}
