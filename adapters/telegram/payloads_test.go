package telegram_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/adapters/telegram"
	"teamsbot/bot"
	"teamsbot/internal/chattest"
)

// TestPayloads runs every update of testdata/ (real shapes of the Bot API)
// through the webhook and asserts the messages the bot is handed and the
// calls the adapter makes by itself. Every file is in the table.
func TestPayloads(t *testing.T) {
	const amina = "5123456789"
	at := func(unix int64) time.Time { return time.Unix(unix, 0) }
	table := map[string]struct {
		want  []bot.Inbound
		calls []string // the Bot API methods the adapter calls itself
	}{
		"message_text": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001001", Text: "مرحبا", LangHint: "ar", Time: at(1780041600), Seq: 734001001}}},
		"message_start": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001000", Text: "/start", Payload: "lang_ar-find_service",
			LangHint: "ar", Time: at(1780041590), Seq: 734001000}}},
		"message_location": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001003", Location: &bot.Location{Lat: 43.880012, Lon: 11.096981},
			LangHint: "ar", Time: at(1780041620), Seq: 734001003}}},
		// The largest photo size; the caption is the text.
		"message_photo": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001005", Text: "permesso",
			Media: &bot.Media{Kind: bot.MediaImage, Ref: "AgACAgQAAxkBAAIBwGZk-large", MIME: "image/jpeg"}, LangHint: "ar", Time: at(1780041640), Seq: 734001005}}},
		"message_voice": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001004",
			Media: &bot.Media{Kind: bot.MediaAudio, Ref: "AwACAgQAAxkBAAIBv2Zk", MIME: "audio/ogg"}, LangHint: "ar", Time: at(1780041630), Seq: 734001004}}},
		// A button press: the option, and the spinner stopped.
		"callback_query": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001002", Option: "c:privacy_ok", LangHint: "ar", Seq: 734001002}},
			calls: []string{"answerCallbackQuery"}},
		// A button of a message Telegram no longer shows: handled the same.
		"callback_inaccessible": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001012", Option: "o:deadbeef:2", LangHint: "ar", Seq: 734001012}},
			calls: []string{"answerCallbackQuery"}},
		// The user blocked the bot.
		"my_chat_member_kicked": {want: []bot.Inbound{{Channel: "telegram", UserID: amina, ID: "u734001007", Status: bot.StatusBlocked, Seq: 734001007}}},
		// An edit is not a new answer.
		"edited_message": {},
		// Groups: a command gets one line asking for a private chat; chatter
		// is ignored.
		"group_command": {calls: []string{"sendMessage"}},
		"group_text":    {},
		"no_from":       {},
		"unknown_type":  {},
	}
	files, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := table[strings.TrimSuffix(f.Name(), ".json")]; !ok {
			t.Errorf("testdata/%s is not in the table", f.Name())
		}
	}
	fake := newFake(t)
	var mu sync.Mutex
	var got []bot.Inbound
	a, err := telegram.New(telegram.Config{Token: token, WebhookSecret: secret, APIURL: fake.srv.URL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux, func(_ context.Context, in bot.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, in)
		return nil
	})
	for name, c := range table {
		mu.Lock()
		got = nil
		mu.Unlock()
		req := httptest.NewRequest("POST", telegram.WebhookPath, bytes.NewReader(fixture(t, name, nil)))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("%s: %d", name, rec.Code)
		}
		mu.Lock()
		if !chattest.SameInbounds(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, c.want)
		}
		mu.Unlock()
		var methods []string
		for _, call := range fake.calls("") {
			methods = append(methods, call.Method)
		}
		if strings.Join(methods, " ") != strings.Join(c.calls, " ") {
			t.Errorf("%s: the adapter called %v, want %v", name, methods, c.calls)
		}
	}
}
