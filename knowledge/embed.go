package knowledge

import "embed"

// FS holds the data files of the package, as shipped in the binary. Each file
// embedded here must have its provenance and licence in SOURCES.md.
//
// To embed YAML too, add its pattern to the directive once the first .yaml
// file exists (a pattern that matches nothing is a build error):
//
//	//go:embed *.csv *.yaml
//
//go:embed *.csv
var FS embed.FS

// MunicipalitiesFile is the name, in FS, of the Tuscan municipalities table.
const MunicipalitiesFile = "municipalities.csv"
