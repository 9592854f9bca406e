package app

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"teamsbot/booking/feed"

	"teamsbot/knowledge"
)

// bookingsCmd is `teamsbot bookings --place ID --date YYYY-MM-DD [--format
// csv]`: the day's agenda of a PUA, for the desk, from the deployment's
// store (Redis with REDIS_URL, else the embedded one).
func bookingsCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "bookings")
	place := fs.String("place", "", "the PUA's place id (see knowledge/places)")
	date := fs.String("date", "", "the day, YYYY-MM-DD (default today)")
	format := fs.String("format", "text", "text or csv")
	places := fs.Bool("places", false, "list the places that take appointments, with their ids")
	calendars := fs.Bool("calendars", false, "the offices' own calendars (calendar_url): when read, busy times, what went wrong")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if *calendars {
		return calendarsCmd(ctx, env)
	}
	if *places {
		c, err := content(env, "")
		if err != nil {
			return err
		}
		l, err := loadOrExplain(env, c, false, LoadOptions{})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tluogo\tcomune\tsportelli\tesempio")
		for _, p := range l.Directory.Places() {
			sc, ok := l.Directory.Schedule(p.ID)
			if !ok {
				continue
			}
			m, _ := l.Places.ByCode(p.Municipality)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", p.ID, p.Name, m.Name, sc.Desks, map[bool]string{true: "sì", false: ""}[sc.Sample])
		}
		return tw.Flush()
	}
	if *place == "" {
		fmt.Fprintln(env.Stderr, "usage: teamsbot bookings --places | --calendars | --place ID [--date YYYY-MM-DD] [--format csv]")
		return ErrUsage
	}
	_, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	p, ok := l.Directory.Place(*place)
	if !ok {
		return fmt.Errorf("no place %q", *place)
	}
	day := time.Now().In(knowledge.Rome)
	if *date != "" {
		if day, err = time.ParseInLocation("2006-01-02", *date, knowledge.Rome); err != nil {
			return fmt.Errorf("--date %q: write YYYY-MM-DD", *date)
		}
	}
	y, m, d := day.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, knowledge.Rome)
	bs, err := st.Between(ctx, p.ID, from, from.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	lang := map[string]string{}
	for _, x := range l.Catalog.Languages() {
		lang[x.Code] = cmp.Or(x.Italian, x.Name)
	}
	switch *format {
	case "csv":
		w := csv.NewWriter(env.Stdout)
		_ = w.Write([]string{"time", "code", "service", "minutes", "language", "mediator"})
		for _, b := range bs {
			_ = w.Write([]string{b.Start.In(knowledge.Rome).Format("15:04"), b.Code, b.Service, fmt.Sprint(b.Minutes), b.Lang, map[bool]string{true: "yes", false: "no"}[b.Mediator]})
		}
		w.Flush()
		return w.Error()
	case "text":
		fmt.Fprintf(env.Stdout, "%s — %s, %s\n\n", p.Name, from.Format("02/01/2006"), plural(len(bs), "appuntamento", "appuntamenti"))
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ora\tcodice\tservizio\tlingua\tmediatore")
		for _, b := range bs {
			med := "no"
			if b.Mediator {
				med = "SÌ (" + lang[b.Lang] + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Start.In(knowledge.Rome).Format("15:04"), b.Code, strings.ReplaceAll(b.Service, "_", " "), lang[b.Lang], med)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: text or csv", *format)
}

// calendarsCmd is `teamsbot bookings --calendars`: each office calendar
// feed as the bot last read it, from the deployment's store.
func calendarsCmd(ctx context.Context, env Env) error {
	_, l, st, err := contentAndStore(env)
	if err != nil {
		return err
	}
	defer st.Close()
	status, err := feed.New(feed.Config{Dir: l.Directory, Store: st}).Status(ctx)
	if err != nil {
		return err
	}
	if len(status) == 0 {
		fmt.Fprintln(env.Stdout, "No office gives its calendar yet (calendar_url in knowledge/schedules.yaml).")
		return nil
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(knowledge.Rome).Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "place\tread\tlast good\tbusy times\tproblem")
	for _, s := range status {
		problem := "-"
		if s.Problem != "" {
			problem = feed.Explain(s.Problem) + " (the last good copy is used)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Place, when(s.Checked), when(s.Good), s.Busy, problem)
		for _, w := range s.Warnings {
			fmt.Fprintf(tw, "\t\t\t\tnote: %s\n", w)
		}
	}
	return tw.Flush()
}
