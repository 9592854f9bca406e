package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"text/tabwriter"

	"teamsbot/activities/roster"

	"teamsbot/activities"
	"teamsbot/knowledge"
)

// activitiesCmd is `teamsbot activities --id ID` (participants and waiting
// list, by pseudonymous code) or `--proposals` (what users proposed).
func activitiesCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "activities")
	id := fs.String("id", "", "the activity's id (knowledge/activities.yaml)")
	proposals := fs.Bool("proposals", false, "list the proposals of activities and offers to volunteer")
	list := fs.Bool("list", false, "list the activities and their ids, with places taken and waiting")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if *id == "" && !*proposals && !*list {
		fmt.Fprintln(env.Stderr, "usage: teamsbot activities --list | --id ID | --proposals")
		return ErrUsage
	}
	cfg, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	// The associations' changes (seats, cancellations) made from Slack.
	ac := l.Domain(Deps{Store: st}).Activities
	if err := ac.RefreshChanges(ctx); err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	defer w.Flush()
	if *list {
		all := ac.All() // the catalogue's, and those added from Slack
		fmt.Fprintf(w, "%s\n\nid\tattività\tiscritti\tin attesa\tposti\tesempio\n", plural(len(all), "attività", "attività"))
		for _, a := range all {
			r, err := st.Roster(ctx, a.ID)
			if err != nil {
				return err
			}
			in, waiting := counts(r)
			seats := "senza limite"
			if n := ac.Seats(a); n > 0 {
				seats = fmt.Sprint(n)
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\n", a.ID, a.TitleIn("it"), in, waiting, seats, map[bool]string{true: "sì", false: ""}[a.Sample])
		}
		return nil
	}
	if *proposals {
		list, err := activities.Proposals(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n\nid\tdata\tlingua\tcanale\tcontattabile\tcosa\tdove\tquando\tlingue\n", plural(len(list), "proposta", "proposte"))
		for _, p := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.At.In(knowledge.Rome).Format("02/01 15:04"), p.Lang, p.Channel, map[bool]string{true: "sì", false: "no"}[p.Contact], p.What, p.Where, p.When, p.Languages)
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
	in, waiting := counts(r)
	seats := "posti senza limite"
	if n := ac.Seats(a); n > 0 {
		seats = plural(n, "posto", "posti")
	}
	fmt.Fprintf(w, "%s — %s, %s in lista d'attesa (%s)\n\nstato\tcodice\tlingua\tcanale\n", a.TitleIn("it"), plural(in, "iscritto", "iscritti"), plural(waiting, "persona", "persone"), seats)
	for _, e := range r {
		status := "iscritto"
		if e.Status == roster.Waiting {
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

// counts splits a roster into those enrolled and those waiting.
func counts(r []roster.Enrolment) (in, waiting int) {
	for _, e := range r {
		if e.Status == roster.Waiting {
			waiting++
		} else {
			in++
		}
	}
	return in, waiting
}

// plural writes n with the Italian singular or plural ("1 proposta", "3
// proposte", "0 proposte").
func plural(n int, one, other string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, other)
}
