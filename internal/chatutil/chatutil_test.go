package chatutil

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("parola ", 100) // 700 characters
	parts := Split(para+"\n\n"+para+"\n\n"+para, 1000)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) > 1000 || strings.HasPrefix(p, " ") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %q…", p[:20])
		}
	}
	// No boundary: cut mid-word, at a rune boundary.
	long := strings.Repeat("ش", 2500)
	parts = Split(long, 1000)
	if len(parts) != 3 || utf8.RuneCountInString(parts[0]) != 1000 || !utf8.ValidString(parts[2]) {
		t.Errorf("no boundary: %d parts", len(parts))
	}
	if got := Split("", 10); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
	if got := Split("short", 10); len(got) != 1 || got[0] != "short" {
		t.Errorf("short: %v", got)
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err == nil {
		t.Error("a cancelled context slept")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Error(err)
	}
}
