package locales

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"teamsbot/bot/flow"
	"teamsbot/internal/fold"
)

// GlossaryFile fixes, per language, the name of each Italian administrative
// term: the Italian term kept, with a short gloss in the user's language.
const GlossaryFile = "glossary.yaml"

// Term is one Italian administrative term and its name in each language.
type Term struct {
	Italian string
	Name    map[string]string   // the name to use, per language
	Avoid   map[string][]string // other names that must not be used, per language
	Line    int
}

// Glossary is the content's glossary.
type Glossary struct {
	Terms []Term
}

// Violation is a text that names a term another way than the glossary.
type Violation struct {
	Term  *Term
	Found string
}

// LoadGlossary reads glossary.yaml; a content without one has an empty
// glossary.
func LoadGlossary(fsys fs.FS) (*Glossary, flow.Issues) {
	g := &Glossary{}
	buf, err := fs.ReadFile(fsys, GlossaryFile)
	if errors.Is(err, fs.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return nil, flow.Issues{{File: GlossaryFile, Severity: flow.Error, Code: "read", Msg: err.Error()}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		return nil, flow.Issues{{File: GlossaryFile, Severity: flow.Error, Code: "yaml", Msg: "broken YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	var issues flow.Issues
	if len(doc.Content) == 0 {
		return g, nil
	}
	root := doc.Content[0]
	var terms *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "terms" {
			terms = root.Content[i+1]
		}
	}
	if terms == nil || terms.Kind != yaml.MappingNode {
		return nil, flow.Issues{{File: GlossaryFile, Line: root.Line, Severity: flow.Error, Code: "glossary", Msg: "write the terms under terms:"}}
	}
	for i := 0; i+1 < len(terms.Content); i += 2 {
		k, v := terms.Content[i], terms.Content[i+1]
		var raw struct {
			Name  map[string]string   `yaml:"name"`
			Avoid map[string][]string `yaml:"avoid"`
		}
		if err := v.Decode(&raw); err != nil {
			issues = append(issues, flow.Issue{File: GlossaryFile, Line: v.Line, Severity: flow.Error, Code: "glossary", Msg: fmt.Sprintf("%s: %s", k.Value, strings.TrimPrefix(err.Error(), "yaml: "))})
			continue
		}
		g.Terms = append(g.Terms, Term{Italian: k.Value, Name: raw.Name, Avoid: raw.Avoid, Line: k.Line})
	}
	return g, issues
}

// Check returns the terms a text in lang names another way than the
// glossary: a name listed under avoid, found as whole words (case, accents
// and punctuation do not matter).
func (g *Glossary) Check(lang, text string) []Violation {
	if g == nil {
		return nil
	}
	var out []Violation
	// fold reads a bounded prefix: check the text sentence by sentence.
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(".\n。،؛;:!?！？", r) }) {
		out = g.check(lang, part, out)
	}
	return out
}

func (g *Glossary) check(lang, text string, out []Violation) []Violation {
	f := " " + fold.String(text) + " "
	for i := range g.Terms {
		t := &g.Terms[i]
		for _, a := range t.Avoid[lang] {
			key := fold.String(a)
			if key == "" {
				continue
			}
			if strings.Contains(f, " "+key+" ") || hanText(key) && strings.Contains(f, key) {
				if !slices.ContainsFunc(out, func(v Violation) bool { return v.Term == t }) {
					out = append(out, Violation{Term: t, Found: a})
				}
			}
		}
	}
	return out
}

func hanText(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && r <= 0x9fff {
			return true
		}
	}
	return false
}
