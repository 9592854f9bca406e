// Package nlu understands short free text: it classifies a sentence into
// one of the intents it was trained on, with a probability, and tells which
// language a text is written in.
//
// Everything is pure Go and deterministic: the same examples give the same
// model, and a model answers the same way every time. Training takes under
// a second for the bot's ten thousand examples, so the model is rebuilt
// whenever content loads instead of being shipped as a file.
//
// Text is normalised per script before anything else (Normalize): case,
// Latin accents, Arabic diacritics, tatweel and letter variants, Arabic-Indic
// digits, full-width forms, bidi controls and letters repeated for emphasis.
// The features of a text are its words and the character 4-grams inside
// each word, the word padded with a mark on each side (typos and
// inflections share most of them), and for Chinese the characters and
// character pairs (Chinese writes no spaces). A word never seen in training
// is read as the known word one typo away that the examples use most, or
// also as the few such words when none stands out. Features are TF-IDF weighted and L2-normalised; the classifier is a
// multinomial logistic regression trained by SGD in a fixed order (Train).
// Each choice was measured by cross-validation on the examples (`teamsbot
// eval --cv 5`); Snowball stemming and word pairs were tried and left out
// (no gain over the n-grams, slower training), and so was the nearest
// centroid (10 points lower).
//
// Import limits: the standard library, internal/fold and
// golang.org/x/text. It knows nothing of the bot, its content or I/O.
package nlu
