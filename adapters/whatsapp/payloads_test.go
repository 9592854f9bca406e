package whatsapp_test

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

	"teamsbot/adapters/whatsapp"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/internal/chattest"
)

// TestPayloads runs every notification of testdata/ (real shapes of the
// Cloud API) through the signed webhook and asserts the messages the bot is
// handed, in order. Every file is in the table.
func TestPayloads(t *testing.T) {
	const youssef = "MA.13491208655302741918" // +212: Morocco, Arabic
	at := func(unix int64) time.Time { return time.Unix(unix, 0).UTC() }
	in := func(id string, unix, seq int64) bot.Inbound {
		return bot.Inbound{Channel: "whatsapp", UserID: youssef, ID: "wamid." + id, LangHint: "ar", Time: at(unix), Seq: seq}
	}
	with := func(b bot.Inbound, edit func(*bot.Inbound)) bot.Inbound { edit(&b); return b }
	table := map[string][]bot.Inbound{
		"text_ar": {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDEA", 1780041600, 1780041600000), func(b *bot.Inbound) { b.Text = "السلام عليكم" })},
		// Buttons and list rows come back as the option's id.
		"button_reply": {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDIA", 1780041610, 1780041610000), func(b *bot.Inbound) { b.Option = "c:privacy_ok" })},
		"list_reply":   {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDMA", 1780041620, 1780041620000), func(b *bot.Inbound) { b.Option = "o:00000000:1" })},
		"location": {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDQA", 1780041630, 1780041630000), func(b *bot.Inbound) {
			b.Location = &bot.Location{Lat: 43.880012, Lon: 11.096981}
		})},
		"audio": {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDUA", 1780041640, 1780041640000), func(b *bot.Inbound) {
			b.Media = &bot.Media{Kind: bot.MediaAudio, Ref: "1091856452335791", MIME: "audio/ogg; codecs=opus"}
		})},
		// A reaction is not a message; a type Meta cannot show is answered
		// politely (an unsupported medium).
		"unsupported_reaction": {with(in("HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDcA", 1780041651, 1780041651001), func(b *bot.Inbound) {
			b.Media = &bot.Media{Kind: bot.MediaUnsupported}
		})},
		// Two users in one notification: a Senegalese number (+221:
		// French), and a user Meta gives only a user id (no language hint).
		"two_users": {
			{Channel: "whatsapp", UserID: "SN.1502576394655843", ID: "wamid.HBgMMjIxNzcxMjM0NTY3FQIAEhgUM0FBMjQ1MzZBNTEA", Text: "bonjour", LangHint: "fr", Time: at(1780041700), Seq: 1780041700000},
			{Channel: "whatsapp", UserID: "CN.77712345678901234", ID: "wamid.HBgMQ04uNzc3MTIzNDU2Nzg5MDEyMzQVAgASGBQzRUIwQjQA", Text: "你好", Time: at(1780041701), Seq: 1780041701001},
		},
		// Delivery statuses are not messages.
		"statuses": nil,
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
	l, issues := app.Load(app.EmbeddedContent())
	if l == nil {
		t.Fatal(issues)
	}
	_, countries := app.WhatsAppLanguages(l.Catalog.Settings())
	var mu sync.Mutex
	var got []bot.Inbound
	hook := whatsapp.NewWebhook(appSecret, "v", func(_ context.Context, in bot.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, in)
		return nil
	}, nil, countries, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	hook.Routes(mux)
	for name, want := range table {
		mu.Lock()
		got = nil
		mu.Unlock()
		body := load(t, name)
		req := httptest.NewRequest("POST", whatsapp.WebhookPath, bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sign(body, appSecret))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("%s: %d", name, rec.Code)
		}
		mu.Lock()
		if !chattest.SameInbounds(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
		mu.Unlock()
	}
}
