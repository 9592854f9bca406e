package nlu

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Permesso di Soggiorno?!":      "permesso di soggiorno",
		"CITTADINANZA":                 "cittadinanza",
		"pleeeease  help":              "pleease help",
		"ｑｕｅｓｔｕｒａ　ＰＲＡＴＯ":               "questura prato",   // full-width forms
		"الإقامــــة":                  "الاقامه",          // tatweel, hamza on alif, teh marbuta
		"كَيْفَ أُجَدِّدُ الإِقَامَةَ": "كيف اجدد الاقامه", // diacritics
		"مستشفى":                       "مستشفي",           // alif maqsura
		"عندي ٣ أطفال":                 "عندي 3 اطفال",     // Arabic-Indic digits
		"۱۲ سال":                       "12 سال",           // Persian digits
		"\u202eabc\u202c":              "abc",              // bidi controls
		"🙂🙂":                           "",
		"居留permesso续签":                 "居留permesso续签",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	// A long text is read up to MaxRunes characters, whatever the script.
	long := strings.Repeat("入籍", 1000)
	if n := utf8.RuneCountInString(Normalize(long)); n != MaxRunes {
		t.Errorf("a long Chinese text normalises to %d runes, want %d", n, MaxRunes)
	}
}

func TestWordsSplitsHanFromLatin(t *testing.T) {
	got := Words(Normalize("居留permesso续签 ok"))
	want := []Word{{"居留", true}, {"permesso", false}, {"续签", true}, {"ok", false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Words = %v, want %v", got, want)
	}
}

// A vowel sign or a virama is part of its word: "ইতালিয়ান" (Bengali,
// "Italian") is one word, not letters and signs apart.
func TestWordsKeepsMarksInTheirWord(t *testing.T) {
	got := Words(Normalize("আমার ইতালিয়ান পাসপোর্ট"))
	if len(got) != 3 || got[1].Text != Normalize("ইতালিয়ান") {
		t.Errorf("Words = %v", got)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"chiamami al 333 123 4567":               "chiamami al ### ### ####",
		"+39 055-1234567 grazie":                 "+## ###-####### grazie",
		"scrivi a mario.rossi@example.com":       "scrivi a <email>",
		"il mio codice RSSMRA85T10A562S":         "il mio codice <code>",
		"vedi https://example.com/a?b=1 e basta": "vedi <link> e basta",
		"ho 2 figli e sono qui da 10 anni":       "ho 2 figli e sono qui da 10 anni",
		"riga\nnuova\u202e":                      "riga nuova",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	if n := utf8.RuneCountInString(Mask(strings.Repeat("parola ", 1000))); n > MaxMasked {
		t.Errorf("a long text masks to %d runes, over %d", n, MaxMasked)
	}
}

// tiny is a training set small enough to reason about: two languages, a
// few intents.
var tiny = []Example{
	{Intent: "renew", Lang: "en", Text: "how do I renew my permit"},
	{Intent: "renew", Lang: "en", Text: "my permit expires next month"},
	{Intent: "renew", Lang: "en", Text: "renewal of the residence permit"},
	{Intent: "renew", Lang: "it", Text: "come rinnovo il permesso di soggiorno"},
	{Intent: "renew", Lang: "it", Text: "mi scade il permesso"},
	{Intent: "doctor", Lang: "en", Text: "I need a family doctor"},
	{Intent: "doctor", Lang: "en", Text: "how do I get the health card"},
	{Intent: "doctor", Lang: "it", Text: "mi serve un medico di base"},
	{Intent: "doctor", Lang: "it", Text: "come avere la tessera sanitaria"},
	{Intent: "person", Lang: "en", Text: "I want to talk to a person"},
	{Intent: "person", Lang: "it", Text: "voglio parlare con un operatore"},
	{Intent: "person", Lang: "zh", Text: "我要和人工客服说话"},
	{Intent: "renew", Lang: "zh", Text: "居留怎么续签"},
	{Intent: "doctor", Lang: "zh", Text: "怎么找家庭医生"},
}

func TestClassify(t *testing.T) {
	m, err := Train(tiny, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"renew permit":               "renew",
		"il permesso mi scade":       "renew",
		"permmit renewal":            "renew",  // a typo: one edit from a known word
		"I need a doctor":            "doctor", // a word seen in another example
		"la tessera sanitaria":       "doctor",
		"parlare con una persona":    "person",
		"续签居留":                       "renew", // Chinese, no spaces, another order
		"家庭医生":                       "doctor",
		"PERMESSO DI SOGGIORNO!!!!!": "renew",
	} {
		r := m.Classify(text)
		if r.Top().Intent != want {
			t.Errorf("Classify(%q) = %+v, want %s first", text, r.Ranked, want)
		}
		var sum float64
		for _, p := range r.Ranked {
			sum += p.P
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("Classify(%q): probabilities sum to %v", text, sum)
		}
	}
	// Gibberish, emoji and scripts never taught are unknown: no guess
	// worth acting on.
	for _, text := range []string{"", "🙂🙂🙂", "xqzv wkpf", "Привет как дела", strings.Repeat("a", 10000)} {
		if r := m.Classify(text); r.Known > 0.3 {
			t.Errorf("Classify(%.20q) knows %.2f of it", text, r.Known)
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	a, _ := Train(tiny, Options{})
	b, _ := Train(tiny, Options{})
	for _, text := range []string{"renew permit", "doctor please", "operatore"} {
		ra, rb := a.Classify(text), b.Classify(text)
		if fmt.Sprint(ra) != fmt.Sprint(rb) {
			t.Errorf("two models of the same examples answer %q differently: %v vs %v", text, ra, rb)
		}
	}
}

func TestTrainNeedsTwoIntents(t *testing.T) {
	if _, err := Train(tiny[:3], Options{}); err == nil {
		t.Error("one intent trained a model")
	}
	if _, err := Train(tiny, Options{Method: "magic"}); err == nil {
		t.Error("an unknown method trained a model")
	}
}

func TestCentroid(t *testing.T) {
	m, err := Train(tiny, Options{Method: Centroid})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Classify("renew my permit").Top().Intent; got != "renew" {
		t.Errorf("centroid: %s", got)
	}
}

func TestLangID(t *testing.T) {
	l := TrainLangID(map[string][]string{
		"en": {"how do I renew my residence permit", "I need a family doctor for my children", "where is the office, what time does it open", "my permesso di soggiorno expires next month",
			"please tell me how I can get my documents", "I would like to know what I need to do"},
		"it": {"come rinnovo il permesso di soggiorno", "mi serve un medico di famiglia per i miei figli", "dove si trova l'ufficio, a che ora apre", "il permesso scade il mese prossimo"},
		"ar": {"كيف أجدد الإقامة", "أحتاج طبيب العائلة لأطفالي", "أين يوجد المكتب ومتى يفتح"},
		"zh": {"居留怎么续签", "我需要给孩子找家庭医生", "办公室在哪里几点开门"},
	})
	for text, want := range map[string]string{
		"how do I renew my permesso di soggiorno please": "en", // Italian terms inside English
		"dove si trova il medico di famiglia":            "it",
		"أين أجد طبيب العائلة":                           "ar",
		"我的居留怎么续签呢":                                      "zh",
	} {
		if g := l.Detect(text); g.Lang != want || !g.Sure() {
			t.Errorf("Detect(%q) = %+v, want %s, sure", text, g, want)
		}
	}
	for _, text := range []string{"ok", "permesso", "xyzzy plugh qwerty", "🙂"} {
		if g := l.Detect(text); g.Sure() {
			t.Errorf("Detect(%q) = %+v: sure of a text too short or unknown", text, g)
		}
	}
}

func TestFuzzyNear(t *testing.T) {
	x := newFuzzyIndex([]string{"permesso", "soggiorno", "cittadinanza", "ciao"})
	for w, want := range map[string]string{"pemesso": "permesso", "soggiorono": "soggiorno", "citadinanza": "cittadinanza", "permsseo": ""} {
		got := strings.Join(x.near(w), ",")
		if got != want {
			t.Errorf("near(%q) = %q, want %q", w, got, want)
		}
	}
	if x.near("cia") != nil || x.near("permesso") != nil {
		t.Error("a short or known word has neighbours")
	}
}

func FuzzClassify(f *testing.F) {
	m, err := Train(tiny, Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"renew", "", "居留", "\xff\xfe", "كيف", strings.Repeat("é", 300), "\u202e\u0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := m.Classify(s)
		if r.Known < 0 || r.Known > 1 {
			t.Errorf("Known %v", r.Known)
		}
		_ = Mask(s)
	})
}

// TestAveragedWeights: the model keeps the mean of the last epochs'
// weights, not the last epoch's.
func TestAveragedWeights(t *testing.T) {
	var a averager
	w, b := []float32{1, 2}, []float32{4}
	a.add(w, b)
	a.add([]float32{3, 6}, []float32{0})
	a.mean(w, b)
	if w[0] != 2 || w[1] != 4 || b[0] != 2 {
		t.Errorf("mean of the snapshots: w=%v b=%v, want [2 4] [2]", w, b)
	}
	// Nothing averaged (Average < 0): the weights stay as trained.
	var none averager
	none.mean(w, b)
	if w[0] != 2 || b[0] != 2 {
		t.Errorf("no snapshot changed the weights: %v %v", w, b)
	}
	ex := []Example{{Intent: "a", Text: "rinnovo permesso"}, {Intent: "b", Text: "cittadinanza italiana"}, {Intent: "a", Text: "permesso scaduto"}, {Intent: "b", Text: "diventare italiano"}}
	last, err := Train(ex, Options{Average: -1})
	if err != nil {
		t.Fatal(err)
	}
	avg, err := Train(ex, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, q := last.Classify("permesso").Top(), avg.Classify("permesso").Top(); p.Intent != "a" || q.Intent != "a" || p.P == q.P {
		t.Errorf("averaged and last-epoch models: %+v and %+v, want both a, with different confidence", p, q)
	}
}

// TestConceptsCarryAcrossLanguages: words of a language no example uses
// ("mjeku", "skadon", Albanian) reach the intent the Italian examples teach
// for the same concept, through the concept they share; without the
// concepts the model cannot tell.
func TestConceptsCarryAcrossLanguages(t *testing.T) {
	examples := []Example{
		{Intent: "renew", Lang: "it", Text: "il permesso mi scade"},
		{Intent: "renew", Lang: "it", Text: "permesso scaduto cosa faccio"},
		{Intent: "doctor", Lang: "it", Text: "cerco un medico"},
		{Intent: "doctor", Lang: "it", Text: "medico di famiglia per i bambini"},
		{Intent: "person", Lang: "it", Text: "voglio parlare con un operatore"},
		{Intent: "person", Lang: "it", Text: "parlare con qualcuno"},
	}
	concepts := map[string][]string{
		"expire": {"scad*", "skad*", "*انتهت*"},
		"health": {"medic*", "mjek*", "医生"},
	}
	with, err := Train(examples, Options{Concepts: concepts})
	if err != nil {
		t.Fatal(err)
	}
	without, err := Train(examples, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"mjeku": "doctor", "leja skadon": "renew", "انتهت": "renew", "找医生": "doctor"} {
		if got := with.Classify(text).Top(); got.Intent != want {
			t.Errorf("with concepts, %q = %+v, want %s", text, got, want)
		}
		if got := without.Classify(text).Top(); got.Intent == want && got.P > 0.5 {
			t.Errorf("without concepts, %q = %+v: the test proves nothing", text, got)
		}
	}
}

// TestOneEdit agrees with the edit distance on words and their typos,
// including letters outside ASCII.
func TestOneEdit(t *testing.T) {
	words := []string{"documenti", "documneti", "docuemnti", "documenti", "dokumenti", "documentii", "ocumenti", "documen", "أين", "اين", "ايين", "去哪里", "去哪", "a", "", "ab", "ba", "abc", "acb", "bac"}
	for _, a := range words {
		for _, b := range words {
			want := osa([]rune(a), []rune(b)) <= 1
			if got := OneEdit([]rune(a), []rune(b)); got != want {
				t.Errorf("OneEdit(%q, %q) = %v, the edit distance says %v", a, b, got, want)
			}
		}
	}
}
