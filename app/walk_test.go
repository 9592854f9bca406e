package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/bot/flow"
)

// capitals are the province capitals of Tuscany.
var capitals = []string{"Arezzo", "Firenze", "Grosseto", "Livorno", "Lucca", "Massa", "Pisa", "Pistoia", "Prato", "Siena"}

// deadEnd reports whether a turn's replies leave the user without a way:
// "I do not know an office of this kind near there" and nothing else.
func deadEnd(turn bot.Turn) bool {
	for _, r := range turn.Replies {
		if slices.Contains(r.MessageIDs, "find.results_intro") || strings.Contains(r.Text, "ℹ️") {
			return false
		}
	}
	return true
}

// TestNoDeadEnds walks every guide's "where do I go?" for every province
// capital in every language, and every kind of office of the menu for each
// of the 273 comuni: each ends on offices, or on the way to reach one.
func TestNoDeadEnds(t *testing.T) {
	l, issues := Load(EmbeddedContent())
	if l == nil {
		t.Fatal(issues)
	}
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	after, ok := eng.Program().Node("procedures", "after")
	if !ok || len(after.Options) == 0 {
		t.Fatal("procedures has no step after")
	}
	step := func(s *bot.Session, in bot.Inbound) bot.Turn {
		t.Helper()
		in.Channel, in.UserID = "walk", "u"
		turn, err := eng.Step(ctx, s, in, now)
		if err != nil {
			t.Fatalf("step: %v", err)
		}
		return turn
	}
	for _, lang := range langCodesOf(l.Catalog) {
		for _, g := range l.Directory.Guides() {
			if len(g.Offices) == 0 {
				continue
			}
			for _, city := range capitals {
				s := &bot.Session{State: bot.StateFlow, Lang: lang, Flow: "procedures", Step: "after", Consent: 1, Updated: now.Unix(),
					Vars: map[string]string{"guide_office_kind": g.Offices[0]}}
				step(s, bot.Inbound{Option: after.Options[0].ID})
				turn := step(s, bot.Inbound{Text: city})
				if deadEnd(turn) {
					t.Errorf("%s, guide %s (%s), %s: a dead end: %q", lang, g.ID, g.Offices[0], city, texts(turn))
				}
			}
		}
	}
	// Every kind the menu offers, for each comune.
	ask, _ := eng.Program().Node("find_service", "ask_kind")
	for _, o := range ask.Options {
		kind := ""
		for _, a := range o.Set {
			if a.Name == "kind" {
				kind = a.Value.Render(nil)
			}
		}
		if kind == "" {
			continue
		}
		for _, m := range l.Directory.Municipalities.All() {
			s := &bot.Session{State: bot.StateFlow, Lang: "it", Flow: "find_service", Step: "ask_kind", Consent: 1, Updated: now.Unix()}
			step(s, bot.Inbound{Option: o.ID})
			turn := step(s, bot.Inbound{Text: m.Name + " (" + m.Province + ")"})
			if deadEnd(turn) {
				t.Errorf("%s in %s: a dead end: %q", kind, m.Name, texts(turn))
			}
		}
	}
}

func texts(turn bot.Turn) []string {
	var out []string
	for _, r := range turn.Replies {
		out = append(out, r.Text)
	}
	return out
}

var _ = flow.KindAsk
