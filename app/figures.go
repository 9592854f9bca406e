package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"teamsbot/knowledge"
	"teamsbot/report"
)

// figuresCmd is `teamsbot report`: the programme's figures for a period,
// from the deployment's store (Redis with REDIS_URL, else the embedded one).
func figuresCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "report")
	from := fs.String("from", "", "the first day, YYYY-MM-DD (default: 30 days ago)")
	to := fs.String("to", "", "the last day, YYYY-MM-DD (default: today)")
	format := fs.String("format", "html", "html, csv or json")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	today := time.Now().In(knowledge.Rome)
	day := func(s string, def time.Time) (time.Time, error) {
		if s == "" {
			y, m, d := def.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, knowledge.Rome), nil
		}
		t, err := time.ParseInLocation(report.Day, s, knowledge.Rome)
		if err != nil {
			return t, fmt.Errorf("%q: write YYYY-MM-DD", s)
		}
		return t, nil
	}
	f, err := day(*from, today.AddDate(0, 0, -30))
	if err != nil {
		return fmt.Errorf("--from %w", err)
	}
	t, err := day(*to, today)
	if err != nil {
		return fmt.Errorf("--to %w", err)
	}
	switch {
	case t.Before(f):
		return fmt.Errorf("--from %s comes after --to %s", f.Format(report.Day), t.Format(report.Day))
	case f.After(today):
		return fmt.Errorf("--from %s is in the future: nothing has been counted yet", f.Format(report.Day))
	case t.Sub(f) > 3*366*24*time.Hour:
		return errors.New("--from and --to are more than three years apart")
	case t.After(today):
		fmt.Fprintf(env.Stderr, "note: --to %s is in the future; the report stops today, %s\n", t.Format(report.Day), today.Format(report.Day))
		t = today
	}
	cfg, err := FromEnv(env.Getenv)
	if err != nil {
		return err
	}
	st, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	rs, ok := st.(report.Store)
	if !ok {
		return errors.New("this store keeps no figures")
	}
	r, err := report.Build(ctx, rs, f, t)
	if err != nil {
		return err
	}
	if r.Empty() {
		fmt.Fprintf(env.Stderr, "note: no figures were recorded from %s to %s (the service counts as it runs: a store that never ran serve has none)\n", r.From, r.To)
	}
	switch *format {
	case "html":
		return report.WriteHTML(env.Stdout, r)
	case "csv":
		return report.WriteCSV(env.Stdout, r)
	case "json":
		return report.WriteJSON(env.Stdout, r)
	}
	return fmt.Errorf("--format %s: html, csv or json", *format)
}
