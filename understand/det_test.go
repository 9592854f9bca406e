package understand_test

import (
	"context"
	"fmt"
	"testing"

	"teamsbot/understand"
)

// TestBuildIsDeterministic: the same content trains the same model, in any
// process: two fresh builds answer alike, to the last digit.
func TestBuildIsDeterministic(t *testing.T) {
	l := shipped(t)
	src := understand.Source{Locales: content.Locales, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program, Fresh: true}
	a, _ := understand.Build(src)
	b, _ := understand.Build(src)
	for _, q := range []string{"come rinnovo il permesso", "where is the questura in Prato", "税号", "lavoro"} {
		ra, rb := a.Understand(context.Background(), "it", q), b.Understand(context.Background(), "it", q)
		if fmt.Sprint(ra.Ranked) != fmt.Sprint(rb.Ranked) {
			t.Errorf("%q: %v vs %v", q, ra.Ranked, rb.Ranked)
		}
	}
}
