package app

import (
	"context"
	"strings"
	"testing"
	"time"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/knowledge"
	"teamsbot/store/memory"
)

// The activity form, as the desk reads it, through the activities'
// rules: problems come back in the operators' language under their
// fields; a right form is an activity users find, announced in Italian
// with its id for the other commands.
func TestActivityFormThroughTheDomain(t *testing.T) {
	loaded, issues := Load(EmbeddedContent())
	if loaded == nil {
		t.Fatal(issues)
	}
	st := memory.New()
	l := loaded.Domain(Deps{Store: st})
	desk, err := slackdesk.New(slackdesk.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: "http://127.0.0.1:1", Texts: l.Catalog, Lang: "it"}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, knowledge.Rome)
	add := activityForm(l.Activities, l.Directory, desk, languageCodes(l.Catalog), func() time.Time { return now })
	f := slackdesk.ActivityForm{Association: "Donne in cammino", Title: "Camminata del sabato mattina", Description: "Insieme per la città.",
		Kind: "cultural", Audience: "women", Municipality: "Prto", When: "sabato", From: "2026-12-12", Until: "2027-03-27", Seats: 10, Free: true, Languages: []string{"it"}}
	problems, done, err := add(context.Background(), f)
	if err != nil || done != "" {
		t.Fatalf("a wrong form: %q, %v", done, err)
	}
	for field, want := range map[string]string{"title": "Al massimo 24 caratteri.", "when": "Tu 17:00-19:00"} {
		if !strings.Contains(problems[field], want) {
			t.Errorf("problem under %s: %q, want %q", field, problems[field], want)
		}
	}
	f.Title, f.When, f.Municipality = "Camminata del sabato", "Sa 10:00-12:00", "Prato"
	problems, done, err = add(context.Background(), f)
	if err != nil || len(problems) > 0 {
		t.Fatalf("a right form: %v, %v", problems, err)
	}
	for _, want := range []string{"Donne in cammino", "«Camminata del sabato»", "`add-camminata-del-sabato-", "Sa 10:00-12:00 a Prato", "dal 12/12/2026 al 27/03/2027"} {
		if !strings.Contains(done, want) {
			t.Errorf("announcement lacks %q: %s", want, done)
		}
	}
	found := false
	for _, a := range l.Activities.All() {
		found = found || a.By == "Donne in cammino"
	}
	if !found {
		t.Error("the activity is not among the activities")
	}
	// /teams modifica: the form shows it as it is; a new time is saved
	// and announced.
	var id string
	for _, a := range l.Activities.All() {
		if a.By == "Donne in cammino" {
			id = a.ID
		}
	}
	pre, ok := l.Activities.FormOf(id)
	if !ok || pre.Municipality != "Prato" || pre.When != "Sa 10:00-12:00" || pre.Seats != 10 {
		t.Fatalf("FormOf = %+v, %v", pre, ok)
	}
	pre.When = "Sa 15:00-17:00"
	edit := activityEdit(l.Activities, nil, l.Directory, desk, languageCodes(l.Catalog), func() time.Time { return now })
	problems, done, err = edit(context.Background(), id, slackdesk.ActivityForm(pre))
	if err != nil || len(problems) > 0 || !strings.Contains(done, "aggiornata: Sa 15:00-17:00 a Prato") || !strings.Contains(done, "avvisate del cambio 0 persone") {
		t.Errorf("edit: %v, %v, %s", problems, err, done)
	}
	// /teams attività lists it, with its counts and seats, for staff
	// without a terminal; only from the desk's channel.
	cmd := activityCommand(l.Activities, nil, desk, "COPS", func() time.Time { return now })
	list, ok := cmd(context.Background(), "COPS", "UGIULIA", []string{"attività"})
	if !ok || !strings.Contains(list, "attività (iscritti · in attesa · posti") || !strings.Contains(list, "Camminata del sabato — 0 · 0 · 10") {
		t.Errorf("/teams attività:\n%s", list)
	}
	if got, _ := cmd(context.Background(), "CPRATO", "UGIULIA", []string{"attività"}); !strings.Contains(got, "canale dei coordinatori") {
		t.Errorf("/teams attività from another channel: %s", got)
	}
	ch := activityChoices(l.Catalog, "it")()
	if len(ch.Kinds) != len(knowledge.ActivityKinds) || len(ch.Audiences) != len(knowledge.Audiences) || len(ch.Languages) < 6 ||
		ch.Audiences[0].Title != "Tutti" {
		t.Errorf("choices: %+v", ch)
	}
}

// Office staff name days as they say them: "sabato 10-12", "Saturday",
// "domani", "oggi" (the next such day, today included).
func TestClosureSpanReadsDayNames(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, knowledge.Rome) // a Monday
	for in, want := range map[string]string{
		"sabato 10-12":     "12/12/2026 10:00–12:00",
		"Saturday 10-12":   "12/12/2026 10:00–12:00",
		"lunedì":           "07/12/2026",
		"lun":              "07/12/2026",
		"oggi 14:30-16":    "07/12/2026 14:30–16:00",
		"domani":           "08/12/2026",
		"tomorrow":         "08/12/2026",
		"Mercoledi 9-9:30": "09/12/2026 09:00–09:30",
		"domenica":         "13/12/2026",
		"24/12":            "24/12/2026",
	} {
		from, to, ok := closureSpan(strings.Fields(in), now)
		if got := span(from, to); !ok || got != want {
			t.Errorf("%q = %q (%v), want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"sabatoo", "sabato 12-10", "ieri"} {
		if _, _, ok := closureSpan(strings.Fields(bad), now); ok {
			t.Errorf("%q was read as a day", bad)
		}
	}
}
