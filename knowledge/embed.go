package knowledge

import "embed"

// FS holds the default knowledge: municipalities.csv, holidays.yaml,
// kinds.yaml, places/*.yaml (one file per province) and guides/*.yaml (one
// file per procedure).
//
//go:embed *.csv *.yaml places/*.yaml guides/*.yaml
var FS embed.FS

// MunicipalitiesFile is the municipalities' file in FS.
const MunicipalitiesFile = MunicipalitiesPath
