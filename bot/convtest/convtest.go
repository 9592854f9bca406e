// Package convtest runs conversation tests: YAML files kept beside the flows
// (flows/<name>_test.yaml) that say what a user writes and what the bot must
// answer. The same runner backs `teamsbot test` and `go test ./flows`.
//
// A test file:
//
//	tests:
//	  - name: a parent of an 8-year-old asks where to enrol
//	    langs: all                 # or a list: [it, en]; default: [lang]
//	    lang: en                   # the language hint of the user
//	    turns:
//	      - user: hi               # what the user writes
//	        says: [privacy.notice] # message ids the replies must include
//	        offers: [privacy.accept]
//	      - choose: privacy.accept # press the button with this label id
//	      - choose: menu.school
//	      - user: "8"
//	        says: [school.level_primary]
//	        vars: {school_level: primary}
//	      - location: [43.83, 11.19] # share a position
//	        contains: [Sesto Fiorentino]
//	      - user: كيف أجدد الإقامة
//	        language: ar           # the conversation's language after it
//
// Expectations are message ids, not texts, so one test runs in every
// language; contains checks literal text (names, numbers), not_contains
// text that must not show. In every language, a reply that shows a bare
// message id (a missing translation) or is empty fails the test.
//
// Import limits: bot, bot/flow, YAML and the standard library.
package convtest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"teamsbot/bot"
	"teamsbot/bot/flow"
)

// File is a decoded conversation test file.
type File struct {
	Path  string
	Tests []Test `yaml:"tests"`
}

// Test is one conversation.
type Test struct {
	Name  string    `yaml:"name"`
	Lang  string    `yaml:"lang"`
	Langs StringSet `yaml:"langs"`
	// Channel is the inbound channel (default "test").
	Channel string `yaml:"channel"`
	// Now is the conversation's start time (RFC 3339; default 2026-03-02T10:00:00+01:00).
	Now   string `yaml:"now"`
	Turns []Turn `yaml:"turns"`
	Line  int    `yaml:"-"`
}

// StringSet is a list that may also be written as the single word "all".
type StringSet struct {
	All  bool
	List []string
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *StringSet) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "all" {
			s.All = true
			return nil
		}
		s.List = []string{n.Value}
		return nil
	}
	return n.Decode(&s.List)
}

// Turn is one user message and the expectations on the bot's answer.
type Turn struct {
	User     *string   `yaml:"user"`
	Choose   string    `yaml:"choose"`
	Location []float64 `yaml:"location"`
	Media    string    `yaml:"media"`
	Payload  string    `yaml:"payload"`
	Wait     string    `yaml:"wait"` // advance the clock before this turn, e.g. 25h
	Operator *Operator `yaml:"operator"`
	Says     []string  `yaml:"says"`
	NotSays  []string  `yaml:"not_says"`
	Offers   []string  `yaml:"offers"`
	Contains []string  `yaml:"contains"`
	// NotContains is literal text the replies must not show.
	NotContains []string          `yaml:"not_contains"`
	Vars        map[string]string `yaml:"vars"`
	State       string            `yaml:"state"`
	Language    string            `yaml:"language"` // the conversation's language after the turn
	Events      []string          `yaml:"events"`
	Silent      bool              `yaml:"silent"` // the bot must not answer
	Line        int               `yaml:"-"`
}

// Operator is an action of the operators' desk instead of a user message.
type Operator struct {
	Join     string `yaml:"join"` // operator name
	Says     string `yaml:"says"`
	GiveBack bool   `yaml:"give_back"`
}

// Failure is a test whose expectations did not hold.
type Failure struct {
	File, Test, Lang string
	Line             int
	Msg              string
}

func (f Failure) Error() string {
	return fmt.Sprintf("%s:%d: %s [%s]: %s", f.File, f.Line, f.Test, f.Lang, f.Msg)
}

// Result summarises a run.
type Result struct {
	Runs     int // test × language
	Failures []Failure
}

// Load reads every *_test.yaml in the root of fsys.
func Load(fsys fs.FS) ([]File, flow.Issues) {
	names, _ := fs.Glob(fsys, "*_test.yaml")
	var files []File
	var issues flow.Issues
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			issues = append(issues, flow.Issue{File: name, Severity: flow.Error, Code: "read", Msg: err.Error()})
			continue
		}
		f, err := Parse(name, data)
		if err != nil {
			issues = append(issues, flow.Issue{File: name, Severity: flow.Error, Code: "yaml", Msg: err.Error()})
			continue
		}
		files = append(files, f)
	}
	return files, issues
}

// Parse decodes one test file, keeping line numbers.
func Parse(path string, data []byte) (File, error) {
	f := File{Path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return f, fmt.Errorf("broken YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// Lines: tests → sequence items; turns → their items.
	if len(doc.Content) > 0 {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "tests" {
				continue
			}
			for ti, tn := range root.Content[i+1].Content {
				if ti >= len(f.Tests) {
					break
				}
				f.Tests[ti].Line = tn.Line
				for j := 0; j+1 < len(tn.Content); j += 2 {
					if tn.Content[j].Value == "turns" {
						for k, turn := range tn.Content[j+1].Content {
							if k < len(f.Tests[ti].Turns) {
								f.Tests[ti].Turns[k].Line = turn.Line
							}
						}
					}
				}
			}
		}
	}
	return f, nil
}

// Runner runs tests against an engine.
type Runner struct {
	Engine *bot.Engine
	// Fresh, if set, builds the engine for each test run, so that it starts
	// with fresh state outside the session (a new bookings store); Engine
	// then only names the languages.
	Fresh func() (*bot.Engine, error)
}

var bareID = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// Run runs every test of every file in each of its languages.
func (r Runner) Run(ctx context.Context, files []File) Result {
	var res Result
	all := r.Engine.Translator().Languages()
	for _, f := range files {
		for _, t := range f.Tests {
			langs := t.Langs.List
			if t.Langs.All {
				langs = nil
				for _, l := range all {
					langs = append(langs, l.Code)
				}
			}
			if len(langs) == 0 {
				langs = []string{t.Lang}
			}
			for _, lang := range langs {
				res.Runs++
				run := r
				if r.Fresh != nil {
					e, err := r.Fresh()
					if err != nil {
						res.Failures = append(res.Failures, Failure{File: f.Path, Test: t.Name, Lang: lang, Line: t.Line, Msg: "engine: " + err.Error()})
						continue
					}
					run.Engine = e
				}
				if fail, ok := run.one(ctx, f.Path, t, lang); !ok {
					res.Failures = append(res.Failures, fail)
				}
			}
		}
	}
	return res
}

func (r Runner) one(ctx context.Context, path string, t Test, lang string) (Failure, bool) {
	fail := func(line int, format string, args ...any) (Failure, bool) {
		return Failure{File: path, Test: t.Name, Lang: lang, Line: line, Msg: fmt.Sprintf(format, args...)}, false
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	if t.Now != "" {
		var err error
		if now, err = time.Parse(time.RFC3339, t.Now); err != nil {
			return fail(t.Line, "now: %v", err)
		}
	}
	channel := t.Channel
	if channel == "" {
		channel = "test"
	}
	sess := &bot.Session{State: bot.StateNew}
	var last []bot.Reply
	for i, turn := range t.Turns {
		line := turn.Line
		if turn.Wait != "" {
			d, err := time.ParseDuration(turn.Wait)
			if err != nil {
				return fail(line, "wait: %v", err)
			}
			now = now.Add(d)
		}
		in := bot.Inbound{Channel: channel, UserID: "convtest", LangHint: lang, Time: now, ID: fmt.Sprintf("m%d", i), Payload: turn.Payload}
		switch {
		case turn.User != nil:
			in.Text = *turn.User
		case strings.HasPrefix(turn.Choose, "o:") || strings.HasPrefix(turn.Choose, "c:"):
			// A raw button id: a button of an old message, or a command.
			in.Option = turn.Choose
		case turn.Choose != "":
			id, ok := findOption(last, turn.Choose)
			if !ok {
				return fail(line, "choose %s: the last reply offers no such option (it offers %s)", turn.Choose, offered(last))
			}
			in.Option = id
		case len(turn.Location) == 2:
			in.Location = &bot.Location{Lat: turn.Location[0], Lon: turn.Location[1]}
		case turn.Media != "":
			in.Media = &bot.Media{Kind: bot.MediaKind(turn.Media), Ref: "test-file"}
		}
		var out bot.Turn
		var err error
		switch {
		case turn.Operator != nil && turn.Operator.Join != "":
			out, err = r.Engine.OperatorJoined(ctx, sess, turn.Operator.Join, now)
		case turn.Operator != nil && turn.Operator.Says != "":
			out, err = r.Engine.OperatorSays(ctx, sess, "", bot.OperatorText{Text: turn.Operator.Says}, now)
		case turn.Operator != nil && turn.Operator.GiveBack:
			out, err = r.Engine.GiveBack(ctx, sess, now)
		default:
			out, err = r.Engine.Step(ctx, sess, in, now)
		}
		if err != nil {
			return fail(line, "the engine failed: %v", err)
		}
		for _, ev := range out.Events {
			if ev.Kind == bot.EventForget {
				*sess = bot.Session{State: bot.StateNew}
			}
		}
		if f, bad := check(out, turn, sess); bad != "" {
			_ = f
			return fail(line, "%s\n  bot said: %s", bad, show(out.Replies))
		}
		last = out.Replies
		now = now.Add(30 * time.Second)
	}
	return Failure{}, true
}

func check(out bot.Turn, turn Turn, sess *bot.Session) (Failure, string) {
	var ids, opts []string
	var text strings.Builder
	for _, r := range out.Replies {
		ids = append(ids, r.MessageIDs...)
		for _, o := range r.Options {
			opts = append(opts, o.MessageID)
			text.WriteString(o.Label + "\n")
			if strings.TrimSpace(o.Label) == "" || bareID.MatchString(o.Label) {
				return Failure{}, fmt.Sprintf("option %s shows %q: a missing translation", o.MessageID, o.Label)
			}
		}
		for _, p := range strings.Split(r.Text, "\n\n") {
			if bareID.MatchString(strings.TrimSpace(p)) {
				return Failure{}, fmt.Sprintf("a reply shows the bare id %q: a missing translation", p)
			}
		}
		if strings.TrimSpace(r.Text) == "" && len(r.Options) == 0 && !r.AskLocation {
			return Failure{}, "an empty reply"
		}
		text.WriteString(r.Text)
		text.WriteString("\n")
	}
	if turn.Silent && len(out.Replies) > 0 {
		return Failure{}, "the bot answered, but should have stayed silent"
	}
	if !turn.Silent && len(out.Replies) == 0 {
		return Failure{}, "the bot did not answer"
	}
	for _, id := range turn.Says {
		if !slices.Contains(ids, id) {
			return Failure{}, fmt.Sprintf("expected the bot to say %s; it said %s", id, strings.Join(ids, ", "))
		}
	}
	for _, id := range turn.NotSays {
		if slices.Contains(ids, id) {
			return Failure{}, fmt.Sprintf("the bot said %s, which it should not", id)
		}
	}
	for _, id := range turn.Offers {
		if !slices.Contains(opts, id) {
			return Failure{}, fmt.Sprintf("expected an option %s; options were %s", id, strings.Join(opts, ", "))
		}
	}
	for _, s := range turn.Contains {
		if !strings.Contains(text.String(), s) {
			return Failure{}, fmt.Sprintf("expected the text to contain %q", s)
		}
	}
	for _, s := range turn.NotContains {
		if strings.Contains(text.String(), s) {
			return Failure{}, fmt.Sprintf("the text contains %q, which it should not", s)
		}
	}
	for k, v := range turn.Vars {
		if got := sess.Vars[k]; got != v {
			return Failure{}, fmt.Sprintf("variable %s is %q, want %q", k, got, v)
		}
	}
	if turn.Language != "" && sess.Lang != turn.Language {
		return Failure{}, fmt.Sprintf("the conversation is in %q, want %q", sess.Lang, turn.Language)
	}
	if turn.State != "" && sess.State != turn.State {
		return Failure{}, fmt.Sprintf("state is %s, want %s", sess.State, turn.State)
	}
	for _, want := range turn.Events {
		found := false
		for _, ev := range out.Events {
			if ev.Kind.String() == want {
				found = true
			}
		}
		if !found {
			return Failure{}, fmt.Sprintf("expected event %s", want)
		}
	}
	return Failure{}, ""
}

func findOption(replies []bot.Reply, msgID string) (string, bool) {
	for _, r := range replies {
		for _, o := range r.Options {
			if o.MessageID == msgID || o.ID == msgID {
				return o.ID, true
			}
		}
	}
	return "", false
}

func offered(replies []bot.Reply) string {
	var out []string
	for _, r := range replies {
		for _, o := range r.Options {
			id := o.MessageID
			if id == "" {
				id = o.ID
			}
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

func show(replies []bot.Reply) string {
	var parts []string
	for _, r := range replies {
		s := strings.Join(r.MessageIDs, "+")
		if s == "" {
			s = fmt.Sprintf("%q", r.Text)
		}
		if len(r.Options) > 0 {
			s += " [" + offered([]bot.Reply{r}) + "]"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " | ")
}
