package webchat

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"teamsbot/bot"
	"teamsbot/store/memory"
)

// TestPayloads sends every body of testdata/ (what the page's chat.js
// sends: its enqueue calls) and checks the bot.Inbound the bot gets; a
// file not in the table fails, so every payload is used.
func TestPayloads(t *testing.T) {
	want := map[string]bot.Inbound{
		"text.json":        {ID: "k3x9q2m1", Text: "dove posso imparare l'italiano?"},
		"option.json":      {ID: "k3x9q2m2", Option: "o:menu.school"},
		"start.json":       {ID: "k3x9q2m3", Payload: "school"},
		"location.json":    {ID: "k3x9q2m4", Location: &bot.Location{Lat: 43.7696, Lon: 11.2558}},
		"text_ar.json":     {ID: "k3x9q2m5", Text: "كيف أجدد الإقامة في Prato؟"},
		"emoji.json":       {ID: "k3x9q2m6", Text: "👍🏽"},
		"extra_field.json": {ID: "k3x9q2m7", Text: "ok"}, // unknown fields are ignored
	}
	files, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := want[f.Name()]; !ok {
			t.Errorf("testdata/%s is not in the table", f.Name())
		}
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			_, e, srv := newChat(t, memory.New(), nil)
			b := &browser{t: t, base: srv.URL}
			b.start()
			body, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(body) {
				t.Fatalf("testdata/%s is not JSON", name)
			}
			res := b.do("POST", "/chat/api/send", string(body), nil)
			res.Body.Close()
			if res.StatusCode != 202 {
				t.Fatalf("answered %d, want 202", res.StatusCode)
			}
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.seen) != 1 {
				t.Fatalf("the bot got %d messages, want 1", len(e.seen))
			}
			got := e.seen[0]
			if got.Channel != Channel || got.UserID == "" || got.Time.IsZero() {
				t.Errorf("channel %q, user %q, time %v: want the web chat's, a user, a time", got.Channel, got.UserID, got.Time)
			}
			got.Channel, got.UserID, got.Time = "", "", w.Time
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}
