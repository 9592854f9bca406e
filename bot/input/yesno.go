package input

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// polarity is what a word or phrase says about a yes/no answer.
type polarity uint8

const (
	pOther   polarity = iota // a word that says nothing known
	pYes                     // "sì", "oui", "po", "نعم", "是"
	pNo                      // "no", "jo", "لا", "不"
	pUnsure                  // "non lo so", "maybe", "ndoshta", "ربما", "不知道": never an answer
	pFiller                  // "grazie", "please", "شكرا", "谢谢": politeness, says nothing
	pSoloYes                 // "y", "s", "k": yes only when it is the whole answer
	pSoloNo                  // "n", "la" (Arabizi): no only when it is the whole answer
)

// YesNo reads a yes or a no in any of the Lexicon's languages (the words of
// locales/words: the six launch languages), whatever the user's language:
// words ("sì", "Si, grazie", "va bene", "d'accord", "po", "نعم", "好的" /
// "no", "non", "jo", "لا", "不是", "没有"), phrases ("no problem", "of course
// not", "bien sûr que non"), stretched words ("siii", "nooo") and emoji (👍 👌
// ✅ ✔ / 👎 ❌ ✖). Case, accents and punctuation do not matter. A nil Lexicon
// reads only the emoji.
//
// The answer is the polarity of all its known words and emoji together: it is
// rejected when they disagree ("sì no", "是不是"), when there are none, and
// whenever the user says they do not know or are unsure ("non lo so", "je ne
// sais pas", "maybe", "nuk e di", "لا أعرف", "不知道"). Single letters ("y",
// "n", "s") count only when they are the whole answer.
//
// lang is the user's language; it is accepted for the callers' sake and does
// not change the result today, because the words of all the languages are
// recognised for everyone (people mix languages). Note that Albanian "po" is
// yes and "jo" is no.
func (l *Lexicon) YesNo(text, lang string) (bool, bool) {
	t, ok := l.tallyOf(text)
	if !ok {
		return false, false
	}
	return t.result()
}

// PlainYesNo is YesNo for an answer made only of yes or no words and
// politeness ("sì grazie", "oui", "po"): a word that says something else
// ("po fëmijët?", "and the children?") makes it no answer. It suits a
// question the user may be answering with a question of their own.
func (l *Lexicon) PlainYesNo(text, lang string) (bool, bool) {
	t, ok := l.tallyOf(text)
	if !ok || t.other > 0 {
		return false, false
	}
	return t.result()
}

// tallyOf counts the yes, no and other words of text.
func (l *Lexicon) tallyOf(text string) (tally, bool) {
	l = l.orEmpty()
	var t tally
	s, ok := bound(text)
	if !ok || s == "" {
		return t, false
	}
	for _, r := range s {
		switch r {
		case '👍', '👌', '✅', '✔', '✓', '☑', '🆗', '🙆':
			t.yes++
		case '👎', '❌', '❎', '✖', '✗', '✘', '🚫', '⛔', '🙅':
			t.no++
		}
	}
	f := fold.String(s)
	// Split the folded text into words, and words that mix Chinese with other
	// scripts ("ok好的") into runs of one script.
	var buf [maxTokens * 2]span
	spans := buf[:0]
	for start := 0; start < len(f); {
		if len(spans) == cap(spans) {
			return t, false // a speech, not a yes or a no
		}
		end := strings.IndexByte(f[start:], ' ')
		if end < 0 {
			end = len(f)
		} else {
			end += start
		}
		spans = splitHan(f, start, end, spans)
		start = end + 1
	}
	for i := 0; i < len(spans); {
		sp := spans[i]
		if sp.han {
			t.han(l, f[sp.start:sp.end])
			i++
			continue
		}
		// The longest phrase of the Lexicon starting here.
		n := 1
		for ; n < l.maxPhrase && i+n < len(spans); n++ {
			nx := spans[i+n]
			if nx.han || nx.start != spans[i+n-1].end+1 {
				break
			}
		}
		matched := false
		for ; n > 0; n-- {
			if p, ok := l.yesNo[f[sp.start:spans[i+n-1].end]]; ok {
				t.add(p)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			w := f[sp.start:sp.end]
			if c, ok := squeeze(w); ok {
				t.add(l.yesNo[c]) // pOther when unknown
			} else {
				t.add(pOther)
			}
			i++
		}
	}
	return t, true
}

type span struct {
	start, end int
	han        bool
}

// splitHan appends the spans of the word f[start:end], one per run of Chinese
// or non-Chinese characters.
func splitHan(f string, start, end int, spans []span) []span {
	if start >= end {
		return spans
	}
	cur := span{start: start, end: start}
	first := true
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(f[i:])
		h := unicode.Is(unicode.Han, r)
		if !first && h != cur.han {
			if len(spans) == cap(spans) {
				return spans
			}
			spans = append(spans, cur)
			cur = span{start: i, end: i}
		}
		cur.han, first = h, false
		i += size
		cur.end = i
	}
	if len(spans) < cap(spans) {
		spans = append(spans, cur)
	}
	return spans
}

// squeeze collapses repeated letters of a stretched word ("siii", "nooo",
// "yesss", "okkk", "لاااا") and reports whether it did. A word is stretched
// when a letter repeats three times or it ends with a doubled letter; "noon"
// is not.
func squeeze(w string) (string, bool) {
	stretched := false
	var prev rune
	run := 0
	for _, r := range w {
		if r == prev {
			run++
		} else {
			run = 1
		}
		if run >= 3 {
			stretched = true
		}
		prev = r
	}
	if run >= 2 {
		stretched = true
	}
	if !stretched {
		return "", false
	}
	var b strings.Builder
	prev = 0
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String(), true
}

type tally struct {
	yes, no, unsure, soloYes, soloNo, other int
}

func (t *tally) add(p polarity) {
	switch p {
	case pYes:
		t.yes++
	case pNo:
		t.no++
	case pUnsure:
		t.unsure++
	case pSoloYes:
		t.soloYes++
	case pSoloNo:
		t.soloNo++
	case pOther:
		t.other++
	}
}

// han reads a run of Chinese characters, which has no spaces between words:
// the longest known word at each position, unknown characters skipped.
func (t *tally) han(l *Lexicon, s string) {
	unknown := false
	longest := min(max(l.maxHan, 1), MaxHanWord)
	for i := 0; i < len(s); {
		// Byte offsets of the next longest characters.
		var ends [MaxHanWord]int
		n := 0
		for j := i; j < len(s) && n < longest; n++ {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			ends[n] = j
		}
		matched := false
		for k := n - 1; k >= 0; k-- {
			if p, ok := l.hanYesNo[s[i:ends[k]]]; ok {
				t.add(p)
				i = ends[k]
				matched = true
				break
			}
		}
		if !matched {
			unknown = true
			i = ends[0]
		}
	}
	if unknown {
		t.other++
	}
}

func (t *tally) result() (bool, bool) {
	if t.unsure > 0 {
		return false, false
	}
	if t.yes == 0 && t.no == 0 && t.other == 0 && t.soloYes+t.soloNo == 1 {
		return t.soloYes == 1, true
	}
	switch {
	case t.yes > 0 && t.no == 0:
		return true, true
	case t.no > 0 && t.yes == 0:
		return false, true
	}
	return false, false
}

// SaysNo reports whether text holds a no word of any language ("not",
// "non", "nahi", "hindi", "না"): "I don't speak Italian" is not a request
// for Italian.
func (l *Lexicon) SaysNo(text string) bool {
	t, ok := l.tallyOf(text)
	return ok && t.no > 0
}

// maxAnswerWords is the most words other than yes and no an answer to a
// yes/no question may have ("sì, parlo arabo"); more, or a question mark,
// and it is a question or a story of its own.
const maxAnswerWords = 4

// AnswerYesNo is YesNo for the answer to a yes/no question: a text with a
// question mark ("we live in Pontedera, is this the right PUA?") or more
// than maxAnswerWords other words is no answer, whatever yes word it holds.
func (l *Lexicon) AnswerYesNo(text, lang string) (bool, bool) {
	if strings.ContainsAny(text, "?؟？") {
		return false, false
	}
	t, ok := l.tallyOf(text)
	if !ok || t.other > maxAnswerWords {
		return false, false
	}
	return t.result()
}
