package knowledge

import (
	"io/fs"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Place is an office or a service.
type Place struct {
	ID           string
	Kind         string
	Name         string // as the office writes it, in Italian
	Address      string
	Municipality string // ISTAT code
	Lat, Lon     float64
	// Approximate is set when the place has no coordinates of its own and
	// stands at its municipality's centre.
	Approximate bool
	Phone       string
	PhoneNote   Texts
	Email       string
	Web         string
	Hours       Hours
	Note        Texts
	Languages   []string
	Topics      []string
	Source      string
	Sample      bool
	RegionWide  bool
	// Lead: a region-wide contact that is the best door for its kind (the
	// regional freephone of the PUA), listed before the local offices.
	Lead bool
	// Serves is the area the office is responsible for: the municipalities'
	// ISTAT codes (from `serves:` — a province, a zona-distretto, or a list
	// of comuni — or the kind's area), true when the area is verified,
	// false when it was inferred (a zone without a source listing it).
	// Absent: no area is declared (distance only).
	Serves  map[string]bool
	Checked string
	File    string
	Line    int
}

// Kind is a kind of place, with its name and the words users type for it.
type Kind struct {
	ID       string
	Name     map[string]string
	Keywords map[string][]string
	// Area is what an office of this kind serves unless it says otherwise:
	// "province" (the province of its comune: Questura, Prefettura),
	// "comune" (its own comune only, and only the user's own is shown:
	// the registry office), or "" (no area: nearest first).
	Area string
}

// DefaultMaxAge is how old a confirmation may be before a place's opening
// hours are not trusted for "open now" (TEAMSBOT_STALE_DAYS).
const DefaultMaxAge = 365 * 24 * time.Hour

// PhoneText is the office's phone with its note in lang ("+39 800 922
// 912 (numero verde ...)"), or "" when the data has none.
func (p *Place) PhoneText(lang string) string {
	if p.Phone == "" {
		return ""
	}
	if note := p.PhoneNote.In(lang); note != "" {
		return p.Phone + " (" + note + ")"
	}
	return p.Phone
}

// ConfirmedWithin reports whether the place's facts were confirmed (its
// checked date) no longer than maxAge before now; a sample never is.
func (p *Place) ConfirmedWithin(now time.Time, maxAge time.Duration) bool {
	if p.Sample || p.Checked == "" {
		return false
	}
	d, err := time.ParseInLocation("2006-01-02", p.Checked, Rome)
	return err == nil && now.Sub(d) <= maxAge
}

// Texts is a short text in several languages. In YAML it is a mapping by
// language, or a plain string, which is Italian (and shown as such to
// every user until it is translated: `teamsbot content report` lists it).
type Texts map[string]string

// UnmarshalYAML implements yaml.Unmarshaler.
func (t *Texts) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*t = Texts{"it": n.Value}
		return nil
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return err
	}
	*t = m
	return nil
}

// In is the text in lang, else English, else Italian ("" when empty).
func (t Texts) In(lang string) string { return pick(t, lang) }

// Translated reports whether the text exists in every language given.
func (t Texts) Translated(langs []string) bool {
	for _, l := range langs {
		if t[l] == "" {
			return false
		}
	}
	return true
}

// ServesMunicipality reports whether the place is responsible for the
// comune (by ISTAT code), and whether that is verified.
func (p *Place) ServesMunicipality(code string) (serves, verified bool) {
	verified, serves = p.Serves[code]
	return serves, verified
}

var (
	placeIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	phoneRE   = regexp.MustCompile(`^\+?[0-9 ./-]{6,20}$`)
)

var placeKeys = []string{"id", "kind", "name", "address", "municipality", "lat", "lon", "phone", "phone_note", "email", "web",
	"hours", "note", "languages", "topics", "source", "sample", "region_wide", "lead", "serves", "checked"}

// loadKinds reads kinds.yaml.
func loadKinds(fsys fs.FS, langs Languages, file string) (map[string]*Kind, []error) {
	kinds, is, ok := section(fsys, langs, file, "kinds", false)
	if !ok {
		return nil, is.list
	}
	out := map[string]*Kind{}
	for i := 0; i+1 < len(kinds.Content); i += 2 {
		id, n := kinds.Content[i].Value, kinds.Content[i+1]
		is.checkKeys(n, "kind "+id, "name", "keywords", "area")
		k := &Kind{ID: id, Name: is.texts(field(n, "name"), "kind "+id+" name", 24), Keywords: is.lists(field(n, "keywords"), "keywords", 0)}
		if a := field(n, "area"); a != nil {
			k.Area = a.Value
			if k.Area != "province" && k.Area != "comune" && k.Area != "zone" {
				is.at(a.Line, "kind %s: area %q: write province, zone or comune, or leave it out", id, k.Area)
			}
		}
		out[id] = k
	}
	return out, is.list
}

// loadPlaces reads every places/*.yaml.
func loadPlaces(fsys fs.FS, langs Languages, dir string, kinds map[string]*Kind, ms *Municipalities) ([]*Place, []error) {
	var all []*Place
	var errs []error
	seen := map[string]*Place{}
	eachYAML(fsys, dir, &errs, func(name string, root *yaml.Node) {
		is := &issues{file: name, langs: langs}
		list := field(root, "places")
		if list == nil || list.Kind != yaml.SequenceNode {
			is.at(root.Line, "missing `places:` (a list of places)")
			errs = append(errs, is.list...)
			return
		}
		for _, n := range list.Content {
			p := placeFrom(is, n, kinds, ms)
			if p == nil {
				continue
			}
			p.File = name
			if prev, dup := seen[p.ID]; dup {
				is.at(n.Line, "place id %q is already used at %s:%d", p.ID, prev.File, prev.Line)
				continue
			}
			seen[p.ID] = p
			all = append(all, p)
		}
		errs = append(errs, is.list...)
	})
	return all, errs
}

func placeFrom(is *issues, n *yaml.Node, kinds map[string]*Kind, ms *Municipalities) *Place {
	is.checkKeys(n, "a place", placeKeys...)
	var raw struct {
		ID           string   `yaml:"id"`
		Kind         string   `yaml:"kind"`
		Name         string   `yaml:"name"`
		Address      string   `yaml:"address"`
		Municipality string   `yaml:"municipality"`
		Lat          *float64 `yaml:"lat"`
		Lon          *float64 `yaml:"lon"`
		Phone        string   `yaml:"phone"`
		PhoneNote    Texts    `yaml:"phone_note"`
		Email        string   `yaml:"email"`
		Web          string   `yaml:"web"`
		Hours        string   `yaml:"hours"`
		Note         Texts    `yaml:"note"`
		Languages    []string `yaml:"languages"`
		Topics       []string `yaml:"topics"`
		Source       string   `yaml:"source"`
		Sample       bool     `yaml:"sample"`
		RegionWide   bool     `yaml:"region_wide"`
		Lead         bool     `yaml:"lead"`
		Serves       struct {
			Province       string   `yaml:"province"`
			Zone           string   `yaml:"zone"`
			Municipalities []string `yaml:"municipalities"`
		} `yaml:"serves"`
		Checked string `yaml:"checked"`
	}
	if err := n.Decode(&raw); err != nil {
		is.at(n.Line, "place: %v", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	line := func(key string) int {
		if f := field(n, key); f != nil {
			return f.Line
		}
		return n.Line
	}
	p := &Place{ID: raw.ID, Kind: raw.Kind, Name: strings.TrimSpace(raw.Name), Address: strings.TrimSpace(raw.Address), Municipality: raw.Municipality,
		Phone: raw.Phone, PhoneNote: raw.PhoneNote, Email: raw.Email, Web: raw.Web, Note: raw.Note, Languages: raw.Languages,
		Topics: raw.Topics, Source: raw.Source, Sample: raw.Sample, RegionWide: raw.RegionWide, Checked: raw.Checked, Line: n.Line}
	ok := true
	bad := func(key, format string, args ...any) {
		is.at(line(key), format, args...)
		ok = false
	}
	if !placeIDRE.MatchString(p.ID) {
		bad("id", "place id %q: use lower-case letters, digits and -", p.ID)
	}
	if _, known := kinds[p.Kind]; !known {
		ks := make([]string, 0, len(kinds))
		for k := range kinds {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		bad("kind", "place %s: unknown kind %q (known: %s)", p.ID, p.Kind, strings.Join(ks, ", "))
	}
	if p.Name == "" {
		bad("name", "place %s has no name", p.ID)
	}
	m, known := ms.ByCode(p.Municipality)
	if !known {
		bad("municipality", "place %s: unknown municipality code %q (an ISTAT code of knowledge/municipalities.csv, quoted: \"048017\")", p.ID, p.Municipality)
	}
	for key, t := range map[string]Texts{"note": p.Note, "phone_note": p.PhoneNote} {
		if len(t) > 0 && !t.Translated(is.langs.Codes) {
			var missing []string
			for _, l := range is.langs.Codes {
				if t[l] == "" && !slices.Contains(is.langs.Partial, l) {
					missing = append(missing, l)
				}
			}
			if len(missing) == 0 {
				continue
			}
			is.warn(line(key), "place %s: %s is not translated into %s: users read it in another language", p.ID, key, strings.Join(missing, ", "))
		}
	}
	p.Lead = raw.Lead
	if p.Lead && !p.RegionWide {
		bad("lead", "place %s: lead is for region-wide contacts only", p.ID)
	}
	// The area served: declared, else the kind's.
	province, zone := raw.Serves.Province, raw.Serves.Zone
	if province == "" && zone == "" && len(raw.Serves.Municipalities) == 0 && known && !raw.RegionWide {
		switch k := kinds[p.Kind]; {
		case k != nil && k.Area == "province":
			province = m.Province
		case k != nil && k.Area == "comune":
			raw.Serves.Municipalities = []string{m.Code}
		case k != nil && k.Area == "zone":
			if z, ok := ms.ZoneOf(m.Code); ok {
				zone = z.ID
			}
		}
	}
	if province != "" || zone != "" || len(raw.Serves.Municipalities) > 0 {
		p.Serves = map[string]bool{}
	}
	if zone != "" {
		if z, ok := ms.Zone(zone); ok {
			for _, code := range z.Codes {
				p.Serves[code] = z.Verified
			}
		} else {
			bad("serves", "place %s: serves zone %q, which is not in %s", p.ID, zone, ZonesPath)
		}
	}
	if province != "" {
		n := 0
		for _, c := range ms.All() {
			if c.Province == province {
				p.Serves[c.Code] = true
				n++
			}
		}
		if n == 0 {
			bad("serves", "place %s: serves province %q, which has no comune in the data", p.ID, province)
		}
	}
	for _, code := range raw.Serves.Municipalities {
		if _, ok := ms.ByCode(code); !ok {
			bad("serves", "place %s: serves unknown municipality code %q", p.ID, code)
			continue
		}
		p.Serves[code] = true
	}
	switch {
	case raw.Lat != nil && raw.Lon != nil:
		p.Lat, p.Lon = *raw.Lat, *raw.Lon
		if p.Lat < 42 || p.Lat > 44.7 || p.Lon < 9.5 || p.Lon > 12.5 {
			bad("lat", "place %s: coordinates %.5f, %.5f are outside Tuscany", p.ID, p.Lat, p.Lon)
		} else if known && haversineKm(p.Lat, p.Lon, m.Lat, m.Lon) > 40 {
			is.warn(line("lat"), "place %s is %.0f km from the centre of %s: check the coordinates or the municipality", p.ID, haversineKm(p.Lat, p.Lon, m.Lat, m.Lon), m.Name)
		}
	case raw.Lat != nil || raw.Lon != nil:
		bad("lat", "place %s: give both lat and lon, or neither", p.ID)
	default:
		p.Lat, p.Lon, p.Approximate = m.Lat, m.Lon, true
	}
	if raw.Hours != "" && raw.Checked == "" {
		bad("hours", "place %s has opening hours but no `checked` date: write the day they were last confirmed", p.ID)
	}
	if raw.Hours != "" {
		h, err := ParseHours(raw.Hours)
		if err != nil {
			bad("hours", "place %s: opening hours: %v", p.ID, err)
		}
		p.Hours = h
	}
	if p.Phone != "" && !phoneRE.MatchString(p.Phone) {
		bad("phone", "place %s: phone %q: digits, spaces and an optional leading +", p.ID, p.Phone)
	}
	if p.Email != "" {
		if _, err := mail.ParseAddress(p.Email); err != nil {
			bad("email", "place %s: e-mail %q: %v", p.ID, p.Email, err)
		}
	}
	if p.Web != "" {
		if u, err := url.Parse(p.Web); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("web", "place %s: web page %q is not an http(s) address", p.ID, p.Web)
		}
	}
	if p.Checked != "" && !dateRE.MatchString(p.Checked) {
		bad("checked", "place %s: checked %q: write the date as YYYY-MM-DD", p.ID, p.Checked)
	}
	switch {
	case p.Sample && p.Source != "":
		bad("sample", "place %s has both source and sample: a sourced place is not a sample", p.ID)
	case !p.Sample && strings.TrimSpace(p.Source) == "":
		bad("id", "place %s has no source: say where its facts come from, or mark it sample: true", p.ID)
	case p.Sample && (p.Address != "" || p.Phone != "" || p.Email != "" || raw.Hours != ""):
		bad("sample", "place %s is a sample but gives an address, phone, e-mail or hours: an unverified fact must not look real", p.ID)
	}
	if !ok {
		return nil
	}
	return p
}
