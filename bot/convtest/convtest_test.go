package convtest_test

import (
	"context"
	"strings"
	"testing"

	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/bot/convtest"
)

// TestRunnerCatchesWrongExpectations: a conversation test whose
// expectations do not hold must fail, with the file, the line, the language
// and what the bot said.
func TestRunnerCatchesWrongExpectations(t *testing.T) {
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	src := `tests:
  - name: wrong on purpose
    langs: [en, it]
    turns:
      - user: hi
        says: [menu.ask]
  - name: right
    lang: en
    turns:
      - user: hi
        says: [privacy.notice]
      - choose: no.such_option
  - name: vars
    lang: en
    turns:
      - user: hi
        state: flow
`
	f, err := convtest.Parse("x_test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := convtest.Runner{Engine: eng}.Run(context.Background(), []convtest.File{f})
	if res.Runs != 4 || len(res.Failures) != 4 {
		t.Fatalf("runs %d, failures %d: %v", res.Runs, len(res.Failures), res.Failures)
	}
	for i, want := range []string{
		"x_test.yaml:5: wrong on purpose [en]: expected the bot to say menu.ask; it said privacy.notice",
		"x_test.yaml:5: wrong on purpose [it]:",
		"x_test.yaml:12: right [en]: choose no.such_option: the last reply offers no such option (it offers privacy.accept, privacy.decline)",
		"x_test.yaml:16: vars [en]: state is privacy, want flow",
	} {
		if !strings.HasPrefix(res.Failures[i].Error(), want) {
			t.Errorf("failure %d = %q, want prefix %q", i, res.Failures[i].Error(), want)
		}
	}
	if _, err := convtest.Parse("bad_test.yaml", []byte("tests:\n  - nmae: typo\n")); err == nil {
		t.Error("an unknown key in a test file was accepted")
	}
}
