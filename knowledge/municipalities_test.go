package knowledge

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"strings"
	"testing"
)

// tuscany loads the shipped table once per test binary.
func tuscany(tb testing.TB) *Municipalities {
	tb.Helper()
	ms, err := LoadMunicipalities(FS, MunicipalitiesFile)
	if err != nil {
		tb.Fatalf("LoadMunicipalities(FS, %q): %v", MunicipalitiesFile, err)
	}
	return ms
}

func TestLoadShipped(t *testing.T) {
	ms := tuscany(t)
	if ms.Len() != 273 {
		t.Fatalf("Len() = %d, want 273 (the comuni of Tuscany since 2019)", ms.Len())
	}
	all := ms.All()
	if len(all) != 273 {
		t.Fatalf("len(All()) = %d, want 273", len(all))
	}
	perProvince := map[string]int{}
	for i, m := range all {
		perProvince[m.Province]++
		if i > 0 && all[i-1].Code >= m.Code {
			t.Errorf("All() not in code order at %d: %s after %s", i, m.Code, all[i-1].Code)
		}
		if len(m.CAP) == 0 {
			t.Errorf("%s %s has no CAP", m.Code, m.Name)
		}
		if got, ok := ms.ByCode(m.Code); !ok || got.Name != m.Name {
			t.Errorf("ByCode(%q) = %q, %v; want %q", m.Code, got.Name, ok, m.Name)
		}
	}
	want := map[string]int{"FI": 41, "PI": 37, "AR": 36, "SI": 35, "LU": 33, "GR": 28, "PT": 20, "LI": 19, "MS": 17, "PO": 7}
	for p, n := range want {
		if perProvince[p] != n {
			t.Errorf("province %s has %d comuni, want %d", p, perProvince[p], n)
		}
	}
	if len(perProvince) != len(want) {
		t.Errorf("provinces = %v, want the 10 of Tuscany", perProvince)
	}

	fi, ok := ms.ByCode("048017")
	if !ok || fi.Name != "Firenze" || fi.Province != "FI" || len(fi.CAP) != 25 || fi.CAP[0] != "50121" || fi.CAP[24] != "50145" {
		t.Errorf("ByCode(048017) = %+v, %v; want Firenze FI with CAP 50121..50145", fi, ok)
	}
	for _, c := range []struct{ code, name string }{
		{"045001", "Aulla"}, {"100005", "Prato"}, {"051040", "Castelfranco Piandiscò"},
		{"049003", "Campo nell'Elba"}, {"047011", "Montecatini-Terme"},
	} {
		if m, ok := ms.ByCode(c.code); !ok || m.Name != c.name {
			t.Errorf("ByCode(%q) = %q, %v; want %q", c.code, m.Name, ok, c.name)
		}
	}
	for _, code := range []string{"", "48017", "999999", "048017 "} {
		if m, ok := ms.ByCode(code); ok {
			t.Errorf("ByCode(%q) = %q, want not found", code, m.Name)
		}
	}

	// All returns a copy: changing it does not change the index.
	all[0].Name = "changed"
	if ms.All()[0].Name == "changed" {
		t.Error("All() shares its slice with the index")
	}

	// Nearest's box is the data's extent plus a margin: about the rough box
	// of Tuscany (lat 42.2–44.5, lon 9.6–12.4).
	if math.Abs(ms.minLat-42.2) > 0.1 || math.Abs(ms.maxLat-44.5) > 0.1 ||
		math.Abs(ms.minLon-9.6) > 0.1 || math.Abs(ms.maxLon-12.4) > 0.1 {
		t.Errorf("region box lat %.2f–%.2f lon %.2f–%.2f, want about 42.2–44.5, 9.6–12.4",
			ms.minLat, ms.maxLat, ms.minLon, ms.maxLon)
	}
}

// The embedded copy must stay identical to the shared source it documents in
// SOURCES.md; skipped where the shared folder is not present.
func TestShippedCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile("../../shared/data/tuscany-municipalities.csv")
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	embedded, err := fs.ReadFile(FS, MunicipalitiesFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(embedded) {
		t.Error("knowledge/municipalities.csv differs from shared/data/tuscany-municipalities.csv; copy it again and update SOURCES.md")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file string
		want []string // the lines of the joined error, in order
	}{
		{"columns.csv", []string{
			"columns.csv:3: want 6 columns, got 4",
			"columns.csv:4: want 6 columns, got 7",
		}},
		{"values.csv", []string{
			`values.csv:2: istat_code "4501": want 6 digits`,
			`values.csv:3: empty name`,
			`values.csv:4: lat "abc": not a number`,
			`values.csv:5: lat 52.1: outside Italy (35..47.5)`,
			`values.csv:5: lon 200: outside Italy (6..19)`,
			`values.csv:6: duplicate istat_code 045003 (first on line 4)`,
			`values.csv:6: province "ms": want 2 capital letters`,
			`values.csv:6: cap "5401": want 5 digits`,
			`values.csv:7: istat_code "04500X": want 6 digits`,
			`values.csv:7: lat NaN: outside Italy (35..47.5)`,
		}},
		{"header.csv", []string{
			`header.csv:1: header: want "istat_code,name,province,lat,lon,cap", got "code,name,province,lat,lon,cap"`,
		}},
		{"quote.csv", []string{
			`quote.csv:3: bare " in non-quoted-field`,
		}},
		{"headeronly.csv", []string{
			`headeronly.csv:1: no rows after the header`,
		}},
		{"empty.csv", []string{
			`empty.csv:1: empty file: want header "istat_code,name,province,lat,lon,cap"`,
		}},
	}
	fsys := os.DirFS("testdata")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ms, err := LoadMunicipalities(fsys, tt.file)
			if err == nil {
				t.Fatalf("LoadMunicipalities(%s) = %d comuni, nil error; want errors", tt.file, ms.Len())
			}
			if ms != nil {
				t.Errorf("LoadMunicipalities(%s) returned an index along with errors", tt.file)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("LoadMunicipalities(%s) error:\n%s\nwant:\n%s", tt.file, got, want)
			}
			var issue Issue
			if !errors.As(err, &issue) || issue.File != tt.file || issue.Line < 1 {
				t.Errorf("errors.As(Issue) = %+v; want an Issue in %s with a line", issue, tt.file)
			}
		})
	}

	if _, err := LoadMunicipalities(fsys, "missing.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}

// A valid file with a BOM, CRLF line ends, a quoted field, no CAP, and one
// name in two provinces: the province breaks the tie.
func TestLoadSameNameFixture(t *testing.T) {
	ms, err := LoadMunicipalities(os.DirFS("testdata"), "samename.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ms.Len() != 3 {
		t.Fatalf("Len() = %d, want 3", ms.Len())
	}
	if m, _ := ms.ByCode("999003"); m.Name != `Borgo "Vecchio"` || m.CAP != nil {
		t.Errorf("quoted row = %+v, want name Borgo \"Vecchio\" and no CAP", m)
	}
	if _, alts, ok := ms.Match("Calliano"); ok || len(alts) != 2 {
		t.Errorf("Match(Calliano) = ok %v, %d alternatives; want ambiguous between 2", ok, len(alts))
	}
	for text, prov := range map[string]string{"Calliano (AT)": "AT", "calliano, tn": "TN", "calliano tn": "TN", "Caliano (AT)": "AT"} {
		if m, _, ok := ms.Match(text); !ok || m.Province != prov {
			t.Errorf("Match(%q) = %s %s, %v; want Calliano %s", text, m.Name, m.Province, ok, prov)
		}
	}
	if m, _, ok := ms.Match("borgo vecchio"); !ok || m.Code != "999003" {
		t.Errorf("Match(borgo vecchio) = %q, %v", m.Name, ok)
	}
}

func TestNearest(t *testing.T) {
	ms := tuscany(t)
	fi, _ := ms.ByCode("048017")
	tests := []struct {
		name     string
		lat, lon float64
		want     string // "" for !ok
		maxKm    float64
	}{
		{"Firenze's centroid", fi.Lat, fi.Lon, "Firenze", 0.001},
		{"Florence cathedral", 43.7731, 11.2560, "Firenze", 3},
		{"Siena, Piazza del Campo", 43.3183, 11.3317, "Siena", 3},
		{"Prato cathedral", 43.8810, 11.0966, "Prato", 3},
		{"Portoferraio harbour, Elba", 42.8130, 10.3290, "Portoferraio", 5},
		{"Rome", 41.9, 12.5, "", 0},
		{"Bologna, north of the box", 44.49, 11.34, "", 0},
		{"open sea west of Elba, in the box", 42.5, 9.7, "", 0},
		{"Milan", 45.46, 9.19, "", 0},
		{"zero", 0, 0, "", 0},
		{"NaN", math.NaN(), 11, "", 0},
		{"Inf", 43.7, math.Inf(1), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, km, ok := ms.Nearest(tt.lat, tt.lon)
			if tt.want == "" {
				if ok {
					t.Errorf("Nearest(%v, %v) = %s at %.1f km, want !ok", tt.lat, tt.lon, m.Name, km)
				}
				return
			}
			if !ok || m.Name != tt.want || km > tt.maxKm {
				t.Errorf("Nearest(%v, %v) = %s at %.2f km, %v; want %s within %.0f km", tt.lat, tt.lon, m.Name, km, ok, tt.want, tt.maxKm)
			}
		})
	}
	// Every centroid is nearest to itself.
	for _, m := range ms.All() {
		if got, km, ok := ms.Nearest(m.Lat, m.Lon); !ok || got.Code != m.Code || km != 0 {
			t.Errorf("Nearest(centroid of %s) = %s at %.3f km, %v", m.Name, got.Name, km, ok)
		}
	}
}

func TestHaversine(t *testing.T) {
	// Firenze–Pisa centroids are about 70 km apart; one degree of latitude is 111.2 km.
	if d := haversineKm(43, 11, 44, 11); math.Abs(d-111.2) > 0.1 {
		t.Errorf("1° of latitude = %.2f km, want 111.2", d)
	}
	if d := haversineKm(43.7, 11.2, 43.7, 11.2); d != 0 {
		t.Errorf("same point = %v km", d)
	}
}

// Nearest's fast ranking agrees with the great-circle distance on a grid
// over the whole region.
func TestNearestRanksByHaversine(t *testing.T) {
	ms := tuscany(t)
	all := ms.All()
	for lat := 42.25; lat < 44.5; lat += 0.1 {
		for lon := 9.65; lon < 12.4; lon += 0.1 {
			m, km, _ := ms.Nearest(lat, lon)
			best := math.Inf(1)
			for _, c := range all {
				best = math.Min(best, haversineKm(lat, lon, c.Lat, c.Lon))
			}
			if km-best > 0.05 { // a near-tie may rank either way: allow 50 m
				t.Errorf("Nearest(%.2f, %.2f) = %s at %.3f km; %.3f km is nearer", lat, lon, m.Name, km, best)
			}
		}
	}
}
