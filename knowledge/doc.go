// Package knowledge holds the territory's facts: the data the bot answers
// from, embedded in the binary with their provenance (SOURCES.md), and the
// indexes that make them usable from what a user typed or shared.
//
// For now it holds the municipalities (comuni) of Tuscany: LoadMunicipalities
// parses municipalities.csv, reporting every problem as "file:line: message";
// Municipalities.Match finds a comune from free text (name, ISTAT code, CAP,
// with case, accents, punctuation and small typos forgiven, or a name inside a
// short sentence); Municipalities.Nearest finds the comune nearest a shared
// location.
//
// Everything here is immutable once loaded and safe for concurrent use.
//
// Import limits: knowledge imports only the standard library and
// internal/fold, so the engine, the content compiler and the adapters can all
// depend on it without pulling in anything else.
package knowledge
