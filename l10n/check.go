package l10n

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Problem is what is wrong with one text of an imported file.
type Problem struct {
	Key, Rule, Msg string
}

func (p Problem) Error() string { return fmt.Sprintf("%s: %s: %s", p.Key, p.Rule, p.Msg) }

var (
	placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)
	urlOrMail   = regexp.MustCompile(`https?://[^\s)\]"'»」，。]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`)
)

// Check compares the texts of an imported file with the current ones
// (Collect's) for lang and lists every problem: a text for another
// language or an unknown key, a placeholder lost or added, a link or
// e-mail changed, a text over its limit, a plural form missing, a bidi
// control that is unbalanced or overrides direction, an invalid UTF-8
// text. Nothing should be written when it finds any.
func Check(h Header, imported, current []Unit, lang string) []Problem {
	var out []Problem
	add := func(key, rule, format string, args ...any) {
		out = append(out, Problem{key, rule, fmt.Sprintf(format, args...)})
	}
	if h.Lang != "" && h.Lang != lang {
		add("(file)", "language", "the file is for %q, not %q", h.Lang, lang)
		return out
	}
	byKey := make(map[string]Unit, len(current))
	for _, u := range current {
		byKey[u.Key] = u
	}
	seen := map[string]bool{}
	forms := map[string][]string{} // plural message → forms given
	for _, u := range imported {
		cur, ok := byKey[u.Key]
		switch {
		case !ok:
			add(u.Key, "unknown", "no such text in the content (renamed or removed since the export?)")
			continue
		case seen[u.Key]:
			add(u.Key, "duplicate", "the file gives this text twice")
			continue
		}
		seen[u.Key] = true
		if u.Text == "" {
			continue
		}
		if id, f, ok := strings.Cut(u.Key, "#"); ok && strings.HasPrefix(id, "locales:") {
			forms[id] = append(forms[id], f)
		}
		if !utf8.ValidString(u.Text) {
			add(u.Key, "encoding", "not valid UTF-8")
			continue
		}
		if want, got := tokens(placeholder, cur.Source), tokens(placeholder, u.Text); !slices.Equal(want, got) {
			add(u.Key, "placeholders", "the source has %s, the translation %s: keep every {{...}} exactly", list(want), list(got))
		}
		for _, link := range urlOrMail.FindAllString(cur.Source, -1) {
			if !strings.Contains(u.Text, strings.TrimRight(link, ".,;:")) {
				add(u.Key, "link", "%s is missing: keep links and e-mails exactly", link)
			}
		}
		if n := utf8.RuneCountInString(u.Text); cur.Limit > 0 && n > cur.Limit {
			add(u.Key, "limit", "%d characters, the most is %d (%s)", n, cur.Limit, cur.Where)
		}
		if msg := bidi(u.Text); msg != "" {
			add(u.Key, "bidi", "%s", msg)
		}
		if cur.List && len(splitList(u.Text)) == 0 {
			add(u.Key, "list", "no search word")
		}
	}
	// A plural message is translated in all its forms or in none.
	for _, u := range current {
		id, f, ok := strings.Cut(u.Key, "#")
		if !ok || forms[id] == nil || slices.Contains(forms[id], f) || u.Text != "" {
			continue
		}
		add(u.Key, "plural", "form %q is missing while %s are given: %s needs every form", f, strings.Join(forms[id], ", "), lang)
	}
	return out
}

func tokens(re *regexp.Regexp, s string) []string {
	var out []string
	for _, t := range re.FindAllString(s, -1) {
		out = append(out, strings.Join(strings.Fields(t), " "))
	}
	slices.Sort(out)
	return out
}

func list(ts []string) string {
	if len(ts) == 0 {
		return "none"
	}
	return strings.Join(ts, " ")
}

// bidi explains a problem with bidirectional controls: overrides and
// embeddings are never needed (the bot isolates what it sends), isolates
// must be closed.
func bidi(s string) string {
	open := 0
	for _, r := range s {
		switch r {
		case '\u202A', '\u202B', '\u202C', '\u202D', '\u202E':
			return fmt.Sprintf("control U+%04X embeds or overrides direction: leave direction to the bot", r)
		case '\u2066', '\u2067', '\u2068':
			open++
		case '\u2069':
			if open == 0 {
				return "an isolate is closed (U+2069) that was never opened"
			}
			open--
		}
	}
	if open > 0 {
		return "an isolate is opened and never closed (U+2069)"
	}
	return ""
}
