package knowledge

import (
	"strings"
	"testing"

	"teamsbot/internal/fold"
)

func TestScratchFold(t *testing.T) {
	long := "Prato \xff Firenze" + strings.Repeat(" x", 300)
	t.Logf("short %q long-prefix %q", fold.String("Prato \xff Firenze"), fold.String(long))
	for _, s := range []string{"ß", "İstanbul", "ǅ", "ﬁrenze", "Ⅻ", "ŉ", "\u0345", "ᾳ", "Σ"} {
		a := fold.String(s)
		t.Logf("%q -> %q -> %q", s, a, fold.String(a))
	}
}

func FuzzScratchIdem(f *testing.F) {
	f.Add("Città")
	f.Fuzz(func(t *testing.T, s string) {
		a := fold.String(s)
		if len(a) <= fold.MaxInput {
			if b := fold.String(a); a != b {
				t.Fatalf("%q -> %q -> %q", s, a, b)
			}
		}
	})
}
