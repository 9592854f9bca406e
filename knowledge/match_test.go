package knowledge

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"teamsbot/internal/fold"
)

// matchCases are what users type and what they should get: a comune (name),
// a choice (alts, in order), or nothing (neither). They also seed FuzzMatch.
var matchCases = []struct {
	text string
	name string   // the match when ok
	alts []string // alternatives when !ok
}{
	// Exact, whatever the case, accents, punctuation.
	{text: "Sesto Fiorentino", name: "Sesto Fiorentino"},
	{text: "sesto fiorentino", name: "Sesto Fiorentino"},
	{text: "SESTO FIORENTINO", name: "Sesto Fiorentino"},
	{text: "  Sesto   Fiorentino. ", name: "Sesto Fiorentino"},
	{text: "Castelfranco Piandisco", name: "Castelfranco Piandiscò"},
	{text: "castelfranco piandiscò", name: "Castelfranco Piandiscò"},
	{text: "campo nell elba", name: "Campo nell'Elba"},
	{text: "Campo nell'Elba", name: "Campo nell'Elba"},
	{text: "Campo nell’Elba", name: "Campo nell'Elba"}, // typographic apostrophe
	{text: "montecatini terme", name: "Montecatini-Terme"},
	{text: "Montecatini-Terme", name: "Montecatini-Terme"},
	{text: "Massa", name: "Massa"},
	{text: "Rio", name: "Rio"},
	{text: "Vinci", name: "Vinci"},
	{text: "Ｆｉｒｅｎｚｅ", name: "Firenze"}, // full-width

	// Leading "comune di", "città di", "a", "in"; trailing province.
	{text: "Comune di Prato", name: "Prato"},
	{text: "comune di sesto fiorentino", name: "Sesto Fiorentino"},
	{text: "Città di Pisa", name: "Pisa"},
	{text: "a Prato", name: "Prato"},
	{text: "in Sesto Fiorentino", name: "Sesto Fiorentino"},
	{text: "Prato (PO)", name: "Prato"},
	{text: "Pisa, PI", name: "Pisa"},
	{text: "pisa pi", name: "Pisa"},
	{text: "Comune di Sesto Fiorentino (FI)", name: "Sesto Fiorentino"},
	{text: "Prato (FI)", name: "Prato"}, // a wrong province does not hide the name
	{text: "Castelnuovo (LU)", name: "Castelnuovo di Garfagnana"},
	{text: "castelnuovo, si", name: "Castelnuovo Berardenga"},

	// ISTAT code or CAP.
	{text: "048017", name: "Firenze"},
	{text: "100005", name: "Prato"},
	{text: "50019", name: "Sesto Fiorentino"},
	{text: "50135", name: "Firenze"},
	{text: "57125", name: "Livorno"},
	{text: " 56127 ", name: "Pisa"},
	{text: "56040", alts: []string{"Casale Marittimo", "Castellina Marittima", "Guardistallo"}},
	{text: "999999"},
	{text: "00000"},
	{text: "48017"},
	{text: "1234567"},

	// One typo.
	{text: "Sesto Fiorenitno", name: "Sesto Fiorentino"},
	{text: "Sesto Fiorentin", name: "Sesto Fiorentino"},
	{text: "sestofiorentino", name: "Sesto Fiorentino"},
	{text: "Sesto Fiorentimo", name: "Sesto Fiorentino"},
	{text: "Fierenze", name: "Firenze"},
	{text: "Firenez", name: "Firenze"},
	{text: "Livrono", name: "Livorno"},
	{text: "Pogibonsi", name: "Poggibonsi"},
	{text: "Poggibomsi", name: "Poggibonsi"},
	{text: "Poggiboinsi", name: "Poggibonsi"},
	{text: "Poggibnosi", name: "Poggibonsi"},
	{text: "campo nellelba", name: "Campo nell'Elba"},
	{text: "Sinea", name: "Siena"},
	{text: "Luca", name: "Lucca"},
	// Two typos in a long name.
	{text: "Sesto Fiorenitnoo", name: "Sesto Fiorentino"},
	{text: "Castiglion Fiorentnio (AR)", name: "Castiglion Fiorentino"},
	// Equally close to two names: ask.
	{text: "Capannoi", alts: []string{"Capannoli", "Capannori"}},

	// Unique prefix of 4 letters or more; ambiguous prefixes are a choice.
	{text: "sesto fio", name: "Sesto Fiorentino"},
	{text: "Poggib", name: "Poggibonsi"},
	{text: "castelnuovo", alts: []string{"Castelnuovo Berardenga", "Castelnuovo di Garfagnana", "Castelnuovo di Val di Cecina"}},
	{text: "Montecatini", alts: []string{"Montecatini-Terme", "Montecatini Val di Cecina"}},
	{text: "Marcian", name: "Marciana"},

	// Whole words of a longer name are offered, never matched: a comune
	// merged into another, or an area one name happens to contain.
	{text: "Cutigliano", alts: []string{"Abetone Cutigliano", "Pitigliano"}},
	{text: "Tavarnelle", alts: []string{"Barberino Tavarnelle"}},
	{text: "Elba", alts: []string{"Campo nell'Elba"}},
	{text: "Fiorentino", alts: []string{"Castiglion Fiorentino", "Montelupo Fiorentino", "Sesto Fiorentino"}},
	{text: "Abetone", name: "Abetone Cutigliano"}, // also a unique prefix
	{text: "Barberino", alts: []string{"Barberino di Mugello", "Barberino Tavarnelle"}},

	// A name inside a sentence.
	{text: "abito a Prato", name: "Prato"},
	{text: "I live in Sesto Fiorentino", name: "Sesto Fiorentino"},
	{text: "Abito a Prato da 3 anni", name: "Prato"},
	{text: "vivo a Massa Marittima", name: "Massa Marittima"},
	{text: "sto vicino a Lucca", name: "Lucca"},
	{text: "Vivo in una cascina vicino a Lucca", name: "Lucca"},
	{text: "Prato, Italia", name: "Prato"},
	{text: "Sesto Fiorentino (Firenze)", name: "Sesto Fiorentino"},
	{text: "50019 Sesto Fiorentino", name: "Sesto Fiorentino"},
	{text: "da Prato a Firenze", alts: []string{"Firenze", "Prato"}},
	{text: "sono chiusi"}, // "chiusi" = closed: a one-word name needs a cue

	// Nothing.
	{text: ""},
	{text: "   "},
	{text: "?!"},
	{text: "ciao"},
	{text: "Ciao!"},
	{text: "si"},
	{text: "sì"},
	{text: "no"},
	{text: "hello"},
	{text: "1"},
	{text: "2"},
	{text: "ok"},
	{text: "grazie"},
	{text: "non lo so"},
	{text: "I don't know"},
	{text: "北京"},
	{text: "مرحبا"},
	{text: "Привет"},
	{text: "🙂🙂🙂"},
	{text: "Roma"},
	{text: "Milano"},
}

func TestMatch(t *testing.T) {
	ms := tuscany(t)
	for _, tt := range matchCases {
		m, alts, ok := ms.Match(tt.text)
		switch {
		case tt.name != "":
			if !ok || m.Name != tt.name {
				t.Errorf("Match(%q) = %q, %v, alternatives %v; want %q", tt.text, m.Name, ok, names(alts), tt.name)
			}
			if len(alts) > 0 {
				t.Errorf("Match(%q) matched with alternatives %v", tt.text, names(alts))
			}
		case ok:
			t.Errorf("Match(%q) = %q; want no match (alternatives %q)", tt.text, m.Name, tt.alts)
		case strings.Join(names(alts), "|") != strings.Join(tt.alts, "|"):
			t.Errorf("Match(%q) alternatives = %q; want %q", tt.text, names(alts), tt.alts)
		}
		if !ok && m.Name != "" {
			t.Errorf("Match(%q) = !ok with a municipality %q", tt.text, m.Name)
		}
	}
}

func names(ms []Municipality) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

// Every name is found as written, upper-cased, folded and in a sentence.
func TestMatchEveryName(t *testing.T) {
	ms := tuscany(t)
	for _, want := range ms.All() {
		for _, text := range []string{want.Name, strings.ToUpper(want.Name), fold.String(want.Name), "Comune di " + want.Name, want.Name + " (" + want.Province + ")"} {
			m, alts, ok := ms.Match(text)
			if !ok || m.Code != want.Code || len(alts) > 0 {
				t.Errorf("Match(%q) = %s %q, %v, %v; want %s", text, m.Code, m.Name, ok, names(alts), want.Name)
			}
		}
		if m, _, ok := ms.Match(want.Code); !ok || m.Code != want.Code {
			t.Errorf("Match(code %s) = %q, %v; want %s", want.Code, m.Name, ok, want.Name)
		}
	}
}

// A name with one letter left out still finds its comune: at least 95% of
// the names longer than 7 letters, with one random deletion each, and over
// every possible deletion.
func TestMatchDeletionTypos(t *testing.T) {
	ms := tuscany(t)
	rng := rand.New(rand.NewPCG(2026, 5))
	var tried, found, triedAll, foundAll int
	for _, want := range ms.All() {
		key := []rune(fold.String(want.Name))
		var letters []int // positions of letters, not spaces
		for i, r := range key {
			if r != ' ' {
				letters = append(letters, i)
			}
		}
		if len(letters) <= 7 {
			continue
		}
		pick := letters[rng.IntN(len(letters))]
		for _, pos := range letters {
			typo := string(key[:pos]) + string(key[pos+1:])
			m, alts, ok := ms.Match(typo)
			hit := ok && m.Code == want.Code
			triedAll++
			if hit {
				foundAll++
			}
			if pos != pick {
				continue
			}
			tried++
			if hit {
				found++
			} else {
				t.Logf("miss: %q for %s: got %q, %v, alternatives %v", typo, want.Name, m.Name, ok, names(alts))
			}
		}
	}
	rate := float64(found) / float64(tried)
	rateAll := float64(foundAll) / float64(triedAll)
	t.Logf("one random deletion: %d/%d names resolved (%.1f%%); every deletion: %d/%d (%.1f%%)",
		found, tried, 100*rate, foundAll, triedAll, 100*rateAll)
	if tried < 200 {
		t.Errorf("only %d names longer than 7 letters; the test lost its subject", tried)
	}
	if rate < 0.95 || rateAll < 0.95 {
		t.Errorf("resolution rate %.1f%% (random), %.1f%% (all); want ≥ 95%%", 100*rate, 100*rateAll)
	}
}

// Short or unrelated words must not become a comune, whatever the typo
// budget: every word of up to 3 letters, and common replies.
func TestMatchShortWordsMiss(t *testing.T) {
	ms := tuscany(t)
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for _, a := range letters {
		for _, b := range letters {
			for _, w := range []string{string(a), string(a) + string(b)} {
				if m, _, ok := ms.Match(w); ok {
					t.Errorf("Match(%q) = %q; want no match", w, m.Name)
				}
			}
		}
	}
	for i := range 100 {
		w := strings.Repeat("1", i%10+1)
		if m, _, ok := ms.Match(w); ok {
			t.Errorf("Match(%q) = %q; want no match", w, m.Name)
		}
	}
}

// Long or hostile input answers quickly and without a match.
func TestMatchBounded(t *testing.T) {
	ms := tuscany(t)
	inputs := []string{
		strings.Repeat("a", 10000),
		strings.Repeat("北京", 5000),
		strings.Repeat("🙂", 10000),
		strings.Repeat("ciao ", 2000),
		strings.Repeat("x y ", 2500),
		strings.Repeat("\uFDFA", 3000), // expands ×18 under NFKD
		strings.Repeat("\xff", 10000),
	}
	for _, in := range inputs {
		start := time.Now()
		m, alts, ok := ms.Match(in)
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Match(%.20q...) took %v", in, d)
		}
		if ok || len(alts) > 0 {
			t.Errorf("Match(%.20q...) = %q, %v, %v; want nothing", in, m.Name, names(alts), ok)
		}
	}
	// A long sentence still finds a name near its start.
	if m, _, ok := ms.Match("abito a Prato " + strings.Repeat("bla ", 2500)); !ok || m.Name != "Prato" {
		t.Errorf("long sentence = %q, %v; want Prato", m.Name, ok)
	}
}

func TestOSA(t *testing.T) {
	tests := []struct {
		a, b string
		k    int
		want int
	}{
		{"livorno", "livrono", 2, 1},
		{"firenze", "fierenze", 2, 1},
		{"ca", "abc", 3, 3}, // OSA, not unrestricted Damerau–Levenshtein (2)
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // more than k: k+1
		{"abc", "abc", 0, 0},
		{"abc", "abd", 0, 1},
		{"", "ab", 5, 2},
		{"ab", "", 1, 2},
		{"sesto fiorentino", "sesto fiorenitno", 2, 1},
		{"abcdef", "badcfe", 3, 3},
		{"abcdef", "ghijkl", 2, 3},
	}
	buf := make([]int, 64)
	for _, tt := range tests {
		if got := osa([]rune(tt.a), []rune(tt.b), tt.k, buf); got != tt.want {
			t.Errorf("osa(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.k, got, tt.want)
		}
	}
	// Against a plain full-matrix OSA on random short strings.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		a, b := randWord(rng), randWord(rng)
		k := rng.IntN(4)
		want := min(osaFull([]rune(a), []rune(b)), k+1)
		if got := osa([]rune(a), []rune(b), k, buf); got != want {
			t.Fatalf("osa(%q, %q, %d) = %d, want %d", a, b, k, got, want)
		}
	}
}

func randWord(rng *rand.Rand) string {
	b := make([]byte, rng.IntN(8))
	for i := range b {
		b[i] = "abc "[rng.IntN(4)]
	}
	return string(b)
}

// osaFull is the textbook optimal string alignment distance.
func osaFull(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func FuzzMatch(f *testing.F) {
	for _, tt := range matchCases {
		f.Add(tt.text)
	}
	f.Add(strings.Repeat("prato ", 300))
	f.Add("\xff\xfe")
	ms := tuscany(f)
	f.Fuzz(func(t *testing.T, text string) {
		m1, alts1, ok1 := ms.Match(text)
		m2, alts2, ok2 := ms.Match(text)
		if ok1 != ok2 || m1.Code != m2.Code || strings.Join(names(alts1), "|") != strings.Join(names(alts2), "|") {
			t.Fatalf("Match(%q) not deterministic: %q %v %v, then %q %v %v", text, m1.Name, alts1, ok1, m2.Name, alts2, ok2)
		}
		if ok1 && (m1.Name == "" || m1.Code == "") {
			t.Fatalf("Match(%q) ok with an empty municipality", text)
		}
		if ok1 && len(alts1) > 0 {
			t.Fatalf("Match(%q) ok with alternatives %v", text, names(alts1))
		}
		if !ok1 && m1.Name != "" {
			t.Fatalf("Match(%q) !ok with %q", text, m1.Name)
		}
		if len(alts1) > MaxAlternatives {
			t.Fatalf("Match(%q) gave %d alternatives", text, len(alts1))
		}
		for _, a := range alts1 {
			if a.Name == "" {
				t.Fatalf("Match(%q) gave an empty alternative", text)
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	ms := tuscany(b)
	for _, bc := range []struct{ name, text string }{
		{"exact", "Sesto Fiorentino"},
		{"exact-folded", "sesto fiorentino"},
		{"code", "50019"},
		{"typo", "Sesto Fiorenitno"},
		{"typo-short", "Livrono"},
		{"prefix", "sesto fio"},
		{"sentence", "I live in Sesto Fiorentino"},
		{"miss", "hello"},
		{"miss-long", strings.Repeat("ciao ", 2000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ms.Match(bc.text)
			}
		})
	}
}

func BenchmarkNearest(b *testing.B) {
	ms := tuscany(b)
	b.ReportAllocs()
	for b.Loop() {
		ms.Nearest(43.7731, 11.2560)
	}
}

// The index is read-only after loading: concurrent matching is safe (run
// with -race).
func TestMatchConcurrent(t *testing.T) {
	ms := tuscany(t)
	done := make(chan bool)
	for g := range 8 {
		go func() {
			defer func() { done <- true }()
			for i, tt := range matchCases {
				if (i+g)%2 == 0 {
					ms.Match(tt.text)
				} else {
					ms.Nearest(43+float64(i)/100, 11)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// TestMentionedAgainstChinese: a comune in Latin letters written against
// Chinese, as Chinese users type it, is found; so is one after "for",
// "per", "pour", "sa" ("the anagrafe for follonica" listed Grosseto's).
func TestMentionedAgainstChinese(t *testing.T) {
	ms := tuscany(t)
	for text, want := range map[string]string{
		"我住在Campi Bisenzio": "Campi Bisenzio",
		"我在prato":           "Prato",
		"Empoli的警察局":        "Empoli",
		"and the anagrafe for follonica, i want to do residenza": "Follonica",
		"anagrafe per empoli":            "Empoli",
		"le bureau pour pontedera":       "Pontedera",
		"saan ang questura sa viareggio": "Viareggio",
	} {
		if m, ok := ms.Mentioned(text); !ok || m.Name != want {
			t.Errorf("Mentioned(%q) = %q, %v; want %q", text, m.Name, ok, want)
		}
	}
}
