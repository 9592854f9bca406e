package knowledge

import (
	"cmp"
	"errors"
	"io/fs"
	"math"
	"slices"
	"sort"
	"time"
)

// Directory is the whole body of knowledge: municipalities, holidays, kinds
// of place, places and guides, with their search indexes. It is read-only
// after Load and safe for concurrent use.
type Directory struct {
	Municipalities *Municipalities
	Calendar       *Calendar
	Kinds          map[string]*Kind
	places         []*Place
	byKind         map[string][]*Place
	guides         []*Guide
	guideByID      map[string]*Guide
	guideIdx       *textIndex
	kindIdx        *textIndex
	kindIDs        []string
	schedules      map[string]*Schedule
	associations   []*Association
	activities     []*Activity
	routes         map[string]*Route
	// langs are the languages of the texts (Languages.Codes).
	langs []string
}

// Files of the knowledge folder.
const (
	MunicipalitiesPath = "municipalities.csv"
	HolidaysPath       = "holidays.yaml"
	KindsPath          = "kinds.yaml"
	PlacesDir          = "places"
	GuidesDir          = "guides"
	NamesPath          = "municipality_names.yaml"
	RoutesPath         = "routes.yaml"
)

// Load reads the knowledge folder. The error joins every Issue found (each
// "file:line: message"); warnings come back with a Directory, errors without.
//
// langs (at most one) are the languages texts are written in; without it,
// Launch, all complete.
func Load(fsys fs.FS, langs ...Languages) (*Directory, []Issue) {
	lg := Languages{Codes: Launch}
	if len(langs) > 0 && len(langs[0].Codes) > 0 {
		lg = langs[0]
	}
	var all []error
	ms, err := LoadMunicipalities(fsys, MunicipalitiesPath)
	if err != nil {
		all = append(all, unjoin(err)...)
	}
	cal, err := LoadCalendar(fsys, HolidaysPath)
	if err != nil {
		all = append(all, Issue{File: HolidaysPath, Msg: err.Error()})
	}
	kinds, errs := loadKinds(fsys, lg, KindsPath)
	all = append(all, errs...)
	if ms != nil {
		all = append(all, loadNames(fsys, NamesPath, ms)...)
		all = append(all, loadZones(fsys, ms)...)
	}
	d := &Directory{langs: lg.Codes, Municipalities: ms, Calendar: cal, Kinds: kinds, byKind: map[string][]*Place{}, guideByID: map[string]*Guide{}}
	if ms != nil && kinds != nil {
		places, errs := loadPlaces(fsys, lg, PlacesDir, kinds, ms)
		all = append(all, errs...)
		d.places = places
		byID := map[string]*Place{}
		for _, p := range places {
			d.byKind[p.Kind] = append(d.byKind[p.Kind], p)
			byID[p.ID] = p
		}
		scheds, errs := loadSchedules(fsys, byID)
		all = append(all, errs...)
		d.schedules = scheds
		assocs, acts, errs := loadActivities(fsys, lg, kinds, ms, time.Now())
		all = append(all, errs...)
		d.associations, d.activities = assocs, acts
	}
	routes, errs := loadRoutes(fsys, lg, RoutesPath, kinds)
	all = append(all, errs...)
	d.routes = routes
	guides, errs := loadGuides(fsys, lg, GuidesDir, kinds)
	all = append(all, errs...)
	d.guides = guides
	for _, g := range guides {
		d.guideByID[g.ID] = g
	}
	d.index()
	var out []Issue
	fatal := false
	for _, e := range all {
		var is Issue
		if !errors.As(e, &is) {
			is = Issue{Msg: e.Error()}
		}
		fatal = fatal || !is.Warning
		out = append(out, is)
	}
	if fatal || ms == nil {
		return nil, out
	}
	return d, out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Places returns every place.
func (d *Directory) Places() []*Place { return d.places }

// Guides returns every guide, sorted by id.
func (d *Directory) Guides() []*Guide { return d.guides }

// Guide returns a guide by id.
func (d *Directory) Guide(id string) (*Guide, bool) {
	g, ok := d.guideByID[id]
	return g, ok
}

// Samples returns the places marked sample: true, which a content team must
// verify before they are presented as facts.
func (d *Directory) Samples() []*Place {
	var out []*Place
	for _, p := range d.places {
		if p.Sample {
			out = append(out, p)
		}
	}
	return out
}

// KindName is the name of a kind of place in lang.
func (d *Directory) KindName(kind, lang string) string {
	if k, ok := d.Kinds[kind]; ok {
		return pick(k.Name, lang)
	}
	return kind
}

// Hit is a place found near a point.
type Hit struct {
	Place *Place
	Km    float64
	// Responsible: the office serves the user's comune (its area declared
	// in the data), not only the nearest.
	Responsible bool
	// Unsure: Responsible rests on an area inferred, not read on a page
	// (a zona-distretto without a source): the bot says "probably".
	Unsure bool
}

// Nearest returns up to n places of kind near (lat, lon), skipping the first
// offset: first the region-wide contacts that lead their kind, then the
// offices responsible for the comune (ISTAT code; "" for none known),
// nearest first, then the others by distance, then the other region-wide
// contacts. more reports whether there are further places.
func (d *Directory) Nearest(kind string, lat, lon float64, municipality string, offset, n int) (hits []Hit, more bool) {
	cands := d.byKind[kind]
	want := offset + n
	// Keep the want nearest local places in order (insertion into a short
	// sorted slice: O(places × want), no sort of the whole kind).
	best := make([]Hit, 0, want+1)
	var region, responsible []Hit
	local := 0
	cosLat := math.Cos(lat * math.Pi / 180)
	for _, p := range cands {
		if p.RegionWide {
			region = append(region, Hit{Place: p})
			continue
		}
		// Equirectangular distance ranks as well as haversine at this scale
		// and costs a fraction; the shown distance is haversine.
		dx := (p.Lon - lon) * cosLat
		dy := p.Lat - lat
		h := Hit{Place: p, Km: dx*dx + dy*dy}
		if serves, verified := p.ServesMunicipality(municipality); municipality != "" && serves {
			h.Responsible, h.Unsure = true, !verified
			responsible = append(responsible, h)
			continue
		}
		local++
		if len(best) == want && h.Km >= best[want-1].Km {
			continue
		}
		i := sort.Search(len(best), func(i int) bool { return best[i].Km > h.Km })
		best = slices.Insert(best, i, h)
		if len(best) > want {
			best = best[:want]
		}
	}
	slices.SortStableFunc(responsible, func(a, b Hit) int { return cmp.Compare(a.Km, b.Km) })
	// The region-wide contacts that lead their kind come first.
	var lead []Hit
	for i := 0; i < len(region); {
		if region[i].Place.Lead {
			lead = append(lead, region[i])
			region = slices.Delete(region, i, i+1)
			continue
		}
		i++
	}
	responsible = append(lead, responsible...)
	all := append(append(responsible, best...), region...)
	total := len(responsible) + local + len(region)
	if k := d.Kinds[kind]; k != nil && k.Area == "comune" && municipality != "" {
		// One's own Comune is the only one that can help: none known, none
		// shown (the kind's route says how to reach it); what serves the
		// whole region still does.
		all, total = append(responsible, region...), len(responsible)+len(region)
	}
	if offset >= len(all) {
		return nil, false
	}
	end := min(offset+n, len(all))
	hits = slices.Clone(all[offset:end])
	for i := range hits {
		if !hits[i].Place.RegionWide {
			hits[i].Km = haversineKm(lat, lon, hits[i].Place.Lat, hits[i].Place.Lon)
		}
	}
	return hits, end < total
}

// Status is what a user needs to know about a place's hours now.
type Status struct {
	Known   bool
	Open    bool
	Until   time.Time // when open
	Next    Interval  // the next opening, when closed
	HasNext bool
	Holiday string // today's holiday, if closed for one
	Today   []Interval
}

// StatusAt tells whether p is open at t (Europe/Rome), until when, or when
// it opens next, skipping public holidays and the municipality's patron day.
func (d *Directory) StatusAt(p *Place, t time.Time) Status {
	if !p.Hours.Known() {
		return Status{}
	}
	t = t.In(Rome)
	closed := func(day time.Time) bool { c, _ := d.Calendar.Closed(day, p.Municipality); return c }
	st := Status{Known: true}
	_, st.Holiday = d.Calendar.Closed(t, p.Municipality)
	st.Today = p.Hours.Day(t, closed)
	st.Open, st.Until = p.Hours.OpenAt(t, closed)
	if !st.Open {
		st.Next, st.HasNext = p.Hours.NextOpening(t, closed)
	}
	return st
}
