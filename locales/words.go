package locales

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"teamsbot/bot/flow"
	"teamsbot/bot/input"
)

// LoadWords reads words/<code>.yaml of each language in langs, the words
// of typed answers (yes and no, numbers, dates; see input.Words and the
// comment at the top of each file), and merges them into one Lexicon: every
// language's words are read for every user, because people mix languages.
// A language without a words file adds no words. Problems come back as
// issues with file and line ("words/it.yaml:12: ..."); the Lexicon is nil
// when any is an error.
func LoadWords(fsys fs.FS, langs []string) (*input.Lexicon, flow.Issues) {
	var (
		issues flow.Issues
		all    []input.Words
		docs   = map[string]*yaml.Node{} // code → the file's document
	)
	for _, code := range langs {
		path := wordsPath(code)
		raw, err := fs.ReadFile(fsys, path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			issues = append(issues, flow.Issue{File: path, Severity: flow.Error, Code: "read", Msg: err.Error()})
			continue
		}
		w, doc, is := decodeWords(path, raw)
		issues = append(issues, is...)
		if len(is) > 0 {
			continue
		}
		w.Lang = code
		all = append(all, w)
		docs[code] = doc
	}
	// A words file of a language not offered is not read: say so.
	if files, err := fs.Glob(fsys, "words/*.yaml"); err == nil {
		for _, f := range files {
			code := strings.TrimSuffix(strings.TrimPrefix(f, "words/"), ".yaml")
			if !slices.Contains(langs, code) {
				issues = append(issues, flow.Issue{File: f, Severity: flow.Warning, Code: "unused-words",
					Msg: fmt.Sprintf("%s is not among the languages of languages.yaml: its words are not read", code)})
			}
		}
	}
	// The files that decoded are checked together even when others did
	// not, so that one lint shows every problem.
	lex, err := input.NewLexicon(all...)
	if err != nil {
		issues = append(issues, wordIssues(err, docs)...)
	}
	issues.Sort()
	if len(issues.Errors()) > 0 {
		return nil, issues
	}
	return lex, issues
}

// wordIssues turns the errors of input.NewLexicon into issues at the lines
// of the words.
func wordIssues(err error, docs map[string]*yaml.Node) flow.Issues {
	var issues flow.Issues
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var we *input.WordError
		if !errors.As(e, &we) {
			issues = append(issues, flow.Issue{File: "words", Severity: flow.Error, Code: "words", Msg: e.Error()})
			continue
		}
		line, col := wordPos(docs[we.Lang], we.Field, we.Word)
		issues = append(issues, flow.Issue{File: wordsPath(we.Lang), Line: line, Col: col,
			Severity: flow.Error, Code: "words", Msg: fmt.Sprintf("%s: %q %s", we.Field, we.Word, we.Msg)})
	}
	return issues
}

func wordsPath(code string) string { return "words/" + code + ".yaml" }

// wordsKeys are the keys a words file may have (the YAML keys of
// input.Words) by the mapping they are in, in the order the files use.
var wordsKeys = map[string][]string{
	"":        {"yes", "no", "unsure", "filler", "solo_yes", "solo_no", "numbers", "dates", "ages"},
	"numbers": {"words", "articles", "and", "special"},
	"dates":   {"relative", "months", "after_year", "after_month", "after_day", "hours", "afternoon"},
	"ages":    {"units", "since", "after"},
}

// wordsMappings are the keys whose value is a mapping; the others are lists.
var wordsMappings = []string{"numbers", "dates", "ages", "words", "special", "relative", "months"}

// decodeWords decodes one words file, checking its keys first so that a
// typo ("yess:") is an error at its line, not words silently ignored.
func decodeWords(path string, raw []byte) (input.Words, *yaml.Node, flow.Issues) {
	var w input.Words
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // an empty file: no words
			return w, &doc, nil
		}
		return w, nil, yamlIssues(path, err)
	}
	if len(doc.Content) == 0 {
		return w, &doc, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return w, nil, flow.Issues{{File: path, Line: top.Line, Col: top.Column, Severity: flow.Error, Code: "type",
			Msg: "a words file is a mapping: yes:, no:, numbers:, dates: ..."}}
	}
	var issues flow.Issues
	var check func(prefix string, n *yaml.Node)
	check = func(prefix string, n *yaml.Node) {
		known := wordsKeys[prefix]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !slices.Contains(known, k.Value) {
				where := ""
				if prefix != "" {
					where = " in " + prefix
				}
				issues = append(issues, flow.Issue{File: path, Line: k.Line, Col: k.Column, Severity: flow.Error, Code: "unknown-key",
					Msg: fmt.Sprintf("unknown key %q%s (known: %s)", k.Value, where, strings.Join(known, ", "))})
				continue
			}
			full := strings.TrimPrefix(prefix+"."+k.Value, ".")
			switch {
			case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
				// "yes:" with nothing after it: no words
			case slices.Contains(wordsMappings, k.Value) && v.Kind != yaml.MappingNode:
				issues = append(issues, flow.Issue{File: path, Line: v.Line, Col: v.Column, Severity: flow.Error, Code: "type",
					Msg: fmt.Sprintf("%s: is a mapping (key: value, one a line, or {key: value, ...})", full)})
			case !slices.Contains(wordsMappings, k.Value) && v.Kind != yaml.SequenceNode:
				issues = append(issues, flow.Issue{File: path, Line: v.Line, Col: v.Column, Severity: flow.Error, Code: "type",
					Msg: fmt.Sprintf("%s: is a list of words: [word, word, ...]", full)})
			case prefix == "" && (k.Value == "numbers" || k.Value == "dates"):
				check(k.Value, v)
			}
		}
	}
	check("", top)
	if len(issues) > 0 {
		return w, nil, issues
	}
	if err := doc.Decode(&w); err != nil {
		return w, nil, yamlIssues(path, err)
	}
	return w, &doc, nil
}

// wordPos finds the line and column of word under field
// ("numbers.words.12") in a words file, or of field itself, or 0.
func wordPos(doc *yaml.Node, field, word string) (line, col int) {
	if doc == nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := doc.Content[0]
	for _, key := range strings.Split(field, ".") {
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, col, n, found = n.Content[i].Line, n.Content[i].Column, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	// The word: an item of a list, or a key of a mapping (months: and
	// relative:, the roles of special:).
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode && c.Value == word {
			return c.Line, c.Column
		}
	}
	return line, col
}
