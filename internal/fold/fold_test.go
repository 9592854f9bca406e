package fold

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"Sesto Fiorentino":       "sesto fiorentino",
		"  SÌ!!  ":               "si",
		"Castelfranco Piandiscò": "castelfranco piandisco",
		"Campo nell'Elba":        "campo nell elba",
		"Montecatini-Terme":      "montecatini terme",
		"Nëntor":                 "nentor",
		"ＡＢＣ１２":                  "abc12",
		"مَرْحَبًا":              "مرحبا",
		"居留许可":                   "居留许可",
		"😀 ok 😀":                 "ok",
		"\x00\x1b[31mred\u202e":  "31mred",
		"":                       "",
		"2":                      "2",
		"a  b":                   "a b",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// The vowel signs of Bengali and Devanagari are part of their letters:
// folding keeps them, while it drops Latin accents and Arabic diacritics.
func TestStringKeepsBrahmicVowels(t *testing.T) {
	for in, want := range map[string]string{
		"না": "না", "নাম": "নাম", "তিন টা": "তিন টা", "हिंदी": "हिंदी",
		"Città ক": "citta ক", "مَرْحَبًا": "مرحبا", "ক́": "ক́",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	if String("না") == String("ন") {
		t.Error("না (no) and ন fold alike")
	}
}

func TestStringBoundsWork(t *testing.T) {
	long := "Prato \xff Firenze " + strings.Repeat("è", 600)
	got := String(long)
	if !strings.HasPrefix(got, "prato firenze e") {
		t.Errorf("an invalid byte early in a long text lost the rest: %.40q", got)
	}
	if len(got) > MaxInput || !utf8.ValidString(got) {
		t.Errorf("String of a long text: %d bytes, valid=%v", len(got), utf8.ValidString(got))
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"Sesto Fiorentino", "SÌ", "مرحبا", "居留", "\xff\xfe", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if String(got) != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, String(got))
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("spaces not folded: %q", got)
		}
	})
}

// TestTraditionalChineseFoldsToSimplified: a question typed in
// traditional characters matches the same words in simplified ones.
func TestTraditionalChineseFoldsToSimplified(t *testing.T) {
	for in, want := range map[string]string{
		"如何查詢護照辦理進度？": "如何查询护照办理进度",
		"居留條":         "居留条",
		"佛羅倫薩":        "佛罗伦萨",
		"普拉托警察局":      "普拉托警察局", // already simplified
		"tessera 醫療卡": "tessera 医疗卡",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}
