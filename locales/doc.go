// Package locales holds the bot's texts, one go-i18n message file per
// language (it.yaml, en.yaml, ...), embedded in the binary, and the Catalog
// that serves them to the engine with CLDR plural rules, a fallback chain and
// translation coverage.
//
// Import limits: the standard library, go-i18n, golang.org/x/text, YAML, and
// the engine's small packages (bot for the Translator interface, bot/flow for
// Issue). Nothing here knows about channels or stores.
package locales
