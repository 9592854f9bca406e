package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"teamsbot/knowledge"
)

// contentCmd is `teamsbot content report`: what a content team looks at
// every week — stale or unsourced facts, placeholders, kinds of office
// without an office per province, untranslated notes, guides not fully
// checked on official pages.
func contentCmd(env Env, args []string) error {
	if len(args) == 0 || args[0] != "report" {
		fmt.Fprintln(env.Stderr, "usage: teamsbot content report [--format csv] [--max-age-days 365] [DIR]")
		return ErrUsage
	}
	fs := newFlagSet(env, "content report")
	format := fs.String("format", "text", "text or csv")
	maxAgeDays := fs.Int("max-age-days", 365, "facts confirmed longer ago than this are stale")
	if err := fs.Parse(args[1:]); err != nil {
		return ErrUsage
	}
	_, l, err := loadDir(env, fs.Arg(0), false)
	if err != nil {
		return err
	}
	r := buildReport(l, time.Now(), time.Duration(*maxAgeDays)*24*time.Hour)
	if *format == "csv" {
		return r.csv(env.Stdout)
	}
	r.text(env.Stdout, *maxAgeDays)
	return nil
}

// reportRow is one finding: what, where, why.
type reportRow struct {
	Section, File string
	Line          int
	Item, Finding string
}

// contentReport is the findings and the table of kinds × provinces.
type contentReport struct {
	Rows      []reportRow
	Provinces []string
	Kinds     []string
	// Cells: offices per kind and province, and how many confirmed within
	// the age.
	Count, Confirmed map[[2]string]int
	Guides, Sourced  int
}

func buildReport(l *Loaded, now time.Time, maxAge time.Duration) *contentReport {
	d := l.Directory
	langs := langCodesOf(l.Catalog)
	r := &contentReport{Count: map[[2]string]int{}, Confirmed: map[[2]string]int{}}
	provinces := map[string]bool{}
	for _, m := range d.Municipalities.All() {
		provinces[m.Province] = true
	}
	for p := range provinces {
		r.Provinces = append(r.Provinces, p)
	}
	slices.Sort(r.Provinces)
	for k := range d.Kinds {
		r.Kinds = append(r.Kinds, k)
	}
	slices.Sort(r.Kinds)
	add := func(section, file string, line int, item, finding string) {
		r.Rows = append(r.Rows, reportRow{section, file, line, item, finding})
	}
	for _, p := range d.Places() {
		file := "knowledge/" + p.File
		m, _ := d.Municipalities.ByCode(p.Municipality)
		prov := m.Province
		if p.RegionWide {
			prov = "region"
		}
		r.Count[[2]string{p.Kind, prov}]++
		if p.ConfirmedWithin(now, maxAge) {
			r.Confirmed[[2]string{p.Kind, prov}]++
		}
		switch {
		case p.Sample:
			add("placeholder", file, p.Line, p.ID, "sample: not verified, shown with a warning")
		case strings.TrimSpace(p.Source) == "":
			add("unsourced", file, p.Line, p.ID, "no source")
		case p.Checked == "":
			add("stale", file, p.Line, p.ID, "no date of confirmation")
		case !p.ConfirmedWithin(now, maxAge):
			add("stale", file, p.Line, p.ID, "last confirmed "+p.Checked)
		}
		if len(p.Note) > 0 && !p.Note.Translated(langs) || len(p.PhoneNote) > 0 && !p.PhoneNote.Translated(langs) {
			add("untranslated", file, p.Line, p.ID, "note not in every language")
		}
	}
	for _, g := range d.Guides() {
		r.Guides++
		file := "knowledge/" + g.File
		switch {
		case len(g.Sources) == 0:
			add("unsourced", file, g.Line, "guide "+g.ID, "no official page cited")
		case len(g.Unverified) > 0:
			r.Sourced++
			add("unverified", file, g.Line, "guide "+g.ID, fmt.Sprintf("%d facts not confirmed on an official page: %s", len(g.Unverified), strings.Join(g.Unverified, "; ")))
		default:
			r.Sourced++
		}
		if dt, err := time.Parse("2006-01-02", g.Checked); err == nil && now.Sub(dt) > maxAge {
			add("stale", file, g.Line, "guide "+g.ID, "last checked "+g.Checked)
		}
	}
	for _, k := range r.Kinds {
		_, route := d.KindRoute(k)
		for _, p := range r.Provinces {
			if r.Count[[2]string{k, p}] == 0 && r.Count[[2]string{k, "region"}] == 0 {
				finding := "no office"
				if route {
					finding += " (the kind's route in routes.yaml says how to reach one)"
				}
				add("coverage", "knowledge/places", 0, k+" × "+p, finding)
			}
		}
	}
	return r
}

func (r *contentReport) text(w io.Writer, maxAgeDays int) {
	fmt.Fprintf(w, "Offices by kind and province (confirmed within %d days / all):\n\n", maxAgeDays)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "kind\t")
	for _, p := range r.Provinces {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintln(tw, "region\t")
	for _, k := range r.Kinds {
		fmt.Fprintf(tw, "%s\t", k)
		for _, p := range append(slices.Clone(r.Provinces), "region") {
			n, c := r.Count[[2]string{k, p}], r.Confirmed[[2]string{k, p}]
			if n == 0 {
				fmt.Fprint(tw, "-\t")
			} else {
				fmt.Fprintf(tw, "%d/%d\t", c, n)
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nGuides: %d, %d citing official pages.\n", r.Guides, r.Sourced)
	sections := []struct{ id, title string }{
		{"unsourced", "Unsourced"}, {"unverified", "Guides with facts not confirmed on an official page"},
		{"stale", "Stale (confirmed longer ago than the age, or never)"}, {"placeholder", "Placeholders"},
		{"untranslated", "Notes not translated"}, {"coverage", "Kinds × provinces without an office"},
	}
	for _, s := range sections {
		var rows []reportRow
		for _, row := range r.Rows {
			if row.Section == s.id {
				rows = append(rows, row)
			}
		}
		fmt.Fprintf(w, "\n%s (%d):\n", s.title, len(rows))
		for _, row := range rows {
			pos := row.File
			if row.Line > 0 {
				pos = fmt.Sprintf("%s:%d", row.File, row.Line)
			}
			fmt.Fprintf(w, "  %s: %s: %s\n", pos, row.Item, row.Finding)
		}
	}
}

func (r *contentReport) csv(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"section", "file", "line", "item", "finding"})
	for _, row := range r.Rows {
		_ = cw.Write([]string{row.Section, row.File, fmt.Sprint(row.Line), row.Item, row.Finding})
	}
	for _, k := range r.Kinds {
		for _, p := range append(slices.Clone(r.Provinces), "region") {
			if n := r.Count[[2]string{k, p}]; n > 0 {
				_ = cw.Write([]string{"offices", "knowledge/places", "0", k + " × " + p, fmt.Sprintf("%d offices, %d confirmed", n, r.Confirmed[[2]string{k, p}])})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

var _ = knowledge.DefaultMaxAge
