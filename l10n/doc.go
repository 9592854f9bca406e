// Package l10n moves the texts of one language between the content files
// and the files translators work in.
//
// A text users can read lives in one of two places: a locale message
// (locales/<code>.yaml, one file per language) or a multilingual value in a
// knowledge file (a YAML mapping from language codes to a text or a list
// of texts: a guide's title, steps and keywords, a kind of office's name,
// an office's note, an activity's description, a glossary name). Collect
// finds every one of them for a language, with the English and Italian
// sources, where it appears and the longest it may be; Write puts them in
// a PO, XLIFF 1.2 or CSV file; Read reads one back; Check validates it
// (placeholders, limits, plural forms, bidi controls, the language); Apply
// writes what changed into the content files and leaves the rest
// byte for byte as it was.
//
// Import limits: the standard library, go.yaml.in/yaml/v3 and
// golang.org/x/text. It knows nothing of the bot.
package l10n
