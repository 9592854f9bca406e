package locales

import "embed"

// FS holds the default texts: languages.yaml and one <code>.yaml per
// language; words/<code>.yaml, the words of typed answers (yes and no,
// numbers, dates; LoadWords reads them); examples/<code>.yaml, what people
// write, that teaches the bot to understand them; eval/<code>.yaml,
// held-out real questions that measure it (package understand reads both).
//
//go:embed *.yaml words/*.yaml examples/*.yaml eval/*.yaml
var FS embed.FS
