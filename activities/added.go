package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"teamsbot/activities/roster"
	"teamsbot/bot"
	"teamsbot/internal/fold"
	"teamsbot/knowledge"
)

// Form is an activity as a coordinator writes it in the desk's form
// (Slack), after the catalogue was published: the title and description
// in Italian, and optionally in one more language (users read the
// Italian where their language is missing).
type Form struct {
	Association                             string
	Title, Description                      string // Italian
	OtherLang, OtherTitle, OtherDescription string
	Kind, Audience                          string
	Municipality                            string // the name, as typed
	When                                    string // OpenStreetMap opening_hours: "Tu 17:00-19:00"
	From, Until                             string // YYYY-MM-DD
	Seats                                   int    // 0: no limit
	Signup, WaitingList, Free               bool
	Cost                                    string // Italian, when not free
	Languages                               []string
}

// Problem is what the form must fix: its field and what is wrong
// ("required", "too_long" with Max, "municipality", "when", "dates",
// "seats", "other_lang", "cost").
type Problem struct {
	Field, Code string
	Max         int
}

// Translator translates a text between two languages (package translate,
// as the desk's, with the glossary's terms kept).
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// translateBudget bounds the machine translation of one activity's texts
// into every language (each language at once, in parallel).
const translateBudget = 10 * time.Second

// machineTranslate fills, when a translator is set, the languages the
// coordinator did not write from the Italian: title, description and cost,
// each within its limit (a title that comes out too long is left out:
// users read the Italian). What failed is left out too. The languages
// filled are marked Machine: users are told it is an automatic translation.
func (s *Service) machineTranslate(ctx context.Context, sp *knowledge.ActivitySpec, langs []string) {
	if s.cfg.Translator == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, translateBudget)
	defer cancel()
	type result struct {
		lang              string
		title, desc, cost string
		ok                bool
	}
	var todo []string
	for _, l := range langs {
		if _, done := sp.Title[l]; !done && l != "it" {
			todo = append(todo, l)
		}
	}
	// The Italian read once: the goroutines must not read the maps the
	// results are written into.
	title, desc, cost := sp.Title["it"], sp.Description["it"], sp.Cost["it"]
	out := make(chan result, len(todo))
	for _, l := range todo {
		go func() {
			r := result{lang: l}
			tr := func(text string) (string, bool) {
				if text == "" {
					return "", true
				}
				v, err := s.cfg.Translator.Translate(ctx, text, "it", l)
				v = strings.TrimSpace(v)
				return v, err == nil && v != ""
			}
			var ok1, ok2, ok3 bool
			r.title, ok1 = tr(title)
			r.desc, ok2 = tr(desc)
			r.cost, ok3 = tr(cost)
			r.ok = ok1 && ok2 && ok3 && utf8.RuneCountInString(r.title) <= maxTitle && utf8.RuneCountInString(r.desc) <= maxDescription
			out <- r
		}()
	}
	for range todo {
		r := <-out
		if !r.ok {
			continue
		}
		sp.Title[r.lang], sp.Description[r.lang] = r.title, r.desc
		if r.cost != "" {
			sp.Cost[r.lang] = r.cost
		}
		sp.Machine = append(sp.Machine, r.lang)
	}
	slices.Sort(sp.Machine)
}

// Limits of the texts users read on a phone (as the catalogue's).
const (
	maxTitle       = 24
	maxDescription = 280
	maxAssociation = 80
)

// addedKey keeps the activities added from the desk, for every replica.
const addedKey = "activities-added"

// added is one activity added from the desk, as kept.
type added struct {
	Spec knowledge.ActivitySpec `json:"spec"`
	By   string                 `json:"by"`
	At   time.Time              `json:"at"`
}

// Add checks a form and, when nothing is wrong, adds the activity for
// every replica: users find it among the activities at once on this
// replica, within a minute on the others (RunChanges). Problems say what
// to fix; nothing is added then. Languages are those offered to users
// (langs), to check the form's.
func (s *Service) Add(ctx context.Context, f Form, langs []string, now time.Time) (*knowledge.Activity, []Problem, error) {
	sp, problems := s.spec(f, langs, now)
	if len(problems) > 0 {
		return nil, problems, nil
	}
	s.machineTranslate(ctx, &sp, langs)
	a, _ := knowledge.CheckActivity(sp, nil, s.dir.Municipalities)
	a.By = strings.TrimSpace(f.Association)
	if err := s.keep(ctx, sp, a, now); err != nil {
		return nil, nil, err
	}
	return a, nil, nil
}

// keep saves an activity added or edited from the desk (replacing an
// earlier version with its id), for every replica, and this replica's copy
// at once.
func (s *Service) keep(ctx context.Context, sp knowledge.ActivitySpec, a *knowledge.Activity, now time.Time) error {
	st, err := s.get()
	if err != nil {
		return err
	}
	unlock, err := st.Lock(ctx, addedKey, 10*time.Second)
	if err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	defer unlock()
	list, err := loadAdded(ctx, st)
	if err != nil {
		return err
	}
	// Activities long over are forgotten as new ones come.
	cutoff := now.In(knowledge.Rome).AddDate(0, 0, -30).Format("2006-01-02")
	list = slices.DeleteFunc(list, func(x added) bool { return x.Spec.Until < cutoff || x.Spec.ID == sp.ID })
	list = append(list, added{Spec: sp, By: a.By, At: now})
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := st.Save(ctx, addedKey, raw, changesKept); err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	s.mu.Lock()
	if s.added == nil {
		s.added = map[string]*knowledge.Activity{}
	}
	s.added[a.ID] = a
	s.mu.Unlock()
	return nil
}

// FormOf is an activity as the desk's form shows it, to edit: the
// association's name, the Italian texts and one more language's (the
// first of those it is spoken in that has them).
func (s *Service) FormOf(id string) (Form, bool) {
	a, ok := s.find(id)
	if !ok {
		return Form{}, false
	}
	f := Form{Association: a.By, Title: a.Title["it"], Description: a.Description["it"], Kind: a.Kind, Audience: a.Audience,
		When: a.When.String(), From: a.From, Until: a.Until, Seats: s.Seats(a), Signup: a.Signup, WaitingList: a.WaitingList, Free: a.Free,
		Cost: a.Cost["it"], Languages: slices.Clone(a.Languages)}
	if as, ok := s.dir.Association(a.Association); ok {
		f.Association = as.Name
	}
	if m, ok := s.dir.Municipalities.ByCode(a.Municipality); ok {
		f.Municipality = m.Name
	}
	for _, l := range a.Languages {
		if l != "it" && a.Title[l] != "" {
			f.OtherLang, f.OtherTitle, f.OtherDescription = l, a.Title[l], a.Description[l]
			break
		}
	}
	return f, true
}

// Edit changes an activity from the desk's form, for every replica, as
// Add checks it; it keeps its id, the people in it and its waiting list.
// The texts of languages the form does not show are kept while the
// Italian stays the same (they translate it), and dropped when it changes
// (users then read the new Italian). When its time, days or comune change,
// everyone enrolled is told, once per change, in their language. It
// returns how many were told.
func (s *Service) Edit(ctx context.Context, n Notifier, id string, f Form, langs []string, now time.Time) (*knowledge.Activity, []Problem, int, error) {
	old, ok := s.find(id)
	if !ok {
		return nil, nil, 0, bot.ErrNotFound
	}
	sp, problems := s.spec(f, langs, now)
	if len(problems) > 0 {
		return nil, problems, 0, nil
	}
	sp.ID, sp.Association, sp.Sample = id, old.Association, old.Sample
	if old.Title["it"] == sp.Title["it"] && old.Description["it"] == sp.Description["it"] && (sp.Free || old.Cost["it"] == sp.Cost["it"]) {
		for l, t := range old.Title {
			if _, set := sp.Title[l]; !set {
				sp.Title[l], sp.Description[l] = t, old.Description[l]
				if c, ok := old.Cost[l]; ok && !sp.Free {
					sp.Cost[l] = c
				}
				if slices.Contains(old.Machine, l) {
					sp.Machine = append(sp.Machine, l)
				}
			}
		}
	}
	s.machineTranslate(ctx, &sp, langs)
	a, _ := knowledge.CheckActivity(sp, nil, s.dir.Municipalities)
	a.By = strings.TrimSpace(f.Association)
	if _, ok := s.dir.Association(old.Association); ok {
		a.By = "" // the catalogue's association keeps its name
	}
	if err := s.keep(ctx, sp, a, now); err != nil {
		return nil, nil, 0, err
	}
	if old.Capacity != sp.Capacity || s.changesOf(id).Seats != nil {
		if _, err := s.SetSeats(ctx, n, id, sp.Capacity); err != nil {
			return a, nil, 0, err
		}
	}
	if old.When.String() == a.When.String() && old.Municipality == a.Municipality && old.From == a.From && old.Until == a.Until {
		return a, nil, 0, nil
	}
	data := map[string]string{"where": a.Municipality}
	if m, ok := s.dir.Municipalities.ByCode(a.Municipality); ok {
		data["where"] = m.Name
	}
	if iv, ok := s.next(a, now); ok {
		at := iv.From.In(knowledge.Rome)
		data["date"], data["time"] = at.Format("02/01"), at.Format("15:04")
	} else {
		return a, nil, 0, nil // nothing to come: nothing to tell
	}
	told, err := s.tell(ctx, n, a, fmt.Sprintf("act-changed:%s@%d", id, now.UnixNano()), "activities.changed", data)
	return a, nil, told, err
}

// spec turns a form into an activity as written, or says what to fix.
func (s *Service) spec(f Form, langs []string, now time.Time) (knowledge.ActivitySpec, []Problem) {
	var out []Problem
	problem := func(field, code string, max int) { out = append(out, Problem{Field: field, Code: code, Max: max}) }
	text := func(field, v string, max int, required bool) string {
		v = strings.TrimSpace(v)
		switch {
		case v == "" && required:
			problem(field, "required", 0)
		case utf8.RuneCountInString(v) > max:
			problem(field, "too_long", max)
		}
		return v
	}
	text("association", f.Association, maxAssociation, true)
	sp := knowledge.ActivitySpec{
		Kind: f.Kind, Audience: f.Audience, When: strings.TrimSpace(f.When),
		From: f.From, Until: f.Until, Capacity: f.Seats, Signup: f.Signup, WaitingList: f.WaitingList && f.Seats > 0, Free: f.Free,
		Title:       map[string]string{"it": text("title", f.Title, maxTitle, true)},
		Description: map[string]string{"it": text("description", f.Description, maxDescription, true)},
	}
	other := f.OtherLang != "" || strings.TrimSpace(f.OtherTitle) != "" || strings.TrimSpace(f.OtherDescription) != ""
	if other {
		title := text("other_title", f.OtherTitle, maxTitle, true)
		desc := text("other_description", f.OtherDescription, maxDescription, true)
		if f.OtherLang == "" || f.OtherLang == "it" || !slices.Contains(langs, f.OtherLang) {
			problem("other_lang", "other_lang", 0)
		} else {
			sp.Title[f.OtherLang], sp.Description[f.OtherLang] = title, desc
		}
	}
	if !sp.Free {
		if c := text("cost", f.Cost, maxDescription, false); c == "" {
			problem("cost", "cost", 0)
		} else {
			sp.Cost = map[string]string{"it": c}
		}
	}
	for _, l := range f.Languages {
		if slices.Contains(langs, l) && !slices.Contains(sp.Languages, l) {
			sp.Languages = append(sp.Languages, l)
		}
	}
	if len(sp.Languages) == 0 {
		problem("languages", "required", 0)
	}
	if m, _, ok := s.dir.Municipalities.Match(f.Municipality); ok && strings.TrimSpace(f.Municipality) != "" {
		sp.Municipality = m.Code
	} else {
		problem("municipality", "municipality", 0)
	}
	if f.Seats < 0 || f.Seats > 10000 {
		problem("seats", "seats", 0)
	}
	sp.ID = newActivityID(sp.Title["it"])
	_, checked := knowledge.CheckActivity(sp, nil, s.dir.Municipalities)
	for _, p := range checked {
		switch p.Field {
		case "kind", "audience":
			problem(p.Field, "required", 0)
		case "when":
			problem("when", "when", 0)
		case "until":
			problem("until", "dates", 0)
		}
	}
	if sp.Until != "" && sp.Until < now.In(knowledge.Rome).Format("2006-01-02") && !slices.ContainsFunc(out, func(p Problem) bool { return p.Field == "until" }) {
		problem("until", "dates", 0)
	}
	return sp, out
}

// newActivityID names an added activity: "add-" and its title's letters,
// then a random part (two coordinators may choose the same title).
func newActivityID(title string) string {
	var b strings.Builder
	for _, r := range fold.String(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 20 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	rnd := make([]byte, 2)
	_, _ = rand.Read(rnd)
	if slug == "" {
		return "add-" + hex.EncodeToString(rnd)
	}
	return "add-" + slug + "-" + hex.EncodeToString(rnd)
}

func loadAdded(ctx context.Context, st Store) ([]added, error) {
	raw, err := st.Load(ctx, addedKey)
	if errors.Is(err, bot.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("added activities: %w", err)
	}
	var list []added
	_ = json.Unmarshal(raw, &list) // unreadable: as if none
	return list, nil
}

// refreshAdded reads the activities added from the desk at any replica.
func (s *Service) refreshAdded(ctx context.Context, st Store) error {
	list, err := loadAdded(ctx, st)
	if err != nil {
		return err
	}
	read := map[string]*knowledge.Activity{}
	for _, x := range list {
		a, problems := knowledge.CheckActivity(x.Spec, nil, s.dir.Municipalities)
		if len(problems) > 0 {
			continue // the catalogue's rules changed since: not offered
		}
		a.By = x.By
		read[a.ID] = a
	}
	s.mu.Lock()
	s.added = read
	s.mu.Unlock()
	return nil
}

// find returns an activity added or edited from the desk, else the
// catalogue's.
func (s *Service) find(id string) (*knowledge.Activity, bool) {
	s.mu.RLock()
	a, ok := s.added[id]
	s.mu.RUnlock()
	if ok {
		return a, true
	}
	return s.dir.Activity(id)
}

// all returns the catalogue's activities (as edited from the desk), then
// those added from the desk (oldest first).
func (s *Service) all() []*knowledge.Activity {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*knowledge.Activity
	for _, a := range s.dir.Activities() {
		if e, ok := s.added[a.ID]; ok {
			a = e
		}
		out = append(out, a)
	}
	var extra []*knowledge.Activity
	for id, a := range s.added {
		if _, ok := s.dir.Activity(id); !ok {
			extra = append(extra, a)
		}
	}
	slices.SortFunc(extra, func(a, b *knowledge.Activity) int { return strings.Compare(a.From+a.ID, b.From+b.ID) })
	return append(out, extra...)
}

// All is every activity the desk can change: the catalogue's and those
// added from the desk.
func (s *Service) All() []*knowledge.Activity { return s.all() }

// Find is an activity the desk can change, by id.
func (s *Service) Find(id string) (*knowledge.Activity, bool) { return s.find(id) }

// Roster is who is in activity id and who waits, for the desk's views.
func (s *Service) Roster(ctx context.Context, id string) ([]roster.Enrolment, error) {
	st, err := s.get()
	if err != nil {
		return nil, err
	}
	return st.Roster(ctx, id)
}

// Cancelled reports whether the association cancelled activity id.
func (s *Service) Cancelled(id string) bool { return s.changesOf(id).All }
