package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"teamsbot/bot"
	"teamsbot/store/memory"
)

var offered = []string{"it", "en", "fr", "ar", "sq", "zh"}

func goodForm() Form {
	return Form{Association: "Donne in cammino – Prato", Title: "Camminata in città", Description: "Una passeggiata insieme per conoscere Prato e parlare italiano.",
		OtherLang: "zh", OtherTitle: "城市散步", OtherDescription: "一起散步，了解普拉托，练习意大利语。",
		Kind: "cultural", Audience: "women", Municipality: "prato", When: "Sa 10:00-12:00",
		From: "2026-11-28", Until: "2027-03-27", Seats: 12, Signup: true, WaitingList: true, Free: true, Languages: []string{"it", "zh", "xx"}}
}

// A coordinator's form, once right, is an activity users find and join, in
// their language where the form has it, in Italian where not; another
// replica finds it at its next refresh.
func TestAddedActivityIsOfferedEverywhere(t *testing.T) {
	d := load(t)
	st := memory.New()
	ctx := context.Background()
	s := New(d, Config{Store: st})
	a, problems, err := s.Add(ctx, goodForm(), offered, now)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Add = %v, %v", problems, err)
	}
	if !strings.HasPrefix(a.ID, "add-camminata-in-citta-") || a.By != "Donne in cammino – Prato" || a.Municipality != "100005" || a.Capacity != 12 {
		t.Errorf("added %+v", a)
	}
	if strings.Join(a.Languages, ",") != "it,zh" {
		t.Errorf("languages %v: an unknown code must be dropped", a.Languages)
	}
	other := New(d, Config{Store: st}) // another replica, same store
	if _, ok := other.activity(a.ID); ok {
		t.Fatal("the other replica knew it before reading the store")
	}
	if err := other.RefreshChanges(ctx); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*Service{s, other} {
		res, err := svc.list(ctx, bot.ActionRequest{Lang: "zh", Now: now, T: echo, Args: map[string]string{"filter": "week"}})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range bot.DecodeChoices(res.Set["activity_choices"]) {
			found = found || c.Value == a.ID && strings.Contains(c.Label, "城市散步")
		}
		if !found {
			t.Errorf("the week's list in Chinese lacks the added activity: %+v", res)
		}
		card, err := svc.card(ctx, bot.ActionRequest{Lang: "ar", Now: now, T: echo, Args: map[string]string{"activity": a.ID}})
		if err != nil || card.Outcome != "open" {
			t.Fatalf("card: %+v, %v", card, err)
		}
		if len(card.Say) == 0 || !strings.Contains(card.Say[0].Raw, "Donne in cammino – Prato") || !strings.Contains(card.Say[0].Raw, "Camminata in città") {
			t.Errorf("the card in Arabic (Italian where the form has no Arabic) lacks the title or the association: %+v", card.Say)
		}
		j, err := svc.join(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "telegram:7", Lang: "ar", Args: map[string]string{"activity": a.ID}})
		if err != nil || (j.Outcome != "joined" && j.Outcome != "already") {
			t.Errorf("join: %+v, %v", j, err)
		}
	}
	// The desk can change it like any other.
	if _, err := other.CancelActivity(ctx, nil, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, ok := other.activity(a.ID); ok {
		t.Error("still offered after the association cancelled it")
	}
}

// A form with mistakes adds nothing and says what to fix, field by field.
func TestAddSaysWhatToFix(t *testing.T) {
	d := load(t)
	s := New(d, Config{Store: memory.New()})
	for _, c := range []struct {
		name  string
		edit  func(*Form)
		field string
		code  string
	}{
		{"no title", func(f *Form) { f.Title = "  " }, "title", "required"},
		{"long title", func(f *Form) { f.Title = strings.Repeat("é", 25) }, "title", "too_long"},
		{"long description", func(f *Form) { f.Description = strings.Repeat("a", 281) }, "description", "too_long"},
		{"no association", func(f *Form) { f.Association = "" }, "association", "required"},
		{"unknown town", func(f *Form) { f.Municipality = "Parigi" }, "municipality", "municipality"},
		{"ambiguous town", func(f *Form) { f.Municipality = "" }, "municipality", "municipality"},
		{"bad time", func(f *Form) { f.When = "sabato mattina" }, "when", "when"},
		{"end before start", func(f *Form) { f.Until = "2026-11-27" }, "until", "dates"},
		{"over already", func(f *Form) { f.From, f.Until = "2025-01-04", "2025-03-01" }, "until", "dates"},
		{"seats", func(f *Form) { f.Seats = -2 }, "seats", "seats"},
		{"other title without its language", func(f *Form) { f.OtherLang = "" }, "other_lang", "other_lang"},
		{"other language without a title", func(f *Form) { f.OtherTitle = "" }, "other_title", "required"},
		{"not free, no cost", func(f *Form) { f.Free = false }, "cost", "cost"},
		{"no language", func(f *Form) { f.Languages = []string{"xx"} }, "languages", "required"},
		{"no kind", func(f *Form) { f.Kind = "" }, "kind", "required"},
	} {
		f := goodForm()
		c.edit(&f)
		a, problems, err := s.Add(context.Background(), f, offered, now)
		if err != nil || a != nil {
			t.Errorf("%s: added %v, %v", c.name, a, err)
			continue
		}
		found := false
		for _, p := range problems {
			found = found || p.Field == c.field && p.Code == c.code
		}
		if !found {
			t.Errorf("%s: problems %+v, want %s/%s", c.name, problems, c.field, c.code)
		}
	}
	if len(s.All()) != len(d.Activities()) {
		t.Error("a wrong form added something")
	}
}

// An association changes an activity's time: it keeps its id and people,
// everyone in it is told once, in their language, with the new session;
// texts of languages the form does not show are kept while the Italian
// stays, and dropped when it changes.
func TestEditedActivityTellsThoseInIt(t *testing.T) {
	d := load(t)
	st := memory.New()
	ctx := context.Background()
	n := &notices{}
	s := New(d, Config{Demo: true, Store: st})
	var cat string
	for _, a := range d.Activities() {
		if a.Signup && a.Title["ar"] != "" && a.Until > "2027-01-01" {
			cat = a.ID
			break
		}
	}
	if cat == "" {
		t.Fatal("no catalogue activity to edit")
	}
	for i, lang := range []string{"ar", "zh"} {
		if r, err := s.join(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "telegram:" + lang, Lang: lang, Args: map[string]string{"activity": cat}}); err != nil || r.Outcome != "joined" && r.Outcome != "waiting" {
			t.Fatalf("join %d: %+v %v", i, r, err)
		}
	}
	f, ok := s.FormOf(cat)
	if !ok || f.Title == "" || f.Municipality == "" || f.When == "" {
		t.Fatalf("FormOf = %+v, %v", f, ok)
	}
	before, _ := s.find(cat)
	arTitle := before.Title["ar"]
	// The same texts, a new time: the Arabic title stays.
	f.When = "Th 18:00-20:00"
	a, problems, told, err := s.Edit(ctx, n, cat, f, offered, now)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Edit = %v, %v", problems, err)
	}
	if a.ID != cat || a.When.String() != "Th 18:00-20:00" || a.Title["ar"] != arTitle {
		t.Errorf("edited: id %s, when %s, Arabic title %q (was %q)", a.ID, a.When, a.Title["ar"], arTitle)
	}
	if told != 2 || n.count() != 2 {
		t.Errorf("told %d (notices %d), want the 2 people in it", told, n.count())
	}
	for _, x := range n.got["telegram:ar"] {
		if x.MessageID != "activities.changed" || x.Data["title"] != arTitle || x.Data["time"] != "18:00" || x.Data["where"] == "" {
			t.Errorf("notice: %+v", x)
		}
	}
	// Another replica has it at its next refresh, in place of the
	// catalogue's.
	other := New(d, Config{Demo: true, Store: st})
	if err := other.RefreshChanges(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := other.find(cat); got.When.String() != "Th 18:00-20:00" || len(other.All()) != len(d.Activities()) {
		t.Errorf("the other replica: %s, %d activities (want the edit in place of the catalogue's)", got.When, len(other.All()))
	}
	// A new Italian title: the other languages' old texts go (they would
	// say something else); the same time: nobody is told again.
	f.Title = "Nuovo titolo"
	a, _, told, err = s.Edit(ctx, n, cat, f, offered, now)
	if err != nil || told != 0 {
		t.Fatalf("second edit: told %d, %v", told, err)
	}
	if a.Title["ar"] != "" && a.Title["ar"] == arTitle {
		t.Errorf("the Arabic title of the old Italian one stayed: %q", a.Title["ar"])
	}
	if _, _, _, err := s.Edit(ctx, n, "no-such-activity", f, offered, now); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("editing an unknown activity: %v", err)
	}
}

// fakeTranslator marks what it translated; it fails for Urdu and writes a
// title too long for Bengali.
type fakeTranslator struct{}

func (fakeTranslator) Translate(_ context.Context, text, from, to string) (string, error) {
	switch to {
	case "ur":
		return "", errors.New("the service answered 500")
	case "bn":
		return strings.Repeat("ক", 30), nil
	}
	return "[" + from + ">" + to + "] " + text, nil
}

// With a translator, what the coordinator wrote in Italian reaches the
// other languages, marked as an automatic translation on the card; a
// language the translator failed, or whose title is too long, reads the
// Italian; what the coordinator wrote is never replaced.
func TestAddedActivityTranslated(t *testing.T) {
	d := load(t)
	s := New(d, Config{Store: memory.New(), Translator: fakeTranslator{}})
	f := goodForm()
	f.Title = "Passeggiata"
	a, problems, err := s.Add(context.Background(), f, []string{"it", "zh", "ar", "ur", "bn"}, now)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Add: %v %v", problems, err)
	}
	if a.Title["ar"] != "[it>ar] Passeggiata" || a.Title["zh"] != "城市散步" || a.Title["ur"] != "" || a.Title["bn"] != "" {
		t.Errorf("titles: %v", a.Title)
	}
	if strings.Join(a.Machine, ",") != "ar" {
		t.Errorf("machine-translated: %v, want only ar (zh was written by the coordinator)", a.Machine)
	}
	for lang, want := range map[string]bool{"ar": true, "zh": false, "ur": false} {
		card, _ := s.card(context.Background(), bot.ActionRequest{Lang: lang, Now: now, T: echo, Args: map[string]string{"activity": a.ID}})
		got := false
		for _, x := range card.Say {
			got = got || x.ID == "activities.machine_translated"
		}
		if got != want {
			t.Errorf("card in %s: machine note %v, want %v", lang, got, want)
		}
	}
}
