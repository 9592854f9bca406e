package input

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode"

	"teamsbot/internal/fold"
)

// long is a 10,000-character answer.
var long = strings.Repeat("1", 10000)

// now is the clock of the date tests: 15 March 2026, 10:30, Italian winter time.
var now = time.Date(2026, 3, 15, 10, 30, 0, 0, time.FixedZone("CET", 3600))

var numberCases = []struct {
	in string
	v  float64
	ok bool
}{
	{"12", 12, true},
	{" 12 ", 12, true},
	{"12 anni", 12, true},
	{"I am 12", 12, true},
	{"I am 12 years old", 12, true},
	{"j'ai 12 ans", 12, true},
	{"12,5", 12.5, true},
	{"12.5", 12.5, true},
	{"0,5", 0.5, true},
	{"0.500", 0.5, true},
	{"1234,567", 1234.567, true},
	{"-3", -3, true},
	{"−3", -3, true},
	{"ho -3 gradi", -3, true},
	{"-0", 0, true},
	{"007", 7, true},
	{"١٢", 12, true},
	{"۱۲", 12, true},
	{"１２", 12, true},
	{"१२", 12, true},
	{"١٢٫٥", 12.5, true},
	{"12岁", 12, true},
	{"我12岁", 12, true},
	{"十二", 12, true},
	{"我十二岁", 12, true},
	{"二十", 20, true},
	{"二十一", 21, true},
	{"十", 10, true},
	{"一百零五", 105, true},
	{"两个孩子", 2, true},
	{"一个", 1, true},
	{"我有一个5岁的孩子", 5, true},
	{"二〇一五", 2015, true},
	{"عمري 12", 12, true},
	{"عمري ١٢ سنة", 12, true},
	{"12 12", 12, true},
	{"12, dodici", 12, true},
	{"1.234.567", 1234567, true},
	{"1.234,5", 1234.5, true},
	{"1,234.5", 1234.5, true},
	{"12 000 000 000 000 000", 0, false},
	{"12.", 12, true},
	{"(12)", 12, true},
	{"12th", 12, true},
	// words: Italian
	{"zero", 0, true},
	{"uno", 1, true},
	{"due", 2, true},
	{"tre", 3, true},
	{"dodici", 12, true},
	{"Dodici anni", 12, true},
	{"diciassette", 17, true},
	{"venti", 20, true},
	{"ventuno", 21, true},
	{"ventitré", 23, true},
	{"ventotto", 28, true},
	{"trentadue", 32, true},
	{"cento", 100, true},
	{"nessuno", 0, true},
	// English
	{"one", 1, true},
	{"seven", 7, true},
	{"eleven", 11, true},
	{"twenty", 20, true},
	{"twenty-one", 21, true},
	{"Twenty one", 21, true},
	{"forty two", 42, true},
	{"none", 0, true},
	// French
	{"un", 1, true},
	{"deux", 2, true},
	{"quatre", 4, true},
	{"douze", 12, true},
	{"dix-sept", 17, true},
	{"dix", 10, true},
	{"vingt", 20, true},
	{"vingt et un", 21, true},
	{"vingt-deux", 22, true},
	{"soixante-dix", 70, true},
	{"soixante et onze", 71, true},
	{"soixante-dix-sept", 77, true},
	{"quatre-vingts", 80, true},
	{"quatre-vingt-un", 81, true},
	{"quatre-vingt-dix", 90, true},
	{"quatre-vingt-dix-neuf", 99, true},
	{"j'ai une fille", 1, true},
	// Albanian
	{"një", 1, true},
	{"nje", 1, true},
	{"dy", 2, true},
	{"tre", 3, true},
	{"katër", 4, true},
	{"pesë", 5, true},
	{"dhjetë", 10, true},
	{"dymbëdhjetë", 12, true},
	{"njëzet", 20, true},
	{"njëzet e një", 21, true},
	{"Unë jam 25 vjeç", 25, true},
	// Arabic
	{"واحد", 1, true},
	{"اثنان", 2, true},
	{"إثنين", 2, true},
	{"ثلاثة", 3, true},
	{"أربعة", 4, true},
	{"عشرة", 10, true},
	{"أحد عشر", 11, true},
	{"اثنا عشر", 12, true},
	{"ثلاثة عشر", 13, true},
	{"عشرون", 20, true},
	{"عشرين", 20, true},
	{"واحد وعشرون", 21, true},
	{"عشرين و واحد", 21, true},
	{"مئة", 100, true},
	{"مائة", 100, true},
	{"عمري اثنا عشر سنة", 12, true},
	{"أحد", 0, false},
	// Chinese
	{"一", 1, true},
	{"三", 3, true},
	{"十一", 11, true},
	{"十九", 19, true},
	// rejected
	{"", 0, false},
	{"   ", 0, false},
	{"abc", 0, false},
	{"between 3 and 5", 0, false},
	{"tra 3 e 5", 0, false},
	{"3-5", 0, false},
	{"3 -5", 0, false},
	{"12 o 13", 0, false},
	{"12 dodici 13", 0, false},
	{"dodici o tredici", 0, false},
	{"1.500", 0, false},
	{"2,500", 0, false},
	{"12.5.2015", 0, false},
	{"12/03/2015", 0, false},
	{"1.23.456", 0, false},
	{"+39 333 1234567", 0, false},
	{"1234567890123456", 0, false},
	{"👍", 0, false},
	{"😀😀😀", 0, false},
	{long, 0, false},
	{"\x00\x1b[31m", 0, false},
	{"\xff\xfe", 0, false},
	{"ventuno 22", 0, false},
	{"двенадцать", 0, false},
	{"Мне 12 лет", 12, true},
	{"una figlia di 5 anni", 5, true}, // the article is ignored next to digits
	{"uno o due", 0, false},
	{"une fille de cinq ans", 0, false},
	{"12½", 0, false},
	{"①", 0, false},
	{"+5", 5, true},
}

func TestNumber(t *testing.T) {
	for _, c := range numberCases {
		v, ok := lex.Number(c.in)
		if ok != c.ok || (ok && v != c.v) {
			t.Errorf("Number(%q) = %v, %v; want %v, %v", short(c.in), v, ok, c.v, c.ok)
		}
		if !ok && v != 0 {
			t.Errorf("Number(%q) = %v with !ok", short(c.in), v)
		}
	}
	if v, _ := lex.Number("-0"); math.Signbit(v) {
		t.Errorf("Number(-0) is negative zero")
	}
}

var integerCases = []struct {
	in string
	v  int
	ok bool
}{
	{"12", 12, true},
	{"12,0", 12, true},
	{"12,5", 0, false},
	{"-3", -3, true},
	{"٣", 3, true},
	{"dodici", 12, true},
	{"999999999999999", 999999999999999, true},
	{"", 0, false},
	{"abc", 0, false},
}

func TestInteger(t *testing.T) {
	for _, c := range integerCases {
		v, ok := lex.Integer(c.in)
		if ok != c.ok || v != c.v {
			t.Errorf("Integer(%q) = %v, %v; want %v, %v", c.in, v, ok, c.v, c.ok)
		}
	}
}

var yesNoCases = []struct {
	in, lang string
	yes, ok  bool
}{
	{"sì", "it", true, true},
	{"si", "it", true, true},
	{"Sì!!", "it", true, true},
	{"SI", "it", true, true},
	{"Si, grazie", "it", true, true},
	{"sii", "it", true, true},
	{"siiiii", "it", true, true},
	{"certo", "it", true, true},
	{"va bene", "it", true, true},
	{"Va bene, grazie.", "it", true, true},
	{"ok", "it", true, true},
	{"OK!", "en", true, true},
	{"okay", "en", true, true},
	{"okkk", "en", true, true},
	{"yes", "en", true, true},
	{"Yes please", "en", true, true},
	{"yesss", "en", true, true},
	{"y", "en", true, true},
	{"yeah", "en", true, true},
	{"no problem", "en", true, true},
	{"of course", "en", true, true},
	{"oui", "fr", true, true},
	{"Oui merci", "fr", true, true},
	{"ouais", "fr", true, true},
	{"d'accord", "fr", true, true},
	{"D’accord", "fr", true, true},
	{"bien sûr", "fr", true, true},
	{"po", "sq", true, true},
	{"Po, faleminderit", "sq", true, true},
	{"në rregull", "sq", true, true},
	{"نعم", "ar", true, true},
	{"ايوه", "ar", true, true},
	{"أيوه", "ar", true, true},
	{"أجل", "ar", true, true},
	{"نعم شكرا", "ar", true, true},
	{"aywa", "ar", true, true},
	{"是", "zh", true, true},
	{"是的", "zh", true, true},
	{"对", "zh", true, true},
	{"好", "zh", true, true},
	{"好的", "zh", true, true},
	{"好的谢谢", "zh", true, true},
	{"好的，谢谢！", "zh", true, true},
	{"我有", "zh", true, true},
	{"ok好的", "zh", true, true},
	{"没有问题", "zh", true, true},
	{"non c'è problema", "it", true, true},
	{"no problem 👍", "en", true, true},
	{"👍", "it", true, true},
	{"👍🏽", "it", true, true},
	{"✅", "it", true, true},
	{"✔️", "it", true, true},
	{"sì 👍", "it", true, true},
	{"si", "ar", true, true}, // every language for everyone
	{"oui", "zh", true, true},
	// no
	{"no", "it", false, true},
	{"No.", "it", false, true},
	{"no grazie", "it", false, true},
	{"nooo", "it", false, true},
	{"non", "fr", false, true},
	{"Non merci", "fr", false, true},
	{"nope", "en", false, true},
	{"No, I don't", "en", false, true},
	{"n", "en", false, true},
	{"of course not", "en", false, true},
	{"bien sûr que non", "fr", false, true},
	{"pas du tout", "fr", false, true},
	{"jo", "sq", false, true},
	{"Jo faleminderit", "sq", false, true},
	{"لا", "ar", false, true},
	{"لأ", "ar", false, true},
	{"لا شكرا", "ar", false, true},
	{"不", "zh", false, true},
	{"不是", "zh", false, true},
	{"没有", "zh", false, true},
	{"我没有", "zh", false, true},
	{"不要，谢谢", "zh", false, true},
	{"👎", "it", false, true},
	{"❌", "it", false, true},
	{"no ❌", "it", false, true},
	// neither
	{"", "it", false, false},
	{"   ", "it", false, false},
	{"boh", "it", false, false},
	{"non lo so", "it", false, false},
	{"Non so", "it", false, false},
	{"forse", "it", false, false},
	{"maybe", "en", false, false},
	{"I don't know", "en", false, false},
	{"no idea", "en", false, false},
	{"je ne sais pas", "fr", false, false},
	{"oui mais je ne suis pas sûr", "fr", false, false},
	{"peut-être", "fr", false, false},
	{"nuk e di", "sq", false, false},
	{"ndoshta", "sq", false, false},
	{"لا أعرف", "ar", false, false},
	{"ربما", "ar", false, false},
	{"不知道", "zh", false, false},
	{"我不知道", "zh", false, false},
	{"也许", "zh", false, false},
	{"是不是", "zh", false, false},
	{"sì no", "it", false, false},
	{"yes no", "en", false, false},
	{"👍👎", "it", false, false},
	{"sì 👎", "it", false, false},
	{"ciao", "it", false, false},
	{"grazie", "it", false, false},
	{"12", "it", false, false},
	{"y tu?", "en", false, false}, // a lone letter counts only alone
	{"😀", "it", false, false},
	{"\x00\x1b[31m", "it", false, false},
	{long, "it", false, false},
	{strings.Repeat("sì ", 1000), "it", false, false},
	{"Привет", "it", false, false},
	{"да", "it", false, false},
	{"عمري 12", "ar", false, false},
	{"why not", "en", true, true},
	{"ما عندي", "ar", false, true},
	{"po kam ni djalë", "sq", true, true},
	{"noon", "en", false, false},
}

func TestYesNo(t *testing.T) {
	for _, c := range yesNoCases {
		yes, ok := lex.YesNo(c.in, c.lang)
		if ok != c.ok || yes != c.yes {
			t.Errorf("YesNo(%q, %q) = %v, %v; want %v, %v", short(c.in), c.lang, yes, ok, c.yes, c.ok)
		}
	}
}

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

var dateCases = []struct {
	in string
	d  time.Time // zero: rejected
}{
	{"12/03/2015", day(2015, 3, 12)},
	{"12-3-2015", day(2015, 3, 12)},
	{"12.03.2015", day(2015, 3, 12)},
	{"12 03 2015", day(2015, 3, 12)},
	{"12/3/15", day(2015, 3, 12)},
	{"1/2/2003", day(2003, 2, 1)},
	{"12/3/36", day(2036, 3, 12)}, // now+10: still this century
	{"12/3/37", day(1937, 3, 12)},
	{"12/3/99", day(1999, 3, 12)},
	{"12/3/00", day(2000, 3, 12)},
	{"2015-03-12", day(2015, 3, 12)},
	{"2015/3/12", day(2015, 3, 12)},
	{"12032015", day(2015, 3, 12)},
	{"20150312", day(2015, 3, 12)},
	{"120315", day(2015, 3, 12)},
	{" nato il 12/03/2015 ", day(2015, 3, 12)},
	{"٢٠١٥/٠٣/١٢", day(2015, 3, 12)},
	{"١٢/٠٣/٢٠١٥", day(2015, 3, 12)},
	{"１２/０３/２０１５", day(2015, 3, 12)},
	{"29/02/2024", day(2024, 2, 29)},
	// month names
	{"12 marzo 2015", day(2015, 3, 12)},
	{"12 Marzo 2015", day(2015, 3, 12)},
	{"12 mar 2015", day(2015, 3, 12)},
	{"12 mar. 2015", day(2015, 3, 12)},
	{"March 12, 2015", day(2015, 3, 12)},
	{"12 March 2015", day(2015, 3, 12)},
	{"the 12th of March 2015", day(2015, 3, 12)},
	{"12 mars 2015", day(2015, 3, 12)},
	{"1er mars 2015", day(2015, 3, 1)},
	{"12 août 2015", day(2015, 8, 12)},
	{"12 févr. 2015", day(2015, 2, 12)},
	{"12 sept 2015", day(2015, 9, 12)},
	{"12 dicembre 1990", day(1990, 12, 12)},
	{"12-dic-90", day(1990, 12, 12)},
	{"12 mar 15", day(2015, 3, 12)},
	{"2015 March 12", day(2015, 3, 12)},
	{"12 janar 2015", day(2015, 1, 12)},
	{"12 shkurt 2015", day(2015, 2, 12)},
	{"12 nëntor 2015", day(2015, 11, 12)},
	{"12 dhjetor 2015", day(2015, 12, 12)},
	{"më 12 janarit 2015", day(2015, 1, 12)},
	{"12 maj 2015", day(2015, 5, 12)},
	{"12 مارس 2015", day(2015, 3, 12)},
	{"١٢ مارس ٢٠١٥", day(2015, 3, 12)},
	{"12 يناير 2015", day(2015, 1, 12)},
	{"12 جانفي 2015", day(2015, 1, 12)},
	{"12 فيفري 2015", day(2015, 2, 12)},
	{"12 أفريل 2015", day(2015, 4, 12)},
	{"12 ماي 2015", day(2015, 5, 12)},
	{"12 جوان 2015", day(2015, 6, 12)},
	{"12 جويلية 2015", day(2015, 7, 12)},
	{"12 أوت 2015", day(2015, 8, 12)},
	{"12 أغسطس 2015", day(2015, 8, 12)},
	{"12 غشت 2015", day(2015, 8, 12)},
	{"12 ديسمبر 2015", day(2015, 12, 12)},
	{"12 كانون الثاني 2015", day(2015, 1, 12)},
	{"12 تشرين الأول 2015", day(2015, 10, 12)},
	{"12 آذار 2015", day(2015, 3, 12)},
	{"2015年3月12日", day(2015, 3, 12)},
	{"2015 年 3 月 12 日", day(2015, 3, 12)},
	{"二〇一五年三月十二日", day(2015, 3, 12)},
	{"2015年3月12号", day(2015, 3, 12)},
	// relative
	{"oggi", day(2026, 3, 15)},
	{"Today", day(2026, 3, 15)},
	{"aujourd'hui", day(2026, 3, 15)},
	{"sot", day(2026, 3, 15)},
	{"اليوم", day(2026, 3, 15)},
	{"今天", day(2026, 3, 15)},
	{"domani", day(2026, 3, 16)},
	{"tomorrow", day(2026, 3, 16)},
	{"demain", day(2026, 3, 16)},
	{"nesër", day(2026, 3, 16)},
	{"غدا", day(2026, 3, 16)},
	{"غداً", day(2026, 3, 16)},
	{"明天", day(2026, 3, 16)},
	{"ieri", day(2026, 3, 14)},
	{"oggi, today", day(2026, 3, 15)},
	// rejected
	{"", time.Time{}},
	{"31/02/2015", time.Time{}},
	{"29/02/2023", time.Time{}},
	{"32/01/2015", time.Time{}},
	{"12/13/2015", time.Time{}},
	{"03/12/1899", time.Time{}},
	{"01/01/2037", time.Time{}},
	{"31/12/2036", day(2036, 12, 31)},
	{"12 marzo", time.Time{}},
	{"03/2015", time.Time{}},
	{"12/3/215", time.Time{}},
	{"dal 12 al 15 marzo 2015", time.Time{}},
	{"12/03/2015 alle 10:30", time.Time{}},
	{"12 marzo aprile 2015", time.Time{}},
	{"oggi 12/03/2015", time.Time{}},
	{"oggi o domani", time.Time{}},
	{"12 jui 2015", time.Time{}}, // juin or juillet?
	{"3月12日", time.Time{}},
	{"hello", time.Time{}},
	{"👍", time.Time{}},
	{long, time.Time{}},
	{"\x00\x1b[31m", time.Time{}},
	{"عمري 12", time.Time{}},
	{"12 марта 2015", time.Time{}},
	{"12 mayo 2015", time.Time{}},
}

func TestDate(t *testing.T) {
	for _, c := range dateCases {
		d, ok := lex.Date(c.in, now)
		if ok != !c.d.IsZero() || !d.Equal(c.d) {
			t.Errorf("Date(%q) = %v, %v; want %v", short(c.in), d, ok, c.d)
		}
		if ok && (d.Location() != now.Location() || d.Hour() != 0 || d.Minute() != 0) {
			t.Errorf("Date(%q) = %v: not 00:00 in now's location", short(c.in), d)
		}
	}
}

func TestDateTomorrowAtMonthEnd(t *testing.T) {
	n := time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)
	if d, ok := lex.Date("domani", n); !ok || !d.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Date(domani) on 31 Dec = %v, %v", d, ok)
	}
	n = time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC)
	if d, ok := lex.Date("ieri", n); !ok || !d.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Date(ieri) on 1 Mar = %v, %v", d, ok)
	}
}

func TestBirthDate(t *testing.T) {
	cases := []struct {
		in string
		d  time.Time
	}{
		{"12/03/2015", day(2015, 3, 12)},
		{"12/3/26", day(2026, 3, 12)},
		{"12/3/27", day(1927, 3, 12)},
		{"15/03/2026", day(2026, 3, 15)},
		{"oggi", day(2026, 3, 15)},
		{"16/03/2026", time.Time{}},
		{"domani", time.Time{}},
		{"12/3/2030", time.Time{}},
		{"31/02/2015", time.Time{}},
	}
	for _, c := range cases {
		d, ok := lex.BirthDate(c.in, now)
		if ok != !c.d.IsZero() || !d.Equal(c.d) {
			t.Errorf("BirthDate(%q) = %v, %v; want %v", c.in, d, ok, c.d)
		}
	}
}

var phoneCases = []struct {
	in, want string // want "": rejected
}{
	{"+39 333 123 4567", "+393331234567"},
	// Well formed, but no numbering plan has them: too short for an
	// Italian mobile, an unassigned country code, an unassigned prefix.
	{"+39 333 12", ""},
	{"+999 1234567", ""},
	{"+39 999 1234567", ""},
	{"+212 6 12 34 56 78", "+212612345678"},
	{"+92 300 1234567", "+923001234567"},
	{"0039 3331234567", "+393331234567"},
	{"333 1234567", "+393331234567"},
	{"3331234567", "+393331234567"},
	{"333.123.4567", "+393331234567"},
	{"333-123-4567", "+393331234567"},
	{"(333) 123 4567", "+393331234567"},
	{"333 123456", "+39333123456"},
	{"39 333 1234567", "+393331234567"},
	{"055 123456", "+39055123456"},
	{"055/123456", "+39055123456"},
	{"06 12345678", "+390612345678"},
	{"+212 6 12 34 56 78", "+212612345678"},
	{"(+212) 6-12-34-56-78", "+212612345678"},
	{"00212 612345678", "+212612345678"},
	{"+355 69 123 4567", "+355691234567"},
	{"+86 138 0013 8000", "+8613800138000"},
	{"٣٣٣١٢٣٤٥٦٧", "+393331234567"},
	{"+٢١٢ ٦١٢٣٤٥٦٧٨", "+212612345678"},
	{"۳۳۳۱۲۳۴۵۶۷", "+393331234567"},
	{"３３３ １２３ ４５６７", "+393331234567"},
	{"＋39 333 1234567", "+393331234567"},
	{"\u200e+212 612345678\u200f", "+212612345678"},
	{" +39 333 123 4567 ", "+393331234567"},
	{"+44 (0)20 7946 0000", "+442079460000"},
	{"0044 (0)20 7946 0000", "+442079460000"},
	{"055 (0)123456", "+390550123456"},
	{"+39 (0)55 123456", "+39055123456"},
	{"00 39 333 1234567", "+393331234567"},
	// rejected
	{"", ""},
	{"+", ""},
	{"12345", ""},
	{"+12345", ""},
	{"333 12345", ""},
	{"333 1234567a", ""},
	{"tel 3331234567", ""},
	{"+39 333 123 4567 8901 23", ""},
	{"1234567890", ""},
	{"+0039 333 1234567", ""},
	{"+39 +333", ""},
	{"333 1234567 +", ""},
	{"33312345678901234567890", ""},
	{"👍", ""},
	{"333 1234567 👍", ""},
	{long, ""},
	{"\x00\x1b[31m", ""},
	{"عمري 12", ""},
	{"05 12", ""},
}

func TestPhone(t *testing.T) {
	for _, c := range phoneCases {
		p, ok := Phone(c.in)
		if ok != (c.want != "") || p != c.want {
			t.Errorf("Phone(%q) = %q, %v; want %q", short(c.in), p, ok, c.want)
		}
		if ok && !e164(p) {
			t.Errorf("Phone(%q) = %q: not E.164", short(c.in), p)
		}
	}
}

var textCases = []struct {
	in       string
	min, max int
	want     string
	ok       bool
}{
	{"Mario Rossi", 1, 0, "Mario Rossi", true},
	{"  Mario   Rossi  ", 1, 0, "Mario Rossi", true},
	{"Via Roma 1\nFirenze", 1, 0, "Via Roma 1 Firenze", true},
	{"Via Roma 1\r\n\r\nFirenze\t50100", 1, 0, "Via Roma 1 Firenze 50100", true},
	{"\x00\x1b[31mRosso\x1b[0m", 1, 0, "Rosso", true},
	{"a\x07b", 1, 0, "ab", true},
	{"e\u0301", 1, 1, "é", true}, // NFC: one character
	{"محمد علي", 1, 0, "محمد علي", true},
	{"عمري 12", 1, 0, "عمري 12", true},
	{"王小明", 2, 10, "王小明", true},
	{"👨‍👩‍👧", 1, 0, "👨‍👩‍👧", true},
	{"a\u202eb", 1, 0, "ab", true},
	{"a\u200bb\ufeff", 1, 0, "ab", true},
	{"ok\xff", 1, 0, "ok", true},
	{"", 0, 0, "", true},
	{"", 1, 0, "", false},
	{"   \n\t ", 1, 0, "", false},
	{"\x00\x1b[31m", 1, 0, "", false},
	{"ab", 3, 0, "", false},
	{"abcdef", 1, 5, "", false},
	{"abcde", 1, 5, "abcde", true},
	{strings.Repeat("a", 500), 1, 0, strings.Repeat("a", 500), true},
	{strings.Repeat("a", 501), 1, 0, "", false},
	{long, 1, 0, "", false},
	{"ab", 5, 2, "", false},
	{"ab", 1, math.MaxInt, "ab", true},
	{"ab", -1, 0, "ab", true},
}

func TestText(t *testing.T) {
	for _, c := range textCases {
		got, ok := Text(c.in, c.min, c.max)
		if ok != c.ok || got != c.want {
			t.Errorf("Text(%q, %d, %d) = %q, %v; want %q, %v", short(c.in), c.min, c.max, got, ok, c.want, c.ok)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Errorf("Text(%q) kept control character %U", short(c.in), r)
			}
		}
	}
}

var emailCases = []struct {
	in, want string
}{
	{"mario.rossi@example.com", "mario.rossi@example.com"},
	{" Mario.Rossi@Example.COM. ", "Mario.Rossi@example.com"},
	{"ｍａｒｉｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "mario@example.com"},
	{"a+b@mail.example.it", "a+b@mail.example.it"},
	{"", ""},
	{"mario", ""},
	{"mario@", ""},
	{"@example.com", ""},
	{"mario@localhost", ""},
	{"mario@example..com", ""},
	{"mario rossi@example.com", ""},
	{"Mario <mario@example.com>", ""},
	{"a@b.com, c@d.com", ""},
	{"mario@[192.0.2.1]", ""},
	{"mario@gmail", ""},
	{long, ""},
	{"\x00\x1b[31m", ""},
}

func TestEmail(t *testing.T) {
	for _, c := range emailCases {
		got, ok := Email(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("Email(%q) = %q, %v; want %q", short(c.in), got, ok, c.want)
		}
	}
}

// TestDigitTable checks the assumption of digitValue: every range of
// decimal digits in Unicode's table is whole runs of 0..9.
func TestDigitTable(t *testing.T) {
	for _, r := range unicode.Nd.R16 {
		if r.Stride != 1 || (int(r.Hi)-int(r.Lo)+1)%10 != 0 {
			t.Errorf("Nd range %U..%U stride %d", r.Lo, r.Hi, r.Stride)
		}
	}
	for _, r := range unicode.Nd.R32 {
		if r.Stride != 1 || (int(r.Hi)-int(r.Lo)+1)%10 != 0 {
			t.Errorf("Nd range %U..%U stride %d", r.Lo, r.Hi, r.Stride)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if (digitValue(r) >= 0) != unicode.IsDigit(r) {
			t.Fatalf("digitValue(%U) = %d, IsDigit %v", r, digitValue(r), unicode.IsDigit(r))
		}
	}
	for r, want := range map[rune]int{'7': 7, '٧': 7, '۷': 7, '７': 7, '७': 7, '𝟕': 7, '0': 0, '٠': 0} {
		if got := digitValue(r); got != want {
			t.Errorf("digitValue(%q) = %d, want %d", r, got, want)
		}
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// TestFoldWordsASCII checks the shortcut of foldWords against fold.String.
func TestFoldWordsASCII(t *testing.T) {
	for _, w := range []string{"Ho", "MARZO", "anni", "x", "Dodici"} {
		toks := []token{{kind: tWord, text: w}}
		foldWords(toks)
		if want := fold.String(w); toks[0].text != want {
			t.Errorf("foldWords(%q) = %q, fold.String %q", w, toks[0].text, want)
		}
	}
}

// TestTablesFolded checks that every word of the Lexicon is a fold.String
// key, as the parsers look them up, and that phrases fit its limits.
func TestTablesFolded(t *testing.T) {
	check := func(table, k string) {
		if fold.String(k) != k {
			t.Errorf("%s: %q is not folded (%q)", table, k, fold.String(k))
		}
	}
	for k := range lex.yesNo {
		check("yesNo", k)
		if n := strings.Count(k, " ") + 1; n > lex.maxPhrase || n > MaxPhrase {
			t.Errorf("yesNo: %q has %d words, more than maxPhrase", k, n)
		}
	}
	for k := range lex.hanYesNo {
		check("hanYesNo", k)
		if n := len([]rune(k)); n > lex.maxHan || n > MaxHanWord {
			t.Errorf("hanYesNo: %q longer than maxHan", k)
		}
	}
	for k := range lex.nums {
		check("nums", k)
	}
	for k := range lex.relative {
		check("relative", k)
	}
	for _, d := range lex.hanRelative {
		check("hanRelative", d.word)
	}
	for k := range lex.months {
		check("months", k)
	}
	for _, m := range lex.abbrev {
		check("abbrev", m.name)
	}
	for _, m := range lex.markers {
		check("markers", m.word)
	}
}

func TestYesNoLongSpeech(t *testing.T) {
	if _, ok := lex.YesNo(strings.Repeat("a ", 200)+"si", "it"); ok {
		t.Errorf("YesNo of 201 words: ok")
	}
}

// TestPlainYesNo: a yes or a no that says nothing else; a word about
// something else makes the answer a question ("po fëmijët?": and the
// children?).
func TestPlainYesNo(t *testing.T) {
	for _, c := range []struct {
		in      string
		yes, ok bool
	}{
		{"sì grazie", true, true},
		{"po", true, true},
		{"oui merci", true, true},
		{"好的谢谢", true, true},
		{"no", false, true},
		{"po fëmijët?", false, false},
		{"po rezidenca?", false, false},
		{"yes cancel it", false, false},
		{"我要去哪里", false, false},
	} {
		yes, ok := lex.PlainYesNo(c.in, "")
		if ok != c.ok || yes != c.yes {
			t.Errorf("PlainYesNo(%q) = %v, %v; want %v, %v", c.in, yes, ok, c.yes, c.ok)
		}
	}
	// YesNo itself stays lenient: unknown words say nothing.
	if yes, ok := lex.YesNo("po fëmijët?", ""); !ok || !yes {
		t.Errorf(`YesNo("po fëmijët?") = %v, %v; it reads the yes`, yes, ok)
	}
}

// TestSaysHour: a number next to an hour word, or written with its minutes,
// is an hour of the day; a day of the month is not.
func TestSaysHour(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"alle 9", true},
		{"ore 10", true},
		{"9h", true},
		{"à 9h30", true},
		{"at 9 please", true},
		{"9am", true},
		{"9 pm", true},
		{"9:30", true},
		{"9点", true},
		{"上午9点钟", true},
		{"الساعة 9", true},
		{"në orën 10", true},
		{"9", false},
		{"il 9", false},
		{"9/12", false},
		{"9.12", false},
		{"mercoledì 9", false},
		{"9号", false},
		{"alle", false},
		{"", false},
		{"🕘", false},
	} {
		if got := lex.SaysHour(c.in); got != c.want {
			t.Errorf("SaysHour(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	var none *Lexicon
	if none.SaysHour("alle 9") || !none.SaysHour("9:30") {
		t.Error("a nil Lexicon knows no hour words and still reads 9:30 as an hour")
	}
}

// TestAge: the one age a sentence writes, never a length of time.
func TestAge(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"devo iscrivere mio figlio a scuola ha 8 anni siamo appena arrivati", 8, true},
		{"siamo in Italia da 3 anni e mio figlio ha 8 anni", 8, true},
		{"siamo in Italia da 3 anni", 0, false},
		{"3 anni fa", 0, false},
		{"my daughter is 15 years old", 15, true},
		{"we have lived here for 2 years", 0, false},
		{"je veux inscrire mes deux enfants, ils ont 7 et 11 ans", 0, false}, // two ages
		{"il a 9 ans", 9, true},
		{"il y a 3 ans", 0, false},
		{"عايزة اسجل ابني في المدرسة، عنده ٨ سنين", 8, true},
		{"منذ 3 سنوات", 0, false},
		{"我女儿12岁，刚从温州来", 12, true},
		{"孩子十二岁", 12, true},
		{"来意大利3年了", 0, false},
		{"dua te regjistroj djalin ne shkolle, eshte 13 vjeç", 13, true},
		{"ha la febbre a 40", 0, false},
		{"", 0, false},
	} {
		got, ok := lex.Age(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("Age(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestSaysNo: a no word anywhere, in any language.
func TestSaysNo(t *testing.T) {
	for in, want := range map[string]bool{
		"i don't speak italian":      true,
		"non parlo arabo":            true,
		"je ne parle pas italien":    true,
		"please write in french":     false,
		"scrivi in arabo per favore": false,
		"":                           false,
	} {
		if got := lex.SaysNo(in); got != want {
			t.Errorf("SaysNo(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestAnswerYesNo: at a yes/no question, a question or a story of its own
// is no answer, whatever yes word it holds.
func TestAnswerYesNo(t *testing.T) {
	for _, c := range []struct {
		in      string
		yes, ok bool
	}{
		{"sì, parlo arabo", true, true},
		{"yes please", true, true},
		{"no grazie", false, true},
		{"we live in Pontedera, is this the right PUA?", false, false},
		{"yes but my mother cannot walk and we live far from the office", false, false},
	} {
		yes, ok := lex.AnswerYesNo(c.in, "")
		if ok != c.ok || yes != c.yes {
			t.Errorf("AnswerYesNo(%q) = %v, %v; want %v, %v", c.in, yes, ok, c.yes, c.ok)
		}
	}
}

// TestHour: the hour of the day a text asks for, the afternoon's words
// adding twelve.
func TestHour(t *testing.T) {
	for in, want := range map[string]int{
		"alle 3 del pomeriggio":      15,
		"下午三点":                       15,
		"3pm":                        15,
		"15h":                        15,
		"alle 9":                     9,
		"10:30":                      10,
		"à 4 heures de l'après-midi": 16,
		"pomeriggio":                 -1,
		"domani":                     -1,
	} {
		if got, _ := lex.Hour(in); got != want {
			t.Errorf("Hour(%q) = %d, want %d", in, got, want)
		}
	}
	if !lex.SaysAfternoon("di pomeriggio se possibile") || lex.SaysAfternoon("la mattina") {
		t.Error("SaysAfternoon: the afternoon's words, not the morning's")
	}
}
