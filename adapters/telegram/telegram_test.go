package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/adapters/telegram"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/internal/sentat"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
)

const secret = "s3cret_-token"

type rig struct {
	fake    *fakeAPI
	adapter *telegram.Adapter
	svc     *bot.Service
	store   bot.Store
	logs    *bytes.Buffer
	mu      sync.Mutex
}

func newRig(t testing.TB, st bot.Store, cfg telegram.Config) *rig {
	t.Helper()
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{fake: newFake(t), store: st, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(syncWriter{r}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Token, cfg.WebhookSecret, cfg.APIURL = token, secret, r.fake.srv.URL
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 10*time.Second, Transport: sentat.Transport{}}
	}
	a, err := telegram.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	svc := bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender(telegram.Channel, a), bot.WithLogger(log))
	r.adapter, r.svc = a, svc
	return r
}

type syncWriter struct{ r *rig }

func (w syncWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.logs.Write(p)
}

// fixture loads testdata/<name>.json and applies edits: "update_id" and
// dotted paths such as "message.text" or "callback_query.data".
func fixture(t testing.TB, name string, edits map[string]any) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for path, v := range edits {
		keys := strings.Split(path, ".")
		cur := m
		for _, k := range keys[:len(keys)-1] {
			cur = cur[k].(map[string]any)
		}
		cur[keys[len(keys)-1]] = v
	}
	out, _ := json.Marshal(m)
	return out
}

// post delivers an update to the webhook and returns the status.
func (r *rig) post(t testing.TB, body []byte, sec string) int {
	t.Helper()
	req := httptest.NewRequest("POST", telegram.WebhookPath, bytes.NewReader(body))
	if sec != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", sec)
	}
	rec := httptest.NewRecorder()
	mux := http.NewServeMux()
	r.adapter.Routes(mux, r.svc.Handle)
	mux.ServeHTTP(rec, req)
	return rec.Code
}

// texts returns the texts of the sendMessage calls, and clears them.
func (r *rig) sent() []call { return r.fake.calls("sendMessage") }

func joined(cs []call) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Form["text"])
	}
	return strings.Join(s, "\n---\n")
}

// press finds the button whose label contains label in the last message with
// a keyboard, and returns its callback data.
func press(t testing.TB, cs []call, label string) string {
	t.Helper()
	for i := len(cs) - 1; i >= 0; i-- {
		for _, row := range keyboard(t, cs[i]) {
			for _, b := range row {
				if strings.Contains(b["text"].(string), label) {
					return b["callback_data"].(string)
				}
			}
		}
	}
	t.Fatalf("no button %q in:\n%s", label, joined(cs))
	return ""
}

// TestArabicConversation: a user arrives from a poster's deep link
// (/start lang_ar-find_service), accepts the privacy notice with a button,
// picks the Questura, shares a location, and gets the nearest offices — all
// in Arabic, HTML-escaped, with every callback answered.
func TestArabicConversation(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	if code := r.post(t, fixture(t, "message_start", nil), secret); code != 200 {
		t.Fatalf("/start: %d", code)
	}
	got := r.sent()
	if len(got) != 1 || !strings.Contains(got[0].Form["text"], "الخصوصية") && !strings.Contains(got[0].Form["text"], "•") {
		t.Fatalf("privacy notice:\n%s", joined(got))
	}
	if got[0].Form["parse_mode"] != "HTML" || got[0].Form["chat_id"] != "5123456789" {
		t.Errorf("sendMessage form: %v", got[0].Form)
	}
	kb := keyboard(t, got[0])
	if len(kb) != 2 || kb[0][0]["callback_data"] != "c:privacy_ok" || !strings.HasPrefix(kb[0][0]["text"].(string), "1. ") {
		t.Fatalf("privacy keyboard: %v", kb)
	}
	if _, ok := kb[0][0]["copy_text"]; ok {
		t.Error("buttons carry copy_text")
	}
	// Accept: the deep link's flow opens: which office?
	r.post(t, fixture(t, "callback_query", map[string]any{"callback_query.data": "c:privacy_ok"}), secret)
	if n := len(r.fake.calls("answerCallbackQuery")); n != 1 {
		t.Errorf("answerCallbackQuery calls: %d", n)
	}
	got = r.sent()
	data := press(t, got, "Questura")
	if len(data) > 64 {
		t.Errorf("callback data of %d bytes", len(data))
	}
	r.post(t, fixture(t, "callback_query", map[string]any{"update_id": 734001020, "callback_query.data": data}), secret)
	got = r.sent()
	if len(got) != 1 || !strings.Contains(got[0].Form["reply_markup"], `"request_location":true`) {
		t.Fatalf("where question with a location button:\n%s\n%v", joined(got), got[0].Form)
	}
	r.post(t, fixture(t, "message_location", nil), secret)
	got = r.sent()
	text := joined(got)
	// In Arabic, left-to-right runs arrive isolated (U+2068…U+2069).
	plain := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(text)
	for _, want := range []string{"1. Questura di Prato", "🗺 https://www.openstreetmap.org/"} {
		if !strings.Contains(plain, want) {
			t.Errorf("results lack %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "\u2068https://www.openstreetmap.org/") {
		t.Errorf("the map link is not isolated in Arabic:\n%s", text)
	}
	if strings.Contains(text, "<") && !strings.Contains(text, "&lt;") && !strings.Contains(text, "<b>") {
		t.Errorf("unescaped markup:\n%s", text)
	}
	// A voice note: said what the bot can do, politely, in Arabic.
	r.post(t, fixture(t, "message_voice", nil), secret)
	if got := joined(r.sent()); got == "" {
		t.Error("no answer to a voice note")
	}
	// The log never holds the message text or the user id.
	logs := r.logs.String()
	for _, secretThing := range []string{"مرحبا", "5123456789", "Amina", token} {
		if strings.Contains(logs, secretThing) {
			t.Errorf("logs contain %q", secretThing)
		}
	}
}

func TestForgedSecretIsRejected(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{})
	for _, sec := range []string{"", "wrong", secret + "x", strings.ToUpper(secret)} {
		if code := r.post(t, fixture(t, "message_text", nil), sec); code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", sec, code)
		}
	}
	if n := len(r.fake.calls("")); n != 0 {
		t.Errorf("a forged update caused %d API calls", n)
	}
}

func TestRedeliveredUpdateIsAnsweredOnce(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	body := fixture(t, "message_text", nil)
	for range 3 {
		if code := r.post(t, body, secret); code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	if n := len(r.sent()); n != 1 {
		t.Errorf("a redelivered update got %d replies", n)
	}
	// An edit of the same message is not a new message.
	r.post(t, fixture(t, "edited_message", nil), secret)
	if n := len(r.sent()); n != 0 {
		t.Errorf("an edited message got %d replies", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	r.fake.tooMany = 1
	start := time.Now()
	r.post(t, fixture(t, "message_text", nil), secret)
	got := r.sent()
	if len(got) != 2 {
		t.Fatalf("sendMessage calls: %d (one 429, one retry)", len(got))
	}
	if gap := got[1].At.Sub(got[0].At); gap < 900*time.Millisecond {
		t.Errorf("retried after %v; Telegram said 1 s", gap)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("took too long")
	}
	r.fake.failures = 2 // 502 twice: retried with backoff
	r.post(t, fixture(t, "message_text", map[string]any{"update_id": 734002000, "message.text": "1"}), secret)
	// The webhook may answer (after 2 s) while the retries go on: on a
	// loaded machine the third call can come after the answer.
	n := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n = len(r.sent()); n >= 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("after two 502s: %d calls, want 3", n)
	}
}

func TestBlockedUserGetsNothing(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	r.post(t, fixture(t, "message_text", nil), secret)
	r.sent()
	r.post(t, fixture(t, "my_chat_member_kicked", nil), secret)
	if n := len(r.sent()); n != 0 {
		t.Errorf("blocking produced %d messages", n)
	}
	ctx := context.Background()
	if err := r.svc.GiveBack(ctx, "telegram:5123456789"); err == nil {
		t.Error("give back to a user not in handoff")
	}
	// A 403 from Telegram is remembered too.
	r2 := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	r2.fake.forbidden = true
	r2.post(t, fixture(t, "message_text", nil), secret)
	if n := len(r2.sent()); n != 1 {
		t.Errorf("403: %d attempts, want 1 (no retry)", n)
	}
	raw, err := r2.store.Load(ctx, "telegram:5123456789")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := bot.UnmarshalSession(raw); err != nil || !s.Blocked {
		t.Errorf("a 403 was not recorded: %+v %v", s, err)
	}
}

func TestBadInputDoesNotMakeTelegramRetry(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	for name, body := range map[string][]byte{
		"malformed":     []byte(`{"update_id":1,"message":`),
		"5 MB":          bytes.Repeat([]byte("a"), 5<<20),
		"unknown type":  fixture(t, "unknown_type", nil),
		"missing from":  fixture(t, "no_from", nil),
		"empty":         nil,
		"not an object": []byte(`[1,2,3]`),
		"group chatter": fixture(t, "group_text", nil),
	} {
		if code := r.post(t, body, secret); code != 200 {
			t.Errorf("%s: %d, want 200 (Telegram retries anything else)", name, code)
		}
	}
	if n := len(r.sent()); n != 0 {
		t.Errorf("garbage produced %d messages", n)
	}
	// A command in a group gets one polite line, in every launch language.
	r.post(t, fixture(t, "group_command", nil), secret)
	got := r.sent()
	if len(got) != 1 || got[0].Form["chat_id"] != "-1001234567890" || !strings.Contains(got[0].Form["text"], "private") {
		t.Errorf("group command: %s", joined(got))
	}
	// A button of a message Telegram no longer shows (date 0), with unknown
	// data: answered, and the current question asked again.
	r.post(t, fixture(t, "message_text", nil), secret)
	r.sent()
	r.post(t, fixture(t, "callback_inaccessible", nil), secret)
	if n := len(r.fake.calls("answerCallbackQuery")); n != 1 {
		t.Errorf("answerCallbackQuery: %d", n)
	}
	if got := r.sent(); len(got) != 1 {
		t.Errorf("old button: %d replies", len(got))
	}
	if strings.Contains(r.logs.String(), "aaaaaaaa") {
		t.Error("a body reached the logs")
	}
}

func TestLongTextsAreSplitAndEscaped(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000})
	para := strings.Repeat("Via <Roma> & \"Prato\" ", 100) // 2,100 characters
	text := para + "\n\n" + para + "\n\n" + para
	err := r.adapter.Send(context.Background(), "42", []bot.Reply{{Text: text, Options: []bot.Option{{ID: "o:1", Label: "<b>ok</b>"}}}, {Text: "ciao", FromOperator: "Giulia <admin>"}})
	if err != nil {
		t.Fatal(err)
	}
	got := r.sent()
	if len(got) != 4 {
		t.Fatalf("messages: %d, want 3 parts + 1", len(got))
	}
	for i, c := range got[:3] {
		if n := len([]rune(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`).Replace(c.Form["text"]))); n > 4096 {
			t.Errorf("part %d has %d characters", i, n)
		}
		if strings.Contains(c.Form["text"], "<Roma>") {
			t.Errorf("part %d is not escaped", i)
		}
	}
	if keyboard(t, got[0]) != nil || keyboard(t, got[2]) == nil {
		t.Error("the keyboard must be under the last part only")
	}
	if kb := keyboard(t, got[2]); kb[0][0]["text"] != "1. <b>ok</b>" {
		t.Errorf("button label: %v", kb[0][0]["text"])
	}
	if got[3].Form["text"] != "<b>👤 Giulia &lt;admin&gt;</b>\nciao" {
		t.Errorf("operator message: %q", got[3].Form["text"])
	}
}

// TestPacingManyChats: 1,000 users due a message at once are sent at the
// configured global rate, and the fake (which rejects bursts over that rate)
// never answers 429.
func TestPacingManyChats(t *testing.T) {
	if testing.Short() {
		t.Skip("paces 1,000 messages")
	}
	const rate = 400
	r := newRig(t, memory.New(), telegram.Config{PerChat: 1, Global: rate})
	r.fake.limit = rate + rate/2 // rate+burst per second, plus room for arrivals bunched by a busy machine
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.adapter.Send(context.Background(), fmt.Sprint(1000+i), []bot.Reply{{Text: "Promemoria"}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	got := r.sent()
	if r.fake.rejected != 0 {
		t.Errorf("the fake answered 429 %d times", r.fake.rejected)
	}
	if len(got) != 1000 {
		t.Errorf("sent %d", len(got))
	}
	if min := time.Duration(float64(1000-rate)/rate*float64(time.Second)) - 100*time.Millisecond; took < min {
		t.Errorf("1,000 messages in %v: faster than %d/s", took, rate)
	}
	t.Logf("1,000 chats at %d/s: %v, no 429", rate, took)
}

func TestLongPolling(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{PerChat: 100, Global: 1000, PollTimeout: 2 * time.Second})
	r.fake.updates = [][]byte{fixture(t, "message_start", nil), fixture(t, "callback_query", nil)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.adapter.Poll(ctx, r.svc.Handle) }()
	deadline := time.Now().Add(10 * time.Second)
	var got []call
	for time.Now().Before(deadline) && len(got) < 2 {
		got = append(got, r.sent()...)
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if len(got) < 2 {
		t.Fatalf("polled updates got %d replies", len(got))
	}
	// In order: the privacy notice, then what comes after accepting it.
	if !strings.Contains(got[0].Form["reply_markup"], "c:privacy_ok") || strings.Contains(got[1].Form["reply_markup"], "c:privacy_ok") {
		t.Errorf("out of order:\n%s", joined(got))
	}
	if n := len(r.fake.calls("deleteWebhook")); n != 1 {
		t.Errorf("deleteWebhook calls: %d", n)
	}
}

func TestSetWebhook(t *testing.T) {
	r := newRig(t, memory.New(), telegram.Config{})
	if err := r.adapter.SetWebhook(context.Background(), "https://bot.example.org/webhooks/telegram"); err != nil {
		t.Fatal(err)
	}
	c := r.fake.calls("setWebhook")
	if len(c) != 1 || c[0].Form["secret_token"] != secret || c[0].Form["url"] != "https://bot.example.org/webhooks/telegram" {
		t.Fatalf("setWebhook: %+v", c)
	}
	var allowed []string
	_ = json.Unmarshal([]byte(c[0].Form["allowed_updates"]), &allowed)
	for _, u := range []string{"message", "callback_query", "my_chat_member"} {
		if !slices.Contains(allowed, u) {
			t.Errorf("allowed_updates lacks %s: %v", u, allowed)
		}
	}
	// The webhook answers as soon as a turn is saved: Telegram may open its
	// most connections (100), or what TELEGRAM_MAX_CONNECTIONS says.
	if c[0].Form["max_connections"] != "100" {
		t.Errorf("max_connections %q, want 100", c[0].Form["max_connections"])
	}
	r = newRig(t, memory.New(), telegram.Config{MaxConnections: 60})
	if err := r.adapter.SetWebhook(context.Background(), "https://bot.example.org/webhooks/telegram"); err != nil {
		t.Fatal(err)
	}
	if c := r.fake.calls("setWebhook"); len(c) != 1 || c[0].Form["max_connections"] != "60" {
		t.Errorf("setWebhook with 60: %+v", c)
	}
}

// BenchmarkWebhook measures updates through the webhook end to end: secret
// check, decode, dedup, lock, load, engine, save on the embedded store, and
// the sendMessage call to the fake API; it reports p50 and p99 latency.
func BenchmarkWebhook(b *testing.B) {
	st, err := embedded.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := newRig(b, st, telegram.Config{PerChat: 1e6, Global: 1e6})
	bodies := make([][]byte, 0, 64)
	for i := range 64 {
		bodies = append(bodies, fixture(b, "message_text", map[string]any{"message.chat.id": 9000 + i, "message.from.id": 9000 + i}))
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		body := bytes.Replace(bodies[i%64], []byte(`"update_id":734001001`), []byte(fmt.Sprintf(`"update_id":%d`, 800000000+i)), 1)
		t0 := time.Now()
		if code := r.post(b, body, secret); code != 200 {
			b.Fatalf("status %d", code)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	r.fake.calls("")
}
