package knowledge

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// ActivitiesPath is the catalogue of associations and their activities.
const ActivitiesPath = "activities.yaml"

// Association is a migrant or second-generation association.
type Association struct {
	ID           string
	Name         string
	Municipality string
	Languages    []string
	Description  map[string]string
	Sample       bool
	Line         int
}

// Activity is something an association runs that people can join.
type Activity struct {
	ID           string
	Association  string
	Kind         string
	Audience     string
	Municipality string
	When         Hours  // weekly time
	From, Until  string // YYYY-MM-DD, both included
	Capacity     int    // 0: no limit
	WaitingList  bool
	Signup       bool
	Free         bool
	Cost         map[string]string
	Languages    []string
	Title        map[string]string
	Description  map[string]string
	Sample       bool
	Line         int
	// By is the association's name of an activity added from the desk (it
	// has no entry among the catalogue's associations).
	By string
	// Machine are the languages whose texts a machine translated from the
	// Italian (activities added from the desk): unchecked by a person.
	Machine []string
}

// ActivityKinds and Audiences are the values the catalogue may use.
var (
	ActivityKinds = []string{"italian_conversation", "homework_help", "sport", "cultural", "volunteering", "youth_workshop", "women_group"}
	Audiences     = []string{"everyone", "families", "women", "youth", "second_generation"}
)

// TitleIn is the activity's title in lang.
func (a *Activity) TitleIn(lang string) string { return pick(a.Title, lang) }

// DescriptionIn is the activity's description in lang.
func (a *Activity) DescriptionIn(lang string) string { return pick(a.Description, lang) }

// Next is the activity's next session after now, within its dates.
func (a *Activity) Next(now time.Time) (Interval, bool) {
	now = now.In(Rome)
	from, _ := time.ParseInLocation("2006-01-02", a.From, Rome)
	until, _ := time.ParseInLocation("2006-01-02", a.Until, Rome)
	day := now
	if from.After(day) {
		day = from
	}
	y, m, d := day.Date()
	for i := range 400 {
		t := time.Date(y, m, d+i, 12, 0, 0, 0, Rome)
		if t.After(until.Add(24 * time.Hour)) {
			break
		}
		for _, iv := range a.When.Day(t, nil) {
			if iv.From.After(now) {
				return iv, true
			}
		}
	}
	return Interval{}, false
}

func loadActivities(fsys fs.FS, langs Languages, kinds map[string]*Kind, ms *Municipalities, now time.Time) ([]*Association, []*Activity, []error) {
	raw, err := fs.ReadFile(fsys, ActivitiesPath)
	if err != nil {
		return nil, nil, nil
	}
	root, err := parseDoc(ActivitiesPath, raw)
	if err != nil {
		return nil, nil, []error{err}
	}
	is := &issues{file: ActivitiesPath, langs: langs}
	var assocs []*Association
	byID := map[string]bool{}
	if list := field(root, "associations"); list != nil {
		for _, n := range list.Content {
			var r struct {
				ID           string            `yaml:"id"`
				Name         string            `yaml:"name"`
				Municipality string            `yaml:"municipality"`
				Languages    []string          `yaml:"languages"`
				Description  map[string]string `yaml:"description"`
				Sample       bool              `yaml:"sample"`
			}
			if err := n.Decode(&r); err != nil {
				is.at(n.Line, "association: %v", strings.TrimPrefix(err.Error(), "yaml: "))
				continue
			}
			is.checkKeys(n, "an association", "id", "name", "municipality", "languages", "description", "sample", "source", "contact")
			if !placeIDRE.MatchString(r.ID) || byID[r.ID] {
				is.at(n.Line, "association id %q: missing, malformed or used twice", r.ID)
				continue
			}
			if _, ok := ms.ByCode(r.Municipality); !ok {
				is.at(n.Line, "association %s: unknown municipality code %q", r.ID, r.Municipality)
			}
			is.texts(field(n, "description"), "association "+r.ID+" description", 0)
			byID[r.ID] = true
			assocs = append(assocs, &Association{ID: r.ID, Name: r.Name, Municipality: r.Municipality, Languages: r.Languages, Description: r.Description, Sample: r.Sample, Line: n.Line})
		}
	}
	var acts []*Activity
	seen := map[string]bool{}
	today := now.In(Rome).Format("2006-01-02")
	if list := field(root, "activities"); list != nil {
		for _, n := range list.Content {
			var r struct {
				ID           string            `yaml:"id"`
				Association  string            `yaml:"association"`
				Kind         string            `yaml:"kind"`
				Audience     string            `yaml:"audience"`
				Municipality string            `yaml:"municipality"`
				When         string            `yaml:"when"`
				From         string            `yaml:"from"`
				Until        string            `yaml:"until"`
				Capacity     int               `yaml:"capacity"`
				WaitingList  bool              `yaml:"waiting_list"`
				Signup       bool              `yaml:"signup"`
				Free         bool              `yaml:"free"`
				Cost         map[string]string `yaml:"cost"`
				Languages    []string          `yaml:"languages"`
				Sample       bool              `yaml:"sample"`
			}
			if err := n.Decode(&r); err != nil {
				is.at(n.Line, "activity: %v", strings.TrimPrefix(err.Error(), "yaml: "))
				continue
			}
			is.checkKeys(n, "an activity", "id", "association", "kind", "audience", "municipality", "when", "from", "until", "capacity",
				"waiting_list", "signup", "free", "cost", "languages", "title", "description", "sample", "source")
			a, problems := CheckActivity(ActivitySpec{ID: r.ID, Association: r.Association, Kind: r.Kind, Audience: r.Audience, Municipality: r.Municipality,
				When: r.When, From: r.From, Until: r.Until, Capacity: r.Capacity, WaitingList: r.WaitingList, Signup: r.Signup, Free: r.Free,
				Cost: r.Cost, Languages: r.Languages, Sample: r.Sample}, func(id string) bool { return byID[id] }, ms)
			a.Line = n.Line
			ok := len(problems) == 0
			for _, p := range problems {
				is.at(n.Line, "%s", p.Msg)
			}
			if seen[a.ID] {
				is.at(n.Line, "activity id %q: missing, malformed or used twice", a.ID)
				ok = false
			}
			seen[a.ID] = true
			if ok && a.Until < today {
				is.warn(n.Line, "activity %s is over (until %s): remove it, or give it new dates", a.ID, a.Until)
			}
			if !a.Free {
				a.Cost = is.texts(field(n, "cost"), "activity "+a.ID+" cost", 0)
			}
			a.Title = is.texts(field(n, "title"), "activity "+a.ID+" title", 24)
			a.Description = is.texts(field(n, "description"), "activity "+a.ID+" description", 300)
			if ok {
				acts = append(acts, a)
			}
		}
	}
	_ = kinds
	return assocs, acts, is.list
}

// ActivitySpec is an activity as written: in the catalogue, or in the
// form the desk opens for an association (activities added after the
// catalogue was published).
type ActivitySpec struct {
	ID, Association, Kind, Audience, Municipality string
	When                                          string // OpenStreetMap opening_hours syntax, the weekly time
	From, Until                                   string // YYYY-MM-DD, both included
	Capacity                                      int
	WaitingList, Signup, Free, Sample             bool
	Cost, Title, Description                      map[string]string
	Languages                                     []string
	// Machine are the languages whose texts a machine translated.
	Machine []string
}

// ActivityProblem is one thing wrong with an activity as written: the
// field, a code for a form to say it in the user's language (required,
// unknown, bad, dates, negative), and the message for the content team.
type ActivityProblem struct {
	Field, Code, Msg string
}

// CheckActivity checks what an activity says but its texts (the caller
// checks those, with its own limits and languages) and makes it; known
// tells whether an association id exists. The activity is made whatever
// the problems, for the caller to report.
func CheckActivity(sp ActivitySpec, known func(association string) bool, ms *Municipalities) (*Activity, []ActivityProblem) {
	a := &Activity{ID: sp.ID, Association: sp.Association, Kind: sp.Kind, Audience: sp.Audience, Municipality: sp.Municipality, From: sp.From, Until: sp.Until,
		Capacity: sp.Capacity, WaitingList: sp.WaitingList, Signup: sp.Signup, Free: sp.Free, Cost: sp.Cost, Languages: sp.Languages, Sample: sp.Sample,
		Title: sp.Title, Description: sp.Description, Machine: sp.Machine}
	var out []ActivityProblem
	bad := func(field, code, format string, args ...any) {
		out = append(out, ActivityProblem{Field: field, Code: code, Msg: fmt.Sprintf(format, args...)})
	}
	if !placeIDRE.MatchString(a.ID) {
		bad("id", "bad", "activity id %q: missing, malformed or used twice", a.ID)
	}
	if known != nil && !known(a.Association) {
		bad("association", "unknown", "activity %s: unknown association %q", a.ID, a.Association)
	}
	if !slices.Contains(ActivityKinds, a.Kind) {
		bad("kind", "unknown", "activity %s: kind %q (known: %s)", a.ID, a.Kind, strings.Join(ActivityKinds, ", "))
	}
	if !slices.Contains(Audiences, a.Audience) {
		bad("audience", "unknown", "activity %s: audience %q (known: %s)", a.ID, a.Audience, strings.Join(Audiences, ", "))
	}
	if _, ok := ms.ByCode(a.Municipality); !ok {
		bad("municipality", "unknown", "activity %s: unknown municipality code %q", a.ID, a.Municipality)
	}
	if h, err := ParseHours(sp.When); err != nil {
		bad("when", "bad", "activity %s: when: %v", a.ID, err)
	} else {
		a.When = h
	}
	if !dateRE.MatchString(a.From) || !dateRE.MatchString(a.Until) || a.Until < a.From {
		bad("until", "dates", "activity %s: from %q and until %q: write YYYY-MM-DD, from before until", a.ID, a.From, a.Until)
	}
	if a.Capacity < 0 {
		bad("capacity", "negative", "activity %s: capacity cannot be negative", a.ID)
	}
	return a, out
}

// Activities returns the catalogue's activities.
func (d *Directory) Activities() []*Activity { return d.activities }

// Activity returns an activity by id.
func (d *Directory) Activity(id string) (*Activity, bool) {
	for _, a := range d.activities {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// Association returns an association by id.
func (d *Directory) Association(id string) (*Association, bool) {
	for _, a := range d.associations {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}
