// Package chatutil holds the small helpers every channel adapter needs:
// splitting long texts at natural boundaries, and sleeping until a context
// ends, and the overall pace of sends (shared by the replicas when a
// SharedLimiter is given). Standard library and x/time/rate only.
package chatutil

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Split cuts text into parts of at most max characters, at paragraph, line
// or word boundaries when one falls in the second half of a part, else
// mid-word. Parts are trimmed; empty text gives no part.
func Split(text string, max int) []string {
	var out []string
	for utf8.RuneCountInString(text) > max {
		cut := 0
		for range max {
			_, size := utf8.DecodeRuneInString(text[cut:])
			cut += size
		}
		at := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(text[:cut], sep); i > cut/2 {
				at = i
				break
			}
		}
		if at < 0 {
			at = cut
		}
		out = append(out, strings.TrimSpace(text[:at]))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if strings.TrimSpace(text) != "" {
		out = append(out, text)
	}
	return out
}

// Sleep waits d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
