package locales

import "embed"

// FS holds the default texts: languages.yaml and one <code>.yaml per language.
//
//go:embed *.yaml
var FS embed.FS
