package understand_test

import (
	"context"
	"slices"
	"testing"

	"teamsbot/bot"
	"teamsbot/understand"
)

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
		{"where is the office in florence", afterGuide, ""},
		{"where is the questura office", afterGuide, ""},
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

		// A word of an example is not an answer: "si" is in "si puo
		// spostare?", "is" in "where is it".
		{"si", appointment, ""},
		{"is", afterGuide, ""},

		// The place in a list, every list's own meanings.
		{"the first one", bot.Ordinals, "first"},
		{"pehla wala", bot.Ordinals, "first"},
		{"el primero", bot.Ordinals, "first"},
		{"第二个", bot.Ordinals, "second"},
		{"i treti", bot.Ordinals, "third"},
		{"primo permesso di soggiorno", bot.Ordinals, ""},

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

// TestMeansRules: the rules of Means on a small vocabulary.
func TestMeansRules(t *testing.T) {
	u := understand.WithAnswers(map[string][]string{
		"more":        {"show more", "other ones", "more please"},
		"other_place": {"another town", "other place", "other town please"},
		"where":       {"where do i go", "which office"},
	})
	for _, c := range []struct {
		text, want string
	}{
		{"more", ""},          // a word of two-word examples only: not more than half
		{"show more", "more"}, // an example
		{"please show more other ones", "more"},
		{"so please show more ones", "more"}, // one short unknown word in five is allowed
		{"other", ""},                        // fits both alike: neither
		{"other town", "other_place"},        // "town" only other_place has
		{"anotherr town", "other_place"},     // a typo in a long word
		{"where do i go florence", ""},       // an unknown long word is what the text is about
		{"where do i go now", "where"},       // "now": short, unknown, allowed
		{"where do i go now eh", ""},         // two unknown words in six: too many
		{"whre do i go", ""},                 // no typo read in a word under six letters, and no unknown word in four
		{"which officee", "where"},           // a typo in a long word
	} {
		got, ok := u.Means(c.text, []string{"more", "other_place", "where"})
		if !ok {
			got = ""
		}
		if got != c.want {
			t.Errorf("Means(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestDanger: a life in danger, said in any words of any language, gets the
// emergency numbers at once; everyday questions that share letters with
// those words do not.
func TestDanger(t *testing.T) {
	u := shipped(t).Understander
	ctx := context.Background()
	for _, c := range []struct{ lang, text string }{
		{"it", "mio marito vuole uccidermi"},
		{"it", "mi vogliono ammazzare"},
		{"en", "someone wants to kill me"},
		{"en", "my husband said he will murder me"},
		{"fr", "il va me tuer"},
		{"ar", "زوجي سيقتلني"},
		{"ar", "شخص يريد قتلي"},
		{"sq", "burri do me vrase"},
		{"zh", "有人要杀我"},
		{"zh", "我老公要杀我"},
		{"zh", "救命"},
		{"es", "mi pareja me quiere matar"},
		{"uk", "він хоче мене вбити"},
		{"tl", "papatayin daw ako ng asawa ko"},
		{"bn", "আমার স্বামী আমাকে খুন করবে"},
		{"ur", "میرا شوہر مجھے مار دے گا"},
		{"prs", "میخواهد مرا بکشد قتل"},
		// Wanting to die, in the words people use.
		{"it", "non ce la faccio più, voglio farla finita"},
		{"en", "i dont want to live anymore"},
		{"en", "I want to die"},
		{"fr", "j'ai envie de mourir"},
		{"ar", "بدي اموت"},
		{"sq", "dua te vdes"},
		{"zh", "我不想活了"},
		{"es", "ya no quiero vivir"},
		// A body in danger, and violence written in Latin letters.
		{"en", "my child is not breathing"},
		{"it", "mia madre è svenuta e non si sveglia"},
		{"zh", "我爸爸晕倒了"},
		{"ur", "mera shohar mujhe marta hai"},
		{"bn", "amake mere felbe bolche"},
		{"it", "il mio compagno mi mette le mani addosso"},
		{"it", "non ce la faccio più a vivere"},
		{"fr", "je veux plus vivre"},
		{"it", "mi ha minacciato di morte"},
		{"ar", "ما بدي عيش"},
		{"it", "mio figlio è scomparso da ieri"},
		{"zh", "我的孩子不见了"},
		{"en", "my son is missing since this morning"},
	} {
		got := u.Understand(ctx, c.lang, c.text)
		if !got.Sure || len(got.Routes) == 0 || got.Routes[0].Intent != "guides.emergency_numbers" {
			t.Errorf("%s %q: %+v, want the emergency numbers at once", c.lang, c.text, got.Routes)
		}
	}
	for _, c := range []struct{ lang, text string }{
		{"it", "le tue cose sono pronte? quanto tempo ci vuole per il permesso"},
		{"it", "ho un contratto stabile, posso chiedere il ricongiungimento"},
		{"en", "which skills do I need for the job centre"},
		{"fr", "tu es sûr que je dois aller à la questura"},
		{"ar", "متى سأحصل على الاستقلال المالي والإقامة"},
		{"prs", "تمدید پرمسو چقدر طول میکشه"},
		{"sq", "do ta therras zyren per lejen"},
		{"fr", "je veux en finir avec ce dossier de titre de séjour"},
		{"it", "voglio finire la pratica del permesso"},
		{"en", "my father died, can I still get family reunification"},
	} {
		got := u.Understand(ctx, c.lang, c.text)
		if len(got.Routes) > 0 && got.Routes[0].Intent == "guides.emergency_numbers" && got.Sure {
			t.Errorf("%s %q: the emergency numbers at once", c.lang, c.text)
		}
	}
}

// TestTwoQuestions: a message that asks two things offers both, whatever
// the whole text ranks first; one question is one part.
func TestTwoQuestions(t *testing.T) {
	u := shipped(t).Understander
	for _, c := range []struct {
		text  string
		parts int
	}{
		{"devo rinnovare il permesso e anche fare la tessera sanitaria", 2},
		{"how do I renew my permit? and where do I get the tax code", 2},
		{"我要续签居留，还有孩子怎么上学", 2},
		{"come rinnovo il permesso di soggiorno", 1},
		{"ciao. come rinnovo il permesso?", 1}, // "ciao" is too short to be a question
	} {
		if got := u.Parts(c.text); len(got) != c.parts {
			t.Errorf("%q: parts %q, want %d", c.text, got, c.parts)
		}
	}
	got := u.Understand(context.Background(), "it", "devo rinnovare il permesso e anche fare la tessera sanitaria")
	var intents []string
	for _, r := range got.Routes {
		intents = append(intents, r.Intent)
	}
	if got.Sure || !slices.Contains(intents, "guides.permit_renewal") || !slices.Contains(intents, "guides.health_registration") || len(intents) > 3 {
		t.Errorf("two questions: sure %v, offered %v; want both the renewal and the health registration", got.Sure, intents)
	}
}
