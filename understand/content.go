package understand

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"teamsbot/bot/flow"
	"teamsbot/nlu"
)

// Folders of locales/ this package reads.
const (
	ExamplesDir = "examples"
	EvalDir     = "eval"
)

// Groups of intents, the top-level keys of an examples file. An intent's id
// is "<group>.<name>": "guides.permit_renewal".
var Groups = []string{"guides", "kinds", "flows", "commands", "chat"}

// The intents of the chat group.
const (
	Greet  = "chat.greet"
	Thanks = "chat.thanks"
	None   = "chat.none"
)

// Example is one sentence of an examples file.
type Example struct {
	Intent string
	Lang   string
	Text   string
	File   string
	Line   int
}

// Question is one held-out question of an eval file.
type Question struct {
	Text   string
	Lang   string
	Intent string
	// Also are other intents that answer the question as well.
	Also   []string
	Source string
	Read   string
	Note   string
	File   string
	Line   int
}

// Accepts reports whether intent answers the question.
func (q Question) Accepts(intent string) bool {
	return intent == q.Intent || slices.Contains(q.Also, intent)
}

// languageFile is the examples file of a language.
type languageFile struct {
	Stop []string
	// Concepts are the language's words for the concepts every language
	// shares (nlu.Options.Concepts).
	Concepts map[string][]string
	Examples []Example
	// Answers are the words of each meaning options may carry (Example's
	// Intent is the meaning: "where").
	Answers []Example
	// Joins are the phrases that join two questions in one message ("e
	// anche", "and also").
	Joins []string
	// Danger are words that say a life is in danger ("uccid*", "*قتل*",
	// "杀"): a text with one gets the urgent guide at once.
	Danger []string
}

// readExamples reads the examples of each language: examples/<lang>.yaml
// and any examples/<lang>.<part>.yaml beside it (a team may split them by
// theme or author). A language without a file has no examples (lint says
// so).
func readExamples(fsys fs.FS, langs []string) (map[string]*languageFile, flow.Issues) {
	out := map[string]*languageFile{}
	var issues flow.Issues
	for _, lang := range langs {
		names, _ := fs.Glob(fsys, ExamplesDir+"/"+lang+".*.yaml")
		if _, err := fs.Stat(fsys, ExamplesDir+"/"+lang+".yaml"); err == nil {
			names = append([]string{ExamplesDir + "/" + lang + ".yaml"}, names...)
		}
		for _, name := range names {
			lf := out[lang]
			if lf == nil {
				lf = &languageFile{}
			}
			is := readExampleFile(fsys, name, lang, lf)
			issues = append(issues, is...)
			if len(lf.Examples) > 0 || len(is) == 0 {
				out[lang] = lf
			}
		}
	}
	return out, issues
}

// readExampleFile adds the examples of one file to lf.
func readExampleFile(fsys fs.FS, name, lang string, lf *languageFile) flow.Issues {
	root, issues := readYAML(fsys, name)
	if root == nil {
		return issues
	}
	{
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch {
			case k.Value == "stopwords":
				lf.Stop = append(lf.Stop, strs(name, v, &issues)...)
			case k.Value == "concepts":
				if v.Kind != yaml.MappingNode {
					issues = append(issues, issueAt(name, v, flow.Error, "examples", "concepts: write each concept with the list of its words"))
					continue
				}
				if lf.Concepts == nil {
					lf.Concepts = map[string][]string{}
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					ck, cv := v.Content[j], v.Content[j+1]
					ws := strs(name, cv, &issues)
					for _, w := range ws {
						if !patternWord(w) {
							issues = append(issues, issueAt(name, cv, flow.Error, "examples", fmt.Sprintf("concepts: %s: %q is not one word, a prefix ending in * or a part of a word between two *", ck.Value, w)))
						}
					}
					lf.Concepts[ck.Value] = append(lf.Concepts[ck.Value], ws...)
				}
			case k.Value == "joins":
				lf.Joins = append(lf.Joins, strs(name, v, &issues)...)
			case k.Value == "danger":
				ws := strs(name, v, &issues)
				for _, w := range ws {
					if !patternWord(w) && !(strings.Contains(strings.TrimSpace(w), " ") && !strings.Contains(w, "*")) {
						issues = append(issues, issueAt(name, v, flow.Error, "examples", fmt.Sprintf("danger: %q is not a word, a phrase of words, a prefix ending in * or a part of a word between two *", w)))
					}
				}
				lf.Danger = append(lf.Danger, ws...)
			case k.Value == "answers":
				if v.Kind != yaml.MappingNode {
					issues = append(issues, issueAt(name, v, flow.Error, "examples", "answers: write each meaning with the list of its examples"))
					continue
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					mk, mv := v.Content[j], v.Content[j+1]
					if mv.Kind != yaml.SequenceNode {
						issues = append(issues, issueAt(name, mv, flow.Error, "examples", fmt.Sprintf("answers: %s: write a list of examples", mk.Value)))
						continue
					}
					for _, e := range mv.Content {
						if e.Kind != yaml.ScalarNode || len(answerTokens(e.Value)) == 0 {
							issues = append(issues, issueAt(name, e, flow.Error, "examples", fmt.Sprintf("answers: %s: an example must be a few words", mk.Value)))
							continue
						}
						lf.Answers = append(lf.Answers, Example{Intent: mk.Value, Lang: lang, Text: e.Value, File: name, Line: e.Line})
					}
				}
			case slices.Contains(Groups, k.Value):
				if v.Kind != yaml.MappingNode {
					issues = append(issues, issueAt(name, v, flow.Error, "examples", fmt.Sprintf("%s: write intents under it, each with a list of examples", k.Value)))
					continue
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					ik, iv := v.Content[j], v.Content[j+1]
					intent := k.Value + "." + ik.Value
					if iv.Kind != yaml.SequenceNode {
						issues = append(issues, issueAt(name, iv, flow.Error, "examples", fmt.Sprintf("%s: write a list of examples", intent)))
						continue
					}
					for _, e := range iv.Content {
						if e.Kind != yaml.ScalarNode || strings.TrimSpace(e.Value) == "" {
							issues = append(issues, issueAt(name, e, flow.Error, "examples", fmt.Sprintf("%s: an example must be a sentence", intent)))
							continue
						}
						lf.Examples = append(lf.Examples, Example{Intent: intent, Lang: lang, Text: e.Value, File: name, Line: e.Line})
					}
				}
			default:
				issues = append(issues, issueAt(name, k, flow.Error, "examples", fmt.Sprintf("unknown key %q (known: stopwords, concepts, joins, danger, answers, %s)", k.Value, strings.Join(Groups, ", "))))
			}
		}
	}
	return issues
}

// patternWord reports whether w is a word, a prefix ending in * or a part of
// a word between two * (concepts, danger).
func patternWord(w string) bool {
	t := strings.Trim(w, "*")
	r := []rune(t)
	return (len(r) >= 2 || len(r) == 1 && isHan(t)) && !strings.Contains(t, "*") && len(nlu.Words(nlu.Normalize(t))) == 1
}

// ReadEval reads the held-out questions of eval/<lang>.yaml for each
// language that has a file.
func ReadEval(fsys fs.FS, langs []string) ([]Question, flow.Issues) {
	var out []Question
	var issues flow.Issues
	for _, lang := range langs {
		name := EvalDir + "/" + lang + ".yaml"
		if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		root, is := readYAML(fsys, name)
		issues = append(issues, is...)
		if root == nil {
			continue
		}
		qs := mapValue(root, "questions")
		if qs == nil || qs.Kind != yaml.SequenceNode {
			issues = append(issues, issueAt(name, root, flow.Error, "eval", "write the questions as a list under questions:"))
			continue
		}
		for _, n := range qs.Content {
			var q struct {
				Q      string   `yaml:"q"`
				Intent string   `yaml:"intent"`
				Also   []string `yaml:"also"`
				Source string   `yaml:"source"`
				Read   string   `yaml:"read"`
				Note   string   `yaml:"note"`
			}
			if err := n.Decode(&q); err != nil {
				issues = append(issues, issueAt(name, n, flow.Error, "eval", strings.TrimPrefix(err.Error(), "yaml: ")))
				continue
			}
			if strings.TrimSpace(q.Q) == "" || q.Intent == "" {
				issues = append(issues, issueAt(name, n, flow.Error, "eval", "a question needs q: and intent:"))
				continue
			}
			if u, err := url.Parse(q.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				issues = append(issues, issueAt(name, n, flow.Error, "eval", fmt.Sprintf("question %q: source must be the address of the page it comes from", short(q.Q))))
			}
			out = append(out, Question{Text: q.Q, Lang: lang, Intent: q.Intent, Also: q.Also, Source: q.Source, Read: q.Read, Note: q.Note, File: name, Line: n.Line})
		}
	}
	return out, issues
}

// readYAML reads a YAML mapping file; a missing file is an issue.
func readYAML(fsys fs.FS, name string) (*yaml.Node, flow.Issues) {
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, flow.Issues{{File: name, Severity: flow.Error, Code: "read", Msg: err.Error()}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
			msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
		}
		return nil, flow.Issues{{File: name, Line: line, Severity: flow.Error, Code: "yaml", Msg: "broken YAML: " + msg}}
	}
	if len(doc.Content) == 0 {
		return nil, flow.Issues{{File: name, Severity: flow.Error, Code: "yaml", Msg: "the file is empty"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, flow.Issues{issueAt(name, root, flow.Error, "yaml", "the file must be a mapping")}
	}
	return root, nil
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func strs(file string, n *yaml.Node, issues *flow.Issues) []string {
	if n.Kind != yaml.SequenceNode {
		*issues = append(*issues, issueAt(file, n, flow.Error, "examples", "write a list"))
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind == yaml.ScalarNode {
			out = append(out, e.Value)
		}
	}
	return out
}

func issueAt(file string, n *yaml.Node, sev flow.Severity, code, msg string) flow.Issue {
	return flow.Issue{File: file, Line: n.Line, Col: n.Column, Severity: sev, Code: code, Msg: msg}
}

func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
