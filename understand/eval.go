package understand

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"teamsbot/bot"
	"teamsbot/nlu"
)

// Outcome is what the bot did with one held-out question.
type Outcome struct {
	Q Question
	U bot.Understanding
	// Reached is true when the question took the bot somewhere without the
	// router (a menu label, a command word): U then names that intent.
}

// Effective is the bot's ranking as the user sees it: the route followed or
// offered first, then the rest; chat.none first when it said it did not
// understand.
func (o Outcome) Effective() []string {
	var out []string
	add := func(id string) {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(o.U.Routes) == 0 {
		add(None)
	}
	for _, r := range o.U.Routes {
		add(r.Intent)
	}
	for _, s := range o.U.Ranked {
		add(s.Intent)
	}
	return out
}

// accepts reports whether intent answers the question; greetings and
// thanks are chat, so "not understood" answers an out-of-scope question.
func accepts(q Question, intent string) bool {
	return q.Accepts(intent)
}

// Top1 reports whether the bot's first answer is right.
func (o Outcome) Top1() bool {
	e := o.Effective()
	return len(e) > 0 && accepts(o.Q, e[0])
}

// Top3 reports whether a right answer is among the first three.
func (o Outcome) Top3() bool {
	e := o.Effective()
	for _, id := range e[:min(3, len(e))] {
		if accepts(o.Q, id) {
			return true
		}
	}
	return false
}

// ConfidentMistake reports whether the bot went somewhere wrong at once.
func (o Outcome) ConfidentMistake() bool {
	return o.U.Sure && len(o.U.Routes) > 0 && !accepts(o.Q, o.U.Routes[0].Intent)
}

// AtOnce reports whether the bot went to a right place at once.
func (o Outcome) AtOnce() bool {
	return o.U.Sure && len(o.U.Routes) > 0 && accepts(o.Q, o.U.Routes[0].Intent)
}

// Figures are the evaluation's figures for a set of outcomes.
type Figures struct {
	N                             int
	Top1, Top3, Mistakes, AtOnce  float64
	LangWrong, LangSure           float64 // language detection: switched wrongly, sure
	top1n, top3n, mistn, oncen    int
	langWrongN, langSureN, langOf int
}

func (f *Figures) add(o Outcome) {
	f.N++
	if o.Top1() {
		f.top1n++
	}
	if o.Top3() {
		f.top3n++
	}
	if o.ConfidentMistake() {
		f.mistn++
	}
	if o.AtOnce() {
		f.oncen++
	}
	if !o.U.Direct {
		f.langOf++
		if o.U.Lang != "" {
			f.langSureN++
			if o.U.Lang != o.Q.Lang {
				f.langWrongN++
			}
		}
	}
	n := float64(f.N)
	f.Top1, f.Top3, f.Mistakes, f.AtOnce = float64(f.top1n)/n, float64(f.top3n)/n, float64(f.mistn)/n, float64(f.oncen)/n
	if f.langOf > 0 {
		f.LangSure, f.LangWrong = float64(f.langSureN)/float64(f.langOf), float64(f.langWrongN)/float64(f.langOf)
	}
}

// Report is a whole evaluation.
type Report struct {
	Outcomes []Outcome
	ByLang   map[string]*Figures
	All      Figures
	langs    []string
}

// NewReport computes the figures of outcomes, per language in the order
// given and overall.
func NewReport(outcomes []Outcome, langs []string) *Report {
	r := &Report{Outcomes: outcomes, ByLang: map[string]*Figures{}, langs: langs}
	for _, o := range outcomes {
		f := r.ByLang[o.Q.Lang]
		if f == nil {
			f = &Figures{}
			r.ByLang[o.Q.Lang] = f
		}
		f.add(o)
		r.All.add(o)
	}
	return r
}

// Print writes the figures per language and overall, the pairs of intents
// most confused, and every miss.
func (r *Report) Print(w io.Writer, misses bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "language\tquestions\ttop-1\ttop-3\tat once\tconfident mistakes\tlanguage recognised\tlanguage wrong\t")
	row := func(name string, f *Figures) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, f.N, pct(f.Top1), pct(f.Top3), pct(f.AtOnce), pct(f.Mistakes), pct(f.LangSure-f.LangWrong), pct(f.LangWrong))
	}
	for _, l := range r.langs {
		if f := r.ByLang[l]; f != nil {
			row(l, f)
		}
	}
	row("all", &r.All)
	tw.Flush()
	type pair struct {
		want, got string
		n         int
	}
	counts := map[[2]string]int{}
	for _, o := range r.Outcomes {
		if !o.Top1() {
			counts[[2]string{o.Q.Intent, o.Effective()[0]}]++
		}
	}
	var pairs []pair
	for k, n := range counts {
		pairs = append(pairs, pair{k[0], k[1], n})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(b.n-a.n, strings.Compare(a.want, b.want), strings.Compare(a.got, b.got))
	})
	if len(pairs) > 0 {
		fmt.Fprintln(w, "\nmost confused (expected → answered):")
		for _, p := range pairs[:min(10, len(pairs))] {
			fmt.Fprintf(w, "  %3d  %s → %s\n", p.n, p.want, p.got)
		}
	}
	if !misses {
		return
	}
	var miss []Outcome
	for _, o := range r.Outcomes {
		if !o.Top1() || o.ConfidentMistake() {
			miss = append(miss, o)
		}
	}
	if len(miss) == 0 {
		return
	}
	fmt.Fprintf(w, "\nmisses (%d):\n", len(miss))
	for _, o := range miss {
		how := "not understood"
		switch {
		case o.U.Sure:
			how = "went to " + o.U.Routes[0].Intent
		case len(o.U.Routes) > 0:
			var ids []string
			for _, r := range o.U.Routes {
				ids = append(ids, r.Intent)
			}
			how = "offered " + strings.Join(ids, ", ")
		}
		top := ""
		if len(o.U.Ranked) > 0 {
			top = fmt.Sprintf(" (best %s %.2f)", o.U.Ranked[0].Intent, o.U.Ranked[0].P)
		}
		fmt.Fprintf(w, "  %s:%d: %s: %q: want %s, %s%s\n", o.Q.File, o.Q.Line, o.Q.Lang, short(o.Q.Text), o.Q.Intent, how, top)
	}
}

func pct(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }

// CrossValidate estimates how well the examples teach the bot, without
// the held-out questions: the examples are split in k folds (by a hash of
// their text, so the split is the same every run); each fold is classified
// by a model trained on the others. It is how the method, the features and
// the thresholds were chosen: never on the held-out questions. With only
// set, just the examples it accepts are folded and measured (the others
// always train): RealOnly measures on the real questions of the
// *.real*.yaml files, the closest to what users write.
func CrossValidate(ctx context.Context, src Source, k int, only func(Example) bool) ([]Outcome, error) {
	files, issues := readExamples(src.Locales, codes(src.Catalog))
	if len(issues.Errors()) > 0 {
		return nil, issues
	}
	if only == nil {
		only = func(Example) bool { return true }
	}
	fold := func(e Example) int {
		if !only(e) {
			return -1
		}
		return int(fnv32(e.Lang+"\x00"+e.Text) % uint32(k))
	}
	var out []Outcome
	for i := range k {
		s := src
		s.Hold = func(e Example) bool { return fold(e) == i }
		u, issues := Build(s)
		if u == nil {
			return nil, issues
		}
		for _, lang := range codes(src.Catalog) {
			f := files[lang]
			if f == nil {
				continue
			}
			for _, e := range f.Examples {
				if fold(e) != i {
					continue
				}
				q := Question{Text: e.Text, Lang: lang, Intent: e.Intent, File: e.File, Line: e.Line}
				out = append(out, Outcome{Q: q, U: u.Understand(ctx, lang, e.Text)})
			}
		}
	}
	return out, nil
}

// RealOnly accepts the examples of the real-question files
// (<lang>.real.yaml, <lang>.real2.yaml...).
func RealOnly(e Example) bool { return strings.Contains(filepath.Base(e.File), ".real") }

// Sweep prints, for thresholds of the "sure" decision, how often the bot
// would go somewhere at once and how often that would be wrong.
func Sweep(w io.Writer, outcomes []Outcome, th Thresholds) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "sure at\tor at least\ttimes the second\tlong texts\tat once\tconfident mistakes\t")
	for _, t := range []Thresholds{
		{Sure: 0.5}, {Sure: 0.6}, {Sure: 0.7}, {Sure: 0.8}, {Sure: 0.85}, {Sure: 0.9},
		{Sure: 0.85, Clear: 0.5, Ratio: 6}, {Sure: 0.85, Clear: 0.5, Ratio: 8}, {Sure: 0.85, Clear: 0.6, Ratio: 8}, {Sure: 0.85, Clear: 0.6, Ratio: 10},
		{Sure: 0.85, Clear: 0.6, Ratio: 8, Long: 20, SureLong: 0.95}, {Sure: 0.85, Clear: 0.6, Ratio: 8, Long: 12, SureLong: 0.95},
		{Sure: 0.85, Clear: 0.6, Ratio: 8, Long: 14, SureLong: 0.9}, {Sure: 0.85, Clear: 0.6, Ratio: 8, Long: 14, SureLong: 0.95},
		{Sure: 0.85, Long: 14, SureLong: 0.95}, {Sure: 0.85, Clear: 0.6, Ratio: 10, Long: 14, SureLong: 0.95},
		{Sure: 0.85, Clear: 0.7, Ratio: 10, Long: 14, SureLong: 0.95}, {Sure: 0.85, Clear: 0.7, Ratio: 12, Long: 14, SureLong: 0.95},
	} {
		var once, wrong int
		for _, o := range outcomes {
			if len(o.U.Ranked) == 0 || o.U.Known < th.Known || o.U.Direct || o.U.Ranked[0].Intent == None {
				continue
			}
			ranked := make([]nlu.Prediction, len(o.U.Ranked))
			for i, s := range o.U.Ranked {
				ranked[i] = nlu.Prediction{Intent: s.Intent, P: s.P}
			}
			if !t.sure(ranked, textLength(o.Q.Text)) {
				continue
			}
			if accepts(o.Q, ranked[0].Intent) {
				once++
			} else {
				wrong++
			}
		}
		n := float64(max(len(outcomes), 1))
		clear, long := "-\t-", "-"
		if t.Clear > 0 {
			clear = fmt.Sprintf("%.2f\t%.0f", t.Clear, t.Ratio)
		}
		if t.Long > 0 {
			long = fmt.Sprintf("%.2f over %d words", t.SureLong, t.Long)
		}
		fmt.Fprintf(tw, "%.2f\t%s\t%s\t%s\t%s\t\n", t.Sure, clear, long, pct(float64(once)/n), pct(float64(wrong)/n))
	}
	tw.Flush()
}

func codes(tr Catalog) []string {
	var out []string
	for _, l := range allLanguages(tr) {
		out = append(out, l.Code)
	}
	return out
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}
