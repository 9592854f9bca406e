package flow

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity ranks an Issue.
type Severity int

// Severities. An Error stops `serve` and `chat` from starting and makes
// `teamsbot lint` exit 1; a Warning is printed only.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Issue is one problem found in content, with its position.
type Issue struct {
	File     string
	Line     int
	Col      int
	Severity Severity
	// Code is a stable short name of the kind of problem ("unknown-step"),
	// for tests and for editors that want to filter.
	Code string
	Msg  string
}

// Error formats the issue as "file:line:col: message", with "warning: "
// before the message of a warning.
func (i Issue) Error() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		fmt.Fprintf(&b, ":%d", i.Line)
		if i.Col > 0 {
			fmt.Fprintf(&b, ":%d", i.Col)
		}
	}
	b.WriteString(": ")
	if i.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(i.Msg)
	return b.String()
}

// Issues is a list of problems; as an error it prints one per line.
type Issues []Issue

func (is Issues) Error() string {
	lines := make([]string, len(is))
	for i, x := range is {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Errors returns only the issues of severity Error.
func (is Issues) Errors() Issues {
	var out Issues
	for _, x := range is {
		if x.Severity == Error {
			out = append(out, x)
		}
	}
	return out
}

// Sort orders issues by file, line and column.
func (is Issues) Sort() {
	slices.SortStableFunc(is, func(a, b Issue) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// Pos is a position in a content file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) issue(sev Severity, code, format string, args ...any) Issue {
	return Issue{File: p.File, Line: p.Line, Col: p.Col, Severity: sev, Code: code, Msg: fmt.Sprintf(format, args...)}
}
