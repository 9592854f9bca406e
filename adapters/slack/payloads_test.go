package slack_test

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	deskpkg "teamsbot/adapters/slack"
)

// TestPayloads runs every payload in testdata/, as Slack sends it, to the
// endpoint its name starts with (events_, interactivity_, commands_),
// signed, against a desk with one user waiting: the answer, and what the
// user then receives (an operator's words, the note that someone took the
// case) or that nothing reached them. {{thread}} and {{token}} stand for
// the waiting case's thread and buttons. Every file in testdata/ is in the
// table, and every row has its file.
func TestPayloads(t *testing.T) {
	table := map[string]struct {
		status int
		// body is in the answer; user is in what the user receives (the
		// message ids and texts, joined); "" means nothing reaches them.
		body, user string
	}{
		"events_url_verification.json":      {200, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", ""},
		"events_message_in_thread.json":     {200, "", "Come posso aiutarla? <3"},
		"events_message_from_a_bot.json":    {200, "", ""},
		"events_message_changed.json":       {200, "", ""},
		"events_message_in_channel.json":    {200, "", ""},
		"events_reaction_added.json":        {200, "", ""},
		"events_truncated.txt":              {200, "", ""}, // acknowledged and dropped (package webhook's policy)
		"interactivity_take.json":           {200, "", "operator.joined_named"},
		"interactivity_unknown_action.json": {200, "", ""},
		"commands_teams.txt":                {200, "*1 conversazione aperta*", ""},
	}
	files, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
		if _, ok := table[f.Name()]; !ok {
			t.Errorf("testdata/%s is in no row of the table", f.Name())
		}
	}
	for name, want := range table {
		t.Run(name, func(t *testing.T) {
			if !slices.Contains(names, name) {
				t.Fatalf("no testdata/%s", name)
			}
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r := newRig(t)
			r.waiting(t)
			token := caseToken(r.fake.take("chat.postMessage")[0].Form.Get("blocks"))
			body := strings.NewReplacer("{{thread}}", firstTS(t, r), "{{token}}", token).Replace(string(raw))
			path, contentType := deskpkg.EventsPath, "application/json"
			switch {
			case strings.HasPrefix(name, "interactivity_"):
				path, contentType = deskpkg.InteractivityPath, "application/x-www-form-urlencoded"
				body = "payload=" + url.QueryEscape(body)
			case strings.HasPrefix(name, "commands_"):
				path, contentType = deskpkg.CommandsPath, "application/x-www-form-urlencoded"
			}
			rec := r.signedRecorder(path, contentType, []byte(body))
			if rec.Code != want.status || !strings.Contains(rec.Body.String(), want.body) {
				t.Fatalf("answer %d %q, want %d with %q", rec.Code, rec.Body.String(), want.status, want.body)
			}
			said := func() string {
				var out []string
				for _, rp := range r.user.take() {
					out = append(out, strings.Join(rp.MessageIDs, " "), rp.Text)
				}
				return strings.Join(out, " ")
			}
			if want.user == "" {
				// Work the desk does after the answer would land within
				// this wait; nothing may reach the user.
				time.Sleep(100 * time.Millisecond)
				if got := said(); got != "" {
					t.Errorf("the user received %q", got)
				}
				return
			}
			var got string
			eventually(t, "the user's message", func() bool {
				got += said()
				return strings.Contains(got, want.user)
			})
		})
	}
}
