package bot

import (
	"strings"
	"testing"
)

func TestIsolateLTR(t *testing.T) {
	const f, p = "\u2068", "\u2069"
	for in, want := range map[string]string{
		"اتصل بالرقم المجاني 800 860 070 من فضلك":    "اتصل بالرقم المجاني " + f + "800 860 070" + p + " من فضلك",
		"الهاتف: +39 055 1234567":                    "الهاتف: " + f + "+39 055 1234567" + p,
		"الموقع https://www.example.it/a?b=1 هنا":    "الموقع " + f + "https://www.example.it/a?b=1" + p + " هنا",
		"• marca da bollo (طابع مالي) بقيمة 16 يورو": "• " + f + "marca da bollo" + p + " (طابع مالي) بقيمة " + f + "16" + p + " يورو",
		"موعدك 12/05/2027 الساعة 09:30":              "موعدك " + f + "12/05/2027" + p + " الساعة " + f + "09:30" + p,
		"📍 Prato (PO)":                "📍 " + f + "Prato (PO)" + p,
		"سطر\nQuestura di Prato\nسطر": "سطر\n" + f + "Questura di Prato" + p + "\nسطر",
		"لا شيء لاتيني":               "لا شيء لاتيني",
		"-":                           "-",
	} {
		got := IsolateLTR(in)
		if got != want {
			t.Errorf("IsolateLTR(%q)\n got %q\nwant %q", in, got, want)
		}
		if again := IsolateLTR(got); again != got {
			t.Errorf("IsolateLTR is not idempotent on %q: %q", in, again)
		}
		if strings.Count(got, f) != strings.Count(got, p) {
			t.Errorf("unbalanced isolates in %q", got)
		}
	}
	// A text already isolated by its author is left alone.
	pre := "📍 " + f + "Sesto Fiorentino" + p
	if got := IsolateLTR(pre); got != pre {
		t.Errorf("pre-isolated text changed: %q", got)
	}
}

func TestRTLNames(t *testing.T) {
	for name, want := range map[string]bool{"العربية": true, "اردو": true, "دری": true, "English": false, "中文": false, "Shqip": false, "«العربية»": true} {
		if rtlName(name) != want {
			t.Errorf("rtlName(%q) = %v", name, !want)
		}
	}
}

func FuzzIsolateLTR(f *testing.F) {
	for _, s := range []string{"اتصل 800 860", "\u2068abc", "abc\u2069", "+-+", "(مرحبا) abc (def", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := IsolateLTR(s)
		if IsolateLTR(got) != got {
			t.Errorf("not idempotent: %q → %q", s, got)
		}
		if stripIsolates(got) != stripIsolates(s) {
			t.Errorf("text changed beyond isolates: %q → %q", s, got)
		}
	})
}

func stripIsolates(s string) string {
	return strings.NewReplacer("\u2068", "", "\u2069", "").Replace(s)
}
