package input

import (
	"math"
	"regexp"
	"testing"
	"time"
	"unicode/utf8"
)

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func e164(s string) bool { return e164RE.MatchString(s) }

// The fuzz tests seed their corpus with the table inputs, so a plain
// `go test` runs all of them through the properties below.

func FuzzNumber(f *testing.F) {
	for _, c := range numberCases {
		f.Add(c.in)
	}
	for _, c := range integerCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := lex.Number(s)
		v2, ok2 := lex.Number(s)
		if ok != ok2 || (v != v2 && !(math.IsNaN(v) && math.IsNaN(v2))) {
			t.Fatalf("Number(%q) not deterministic: %v,%v then %v,%v", s, v, ok, v2, ok2)
		}
		if ok && (math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e15) {
			t.Fatalf("Number(%q) = %v", s, v)
		}
		if !ok && v != 0 {
			t.Fatalf("Number(%q) = %v with !ok", s, v)
		}
		if i, iok := lex.Integer(s); iok && (!ok || float64(i) != v) {
			t.Fatalf("Integer(%q) = %v, Number = %v, %v", s, i, v, ok)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, c := range dateCases {
		f.Add(c.in, int64(0))
	}
	f.Add("12/3/15", int64(-40*365*24*3600))
	f.Add("domani", int64(60*365*24*3600))
	f.Fuzz(func(t *testing.T, s string, shift int64) {
		// now moves at most about 100 years either way around 2026.
		n := now.Add(time.Duration(shift%(100*365*24*3600)) * time.Second)
		d, ok := lex.Date(s, n)
		d2, ok2 := lex.Date(s, n)
		if ok != ok2 || !d.Equal(d2) {
			t.Fatalf("Date(%q) not deterministic", s)
		}
		if !ok {
			if !d.IsZero() {
				t.Fatalf("Date(%q) = %v with !ok", s, d)
			}
			return
		}
		if d.Year() < MinYear || d.Year() > n.Year()+MaxYearsAhead {
			t.Fatalf("Date(%q, %v) = %v: year out of bounds", s, n, d)
		}
		if d.Location() != n.Location() || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("Date(%q) = %v: not midnight in now's location", s, d)
		}
		// BirthDate reads two-digit years differently, so only its own
		// properties: never after now, within the bounds.
		if b, bok := lex.BirthDate(s, n); bok && (b.After(n) || b.Year() < MinYear) {
			t.Fatalf("BirthDate(%q, %v) = %v", s, n, b)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, c := range phoneCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Phone(s)
		p2, ok2 := Phone(s)
		if ok != ok2 || p != p2 {
			t.Fatalf("Phone(%q) not deterministic", s)
		}
		if ok != e164(p) {
			t.Fatalf("Phone(%q) = %q, %v", s, p, ok)
		}
		if ok {
			// Normalising again is the identity.
			if q, qok := Phone(p); !qok || q != p {
				t.Fatalf("Phone(Phone(%q)) = %q, %v; want %q", s, q, qok, p)
			}
		}
	})
}

func FuzzYesNo(f *testing.F) {
	for _, c := range yesNoCases {
		f.Add(c.in, c.lang)
	}
	f.Fuzz(func(t *testing.T, s, lang string) {
		yes, ok := lex.YesNo(s, lang)
		yes2, ok2 := lex.YesNo(s, lang)
		if ok != ok2 || yes != yes2 {
			t.Fatalf("YesNo(%q) not deterministic", s)
		}
		if !ok && yes {
			t.Fatalf("YesNo(%q) = yes with !ok", s)
		}
	})
}

func FuzzText(f *testing.F) {
	for _, c := range textCases {
		f.Add(c.in, c.min, c.max)
	}
	f.Fuzz(func(t *testing.T, s string, min, max int) {
		got, ok := Text(s, min, max)
		if !ok {
			if got != "" {
				t.Fatalf("Text(%q) = %q with !ok", s, got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q: invalid UTF-8", s, got)
		}
		if max <= 0 {
			max = DefaultMaxText
		}
		if n := utf8.RuneCountInString(got); n > max || n < min {
			t.Fatalf("Text(%q, %d, %d) = %q: %d runes", s, min, max, got, n)
		}
		if again, aok := Text(got, min, max); !aok || again != got {
			t.Fatalf("Text not idempotent on %q: %q, %v", got, again, aok)
		}
	})
}
