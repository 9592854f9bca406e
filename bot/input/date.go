package input

import (
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
// Month names and their abbreviations are read in Italian, English, French
// and Albanian ("12 marzo 2015", "12 mar 2015", "March 12, 2015", "1er mars
// 2015", "12 shtator 2015", "12 janarit 2015"), in Arabic (Egyptian and Gulf
// يناير..ديسمبر, Maghreb جانفي فيفري أفريل ماي جوان جويليه أوت, Moroccan
// يوليوز غشت شتنبر نونبر دجنبر, Levantine كانون الثاني..كانون الأول) and in
// Chinese ("2015年3月12日", "二〇一五年三月十二日"). With a month name the
// four-digit number is the year; if both numbers are short, the first is the
// day.
//
// Two-digit years ("12/3/15") are read in the hundred years that end
// MaxYearsAhead years after now: with now in 2026, 00..36 are 2000..2036 and
// 37..99 are 1937..1999. BirthDate reads them in the hundred years that end
// now instead.
//
// The words for today, tomorrow and yesterday (and the day after tomorrow)
// in the six languages ("oggi", "domani", "demain", "nesër", "غدا", "明天")
// are read relative to now, and only when they are the whole date.
//
// Impossible dates (31/02/2015), years before MinYear or more than
// MaxYearsAhead years after now's, incomplete dates ("12 marzo", "03/2015")
// and texts with other numbers ("dal 12 al 15 marzo") are rejected.
func Date(text string, now time.Time) (time.Time, bool) {
	return parseDate(text, now, now.Year()+MaxYearsAhead)
}

// BirthDate is Date for a date of birth: two-digit years are read in the
// hundred years that end now (with now in 2026, 00..26 are 2000..2026 and
// 27..99 are 1927..1999), and dates after now's day are rejected.
func BirthDate(text string, now time.Time) (time.Time, bool) {
	d, ok := parseDate(text, now, now.Year())
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
func parseDate(text string, now time.Time, pivot int) (time.Time, bool) {
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
	zy, zm, zd := -1, -1, -1 // the numbers before 年, 月, 日
	for i, t := range toks {
		switch {
		case t.kind == tNum:
			if n == len(nums) || len(t.text) > 8 {
				return time.Time{}, false
			}
			v, _ := parseDigits(t.text)
			nums[n] = dateNum{v: int(v), digits: len(t.text)}
			n++
		case t.han:
			if r, ok := hanRelative(t.text); ok {
				if nrel == 0 || r != rel {
					rel, nrel = r, nrel+1
				}
				continue
			}
			if i == 0 || toks[i-1].kind != tNum {
				continue
			}
			switch c, _ := utf8.DecodeRuneInString(t.text); c {
			case '年':
				zy = n - 1
			case '月':
				zm = n - 1
			case '日', '号', '號':
				zd = n - 1
			}
		default:
			if r, ok := relativeWords[t.text]; ok {
				if nrel == 0 || r != rel {
					rel, nrel = r, nrel+1
				}
				continue
			}
			m := monthOf(toks, i)
			if m == 0 {
				continue
			}
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

// relativeWords are the folded words for today (0), tomorrow (1), the day
// after (2) and yesterday (-1). French "aujourd'hui" folds to "aujourd hui".
var relativeWords = map[string]int{
	"oggi": 0, "today": 0, "aujourd": 0, "aujourdhui": 0, "auj": 0, "sot": 0, "اليوم": 0,
	"domani": 1, "tomorrow": 1, "demain": 1, "neser": 1, "nesr": 1,
	"غدا": 1, "بكره": 1, "بكرا": 1, "غدوه": 1, "غدوا": 1,
	"dopodomani": 2, "pasneser": 2,
	"ieri": -1, "yesterday": -1, "hier": -1, "dje": -1, "امس": -1, "البارحه": -1, "البارح": -1,
}

// hanRelative finds today, tomorrow, the day after or yesterday in a run of
// Chinese characters.
func hanRelative(s string) (int, bool) {
	switch {
	case strings.Contains(s, "今天"), strings.Contains(s, "今日"):
		return 0, true
	case strings.Contains(s, "明天"):
		return 1, true
	case strings.Contains(s, "后天"):
		return 2, true
	case strings.Contains(s, "昨天"):
		return -1, true
	}
	return 0, false
}

// latinMonths are the month names of Italian, English, French and Albanian,
// folded. Their abbreviations are their prefixes ("mar", "sept", "janv",
// "shk").
var latinMonths = [...]struct {
	name  string
	month int
}{
	{"gennaio", 1}, {"febbraio", 2}, {"marzo", 3}, {"aprile", 4}, {"maggio", 5}, {"giugno", 6},
	{"luglio", 7}, {"agosto", 8}, {"settembre", 9}, {"ottobre", 10}, {"novembre", 11}, {"dicembre", 12},
	{"january", 1}, {"february", 2}, {"march", 3}, {"april", 4}, {"may", 5}, {"june", 6},
	{"july", 7}, {"august", 8}, {"september", 9}, {"october", 10}, {"november", 11}, {"december", 12},
	{"janvier", 1}, {"fevrier", 2}, {"mars", 3}, {"avril", 4}, {"mai", 5}, {"juin", 6},
	{"juillet", 7}, {"aout", 8}, {"septembre", 9}, {"octobre", 10}, {"novembre", 11}, {"decembre", 12},
	{"janar", 1}, {"shkurt", 2}, {"mars", 3}, {"prill", 4}, {"maj", 5}, {"qershor", 6},
	{"korrik", 7}, {"gusht", 8}, {"shtator", 9}, {"tetor", 10}, {"nentor", 11}, {"dhjetor", 12},
	{"maji", 5}, {"majit", 5},
}

// arabicMonths are the Arabic month names, folded ("أ", "إ", "آ" are "ا"):
// the Egyptian and Gulf names, the Maghreb (Algerian and Tunisian) and
// Moroccan ones, and the Syriac names of the Levant and Iraq. The Levantine
// names in two words (كانون الثاني) are in monthOf.
var arabicMonths = map[string]int{
	"يناير": 1, "جانفي": 1,
	"فبراير": 2, "فيفري": 2, "شباط": 2,
	"مارس": 3, "اذار": 3,
	"ابريل": 4, "افريل": 4, "نيسان": 4,
	"مايو": 5, "ماي": 5, "ايار": 5, "مايس": 5,
	"يونيو": 6, "يونيه": 6, "جوان": 6, "حزيران": 6,
	"يوليو": 7, "يوليه": 7, "جويليه": 7, "يوليوز": 7, "تموز": 7,
	"اغسطس": 8, "اوت": 8, "غشت": 8, "اب": 8,
	"سبتمبر": 9, "شتنبر": 9, "ايلول": 9,
	"اكتوبر": 10,
	"نوفمبر": 11, "نونبر": 11,
	"ديسمبر": 12, "دجنبر": 12,
}

// monthOf returns the month named by the word toks[i] (folded), or 0.
func monthOf(toks []token, i int) int {
	w := toks[i].text
	if m, ok := arabicMonths[w]; ok {
		return m
	}
	if w == "كانون" || w == "تشرين" {
		if i+1 >= len(toks) || toks[i+1].kind != tWord {
			return 0
		}
		first, second := 1, 12 // كانون الثاني, كانون الأول
		if w == "تشرين" {
			first, second = 11, 10
		}
		switch toks[i+1].text {
		case "الثاني", "ثاني":
			return first
		case "الاول", "اول":
			return second
		}
		return 0
	}
	if len(w) < 3 || w[0] >= utf8.RuneSelf {
		return 0
	}
	found := 0
	for _, lm := range latinMonths {
		switch {
		case lm.name == w:
			return lm.month
		case strings.HasPrefix(lm.name, w),
			// definite and inflected forms: "janarit", "marsi"
			len(lm.name) >= 4 && len(w)-len(lm.name) <= 3 && strings.HasPrefix(w, lm.name):
			if found != 0 && found != lm.month {
				return 0 // "jui": juin or juillet
			}
			found = lm.month
		}
	}
	return found
}
