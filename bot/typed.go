package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/bot/flow"
	"teamsbot/bot/input"
)

// typed handles the answer to an ask: step.
func (t *turn) typed(n *flow.Node) error {
	s := t.s
	text := t.in.Text
	if n.Ask == "choice" {
		cs := t.choices(n)
		k := t.matchChoice(n, cs)
		if k < 0 {
			k = t.ordinal(len(cs))
		}
		if k < 0 && len(cs) == 1 && t.in.Option == "" && strings.TrimSpace(t.in.Text) != "" {
			// One choice ("Which one do you want to leave? 1. Cricket"):
			// "leave it", "yes", "that one" take it — a few words are about
			// the question, whatever else they could mean ("leave it" is
			// not leaving Italy here) — unless they say no; a longer text
			// surely about something else goes there. The step after asks
			// to confirm.
			if v, ok := t.yesNo(text, s.Lang); ok && !v {
				return t.miss(n, "no_match")
			}
			if len(strings.Fields(text)) > maxOneChoiceWords || scriptHan(text) && utf8.RuneCountInString(text) > 2*maxOneChoiceWords {
				if done, err := t.understand(true); done || err != nil {
					return err
				}
			}
			k = 0
		}
		if k < 0 {
			if t.in.Option == "" && t.in.Text != "" && !strings.ContainsFunc(t.in.Text, unicode.IsDigit) {
				// A number that named no choice ("ora 10" where 10:00 is
				// not free) is an answer that did not fit, asked again:
				// never a question that leads out of the booking.
				if done, err := t.understand(false); done || err != nil {
					return err
				}
			}
			return t.miss(n, "no_match")
		}
		s.setVar(n.Save, cs[k].Value)
		t.pushBack(n)
		return t.advance(n.Next)
	}
	if t.in.Option != "" && !(strings.HasPrefix(t.in.Option, "m:") && (n.Ask == "municipality" || n.Ask == "location")) {
		// A button of another question pressed while this one waits for text.
		return t.miss(n, "old_button")
	}
	set := func(v string) { s.setVar(n.Save, v) }
	ok := false
	switch n.Ask {
	case "text":
		minLen, maxLen := 1, 0
		if n.Min != nil {
			minLen = int(*n.Min)
		}
		if n.Max != nil {
			maxLen = int(*n.Max)
		}
		var v string
		if v, ok = input.Text(text, minLen, maxLen); ok {
			set(v)
		} else if tooLong(text, maxLen) {
			// Say what is wrong: "write a few words" to someone who wrote
			// a page would be the wrong advice.
			return t.miss(n, "too_long")
		}
	case "number", "integer", "age":
		var v float64
		if n.Ask != "number" {
			var k int
			k, ok = t.e.cfg.Words.Integer(text)
			v = float64(k)
		} else {
			v, ok = t.e.cfg.Words.Number(text)
		}
		if ok && ((n.Min != nil && v < *n.Min) || (n.Max != nil && v > *n.Max)) {
			ok = false
		}
		if ok {
			set(strconv.FormatFloat(v, 'f', -1, 64))
		}
	case "yes_no":
		var v bool
		if v, ok = t.e.cfg.Words.AnswerYesNo(text, s.Lang); ok {
			set(map[bool]string{true: "yes", false: "no"}[v])
		} else if k, isNum := smallInt(text); isNum && (k == 1 || k == 2) {
			ok = true
			set(map[bool]string{true: "yes", false: "no"}[k == 1])
		}
	case "date":
		if d, okd := t.e.cfg.Words.Date(text, t.now); okd {
			ok = true
			set(d.Format("2006-01-02"))
		}
	case "phone":
		var v string
		if v, ok = input.Phone(text); ok {
			set(v)
		}
	case "email":
		var v string
		if v, ok = input.Email(text); ok {
			set(v)
		}
	case "municipality", "location":
		var asked bool
		if ok, asked = t.place(n); asked {
			return nil
		}
	}
	if !ok {
		if reply := t.replied(n); reply != "" {
			// Answered in place ("how much is it?" at "where are
			// you?"), then the question again.
			t.say(reply, t.s.Vars)
			t.question(n, true)
			return nil
		}
		// Not a valid answer: maybe a question ("I want to talk to a
		// person" where the bot asked for a comune).
		if done, err := t.understandAt(true, n.Ask == "municipality" || n.Ask == "location"); done || err != nil {
			return err
		}
		return t.miss(n, "invalid")
	}
	t.pushBack(n)
	return t.advance(n.Next)
}

// replied is the message of n's replies: that answers the text typed
// instead of an answer, or "".
func (t *turn) replied(n *flow.Node) string {
	if len(n.Replies) == 0 {
		return ""
	}
	_, reply := t.meant(n)
	return reply
}

// maxOneChoiceWords bounds a text taken as the only choice of a question
// whatever it says.
const maxOneChoiceWords = 3

// place resolves a municipality or a location answer: a shared point, the
// name of a comune, or a button of comuni offered for an ambiguous name. It
// reports whether the answer was a comune, and whether it asked "which
// one?" instead (several comuni match).
func (t *turn) place(n *flow.Node) (ok, asked bool) {
	s := t.s
	if t.e.gaz == nil {
		return false, false
	}
	var m Municipality
	var at *Location // a point the user shared, kept rather than the comune's
	found := false
	if code, isButton := strings.CutPrefix(t.in.Option, "m:"); isButton {
		m, _, found = t.e.gaz.MatchMunicipality(code)
	} else if loc := t.in.Location; loc != nil {
		at = loc
		m, found = t.e.gaz.NearestMunicipality(*loc)
		if !found {
			// Outside Tuscany, or no place on Earth (a typed "@ 999, 11"):
			// the offices "nearest" would be hundreds of km away.
			s.Misses++
			t.event(Event{Kind: EventMiss, Flow: n.Flow.ID, Step: n.ID, Reason: "outside"})
			t.say("place.outside", nil)
			t.question(n, true)
			return false, true
		}
	} else {
		var alts []Municipality
		m, alts, found = t.e.gaz.MatchMunicipality(t.in.Text)
		if !found && len(alts) > 0 {
			// "Campi": Campi Bisenzio or Campiglia Marittima? The comuni as
			// buttons; a typed number or the name again also answers.
			s.Misses++
			t.event(Event{Kind: EventMiss, Flow: n.Flow.ID, Step: n.ID, Reason: "ambiguous"})
			t.say("error.which_municipality", nil)
			opts := make([]Option, len(alts))
			for i, a := range alts {
				opts[i] = Option{ID: "m:" + a.Code, Label: a.Name + " (" + a.Province + ")"}
			}
			t.offer(opts...)
			return false, true
		}
	}
	if !found {
		return false, false
	}
	t.savePlace(n, m, at)
	t.sayPlace(m.Name, m.Province)
	return true, false
}

// savePlace saves comune m as the answer to n, a question for a comune or
// a location: its name, code and province, and for a location its point
// (at, a point the user shared, or else the comune's).
func (t *turn) savePlace(n *flow.Node, m Municipality, at *Location) {
	name := n.Save
	if n.Ask == "location" {
		if at == nil {
			at = &Location{Lat: m.Lat, Lon: m.Lon}
		}
		t.s.setVar(n.Save+"_lat", strconv.FormatFloat(at.Lat, 'f', 5, 64))
		t.s.setVar(n.Save+"_lon", strconv.FormatFloat(at.Lon, 'f', 5, 64))
		name = n.Save + "_municipality"
	}
	t.s.setVar(name, m.Name)
	t.s.setVar(name+"_code", m.Code)
	t.s.setVar(name+"_province", m.Province)
	t.event(Event{Kind: EventPlace, Flow: n.Flow.ID, Step: n.ID, Reason: m.Province})
}

// smallInt reads a short answer that is only a number ("2", " 2 ", "٢"),
// the way users answer a numbered list: digits, so no words are needed.
func smallInt(text string) (int, bool) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 12 {
		return 0, false
	}
	for _, r := range text {
		if !unicode.IsDigit(r) && r != '.' && r != ')' {
			return 0, false
		}
	}
	var digitsOnly *input.Lexicon
	k, ok := digitsOnly.Integer(strings.TrimRight(text, ".)"))
	return k, ok
}

// yesNo reads a yes or a no with the engine's words.
func (t *turn) yesNo(text, lang string) (bool, bool) { return t.e.cfg.Words.YesNo(text, lang) }

// plainYesNo reads a yes or a no that says nothing else (input.PlainYesNo):
// "po rezidenca?" is a question, not a yes.
func (t *turn) plainYesNo(text, lang string) (bool, bool) {
	return t.e.cfg.Words.PlainYesNo(text, lang)
}

// scriptLanguage guesses the language from the script of a text, for the
// language question: the offered language whose script (Language.Script,
// from languages.yaml: Arabic for Arabic, Han for Chinese) has the most
// letters in the text. Ties prefer the earlier language.
func scriptLanguage(text string, langs []Language) (string, bool) {
	best, most := "", 0
	for _, l := range langs {
		table, ok := unicode.Scripts[l.Script]
		if !ok {
			continue
		}
		n := 0
		for _, r := range text {
			if unicode.Is(table, r) {
				n++
			}
		}
		if n > most {
			best, most = l.Code, n
		}
	}
	return best, best != ""
}

// tooLong reports whether a text answer was refused for its length only.
func tooLong(text string, maxLen int) bool {
	if maxLen <= 0 {
		maxLen = input.DefaultMaxText
	}
	v, ok := input.Text(text, 0, 1<<20)
	return ok && utf8.RuneCountInString(v) > maxLen
}
