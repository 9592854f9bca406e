package directory

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

func load(t *testing.T) *Service {
	t.Helper()
	d, issues := knowledge.Load(knowledge.FS)
	if d == nil {
		t.Fatal(issues)
	}
	return New(d, nil)
}

// echo renders a message id with its data, so tests see what was asked.
func echo(id string, data map[string]string) string {
	var b strings.Builder
	b.WriteString(id)
	for _, k := range []string{"time", "day", "km", "name", "kind", "url"} {
		if v, ok := data[k]; ok {
			b.WriteString(" " + k + "=" + v)
		}
	}
	return b.String()
}

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, knowledge.Rome)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHoursLine(t *testing.T) {
	s := load(t)
	h, _ := knowledge.ParseHours("Mo-Fr 09:00-13:00")
	p := &knowledge.Place{Municipality: "048017", Hours: h, Checked: "2026-06-01"}
	for when, want := range map[string]string{
		"2026-11-26 10:00": "places.open_until time=13:00",
		"2026-11-26 14:00": "places.closed_opens time=09:00 day=day.tomorrow",
		"2026-11-26 08:00": "places.closed_opens time=09:00 day=day.today",
		"2026-11-28 10:00": "places.closed_opens time=09:00 day=day.mo",
		"2026-06-24 10:00": "places.holiday name=San Giovanni Battista places.closed_opens time=09:00 day=day.tomorrow",
	} {
		got := s.hoursLine(bot.ActionRequest{Now: rome(when), T: echo}, p)
		if got != want {
			t.Errorf("%s: %q, want %q", when, got, want)
		}
	}
	if got := s.hoursLine(bot.ActionRequest{Now: rome("2026-11-26 10:00"), T: echo}, &knowledge.Place{}); got != "places.hours_unknown" {
		t.Errorf("unknown hours: %q", got)
	}
	// Hours confirmed over a year ago are not used for "open now".
	old := &knowledge.Place{Municipality: "048017", Hours: h, Checked: "2021-03-01"}
	if got := s.hoursLine(bot.ActionRequest{Now: rome("2026-11-26 10:00"), T: echo}, old); got != "places.hours_stale" {
		t.Errorf("stale hours: %q", got)
	}
}

func TestNearestAction(t *testing.T) {
	s := load(t)
	req := bot.ActionRequest{Lang: "en", Now: rome("2026-11-26 10:00"), T: echo,
		Args: map[string]string{"kind": "questura_immigration", "lat": "43.8800", "lon": "11.0970", "offset": "0"}}
	res, err := s.nearest(context.Background(), req)
	if err != nil || res.Outcome != "found" || len(res.Say) != 4 || res.Set["next_offset"] != "3" || res.Set["results_more"] != "yes" {
		t.Fatalf("nearest: %+v, %v", res, err)
	}
	first := res.Say[1].Raw
	for _, want := range []string{"1. Questura di Prato", "📍 ", "🕘 ", "🗺 https://www.openstreetmap.org/"} {
		if !strings.Contains(first, want) {
			t.Errorf("first result lacks %q:\n%s", want, first)
		}
	}
	req.Args["lat"] = "north"
	if _, err := s.nearest(context.Background(), req); err == nil {
		t.Error("a bad position was accepted")
	}
	req.Args["lat"], req.Args["kind"] = "43.88", "no_such_kind"
	if res, _ := s.nearest(context.Background(), req); res.Outcome != "none" {
		t.Errorf("unknown kind: %s", res.Outcome)
	}
}

func TestGuideActions(t *testing.T) {
	s := load(t)
	ctx := context.Background()
	res, _ := s.list(ctx, bot.ActionRequest{Lang: "zh", Args: map[string]string{"topic": "documents"}})
	cs := bot.DecodeChoices(res.Set["guide_choices"])
	// The documents topic, in the order its guides give (order:).
	if res.Outcome != "listed" || len(cs) < 3 || cs[0].Value != "residence_registration" || cs[1].Value != "tax_code" || cs[1].Label == "" {
		t.Errorf("documents topic: %+v", cs)
	}
	for _, c := range cs {
		if g, _ := s.dir.Guide(c.Value); g.Topic != "documents" {
			t.Errorf("%s listed under documents", c.Value)
		}
	}
	res, _ = s.show(ctx, bot.ActionRequest{Lang: "ar", T: echo, Args: map[string]string{"guide": "tax_code"}})
	if res.Outcome != "shown" || res.Set["guide_office_kind"] != "revenue_agency" || !strings.Contains(res.Say[1].Raw, "guide.steps\n1. ") {
		t.Errorf("show: %+v", res)
	}
	if res, _ := s.show(ctx, bot.ActionRequest{Args: map[string]string{"guide": "nope"}}); res.Outcome != "unknown" {
		t.Errorf("unknown guide: %s", res.Outcome)
	}
	if res, _ := s.find(ctx, bot.ActionRequest{Args: map[string]string{"query": "🙂"}}); res.Outcome != "none" {
		t.Errorf("emoji query: %s", res.Outcome)
	}
}

// TestSentences: a summary is cut at its sentence ends, never inside an
// amount ("2.000 €", "116,46 €") or at a Chinese full stop's neighbour.
func TestSentences(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Costa 116,46 €. Conserva la ricevuta.", []string{"Costa 116,46 €.", " Conserva la ricevuta."}},
		{"Reddito di 2.000 € al mese? Sì.", []string{"Reddito di 2.000 € al mese?", " Sì."}},
		{"免费。请带护照。", []string{"免费。", "请带护照。"}},
		{"no end", []string{"no end"}},
	} {
		if got := sentences(c.in); !slices.Equal(got, c.want) {
			t.Errorf("sentences(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !saysWord("È gratis e lo dà l'Agenzia.", []string{"gratis"}) || saysWord("freedom of movement", []string{"free"}) || !saysWord("免费办理", []string{"免费"}) {
		t.Error("saysWord: whole words in Latin letters, anywhere in Chinese")
	}
}

// "Talk to a person" with no operators' desk: the Comune's social
// services and a patronato, never the registry office (a desk for
// certificates, where an exploited worker asking for help could be
// exposed).
func TestHumanDoor(t *testing.T) {
	s := load(t)
	res, err := s.humanDoor(context.Background(), bot.ActionRequest{Lang: "en", Now: rome("2026-11-26 10:00"), T: echo,
		Args: map[string]string{"municipality": "053011"}}) // Grosseto
	if err != nil || res.Outcome != "shown" {
		t.Fatalf("humanDoor: %+v, %v", res, err)
	}
	var all strings.Builder
	for _, said := range res.Say {
		all.WriteString(said.ID + said.Raw + "\n")
	}
	for _, want := range []string{"operator.door_intro", "social services", "patronato"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the door lacks %q:\n%s", want, all.String())
		}
	}
	if strings.Contains(all.String(), "Anagrafe") {
		t.Errorf("the door is the registry office:\n%s", all.String())
	}
}

// "How long?" after a guide: its own lines with a number and a word of
// time, not its costs or its other steps.
func TestTimeLines(t *testing.T) {
	s := load(t)
	g, ok := s.dir.Guide("citizenship")
	if !ok {
		t.Fatal("no citizenship guide")
	}
	got := timeLines(g, "it", []string{"giorni", "mesi", "anni"})
	if !strings.Contains(got, "24 mesi") || !strings.HasPrefix(got, "\n• ") {
		t.Errorf("citizenship's times lack the 24 months for the answer:\n%s", got)
	}
	for _, line := range strings.Split(strings.TrimPrefix(got, "\n• "), "\n• ") {
		if !strings.ContainsFunc(line, func(r rune) bool { return r >= '0' && r <= '9' }) {
			t.Errorf("a line without a number: %q", line)
		}
	}
	if got := timeLines(g, "it", []string{"settimane"}); got != "" {
		t.Errorf("no week is written, yet: %q", got)
	}
}

// "Which level of Italian?" after a guide: its lines with a level or the
// words of the Italian language, not every line that says "italiano".
func TestItalianLines(t *testing.T) {
	s := load(t)
	g, ok := s.dir.Guide("citizenship")
	if !ok {
		t.Fatal("no citizenship guide")
	}
	got := italianLines(g, "it", []string{"lingua italiana", "esame di italiano"})
	if !strings.Contains(got, "B1") {
		t.Errorf("citizenship's Italian lacks B1:\n%s", got)
	}
	if strings.Contains(got, "atto di nascita") || strings.Contains(got, "A2") {
		t.Errorf("lines that are not about the Italian asked:\n%s", got)
	}
	if !saysWord("Serve la lingua italiana.", []string{"lingua italiana"}) || saysWord("italiana è la lingua", []string{"lingua italiana"}) {
		t.Error("a phrase is its words in a row")
	}
}
