package flows_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/bot/convtest"
	"teamsbot/flows"
	"teamsbot/store/memory"
)

// TestContentLints: the shipped content has no error (warnings are shown).
func TestContentLints(t *testing.T) {
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	for _, i := range issues {
		t.Log(i.Error())
	}
	if l == nil {
		t.Fatalf("the shipped content has %d errors", len(issues.Errors()))
	}
}

// TestConversations runs every *_test.yaml in every language it names.
func TestConversations(t *testing.T) {
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	fresh := func() (*bot.Engine, error) { return l.Domain(app.Deps{Store: memory.New()}).Engine(bot.Config{}) }
	eng, err := fresh()
	if err != nil {
		t.Fatal(err)
	}
	files, is := convtest.Load(flows.FS)
	if len(is) > 0 {
		t.Fatal(is)
	}
	if len(files) == 0 {
		t.Fatal("no conversation tests found")
	}
	res := convtest.Runner{Engine: eng, Fresh: fresh}.Run(context.Background(), files)
	for _, f := range res.Failures {
		t.Error(f.Error())
	}
	t.Logf("%d conversation runs", res.Runs)
	if res.Runs < 20 {
		t.Errorf("only %d conversation runs: tests are missing", res.Runs)
	}
}

// TestSchema validates every shipped flow against schema.json, the schema
// editors use, so the two cannot drift apart.
func TestSchema(t *testing.T) {
	raw, err := fs.ReadFile(flows.FS, "schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(flows.FS, "*.yaml")
	n := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.yaml") || name == "links.yaml" {
			continue
		}
		n++
		if err := schema.Validate(yamlToJSON(t, name)); err != nil {
			t.Errorf("%s does not match schema.json: %v", name, err)
		}
	}
	if n == 0 {
		t.Fatal("no flows")
	}
	// The schema must reject what lint rejects in shape.
	for _, bad := range []string{
		"flow: x\nstart: a\nsteps:\n  a:\n    say: m.a\n    options:\n      - label: m.b\n",
		"flow: x\nstart: a\nsteps:\n  a:\n    say: m.a\n    ask: colour\n    save: v\n    next: a\n",
		"flow: x\nstart: a\nsteps:\n  a:\n    say: m.a\n",
		"flow: x\nstart: a\nsteps:\n  a:\n    sya: m.a\n    next: a\n",
	} {
		var v any
		if err := yaml.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(roundTrip(t, v)); err == nil {
			t.Errorf("schema accepts a broken flow:\n%s", bad)
		}
	}
}

func yamlToJSON(t *testing.T, name string) any {
	t.Helper()
	data, err := fs.ReadFile(flows.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return roundTrip(t, v)
}

// roundTrip turns YAML-decoded values into the JSON data model the
// validator expects.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
