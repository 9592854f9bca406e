package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"teamsbot/bot"
	"teamsbot/nlu"
	"teamsbot/understand"
)

// evalCmd is `teamsbot eval`: the held-out questions of locales/eval/ put
// to the bot the way a message arrives (at the main menu, through the
// engine), with top-1, top-3, answers at once, confident mistakes and the
// language detector's wrong switches, per language and overall; then the
// intents most confused and every miss. --cv K estimates the same from the
// examples alone (K folds), which is how the method and thresholds are
// chosen; --min and friends make it a CI gate.
func evalCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "eval")
	lang := fs.String("lang", "", "only these languages (comma separated: it,en)")
	minTop1 := fs.Float64("min", 0, "exit 1 when top-1 of a language is below this (0.90 = 90 %)")
	minTop3 := fs.Float64("min-top3", 0, "exit 1 when top-3 of a language is below this")
	maxWrong := fs.Float64("max-wrong", 1, "exit 1 when a language's rate of confident mistakes is above this")
	cv := fs.Int("cv", 0, "instead of the held-out questions, cross-validate the examples in this many folds")
	real := fs.Bool("real", false, "with --cv: fold and measure only the real questions (locales/examples/*.real*.yaml); the rest always trains")
	method := fs.String("method", "", "classifier to evaluate: logreg (default) or centroid")
	seed := fs.Uint64("seed", 0, "the order training visits the examples in (default: the bot's): figures under a few seeds show how much of a difference is noise")
	typos := fs.Bool("typos", false, "put the held-out questions with typos: one letter dropped, doubled or swapped in every other word of five letters or more (the same typos every run)")
	quiet := fs.Bool("q", false, "figures only, no list of misses")
	dump := fs.String("tsv", "", "also write every outcome to this file, a line each (file:line, language, words, expected, best, its probability, the runner-up's, sure, top-1, top-3) to study the thresholds")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	c, l, err := loadDir(env, fs.Arg(0), false)
	if err != nil {
		return err
	}
	langs := langCodesOf(l.Catalog)
	if *lang != "" {
		var only []string
		for _, code := range strings.Split(*lang, ",") {
			code = strings.TrimSpace(code)
			if !slices.Contains(langs, code) {
				return fmt.Errorf("--lang %s: not a language of the content (have: %s)", code, langCodes(l))
			}
			only = append(only, code)
		}
		langs = only
	}
	src := understand.Source{Locales: c.Locales, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program, Options: nlu.Options{Method: nlu.Method(*method), Seed: *seed}}
	u := l.Understander
	if *method != "" || *seed != 0 {
		var issues error
		if u, issues = buildOrErr(src); u == nil {
			return issues
		}
	}
	var outcomes []understand.Outcome
	if *cv > 1 {
		var only func(understand.Example) bool
		if *real {
			only = understand.RealOnly
		}
		all, err := understand.CrossValidate(ctx, src, *cv, only)
		if err != nil {
			return err
		}
		for _, o := range all {
			if slices.Contains(langs, o.Q.Lang) {
				outcomes = append(outcomes, o)
			}
		}
		what := "the examples"
		if *real {
			what = "the real questions among the examples"
		}
		fmt.Fprintf(env.Stdout, "cross-validation of %s, %d folds\n\n", what, *cv)
	} else {
		qs, issues := understand.ReadEval(c.Locales, langs)
		if len(issues) > 0 {
			return issues
		}
		if len(qs) == 0 {
			return fmt.Errorf("no held-out questions in %s/locales/eval/", c.Root)
		}
		eng, err := l.Engine(bot.Config{Router: u})
		if err != nil {
			return err
		}
		if err := u.Warm(ctx); err != nil {
			return fmt.Errorf("embeddings: %w", err)
		}
		now := time.Now()
		for _, q := range qs {
			if *typos {
				q.Text = withTypos(q.Text)
			}
			outcomes = append(outcomes, askAtMenu(ctx, eng, q, now))
		}
		what := "held-out questions"
		if *typos {
			what += " with typos"
		}
		fmt.Fprintf(env.Stdout, "%s (%s)\n\n", what, u.Describe())
	}
	if *dump != "" {
		if err := writeOutcomes(*dump, outcomes); err != nil {
			return err
		}
	}
	r := understand.NewReport(outcomes, langs)
	r.Print(env.Stdout, !*quiet)
	if *cv > 1 {
		fmt.Fprintln(env.Stdout, "\nthe \"sure\" threshold, on these examples:")
		understand.Sweep(env.Stdout, outcomes, understand.DefaultThresholds)
	}
	var failed []string
	for _, code := range langs {
		f := r.ByLang[code]
		if f == nil {
			continue
		}
		if f.Top1 < *minTop1 || f.Top3 < *minTop3 || f.Mistakes > *maxWrong {
			failed = append(failed, code)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(env.Stdout, "\nbelow the thresholds (top-1 ≥ %.0f %%, top-3 ≥ %.0f %%, confident mistakes ≤ %.1f %%): %v\n", 100**minTop1, 100**minTop3, 100**maxWrong, failed)
		return ExitError{Code: 1}
	}
	return nil
}

func buildOrErr(src understand.Source) (*understand.Understander, error) {
	u, issues := understand.Build(src)
	if u == nil {
		return nil, issues
	}
	return u, nil
}

// askAtMenu puts one question to the engine as a user at the main menu
// would type it, in the question's language, and returns what the engine
// understood.
func askAtMenu(ctx context.Context, eng *bot.Engine, q understand.Question, now time.Time) understand.Outcome {
	menu, _ := eng.Program().Flow(bot.MenuFlow)
	s := &bot.Session{State: bot.StateFlow, Lang: q.Lang, Flow: bot.MenuFlow, Step: menu.Start.ID, Consent: now.Unix(), Updated: now.Unix()}
	turn, _ := eng.Step(ctx, s, bot.Inbound{Channel: "eval", UserID: "eval", Text: q.Text}, now)
	o := understand.Outcome{Q: q}
	if turn.Understood != nil {
		o.U = *turn.Understood
	}
	return o
}

// writeOutcomes writes the outcomes as tab-separated lines (the question's
// text left out: its file and line find it).
func writeOutcomes(name string, outcomes []understand.Outcome) error {
	var b strings.Builder
	b.WriteString("where\tlang\twords\texpected\tbest\tp1\tp2\tsure\ttop1\ttop3\n")
	for _, o := range outcomes {
		best, p1, p2 := "", 0.0, 0.0
		for i, r := range o.U.Ranked {
			switch {
			case i == 0:
				best, p1 = r.Intent, r.P
			case r.Intent != understand.None && p2 == 0:
				p2 = r.P
			}
		}
		fmt.Fprintf(&b, "%s:%d\t%s\t%d\t%s\t%s\t%.4f\t%.4f\t%t\t%t\t%t\n", o.Q.File, o.Q.Line, o.Q.Lang, len(strings.Fields(o.Q.Text)),
			o.Q.Intent, best, p1, p2, o.U.Sure, o.Top1(), o.Top3())
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

// withTypos makes the typos people make on a phone in a text: in every
// other word of five letters or more, one letter dropped, doubled, or
// swapped with the next, chosen by the word itself (so the same text
// always gets the same typos). Han runs are left alone.
func withTypos(text string) string {
	words := strings.Fields(text)
	long := 0
	for i, w := range words {
		rs := []rune(w)
		if len(rs) < 5 || !isLetters(rs) {
			continue
		}
		long++
		if long%2 == 0 {
			continue
		}
		h := uint32(2166136261)
		for _, r := range rs {
			h = (h ^ uint32(r)) * 16777619
		}
		at := 1 + int(h%uint32(len(rs)-2)) // never the first or last letter
		switch (h >> 8) % 3 {
		case 0:
			rs = append(rs[:at:at], rs[at+1:]...)
		case 1:
			rs = append(rs[:at+1:at+1], rs[at:]...)
		default:
			rs[at], rs[at+1] = rs[at+1], rs[at]
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

func isLetters(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLetter(r) || unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
