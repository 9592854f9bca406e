package knowledge

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"teamsbot/internal/fold"
)

// Municipality is one comune.
//
// Values returned by Municipalities share their CAP slice with the index:
// treat it as read-only.
type Municipality struct {
	Code     string // ISTAT code, 6 digits ("048043")
	Name     string // official name with accents and apostrophes ("Sesto Fiorentino")
	Province string // car-plate code ("FI")
	Lat, Lon float64
	CAP      []string // postal codes, at least one in the shipped data
}

// Issue is one problem found in a data file, at a line (1-based, the header
// is line 1). Its Error text is "file:line: msg", the form editors and CI logs
// turn into links.
type Issue struct {
	File string
	Line int
	Msg  string
	// Warning marks a problem that does not stop the bot (a text a bit too
	// long); errors do.
	Warning bool
}

func (e Issue) Error() string {
	if e.Warning {
		return fmt.Sprintf("%s:%d: warning: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// municipalityHeader is the only header LoadMunicipalities accepts.
var municipalityHeader = []string{"istat_code", "name", "province", "lat", "lon", "cap"}

// Italy's bounding box, generous: Lampedusa is at 35.5 N, Vetta d'Italia at
// 47.1 N, Bardonecchia at 6.6 E, Otranto at 18.5 E. A coordinate outside it is
// a typo or swapped lat/lon.
const (
	italyMinLat, italyMaxLat = 35.0, 47.5
	italyMinLon, italyMaxLon = 6.0, 19.0
)

// regionMargin widens the data's own extent (the box around all centroids)
// to the box Nearest accepts: 0.15° is about 17 km of latitude, 12 km of
// longitude, enough to cover the comuni's borders beyond their centroids. For
// the shipped data it gives lat 42.20–44.56, lon 9.63–12.43.
const regionMargin = 0.15

// Municipalities is an immutable index of comuni, safe for concurrent use.
type Municipalities struct {
	list      []Municipality
	entries   []entry          // parallel to list
	byCode    map[string]int   // ISTAT code → index
	byCAP     map[string][]int // CAP → indexes, in list order
	byKey     map[string][]int // folded name → indexes (names may repeat across provinces)
	byWords   map[string][]int // whole words inside a longer folded name → indexes
	sorted    []int            // indexes in key order, for prefix search
	provinces map[string]bool  // car-plate codes present, upper case
	maxWords  int              // words in the longest name
	maxRunes  int              // runes in the longest folded name
	minLat    float64          // region box: data extent plus regionMargin
	maxLat    float64
	minLon    float64
	maxLon    float64
	hanNames  map[string]int // names in Han characters → index: found inside unspaced text
	// known: one-word names (official or other) of the comuni that have
	// other names (the towns people abroad know: Firenze, Florence,
	// Prato...) → index; found anywhere in a sentence ("questura firenze
	// orari"), where other one-word names need a cue word.
	known    map[string]int
	zoneOf   map[string]*Zone // ISTAT code → its zona-distretto (zones.yaml)
	zoneByID map[string]*Zone
}

// entry is what matching needs about one name, computed once at load.
type entry struct {
	key     string // fold.String(Name)
	runes   []rune // key as runes
	letters int    // runes of key that are not spaces
	mask    uint64 // runeMask(key)
}

// LoadMunicipalities reads a municipalities table (header
// istat_code,name,province,lat,lon,cap; cap holds ";"-separated postal codes)
// from fsys. It reports every problem it finds, not only the first, as an
// errors.Join of Issue values in file order; use errors.As to get one. A
// file that cannot be opened is reported with the fs error as is. After a CSV
// syntax error (a stray quote) reading stops, since what follows cannot be
// trusted to be split into the right rows.
func LoadMunicipalities(fsys fs.FS, path string) (*Municipalities, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var issues []error
	report := func(line int, format string, args ...any) {
		issues = append(issues, Issue{File: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // column counts are checked below, per row, with the line number

	ms := &Municipalities{
		byCode:    make(map[string]int),
		byCAP:     make(map[string][]int),
		byKey:     make(map[string][]int),
		byWords:   make(map[string][]int),
		provinces: make(map[string]bool),
		minLat:    math.Inf(1),
		maxLat:    math.Inf(-1),
		minLon:    math.Inf(1),
		maxLon:    math.Inf(-1),
	}
	firstLine := make(map[string]int) // code → line it was first seen on

	header, rows := true, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				report(pe.Line, "%v", pe.Err)
			} else {
				issues = append(issues, fmt.Errorf("%s: %w", path, err))
			}
			break
		}
		line, _ := r.FieldPos(0)
		if header {
			header = false
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\uFEFF") // a BOM from spreadsheet exports
			}
			if !equalStrings(rec, municipalityHeader) {
				report(line, "header: want %q, got %q", strings.Join(municipalityHeader, ","), strings.Join(rec, ","))
				break
			}
			continue
		}
		rows++
		if len(rec) != len(municipalityHeader) {
			report(line, "want %d columns, got %d", len(municipalityHeader), len(rec))
			continue
		}
		fieldLine := func(col int) int { l, _ := r.FieldPos(col); return l }

		m := Municipality{
			Code:     strings.TrimSpace(rec[0]),
			Name:     strings.TrimSpace(rec[1]),
			Province: strings.TrimSpace(rec[2]),
		}
		bad := false
		if !isDigits(m.Code, 6) {
			report(fieldLine(0), "istat_code %q: want 6 digits", rec[0])
			bad = true
		} else if first, dup := firstLine[m.Code]; dup {
			report(fieldLine(0), "duplicate istat_code %s (first on line %d)", m.Code, first)
			bad = true
		}
		if m.Name == "" {
			report(fieldLine(1), "empty name")
			bad = true
		} else if fold.String(m.Name) == "" {
			report(fieldLine(1), "name %q has no letters or digits", rec[1])
			bad = true
		}
		if !isUpperLetters(m.Province, 2) {
			report(fieldLine(2), "province %q: want 2 capital letters", rec[2])
			bad = true
		}
		var ok bool
		if m.Lat, ok = parseCoord(rec[3], "lat", italyMinLat, italyMaxLat, func(msg string) { report(fieldLine(3), "%s", msg) }); !ok {
			bad = true
		}
		if m.Lon, ok = parseCoord(rec[4], "lon", italyMinLon, italyMaxLon, func(msg string) { report(fieldLine(4), "%s", msg) }); !ok {
			bad = true
		}
		if c := strings.TrimSpace(rec[5]); c != "" {
			for _, code := range strings.Split(c, ";") {
				code = strings.TrimSpace(code)
				if !isDigits(code, 5) {
					report(fieldLine(5), "cap %q: want 5 digits", code)
					bad = true
					continue
				}
				m.CAP = append(m.CAP, code)
			}
		}
		if isDigits(m.Code, 6) {
			if _, dup := firstLine[m.Code]; !dup {
				firstLine[m.Code] = line
			}
		}
		if bad {
			continue
		}
		ms.add(m)
	}
	switch {
	case len(issues) > 0:
	case header:
		report(1, "empty file: want header %q", strings.Join(municipalityHeader, ","))
	case rows == 0:
		report(1, "no rows after the header")
	}
	if len(issues) > 0 {
		return nil, errors.Join(issues...)
	}
	ms.minLat -= regionMargin
	ms.maxLat += regionMargin
	ms.minLon -= regionMargin
	ms.maxLon += regionMargin
	return ms, nil
}

// add indexes a valid, non-duplicate municipality.
func (ms *Municipalities) add(m Municipality) {
	i := len(ms.list)
	m.CAP = m.CAP[:len(m.CAP):len(m.CAP)] // an append by a caller copies instead of writing into the index
	ms.list = append(ms.list, m)
	key := fold.String(m.Name)
	e := entry{key: key, runes: []rune(key), letters: letterCount(key), mask: runeMask(key)}
	ms.entries = append(ms.entries, e)
	ms.byCode[m.Code] = i
	ms.byKey[key] = append(ms.byKey[key], i)
	// Every run of whole words shorter than the name: "abetone",
	// "cutigliano" for "abetone cutigliano".
	words := strings.Split(key, " ")
	for from := range words {
		for to := from + 1; to <= len(words); to++ {
			if from == 0 && to == len(words) {
				continue
			}
			run := strings.Join(words[from:to], " ")
			if !slices.Contains(ms.byWords[run], i) {
				ms.byWords[run] = append(ms.byWords[run], i)
			}
		}
	}
	at, _ := slices.BinarySearchFunc(ms.sorted, key, func(j int, k string) int { return strings.Compare(ms.entries[j].key, k) })
	ms.sorted = slices.Insert(ms.sorted, at, i)
	for _, c := range m.CAP {
		ms.byCAP[c] = append(ms.byCAP[c], i)
	}
	ms.provinces[m.Province] = true
	ms.maxRunes = max(ms.maxRunes, len(e.runes))
	ms.maxWords = max(ms.maxWords, len(words))
	ms.minLat = math.Min(ms.minLat, m.Lat)
	ms.maxLat = math.Max(ms.maxLat, m.Lat)
	ms.minLon = math.Min(ms.minLon, m.Lon)
	ms.maxLon = math.Max(ms.maxLon, m.Lon)
}

// parseCoord parses one coordinate and checks it lies in [lo, hi]; on a
// problem it calls report with the message and returns false.
func parseCoord(s, what string, lo, hi float64, report func(string)) (float64, bool) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		report(fmt.Sprintf("%s %q: not a number", what, s))
		return 0, false
	}
	if !(v >= lo && v <= hi) { // written so that NaN fails too
		report(fmt.Sprintf("%s %s: outside Italy (%g..%g)", what, s, lo, hi))
		return 0, false
	}
	return v, true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimSpace(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// ByCode returns the municipality with the given 6-digit ISTAT code.
func (ms *Municipalities) ByCode(code string) (Municipality, bool) {
	i, ok := ms.byCode[code]
	if !ok {
		return Municipality{}, false
	}
	return ms.list[i], true
}

// All returns every municipality in file order (by ISTAT code for the
// shipped data). The slice is a fresh copy.
func (ms *Municipalities) All() []Municipality {
	return append([]Municipality(nil), ms.list...)
}

// Len returns the number of municipalities.
func (ms *Municipalities) Len() int { return len(ms.list) }

// Nearest returns the municipality whose centroid is nearest the point and
// its great-circle distance in km. ok is false when the point is outside the
// region's box (the data's extent plus a margin; for Tuscany about lat
// 42.2–44.6, lon 9.6–12.4), when the nearest centroid is more than
// NearestMaxKm away, or when lat or lon is not a number; m and km are then
// still the nearest centroid when the point is in the box, zero otherwise.
//
// Centroids are not town halls: a point in a comune can be nearer the
// centroid of a small neighbour than that of its own large comune, so treat
// the answer as "the comune around here" and confirm with the user.
func (ms *Municipalities) Nearest(lat, lon float64) (m Municipality, km float64, ok bool) {
	if !(lat >= ms.minLat && lat <= ms.maxLat && lon >= ms.minLon && lon <= ms.maxLon) {
		return Municipality{}, 0, false
	}
	// Within a region a few hundred km wide, the equirectangular
	// projection ranks centroids as the great circle does (to well under
	// 1%); the distance returned is the haversine one.
	kx := math.Cos(lat * math.Pi / 180)
	best, bestSq := -1, math.Inf(1)
	for i := range ms.list {
		dy, dx := ms.list[i].Lat-lat, (ms.list[i].Lon-lon)*kx
		if sq := dx*dx + dy*dy; sq < bestSq {
			best, bestSq = i, sq
		}
	}
	if best < 0 {
		return Municipality{}, 0, false
	}
	m = ms.list[best]
	km = haversineKm(lat, lon, m.Lat, m.Lon)
	return m, km, km <= NearestMaxKm
}

// NearestMaxKm is how far from the nearest centroid a point may be for
// Nearest to name a comune. The largest Tuscan comuni (Grosseto, Manciano)
// have borders about 15–20 km from their centroid.
const NearestMaxKm = 25.0

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// loadNames reads the other names of comuni (municipality_names.yaml), if
// the file exists, into ms.
func loadNames(fsys fs.FS, path string, ms *Municipalities) []error {
	buf, err := fs.ReadFile(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []error{Issue{File: path, Msg: err.Error()}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		return []error{Issue{File: path, Msg: "broken YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	is := &issues{file: path}
	if len(doc.Content) == 0 {
		return nil
	}
	names := field(doc.Content[0], "names")
	if names == nil || names.Kind != yaml.MappingNode {
		is.at(doc.Content[0].Line, "write the names under names:, by ISTAT code")
		return is.list
	}
	for i := 0; i+1 < len(names.Content); i += 2 {
		k, v := names.Content[i], names.Content[i+1]
		var list []string
		if err := v.Decode(&list); err != nil {
			is.at(v.Line, "%s: write a list of names", k.Value)
			continue
		}
		if !ms.AddNames(k.Value, list) {
			is.at(k.Line, "%s is not the ISTAT code of a comune of the data (quote it: \"048017\")", k.Value)
		}
	}
	return is.list
}
