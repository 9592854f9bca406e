package flow

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadLinks(t *testing.T) {
	f, _ := Decode("say.yaml", mustRead(t, "testdata/steps/say.yaml"))
	prog, issues := Compile([]*File{f}, fakeEnv{}, Options{})
	if prog == nil {
		t.Fatal(issues)
	}
	good := fstest.MapFS{LinksFile: {Data: []byte("links:\n  poster:\n    flow: say\n    lang: ar\n    vars: {kind: pua}\n")}}
	links, issues := LoadLinks(good, prog)
	if len(issues) > 0 || links["poster"].Flow != "say" || links["poster"].Vars["kind"] != "pua" || links["poster"].Lang != "ar" {
		t.Fatalf("links = %+v, %v", links, issues)
	}
	if links, issues := LoadLinks(fstest.MapFS{}, prog); len(links) != 0 || issues != nil {
		t.Error("a missing links.yaml is not an error")
	}
	bad := fstest.MapFS{LinksFile: {Data: []byte("links:\n  a:\n    flow: nowhere\n  lang_it:\n    flow: say\n  b: {}\n  c:\n    colour: red\n")}}
	_, issues = LoadLinks(bad, prog)
	want := []string{
		`links.yaml:3:11: link a: unknown flow "nowhere"`,
		`links.yaml:4:3: link "lang_it": use letters`,
		`links.yaml:6:3: link b opens nothing`,
		`links.yaml:8:5: unknown key "colour" in link c`,
	}
	got := issues.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}
