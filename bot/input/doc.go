// Package input parses what a user typed in answer to a typed question: a
// number, a yes or no, a date, a phone number, an e-mail address or a free
// text. The users are migrants in Tuscany writing on cheap phones, in
// Italian, English, French, Arabic, Albanian or Chinese, often with little
// literacy, so the parsers are tolerant: they read digits of any script
// ("١٢", "۱۲", "１２"), number and month words of the six languages, answers
// with words around them ("ho 12 anni", "عمري 12", "Si, grazie"), and ignore
// case, accents and punctuation.
//
// The words are data: each language's yes and no words, number words, month
// names and words for "tomorrow" are a file, locales/words/<code>.yaml (the
// six launch languages today), that package locales reads into Words and
// NewLexicon merges into a Lexicon. The parsers that read words are its
// methods (YesNo, Number, Integer, Date, BirthDate); a nil Lexicon reads
// digits only. Phone, Email and Text need no words. What stays here is
// grammar: how number words combine (including the French and Arabic
// counting that the words name by role), Chinese numerals, digits of every
// script and the yes and no emoji.
//
// Every function is pure: no I/O, no logging, no state besides the
// Lexicon, which is built once at start and only read. Each returns
// (value, ok); when ok is false the value is the zero value and the caller
// asks again. A parser
// rejects rather than guesses when an answer is ambiguous ("tra 3 e 5",
// "1.500", "sì no", "non lo so"). No input makes them panic, and work is
// bounded: an answer longer than fold.MaxInput bytes (Text: 8*max+256) is
// rejected unread.
//
// Words are compared as teamsbot/internal/fold keys, the same as the
// engine's options.
package input
