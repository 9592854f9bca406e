package flow

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the expected issues of testdata/broken")

// fakeEnv knows a few messages and one action.
type fakeEnv struct{}

func (fakeEnv) HasMessage(id string) bool {
	return slices.Contains([]string{"test.hello", "test.bye", "test.yes", "test.no"}, id)
}

func (fakeEnv) Action(name string) (ActionInfo, bool) {
	if name == "test.lookup" {
		return ActionInfo{Outcomes: []string{"found", "none"}, Sets: []string{"result"}}, true
	}
	return ActionInfo{}, false
}

const sep = "----------\n"

// TestBroken checks that each broken flow is reported with exactly the
// expected `file:line:col: message` lines. Run with -update to rewrite them
// after a deliberate change, then review the diff.
func TestBroken(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.txt")
	if len(files) < 8 {
		t.Fatalf("found %d broken fixtures", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src, want, ok := strings.Cut(string(raw), sep)
			if !ok {
				t.Fatalf("%s: no %q separator", path, strings.TrimSpace(sep))
			}
			f, issues := Decode(name+".yaml", []byte(src))
			prog, more := Compile([]*File{f}, fakeEnv{}, Options{})
			issues = append(issues, more...)
			issues.Sort()
			var got strings.Builder
			for _, i := range issues {
				got.WriteString(i.Error() + "\n")
			}
			if *update {
				if err := os.WriteFile(path, []byte(src+sep+got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got.String() != want {
				t.Errorf("issues:\n%s\nwant:\n%s", got.String(), want)
			}
			if len(more.Errors()) > 0 && prog != nil {
				t.Error("Compile returned a program despite errors")
			}
			if len(issues.Errors()) == 0 {
				t.Error("a broken fixture produced no error")
			}
		})
	}
}

// TestStepFixtures requires a fixture per step kind that compiles cleanly
// and has the kind it shows.
func TestStepFixtures(t *testing.T) {
	var files []*File
	for k := KindSay; k <= KindEnd; k++ {
		path := filepath.Join("testdata", "steps", k.String()+".yaml")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("step kind %s has no fixture: %v", k, err)
		}
		f, issues := Decode(filepath.Base(path), data)
		if len(issues) > 0 {
			t.Fatalf("%s: %v", path, issues)
		}
		files = append(files, f)
	}
	prog, issues := Compile(files, fakeEnv{}, Options{})
	if len(issues) > 0 {
		t.Fatalf("fixtures do not compile cleanly:\n%v", issues)
	}
	for k := KindSay; k <= KindEnd; k++ {
		fl, ok := prog.Flow(k.String())
		if !ok {
			t.Fatalf("no flow %s", k)
		}
		if fl.Start.Kind != k {
			t.Errorf("fixture %s starts with a %s step", k, fl.Start.Kind)
		}
	}
}

func TestLoadSkipsTestsAndRequiresMenu(t *testing.T) {
	fsys := fstest.MapFS{
		"say.yaml":      {Data: mustRead(t, "testdata/steps/say.yaml")},
		"say_test.yaml": {Data: []byte("not: a flow")},
		"notes.txt":     {Data: []byte("ignored")},
	}
	_, issues := Load(fsys, fakeEnv{}, Options{Require: []string{"menu"}})
	if got := issues.Error(); got != `menu.yaml: flow "menu" is required but no file defines it` {
		t.Errorf("issues = %q", got)
	}
	prog, issues := Load(fsys, fakeEnv{}, Options{})
	if prog == nil || len(issues) != 0 {
		t.Fatalf("Load: %v", issues)
	}
	if n, ok := prog.Node("say", "bye"); !ok || n.Kind != KindEnd {
		t.Errorf("Node(say, bye) = %v, %v", n, ok)
	}
}

func TestDuplicateFlowAndFileName(t *testing.T) {
	src := mustRead(t, "testdata/steps/say.yaml")
	a, _ := Decode("say.yaml", src)
	b, _ := Decode("other.yaml", src)
	_, issues := Compile([]*File{a, b}, fakeEnv{}, Options{})
	want := "other.yaml:1:7: flow \"say\" is already defined in say.yaml"
	if got := issues.Error(); got != want {
		t.Errorf("issues = %q, want %q", got, want)
	}
}

func TestDecodeLimits(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	_, issues := Decode("big.yaml", big)
	if len(issues) != 1 || issues[0].Code != "too-big" {
		t.Errorf("big file: %v", issues)
	}
	for _, src := range []string{"", "[]", "flow: a\n---\nflow: b\n", "\x00\x01", "steps: *x"} {
		_, issues := Decode("x.yaml", []byte(src))
		if len(issues.Errors()) == 0 {
			t.Errorf("Decode(%q) reported no error", src)
		}
	}
}

func TestCond(t *testing.T) {
	vars := map[string]string{"age": "7", "lang": "ar", "ok": "yes", "no_way": "no", "zero": "0", "name": "Sesto"}
	cases := []struct {
		src  string
		want bool
	}{
		{"age >= 6 and age < 11", true},
		{"age > 7", false},
		{"age == 7.0", true},
		{"lang == \"ar\"", true},
		{"lang == 'it' or lang == 'ar'", true},
		{"ok", true},
		{"no_way", false},
		{"zero", false},
		{"missing", false},
		{"not missing", true},
		{"not (age < 3 or age > 10)", true},
		{"ok == yes and no_way == no", true},
		{"name != \"Prato\"", true},
		{"name < \"Z\"", true},
		{"missing == \"\"", true},
		{"age == -7", false},
	}
	for _, c := range cases {
		cond, err := ParseCond(c.src)
		if err != nil {
			t.Errorf("ParseCond(%q): %v", c.src, err)
			continue
		}
		if got := cond.Eval(vars); got != c.want {
			t.Errorf("%q = %v, want %v", c.src, got, c.want)
		}
	}
	bad := map[string]string{
		"age = 3":         `unknown operator "=": use == or !=`,
		"age ==":          "expected a variable or a value, found end",
		"(age > 3":        "missing `)`",
		"age > 3 age":     `unexpected "age": join conditions with ` + "`and` / `or`",
		"'open":           "string not closed: add the closing quote",
		"age > 3 and and": `expected a variable or a value, found "and"`,
		"age # 3":         `unexpected character '#'`,
		"(a) < 3":         "< compares two values, not conditions",
		"":                "expected a variable or a value, found end",
	}
	for src, want := range bad {
		if _, err := ParseCond(src); err == nil || err.Error() != want {
			t.Errorf("ParseCond(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestTemplate(t *testing.T) {
	vars := map[string]string{"a": "1", "name": "Prato"}
	for src, want := range map[string]string{
		"plain":             "plain",
		"{a}":               "1",
		"x{a}y{name}z":      "x1yPratoz",
		"{{literal}}":       "{literal}",
		"{missing}":         "",
		"":                  "",
		"in {name}, {{ok}}": "in Prato, {ok}",
	} {
		tm, err := ParseTemplate(src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", src, err)
			continue
		}
		if got := tm.Render(vars); got != want {
			t.Errorf("Render(%q) = %q, want %q", src, got, want)
		}
	}
	for _, src := range []string{"{a", "a}", "{Bad Name}", "{}"} {
		if _, err := ParseTemplate(src); err == nil {
			t.Errorf("ParseTemplate(%q) accepted", src)
		}
	}
}

func TestMermaid(t *testing.T) {
	var files []*File
	for _, k := range []string{"options", "do", "switch", "say"} {
		f, _ := Decode(k+".yaml", mustRead(t, "testdata/steps/"+k+".yaml"))
		files = append(files, f)
	}
	prog, issues := Compile(files, fakeEnv{}, Options{})
	if prog == nil {
		t.Fatal(issues)
	}
	for flowID, wants := range map[string][]string{
		"options": {"flowchart TD", `options_ask -- "test.yes" --> options_done`, `flow_/menu(["→ /menu"])`},
		"do":      {`do_look[["test.lookup"]]`, "do_look -- \"found\" --> do_yes_step", "do_look --> do_no_step"},
		"switch":  {`switch_branch -- "age #gt;= 6 and age #lt; 11" --> switch_primary`, `-- "else" --> switch_other`},
	} {
		f, _ := prog.Flow(flowID)
		got := Mermaid(f, nil)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("Mermaid(%s) lacks %q:\n%s", flowID, w, got)
			}
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeFlow: no input makes the parser or the checker panic, and the
// issues are the same on a second run.
func FuzzDecodeFlow(f *testing.F) {
	for _, dir := range []string{"testdata/steps/*.yaml", "testdata/broken/*.txt"} {
		paths, _ := filepath.Glob(dir)
		for _, p := range paths {
			b, _ := os.ReadFile(p)
			src, _, _ := strings.Cut(string(b), sep)
			f.Add([]byte(src))
		}
	}
	f.Add([]byte("flow: a\nstart: a\nsteps:\n  a: &x\n    say: test.hello\n    next: a\n  b: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func() string {
			file, issues := Decode("fuzz.yaml", data)
			_, more := Compile([]*File{file}, fakeEnv{}, Options{})
			issues = append(issues, more...)
			issues.Sort()
			return issues.Error()
		}
		if a, b := run(), run(); a != b {
			t.Fatalf("issues differ between runs:\n%s\n---\n%s", a, b)
		}
	})
}

func FuzzCond(f *testing.F) {
	for _, s := range []string{"age >= 6 and age < 11", "not (a or b)", "x == 'y'", "((((", "a ==", "1 < 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCond(src)
		if err == nil {
			c.Eval(map[string]string{"a": "1", "age": "7"})
		}
	})
}
