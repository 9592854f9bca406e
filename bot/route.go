package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/bot/flow"
	"teamsbot/internal/editdist"
	"teamsbot/internal/fold"
)

// Variables the engine keeps in the session for its own questions.
const (
	// routesVar holds the routes offered by a "did you mean" question.
	routesVar = "_routes"
	// offerVar holds the ids of the engine's own buttons of the last
	// message ("did you mean", "try again / menu / person", the comuni
	// of an ambiguous name): a typed number answers them, not the step's
	// options the user no longer sees.
	offerVar = "_offer"
	// firstVar holds a question written before the language was chosen
	// and the privacy notice accepted: it is answered right after.
	firstVar = "_first"
	// askedVar holds the text a "did you mean" question is about: if the
	// user answers "none of these", it fell through.
	askedVar = "_asked"
	// placeSaidVar is "yes" while the flow a sentence led to takes its
	// first steps, when the sentence named a comune (flow.Builtin).
	placeSaidVar = "place_said"
)

// maxFirst bounds the first message kept: a question, not a document.
const maxFirst = 500

// understand leads free text to where the user wants to go. strict (a
// question that waits for a typed value, which the text did not give)
// reads a sentence as at any question, and a single word only when it is
// surely thanks or a command: a municipality, a date or a number that did
// not validate is not a question. It reports whether the turn is done; when it
// is not, the caller says it did not understand.
func (t *turn) understand(strict bool) (bool, error) { return t.understandAt(strict, !strict) }

// understandAt is understand; offer says whether an unsure sentence may
// be offered as "did you mean" at a strict question whatever it is likely
// about (where the user is asked where they are); elsewhere only one
// likely about something else than the flow the user is in.
func (t *turn) understandAt(strict, offer bool) (bool, error) {
	text := strings.TrimSpace(t.in.Text)
	if t.e.router == nil || text == "" || t.in.Option != "" {
		return false, nil
	}
	u := t.e.router.Understand(t.ctx, t.lang(), text)
	if len(u.Routes) > 0 && u.Routes[0].Command == "language" ||
		len(u.Routes) == 0 && len(strings.Fields(text)) <= 5 {
		// "scrivi in arabo", "说中文", "українською будь ласка": the
		// language named by its own or its Italian name, or written in a
		// script only it uses, at once (even when the sentence is in
		// another one); named by its name in another language
		// ("anglais"), asked first; only when asking for a language is
		// the likeliest reading ("do I need to speak Italian for the
		// permit?" is about the A2 test); never when the text says no ("I
		// don't speak Italian", "mujhe Italian nahi aati"); the picker
		// when none is named.
		// A short text the router did not understand is read for a
		// language's name too ("scrivimi in arabo").
		code, own, ok := t.namedLanguage(text)
		if !ok && len(u.Routes) > 0 && t.namesTwoLanguages(text) {
			// "il parle seulement français et un peu anglais" (about a
			// child) names two languages and asks for neither: a question
			// about something else, not the language question.
			u.Routes = slices.Clone(u.Routes[1:])
			u.Sure = false
		} else if ok && !t.e.cfg.Words.SaysNo(text) {
			if own || code == t.s.Lang {
				// The language already in use ("urdu mein baat karo" in
				// Urdu) is confirmed, and the question asked again: the
				// picker there looped.
				return true, t.switchLanguage(code)
			}
			t.offerLanguage(code)
			return true, nil
		}
	}
	if n, ok := t.current(); u.Urgent && ok && n.Flow != t.e.menu {
		// In the middle of a flow, likely is not enough: "phone number?"
		// under the offices found is not a call for the emergency
		// numbers (words of danger still are: they make it Sure, not
		// Urgent).
		u.Sure, u.Urgent = false, false
	}
	if u.Sure && len(u.Routes) > 0 && (u.Routes[0].Command == "forget" || u.Routes[0].Command == "restart") {
		// Deleting everything is never guessed: "lo voglio cancellare"
		// after booking is the appointment, not "delete my data". The
		// words of the command ("cancella i miei dati") and the privacy
		// menu delete at once (with a confirmation); a sentence the
		// router reads so is offered, last. Nor is starting again, which
		// loses the conversation: "kelan po start?" ("when does the
		// course start?") started it again; the command's words still do.
		u.Sure = false
	}
	if !u.Sure {
		// ... and offered at all only when it is the likeliest reading,
		// and likely ("magkano lahat?", "how much is it all?", offered it
		// alone). Starting again is never offered: "kelan po start?"
		// ("when does it start?") offered it, and "ok salamat" took it,
		// losing the conversation.
		first := len(u.Routes) > 0 && u.Routes[0].Command == "forget" && u.Routes[0].Score >= minForgetOffer
		u.Routes = slices.DeleteFunc(slices.Clone(u.Routes), func(r Route) bool {
			return r.Command == "forget" && !first || r.Command == "restart"
		})
	}
	if strict {
		// A value that did not validate is not a question, unless it
		// says thanks or asks for a command ("grazie", "operatore") at
		// once; a sentence is one, and may be offered.
		word := !sentence(text)
		if word && !(u.Sure && len(u.Routes) > 0 && u.Routes[0].Command != "") {
			return false, nil
		}
		if !word && !u.Sure && !offer {
			// At "how old?" a sentence is offered only when it is likely
			// about something else than this flow ("c dokumenta duhen"
			// in the school flow's age question): "my son" is an answer
			// that did not parse, and so is a text about this very flow
			// as likely as about anything else (half the best or more).
			if len(u.Routes) > 0 && t.aboutThisFlow(u.Routes) {
				return false, nil
			}
			u.Routes = t.elsewhere(u.Routes)
			if len(u.Routes) == 0 || u.Routes[0].Score < minStrictOffer {
				return false, nil
			}
		}
	}
	t.out.Understood = &u
	if t.e.offers(u.Lang) && u.Lang != t.s.Lang && t.s.Lang != "" {
		// Written in another language the bot speaks: answer in it, with one
		// button back to the language of the conversation.
		prev := t.s.Lang
		t.s.Lang = u.Lang
		t.event(Event{Kind: EventLanguage, Reason: "detected"})
		t.say("language.changed", nil)
		t.reviewNote()
		t.offer(Option{ID: "c:lang:" + prev, Label: t.e.languageName(prev)})
		if len(u.Routes) > 0 {
			// Labels in the new language.
			u = t.e.router.Understand(t.ctx, t.s.Lang, text)
			t.out.Understood = &u
		}
		if len(u.Routes) == 0 || u.Routes[0].Command == "language" {
			// "sorry I pressed the wrong button, I don't speak Italian,
			// English please": the switch was the answer; the question
			// again in the new language, not "I did not understand".
			return true, t.reask(nil)
		}
	}
	if done, err := t.placeAnswer(u, text); done || err != nil {
		return done, err
	}
	switch {
	case u.Sure && len(u.Routes) > 0:
		t.event(Event{Kind: EventRouted, Reason: u.Routes[0].Intent})
		return true, t.follow(u.Routes[0])
	case len(u.Routes) > 0:
		// At a question waiting for a value, a sentence that did not give
		// it is asked about too: "et pour l'italien ?" at "where are
		// you?" is a new question; "none of these" asks for the value
		// again.
		t.didYouMean(u.Routes)
		t.s.setVar(askedVar, clean(text))
		return true, nil
	}
	if !strict {
		t.event(Event{Kind: EventNotUnderstood, Text: text})
	}
	return false, nil
}

// minForgetOffer is the least likelihood of deleting the user's data for a
// sentence to offer it.
const minForgetOffer = 0.5

// minStrictOffer is the least likelihood of the best route for a sentence
// that did not give the value a question waits for to be offered as a
// question ("did you mean").
const minStrictOffer = 0.3

// elsewhere drops the routes that lead to the flow the user is in, as it
// starts (the school flow while it asks the child's age).
func (t *turn) elsewhere(routes []Route) []Route {
	n, ok := t.current()
	if !ok {
		return routes
	}
	var out []Route
	for _, r := range routes {
		if r.Flow == n.Flow.ID && len(r.Vars) == 0 && r.Command == "" {
			continue
		}
		out = append(out, r)
	}
	return out
}

// aboutThisFlow reports whether the flow the user is in is among routes
// with half the likelihood of the best or more: "djali im" ("my son") at
// the school flow's "how old?".
func (t *turn) aboutThisFlow(routes []Route) bool {
	others := t.elsewhere(routes)
	for _, r := range routes {
		if !slices.ContainsFunc(others, func(o Route) bool { return o.Intent == r.Intent }) && r.Score >= routes[0].Score/2 {
			return true
		}
	}
	return false
}

// sentence reports whether text reads as a sentence rather than a value:
// two words or more, or three Han characters.
func sentence(text string) bool {
	if len(strings.Fields(text)) >= 2 {
		return true
	}
	han := 0
	for _, r := range text {
		if r >= 0x3400 && r <= 0x9fff {
			han++
		}
	}
	return han >= 3
}

// didYouMean offers routes as buttons, plus "none of these".
func (t *turn) didYouMean(routes []Route) {
	if len(routes) > maxRoutes {
		routes = routes[:maxRoutes]
	}
	// Deleting the user's data is never the first offer, the one a "yes"
	// takes: "cancelar" after booking is far likelier the appointment.
	routes = slices.Clone(routes)
	slices.SortStableFunc(routes, func(a, b Route) int {
		return boolInt(a.Command == "forget") - boolInt(b.Command == "forget")
	})
	var b strings.Builder
	opts := make([]Option, 0, len(routes)+1)
	for i, r := range routes {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(encodeRoute(r))
		opts = append(opts, Option{ID: "r:" + strconv.Itoa(i+1), Label: r.Label})
	}
	t.s.setVar(routesVar, b.String())
	t.s.Pending = PendingRoute
	t.say("route.did_you_mean", nil)
	opts = append(opts, t.cmdOption("retry", "route.none"))
	t.offer(opts...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// noneOfThese ends a "did you mean" question the user answered with
// "none of these": the text fell through.
func (t *turn) noneOfThese() {
	if asked := t.s.Vars[askedVar]; asked != "" {
		t.event(Event{Kind: EventNotUnderstood, Text: asked, Reason: "none_of_these"})
		// Said, not only shown again: the question as it was, with an
		// example of what works (the menu under it has a person).
		t.say("route.not_understood", nil)
	}
	delete(t.s.Vars, routesVar)
	delete(t.s.Vars, askedVar)
}

// maxRoutes bounds a "did you mean" question.
const maxRoutes = 3

// notUnderstood answers a text at the menu that led nowhere: one line with
// an example of what works, then the menu (which has "talk to a person").
func (t *turn) notUnderstood(n *flow.Node) error {
	if t.s.Misses+1 >= t.e.cfg.MaxMisses {
		return t.miss(n, "not_understood")
	}
	t.s.Misses++
	t.event(Event{Kind: EventMiss, Flow: n.Flow.ID, Step: n.ID, Reason: "not_understood"})
	t.say("route.not_understood", nil)
	t.question(n, true)
	return nil
}

// pickRoute handles the answer to a "did you mean" question: a button, its
// number, its words ("都不是" is "none of these"), or a yes (the first)
// or a no (none of these) typed on its own.
func (t *turn) pickRoute() (bool, error) {
	routes := decodeRoutes(t.s.Vars[routesVar])
	k := -1
	if rest, ok := strings.CutPrefix(t.in.Option, "r:"); ok {
		k, _ = strconv.Atoi(rest)
	} else if n, ok := smallInt(t.in.Text); ok {
		k = n
	} else if t.in.Option == "" && t.in.Text != "" {
		labels := make([]string, len(routes)+1)
		for i, r := range routes {
			labels[i] = r.Label
		}
		labels[len(routes)] = t.e.text(t.lang(), "route.none", t.s.Vars)
		k = matchLabel(t.in.Text, labels) + 1
		if v, ok := t.plainYesNo(t.in.Text, t.lang()); k < 1 && ok {
			switch {
			case !v:
				k = len(routes) + 1 // none of these
			case routes[0].Command != "forget":
				k = 1 // never "delete my data" on a yes
			}
		}
		if k == len(routes)+1 {
			t.noneOfThese()
			return true, t.reask(nil)
		}
	}
	delete(t.s.Vars, routesVar)
	delete(t.s.Vars, askedVar)
	if k < 1 || k > len(routes) {
		return false, nil
	}
	t.event(Event{Kind: EventRouted, Reason: routes[k-1].Intent})
	return true, t.follow(routes[k-1])
}

// follow goes where a route leads: a command, or a flow's first step with
// the route's variables.
func (t *turn) follow(r Route) error {
	if r.Command != "" {
		if n, ok := t.current(); ok {
			t.pushBack(n)
		}
		if r.Command == "thanks" {
			t.say("chat.thanks", nil)
			return t.goMenu()
		}
		return t.runCommand(r.Command)
	}
	f, ok := t.e.prog.Flow(r.Flow)
	if !ok {
		return t.goMenu()
	}
	for k, v := range r.Vars {
		t.s.setVar(k, v)
	}
	if n, ok := t.current(); ok {
		t.pushBack(n)
	}
	if t.in.Option == "" {
		t.said = strings.TrimSpace(t.in.Text)
	}
	if r.Vars["place_municipality"] == "" {
		return t.advance(f.Start)
	}
	// The sentence named a comune ("sport courses in Pisa"): the flow's
	// first steps can tell it from one an earlier search left in the
	// session, until the flow waits for the user.
	t.s.setVar(placeSaidVar, "yes")
	err := t.advance(f.Start)
	delete(t.s.Vars, placeSaidVar)
	return err
}

// switchLanguage makes code the conversation's language, says so, and asks
// the question the user was at again (or shows the menu).
func (t *turn) switchLanguage(code string) error {
	if code != t.s.Lang {
		t.s.Lang = code
		t.event(Event{Kind: EventLanguage, Reason: "named"})
	}
	t.say("language.changed", nil)
	t.reviewNote()
	if n, ok := t.current(); ok && n.Kind.Waits() && n.Flow != t.e.menu {
		t.question(n, true)
		return nil
	}
	return t.goMenu()
}

// namedLanguage finds the one language offered that a text names (its own
// name, its Italian one or one of its names in the other languages:
// "arabo", "中文", "shqip", "anglais") or, failing that, is written in a
// script only it uses.
//
// own reports whether it was named by its own or its Italian name (or by
// its script), not only by its name in another language.
func (t *turn) namedLanguage(text string) (code string, own, ok bool) {
	codes, own := t.languagesNamed(text)
	switch len(codes) {
	case 0:
		// The script of the conversation's own language says nothing:
		// "কত টাকা লাগে?" in Bengali is a question, not a request for
		// Bengali (it got "OK, from now on I write in Bengali").
		code, ok = scriptLanguage(text, t.e.langs)
		if code == t.s.Lang {
			return "", false, false
		}
		return code, true, ok
	case 1:
		return codes[0], own, true
	}
	return "", false, false
}

// namesTwoLanguages reports whether a text names two languages offered or
// more, by any of their names.
func (t *turn) namesTwoLanguages(text string) bool {
	codes, _ := t.languagesNamed(text)
	return len(codes) >= 2
}

// languagesNamed lists the languages offered a text names by any of their
// names, in the order offered; own reports whether one was named by its
// own or its Italian name.
func (t *turn) languagesNamed(text string) (codes []string, own bool) {
	in := fold.String(text)
	for _, l := range t.e.langs {
		for i, name := range append([]string{l.Name, l.Italian}, l.Names...) {
			k := fold.String(name)
			if utf8.RuneCountInString(k) < 2 {
				continue
			}
			if containsWords(in, k) || scriptHan(k) && strings.Contains(in, k) {
				if !slices.Contains(codes, l.Code) {
					codes = append(codes, l.Code)
				}
				own = own || i < 2
			}
		}
	}
	return codes, own
}

// offerLanguage asks whether to write in the language code, named in a
// sentence by its name in another language: one button for it, one to go
// on in the conversation's language.
func (t *turn) offerLanguage(code string) {
	t.say("language.offer", map[string]string{"name": t.e.languageName(code)})
	t.offer(Option{ID: "c:lang:" + code, Label: t.e.languageName(code)}, t.cmdOption("retry", "common.continue"))
}

// sayPlace says back the municipality understood, so that a wrong match is
// seen at once.
func (t *turn) sayPlace(name, province string) {
	if province != "" {
		name += " (" + province + ")"
	}
	t.say("place.understood", map[string]string{"name": name})
}

// Routes are stored one per line: intent, flow, command, label, then k=v
// pairs, tab-separated.
func encodeRoute(r Route) string {
	parts := []string{clean(r.Intent), clean(r.Flow), clean(r.Command), clean(r.Label)}
	for k, v := range r.Vars {
		parts = append(parts, clean(k)+"="+clean(v))
	}
	return strings.Join(parts, "\t")
}

func decodeRoutes(s string) []Route {
	var out []Route
	for _, line := range strings.Split(s, "\n") {
		parts := strings.Split(line, "\t")
		if len(parts) < 4 {
			continue
		}
		r := Route{Intent: parts[0], Flow: parts[1], Command: parts[2], Label: parts[3], Vars: map[string]string{}}
		for _, kv := range parts[4:] {
			k, v, _ := strings.Cut(kv, "=")
			r.Vars[k] = v
		}
		out = append(out, r)
	}
	return out
}

// keepFirst keeps a question written before the conversation started, to
// answer it once the user has chosen a language and accepted the privacy
// notice. It stays in the session only (never logged) and goes with the
// session if the user declines.
func (t *turn) keepFirst() { t.keep(false) }

// keep keeps the user's message to answer after the language question and
// the privacy notice: the first one, or one that asks something where the
// one kept did not ("ciao", then the question); with latest, a question
// replaces the one kept (asked again, at the notice, it is the one meant).
// It reports whether it kept this message.
func (t *turn) keep(latest bool) bool {
	text := strings.TrimSpace(t.in.Text)
	if text == "" || t.in.Option != "" || t.in.Payload != "" {
		return false
	}
	if cur := t.s.Vars[firstVar]; cur != "" && !(sentence(text) && (latest || !sentence(cur))) {
		return false
	}
	if len(text) > maxFirst {
		i := maxFirst
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i]
	}
	t.s.setVar(firstVar, text)
	return true
}

// answerFirst answers the question kept by keepFirst, at the menu. It
// reports whether it did.
func (t *turn) answerFirst() (bool, error) {
	q := t.s.Vars[firstVar]
	if q == "" {
		return false, nil
	}
	delete(t.s.Vars, firstVar)
	if t.e.router == nil {
		return false, nil
	}
	t.in.Text, t.in.Option = q, ""
	u := t.e.router.Understand(t.ctx, t.lang(), q)
	t.out.Understood = &u
	switch {
	case u.Sure && len(u.Routes) > 0:
		if u.Routes[0].Intent == "chat.greet" {
			return false, nil // "hello": the menu says the rest
		}
		t.event(Event{Kind: EventRouted, Reason: u.Routes[0].Intent})
		return true, t.follow(u.Routes[0])
	case len(u.Routes) > 0:
		t.didYouMean(u.Routes)
		return true, nil
	}
	return false, nil
}

// oneList keeps a turn to one numbered list: the button back to the
// previous language (after a question in another language switched it)
// joins the engine's own buttons of the last message ("did you mean"), so
// that two lists do not both start at 1. A step's question keeps its own
// numbering: the button then stays on its own message.
func (t *turn) oneList() {
	rs := t.out.Replies
	if len(rs) < 2 {
		return
	}
	last := &rs[len(rs)-1]
	if len(last.Options) == 0 || slices.ContainsFunc(last.Options, func(o Option) bool { return strings.HasPrefix(o.ID, "o:") }) {
		return
	}
	for i := range rs[:len(rs)-1] {
		r := &rs[i]
		if len(r.Options) == 1 && strings.HasPrefix(r.Options[0].ID, "c:lang:") {
			last.Options = append(last.Options, r.Options[0])
			r.Options = nil
		}
	}
}

// rememberOffer records the engine's own buttons of the turn's last
// message, so that a typed number answers them; it forgets them when the
// last message is a step's question (its options are numbered from 1
// again) or has no buttons (a number is then a typed answer).
func (t *turn) rememberOffer() {
	n := len(t.out.Replies)
	if n == 0 || t.s.State != StateFlow {
		return
	}
	last := t.out.Replies[n-1]
	own := len(last.Options) > 0
	for _, o := range last.Options {
		if strings.HasPrefix(o.ID, "o:") {
			own = false
			break
		}
	}
	if !own {
		delete(t.s.Vars, offerVar)
		return
	}
	ids := make([]string, len(last.Options))
	for i, o := range last.Options {
		ids[i] = clean(o.ID)
	}
	t.s.setVar(offerVar, strings.Join(ids, "\n"))
}

// offered maps a typed number to the engine's button it names, if the
// last message had engine buttons.
func (t *turn) offered() {
	ids := t.s.Vars[offerVar]
	if ids == "" || t.in.Option != "" || t.s.State != StateFlow {
		return
	}
	k, ok := smallInt(t.in.Text)
	if !ok {
		return
	}
	list := strings.Split(ids, "\n")
	if k >= 1 && k <= len(list) {
		t.in.Option, t.in.Text = list[k-1], ""
	}
}

// choices returns the run-time options of an ask: choice step.
func (t *turn) choices(n *flow.Node) []Choice {
	return DecodeChoices(t.s.Vars[n.From])
}

// matchChoice finds the run-time choice the user picked, as matchOption does
// for written options.
func (t *turn) matchChoice(n *flow.Node, cs []Choice) int {
	if id := t.in.Option; id != "" {
		rest, ok := strings.CutPrefix(id, "o:"+n.Hash+":")
		if k, err := strconv.Atoi(rest); ok && err == nil && k >= 1 && k <= len(cs) {
			return k - 1
		}
		return -1
	}
	if k, ok := smallInt(t.in.Text); ok {
		if k >= 1 && k <= len(cs) {
			return k - 1
		}
		return -1
	}
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = c.Label
	}
	if k := matchLabel(t.in.Text, labels); k != -1 {
		return k
	}
	if k := t.hourChoice(cs); k != -1 {
		return k
	}
	return looseLabel(t.in.Text, labels, t.e.cfg.Words.SaysHour(t.in.Text))
}

// hourChoice reads a time of day typed at a question of times ("alle 3 del
// pomeriggio", "下午三点", "15h"): the time at that hour (its :00 first),
// or "later times" when the hour is later than every time shown, or, for
// "in the afternoon" alone, "later times" when every time shown is in the
// morning. -1 when the choices are not times or nothing fits.
func (t *turn) hourChoice(cs []Choice) int {
	if len(cs) == 0 {
		return -1
	}
	later := slices.IndexFunc(cs, func(c Choice) bool { return c.Value == "later" })
	var hours []int // the hour of each choice, -1 for those that are not times
	for _, c := range cs {
		h := -1
		if showsTime(c.Label) {
			if n := digitRuns(c.Label); len(n) > 0 {
				h = n[0]
			}
		}
		hours = append(hours, h)
	}
	last := slices.Max(hours)
	if last < 0 {
		return -1
	}
	words := t.e.cfg.Words
	h, ok := words.Hour(t.in.Text)
	if !ok {
		if later >= 0 && words.SaysAfternoon(t.in.Text) && last < 13 {
			return later
		}
		return -1
	}
	best := -1
	for i, ch := range hours {
		if ch == h && (best < 0 || strings.HasSuffix(cs[i].Label, ":00")) {
			best = i
		}
	}
	if best < 0 && later >= 0 && h > last {
		return later
	}
	return best
}

// looseLabel finds the one label a text names loosely, as people write a
// day or a time: the numbers it writes begin the label's numbers ("11号"
// is "星期五 11/12", "10h30" is "10:30"), or each of its words of four
// letters or more is a word of the label, or one typo away ("e hene" is
// "të hënën 7/12"). It returns -1 when none or several do.
//
// A text that says an hour ("alle 9", "9h") names only a label that
// shows a time: at a question of days it is not the 9th of the month.
func looseLabel(text string, labels []string, hour bool) int {
	in := fold.String(text)
	if in == "" {
		return -1
	}
	nums := digitRuns(in)
	var words [][]rune
	for _, w := range strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if n := utf8.RuneCountInString(w); n >= 4 || n >= 2 && scriptHan(w) {
			words = append(words, []rune(w))
		}
	}
	found, whole := -1, -1
	for i, l := range labels {
		label := fold.String(l)
		ok := false
		if hour && !showsTime(l) {
			continue
		}
		if len(nums) > 0 {
			ln := digitRuns(label)
			ok = len(ln) >= len(nums) && slices.Equal(ln[:len(nums)], nums)
			if ok && !slices.ContainsFunc(ln[len(nums):], func(n int) bool { return n != 0 }) {
				// "10点", "alle 10": of 10:00 and 10:30, the hour itself.
				whole = i
			}
		} else if len(words) > 0 {
			ok = true
			lws := strings.FieldsFunc(label, func(r rune) bool { return !unicode.IsLetter(r) })
			for _, w := range words {
				if scriptHan(string(w)) {
					// Chinese, written without spaces: a word of the label
					// in the text ("我要星期四" names "星期四 10/12"); one
					// character off is another day.
					if !slices.ContainsFunc(lws, func(lw string) bool {
						return utf8.RuneCountInString(lw) >= 2 && scriptHan(lw) && strings.Contains(string(w), lw)
					}) {
						ok = false
						break
					}
					continue
				}
				if !slices.ContainsFunc(lws, func(lw string) bool { return editdist.OSA([]rune(lw), w) <= 1 }) {
					ok = false
					break
				}
			}
		}
		if ok {
			if found >= 0 {
				return whole
			}
			found = i
		}
	}
	return found
}

// showsTime reports whether a label writes a time of day, "10:30".
func showsTime(label string) bool {
	for i := 1; i+1 < len(label); i++ {
		if label[i] == ':' && isDigit(label[i-1]) && isDigit(label[i+1]) {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// digitRuns returns the numbers written in s, in order ("07" is 7).
func digitRuns(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// placeAnswer takes a comune typed at a question whose options include a
// way to a place ("Where do I go?" after a guide, "Where to enrol" in the
// school flow) as that way, near it: "I live in Arezzo" after the tax code
// guide is the revenue agency near Arezzo, not a search for any office.
// It does so when the text is the comune and little more, or when the
// router was not sure of anything else and the text is short; a sentence
// that is sure of somewhere else ("questura a Prato") goes there.
func (t *turn) placeAnswer(u Understanding, text string) (bool, error) {
	n, ok := t.current()
	if !ok || n.Kind != flow.KindOptions || n.Flow == t.e.menu || t.e.gaz == nil {
		return false, nil
	}
	if !u.PlaceOnly && (u.Sure || len(strings.Fields(text)) > maxPlaceWords) {
		return false, nil
	}
	i, ask := placeOption(n)
	if i < 0 {
		return false, nil
	}
	m, _, found := t.e.gaz.MatchMunicipality(text)
	if !found {
		return false, nil
	}
	t.savePlace(ask, m, nil)
	if o := n.Options[i]; o.Goto == nil && o.Command == "" && o.Next == ask {
		// The option asks for the place itself ("Another place" → "where
		// are you?"): answered, said back, and on past the question ("e
		// a Pisa?" under the offices found near Prato).
		for _, a := range o.Set {
			t.s.setVar(a.Name, a.Value.Render(t.s.Vars))
		}
		t.pushBack(n)
		t.sayPlace(m.Name, m.Province)
		return true, t.advance(ask.Next)
	}
	return true, t.take(n, i, "place")
}

// maxPlaceWords bounds a text the router was unsure of that placeAnswer
// still takes as a place ("where do I go? I live in Arezzo").
const maxPlaceWords = 8

// placeOption finds the option of n that leads, in a few steps, to a
// question asking for a comune or a location, and that question.
func placeOption(n *flow.Node) (int, *flow.Node) {
	for i, o := range n.Options {
		next := o.Next
		if o.Goto != nil {
			next = o.Goto.Start
		}
		if ask := askForPlace(next, 4); ask != nil {
			return i, ask
		}
	}
	return -1, nil
}

// askForPlace is the question for a comune or a location that n reaches
// within depth steps through switches and texts, or nil.
func askForPlace(n *flow.Node, depth int) *flow.Node {
	if n == nil || depth == 0 {
		return nil
	}
	switch n.Kind {
	case flow.KindAsk:
		if n.Ask == "location" || n.Ask == "municipality" {
			return n
		}
	case flow.KindSwitch:
		for _, b := range n.Branches {
			if ask := askForPlace(b.Next, depth-1); ask != nil {
				return ask
			}
		}
	case flow.KindSay:
		return askForPlace(n.Next, depth-1)
	}
	return nil
}
