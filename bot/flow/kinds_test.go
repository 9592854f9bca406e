package flow

import (
	"os"
	"strings"
	"testing"
)

// TestStepKindsAreWhole: every kind of step is in the table at its place,
// compiles, runs or waits (not both), and its key is in the schema content
// teams' editors check flows with.
func TestStepKindsAreWhole(t *testing.T) {
	schema, err := os.ReadFile("../../flows/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, k := range stepKinds {
		if int(k.kind) != i || k.kind.String() != k.key || seen[k.key] {
			t.Errorf("stepKinds[%d] is %s (%q): out of order or twice", i, k.kind, k.key)
		}
		seen[k.key] = true
		if k.compile == nil || k.has == nil {
			t.Errorf("%s: no compile or has", k.key)
		}
		if (k.run == nil) != k.waits {
			t.Errorf("%s: waits %v but run set %v: a kind either waits for the user or runs", k.key, k.waits, k.run != nil)
		}
		if k.key != "say" && !strings.Contains(string(schema), `"`+k.key+`"`) {
			t.Errorf("flows/schema.json does not know the key %q", k.key)
		}
	}
	if len(seen) != int(KindEnd)+1 {
		t.Errorf("%d kinds in the table, %d declared", len(seen), KindEnd+1)
	}
}
