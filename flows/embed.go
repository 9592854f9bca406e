// Package flows holds the default conversation flows and their conversation
// tests, embedded in the binary. Its test lints every flow, validates it
// against schema.json and runs every *_test.yaml in every language it names.
package flows

import "embed"

// FS holds the flows (*.yaml), their tests (*_test.yaml), the deep links
// (links.yaml) and the JSON Schema editors use (schema.json).
//
//go:embed *.yaml schema.json
var FS embed.FS
