package translate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Term is a glossary term: its Italian form, and its name in each language
// (the Italian term with a gloss: "permesso di soggiorno (residence
// permit)").
type Term struct {
	Italian string
	Name    map[string]string
}

// Protect keeps glossary terms out of the machine's hands.
type Protect struct {
	T     Translator
	Terms []Term
}

var marker = regexp.MustCompile(`\[\[(\d+)\]\]`)

// Translate implements Translator: every glossary term found in the text
// (its Italian form, or its name in the source language, whatever the
// case) becomes a marker [[n]]; after the translation each marker becomes
// the term's name in the target language. When the machine loses or
// invents a marker, the text is translated again as it was, unprotected.
func (p *Protect) Translate(ctx context.Context, text, from, to string) (string, error) {
	masked, found := p.mask(text, from)
	if len(found) == 0 {
		return p.T.Translate(ctx, text, from, to)
	}
	out, err := p.T.Translate(ctx, masked, from, to)
	if err != nil {
		return "", err
	}
	seen := map[int]bool{}
	ok := true
	res := marker.ReplaceAllStringFunc(out, func(m string) string {
		n, _ := strconv.Atoi(marker.FindStringSubmatch(m)[1])
		if n < 1 || n > len(found) {
			ok = false
			return m
		}
		seen[n] = true
		t := found[n-1]
		if name := t.Name[to]; name != "" {
			return name
		}
		return t.Italian
	})
	if !ok || len(seen) != len(found) {
		return p.T.Translate(ctx, text, from, to)
	}
	return res, nil
}

// mask replaces the terms in text, longest first, and returns the terms in
// marker order.
func (p *Protect) mask(text, from string) (string, []Term) {
	type form struct {
		s string
		t Term
	}
	var forms []form
	for _, t := range p.Terms {
		forms = append(forms, form{t.Italian, t})
		if n := t.Name[from]; n != "" && n != t.Italian {
			forms = append(forms, form{n, t})
		}
	}
	slices.SortStableFunc(forms, func(a, b form) int { return len(b.s) - len(a.s) })
	var found []Term
	lower := strings.ToLower(text)
	for _, f := range forms {
		needle := strings.ToLower(f.s)
		for {
			i := indexWord(lower, needle)
			if i < 0 {
				break
			}
			found = append(found, f.t)
			m := fmt.Sprintf("[[%d]]", len(found))
			text = text[:i] + m + text[i+len(needle):]
			lower = lower[:i] + m + lower[i+len(needle):]
		}
	}
	// Markers in order of appearance, so that [[1]] comes first.
	var ordered []Term
	renum := map[int]int{}
	text = marker.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(marker.FindStringSubmatch(m)[1])
		if _, ok := renum[n]; !ok {
			ordered = append(ordered, found[n-1])
			renum[n] = len(ordered)
		}
		return fmt.Sprintf("[[%d]]", renum[n])
	})
	return text, ordered
}

// indexWord finds needle in s as a whole word (not inside a longer word).
func indexWord(s, needle string) int {
	from := 0
	for {
		i := strings.Index(s[from:], needle)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(needle)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return i
		}
		from = i + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
