package bot

import (
	"testing"

	"teamsbot/bot/input"
)

// TestLooseLabel: days and times typed the way people write them choose the
// one run-time choice they name, and nothing when they could name two.
func TestLooseLabel(t *testing.T) {
	days := []string{"të hënën 7/12", "të martën 8/12", "星期五 11/12", "Friday 18/12"}
	times := []string{"09:30", "10:00", "10:30", "16:00"}
	for _, c := range []struct {
		text   string
		labels []string
		want   int
		hour   bool // the text says an hour (input.Lexicon.SaysHour)
	}{
		{"e hene", days, 0, false},    // Monday without the ë and the article's ending
		{"te marten", days, 1, false}, // as written, without the ë
		{"11号", days, 2, false},       // "the 11th"
		{"il 18", days, 3, false},     // "the 18th"
		{"fridey", days, 3, false},    // a typo
		{"12", days, -1, false},       // 12 is the month: no label begins with it
		{"10h30", times, 2, false},    // "10h30" is 10:30
		{"alle 16", times, 3, false},  // "at 16"
		{"10", times, 1, false},       // of 10:00 and 10:30, the hour itself
		{"10点", times, 1, false},
		{"о 10", times, 1, false},
		{"domani", times, -1, false}, // no number, no label word
		{"", times, -1, false},
		{"星期五", days, 2, false},    // Friday, as Chinese write it
		{"我要星期五的", days, 2, false}, // inside a sentence without spaces
		{"星期", days, -1, false},
		{"alle 11", days, -1, true}, // an hour is not the 11th
		{"alle 10", times, 1, true},
		{"9h30", times, 0, true},
	} {
		if got := looseLabel(c.text, c.labels, c.hour); got != c.want {
			t.Errorf("looseLabel(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

// TestOneList: after a switch of language, the button back to the previous
// one joins the engine's own list ("did you mean") of the turn's last
// message, so two lists never both start at 1; a step's question keeps its
// numbering, and the button stays on its own message.
func TestOneList(t *testing.T) {
	back := Option{ID: "c:lang:it", Label: "Italiano"}
	tr := &turn{out: Turn{Replies: []Reply{
		{Text: "好的", Options: []Option{back}},
		{Text: "您是指：", Options: []Option{{ID: "r:1"}, {ID: "r:2"}, {ID: "c:retry"}}},
	}}}
	tr.oneList()
	if len(tr.out.Replies[0].Options) != 0 || len(tr.out.Replies[1].Options) != 4 || tr.out.Replies[1].Options[3] != back {
		t.Errorf("did you mean: %+v", tr.out.Replies)
	}
	tr = &turn{out: Turn{Replies: []Reply{
		{Text: "好的", Options: []Option{back}},
		{Text: "?", Options: []Option{{ID: "o:abcd1234:1"}, {ID: "o:abcd1234:2"}}},
	}}}
	tr.oneList()
	if len(tr.out.Replies[0].Options) != 1 || len(tr.out.Replies[1].Options) != 2 {
		t.Errorf("a step's question: %+v", tr.out.Replies)
	}
}

// TestHourChoice: a time typed in words at a question of times chooses that
// hour's time, or "later times" when the page ends before it or the user
// asks for the afternoon and every time shown is in the morning.
func TestHourChoice(t *testing.T) {
	words, err := input.NewLexicon(input.Words{Lang: "it", Dates: input.DateWords{Hours: []string{"alle"}, Afternoon: []string{"pomeriggio"}}})
	if err != nil {
		t.Fatal(err)
	}
	morning := []Choice{{Value: "a", Label: "09:00"}, {Value: "b", Label: "10:00"}, {Value: "c", Label: "10:30"}, {Value: "later", Label: "Orari più tardi"}, {Value: "other_day", Label: "Un altro giorno"}}
	for _, c := range []struct {
		text string
		want int
	}{
		{"alle 10", 1},               // 10:00, not 10:30
		{"alle 3 del pomeriggio", 3}, // 15 is after the page: later times
		{"pomeriggio", 3},
		{"alle 8", -1}, // before every time shown, and none at 8
		{"domani", -1},
	} {
		tr := &turn{e: &Engine{cfg: Config{Words: words}}, in: Inbound{Text: c.text}}
		if got := tr.hourChoice(morning); got != c.want {
			t.Errorf("hourChoice(%q) = %d, want %d", c.text, got, c.want)
		}
	}
	tr := &turn{e: &Engine{cfg: Config{Words: words}}, in: Inbound{Text: "alle 9"}}
	if got := tr.hourChoice(nil); got != -1 {
		t.Errorf("no choices: %d", got)
	}
}
