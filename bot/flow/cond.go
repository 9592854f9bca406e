package flow

import (
	"fmt"
	"strconv"
	"strings"
)

// Cond is a compiled condition over variables, from a switch branch's `if:`.
//
// The language is small on purpose, so that content editors can read it:
//
//	child_age >= 6 and child_age < 11
//	needs_mediator == yes or lang == "ar"
//	not has_permit
//	(a or b) and c
//
// Operands are variable names, numbers, quoted strings, and the words yes,
// no, true, false (which stand for themselves). == != < <= > >= compare
// numerically when both sides are numbers, else as text. A variable alone is
// true when it is set and not "", "no", "false" or "0".
//
// Conditions are parsed once, at load time, into a tree of closures: a turn
// only walks the tree, it never re-parses text.
type Cond struct {
	src  string
	eval func(vars map[string]string) bool
	vars []string
}

// Eval reports whether the condition holds for vars.
func (c *Cond) Eval(vars map[string]string) bool { return c.eval(vars) }

// Vars lists the variables the condition reads.
func (c *Cond) Vars() []string { return c.vars }

func (c *Cond) String() string { return c.src }

type token struct {
	kind  byte // 'i' ident, 'n' number, 's' string, 'o' operator, '(' ')', 0 end
	text  string
	col   int
	value string
}

// CondError is a syntax error at a column of the condition's text.
type CondError struct {
	Col int
	Msg string
}

func (e *CondError) Error() string { return e.Msg }

// ParseCond compiles a condition.
func ParseCond(src string) (*Cond, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	c := &Cond{src: src}
	p.cond = c
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, &CondError{Col: t.col, Msg: fmt.Sprintf("unexpected %q: join conditions with `and` / `or`", t.text)}
	}
	c.eval = e.truth()
	return c, nil
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{kind: c, text: string(c), col: i + 1})
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, &CondError{Col: i + 1, Msg: "string not closed: add the closing quote"}
			}
			toks = append(toks, token{kind: 's', text: src[i : i+j+2], value: src[i+1 : i+1+j], col: i + 1})
			i += j + 2
		case strings.ContainsRune("=!<>", rune(c)):
			op := string(c)
			if i+1 < len(src) && src[i+1] == '=' {
				op += "="
			}
			if op == "=" || op == "!" {
				return nil, &CondError{Col: i + 1, Msg: fmt.Sprintf("unknown operator %q: use == or !=", op)}
			}
			toks = append(toks, token{kind: 'o', text: op, col: i + 1})
			i += len(op)
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(src) && (src[j] == '.' || (src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			if _, err := strconv.ParseFloat(src[i:j], 64); err != nil {
				return nil, &CondError{Col: i + 1, Msg: fmt.Sprintf("%q is not a number", src[i:j])}
			}
			toks = append(toks, token{kind: 'n', text: src[i:j], value: src[i:j], col: i + 1})
			i = j
		case c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] == '.' || (src[j] >= 'a' && src[j] <= 'z') || (src[j] >= 'A' && src[j] <= 'Z') || (src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			toks = append(toks, token{kind: 'i', text: src[i:j], col: i + 1})
			i = j
		default:
			return nil, &CondError{Col: i + 1, Msg: fmt.Sprintf("unexpected character %q", src[i])}
		}
	}
	return toks, nil
}

type condParser struct {
	toks []token
	i    int
	cond *Cond
}

func (p *condParser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	col := 1
	if n := len(p.toks); n > 0 {
		col = p.toks[n-1].col + len(p.toks[n-1].text)
	}
	return token{col: col, text: "end"}
}

func (p *condParser) next() token { t := p.peek(); p.i++; return t }

// node is a parsed expression: either a boolean (truth) or a value operand.
type node struct {
	value func(vars map[string]string) string // operand
	bool  func(vars map[string]string) bool   // boolean expression
}

func (n node) truth() func(map[string]string) bool {
	if n.bool != nil {
		return n.bool
	}
	v := n.value
	return func(vars map[string]string) bool {
		switch v(vars) {
		case "", "no", "false", "0":
			return false
		}
		return true
	}
}

func (p *condParser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return node{}, err
	}
	for p.peek().kind == 'i' && p.peek().text == "or" {
		p.next()
		r, err := p.and()
		if err != nil {
			return node{}, err
		}
		a, b := l.truth(), r.truth()
		l = node{bool: func(v map[string]string) bool { return a(v) || b(v) }}
	}
	return l, nil
}

func (p *condParser) and() (node, error) {
	l, err := p.not()
	if err != nil {
		return node{}, err
	}
	for p.peek().kind == 'i' && p.peek().text == "and" {
		p.next()
		r, err := p.not()
		if err != nil {
			return node{}, err
		}
		a, b := l.truth(), r.truth()
		l = node{bool: func(v map[string]string) bool { return a(v) && b(v) }}
	}
	return l, nil
}

func (p *condParser) not() (node, error) {
	if t := p.peek(); t.kind == 'i' && t.text == "not" {
		p.next()
		x, err := p.not()
		if err != nil {
			return node{}, err
		}
		f := x.truth()
		return node{bool: func(v map[string]string) bool { return !f(v) }}, nil
	}
	return p.cmp()
}

func (p *condParser) cmp() (node, error) {
	l, err := p.operand()
	if err != nil {
		return node{}, err
	}
	t := p.peek()
	if t.kind != 'o' {
		return l, nil
	}
	p.next()
	r, err := p.operand()
	if err != nil {
		return node{}, err
	}
	if l.value == nil || r.value == nil {
		return node{}, &CondError{Col: t.col, Msg: fmt.Sprintf("%s compares two values, not conditions", t.text)}
	}
	a, b, op := l.value, r.value, t.text
	return node{bool: func(v map[string]string) bool { return compare(a(v), op, b(v)) }}, nil
}

func (p *condParser) operand() (node, error) {
	t := p.next()
	switch t.kind {
	case '(':
		x, err := p.or()
		if err != nil {
			return node{}, err
		}
		if c := p.next(); c.kind != ')' {
			return node{}, &CondError{Col: c.col, Msg: "missing `)`"}
		}
		return node{bool: x.truth()}, nil
	case 'n', 's':
		s := t.value
		return node{value: func(map[string]string) string { return s }}, nil
	case 'i':
		switch t.text {
		case "and", "or", "not":
			return node{}, &CondError{Col: t.col, Msg: fmt.Sprintf("expected a variable or a value, found %q", t.text)}
		case "yes", "no", "true", "false":
			s := t.text
			return node{value: func(map[string]string) string { return s }}, nil
		}
		name := t.text
		p.cond.vars = append(p.cond.vars, name)
		return node{value: func(v map[string]string) string { return v[name] }}, nil
	}
	return node{}, &CondError{Col: t.col, Msg: fmt.Sprintf("expected a variable or a value, found %s", t.text)}
}

func compare(a, op, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch op {
		case "==":
			return x == y
		case "!=":
			return x != y
		case "<":
			return x < y
		case "<=":
			return x <= y
		case ">":
			return x > y
		case ">=":
			return x >= y
		}
		return false
	}
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}
