// Package nlu understands short free text: it classifies a sentence into
// one of the intents it was trained on, with a calibrated confidence, and
// tells which language a text is written in.
//
// Everything is pure Go and deterministic: the same examples give the same
// model, and a model answers the same way every time. Training takes well
// under a second for the bot's few thousand examples, so the model is
// rebuilt whenever content loads instead of being shipped as a file.
//
// Text is normalised per script before anything else (Normalize): case,
// Latin accents, Arabic diacritics, tatweel and letter variants, Arabic-Indic
// digits, full-width forms, bidi controls and letters repeated for emphasis.
// The features of a text are its words (stemmed with Snowball where a
// stemmer exists for the language, stop words dropped), the character
// n-grams inside each word (typos and inflections share most of them), word
// pairs, and for Chinese the characters and character bigrams (Chinese
// writes no spaces). Features are TF-IDF weighted; the classifier is a
// multinomial logistic regression (see Train for why).
//
// Import limits: the standard library, internal/fold, golang.org/x/text and
// the Snowball stemmers. It knows nothing of the bot, its content or I/O.
package nlu
