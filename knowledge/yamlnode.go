package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Launch is the set of languages every user-facing text must exist in when
// Load is not told otherwise (locales/languages.yaml tells it in the app).
var Launch = []string{"it", "en", "fr", "ar", "sq", "zh"}

// Languages are the languages knowledge texts are written in.
type Languages struct {
	// Codes every text should exist in; the first is the one lists are
	// compared with.
	Codes []string
	// Partial are those of Codes still being translated (not offered to
	// users): a missing text is not reported one by one, lint's coverage
	// table counts them.
	Partial []string
}

// issues collects problems of one file.
type issues struct {
	file  string
	langs Languages
	list  []error
}

// missing reports a text missing in lang: an error, or nothing for a
// language still being translated.
func (is *issues) missing(line int, lang, format string, args ...any) {
	if slices.Contains(is.langs.Partial, lang) {
		return
	}
	is.at(line, format, args...)
}

func (is *issues) at(line int, format string, args ...any) {
	is.list = append(is.list, Issue{File: is.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (is *issues) warn(line int, format string, args ...any) {
	is.list = append(is.list, Issue{File: is.file, Line: line, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// eachYAML reads and parses every dir/*.yaml of fsys, in name order, and
// calls fn with each document's root; a file that cannot be read or parsed
// is reported in errs and skipped.
func eachYAML(fsys fs.FS, dir string, errs *[]error, fn func(name string, root *yaml.Node)) {
	names, _ := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			*errs = append(*errs, Issue{File: name, Msg: err.Error()})
			continue
		}
		root, err := parseDoc(name, raw)
		if err != nil {
			*errs = append(*errs, err)
			continue
		}
		fn(name, root)
	}
}

// parseDoc decodes YAML into a node tree, reporting a syntax error with its
// line.
// section reads file and returns its top-level mapping key (kinds:,
// routes:), with the issues list of the file. A missing file gives a nil
// section and no issue when optional. ok is false when there is nothing
// more to read (the issues say why).
func section(fsys fs.FS, langs Languages, file, key string, optional bool) (sec *yaml.Node, is *issues, ok bool) {
	is = &issues{file: file, langs: langs}
	raw, err := fs.ReadFile(fsys, file)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return nil, is, false
	}
	if err != nil {
		is.list = append(is.list, Issue{File: file, Msg: err.Error()})
		return nil, is, false
	}
	root, err := parseDoc(file, raw)
	if err != nil {
		is.list = append(is.list, err)
		return nil, is, false
	}
	sec = field(root, key)
	if sec == nil || sec.Kind != yaml.MappingNode {
		is.at(root.Line, "missing `%s:`", key)
		return nil, is, false
	}
	return sec, is, true
}

func parseDoc(file string, raw []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if i := strings.Index(rest, ":"); i > 0 {
				fmt.Sscan(rest[:i], &line)
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
		return nil, Issue{File: file, Line: line, Msg: "broken YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, Issue{File: file, Line: 1, Msg: "empty file"}
	}
	return doc.Content[0], nil
}

// field returns the value node of key in a mapping.
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// checkKeys reports keys of a mapping that are not in allowed.
func (is *issues) checkKeys(n *yaml.Node, what string, allowed ...string) {
	if n.Kind != yaml.MappingNode {
		is.at(n.Line, "%s must be a mapping", what)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			is.at(k.Line, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(allowed, ", "))
		}
	}
}

// texts checks a per-language text map: every launch language, non-empty,
// within limit characters (0: no limit).
func (is *issues) texts(n *yaml.Node, what string, limit int) map[string]string {
	out := map[string]string{}
	if n == nil {
		return out
	}
	if err := n.Decode(&out); err != nil {
		is.at(n.Line, "%s: %v", what, err)
		return out
	}
	for _, l := range is.langs.Codes {
		v := strings.TrimSpace(out[l])
		switch {
		case v == "":
			is.missing(n.Line, l, "%s has no %s text", what, l)
		case limit > 0 && len([]rune(v)) > limit:
			is.warn(n.Line, "%s in %s is %d characters; at most %d fit", what, l, len([]rune(v)), limit)
		}
	}
	return out
}

// lists checks a per-language list map: every launch language, the same
// number of items in each.
func (is *issues) lists(n *yaml.Node, what string, limit int) map[string][]string {
	out := map[string][]string{}
	if n == nil {
		return out
	}
	if err := n.Decode(&out); err != nil {
		is.at(n.Line, "%s: %v", what, err)
		return out
	}
	want := -1
	for _, l := range is.langs.Codes {
		items := out[l]
		if len(items) == 0 {
			is.missing(n.Line, l, "%s has no %s items", what, l)
			continue
		}
		if want < 0 {
			want = len(items)
		} else if len(items) != want && what != "keywords" {
			is.at(n.Line, "%s has %d items in %s but %d in %s: translations must match one to one", what, len(items), l, want, is.langs.Codes[0])
		}
		for _, it := range items {
			if limit > 0 && len([]rune(it)) > limit {
				is.warn(n.Line, "an item of %s in %s is %d characters; keep items within %d", what, l, len([]rune(it)), limit)
			}
		}
	}
	return out
}
