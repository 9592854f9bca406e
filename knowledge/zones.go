package knowledge

import (
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ZonesPath is the file of the zone-distretto: the areas of the social and
// health services (PUA, Società della Salute).
const ZonesPath = "zones.yaml"

// Zone is a zona-distretto and the comuni it covers.
type Zone struct {
	ID, Name string
	ASL      string
	SdS      string
	Source   string
	// Verified: the membership comes from a page that lists it; otherwise
	// it was inferred ("general knowledge") and the bot says so.
	Verified bool
	Codes    []string
	Line     int
}

// loadZones reads zones.yaml (optional) into ms: each comune in exactly
// one zone.
func loadZones(fsys fs.FS, ms *Municipalities) []error {
	raw, err := fs.ReadFile(fsys, ZonesPath)
	if err != nil {
		return nil
	}
	root, err := parseDoc(ZonesPath, raw)
	if err != nil {
		return []error{err}
	}
	is := &issues{file: ZonesPath}
	list := field(root, "zones")
	if list == nil || list.Kind != yaml.SequenceNode {
		is.at(root.Line, "missing `zones:` (a list)")
		return is.list
	}
	ms.zoneByID, ms.zoneOf = map[string]*Zone{}, map[string]*Zone{}
	for _, n := range list.Content {
		is.checkKeys(n, "zone", "id", "name", "asl", "sds", "municipalities", "source")
		var r struct {
			ID     string   `yaml:"id"`
			Name   string   `yaml:"name"`
			ASL    string   `yaml:"asl"`
			SdS    string   `yaml:"sds"`
			Codes  []string `yaml:"municipalities"`
			Source string   `yaml:"source"`
		}
		if err := n.Decode(&r); err != nil {
			is.at(n.Line, "zone: %v", strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		z := &Zone{ID: r.ID, Name: r.Name, ASL: r.ASL, SdS: r.SdS, Source: r.Source, Codes: r.Codes, Line: n.Line,
			Verified: r.Source != "" && !strings.HasPrefix(strings.ToLower(r.Source), "general knowledge")}
		switch {
		case !placeIDRE.MatchString(z.ID):
			is.at(n.Line, "zone id %q: use lower-case letters, digits and -", z.ID)
			continue
		case ms.zoneByID[z.ID] != nil:
			is.at(n.Line, "zone %s is listed twice", z.ID)
			continue
		case z.Name == "" || z.Source == "":
			is.at(n.Line, "zone %s needs a name and a source (the page that lists its comuni, or \"general knowledge: not verified\")", z.ID)
		}
		ms.zoneByID[z.ID] = z
		for _, code := range z.Codes {
			switch _, known := ms.ByCode(code); {
			case !known:
				is.at(n.Line, "zone %s: unknown municipality code %q", z.ID, code)
			case ms.zoneOf[code] != nil:
				is.at(n.Line, "zone %s: comune %s is already in zone %s", z.ID, code, ms.zoneOf[code].ID)
			default:
				ms.zoneOf[code] = z
			}
		}
	}
	var without []string
	for _, m := range ms.All() {
		if ms.zoneOf[m.Code] == nil {
			without = append(without, m.Name)
		}
	}
	if len(without) > 0 {
		is.at(root.Line, "%d comuni are in no zone: %s", len(without), strings.Join(without[:min(len(without), 5)], ", "))
	}
	return is.list
}

// ZoneOf returns the zona-distretto of a comune (by ISTAT code).
func (ms *Municipalities) ZoneOf(code string) (*Zone, bool) {
	z, ok := ms.zoneOf[code]
	return z, ok
}

// Zone returns a zona-distretto by id.
func (ms *Municipalities) Zone(id string) (*Zone, bool) {
	z, ok := ms.zoneByID[id]
	return z, ok
}
