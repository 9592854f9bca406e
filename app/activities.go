package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"text/tabwriter"

	"teamsbot/activities"
	"teamsbot/bot"
	"teamsbot/knowledge"
)

// activitiesCmd is `teamsbot activities --id ID` (participants and waiting
// list, by pseudonymous code) or `--proposals` (what users proposed).
func activitiesCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "activities")
	id := fs.String("id", "", "the activity's id (knowledge/activities.yaml)")
	proposals := fs.Bool("proposals", false, "list the proposals of activities and offers to volunteer")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if *id == "" && !*proposals {
		fmt.Fprintln(env.Stderr, "usage: teamsbot activities --id ID | --proposals")
		return ErrUsage
	}
	cfg, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	defer w.Flush()
	if *proposals {
		list, err := activities.Proposals(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%d proposte\n\ndata\tlingua\tcanale\tcosa\tdove\tquando\tlingue\n", len(list))
		for _, p := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.At.In(knowledge.Rome).Format("02/01 15:04"), p.Lang, p.Channel, p.What, p.Where, p.When, p.Languages)
		}
		return nil
	}
	a, ok := l.Directory.Activity(*id)
	if !ok {
		return fmt.Errorf("no activity %q", *id)
	}
	r, err := st.Roster(ctx, a.ID)
	if err != nil {
		return err
	}
	key := []byte(cfg.PseudonymKey)
	fmt.Fprintf(w, "%s — %d iscritti (posti: %d)\n\nstato\tcodice\tlingua\tcanale\n", a.TitleIn("it"), len(r), a.Capacity)
	for _, e := range r {
		status := "iscritto"
		if e.Status == bot.EnrolWaiting {
			status = "in attesa"
		}
		channel, _ := splitConv(e.Conv)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", status, pseudonym(key, e.Conv), e.Lang, channel)
	}
	return nil
}

// pseudonym is the participant's code in lists: an HMAC of the
// conversation, never a phone number.
func pseudonym(key []byte, conv string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(conv))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

func splitConv(conv string) (string, string) {
	for i := 0; i < len(conv); i++ {
		if conv[i] == ':' {
			return conv[:i], conv[i+1:]
		}
	}
	return conv, ""
}
