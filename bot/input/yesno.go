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

// YesNo reads a yes or a no in any of the six launch languages, whatever the
// user's language: words ("sì", "Si, grazie", "va bene", "d'accord", "po",
// "نعم", "好的" / "no", "non", "jo", "لا", "不是", "没有"), phrases ("no
// problem", "of course not", "bien sûr que non"), stretched words ("siii",
// "nooo") and emoji (👍 👌 ✅ ✔ / 👎 ❌ ✖). Case, accents and punctuation do
// not matter.
//
// The answer is the polarity of all its known words and emoji together: it is
// rejected when they disagree ("sì no", "是不是"), when there are none, and
// whenever the user says they do not know or are unsure ("non lo so", "je ne
// sais pas", "maybe", "nuk e di", "لا أعرف", "不知道"). Single letters ("y",
// "n", "s") count only when they are the whole answer.
//
// lang is the user's language; it is accepted for the callers' sake and does
// not change the result today, because the words of all six languages are
// recognised for everyone (people mix languages). Note that Albanian "po" is
// yes and "jo" is no.
func YesNo(text, lang string) (bool, bool) {
	s, ok := bound(text)
	if !ok || s == "" {
		return false, false
	}
	var t tally
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
			return false, false // a speech, not a yes or a no
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
			t.han(f[sp.start:sp.end])
			i++
			continue
		}
		// The longest phrase of up to maxPhrase words starting here.
		n := 1
		for ; n < maxPhrase && i+n < len(spans); n++ {
			nx := spans[i+n]
			if nx.han || nx.start != spans[i+n-1].end+1 {
				break
			}
		}
		matched := false
		for ; n > 0; n-- {
			if p, ok := yesNoWords[f[sp.start:spans[i+n-1].end]]; ok {
				t.add(p)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			w := f[sp.start:sp.end]
			if c, ok := squeeze(w); ok {
				t.add(yesNoWords[c]) // pOther when unknown
			} else {
				t.add(pOther)
			}
			i++
		}
	}
	return t.result()
}

// maxPhrase is the number of words of the longest phrase in yesNoWords.
const maxPhrase = 4

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
func (t *tally) han(s string) {
	unknown := false
	for i := 0; i < len(s); {
		// Byte offsets of the next maxHanWord characters.
		var ends [maxHanWord]int
		n := 0
		for j := i; j < len(s) && n < maxHanWord; n++ {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			ends[n] = j
		}
		matched := false
		for k := n - 1; k >= 0; k-- {
			if p, ok := hanYesNo[s[i:ends[k]]]; ok {
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

const maxHanWord = 4

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

// yesNoWords maps folded words and phrases (words joined by one space) to
// their polarity. Phrases win over their words: "no problem" is yes, "non lo
// so" is unsure.
var yesNoWords = buildYesNoWords()

func buildYesNoWords() map[string]polarity {
	m := make(map[string]polarity, 300)
	add := func(p polarity, words ...string) {
		for _, w := range words {
			m[w] = p
		}
	}
	add(pYes,
		// Italian
		"si", "sisi", "certo", "certamente", "certo che si", "esatto", "esattamente",
		"giusto", "va bene", "vabene", "vabbene", "va be", "vabbe", "bene", "benissimo",
		"perfetto", "d accordo", "daccordo", "ovvio", "ovviamente", "sicuro", "sicuramente",
		"confermo", "nessun problema", "come no", "senz altro", "non c e problema",
		"non e un problema", "non ci sono problemi", "perche no", "perche non",
		// English
		"yes", "yeah", "yea", "yep", "yup", "ok", "okay", "okey", "oki", "okei", "okie",
		"sure", "of course", "certainly", "absolutely", "correct", "exactly",
		"perfect", "good", "alright", "all right", "no problem", "no problems", "why not",
		"agreed", "i agree", "i do", "yes please",
		// French
		"oui", "ouais", "ouai", "ouii", "wi", "d accord", "daccord", "dac", "dacc",
		"bien sur", "biensur", "absolument", "exactement", "evidemment", "bien", "tres bien",
		"parfait", "pas de probleme", "pas de soucis", "pas de souci", "bien sur que oui",
		"mais oui", "carrement", "volontiers", "pourquoi pas",
		// Albanian
		"po", "patjeter", "sigurisht", "ne rregull", "nerregull", "mire", "dakord",
		"sakte", "s ka problem", "ska problem", "pa problem",
		// Arabic (folded: "أ" is "ا") and Arabizi
		"نعم", "ايوه", "ايوه", "ايوا", "ايوي", "اجل", "بلي", "اه", "طيب", "تمام",
		"موافق", "اكيد", "صح", "طبعا", "حاضر", "واخا", "واه", "مزيان",
		"لا باس", "لا مشكله", "لا مشكله", "ما في مشكله", "ماشي مشكل", "عندي",
		"aywa", "aiwa", "eywa", "naam", "na3am", "wakha", "wah", "tamam",
	)
	add(pNo,
		// Italian
		"no", "non", "mai", "no grazie", "certo che no", "assolutamente no",
		"per niente", "per nulla", "niente affatto", "affatto", "negativo", "ancora no",
		"non ancora",
		// English
		"nope", "nah", "not", "never", "no thanks", "no thank you", "of course not",
		"absolutely not", "not at all", "not really", "not yet", "no way",
		"don t", "dont", "i don t", "i dont", "doesn t", "didn t", "haven t", "hasn t",
		"can t", "cannot", "won t", "isn t", "aren t",
		// French
		"non merci", "pas", "jamais", "pas du tout", "bien sur que non", "absolument pas",
		"pas vraiment", "pas encore", "nan", "non non",
		// Albanian
		"jo", "aspak", "kurre", "jo faleminderit", "ende jo", "jo ende",
		// Arabic and Arabizi
		"لا", "كلا", "لاء", "ابدا", "لا شكرا", "مش", "لا يوجد", "والو",
		"ما عندي", "ماعندي", "معنديش", "ماعنديش", "مافي", "ما في",
		"la2", "laa", "lla",
	)
	add(pUnsure,
		// Italian
		"non lo so", "non so", "boh", "forse", "magari", "dipende", "non sono sicuro",
		"non sono sicura", "chissa", "non ricordo", "un po", "non capisco",
		"non ho idea", "si e no", "non saprei",
		// English
		"i don t know", "don t know", "dont know", "i dont know", "idk", "maybe",
		"perhaps", "not sure", "i m not sure", "im not sure", "no idea", "sometimes",
		"i don t understand", "depends", "it depends", "possibly",
		// French
		"je ne sais pas", "je sais pas", "sais pas", "chais pas", "jsp", "peut etre",
		"peutetre", "pas sur", "pas sure", "aucune idee",
		"pas d idee", "ca depend", "parfois", "je comprends pas", "je ne comprends pas",
		// Albanian
		"nuk e di", "s e di", "se di", "ndoshta", "nuk jam i sigurt", "nuk jam e sigurt",
		"nuk e kuptoj", "ndonjehere", "varet",
		// Arabic
		"لا اعرف", "لا ادري", "ما بعرف", "ما اعرف", "مش عارف", "مش عارفه", "ما عرفت",
		"معرفتش", "ربما", "يمكن", "ممكن", "مش متاكد", "لست متاكدا", "لا افهم",
		"ماعرفتش", "ما نعرفش", "منعرفش", "احيانا",
	)
	add(pFiller,
		"grazie", "grazie mille", "per favore", "prego", "perfavore", "mille grazie",
		"thanks", "thank you", "thank", "you", "thx", "please", "pls", "plz",
		"merci", "merci beaucoup", "s il vous plait", "s il te plait", "svp", "stp",
		"faleminderit", "flm", "ju lutem", "te lutem",
		"شكرا", "شكرا جزيلا", "من فضلك", "لو سمحت", "يعطيك العافيه", "baraka", "shukran",
		"ciao", "hello", "hi", "salut", "bonjour", "pershendetje", "مرحبا", "السلام عليكم",
		"io", "i", "je", "ana", "انا",
	)
	add(pSoloYes, "y", "s", "k", "kk", "ye", "ya")
	add(pSoloNo, "n", "la", "nn")
	return m
}

// hanYesNo maps Chinese words to their polarity; YesNo matches the longest
// one at each position of a run of Chinese characters.
var hanYesNo = map[string]polarity{
	"是": pYes, "是的": pYes, "对": pYes, "对的": pYes, "好": pYes, "好的": pYes,
	"行": pYes, "可以": pYes, "当然": pYes, "嗯": pYes, "有": pYes, "要": pYes,
	"需要": pYes, "会": pYes, "能": pYes, "没问题": pYes, "没错": pYes, "同意": pYes,
	"确定": pYes, "没有问题": pYes, "好吧": pYes, "对啊": pYes, "是啊": pYes, "好啊": pYes,

	"不": pNo, "不是": pNo, "不对": pNo, "不行": pNo, "不要": pNo, "不用": pNo,
	"不需要": pNo, "不可以": pNo, "不会": pNo, "不能": pNo, "没": pNo, "没有": pNo,
	"否": pNo, "不好": pNo, "不同意": pNo, "从来没有": pNo, "还没": pNo, "还没有": pNo,

	"不知道": pUnsure, "不确定": pUnsure, "也许": pUnsure, "可能": pUnsure,
	"或许": pUnsure, "说不定": pUnsure, "不清楚": pUnsure, "看情况": pUnsure,
	"不太清楚": pUnsure, "不懂": pUnsure, "不明白": pUnsure, "有时候": pUnsure,
	"不一定": pUnsure, "还不知道": pUnsure,

	"谢谢": pFiller, "谢谢你": pFiller, "我": pFiller, "的": pFiller, "了": pFiller,
	"啊": pFiller, "呀": pFiller, "吧": pFiller, "呢": pFiller, "哦": pFiller,
	"你好": pFiller, "对不起": pFiller, "不好意思": pFiller, "请": pFiller,
}
