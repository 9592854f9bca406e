package understand_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/bot/flow"
	"teamsbot/nlu"
	"teamsbot/store/memory"
	"teamsbot/understand"
)

var (
	loadOnce sync.Once
	loaded   *app.Loaded
	content  app.Content
)

// shipped is the content built into the binary, loaded once.
func shipped(t testing.TB) *app.Loaded {
	t.Helper()
	loadOnce.Do(func() {
		content = app.EmbeddedContent()
		loaded, _ = app.Load(content)
	})
	if loaded == nil || loaded.Understander == nil {
		t.Fatal("the shipped content does not load")
	}
	return loaded
}

// TestEvalQuestionsAreNotExamples: a held-out question that is also an
// example (the same once normalised) would make `teamsbot eval` measure
// memory, not understanding.
func TestEvalQuestionsAreNotExamples(t *testing.T) {
	l := shipped(t)
	var langs []string
	for _, x := range l.Catalog.Languages() {
		langs = append(langs, x.Code)
	}
	qs, issues := understand.ReadEval(content.Locales, langs)
	if len(issues) > 0 {
		t.Fatal(issues)
	}
	examples := map[string]understand.Example{}
	for _, e := range l.Understander.Examples {
		examples[nlu.Normalize(e.Text)] = e
	}
	perLang := map[string]int{}
	for _, q := range qs {
		perLang[q.Lang]++
		if e, ok := examples[nlu.Normalize(q.Text)]; ok {
			t.Errorf("%s:%d: held-out question %q is also an example (%s:%d)", q.File, q.Line, q.Text, e.File, e.Line)
		}
		if !strings.HasPrefix(q.Source, "http") {
			t.Errorf("%s:%d: a held-out question without the address it comes from", q.File, q.Line)
		}
	}
	// 40 real questions for each launch language; the languages added in
	// December 2026 have what could be found in public in them (13 to 53,
	// locales/reviews/<code>.md), and at least 10, until more are collected.
	launch := []string{"it", "en", "fr", "ar", "sq", "zh"}
	for _, lang := range langs {
		least := 10
		if slices.Contains(launch, lang) {
			least = 40
		}
		if perLang[lang] < least {
			t.Errorf("%d held-out questions in %s; at least %d are needed", perLang[lang], lang, least)
		}
	}
	// And lint would say so.
	q := qs[0]
	if is := understand.LintEval([]understand.Question{q}, []understand.Example{{Intent: q.Intent, Text: strings.ToUpper(q.Text) + "!", File: "examples/x.yaml", Line: 3}}, l.Understander.Known); len(is) != 1 || is[0].Code != "eval-in-examples" {
		t.Errorf("lint of a copied question: %v", is)
	}
	// A part of one (its first sentence, say) is a copy too; a few words
	// in common are not.
	long := understand.Question{Text: "I'm wondering, how long can someone stay in Italy, legally, after their student permesso expires? I have heard it is two months.", Intent: q.Intent, File: "eval/en.yaml", Line: 9}
	cut := understand.Example{Intent: q.Intent, Text: "I'm wondering, how long can someone stay in Italy legally", File: "examples/en.yaml", Line: 4}
	if is := understand.LintEval([]understand.Question{long}, []understand.Example{cut}, l.Understander.Known); len(is) != 1 || is[0].Code != "eval-in-examples" {
		t.Errorf("lint of a question's first sentence copied: %v", is)
	}
	near := understand.Example{Intent: q.Intent, Text: "how long can I stay in Italy after my permesso expires", File: "examples/en.yaml", Line: 5}
	if is := understand.LintEval([]understand.Question{long}, []understand.Example{near}, l.Understander.Known); len(is) != 0 {
		t.Errorf("a few words in common taken for a copy: %v", is)
	}
}

func TestUnderstandShippedContent(t *testing.T) {
	u := shipped(t).Understander
	ctx := context.Background()
	for _, tc := range []struct{ lang, text, intent string }{
		{"it", "vorrei prenotare un appuntamento al PUA", "flows.booking"},
		{"it", "prenotare", "flows.booking"},
		{"it", "dove posso imparare italiano", "guides.italian_courses"},
		{"it", "voglio parlare con una persona", "commands.operator"},
		{"it", "cancella i miei dati per favore", "commands.forget"},
		{"fr", "activités des associations", "flows.activities"},
		{"fr", "je veux parler à quelqu'un", "commands.operator"},
		{"en", "How long do I need to live in Italy to apply for citizenship?", "guides.citizenship"},
		{"en", "Who is eligible for family reunification?", "guides.family_reunification"},
		{"en", "how to get citizenship", "guides.citizenship"},
		{"en", "where is the questura in Prato", "kinds.questura_immigration"},
		{"zh", "普拉托警察局在哪里", "kinds.questura_immigration"},
		{"zh", "怎么申请入籍", "guides.citizenship"},
		{"zh", "税号", "guides.tax_code"},
		{"zh", "入籍", "guides.citizenship"},
		{"sq", "si te rinovoj lejen e qendrimit", "guides.permit_renewal"},
		{"ar", "كيف أجدد الإقامة", "guides.permit_renewal"},
		// A typo is read as the word the examples use most of those one
		// edit away ("fical": fiscal, not focal).
		{"es", "ola nesesito aser el codigo fical", "guides.tax_code"},
		{"it", "codice fical", "guides.tax_code"},
	} {
		got := u.Understand(ctx, tc.lang, tc.text)
		if len(got.Routes) == 0 || got.Routes[0].Intent != tc.intent {
			t.Errorf("%s %q: %+v, want %s first", tc.lang, tc.text, got.Routes, tc.intent)
		}
	}
	// A word read as another one typo away is a guess: "mario" alone
	// offers family reunification ("marito"), never goes there at once.
	if got := u.Understand(ctx, "en", "mario"); got.Sure {
		t.Errorf("mario: sure of %+v", got.Routes)
	}
	// The comune a sentence names comes with the office.
	got := u.Understand(ctx, "en", "where is the questura in Prato")
	if r := got.Routes[0]; r.Vars["place_municipality"] != "Prato" || r.Vars["kind"] != "questura_immigration" || r.Flow != understand.FindFlow {
		t.Errorf("questura in Prato: %+v", r)
	}
	// A town people know is found anywhere in the sentence, without "in"
	// or "di" before it.
	for _, tc := range []struct{ lang, text, town string }{{"it", "questura firenze orari", "Firenze"}, {"en", "prefecture florence opening hours", "Firenze"}, {"fr", "horaires questura livourne samedi", "Livorno"}} {
		got := u.Understand(ctx, tc.lang, tc.text)
		if len(got.Routes) == 0 || got.Routes[0].Vars["place_municipality"] != tc.town {
			t.Errorf("%q: %+v, want the offices near %s", tc.text, got.Routes, tc.town)
		}
	}
	// A comune alone, or nearly, is where the user is: offices near it; a
	// sentence that names towns on the way to something else is not.
	for text, want := range map[string]bool{"I live in Prato": true, "abito a Sesto Fiorentino": true,
		"Alternatively, can you suggest another way to get from Pisa.":                                    false,
		"Welcome a recommendation for a private driver Pisa airport to short term apartment in Florence.": false} {
		got := u.Understand(ctx, "en", text)
		if at := got.Sure && len(got.Routes) > 0 && got.Routes[0].Flow == understand.FindFlow; at != want {
			t.Errorf("%q: offices near it at once = %t, want %t (%+v)", text, at, want, got.Routes)
		}
	}
	// Someone in danger gets the emergency numbers at once (the guide is
	// urgent: true), not a list to choose from.
	for _, tc := range []struct{ lang, text string }{{"en", "someone is hitting me at home"}, {"it", "il mio compagno mi picchia tutti i giorni"}, {"fr", "mon mari me frappe tous les soirs"}} {
		got := u.Understand(ctx, tc.lang, tc.text)
		if !got.Sure || len(got.Routes) == 0 || got.Routes[0].Intent != "guides.emergency_numbers" {
			t.Errorf("%s %q: sure %t %+v, want the emergency numbers at once", tc.lang, tc.text, got.Sure, got.Routes)
		}
	}
	// A few words in a script only one offered language uses are in that
	// language, too short as they are for the detector.
	for text, want := range map[string]string{"医生": "zh", "продовження дозволу": "uk", "পারমেসো রিনিউ": "bn", "permesso 续签": "", "lavoro": ""} {
		if got := u.Understand(ctx, "it", text); got.Lang != want {
			t.Errorf("%q in an Italian session: language %q, want %q", text, got.Lang, want)
		}
	}
	// Typos hide the language's words from the detector: the text as the
	// classifier read it tells it.
	if got := u.Understand(ctx, "en", "coment renouvler mon titre de sejuor"); got.Lang != "fr" {
		t.Errorf("French with typos in an English session: language %q, want fr", got.Lang)
	}
	// 2-character Chinese words, the doctor: understood, maybe offered.
	for _, text := range []string{"医生", "学校", "cf"} {
		if got := u.Understand(ctx, "zh", text); len(got.Routes) == 0 {
			t.Errorf("%q not understood", text)
		}
	}
}

// TestNeverTheSameLabelTwice: a "did you mean" question never offers two
// buttons that read the same.
func TestNeverTheSameLabelTwice(t *testing.T) {
	u := shipped(t).Understander
	for _, lang := range []string{"it", "en", "fr", "ar", "sq", "zh"} {
		for _, text := range []string{"lavoro", "work", "travail", "عمل", "pune", "工作", "scuola", "salute", "documenti", "questura", "permesso", "casa", "aiuto", "corso", "ufficio"} {
			got := u.Understand(context.Background(), lang, text)
			seen := map[string]bool{}
			for _, r := range got.Routes {
				if seen[r.Label] {
					t.Errorf("%s %q offers %q twice: %+v", lang, text, r.Label, got.Routes)
				}
				seen[r.Label] = true
			}
			if len(got.Routes) > 3 {
				t.Errorf("%s %q offers %d routes", lang, text, len(got.Routes))
			}
		}
	}
}

// TestBadInputIsNotUnderstood: emoji, one letter, gibberish, a pasted
// document, bidi controls, a language the bot does not speak: never a sure
// route, never a panic.
func TestBadInputIsNotUnderstood(t *testing.T) {
	u := shipped(t).Understander
	doc := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 100)
	for _, text := range []string{"", " ", "🙂🙂🙂", "a", "xqzvk wplf", doc, "\u202e\u2066\u0000", "Wie kann ich meine Aufenthaltserlaubnis verlängern", "Как продлить вид на жительство", strings.Repeat("ж", 70000)} {
		got := u.Understand(context.Background(), "it", text)
		if got.Sure {
			t.Errorf("%.30q: sure of %+v", text, got.Routes)
		}
		// Russian is not spoken, but Ukrainian (being prepared) is read
		// by most who read Russian: taking one for the other is fine.
		if got.Lang != "" && !(strings.HasPrefix(text, "Как") && got.Lang == "uk") {
			t.Errorf("%.30q: taken for %s", text, got.Lang)
		}
	}
}

func TestLintExamples(t *testing.T) {
	l := shipped(t)
	fsys := fstest.MapFS{
		"examples/en.yaml":          {Data: []byte("guides:\n  permit_renewal:\n    - renew my permit\n    - Renew my permit!\n  nope:\n    - something\nkinds:\n  questura_immigration:\n    - renew my permit\n")},
		"examples/it.yaml":          {Data: []byte("guides:\n  permit_renewal: [\"rinnovo\n")},
		"examples/en.concepts.yaml": {Data: []byte("concepts:\n  renew: [\"renew*\", \"re new\", \"*\", \"re-entry\"]\n  expire: expired\n")},
		"examples/en.answers.yaml":  {Data: []byte("answers:\n  where: [where do i go]\n  documents: [\"Where do I go?\", \"?!\"]\n  nope: [hm]\n")},
	}
	_, issues := understand.Build(understand.Source{Locales: fsys, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program})
	want := []string{
		"examples/en.yaml:4: warning: \"Renew my permit!\" repeats line 3",
		"examples/en.yaml:6: guides.nope is not an intent of the content",
		"examples/en.yaml:9: \"renew my permit\" is an example of kinds.questura_immigration and of guides.permit_renewal (line 3): keep it under one",
		"examples/it.yaml:2: broken YAML",
		`examples/en.concepts.yaml:2:10: concepts: renew: "re new" is not one word`,
		`examples/en.concepts.yaml:2:10: concepts: renew: "*" is not one word`,
		`examples/en.concepts.yaml:2:10: concepts: renew: "re-entry" is not one word`,
		"examples/en.concepts.yaml:3:11: write a list",
		"examples/fr.yaml: warning: no examples in fr",
		"examples/en.yaml: warning: guides.permit_renewal has 2 examples in en; write at least 20",
		`examples/en.answers.yaml:3: answers: "Where do I go?" is an example of documents and of where (line 2)`,
		"examples/en.answers.yaml:3:33: answers: documents: an example must be a few words",
		`examples/en.answers.yaml:4: warning: answers: no option of the flows means "nope"`,
		`examples/en.answers.yaml: warning: answers: no examples of "join" in en`,
		`flows/activities.yaml:87: step activities.ask_join: means: "join" has no examples in any language`,
	}
	text := issues.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("lint does not say %q; it says:\n%s", w, text)
		}
	}
	if len(issues.Errors()) == 0 {
		t.Error("broken examples built a model")
	}
}

func TestMisunderstoodLog(t *testing.T) {
	st := memory.New()
	defer st.Close()
	ctx := context.Background()
	r := understand.NewRecorder(st, 30*24*time.Hour, nil)
	now := time.Now()
	r.Note(ctx, "it", "che tempo fa? chiamami al 333 1234567", now.Add(-time.Hour))
	r.Note(ctx, "it", "Che tempo fa? Chiamami al 333 7654321!", now)
	r.Note(ctx, "en", "weather tomorrow", now)
	r.Note(ctx, "en", "old one", now.Add(-10*24*time.Hour))
	list, err := understand.Misunderstood(ctx, st, "", now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Count != 2 || list[0].Lang != "it" || strings.ContainsAny(list[0].Text, "1234567") {
		t.Fatalf("misunderstood: %+v", list)
	}
	if list[0].Text != "Che tempo fa? Chiamami al ### #######!" {
		t.Errorf("the latest form, masked: %q", list[0].Text)
	}
	if list, _ := understand.Misunderstood(ctx, st, "en", time.Time{}); len(list) != 2 {
		t.Errorf("--lang en, all time: %+v", list)
	}
}

// fakeEmbedder maps texts to vectors by a rule, can fail, and can be slow.
type fakeEmbedder struct {
	mu    sync.Mutex
	calls int
	slow  time.Duration
	fail  bool
}

func (f *fakeEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.mu.Lock()
	f.calls++
	slow, fail := f.slow, f.fail
	f.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail {
		return nil, context.DeadlineExceeded
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		// "doctor" words point one way, the rest another.
		if strings.Contains(strings.ToLower(t), "doctor") || strings.Contains(t, "medico") {
			out[i] = []float32{1, 0}
		} else {
			out[i] = []float32{0, 1}
		}
	}
	return out, nil
}

func TestEmbedderIsASecondOpinionWithinABudget(t *testing.T) {
	u := shipped(t).Understander
	f := &fakeEmbedder{}
	v := u.WithEmbedder(f)
	ctx := context.Background()
	text := "I need a doctor"
	before := u.Understand(ctx, "en", text)
	// Not warmed: the classifier answers alone, the endpoint is not asked.
	if got := v.Understand(ctx, "en", text); f.calls != 0 || len(got.Ranked) == 0 || got.Ranked[0] != before.Ranked[0] {
		t.Fatalf("before Warm: %d calls, %+v", f.calls, got.Ranked)
	}
	if err := v.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	warm := f.calls
	if warm == 0 {
		t.Fatal("Warm embedded nothing")
	}
	with := v.Understand(ctx, "en", text)
	if f.calls != warm+1 {
		t.Errorf("one message, %d calls", f.calls-warm)
	}
	if with.Ranked[0].P == before.Ranked[0].P {
		t.Errorf("the second opinion changed nothing: %+v", with.Ranked)
	}
	// With the second opinion the text is still understood: it leads
	// somewhere, as without.
	if len(before.Routes) > 0 && len(with.Routes) == 0 {
		t.Errorf("with the second opinion %q is not understood (without it: %+v)", text, before.Routes)
	}
	// A slow endpoint costs at most the budget, and the answer is the
	// classifier's.
	f.mu.Lock()
	f.slow = 5 * time.Second
	f.mu.Unlock()
	start := time.Now()
	got := v.Understand(ctx, "en", text)
	if took := time.Since(start); took > understand.EmbedBudget+time.Second {
		t.Errorf("a slow endpoint delayed the turn %s", took)
	}
	if got.Ranked[0] != before.Ranked[0] || v.EmbedFailures() != 1 {
		t.Errorf("slow endpoint: %+v, %d failures", got.Ranked[0], v.EmbedFailures())
	}
	f.mu.Lock()
	f.slow, f.fail = 0, true
	f.mu.Unlock()
	if got := v.Understand(ctx, "en", text); got.Ranked[0] != before.Ranked[0] || v.EmbedFailures() != 2 {
		t.Errorf("failing endpoint: %+v", got.Ranked[0])
	}
}

// Example-based issues come back as file:line.
var _ = flow.Issue{}
var _ bot.Router = (*understand.Understander)(nil)
