package input

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"teamsbot/internal/fold"
)

// Words is the words of one language that the parsers read, as a content
// team writes them in locales/words/<code>.yaml. Words are written as they
// are spelled ("sì", "d'accordo", "أيوه"); NewLexicon compares them as
// fold.String keys, so case, accents and punctuation do not matter.
//
// Words in Chinese characters (any word with a Han character) are matched
// inside runs of Chinese text, which has no spaces; every other word is
// matched as whole words of the answer.
type Words struct {
	// Lang is the language's code, for error messages (not in the file).
	Lang string `yaml:"-"`

	// Yes and No answer a yes/no question: words and phrases of up to
	// MaxPhrase words ("va bene", "of course not").
	Yes []string `yaml:"yes"`
	No  []string `yaml:"no"`
	// Unsure are "I don't know", "maybe": an answer with one is never a
	// yes or a no.
	Unsure []string `yaml:"unsure"`
	// Filler are politeness and greetings ("grazie", "ciao"): they say
	// nothing, and do not stop a lone letter from counting.
	Filler []string `yaml:"filler"`
	// SoloYes and SoloNo count only when they are the whole answer ("y",
	// "s", "n").
	SoloYes []string `yaml:"solo_yes"`
	SoloNo  []string `yaml:"solo_no"`

	Numbers NumberWords `yaml:"numbers"`
	Dates   DateWords   `yaml:"dates"`
	Ages    AgeWords    `yaml:"ages"`
}

// AgeWords tell an age from a length of time in a sentence: "mio figlio ha
// 8 anni" is an age, "siamo qui da 3 anni" is not.
type AgeWords struct {
	// Units are written right after the number of an age: "anni", "years",
	// "岁" (a Chinese word is found at the start of the Chinese after the
	// number).
	Units []string `yaml:"units"`
	// Since are words or phrases (up to three words) right before the
	// number that make it a length of time: "da", "for", "il y a".
	Since []string `yaml:"since"`
	// After are words right after the unit that make it a length of time:
	// "fa" ("3 anni fa"), "ago", Urdu "se".
	After []string `yaml:"after"`
}

// NumberWords are a language's number words. Each is one word: compounds
// ("twenty one", "vingt et un") are read from their parts.
type NumberWords struct {
	// Words maps a number to its words. 0..9 are units, which join a
	// preceding ten ("twenty one"); 10..19 are teens; 20, 30, ... 90 are
	// tens, which take a following unit; any other number (21, 100) stands
	// alone.
	Words map[int][]string `yaml:"words"`
	// Articles are words for 1 that are also an article or a pronoun ("un",
	// "una"): they count only when the answer has no number in digits.
	Articles []string `yaml:"articles"`
	// And joins tens and units ("vingt et un", "twenty and one").
	And []string `yaml:"and"`
	// Special gives words a role in a counting system whose grammar the
	// parser knows, role: words. The roles are fr_quatre (4, and 80 before
	// vingt), fr_vingt (20, and 80 after quatre), fr_vingts (only after
	// quatre), fr_soixante (60, and 70..79 before a teen), fr_dix (10, and
	// 17..19 before sept..neuf), ar_ten (10, and the -teen after a unit:
	// ثلاثة عشر), ar_eleven_first and ar_twelve_first (أحد عشر, اثنا عشر)
	// and ar_and (و: also joined to the next word, وعشرون, and joining a
	// unit before the tens, واحد وعشرون).
	Special map[string][]string `yaml:"special"`
}

// DateWords are a language's date words.
type DateWords struct {
	// Relative maps the words for today, tomorrow, yesterday... to their
	// distance from today in days (0, 1, -1). A date made only of one of
	// them is that day. Chinese ones are found anywhere in a run of Chinese
	// text ("今天").
	Relative map[string]int `yaml:"relative"`
	// Months maps a month's name (or a phrase of up to MaxPhrase words) to
	// its number, 1..12. A name in Latin letters is also read abbreviated
	// (its first three letters or more: "mar", "sett") and with up to three
	// more letters at the end when it has four or more ("janarit" for
	// "janar"); names in other scripts only whole.
	Months map[string]int `yaml:"months"`
	// AfterYear, AfterMonth and AfterDay are written right after the
	// number of the year, the month and the day ("2015年3月12日"): a date
	// with them is read from them, in any order.
	AfterYear  []string `yaml:"after_year"`
	AfterMonth []string `yaml:"after_month"`
	AfterDay   []string `yaml:"after_day"`
	// Hours are written next to a number that is an hour of the day
	// ("alle 9", "9h", "9 pm", "9点"), one word each: such a number is not
	// a day of the month ("alle 9" at a question of days is not the 9th).
	// A Chinese word is found at the start of the Chinese right after the
	// number.
	Hours []string `yaml:"hours"`
	// Afternoon are words or phrases for the afternoon and the evening
	// ("pomeriggio", "pm", "下午"): an hour from 1 to 11 with one of them is
	// 13 to 23 ("alle 3 del pomeriggio", "下午三点").
	Afternoon []string `yaml:"afternoon"`
}

// roleWords are the roles of NumberWords.Special: words of the counting
// systems whose grammar wordNumber knows, named by the language and the
// word that has the role there.
var roleWords = map[string]numWord{
	"fr_quatre":       {val: 4, kind: wQuatre},   // 4, and 80 before vingt: quatre-vingts
	"fr_vingt":        {val: 20, kind: wVingtFr}, // 20, and 80 after quatre: quatre-vingt-un
	"fr_vingts":       {val: 80, kind: wVingtsFr},
	"fr_soixante":     {val: 60, kind: wSoixante}, // 60, and 70..79 before a teen
	"fr_dix":          {val: 10, kind: wDix},      // 10, and 17..19 before sept..neuf
	"ar_ten":          {val: 10, kind: wArTen},    // 10, and the -teen after a unit: ثلاثة عشر
	"ar_eleven_first": {val: 1, kind: wArPrefix},  // أحد عشر
	"ar_twelve_first": {val: 2, kind: wArPrefix},  // اثنا عشر
	// and, also joined to the next number word (وعشرون) and joining a unit
	// before the tens (واحد و عشرون)
	"ar_and": {kind: wAnd, joined: true},
}

// Limits of the words of a Lexicon.
const (
	// MaxPhrase is the most words a phrase can have (yes, no, unsure,
	// filler, relative days, months).
	MaxPhrase = 6
	// MaxHanWord is the most characters a Chinese word can have.
	MaxHanWord = 6
	// MaxNumberWord is the largest number a number word can be.
	MaxNumberWord = 1_000_000_000
	// MaxRelativeDays bounds the distance of a relative day from today.
	MaxRelativeDays = 366
)

// A Lexicon is the words the parsers read: the yes and no words, number
// words, month names and relative days of every language, merged, because
// people mix languages. It is built once by NewLexicon and never modified,
// so it is safe for concurrent use. A nil *Lexicon knows no words: digits
// and emoji still parse.
type Lexicon struct {
	yesNo     map[string]polarity // words and phrases (words joined by one space)
	hanYesNo  map[string]polarity // Chinese words, matched inside runs of Chinese
	maxPhrase int                 // words in the longest phrase of yesNo
	maxHan    int                 // characters in the longest word of hanYesNo

	nums      map[string]numWord
	andJoined []string // "and" words written joined to the next number word

	relative    map[string]int  // words and phrases
	maxRelative int             // words in the longest phrase of relative
	hanRelative []hanDay        // Chinese words, longest first
	months      map[string]int  // names and phrases, whole
	maxMonth    int             // words in the longest phrase of months
	abbrev      []monthName     // names in Latin letters, also read abbreviated
	markers     []marker        // words after the numbers of a date, longest first
	hours       map[string]bool // words next to the number of an hour
	hanHours    []string        // Chinese words after the number of an hour
	afternoon   []string        // words and phrases of the afternoon, folded
	ageUnits    map[string]bool // words after the number of an age
	hanAgeUnits []string        // Chinese words after the number of an age
	ageSince    map[string]bool // words and phrases before a length of time
	ageAfter    map[string]bool // words after the unit of a length of time
}

type hanDay struct {
	word string
	days int
}

type monthName struct {
	name  string
	month int
}

// dateField is the part of a date a marker follows.
type dateField uint8

const (
	fYear dateField = iota + 1
	fMonth
	fDay
)

type marker struct {
	word  string
	field dateField
}

// empty is what a nil *Lexicon reads with.
var empty Lexicon

func (l *Lexicon) orEmpty() *Lexicon {
	if l == nil {
		return &empty
	}
	return l
}

// A WordError is a problem with one word of a language's Words.
type WordError struct {
	Lang string // the language of the Words
	// Field is where the word is, by its YAML keys: "yes",
	// "numbers.words.12", "numbers.special.fr_dix", "dates.months".
	Field string
	Word  string // as written
	Msg   string
}

func (e *WordError) Error() string {
	return fmt.Sprintf("%s: %s: %q %s", e.Lang, e.Field, e.Word, e.Msg)
}

// origin is where a word was first seen, for conflicts.
type origin struct {
	lang, field, word string
}

func (o origin) String() string { return fmt.Sprintf("%q (%s, %s)", o.word, o.lang, o.field) }

type builder struct {
	l    *Lexicon
	errs []error
	seen map[string]origin // kind of table + key → first origin
}

func (b *builder) fail(lang, field, word, format string, args ...any) {
	b.errs = append(b.errs, &WordError{Lang: lang, Field: field, Word: word, Msg: fmt.Sprintf(format, args...)})
}

// NewLexicon merges the words of several languages. The error lists every
// problem, each a *WordError (errors.Join): a word that folds to nothing, a
// word with two meanings (yes in one place and no in another, or two
// numbers), an unknown number role, a month out of 1..12, a word that
// cannot be matched where it is (a number word of two words, a Chinese word
// mixed with other letters). The same word with the same meaning in two
// languages is fine.
func NewLexicon(words ...Words) (*Lexicon, error) {
	b := &builder{
		l: &Lexicon{
			yesNo: map[string]polarity{}, hanYesNo: map[string]polarity{},
			nums: map[string]numWord{}, relative: map[string]int{}, months: map[string]int{},
			hours: map[string]bool{}, ageUnits: map[string]bool{}, ageSince: map[string]bool{}, ageAfter: map[string]bool{},
		},
		seen: map[string]origin{},
	}
	for _, w := range words {
		b.add(w)
	}
	l := b.l
	slices.SortFunc(l.hanRelative, func(a, b hanDay) int {
		return cmp.Or(cmp.Compare(len(b.word), len(a.word)), strings.Compare(a.word, b.word))
	})
	slices.SortFunc(l.markers, func(a, b marker) int {
		return cmp.Or(cmp.Compare(len(b.word), len(a.word)), strings.Compare(a.word, b.word))
	})
	slices.SortFunc(l.abbrev, func(a, b monthName) int { return strings.Compare(a.name, b.name) })
	slices.Sort(l.andJoined)
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return l, nil
}

var polarityNames = [...]string{pYes: "yes", pNo: "no", pUnsure: "unsure", pFiller: "filler", pSoloYes: "solo_yes", pSoloNo: "solo_no"}

func (b *builder) add(w Words) {
	l := b.l
	lists := []struct {
		p     polarity
		words []string
	}{{pYes, w.Yes}, {pNo, w.No}, {pUnsure, w.Unsure}, {pFiller, w.Filler}, {pSoloYes, w.SoloYes}, {pSoloNo, w.SoloNo}}
	for _, list := range lists {
		field := polarityNames[list.p]
		for _, raw := range list.words {
			k, han, ok := b.key(w.Lang, field, raw, true)
			if !ok {
				continue
			}
			if prev, dup := b.first("yn", k, origin{w.Lang, field, raw}); dup {
				if q := l.polarityOf(k, han); q != list.p {
					b.fail(w.Lang, field, raw, "is %s, but %s is %s", field, prev, polarityNames[q])
				}
				continue
			}
			if han {
				l.hanYesNo[k] = list.p
				l.maxHan = max(l.maxHan, utf8.RuneCountInString(k))
			} else {
				l.yesNo[k] = list.p
				l.maxPhrase = max(l.maxPhrase, strings.Count(k, " ")+1)
			}
		}
	}

	addNum := func(field, raw string, nw numWord) {
		k, _, ok := b.wordKey(w.Lang, field, raw, false)
		if !ok {
			return
		}
		if prev, dup := b.first("num", k, origin{w.Lang, field, raw}); dup {
			if q := l.nums[k]; q != nw {
				b.fail(w.Lang, field, raw, "is %s, but %s is %s", nw, prev, q)
			}
			return
		}
		l.nums[k] = nw
		if nw.joined {
			l.andJoined = append(l.andJoined, k)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(w.Numbers.Words)) {
		field := fmt.Sprintf("numbers.words.%d", v)
		var nw numWord
		switch {
		case v < 0 || v > MaxNumberWord:
			for _, raw := range w.Numbers.Words[v] {
				b.fail(w.Lang, field, raw, "is %d: a number word is 0 to %d", v, MaxNumberWord)
			}
			continue
		case v <= 9:
			nw = numWord{val: v, kind: wUnit}
		case v <= 19:
			nw = numWord{val: v, kind: wTeen}
		case v <= 99:
			nw = numWord{val: v, kind: wTens}
		default:
			nw = numWord{val: v, kind: wHundred}
		}
		for _, raw := range w.Numbers.Words[v] {
			addNum(field, raw, nw)
		}
	}
	for _, raw := range w.Numbers.Articles {
		addNum("numbers.articles", raw, numWord{val: 1, kind: wUnit, weak: true})
	}
	for _, raw := range w.Numbers.And {
		addNum("numbers.and", raw, numWord{kind: wAnd})
	}
	for _, role := range slices.Sorted(maps.Keys(w.Numbers.Special)) {
		nw, ok := roleWords[role]
		if !ok {
			b.fail(w.Lang, "numbers.special", role, "is not a role the parser knows: %s", strings.Join(slices.Sorted(maps.Keys(roleWords)), ", "))
			continue
		}
		for _, raw := range w.Numbers.Special[role] {
			addNum("numbers.special."+role, raw, nw)
		}
	}

	for _, raw := range slices.Sorted(maps.Keys(w.Dates.Relative)) {
		days := w.Dates.Relative[raw]
		const field = "dates.relative"
		if days < -MaxRelativeDays || days > MaxRelativeDays {
			b.fail(w.Lang, field, raw, "is %d days from today: at most %d either way", days, MaxRelativeDays)
			continue
		}
		k, han, ok := b.key(w.Lang, field, raw, false)
		if !ok || (han && !b.hanNumeral(w.Lang, field, raw, k)) {
			continue
		}
		if prev, dup := b.first("rel", k, origin{w.Lang, field, raw}); dup {
			if d := l.relativeDays(k, han); d != days {
				b.fail(w.Lang, field, raw, "is %d days from today, but %s is %d", days, prev, d)
			}
			continue
		}
		if han {
			l.hanRelative = append(l.hanRelative, hanDay{k, days})
			continue
		}
		l.relative[k] = days
		l.maxRelative = max(l.maxRelative, strings.Count(k, " ")+1)
	}
	for _, raw := range slices.Sorted(maps.Keys(w.Dates.Months)) {
		m := w.Dates.Months[raw]
		const field = "dates.months"
		if m < 1 || m > 12 {
			b.fail(w.Lang, field, raw, "is month %d: months are 1 to 12", m)
			continue
		}
		k, han, ok := b.key(w.Lang, field, raw, false)
		if !ok {
			continue
		}
		if han {
			b.fail(w.Lang, field, raw, "is in Chinese characters: Chinese months are read from their number and the word after it (after_month: [月])")
			continue
		}
		if prev, dup := b.first("month", k, origin{w.Lang, field, raw}); dup {
			if l.months[k] != m {
				b.fail(w.Lang, field, raw, "is month %d, but %s is month %d", m, prev, l.months[k])
			}
			continue
		}
		l.months[k] = m
		n := strings.Count(k, " ") + 1
		l.maxMonth = max(l.maxMonth, n)
		if n == 1 && isLatin(k) {
			l.abbrev = append(l.abbrev, monthName{k, m})
		}
	}
	fields := []struct {
		f     dateField
		name  string
		words []string
	}{{fYear, "dates.after_year", w.Dates.AfterYear}, {fMonth, "dates.after_month", w.Dates.AfterMonth}, {fDay, "dates.after_day", w.Dates.AfterDay}}
	for _, fw := range fields {
		for _, raw := range fw.words {
			k, han, ok := b.wordKey(w.Lang, fw.name, raw, true)
			if !ok || (han && !b.hanNumeral(w.Lang, fw.name, raw, k)) {
				continue
			}
			if prev, dup := b.first("marker", k, origin{w.Lang, fw.name, raw}); dup {
				if prev.field != fw.name {
					b.fail(w.Lang, fw.name, raw, "is in %s, but %s", fw.name, prev)
				}
				continue
			}
			l.markers = append(l.markers, marker{k, fw.f})
		}
	}
	for _, raw := range w.Dates.Hours {
		k, han, ok := b.wordKey(w.Lang, "dates.hours", raw, true)
		if !ok || (han && !b.hanNumeral(w.Lang, "dates.hours", raw, k)) {
			continue
		}
		if _, dup := b.first("hour", k, origin{w.Lang, "dates.hours", raw}); dup {
			continue
		}
		if han {
			l.hanHours = append(l.hanHours, k)
		} else {
			l.hours[k] = true
		}
	}
	for _, raw := range w.Dates.Afternoon {
		if k, _, ok := b.key(w.Lang, "dates.afternoon", raw, false); ok && !slices.Contains(l.afternoon, k) {
			l.afternoon = append(l.afternoon, k)
		}
	}
	for _, raw := range w.Ages.Units {
		k, han, ok := b.wordKey(w.Lang, "ages.units", raw, true)
		if !ok || (han && !b.hanNumeral(w.Lang, "ages.units", raw, k)) {
			continue
		}
		if han {
			if !slices.Contains(l.hanAgeUnits, k) {
				l.hanAgeUnits = append(l.hanAgeUnits, k)
			}
		} else {
			l.ageUnits[k] = true
		}
	}
	for _, raw := range w.Ages.Since {
		if k, _, ok := b.key(w.Lang, "ages.since", raw, false); ok {
			if strings.Count(k, " ") >= 3 {
				b.fail(w.Lang, "ages.since", raw, "has more than three words")
				continue
			}
			l.ageSince[k] = true
		}
	}
	for _, raw := range w.Ages.After {
		if k, _, ok := b.wordKey(w.Lang, "ages.after", raw, false); ok {
			l.ageAfter[k] = true
		}
	}
}

// first records o as where key k of table t is first seen and reports
// false; when k was seen before it returns that first origin and true.
func (b *builder) first(t, k string, o origin) (origin, bool) {
	id := t + "\x00" + k
	if prev, dup := b.seen[id]; dup {
		return prev, true
	}
	b.seen[id] = o
	return o, false
}

func (l *Lexicon) polarityOf(k string, han bool) polarity {
	if han {
		return l.hanYesNo[k]
	}
	return l.yesNo[k]
}

func (l *Lexicon) relativeDays(k string, han bool) int {
	if !han {
		return l.relative[k]
	}
	for _, d := range l.hanRelative {
		if d.word == k {
			return d.days
		}
	}
	return 0
}

// key folds raw and checks that it can be matched: not empty, at most
// MaxPhrase words, and a Chinese word (han) made of Chinese characters only
// and at most MaxHanWord of them. digits allows digits ("na3am").
func (b *builder) key(lang, field, raw string, digits bool) (k string, han, ok bool) {
	if len(raw) > fold.MaxInput {
		b.fail(lang, field, raw, "is longer than an answer can be")
		return "", false, false
	}
	k = fold.String(raw)
	if k == "" {
		b.fail(lang, field, raw, "has no letters")
		return "", false, false
	}
	nHan, nOther := 0, 0
	for _, r := range k {
		switch {
		case unicode.Is(unicode.Han, r):
			nHan++
		case r == ' ':
			nOther++
		case !digits && unicode.IsDigit(r):
			b.fail(lang, field, raw, "has digits: write the word in letters")
			return "", false, false
		default:
			nOther++
		}
	}
	if nHan > 0 {
		if nOther > 0 {
			b.fail(lang, field, raw, "mixes Chinese characters with other letters or spaces: write them as separate words")
			return "", false, false
		}
		if nHan > MaxHanWord {
			b.fail(lang, field, raw, "has %d Chinese characters: at most %d", nHan, MaxHanWord)
			return "", false, false
		}
		return k, true, true
	}
	if n := strings.Count(k, " ") + 1; n > MaxPhrase {
		b.fail(lang, field, raw, "has %d words: at most %d", n, MaxPhrase)
		return "", false, false
	}
	return k, false, true
}

// wordKey is key for one word: numbers, and the words after a date's
// numbers. Number words cannot be Chinese (Chinese numerals are read as
// digits); hanOK allows it.
func (b *builder) wordKey(lang, field, raw string, hanOK bool) (string, bool, bool) {
	k, han, ok := b.key(lang, field, raw, false)
	if !ok {
		return "", false, false
	}
	if han && !hanOK {
		b.fail(lang, field, raw, "is in Chinese characters: Chinese numerals are read as digits, not as words")
		return "", false, false
	}
	if strings.Contains(k, " ") {
		b.fail(lang, field, raw, "is more than one word (%q): list one word; compounds are read from their parts", k)
		return "", false, false
	}
	return k, han, true
}

// hanNumeral reports false, with an error, when the Chinese word k has a
// numeral, which the parsers read as a number and so never as part of a
// word.
func (b *builder) hanNumeral(lang, field, raw, k string) bool {
	for _, r := range k {
		if isHanNumeral(r) {
			b.fail(lang, field, raw, "has the Chinese numeral %c, which is read as a number", r)
			return false
		}
	}
	return true
}

// isLatin reports whether k is made of the letters a..z (and spaces).
func isLatin(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && c != ' ' {
			return false
		}
	}
	return true
}

func (nw numWord) String() string {
	switch nw.kind {
	case wUnit:
		if nw.weak {
			return "an article for 1"
		}
		return fmt.Sprintf("number %d", nw.val)
	case wTeen, wTens, wHundred:
		return fmt.Sprintf("number %d", nw.val)
	case wAnd:
		if nw.joined {
			return "ar_and"
		}
		return "and"
	}
	for role, rw := range roleWords {
		if rw == nw {
			return role
		}
	}
	return "a number word"
}
