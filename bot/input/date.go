package input

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MinYear is the earliest year Date accepts.
const MinYear = 1900

// MaxYearsAhead is how many years after now's year Date accepts.
const MaxYearsAhead = 10

// Date reads a calendar date and returns it at 00:00 in now's location.
//
// Numeric dates are day first, always (this is Italy): "12/03/2015",
// "12-3-2015", "12.03.2015", "12 03 2015", "12032015"; the only year-first
// form is the ISO one, "2015-03-12" (and "2015/3/12", the Chinese order),
// recognised by its four-digit first number. Digits of any script count
// ("١٢/٠٣/٢٠١٥").
//
// Month names are the Lexicon's, from locales/words: in Italian, English,
// French and Albanian, also abbreviated and inflected ("12 marzo 2015", "12
// mar 2015", "March 12, 2015", "1er mars 2015", "12 shtator 2015", "12
// janarit 2015"), and in Arabic (Egyptian and Gulf يناير..ديسمبر, Maghreb
// جانفي فيفري أفريل ماي جوان جويليه أوت, Moroccan يوليوز غشت شتنبر نونبر
// دجنبر, Levantine كانون الثاني..كانون الأول). Chinese dates are read from the
// words after their numbers ("2015年3月12日", "二〇一五年三月十二日"). With a
// month name the four-digit number is the year; if both numbers are short,
// the first is the day.
//
// Two-digit years ("12/3/15") are read in the hundred years that end
// MaxYearsAhead years after now: with now in 2026, 00..36 are 2000..2036 and
// 37..99 are 1937..1999. BirthDate reads them in the hundred years that end
// now instead.
//
// The words for today, tomorrow and yesterday (and the day after tomorrow)
// of the Lexicon ("oggi", "domani", "demain", "nesër", "غدا", "明天") are
// read relative to now, and only when they are the whole date. A nil
// Lexicon reads numeric dates only.
//
// Impossible dates (31/02/2015), years before MinYear or more than
// MaxYearsAhead years after now's, incomplete dates ("12 marzo", "03/2015")
// and texts with other numbers ("dal 12 al 15 marzo") are rejected.
func (l *Lexicon) Date(text string, now time.Time) (time.Time, bool) {
	return l.orEmpty().parseDate(text, now, now.Year()+MaxYearsAhead)
}

// BirthDate is Date for a date of birth: two-digit years are read in the
// hundred years that end now (with now in 2026, 00..26 are 2000..2026 and
// 27..99 are 1927..1999), and dates after now's day are rejected.
func (l *Lexicon) BirthDate(text string, now time.Time) (time.Time, bool) {
	d, ok := l.orEmpty().parseDate(text, now, now.Year())
	if !ok {
		return time.Time{}, false
	}
	y, m, dd := now.Date()
	if d.After(time.Date(y, m, dd, 0, 0, 0, 0, now.Location())) {
		return time.Time{}, false
	}
	return d, true
}

// dateNum is one number of a date: its value and how many digits it has.
type dateNum struct {
	v, digits int
}

// parseDate reads a date; pivot is the last year a two-digit year can mean.
func (l *Lexicon) parseDate(text string, now time.Time, pivot int) (time.Time, bool) {
	s, ok := bound(text)
	if !ok || s == "" {
		return time.Time{}, false
	}
	var buf [maxTokens]token
	toks, ok := tokenize(s, buf[:0])
	if !ok {
		return time.Time{}, false
	}
	foldWords(toks)

	var nums [3]dateNum
	n := 0
	month := 0               // from a month name
	rel, nrel := 0, 0        // relative day, and how many different ones
	zy, zm, zd := -1, -1, -1 // the numbers before the words of year, month, day (年, 月, 日)
	note := func(r int) {
		if nrel == 0 || r != rel {
			rel, nrel = r, nrel+1
		}
	}
	mark := func(f dateField) {
		switch f {
		case fYear:
			zy = n - 1
		case fMonth:
			zm = n - 1
		case fDay:
			zd = n - 1
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		afterNum := i > 0 && toks[i-1].kind == tNum
		switch {
		case t.kind == tNum:
			if n == len(nums) || len(t.text) > 8 {
				return time.Time{}, false
			}
			v, _ := parseDigits(t.text)
			nums[n] = dateNum{v: int(v), digits: len(t.text)}
			n++
		case t.han:
			if l.hanDays(t.text, note) {
				continue
			}
			if afterNum {
				mark(l.marker(t.text))
			}
		default:
			if r, words, ok := l.relativeAt(toks, i); ok {
				note(r)
				i += words - 1
				continue
			}
			if afterNum {
				if f := l.marker(t.text); f != 0 {
					mark(f)
					continue
				}
			}
			m, words := l.monthAt(toks, i)
			if m == 0 {
				continue
			}
			i += words - 1
			if month != 0 && month != m {
				return time.Time{}, false
			}
			month = m
		}
	}

	var y, m, d dateNum
	switch {
	case nrel > 0:
		if n > 0 || month != 0 || nrel > 1 {
			return time.Time{}, false
		}
		yy, mm, dd := now.Date()
		t := time.Date(yy, mm, dd+rel, 0, 0, 0, 0, now.Location())
		if !inBounds(t.Year(), now) {
			return time.Time{}, false
		}
		return t, true
	case zy >= 0 || zm >= 0 || zd >= 0:
		if zy < 0 || zm < 0 || zd < 0 || n != 3 || month != 0 {
			return time.Time{}, false
		}
		y, m, d = nums[zy], nums[zm], nums[zd]
		if y.digits > 2 && y.digits != 4 {
			return time.Time{}, false
		}
	case month != 0:
		if n != 2 {
			return time.Time{}, false
		}
		m = dateNum{v: month, digits: 2}
		switch {
		case nums[0].digits <= 2 && nums[1].digits == 4:
			d, y = nums[0], nums[1]
		case nums[0].digits == 4 && nums[1].digits <= 2:
			y, d = nums[0], nums[1]
		case nums[0].digits <= 2 && nums[1].digits == 2:
			d, y = nums[0], nums[1]
		default:
			return time.Time{}, false
		}
	case n == 3:
		switch {
		case nums[0].digits == 4 && nums[1].digits <= 2 && nums[2].digits <= 2:
			y, m, d = nums[0], nums[1], nums[2]
		case nums[0].digits <= 2 && nums[1].digits <= 2 && (nums[2].digits == 2 || nums[2].digits == 4):
			d, m, y = nums[0], nums[1], nums[2]
		default:
			return time.Time{}, false
		}
	case n == 1 && nums[0].digits == 8:
		// ddmmyyyy, or yyyymmdd: the month of one is the century of the
		// other (19, 20), so at most one of them is a valid date.
		v := nums[0].v
		if t, ok := checkDate(v%10000, v/10000%100, v/1000000, now); ok {
			return t, true
		}
		return checkDate(v/10000, v/100%100, v%100, now)
	case n == 1 && nums[0].digits == 6: // ddmmyy
		v := nums[0].v
		d, m, y = dateNum{v / 10000, 2}, dateNum{v / 100 % 100, 2}, dateNum{v % 100, 2}
	default:
		return time.Time{}, false
	}
	if d.digits > 2 || m.digits > 2 {
		return time.Time{}, false
	}
	year := y.v
	switch y.digits {
	case 4:
	case 2:
		year = pivot/100*100 + y.v
		if year > pivot {
			year -= 100
		}
	default:
		return time.Time{}, false
	}
	return checkDate(year, m.v, d.v, now)
}

// checkDate returns the date y-m-d at 00:00 in now's location, and false
// when it does not exist (31/02) or its year is out of bounds.
func checkDate(y, m, d int, now time.Time) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || !inBounds(y, now) {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, now.Location())
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, false
	}
	return t, true
}

// inBounds reports whether Date accepts year y.
func inBounds(y int, now time.Time) bool {
	return y >= MinYear && y <= now.Year()+MaxYearsAhead
}

// hanDays finds the Lexicon's words for today, tomorrow, yesterday... in a
// run of Chinese characters, the longest at each position, and notes each.
// It reports whether it found one.
func (l *Lexicon) hanDays(s string, note func(int)) bool {
	if len(l.hanRelative) == 0 {
		return false
	}
	found := false
	for i := 0; i < len(s); {
		matched := false
		for _, d := range l.hanRelative {
			if strings.HasPrefix(s[i:], d.word) {
				note(d.days)
				i += len(d.word)
				found, matched = true, true
				break
			}
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return found
}

// maxKey bounds the bytes of a phrase looked up in the Lexicon's tables.
const maxKey = 128

// phrase writes the folded words toks[i:i+n] joined by spaces into buf and
// returns them, or false when they are not all words (not Chinese) or do
// not fit.
func phrase(toks []token, i, n int, buf *[maxKey]byte) ([]byte, bool) {
	k := buf[:0]
	for j := i; j < i+n; j++ {
		if toks[j].kind != tWord || toks[j].han || len(k)+1+len(toks[j].text) > len(buf) {
			return nil, false
		}
		if j > i {
			k = append(k, ' ')
		}
		k = append(k, toks[j].text...)
	}
	return k, true
}

// relativeAt returns the relative day named by the longest word or phrase
// of the Lexicon at toks[i], and how many words it has.
func (l *Lexicon) relativeAt(toks []token, i int) (days, words int, ok bool) {
	var buf [maxKey]byte
	for n := min(l.maxRelative, len(toks)-i); n > 1; n-- {
		if k, fits := phrase(toks, i, n, &buf); fits {
			if d, ok := l.relative[string(k)]; ok {
				return d, n, true
			}
		}
	}
	d, ok := l.relative[toks[i].text]
	return d, 1, ok
}

// marker returns the part of a date that the word w (folded) follows, by
// the Lexicon's words that start it ("年", "月", "日"), or 0.
func (l *Lexicon) marker(w string) dateField {
	for _, m := range l.markers {
		if strings.HasPrefix(w, m.word) {
			return m.field
		}
	}
	return 0
}

// monthAt returns the month named at toks[i] (folded) and how many words
// name it, or 0: a month of the Lexicon, the longest phrase first, or an
// abbreviated or inflected name in Latin letters.
func (l *Lexicon) monthAt(toks []token, i int) (month, words int) {
	var buf [maxKey]byte
	for n := min(l.maxMonth, len(toks)-i); n > 1; n-- {
		if k, fits := phrase(toks, i, n, &buf); fits {
			if m, ok := l.months[string(k)]; ok {
				return m, n
			}
		}
	}
	w := toks[i].text
	if m, ok := l.months[w]; ok {
		return m, 1
	}
	if len(w) < 3 || w[0] >= utf8.RuneSelf {
		return 0, 1
	}
	found := 0
	for _, lm := range l.abbrev {
		if strings.HasPrefix(lm.name, w) ||
			// definite and inflected forms: "janarit", "marsi"
			len(lm.name) >= 4 && len(w)-len(lm.name) <= 3 && strings.HasPrefix(w, lm.name) {
			if found != 0 && found != lm.month {
				return 0, 1 // "jui": juin or juillet
			}
			found = lm.month
		}
	}
	return found, 1
}

// SaysHour reports whether text writes an hour of the day: a number next to
// one of the Lexicon's hour words ("alle 9", "9h", "9 pm", "9点") or
// written with its minutes ("9:30"). At a question of days such a number is
// not the day of the month.
func (l *Lexicon) SaysHour(text string) bool {
	l = l.orEmpty()
	var buf [maxTokens]token
	toks, ok := wordTokens(text, buf[:0])
	if !ok {
		return false
	}
	for i, t := range toks {
		if t.kind != tNum {
			continue
		}
		if i > 0 && toks[i-1].kind == tWord && l.hours[toks[i-1].text] {
			return true
		}
		if i+1 == len(toks) {
			continue
		}
		next := toks[i+1]
		switch {
		case next.kind == tNum && !t.han && !next.han && len(next.text) == 2 && strings.TrimSpace(next.pre) == ":":
			return true
		case next.kind == tWord && next.han:
			if next.pre == "" && slices.ContainsFunc(l.hanHours, func(h string) bool { return strings.HasPrefix(next.text, h) }) {
				return true
			}
		case next.kind == tWord && l.hours[next.text]:
			return true
		}
	}
	return false
}

// Hour reads the hour of the day a text asks for, 0 to 23: the first number
// of it, with the afternoon's words making 1 to 11 into 13 to 23 ("alle 3
// del pomeriggio", "3pm", "下午三点" are 15), or -1 and false when it writes
// no number that can be an hour. A number alone counts: at a question of
// times it is one.
func (l *Lexicon) Hour(text string) (int, bool) {
	l = l.orEmpty()
	var buf [maxTokens]token
	toks, ok := wordTokens(text, buf[:0])
	if !ok {
		return -1, false
	}
	hour := -1
	for _, t := range toks {
		if t.kind == tNum {
			if n, err := strconv.Atoi(t.text); err == nil && n <= 23 {
				hour = n
			}
			break
		}
	}
	if hour < 0 {
		return -1, false
	}
	if hour >= 1 && hour <= 11 && l.saysAfternoon(toks) {
		hour += 12
	}
	return hour, true
}

// SaysAfternoon reports whether text names the afternoon or the evening
// ("pomeriggio", "下午", "in the afternoon").
func (l *Lexicon) SaysAfternoon(text string) bool {
	l = l.orEmpty()
	var buf [maxTokens]token
	toks, ok := wordTokens(text, buf[:0])
	if !ok {
		return false
	}
	return l.saysAfternoon(toks)
}

func (l *Lexicon) saysAfternoon(toks []token) bool {
	var words []string
	for _, t := range toks {
		if t.kind != tWord {
			continue
		}
		if t.han {
			for _, a := range l.afternoon {
				if strings.Contains(t.text, a) {
					return true
				}
			}
			continue
		}
		words = append(words, t.text)
	}
	line := " " + strings.Join(words, " ") + " "
	for _, a := range l.afternoon {
		if strings.Contains(line, " "+a+" ") {
			return true
		}
	}
	return false
}

// wordTokens are the tokens of text, its words folded (into buf), or false when
// the text is empty or too long to be an answer.
func wordTokens(text string, buf []token) ([]token, bool) {
	s, ok := bound(text)
	if !ok || s == "" {
		return nil, false
	}
	toks, ok := tokenize(s, buf)
	if !ok {
		return nil, false
	}
	foldWords(toks)
	return toks, true
}
