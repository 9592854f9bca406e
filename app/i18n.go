package app

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"io/fs"

	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/l10n"
	"teamsbot/locales"
)

const i18nUsage = `usage:
  teamsbot i18n export --lang xx [--format po|xliff|csv] [--out FILE] [DIR]
      every text users can see, for translators: English and Italian source,
      where it appears, its length limit, the glossary
  teamsbot i18n check FILE [DIR]
      what is wrong in a translated file (placeholders, limits, plural forms,
      links, bidi controls, the language), without writing anything
  teamsbot i18n import FILE [DIR]
      write a translated file back into the content files, after checking it;
      nothing is written when a text is wrong

DIR is the content folder to read and write (default: TEAMSBOT_CONTENT, or
the current folder when it holds locales/ and knowledge/ — the source
checkout, whose files are built into the binary).
`

// i18n runs `teamsbot i18n`.
func i18n(env Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, i18nUsage)
		return ErrUsage
	}
	switch args[0] {
	case "export":
		return i18nExport(env, args[1:])
	case "check":
		return i18nImport(env, args[1:], false)
	case "import":
		return i18nImport(env, args[1:], true)
	}
	fmt.Fprint(env.Stderr, i18nUsage)
	return ErrUsage
}

// i18nDir is the content folder the translation commands work on.
func i18nDir(env Env, arg string) (string, error) {
	dir := arg
	if dir == "" {
		dir = env.Getenv("TEAMSBOT_CONTENT")
	}
	if dir == "" {
		dir = "."
	}
	for _, sub := range []string{"locales", "knowledge"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return "", fmt.Errorf("%s has no %s/ folder: run this in the source checkout or give the content folder", dir, sub)
		}
	}
	return dir, nil
}

// i18nContent is what l10n reads in dir, with the limits the flows impose
// and the languages of languages.yaml. Content with errors can still be
// exported and imported (a language offered too early is one of them):
// only the limits are missing then, and the note says so.
func i18nContent(env Env, dir string) (l10n.Content, locales.Settings, error) {
	c, err := DirContent(dir)
	if err != nil {
		return l10n.Content{}, locales.Settings{}, err
	}
	raw, err := fs.ReadFile(c.Locales, "languages.yaml")
	if err != nil {
		return l10n.Content{}, locales.Settings{}, err
	}
	var st locales.Settings
	if err := yaml.Unmarshal(raw, &st); err != nil {
		return l10n.Content{}, st, fmt.Errorf("locales/languages.yaml: %w", err)
	}
	lc := l10nContent(c, st)
	if l, issues := Load(c, LoadOptions{Lint: true}); l != nil {
		lc.Limits = textLimits(l.Program)
	} else {
		fmt.Fprintf(env.Stderr, "note: the content in %s has %d errors (teamsbot lint): length limits of buttons are not checked\n", dir, len(issues.Errors()))
	}
	return lc, st, nil
}

// l10nContent is what package l10n reads of the content: its texts, the
// reference language, and the plural rules a language borrows.
func l10nContent(c Content, st locales.Settings) l10n.Content {
	lc := l10n.Content{Locales: c.Locales, Knowledge: c.Knowledge, Reference: cmp.Or(st.Reference, "en"), Plural: map[string]string{}}
	for code, a := range st.About {
		if a.Plural != "" {
			lc.Plural[code] = a.Plural
		}
	}
	return lc
}

// listed reports whether lang is offered or in preparation.
func listed(st locales.Settings, lang string) bool {
	return slices.Contains(st.Languages, lang) || slices.Contains(st.Preparing, lang)
}

func i18nExport(env Env, args []string) error {
	fs := newFlagSet(env, "i18n export")
	lang := fs.String("lang", "", "the language to translate into (its code: uk, ur, prs...)")
	format := fs.String("format", "po", "po, xliff or csv")
	out := fs.String("out", "", "the file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if *lang == "" {
		fmt.Fprint(env.Stderr, i18nUsage)
		return ErrUsage
	}
	if !slices.Contains(l10n.Formats, *format) {
		return fmt.Errorf("--format %s: one of %s", *format, strings.Join(l10n.Formats, ", "))
	}
	dir, err := i18nDir(env, fs.Arg(0))
	if err != nil {
		return err
	}
	lc, st, err := i18nContent(env, dir)
	if err != nil {
		return err
	}
	units, err := l10n.Collect(lc, *lang)
	if err != nil {
		return err
	}
	g, _ := locales.LoadGlossary(lc.Locales)
	h := l10n.Header{Lang: *lang, Reference: lc.Reference, Glossary: glossaryNote(g, *lang)}
	var buf bytes.Buffer
	if err := l10n.Write(&buf, *format, h, units); err != nil {
		return err
	}
	done := 0
	for _, u := range units {
		if u.Text != "" {
			done++
		}
	}
	note := ""
	if !listed(st, *lang) {
		note = fmt.Sprintf(" (%s is not in languages.yaml yet: add it under preparing: before importing)", *lang)
	}
	if *out == "" {
		_, err = env.Stdout.Write(buf.Bytes())
		fmt.Fprintf(env.Stderr, "%d texts, %d already translated%s\n", len(units), done, note)
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d texts in %s, %d already translated%s\n", *out, len(units), *lang, done, note)
	return nil
}

// glossaryNote is the glossary as a translator reads it: each Italian term
// and its name in English and in the language, when there is one.
func glossaryNote(g *locales.Glossary, lang string) string {
	if g == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range g.Terms {
		fmt.Fprintf(&b, "%s = %s", t.Italian, t.Name["en"])
		if s := t.Name[lang]; s != "" {
			fmt.Fprintf(&b, " = %s", s)
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func i18nImport(env Env, args []string, write bool) error {
	name := "i18n check"
	if write {
		name = "i18n import"
	}
	fs := newFlagSet(env, name)
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if fs.NArg() < 1 {
		fmt.Fprint(env.Stderr, i18nUsage)
		return ErrUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	h, units, err := l10n.Read(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if h.Lang == "" {
		return fmt.Errorf("%s: the file does not say its language", fs.Arg(0))
	}
	dir, err := i18nDir(env, fs.Arg(1))
	if err != nil {
		return err
	}
	lc, st, err := i18nContent(env, dir)
	if err != nil {
		return err
	}
	if !listed(st, h.Lang) {
		return fmt.Errorf("%s: language %q is not in locales/languages.yaml: add it under preparing: first", fs.Arg(0), h.Lang)
	}
	current, err := l10n.Collect(lc, h.Lang)
	if err != nil {
		return err
	}
	if problems := l10n.Check(h, units, current, h.Lang); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(env.Stdout, "%s: %s\n", fs.Arg(0), p.Error())
		}
		return fmt.Errorf("%s: %d problems; nothing written", fs.Arg(0), len(problems))
	}
	translated := 0
	for _, u := range units {
		if u.Text != "" {
			translated++
		}
	}
	if !write {
		fmt.Fprintf(env.Stdout, "%s: %s, %d of %d texts translated, no problems\n", fs.Arg(0), h.Lang, translated, len(current))
		return nil
	}
	changes, err := l10n.Apply(dir, h.Lang, units, current)
	for _, c := range changes {
		what := "added"
		if c.Old != "" {
			what = "changed"
		}
		fmt.Fprintf(env.Stdout, "%s: %s %s\n", c.File, what, c.Key)
	}
	if err != nil {
		return err
	}
	files := map[string]bool{}
	for _, c := range changes {
		files[c.File] = true
	}
	fmt.Fprintf(env.Stdout, "%s: %d texts written in %d files; %d of %d texts of %s translated\n", fs.Arg(0), len(changes), len(files), translated, len(current), h.Lang)
	// Say what lint says now.
	if c, err := DirContent(dir); err == nil {
		if _, issues := Load(c, LoadOptions{Lint: true}); len(issues.Errors()) > 0 {
			fmt.Fprintf(env.Stdout, "the content still has %d errors: teamsbot lint %s\n", len(issues.Errors()), dir)
		}
	}
	return nil
}

// textLimits are the longest each locale message may be: option labels
// fit a WhatsApp button, a question a WhatsApp interactive body.
func textLimits(prog *flow.Program) map[string]l10n.Limit {
	out := map[string]l10n.Limit{}
	for _, f := range prog.Flows() {
		for _, n := range f.Nodes() {
			if n.Kind == flow.KindOptions && len(n.Say) > 0 {
				out[n.Say[len(n.Say)-1].ID] = l10n.Limit{N: whatsappBody, What: "a WhatsApp interactive message"}
			}
		}
	}
	for _, f := range prog.Flows() {
		for _, n := range f.Nodes() {
			for _, o := range n.Options {
				out[o.Label] = l10n.Limit{N: whatsappButton, What: "a WhatsApp button"}
			}
		}
	}
	for _, id := range bot.EngineLabels {
		out[id] = l10n.Limit{N: whatsappButton, What: "a WhatsApp button"}
	}
	return out
}

// textKinds name the kinds of text, in the order the coverage shows them.
var textKinds = []string{"messages", "guides", "kinds", "offices", "routes", "activities", "glossary"}

// keyKinds are the kinds of text by the start of their keys.
var keyKinds = [][2]string{
	{"locales:", "messages"}, {"knowledge/guides/", "guides"}, {"knowledge/kinds.yaml", "kinds"},
	{"knowledge/places/", "offices"}, {"knowledge/routes.yaml", "routes"},
	{"knowledge/activities.yaml", "activities"}, {"locales/glossary.yaml", "glossary"},
}

func kindOfKey(key string) string {
	for _, k := range keyKinds {
		if strings.HasPrefix(key, k[0]) {
			return k[1]
		}
	}
	return "other"
}

// printCoverage prints how much of each kind of text every language has,
// and returns the coverage gate's errors: a language offered to users must
// have every text (one still being translated is listed under preparing:).
func printCoverage(w io.Writer, c Content, l *Loaded) (flow.Issues, error) {
	st := l.Catalog.Settings()
	lc := l10nContent(c, st)
	var gate flow.Issues
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\ntranslations (texts translated, per kind of text):")
	fmt.Fprintf(tw, "language\tcode\tstatus\t%s\tall\t\n", strings.Join(textKinds, "\t"))
	var reviews []string
	for _, lang := range l.Catalog.All() {
		units, err := l10n.Collect(lc, lang.Code)
		if err != nil {
			return nil, err
		}
		done, total := map[string]int{}, map[string]int{}
		var missing []string
		for _, u := range units {
			k := kindOfKey(u.Key)
			total[k]++
			if u.Text != "" {
				done[k]++
			} else {
				missing = append(missing, u.Key)
			}
		}
		status := "offered"
		if lang.Preparing {
			status = "preparing"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t", lang.Name, lang.Code, status)
		all, allDone := 0, 0
		for _, k := range textKinds {
			all += total[k]
			allDone += done[k]
			fmt.Fprintf(tw, "%s\t", percent(done[k], total[k]))
		}
		fmt.Fprintf(tw, "%s\t\n", percent(allDone, all))
		if !lang.Preparing && len(missing) > 0 {
			gate = append(gate, flow.Issue{File: "locales/languages.yaml", Line: 1, Severity: flow.Error, Code: "coverage",
				Msg: fmt.Sprintf("%s is offered to users but %d of its %d texts are missing (%s): translate them (teamsbot i18n export --lang %s) or move %s to preparing:",
					lang.Code, len(missing), all, strings.Join(missing[:min(3, len(missing))], ", "), lang.Code, lang.Code)})
		}
		if r := st.About[lang.Code].Review; r != "" {
			reviews = append(reviews, fmt.Sprintf("  %s: %s", lang.Code, r))
		}
	}
	tw.Flush()
	if len(reviews) > 0 {
		fmt.Fprintln(w, "\nnot yet reviewed by a native speaker:")
		fmt.Fprintln(w, strings.Join(reviews, "\n"))
	}
	for _, i := range gate {
		fmt.Fprintln(w, i.Error())
	}
	return gate, nil
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	if n < of && n*100/of == 100 {
		return "99%"
	}
	return fmt.Sprintf("%d%%", n*100/of)
}
