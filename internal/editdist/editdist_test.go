package editdist

import "testing"

func TestOSA(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"questura", "questura", 0},
		{"questura", "qeustura", 1}, // two letters swapped
		{"questura", "questra", 1},  // one missing
		{"prato", "parto", 1},
		{"ca", "abc", 3}, // no repeated edits of one substring
		{"", "pisa", 4},
		{"città", "citta", 1}, // letters, not bytes
		{"入籍", "入藉", 1},
	} {
		if got := OSA([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("OSA(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := OSA([]rune(c.b), []rune(c.a)); got != c.want {
			t.Errorf("OSA(%q, %q) = %d, want %d (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}
