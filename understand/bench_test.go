package understand_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/understand"
)

// benchQuestions are typical messages of every kind: short, long, typos,
// Chinese and Arabic, gibberish.
var benchQuestions = []struct{ lang, text string }{
	{"it", "come rinnovo il permesso di soggiorno?"},
	{"it", "buongiorno sono un cittadino marocchino residente a prato da 6 anni e vorrei sapere come posso chiedere la carta di soggiorno per me e per mia moglie"},
	{"en", "where is the questura in Prato"},
	{"en", "I need a doctr for my son"},
	{"fr", "je veux parler à quelqu'un"},
	{"ar", "كيف أجدد الإقامة في إيطاليا؟"},
	{"sq", "si te rinovoj lejen e qendrimit"},
	{"zh", "普拉托警察局在哪里"},
	{"zh", "税号"},
	{"it", "xqzvk wplf"},
}

// BenchmarkUnderstand is one message through the router with all the
// shipped content loaded: language detection, classification, the comune
// named, the routes. It reports the 99th percentile too.
func BenchmarkUnderstand(b *testing.B) {
	u := shipped(b).Understander
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		q := benchQuestions[i%len(benchQuestions)]
		start := time.Now()
		_ = u.Understand(ctx, q.lang, q.text)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
}

// BenchmarkBuild is the training at start (every content load): reading
// the examples, training the classifier and the language detector.
func BenchmarkBuild(b *testing.B) {
	l := shipped(b)
	src := understand.Source{Locales: content.Locales, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program, Fresh: true}
	b.ResetTimer()
	for range b.N {
		if u, issues := understand.Build(src); u == nil {
			b.Fatal(issues)
		}
	}
}

// BenchmarkBuildSaved is a start on content whose model an earlier start
// saved (Source.SavedIn): reading the examples and the saved model instead
// of training.
func BenchmarkBuildSaved(b *testing.B) {
	l := shipped(b)
	src := understand.Source{Locales: content.Locales, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program, SavedIn: b.TempDir()}
	understand.ForgetTrained()
	if u, issues := understand.Build(src); u == nil { // trains and saves
		b.Fatal(issues)
	}
	b.ResetTimer()
	for range b.N {
		understand.ForgetTrained()
		if u, issues := understand.Build(src); u == nil {
			b.Fatal(issues)
		}
	}
}

// BenchmarkTurnFreeText is a whole engine step at the main menu for a
// free-text question, beside one answered by a number.
func BenchmarkTurnFreeText(b *testing.B) {
	l := shipped(b)
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	menu, _ := eng.Program().Flow(bot.MenuFlow)
	for _, tc := range []struct{ name, text string }{{"number", "2"}, {"free-text", "come rinnovo il permesso di soggiorno?"}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				s := &bot.Session{State: bot.StateFlow, Lang: "it", Flow: bot.MenuFlow, Step: menu.Start.ID, Consent: now.Unix(), Updated: now.Unix()}
				if _, err := eng.Step(context.Background(), s, bot.Inbound{Channel: "b", UserID: "u", Text: tc.text}, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMeans reads typed answers under a question with options: short
// answers, a typo, and questions of their own that it must decline.
func BenchmarkMeans(b *testing.B) {
	u := shipped(b).Understander
	texts := []string{"dove vado?", "what do I need to bring", "我要去哪里", "what documnets",
		"dove vado per il codice fiscale", "where is the questura in Prato", "je peux pas venir"}
	meanings := []string{"where", "documents", "cancel", "move"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_, _ = u.Means(texts[i%len(texts)], meanings)
	}
}
