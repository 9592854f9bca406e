package bot

// Municipality is a comune, as the engine sees it: the answer to a
// "municipality" question or the comune a shared location falls in.
type Municipality struct {
	Code     string // ISTAT code, 6 digits ("048017")
	Name     string // official name ("Sesto Fiorentino")
	Province string // car-plate code ("FI")
	Lat, Lon float64
}

// Gazetteer finds municipalities from what a user typed or shared. It is
// implemented by package knowledge and wired in by package app.
type Gazetteer interface {
	// MatchMunicipality returns the municipality the text names, tolerant of
	// case, accents and small typos. When the text is ambiguous or unknown ok
	// is false and alternatives holds the closest names (maybe none).
	MatchMunicipality(text string) (m Municipality, alternatives []Municipality, ok bool)
	// NearestMunicipality returns the municipality a point lies in or nearest
	// to; ok is false for points far from the region.
	NearestMunicipality(loc Location) (m Municipality, ok bool)
}
