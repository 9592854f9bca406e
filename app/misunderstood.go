package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"teamsbot/bot"
	"teamsbot/understand"
)

// notUnderstood is the service option that keeps the texts not
// understood, when TEAMSBOT_MISUNDERSTOOD is on and the store can.
func notUnderstood(cfg Config, st Store, log *slog.Logger) bot.ServiceOption {
	ms, ok := st.(understand.MissStore)
	if !cfg.Misunderstood || !ok {
		return nil
	}
	return bot.WithNotUnderstood(understand.NewRecorder(ms, time.Duration(cfg.RetentionDays)*24*time.Hour, log))
}

// misunderstoodCmd is `teamsbot misunderstood`: what users wrote that fell
// through, most frequent first, from the deployment's store.
func misunderstoodCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "misunderstood")
	lang := fs.String("lang", "", "only this language")
	since := fs.String("since", "7d", "how far back: 7d, 24h, 30m")
	n := fs.Int("n", 50, "at most this many texts (0: all)")
	format := fs.String("format", "text", "text or csv")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	back, err := parseSince(*since)
	if err != nil {
		return fmt.Errorf("--since %q: %w", *since, err)
	}
	cfg, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang != "" {
		if _, ok := l.Catalog.Match(*lang); !ok {
			return fmt.Errorf("--lang %s: not a language of the content (have: %s)", *lang, langCodes(l))
		}
	}
	ms, ok := st.(understand.MissStore)
	if !ok {
		return fmt.Errorf("this store keeps no texts")
	}
	list, err := understand.Misunderstood(ctx, ms, *lang, time.Now().Add(-back))
	if err != nil {
		return err
	}
	if *n > 0 && len(list) > *n {
		list = list[:*n]
	}
	if *format == "csv" {
		w := csv.NewWriter(env.Stdout)
		_ = w.Write([]string{"count", "language", "last", "text"})
		for _, m := range list {
			_ = w.Write([]string{fmt.Sprint(m.Count), m.Lang, m.Last.UTC().Format(time.RFC3339), m.Text})
		}
		w.Flush()
		return w.Error()
	}
	if len(list) == 0 {
		state := ""
		if !cfg.Misunderstood {
			state = " (TEAMSBOT_MISUNDERSTOOD is off)"
		}
		fmt.Fprintf(env.Stdout, "nothing not understood in the last %s%s\n", *since, state)
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "count\tlang\tlast\ttext")
	for _, m := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Count, m.Lang, m.Last.Local().Format("2006-01-02 15:04"), strings.ReplaceAll(m.Text, "\t", " "))
	}
	return tw.Flush()
}

// parseSince reads "7d", "12h", "30m".
func parseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != d {
			return 0, fmt.Errorf("write a number of days, like 7d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("write 7d, 24h or 30m")
	}
	return d, nil
}
