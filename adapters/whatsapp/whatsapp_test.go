package whatsapp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

	"teamsbot/adapters/whatsapp"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/internal/sentat"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
)

type rig struct {
	graph  *fakeGraph
	sender *whatsapp.Sender
	hook   *whatsapp.Webhook
	eng    *bot.Engine // the shipped content, for a second replica
	mux    *http.ServeMux
	logs   *bytes.Buffer
	lmu    sync.Mutex
}

type lockedWriter struct{ r *rig }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.r.lmu.Lock()
	defer w.r.lmu.Unlock()
	return w.r.logs.Write(p)
}

func newRig(t testing.TB, st bot.Store, cfg whatsapp.Config) *rig {
	t.Helper()
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	eng, err := l.Engine(bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{graph: newGraph(t), mux: http.NewServeMux(), logs: &bytes.Buffer{}, eng: eng}
	log := slog.New(slog.NewTextHandler(lockedWriter{r}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Token, cfg.PhoneNumberID, cfg.APIURL = apiToken, phoneID, r.graph.srv.URL
	if cfg.Rate == 0 {
		cfg.Rate = 1000
	}
	if cfg.PairInterval == 0 {
		cfg.PairInterval = time.Millisecond
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second, Transport: sentat.Transport{}}
	}
	templates, countries := app.WhatsAppLanguages(l.Catalog.Settings())
	if cfg.TemplateLangs == nil {
		cfg.TemplateLangs = templates
	}
	r.sender, err = whatsapp.NewSender(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	svc := bot.NewService(eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender(whatsapp.Channel, r.sender), bot.WithLogger(log))
	r.hook = whatsapp.NewWebhook(appSecret, "verify-me", svc.Handle, r.sender, countries, log)
	r.hook.Routes(r.mux)
	return r
}

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func load(t testing.TB, name string, replace ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(replace); i += 2 {
		b = bytes.ReplaceAll(b, []byte(replace[i]), []byte(replace[i+1]))
	}
	return b
}

func (r *rig) post(t testing.TB, body []byte, sig string) int {
	t.Helper()
	req := httptest.NewRequest("POST", whatsapp.WebhookPath, bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rec := httptest.NewRecorder()
	r.mux.ServeHTTP(rec, req)
	return rec.Code
}

func (r *rig) deliver(t testing.TB, body []byte) {
	t.Helper()
	if code := r.post(t, body, sign(body, appSecret)); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
}

func TestVerificationHandshake(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	for q, want := range map[string]int{
		"hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444": 200,
		"hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1":              401,
		"hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1":        401,
		"hub.challenge=1": 401,
	} {
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, httptest.NewRequest("GET", whatsapp.WebhookPath+"?"+q, nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", q, rec.Code, want)
		}
		if want == 200 && rec.Body.String() != "1158201444" {
			t.Errorf("challenge echoed as %q", rec.Body.String())
		}
	}
}

func TestSignatures(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	body := load(t, "text_ar")
	for name, sig := range map[string]string{
		"missing":    "",
		"forged":     sign(body, "not-the-secret"),
		"other body": sign(append(body, ' '), appSecret),
		"not hex":    "sha256=zz",
		"no prefix":  strings.TrimPrefix(sign(body, appSecret), "sha256="),
	} {
		if code := r.post(t, body, sig); code != http.StatusUnauthorized {
			t.Errorf("%s signature: %d, want 401", name, code)
		}
	}
	if got := r.graph.messages(); len(got) != 0 {
		t.Errorf("unsigned notifications caused %d sends", len(got))
	}
}

// TestArabicConversation: a Moroccan number writes in Arabic; the bot
// answers in Arabic (the country code's language), with reply buttons or
// lists within Meta's limits, marks messages read, and leads to the nearest
// Questura from a shared location.
func TestArabicConversation(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	r.deliver(t, load(t, "text_ar"))
	got := r.graph.messages()
	if len(got) != 1 || got[0].Payload["type"] != "interactive" {
		t.Fatalf("privacy notice: %s", all(got))
	}
	in := got[0].Payload["interactive"].(map[string]any)
	if in["type"] != "button" || !strings.Contains(text(got[0].Payload), "•") || got[0].Payload["to"] != "212612345678" {
		t.Fatalf("privacy notice as buttons, to the phone: %v", got[0].Payload)
	}
	if r.graph.reads() != 1 {
		t.Error("the message was not marked read")
	}
	// Accept with the button: the menu has 6 options → a list.
	r.deliver(t, load(t, "button_reply"))
	got = r.graph.messages()
	last := got[len(got)-1].Payload
	if last["type"] != "interactive" || last["interactive"].(map[string]any)["type"] != "list" {
		t.Fatalf("menu: %s", all(got))
	}
	rows := last["interactive"].(map[string]any)["action"].(map[string]any)["sections"].([]any)[0].(map[string]any)["rows"].([]any)
	find := rows[0].(map[string]any)["id"].(string)
	// "Find an office" from the list.
	r.deliver(t, load(t, "list_reply", "o:00000000:1", find, "QTE1NjQ3MDMA", "QTE1NjQ3MDNB"))
	got = r.graph.messages()
	kinds := got[len(got)-1].Payload["interactive"].(map[string]any)["action"].(map[string]any)
	var questura string
	for _, row := range kinds["sections"].([]any)[0].(map[string]any)["rows"].([]any) {
		if strings.Contains(row.(map[string]any)["title"].(string), "Questura") {
			questura = row.(map[string]any)["id"].(string)
		}
	}
	if questura == "" {
		t.Fatalf("no Questura row: %v", kinds)
	}
	r.deliver(t, load(t, "list_reply", "o:00000000:1", questura, "QTE1NjQ3MDMA", "QTE1NjQ3MDNC"))
	got = r.graph.messages()
	if got[len(got)-1].Payload["interactive"].(map[string]any)["type"] != "location_request_message" {
		t.Fatalf("where question: %s", all(got))
	}
	r.deliver(t, load(t, "location"))
	got = r.graph.messages()
	if !strings.Contains(all(got), "1. Questura di Prato") {
		t.Errorf("results:\n%s", all(got))
	}
	// A voice note: a polite answer.
	r.deliver(t, load(t, "audio"))
	if got := r.graph.messages(); len(got) == 0 {
		t.Error("no answer to a voice note")
	}
	if len(r.graph.rejected) > 0 {
		t.Errorf("payloads Meta would reject: %v", r.graph.rejected)
	}
	for _, personal := range []string{"212612345678", "MA.13491208655302741918", "السلام", "Youssef"} {
		if strings.Contains(r.logs.String(), personal) {
			t.Errorf("logs contain %q", personal)
		}
	}
}

func TestRedeliveryAndTwoUsers(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	body := load(t, "text_ar")
	r.deliver(t, body)
	r.deliver(t, body)
	if got := r.graph.messages(); len(got) != 1 {
		t.Errorf("a redelivered message got %d replies", len(got))
	}
	r.deliver(t, load(t, "two_users"))
	got := r.graph.messages()
	to := map[any]string{}
	for _, s := range got {
		if s.Payload["to"] != nil {
			to[s.Payload["to"]] = text(s.Payload)
		} else {
			to["recipient:"+fmt.Sprint(s.Payload["recipient"])] = text(s.Payload)
		}
	}
	if len(to) != 2 {
		t.Fatalf("two users: %v", to)
	}
	// The Senegalese number gets French; the user without a phone is
	// addressed by their business-scoped id — in recipient, where Meta
	// takes a BSUID — and, having written "你好", answered in Chinese.
	if !strings.Contains(to["221771234567"], "Avant de commencer") {
		t.Errorf("Senegal: %q", to["221771234567"])
	}
	if !strings.Contains(to["recipient:CN.77712345678901234"], "开始之前") {
		t.Errorf("BSUID user: %v", to)
	}
}

func TestStatusesNeverStartAConversation(t *testing.T) {
	var mu sync.Mutex
	var statuses []string
	r := newRig(t, memory.New(), whatsapp.Config{OnStatus: func(st string, code int) {
		mu.Lock()
		statuses = append(statuses, fmt.Sprintf("%s:%d", st, code))
		mu.Unlock()
	}})
	r.deliver(t, load(t, "statuses"))
	if got := r.graph.messages(); len(got) != 0 {
		t.Errorf("statuses caused %d sends", len(got))
	}
	if !slices.Equal(statuses, []string{"delivered:0", "failed:131047"}) {
		t.Errorf("statuses = %v", statuses)
	}
}

// TestWindowExpiresBeforeAReminder: inside the 24-hour window a reminder
// is free text; outside, the approved template — also when Meta refuses a
// free-form message with 131047.
func TestWindowExpiresBeforeAReminder(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{Template: "teamsbot_reminder"})
	r.deliver(t, load(t, "text_ar"))
	r.graph.messages()
	ctx := context.Background()
	user := "MA.13491208655302741918"
	if !r.sender.InWindow(ctx, user) {
		t.Fatal("window not open after a message")
	}
	if err := r.sender.Remind(ctx, user, "ar", "تذكير: موعدك غدا الساعة 10"); err != nil {
		t.Fatal(err)
	}
	if got := r.graph.messages(); len(got) != 1 || got[0].Payload["type"] != "text" {
		t.Fatalf("inside the window: %s", all(got))
	}
	// Meta says the window has closed (the user's clock and ours differ).
	r.graph.closed["212612345678"] = true
	if err := r.sender.Remind(ctx, user, "ar", "تذكير:\nموعدك غدا"); err != nil {
		t.Fatal(err)
	}
	got := r.graph.messages()
	if len(got) != 2 || got[1].Payload["type"] != "template" {
		t.Fatalf("after 131047: %s", all(got))
	}
	tpl := got[1].Payload["template"].(map[string]any)
	params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
	if tpl["name"] != "teamsbot_reminder" || tpl["language"].(map[string]any)["code"] != "ar" || strings.Contains(params[0].(map[string]any)["text"].(string), "\n") {
		t.Errorf("template: %v", tpl)
	}
	// A user never seen since the restart is outside the window: template.
	if err := r.sender.Remind(ctx, "393331234567", "it", "Promemoria"); err != nil {
		t.Fatal(err)
	}
	if got := r.graph.messages(); len(got) != 1 || got[0].Payload["type"] != "template" || got[0].Payload["to"] != "393331234567" {
		t.Errorf("unknown window: %s", all(got))
	}
}

func TestRendering(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	r.deliver(t, load(t, "text_ar")) // opens the window for this user
	r.graph.messages()
	user := "MA.13491208655302741918"
	long := strings.Repeat("نص طويل جدا. ", 400) // 5,200 characters
	opts := func(n int, label string) []bot.Option {
		var out []bot.Option
		for i := range n {
			out = append(out, bot.Option{ID: fmt.Sprintf("o:abcdef01:%d", i+1), Label: fmt.Sprintf("%s %d", label, i+1)})
		}
		return out
	}
	cases := []struct {
		name  string
		reply bot.Reply
		want  []string // payload types, interactive subtype after ":"
	}{
		{"3 short options", bot.Reply{Text: "Q?", Options: opts(3, "Sì")}, []string{"interactive:button"}},
		{"4 options", bot.Reply{Text: "Q?", Options: opts(4, "Sì"), ChooseLabel: "Scegli"}, []string{"interactive:list"}},
		{"a 21-character title", bot.Reply{Text: "Q?", Options: opts(2, "Centro per l'impieg"), ChooseLabel: "Scegli"}, []string{"interactive:list"}},
		{"11 options", bot.Reply{Text: "Q?", Options: opts(11, "x"), ChooseLabel: "Scegli"}, []string{"text"}},
		{"a 25-character row", bot.Reply{Text: "Q?", Options: opts(4, "Punto Unico di Accesso P"), ChooseLabel: "Scegli"}, []string{"text"}},
		{"long text and buttons", bot.Reply{Text: long + "\n\nQ?", Options: opts(2, "ok")}, []string{"text", "text", "interactive:button"}},
		{"long text", bot.Reply{Text: long}, []string{"text", "text"}},
		{"location", bot.Reply{Text: "Dove?", AskLocation: true}, []string{"interactive:location_request_message"}},
	}
	for _, c := range cases {
		if err := r.sender.Send(context.Background(), user, []bot.Reply{c.reply}); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var types []string
		for _, s := range r.graph.messages() {
			ty := s.Payload["type"].(string)
			if ty == "interactive" {
				ty += ":" + s.Payload["interactive"].(map[string]any)["type"].(string)
			}
			types = append(types, ty)
		}
		if !slices.Equal(types, c.want) {
			t.Errorf("%s: sent %v, want %v", c.name, types, c.want)
		}
	}
	if len(r.graph.rejected) > 0 {
		t.Errorf("Meta would reject: %v", r.graph.rejected)
	}
}

func TestBadInput(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	for name, c := range map[string]struct {
		body []byte
		want int
	}{
		"malformed, signed": {[]byte(`{"object":`), 200},
		"garbage, signed":   {[]byte("\x00\x01garbage"), 200},
		"over 1 MB":         {bytes.Repeat([]byte("a"), 2<<20), 413},
		"unknown object":    {[]byte(`{"object":"page","entry":[]}`), 200},
		"unknown field":     {[]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}`), 200},
	} {
		if code := r.post(t, c.body, sign(c.body, appSecret)); code != c.want {
			t.Errorf("%s: %d, want %d", name, code, c.want)
		}
	}
	// A reaction is ignored; an unsupported message gets a polite answer.
	r.deliver(t, load(t, "text_ar"))
	r.graph.messages()
	r.deliver(t, load(t, "unsupported_reaction"))
	if got := r.graph.messages(); len(got) != 1 {
		t.Errorf("reaction + unsupported: %d replies, want 1", len(got))
	}
	// A button id that matches no option: the question again.
	r.deliver(t, load(t, "button_reply", "c:privacy_ok", "o:ffffffff:9"))
	if got := r.graph.messages(); len(got) == 0 {
		t.Error("an unknown button id got no answer")
	}
}

func TestRetriesOnThrottle(t *testing.T) {
	r := newRig(t, memory.New(), whatsapp.Config{})
	r.deliver(t, load(t, "text_ar"))
	r.graph.messages()
	r.graph.throttle = 2
	if err := r.sender.Send(context.Background(), "MA.13491208655302741918", []bot.Reply{{Text: "ok"}}); err != nil {
		t.Fatal(err)
	}
	got := r.graph.messages()
	if len(got) != 3 || got[2].Status != 200 {
		t.Errorf("after two 130429: %d attempts", len(got))
	}
}

// TestPacing: 10,000 reminders due at once go out at the configured rate,
// with no payload rejected and no 130429 from a fake enforcing that rate.
func TestPacing(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 10,000 messages")
	}
	const rate = 5000
	r := newRig(t, memory.New(), whatsapp.Config{Rate: rate})
	r.graph.limit = rate + rate/2 // rate+burst per second, plus room for arrivals bunched by a busy machine
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range 10000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := r.sender.Send(context.Background(), fmt.Sprint(390000000000+i), []bot.Reply{{Text: "Promemoria: domani alle 10"}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	got := r.graph.messages()
	if len(got) != 10000 || r.graph.over != 0 || len(r.graph.rejected) != 0 {
		t.Errorf("sent %d, over the rate %d, rejected %d", len(got), r.graph.over, len(r.graph.rejected))
	}
	if took < time.Duration(float64(10000-rate/10)/rate*float64(time.Second))-200*time.Millisecond {
		t.Errorf("10,000 in %v: faster than %d/s", took, rate)
	}
	t.Logf("10,000 reminders at %d/s: %v", rate, took)
}

// BenchmarkWebhook: notifications end to end (signature, decode, dedup,
// lock, load, engine, save on the embedded store, outbound call and read
// receipt to the fake Graph API), with p50/p99 latency.
func BenchmarkWebhook(b *testing.B) {
	st, err := embedded.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := newRig(b, st, whatsapp.Config{Rate: 1e6})
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		body := load(b, "text_ar", "QTE1NjQ3MDEA", fmt.Sprintf("bench%d", i), "212612345678", fmt.Sprint(212600000000+i%500), "MA.13491208655302741918", fmt.Sprintf("MA.%d", i%500))
		t0 := time.Now()
		if code := r.post(b, body, sign(body, appSecret)); code != 200 {
			b.Fatalf("status %d", code)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
