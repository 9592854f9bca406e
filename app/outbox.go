package app

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// outboxCmd is `teamsbot outbox --failed [--retry CODE|all]`: the replies a
// channel refused after every retry (kept in their conversation's session
// until the retention period ends), by pseudonymous code, and a way to send
// them again. Retried replies go back to the outbox, due now: a running
// `teamsbot serve` (any replica) delivers them at its next sweep.
func outboxCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "outbox")
	failed := fs.Bool("failed", false, "list the conversations whose replies were given up")
	retry := fs.String("retry", "", "send failed replies again: a code from --failed, or all")
	limit := fs.Int("n", 200, "at most this many conversations")
	if err := fs.Parse(args); err != nil || (!*failed && *retry == "") || fs.NArg() > 0 {
		fmt.Fprintln(env.Stderr, "usage: teamsbot outbox --failed [-n N] | --retry CODE|all")
		return ErrUsage
	}
	cfg, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := engineFor(l.Domain(Deps{Store: st}), cfg, false)
	if err != nil {
		return err
	}
	svc := bot.NewService(eng, st, serviceConfig(cfg, newLogger(cfg, env.Stderr)))
	reports, err := svc.FailedReplies(ctx, max(*limit, 1))
	if err != nil {
		return err
	}
	if *retry != "" {
		n := 0
		for _, r := range reports {
			if *retry != "all" && svc.Pseudonym(r.Conv) != *retry {
				continue
			}
			ok, err := svc.RetryFailed(ctx, r.Conv)
			if err != nil {
				return fmt.Errorf("retry %s: %w", svc.Pseudonym(r.Conv), err)
			}
			if ok {
				n++
			}
		}
		if n == 0 && *retry != "all" {
			return fmt.Errorf("no failed replies for %q (see teamsbot outbox --failed)", *retry)
		}
		fmt.Fprintf(env.Stdout, "%d conversations queued again: a running teamsbot sends them within %s\n", n, cfg.OutboxEvery)
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	defer w.Flush()
	fmt.Fprintf(w, "%d conversations with failed replies\n\n", len(reports))
	if len(reports) == 0 {
		return nil
	}
	fmt.Fprintln(w, "failed at\tcode\tchannel\tattempts\treplies\terror\tmessages")
	for _, r := range reports {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.Failed.In(knowledge.Rome).Format("2006-01-02 15:04"), svc.Pseudonym(r.Conv),
			r.Channel, r.Attempts, r.Replies, r.Error, strings.Join(r.MessageIDs, " "))
	}
	return nil
}
