package understand_test

import "testing"

// TestMeans: what people type at a question instead of pressing a button
// is read as the option of the same meaning, in every launch language;
// a text that says more than that (an office, a document, a town) is a new
// question, and a text two options fit equally is neither.
func TestMeans(t *testing.T) {
	u := shipped(t).Understander
	afterGuide := []string{"where", "documents"}
	results := []string{"more", "other_place"}
	appointment := []string{"cancel", "move"}
	for _, c := range []struct {
		text     string
		meanings []string
		want     string // "" = none
	}{
		{"dove vado?", afterGuide, "where"},
		{"ok ma dove devo andare adesso", afterGuide, "where"},
		{"cosa devo portare?", afterGuide, "documents"},
		{"quali documenti servono", afterGuide, "documents"},
		{"where do I go", afterGuide, "where"},
		{"which office?", afterGuide, "where"},
		{"what do I need to bring", afterGuide, "documents"},
		{"où je dois aller", afterGuide, "where"},
		{"quels papiers il faut", afterGuide, "documents"},
		{"وين اروح", afterGuide, "where"},
		{"شو لازم اجيب", afterGuide, "documents"},
		{"ku duhet te shkoj", afterGuide, "where"},
		{"cfare dokumentesh duhen", afterGuide, "documents"},
		{"我要去哪里", afterGuide, "where"},
		{"要带什么材料", afterGuide, "documents"},
		// One typo in a long word.
		{"what documnets", afterGuide, "documents"},

		// More than the meaning: a question of its own.
		{"dove vado per il codice fiscale", afterGuide, ""},
		{"where is the questura in Prato", afterGuide, ""},
		{"我要去哪里办税号", afterGuide, ""},
		{"quanto costa il permesso", afterGuide, ""},
		{"come rinnovo il permesso di soggiorno", afterGuide, ""},
		{"", afterGuide, ""},
		{"🙂", afterGuide, ""},

		{"ce ne sono altri?", results, "more"},
		{"show me more", results, "more"},
		{"in un'altra città", results, "other_place"},
		{"another town please", results, "other_place"},

		{"non posso venire", appointment, "cancel"},
		{"cancel it please", appointment, "cancel"},
		{"un altro giorno", appointment, "move"},
		{"can I come another day", appointment, "move"},
		{"取消预约", appointment, "cancel"},

		{"voglio partecipare", []string{"join"}, "join"},
		{"je veux participer", []string{"join"}, "join"},

		// A meaning the question does not offer is not read.
		{"dove vado?", results, ""},
	} {
		got, ok := u.Means(c.text, c.meanings)
		if !ok {
			got = ""
		}
		if got != c.want {
			t.Errorf("Means(%q, %v) = %q, want %q", c.text, c.meanings, got, c.want)
		}
	}
}

// TestMeansTwoEqualFits: a text whose words fit two of the options equally
// is read as neither, so that the bot asks instead of guessing.
func TestMeansTwoEqualFits(t *testing.T) {
	u := shipped(t).Understander
	if m, ok := u.Means("posso venire", []string{"cancel", "move"}); ok {
		t.Errorf(`"posso venire" (I can come) read as %q; it fits cancelling ("non posso venire") and moving ("posso venire un altro giorno") alike`, m)
	}
}
