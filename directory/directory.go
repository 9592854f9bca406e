// Package directory connects the knowledge of the territory to the
// dialogue engine: the actions that find the nearest offices and show
// procedure guides. (Free words typed anywhere are package understand's.)
//
// Import limits: bot, knowledge, the standard library.
package directory

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// FarKm is the distance beyond which the nearest office known is "far": the
// kind's route (how to reach a nearer one) comes first.
const FarKm = 30

// PageSize is how many places one answer lists: three fit a phone's screen.
const PageSize = 3

// Service holds the directory for the actions.
type Service struct {
	dir    *knowledge.Directory
	finder GuideFinder
	// MaxAge: opening hours confirmed longer ago are not used for "open
	// now" (knowledge.DefaultMaxAge when zero).
	MaxAge time.Duration
	// lines caches costLines, timeLines and italianLines by kind, guide
	// and language ("cost\x00id\x00lang"): the guides do not change while
	// the service runs.
	lines sync.Map
}

// GuideFinder finds the guides a few typed words are about, best first,
// and says whether the first is a sure answer (package understand, with
// the bot's classifier).
type GuideFinder interface {
	Guides(lang, text string) (ids []string, sure bool)
}

// New returns the actions' host over a loaded directory. Without a finder,
// guides are found by the words of their titles and keywords.
func New(d *knowledge.Directory, f GuideFinder) *Service { return &Service{dir: d, finder: f} }

// Actions returns the actions flows can run.
func (s *Service) Actions() []bot.Action {
	return []bot.Action{
		{Name: "places.nearest", Outcomes: []string{"found", "route", "none"}, Sets: []string{"results_more", "next_offset"}, Run: s.nearest},
		{Name: "places.human_door", Outcomes: []string{"shown"}, Run: s.humanDoor},
		{Name: "guides.list", Outcomes: []string{"listed", "none"}, Sets: []string{"guide_choices"}, Run: s.list},
		{Name: "guides.find", Outcomes: []string{"one", "several", "none"}, Sets: []string{"guide", "guide_choices"}, Run: s.find},
		{Name: "guides.show", Outcomes: []string{"shown", "unknown"}, Sets: []string{"guide_office_kind", "guide_costs", "guide_times", "guide_italian"}, Run: s.show},
	}
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// nearest lists the PageSize places of a kind nearest to the user's point,
// from an offset ("more").
//
//	do: places.nearest
//	with: {kind: "{kind}", lat: "{place_lat}", lon: "{place_lon}", municipality: "{place_municipality_code}", offset: "{offset}"}
//	on: {found: results, route: after_route, none: nothing}
func (s *Service) nearest(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	kind := req.Args["kind"]
	lat, okLat := parseFloat(req.Args["lat"])
	lon, okLon := parseFloat(req.Args["lon"])
	if !okLat || !okLon {
		return bot.ActionResult{}, fmt.Errorf("places.nearest: no position (lat %q, lon %q)", req.Args["lat"], req.Args["lon"])
	}
	offset, _ := strconv.Atoi(req.Args["offset"])
	hits, more := s.dir.Nearest(kind, lat, lon, req.Args["municipality"], max(offset, 0), PageSize)
	res := bot.ActionResult{Set: map[string]string{"results_more": yesNo(more), "next_offset": strconv.Itoa(offset + len(hits))}}
	if len(hits) == 0 {
		res.Outcome = "none"
		// No office known: the way to reach one, never a dead end.
		if r, ok := s.dir.KindRoute(kind); ok && offset == 0 {
			name := ""
			if m, ok := s.dir.Municipalities.ByCode(req.Args["municipality"]); ok {
				name = m.Name
			}
			res.Outcome = "route"
			res.Say = append(res.Say, bot.Said{Raw: "ℹ️ " + r.TextIn(req.Lang, name)})
		}
		return res, nil
	}
	res.Outcome = "found"
	if offset == 0 {
		// The nearest office known is far, or in another province, and
		// none serves the user's comune: first the way to reach one of
		// their own (an ASL office in Pisa is not Lucca's).
		if h := hits[0]; !h.Responsible && !h.Place.RegionWide && (h.Km > FarKm || s.otherProvince(h, req.Args["municipality"])) {
			if r, ok := s.dir.KindRoute(kind); ok {
				name := ""
				if m, ok := s.dir.Municipalities.ByCode(req.Args["municipality"]); ok {
					name = m.Name
				}
				res.Say = append(res.Say, bot.Said{Raw: "ℹ️ " + r.TextIn(req.Lang, name)})
			}
		}
		res.Say = append(res.Say, bot.Said{ID: "find.results_intro", Data: map[string]string{"kind": s.dir.KindName(kind, req.Lang)}})
	}
	for i, h := range hits {
		res.Say = append(res.Say, bot.Said{Raw: s.formatPlace(req, offset+i+1, h)})
	}
	return res, nil
}

// otherProvince reports whether the place of h is in another province than
// the comune of code (false when either is unknown).
func (s *Service) otherProvince(h knowledge.Hit, code string) bool {
	user, ok := s.dir.Municipalities.ByCode(code)
	if !ok || user.Province == "" {
		return false
	}
	at, ok := s.dir.Municipalities.ByCode(h.Place.Municipality)
	return ok && at.Province != "" && at.Province != user.Province
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formatPlace writes one place as a short block: name, address and
// distance, today's hours, phone, e-mail, web, map.
func (s *Service) formatPlace(req bot.ActionRequest, n int, h knowledge.Hit) string {
	p := h.Place
	t := req.T
	var b strings.Builder
	fmt.Fprintf(&b, "%d. %s", n, p.Name)
	if h.Responsible {
		if m, ok := s.dir.Municipalities.ByCode(req.Args["municipality"]); ok {
			if h.Unsure {
				b.WriteString("\n❔ " + t("places.responsible_unsure", map[string]string{"municipality": m.Name}))
			} else {
				b.WriteString("\n✅ " + t("places.responsible", map[string]string{"municipality": m.Name}))
			}
		}
	}
	switch {
	case p.RegionWide:
		b.WriteString("\n🌍 " + t("places.region_wide", nil))
	case p.Address != "":
		b.WriteString("\n📍 " + p.Address)
		if !p.Approximate {
			b.WriteString(" · " + t("places.distance", map[string]string{"km": km(h.Km)}))
		}
	}
	b.WriteString("\n🕘 " + s.hoursLine(req, p))
	if phone := p.PhoneText(req.Lang); phone != "" {
		b.WriteString("\n📞 " + phone)
	}
	if p.Email != "" {
		b.WriteString("\n✉️ " + p.Email)
	}
	if p.Web != "" {
		b.WriteString("\n🌐 " + p.Web)
	}
	if link := mapLink(p); link != "" {
		b.WriteString("\n🗺 " + link)
	}
	if note := p.Note.In(req.Lang); note != "" {
		b.WriteString("\nℹ️ " + note)
	}
	if p.Sample {
		b.WriteString("\n⚠️ " + t("places.sample", nil))
	}
	return b.String()
}

func km(d float64) string {
	if d < 10 {
		return strconv.FormatFloat(d, 'f', 1, 64)
	}
	return strconv.FormatFloat(d, 'f', 0, 64)
}

// hoursLine says whether the place is open now, until when, or when it opens
// next, in Europe/Rome time and skipping holidays.
func (s *Service) hoursLine(req bot.ActionRequest, p *knowledge.Place) string {
	t := req.T
	maxAge := s.MaxAge
	if maxAge <= 0 {
		maxAge = knowledge.DefaultMaxAge
	}
	if p.Hours.Known() && !p.ConfirmedWithin(req.Now, maxAge) {
		// Hours nobody confirmed lately may have changed: no "open now".
		return t("places.hours_stale", map[string]string{"date": p.Checked})
	}
	st := s.dir.StatusAt(p, req.Now)
	switch {
	case !st.Known:
		return t("places.hours_unknown", nil)
	case st.Open:
		return t("places.open_until", map[string]string{"time": st.Until.Format("15:04")})
	case st.HasNext:
		data := map[string]string{"time": st.Next.From.Format("15:04"), "day": dayName(t, req.Now, st.Next.From)}
		line := t("places.closed_opens", data)
		if st.Holiday != "" {
			line = t("places.holiday", map[string]string{"name": st.Holiday}) + " " + line
		}
		return line
	}
	return t("places.closed", nil)
}

// dayName is "today", "tomorrow" or the weekday, in the user's language.
func dayName(t func(string, map[string]string) string, now, day time.Time) string {
	now, day = now.In(knowledge.Rome), day.In(knowledge.Rome)
	y1, m1, d1 := now.Date()
	y2, m2, d2 := day.Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	switch int(b.Sub(a).Hours() / 24) {
	case 0:
		return t("day.today", nil)
	case 1:
		return t("day.tomorrow", nil)
	}
	return t("day."+[]string{"su", "mo", "tu", "we", "th", "fr", "sa"}[day.Weekday()], nil)
}

// mapLink is an OpenStreetMap link: to the point when the place has its own
// coordinates, else a search for its address.
func mapLink(p *knowledge.Place) string {
	switch {
	case p.RegionWide:
		return ""
	case !p.Approximate:
		return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f", p.Lat, p.Lon, p.Lat, p.Lon)
	case p.Address != "":
		return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(p.Address)
	}
	return ""
}

// list offers the guides of a topic as choices.
func (s *Service) list(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	topic := req.Args["topic"]
	var gs []*knowledge.Guide
	for _, g := range s.dir.Guides() {
		if g.Topic == topic {
			gs = append(gs, g)
		}
	}
	slices.SortStableFunc(gs, func(a, b *knowledge.Guide) int { return cmp.Compare(a.Order, b.Order) })
	var cs []bot.Choice
	for _, g := range gs {
		cs = append(cs, bot.Choice{Value: g.ID, Label: g.TitleIn(req.Lang)})
	}
	if len(cs) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	return bot.ActionResult{Outcome: "listed", Set: map[string]string{"guide_choices": bot.EncodeChoices(cs)}}, nil
}

// find looks guides up by the words the user typed.
func (s *Service) find(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	if s.finder != nil {
		ids, sure := s.finder.Guides(req.Lang, req.Args["query"])
		switch {
		case len(ids) == 0:
			return bot.ActionResult{Outcome: "none"}, nil
		case sure || len(ids) == 1:
			return bot.ActionResult{Outcome: "one", Set: map[string]string{"guide": ids[0]}}, nil
		}
		var cs []bot.Choice
		for _, id := range ids {
			if g, ok := s.dir.Guide(id); ok {
				cs = append(cs, bot.Choice{Value: g.ID, Label: g.TitleIn(req.Lang)})
			}
		}
		return bot.ActionResult{Outcome: "several", Set: map[string]string{"guide_choices": bot.EncodeChoices(cs)}}, nil
	}
	hits := s.dir.Search(req.Args["query"]).Guides
	switch {
	case len(hits) == 0:
		return bot.ActionResult{Outcome: "none"}, nil
	case len(hits) == 1 || hits[0].Score >= 1.5*hits[1].Score:
		return bot.ActionResult{Outcome: "one", Set: map[string]string{"guide": hits[0].Guide.ID}}, nil
	}
	var cs []bot.Choice
	for _, h := range hits[:min(len(hits), 5)] {
		cs = append(cs, bot.Choice{Value: h.Guide.ID, Label: h.Guide.TitleIn(req.Lang)})
	}
	return bot.ActionResult{Outcome: "several", Set: map[string]string{"guide_choices": bot.EncodeChoices(cs)}}, nil
}

// show says a guide in short messages: what it is, the steps, what to bring,
// the official page; with part: documents, what to bring alone.
//
//	do: guides.show
//	with: {guide: "{guide}", part: documents}
func (s *Service) show(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	g, ok := s.dir.Guide(req.Args["guide"])
	if !ok {
		return bot.ActionResult{Outcome: "unknown"}, nil
	}
	t, lang := req.T, req.Lang
	if req.Args["part"] == "documents" {
		// "What do I bring?" after the guide: its list alone, short enough
		// to keep on the phone.
		var docs strings.Builder
		docs.WriteString("📄 " + g.TitleIn(lang) + "\n" + t("guide.documents", nil))
		for _, d := range g.DocumentsIn(lang) {
			docs.WriteString("\n• " + d)
		}
		return bot.ActionResult{Outcome: "shown", Say: []bot.Said{{Raw: docs.String()}}, Set: map[string]string{}}, nil
	}
	var steps, docs strings.Builder
	for i, st := range g.StepsIn(lang) {
		fmt.Fprintf(&steps, "\n%d. %s", i+1, st)
	}
	for _, d := range g.DocumentsIn(lang) {
		docs.WriteString("\n• " + d)
	}
	res := bot.ActionResult{Outcome: "shown", Say: []bot.Said{
		{Raw: "📄 " + g.TitleIn(lang) + "\n" + g.SummaryIn(lang)},
		{Raw: t("guide.steps", nil) + steps.String()},
		{Raw: t("guide.documents", nil) + docs.String()},
		{Raw: official(t, g)},
	}, Set: map[string]string{"guide_office_kind": "", "guide_costs": s.costLines(g, lang, t), "guide_times": s.timeLines(g, lang, t), "guide_italian": s.italianLines(g, lang, t)}}
	if len(g.Offices) > 0 {
		res.Set["guide_office_kind"] = g.Offices[0]
	}
	return res, nil
}

// costLines are what a guide says of prices, for "how much does it cost?"
// after it: the sentences of its summary, and the steps and documents,
// that write an amount in euros ("€", or one of words, the language's
// words for the euro: guide.money_words, "欧元") or say it is free (one of
// words too: guide.free_words), each on a line of its own ("\n• ..."), or
// "" when it says none.
func costLines(g *knowledge.Guide, lang string, words []string) string {
	return guideLines(g, lang, func(s string) bool { return strings.Contains(s, "€") || saysWord(s, words) })
}

// timeLines are what a guide says of times and deadlines, for "how long
// does it take?", "within how many days?" after it: its sentences that
// write a number and one of words, the language's words for days, weeks,
// months, years and hours (guide.time_words: "8 giorni", "24-36 mesi",
// "60天"), each on a line of its own, or "" when it says none.
func timeLines(g *knowledge.Guide, lang string, words []string) string {
	return guideLines(g, lang, func(s string) bool { return strings.ContainsFunc(s, unicode.IsDigit) && saysWord(s, words) })
}

// italianLines are what a guide says of the Italian one must know, for
// "which level of Italian?", "do I have to take an exam?" after it: its
// sentences that name a level (A1 to C2) or one of words, the language's
// words for the Italian language and its test (guide.italian_words), each
// on a line of its own, or "" when it says none. Under the citizenship
// guide, "quale livello?" got the A2 test of the long-term permit; the
// guide itself says B1.
func italianLines(g *knowledge.Guide, lang string, words []string) string {
	return guideLines(g, lang, func(s string) bool { return levelRE.MatchString(s) || saysWord(s, words) })
}

// levelRE matches a CEFR level written as a word ("B1", "a2").
var levelRE = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])[abc][12]([^\p{L}\p{N}]|$)`)

// guideLines are the sentences of a guide's summary, and its steps and
// documents, that match, each once, on a line of its own ("\n• ...").
func guideLines(g *knowledge.Guide, lang string, match func(string) bool) string {
	var b strings.Builder
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] && match(s) {
			seen[s] = true
			b.WriteString("\n• " + s)
		}
	}
	for _, s := range sentences(g.SummaryIn(lang)) {
		add(s)
	}
	for _, s := range g.StepsIn(lang) {
		add(s)
	}
	for _, s := range g.DocumentsIn(lang) {
		add(s)
	}
	return b.String()
}

// costLines is costLines, computed once per guide and language.
func (s *Service) costLines(g *knowledge.Guide, lang string, t func(string, map[string]string) string) string {
	return s.cached("cost", g, lang, func() string {
		return costLines(g, lang, strings.Split(t("guide.money_words", nil)+"|"+t("guide.free_words", nil), "|"))
	})
}

// timeLines is timeLines, computed once per guide and language.
func (s *Service) timeLines(g *knowledge.Guide, lang string, t func(string, map[string]string) string) string {
	return s.cached("time", g, lang, func() string { return timeLines(g, lang, strings.Split(t("guide.time_words", nil), "|")) })
}

// italianLines is italianLines, computed once per guide and language.
func (s *Service) italianLines(g *knowledge.Guide, lang string, t func(string, map[string]string) string) string {
	return s.cached("italian", g, lang, func() string {
		return italianLines(g, lang, strings.Split(t("guide.italian_words", nil), "|"))
	})
}

// cached is what compute returns for a kind of lines of a guide in a
// language, computed once.
func (s *Service) cached(kind string, g *knowledge.Guide, lang string, compute func() string) string {
	key := kind + "\x00" + g.ID + "\x00" + lang
	if v, ok := s.lines.Load(key); ok {
		return v.(string)
	}
	v := compute()
	s.lines.Store(key, v)
	return v
}

// saysWord reports whether text has one of words: a whole word or whole
// words in a row ("lingua italiana"), any case, or for Chinese anywhere in
// it.
func saysWord(text string, words []string) bool {
	var tokens []string
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if strings.ContainsFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			if strings.Contains(text, w) {
				return true
			}
			continue
		}
		if tokens == nil {
			tokens = wordTokens(text)
		}
		want := wordTokens(w)
		for i := 0; i+len(want) <= len(tokens); i++ {
			if slices.Equal(tokens[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

// wordTokens are the words of a text, lower case, without punctuation.
func wordTokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r)
	})
}

// sentences cuts a text after each full stop, question or exclamation mark
// followed by a space (in any script) or at a Chinese full stop: "2.000 €"
// and "116,46 €" stay whole.
func sentences(text string) []string {
	var out []string
	start := 0
	rs := []rune(text)
	for i, r := range rs {
		end := false
		switch r {
		case '。', '！', '？':
			end = true
		case '.', '!', '?', '؟', '۔':
			end = i+1 == len(rs) || rs[i+1] == ' '
		}
		if end {
			out = append(out, string(rs[start:i+1]))
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// official is the guide's last line: its official page, and either the day
// every fact was checked on official pages or, plainly, that not all was.
func official(t func(string, map[string]string) string, g *knowledge.Guide) string {
	if g.Verified() {
		return t("guide.official", map[string]string{"url": g.OfficialURL, "checked": g.Checked})
	}
	return t("guide.unverified", map[string]string{"url": g.OfficialURL})
}

// humanDoor says where a person can help, near the user's comune, when no
// operator is connected: the Comune's immigration desk where it has one,
// the user's own Comune (its town hall and website), and how to find a
// patronato.
//
//	do: places.human_door
//	with: {municipality: "{place_municipality_code}"}
func (s *Service) humanDoor(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	res := bot.ActionResult{Outcome: "shown", Say: []bot.Said{{ID: "operator.door_intro"}}}
	m, ok := s.dir.Municipalities.ByCode(req.Args["municipality"])
	if !ok {
		return res, nil
	}
	n := 0
	if hits, _ := s.dir.Nearest("info_point", m.Lat, m.Lon, m.Code, 0, 1); len(hits) > 0 && hits[0].Responsible {
		n++
		res.Say = append(res.Say, bot.Said{Raw: s.formatPlace(req, n, hits[0])})
	}
	// The Comune's social services, not its registry office: the door of
	// anyone in difficulty (a registry desk is no help desk, and sending an
	// exploited worker there could expose them).
	if hits, _ := s.dir.Nearest("comune_social", m.Lat, m.Lon, m.Code, 0, 1); len(hits) > 0 && hits[0].Responsible {
		n++
		res.Say = append(res.Say, bot.Said{Raw: s.formatPlace(req, n, hits[0])})
	} else if r, ok := s.dir.KindRoute("comune_social"); ok {
		res.Say = append(res.Say, bot.Said{Raw: "ℹ️ " + r.TextIn(req.Lang, m.Name)})
	}
	if r, ok := s.dir.KindRoute("patronato"); ok {
		res.Say = append(res.Say, bot.Said{Raw: "ℹ️ " + r.TextIn(req.Lang, m.Name)})
	}
	return res, nil
}
